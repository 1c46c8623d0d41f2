// The vector index kept in the trigger's state: row-major Float32Arrays (one row per chunk)
// plus the chunks' metadata as JSON. Lexical vectors always; dense provider embeddings when a
// provider that embeds (OpenAI) built the index. Documents are replaced by url, so re-adding a
// document never duplicates its chunks.

export interface ChunkMeta {
  url: string;
  title: string;
  section: string;
  ord: number;
  text: string;
}

export interface IndexData {
  chunks: ChunkMeta[];
  /** chunks.length × dims, L2-normalised hashed lexical vectors. */
  lexical: Float32Array;
  dims: number;
  /** chunks.length × denseDims, when the index has provider embeddings. */
  dense: Float32Array | null;
  denseDims: number;
}

export interface DocumentChunks {
  url: string;
  chunks: ChunkMeta[];
  lexical: Float32Array;
  dense: Float32Array | null;
}

/**
 * A new index without every chunk of the given urls, then with their new chunks appended.
 * Dense vectors are kept only if every document (old and new) has them at the same width.
 */
export function replaceDocuments(index: IndexData, docs: DocumentChunks[], denseDims: number): IndexData {
  const replaced = new Set(docs.map((d) => d.url));
  const keep: number[] = [];
  index.chunks.forEach((c, i) => {
    if (!replaced.has(c.url)) keep.push(i);
  });
  const total = keep.length + docs.reduce((n, d) => n + d.chunks.length, 0);
  const dims = index.dims;
  const lexical = new Float32Array(total * dims);
  const denseOk = docs.every((d) => d.dense) && (keep.length === 0 || (index.dense !== null && index.denseDims === denseDims));
  const dense = denseOk && denseDims > 0 ? new Float32Array(total * denseDims) : null;
  const chunks: ChunkMeta[] = [];
  let row = 0;
  for (const i of keep) {
    lexical.set(index.lexical.subarray(i * dims, (i + 1) * dims), row * dims);
    if (dense && index.dense) dense.set(index.dense.subarray(i * denseDims, (i + 1) * denseDims), row * denseDims);
    chunks.push(index.chunks[i]!);
    row++;
  }
  for (const doc of docs) {
    lexical.set(doc.lexical, row * dims);
    if (dense && doc.dense) dense.set(doc.dense, row * denseDims);
    chunks.push(...doc.chunks);
    row += doc.chunks.length;
  }
  return { chunks, lexical, dims, dense, denseDims: dense ? denseDims : 0 };
}

/** Per-bucket inverse document frequency over the lexical vectors. */
export function inverseFrequencies(lexical: Float32Array, rows: number, dims: number): Float32Array {
  const df = new Float32Array(dims);
  for (let r = 0; r < rows; r++) {
    const base = r * dims;
    for (let j = 0; j < dims; j++) if (lexical[base + j] !== 0) df[j] = df[j]! + 1;
  }
  const idf = new Float32Array(dims);
  for (let j = 0; j < dims; j++) idf[j] = Math.log(1 + (rows + 1) / (df[j]! + 1));
  return idf;
}

export interface Hit {
  row: number;
  score: number;
}

/** Dot products of one query against every row; the `n` best, highest first. */
export function topK(query: Float32Array, matrix: Float32Array, rows: number, dims: number, n: number): Hit[] {
  const scores = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * dims;
    let dot = 0;
    for (let j = 0; j < dims; j++) dot += query[j]! * matrix[base + j]!;
    scores[r] = dot;
  }
  const order = Array.from({ length: rows }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  return order.slice(0, n).map((row) => ({ row, score: scores[row]! }));
}

/** The lexical query vector weighted by idf and renormalised: cosine then favours rare terms. */
export function weightQuery(query: Float32Array, idf: Float32Array): Float32Array {
  const out = new Float32Array(query.length);
  let norm = 0;
  for (let j = 0; j < query.length; j++) {
    out[j] = query[j]! * idf[j]!;
    norm += out[j]! * out[j]!;
  }
  norm = Math.sqrt(norm);
  if (norm > 0) for (let j = 0; j < out.length; j++) out[j] = out[j]! / norm;
  return out;
}
