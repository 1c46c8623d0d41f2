// Splits a markdown document into retrieval chunks: by heading first (a chunk never spans two
// sections, and remembers its section title), then by size with an overlap, on paragraph
// boundaries where possible (a fenced code block is never cut unless it alone is too long).

export interface Chunk {
  /** Position within the document, from 0. */
  ord: number;
  /** "Page title › Section" — the heading path the chunk sits under. */
  section: string;
  text: string;
}

export interface ChunkOptions {
  chunkSize: number;
  chunkOverlap: number;
}

interface Section {
  path: string[];
  body: string[];
}

function sectionsOf(markdown: string): Section[] {
  const sections: Section[] = [];
  let path: string[] = [];
  let current: Section = { path: [], body: [] };
  let fenced = false;
  for (const line of markdown.split(/\r?\n/)) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^(#{1,4})\s+(.*)$/.exec(line);
    if (heading) {
      if (current.body.join("").trim()) sections.push(current);
      const level = heading[1]!.length;
      path = [...path.slice(0, level - 1), heading[2]!.trim()];
      while (path.length < level) path.unshift("");
      current = { path: path.filter(Boolean), body: [] };
    } else {
      current.body.push(line);
    }
  }
  if (current.body.join("").trim()) sections.push(current);
  return sections;
}

/** Paragraphs, keeping fenced code blocks whole. */
function paragraphs(lines: string[]): string[] {
  const out: string[] = [];
  let buffer: string[] = [];
  let fenced = false;
  const push = () => {
    const text = buffer.join("\n").trim();
    if (text) out.push(text);
    buffer = [];
  };
  for (const line of lines) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    if (!fenced && line.trim() === "") push();
    else buffer.push(line);
  }
  push();
  return out;
}

/** Cuts an over-long paragraph at sentence (or, failing that, word) boundaries. */
function cut(text: string, size: number): string[] {
  if (text.length <= size) return [text];
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > size) {
    const window = rest.slice(0, size);
    let at = Math.max(window.lastIndexOf(". "), window.lastIndexOf("\n"));
    if (at < size * 0.4) at = window.lastIndexOf(" ");
    if (at < size * 0.4) at = size - 1;
    pieces.push(rest.slice(0, at + 1).trim());
    rest = rest.slice(at + 1);
  }
  if (rest.trim()) pieces.push(rest.trim());
  return pieces;
}

/** The tail of a chunk to repeat at the start of the next one, starting at a word. */
function tail(text: string, overlap: number): string {
  if (overlap <= 0 || text.length <= overlap) return overlap <= 0 ? "" : text;
  const slice = text.slice(text.length - overlap);
  const space = slice.indexOf(" ");
  return space >= 0 ? slice.slice(space + 1) : slice;
}

export function chunkMarkdown(markdown: string, title: string, options: ChunkOptions): Chunk[] {
  const size = Math.max(100, options.chunkSize);
  const overlap = Math.max(0, Math.min(options.chunkOverlap, Math.floor(size / 2)));
  const chunks: Chunk[] = [];
  for (const section of sectionsOf(markdown)) {
    const names = section.path[0] === title ? section.path : [title, ...section.path];
    const sectionName = names.filter(Boolean).join(" › ");
    let current = "";
    let carried = false;
    const emit = () => {
      if (current.trim() && !(carried && current.trim() === "")) chunks.push({ ord: chunks.length, section: sectionName, text: current.trim() });
    };
    for (const paragraph of paragraphs(section.body)) {
      for (const piece of cut(paragraph, size)) {
        if (current && current.length + piece.length + 2 > size) {
          emit();
          current = tail(current, overlap);
          carried = true;
        }
        current = current ? `${current}\n\n${piece}` : piece;
        carried = false;
      }
    }
    if (!carried) emit();
  }
  return chunks;
}

/** The first `# Heading` of a markdown document, if any. */
export function markdownTitle(markdown: string): string | null {
  const match = /^#\s+(.+)$/m.exec(markdown);
  return match ? match[1]!.trim() : null;
}
