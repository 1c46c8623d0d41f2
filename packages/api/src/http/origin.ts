// Cross-site request forgery: browsers say where a state-changing request comes from (`Origin`
// on every POST, `Sec-Fetch-Site` in current browsers). A request that says neither did not come
// from a web page — it is a script or a server — so it cannot ride on a victim's cookies.
export type OriginVerdict = { ok: true } | { ok: false; reason: string };

const OK: OriginVerdict = { ok: true };

/** Normalises configured origins (`http://host:port`, no path) into a lookup set. */
export function originSet(urls: Iterable<string>): ReadonlySet<string> {
  const out = new Set<string>();
  for (const url of urls) out.add(new URL(url).origin);
  return out;
}

const LOOPBACK = ["localhost", "127.0.0.1", "[::1]"];

/**
 * A loopback origin with its other spellings (`localhost`, `127.0.0.1`, `[::1]`, same scheme and
 * port): they reach the same local server, and an operator who opens the console under another
 * of them is no other site. Origins of other hosts are kept as they are.
 */
export function withLoopbackAliases(urls: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const url of urls) {
    const parsed = new URL(url);
    out.add(parsed.origin);
    if (!LOOPBACK.includes(parsed.hostname)) continue;
    for (const host of LOOPBACK) {
      const alias = new URL(parsed.origin);
      alias.hostname = host;
      out.add(alias.origin);
    }
  }
  return [...out];
}

/** Whether a cookie-carrying, state-changing request may proceed. */
export function checkOrigin(headers: Headers, allowed: ReadonlySet<string>): OriginVerdict {
  const origin = headers.get("origin");
  const site = headers.get("sec-fetch-site");
  if (origin && origin !== "null") {
    return allowed.has(origin) ? OK : { ok: false, reason: `requests from ${origin} are not allowed` };
  }
  if (origin === "null" && site !== "same-origin") return { ok: false, reason: "requests from an opaque origin are not allowed" };
  if (site && site !== "same-origin" && site !== "none") return { ok: false, reason: `${site} requests are not allowed` };
  return OK;
}
