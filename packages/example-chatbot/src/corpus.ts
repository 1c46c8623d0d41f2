// The chatbot's corpus: the project's own documentation, `docs/*.md` at the repository root,
// read at run time (so editing a page and re-adding it is the demo of a keyed relation).

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { markdownTitle } from "./chunker.ts";

/** `<repo>/docs/`, found relative to this file (packages/example-chatbot/src/corpus.ts). */
export const DOCS_DIR = fileURLToPath(new URL("../../../docs/", import.meta.url));

export interface CorpusDocument {
  /** Repository-relative path, used as the document's key: `docs/concepts.md`. */
  url: string;
  title: string;
  text: string;
}

export function loadCorpus(dir: string = DOCS_DIR): CorpusDocument[] {
  if (!fs.existsSync(dir)) throw new Error(`No documentation folder at ${dir}`);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((file) => {
      const text = fs.readFileSync(path.join(dir, file), "utf8");
      return { url: `docs/${file}`, title: markdownTitle(text) ?? file.replace(/\.md$/, ""), text };
    });
}
