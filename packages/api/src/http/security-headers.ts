// Response headers that keep pages and API answers from being framed, sniffed or leaked.
// HSTS only over https: on plain http it would be ignored at best and lock out a local console
// at worst.

export interface SecurityHeaderOptions {
  /** The request came over https (directly or through a trusted proxy). */
  https: boolean;
}

/** On every response: pages and API. */
export function securityHeaders(options: SecurityHeaderOptions): Record<string, string> {
  return {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    ...(options.https ? { "strict-transport-security": "max-age=31536000; includeSubDomains" } : {}),
  };
}

const api = (https: boolean) =>
  Object.freeze({
    ...securityHeaders({ https }),
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "cache-control": "no-store",
  });
const API_HTTP = api(false);
const API_HTTPS = api(true);

/** API answers are data: nothing in them may run, load or be framed, and none is cached. */
export function apiHeaders(options: SecurityHeaderOptions): Readonly<Record<string, string>> {
  return options.https ? API_HTTPS : API_HTTP;
}

/**
 * The console's pages: scripts only with this response's nonce (Next.js adds it to its own
 * inline scripts when it finds the policy on the request) and what they load; styles from the
 * console and inline style attributes (charts and popovers position elements with them).
 */
export function pageContentSecurityPolicy(nonce: string, options: { development?: boolean } = {}): string {
  const dev = options.development === true;
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}
