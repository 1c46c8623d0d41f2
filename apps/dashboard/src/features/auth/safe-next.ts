// Where to go after signing in: only a path on this console. A `next` that merely starts with
// "/" is not enough — browsers read "//host", "/\host" and "/<tab>/host" as other sites.
const HERE = "http://console.invalid";

export function safeNext(next: unknown): string {
  // A repeated `?next=` arrives as an array: no choosing between them.
  if (typeof next !== "string" || !next.startsWith("/")) return "/";
  // Backslashes and control characters: browsers turn "\" into "/" and drop tabs and newlines.
  for (let i = 0; i < next.length; i++) {
    const code = next.charCodeAt(i);
    if (code === 0x5c || code < 0x20 || code === 0x7f) return "/";
  }
  let url: URL;
  try {
    url = new URL(next, HERE);
  } catch {
    return "/";
  }
  if (url.origin !== HERE) return "/";
  // Dot segments resolve away ("/.//evil.example" is the path "//evil.example"): a path that
  // starts with two slashes is another host to a browser, wherever it came from.
  if (url.pathname.startsWith("//")) return "/";
  return `${url.pathname}${url.search}${url.hash}`;
}
