// Corpora this project did not write: the READMEs of npm packages installed in node_modules
// (versions pinned by package-lock.json). They are read at run time and never copied into the
// repository. Used by the evaluation (whole READMEs of named packages) and the benchmark
// (README sections of every installed package, as many small documents).

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { CorpusDocument } from "./corpus.ts";

/** node_modules folders searched in order: this package's, then the repository root's. */
export const NODE_MODULES = [
  fileURLToPath(new URL("../node_modules/", import.meta.url)),
  fileURLToPath(new URL("../../../node_modules/", import.meta.url)),
];

function packageDir(name: string): string | null {
  for (const root of NODE_MODULES) {
    const dir = path.join(root, name);
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
  }
  return null;
}

function readmeOf(dir: string): string | null {
  const file = fs.readdirSync(dir).find((f) => /^readme(\.md|\.markdown)?$/i.test(f));
  return file ? fs.readFileSync(path.join(dir, file), "utf8") : null;
}

export interface PackageCorpus {
  documents: CorpusDocument[];
  /** The installed version of each package read. */
  versions: Record<string, string>;
  /** Packages installed at another version than the one the questions were written for. */
  mismatched: { name: string; expected: string; found: string }[];
}

/** The url of a package's README in the corpora: `npm:<name>`. */
export function packageUrl(name: string): string {
  return `npm:${name}`;
}

/**
 * The README of each named package, titled with the package's name (its metadata). Throws when
 * a package or its README is missing: an evaluation on a partial corpus would mislead.
 */
export function loadPackageCorpus(names: readonly string[], expected: Record<string, string> = {}): PackageCorpus {
  const documents: CorpusDocument[] = [];
  const versions: Record<string, string> = {};
  const mismatched: PackageCorpus["mismatched"] = [];
  for (const name of names) {
    const dir = packageDir(name);
    if (!dir) throw new Error(`package ${name} is not installed (run npm ci at the repository root)`);
    const text = readmeOf(dir);
    if (!text) throw new Error(`package ${name} has no README in ${dir}`);
    const version = (JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { version: string }).version;
    versions[name] = version;
    if (expected[name] && expected[name] !== version) mismatched.push({ name, expected: expected[name]!, found: version });
    documents.push({ url: packageUrl(name), title: name, text });
  }
  return { documents, versions, mismatched };
}

function installedPackages(): string[] {
  const names = new Set<string>();
  for (const root of NODE_MODULES) {
    if (!fs.existsSync(root)) continue;
    for (const entry of fs.readdirSync(root)) {
      if (entry.startsWith(".")) continue;
      if (entry.startsWith("@")) {
        for (const sub of fs.readdirSync(path.join(root, entry))) names.add(`${entry}/${sub}`);
      } else names.add(entry);
    }
  }
  return [...names].sort();
}

/**
 * README sections of every installed package, one document per level-1/2 heading section (url
 * `npm:<name>#<n>`), in a stable order, up to `limit`: a corpus of many small real documents.
 */
export function readmeSections(limit: number, minChars = 400): CorpusDocument[] {
  const out: CorpusDocument[] = [];
  for (const name of installedPackages()) {
    if (out.length >= limit) break;
    const dir = packageDir(name);
    const text = dir ? readmeOf(dir) : null;
    if (!text) continue;
    let fenced = false;
    const sections: string[][] = [[]];
    for (const line of text.split(/\r?\n/)) {
      if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
      if (!fenced && /^#{1,2}\s/.test(line) && sections.at(-1)!.length) sections.push([]);
      sections.at(-1)!.push(line);
    }
    sections.forEach((lines, i) => {
      const body = lines.join("\n");
      if (body.trim().length >= minChars && out.length < limit) out.push({ url: `${packageUrl(name)}#${i}`, title: name, text: body });
    });
  }
  return out;
}
