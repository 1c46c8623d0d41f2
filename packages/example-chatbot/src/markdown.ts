// Markdown → a flat list of blocks, parsed with mdast (the syntax tree of the unified/remark
// ecosystem, GitHub-flavoured). Chunking and answering work on blocks, so a fenced code block
// is always one unit and prose is plain text: badges and images are dropped, links keep their
// text, inline code keeps its backticks.

import type { Nodes, PhrasingContent, RootContent } from "mdast";
import { fromMarkdown } from "mdast-util-from-markdown";
import { gfmFromMarkdown } from "mdast-util-gfm";
import { gfm } from "micromark-extension-gfm";

export type Block =
  | { kind: "heading"; depth: number; text: string }
  | { kind: "prose"; text: string }
  | { kind: "list"; items: string[] }
  | { kind: "table"; rows: string[] }
  | { kind: "code"; lang: string; code: string };

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

/** Text of an HTML fragment: tags removed, a few entities decoded, whitespace collapsed. */
function htmlText(html: string): string {
  return html
    .replace(/<!--[\s\S]*?-->/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&(#\d+|[a-z]+);/gi, (m, e: string) => (e.startsWith("#") ? String.fromCharCode(Number(e.slice(1))) : ENTITIES[e.toLowerCase()] ?? m))
    .replace(/\s+/g, " ")
    .trim();
}

function inline(nodes: readonly PhrasingContent[]): string {
  let out = "";
  for (const node of nodes) {
    switch (node.type) {
      case "text":
        out += node.value;
        break;
      case "inlineCode":
        out += `\`${node.value}\``;
        break;
      case "break":
        out += " ";
        break;
      case "html":
        out += ` ${htmlText(node.value)} `;
        break;
      case "image":
      case "imageReference":
      case "footnoteReference":
        break;
      default:
        if ("children" in node) out += inline(node.children as PhrasingContent[]);
    }
  }
  return out.replace(/\s+/g, " ").trim();
}

/** Plain text of any block-level node (list items, quotes, table cells). */
function plain(node: Nodes): string {
  if (node.type === "code") return node.value;
  if (node.type === "html") return htmlText(node.value);
  if (node.type === "paragraph" || node.type === "heading" || node.type === "tableCell") return inline(node.children);
  if ("children" in node) {
    // Fenced code inside a list item becomes its own block (see pushBlocks), not item text.
    return (node.children as Nodes[])
      .filter((child) => child.type !== "code")
      .map(plain)
      .filter(Boolean)
      .join(" ");
  }
  return "value" in node && typeof node.value === "string" ? node.value : "";
}

function pushBlocks(node: RootContent, out: Block[]): void {
  switch (node.type) {
    case "heading": {
      const text = inline(node.children);
      if (text) out.push({ kind: "heading", depth: node.depth, text });
      return;
    }
    case "paragraph": {
      const text = inline(node.children);
      if (text) out.push({ kind: "prose", text });
      return;
    }
    case "code":
      if (node.value.trim()) out.push({ kind: "code", lang: node.lang ?? "", code: node.value.replace(/\s+$/, "") });
      return;
    case "list": {
      const items = node.children.map((item) => plain(item)).filter(Boolean);
      if (items.length) out.push({ kind: "list", items });
      // Code blocks inside list items stay code blocks, after the list's text.
      for (const item of node.children) {
        for (const child of item.children) if (child.type === "code" && child.value.trim()) pushBlocks(child, out);
      }
      return;
    }
    case "table": {
      const rows = node.children.map((row) => row.children.map((cell) => inline(cell.children)).join(" | ")).filter((r) => r.replace(/[|\s]/g, ""));
      if (rows.length) out.push({ kind: "table", rows });
      return;
    }
    case "blockquote":
      for (const child of node.children) pushBlocks(child, out);
      return;
    case "html": {
      // An HTML heading (<h1 align="center">Name</h1>) is a heading; other HTML is prose.
      const heading = /^\s*<h([1-6])[^>]*>([\s\S]*?)<\/h\1>/i.exec(node.value);
      const text = htmlText(heading ? heading[2]! : node.value);
      if (heading && text) out.push({ kind: "heading", depth: Number(heading[1]), text });
      else if (text) out.push({ kind: "prose", text });
      return;
    }
    default:
      // thematic breaks, link definitions, footnote definitions, front matter: no content.
      return;
  }
}

export function parseBlocks(markdown: string): Block[] {
  const tree = fromMarkdown(markdown, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
  const out: Block[] = [];
  for (const node of tree.children) pushBlocks(node, out);
  return out;
}

/** The first heading with real text, in document order (badge-only headings were dropped while parsing). */
export function firstHeading(blocks: readonly Block[]): string | null {
  for (const b of blocks) if (b.kind === "heading") return b.text;
  return null;
}

/** A fence longer than any backtick run in the code, so the block can be read back whole. */
export function fence(lang: string, code: string): string {
  const longest = Math.max(2, ...[...code.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = "`".repeat(longest + 1);
  return `${ticks}${lang}\n${code}\n${ticks}`;
}
