// Splits a markdown document into retrieval chunks on its structure (see markdown.ts): a chunk
// never spans two sections and remembers its heading path; within a section, whole units are
// packed up to `chunkSize` characters. A unit is a paragraph, a list item, a table row or a
// fenced code block; a paragraph longer than a chunk is cut between sentences. So a chunk never
// starts mid-sentence and never cuts a code block (an over-long code block is a chunk alone).

import { fence, firstHeading, parseBlocks, type Block } from "./markdown.ts";
import { splitSentences } from "./text.ts";

export interface Chunk {
  /** Position within the document, from 0. */
  ord: number;
  /** "Title › Section › Subsection" — the heading path the chunk sits under. */
  section: string;
  /** Markdown: prose as plain text (inline code in backticks), code blocks fenced. */
  text: string;
}

export interface ChunkOptions {
  chunkSize: number;
}

interface Unit {
  text: string;
  /** Units of one list or table are joined by a newline, others by a blank line. */
  group: number;
}

/** The units of one block, each at most `size` characters unless it is a code block. */
function unitsOf(block: Exclude<Block, { kind: "heading" }>, size: number, group: number): Unit[] {
  const sentences = (text: string): string[] => {
    if (text.length <= size) return [text];
    const out: string[] = [];
    let current = "";
    for (const s of splitSentences(text)) {
      if (current && current.length + 1 + s.length > size) {
        out.push(current);
        current = s;
      } else current = current ? `${current} ${s}` : s;
    }
    if (current) out.push(current);
    return out;
  };
  switch (block.kind) {
    case "prose":
      return sentences(block.text).map((text) => ({ text, group }));
    case "list":
      return block.items.flatMap((item) => sentences(item).map((text) => ({ text: `- ${text}`, group })));
    case "table":
      return block.rows.map((row) => ({ text: row, group }));
    case "code":
      return [{ text: fence(block.lang, block.code), group }];
  }
}

/** The section path: the title first (once), then the enclosing headings. */
function sectionName(title: string, path: string[]): string {
  const names = path[0]?.toLowerCase() === title.toLowerCase() ? path : [title, ...path];
  return names.join(" › ");
}

export function chunkMarkdown(markdown: string, title: string, options: ChunkOptions): Chunk[] {
  return chunkBlocks(parseBlocks(markdown), title, options);
}

export function chunkBlocks(blocks: readonly Block[], title: string, options: ChunkOptions): Chunk[] {
  const size = Math.max(100, options.chunkSize);
  const chunks: Chunk[] = [];
  const path: { depth: number; text: string }[] = [];
  let units: Unit[] = [];
  let length = 0;
  let section = sectionName(title, []);
  const emit = () => {
    if (!units.length) return;
    let text = units[0]!.text;
    for (let i = 1; i < units.length; i++) text += `${units[i]!.group === units[i - 1]!.group ? "\n" : "\n\n"}${units[i]!.text}`;
    chunks.push({ ord: chunks.length, section, text });
    units = [];
    length = 0;
  };
  let group = 0;
  for (const block of blocks) {
    if (block.kind === "heading") {
      emit();
      while (path.length && path.at(-1)!.depth >= block.depth) path.pop();
      path.push({ depth: block.depth, text: block.text });
      section = sectionName(title, path.map((p) => p.text));
      continue;
    }
    group++;
    for (const unit of unitsOf(block, size, group)) {
      if (units.length && length + 2 + unit.text.length > size) emit();
      units.push(unit);
      length += unit.text.length + 2;
    }
  }
  emit();
  return chunks;
}

/** A document's title: the first real heading (badges and images do not count). */
export function markdownTitle(markdown: string): string | null {
  return firstHeading(parseBlocks(markdown));
}
