// The typed client on any valid input, over real HTTP: batches of long GET queries stay under
// the URL cap, a query too long for any URL goes as POST, and answers that are not tRPC JSON
// (the server's 431, a proxy's HTML page) are errors the client can read. Plus the one error
// shape: readable message, code, issues with full input paths.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCClientError } from "@trpc/client";
import { createMotionClient, MAX_URL_LENGTH, readableErrors } from "../src/client.ts";
import type { AppRouter } from "../src/index.ts";
import { openServer, type TestServer } from "./server-harness.ts";

describe("the typed client over HTTP", () => {
  let s: TestServer;
  let client: ReturnType<typeof createMotionClient>;
  const urls: { method: string; length: number }[] = [];
  beforeAll(async () => {
    s = await openServer();
    client = createMotionClient({
      url: s.url,
      apiKey: await s.adminKey(),
      fetch: async (input, init) => {
        urls.push({ method: init?.method ?? "GET", length: String(input).length });
        return fetch(input, init);
      },
    });
    await client.rows.addMany.mutate({ relation: "questions", rows: [{ text: "é".repeat(900), topic: "long" }, { text: "short", topic: "x" }] });
  });
  afterAll(async () => s?.close());

  // Ten filters of 1,000 characters that each take 6 characters in a URL: ~60 KB of query string.
  const longFilter = Array.from({ length: 10 }, () => ({ field: "text", op: "contains" as const, value: "é".repeat(1_000) }));

  it("a single query too long for a URL is sent as POST and answered", async () => {
    urls.length = 0;
    const page = await client.rows.list.query({ relation: "questions", filter: [{ field: "text", op: "contains", value: "é".repeat(900) }] });
    expect(page.items.map((r) => (r.data as { topic?: string }).topic)).toEqual(["long"]);
    const all = await client.rows.list.query({ relation: "questions", filter: longFilter });
    expect(all.items).toHaveLength(0);
    expect(urls.every((u) => u.length <= MAX_URL_LENGTH)).toBe(true);
    expect(urls.some((u) => u.method === "POST")).toBe(true);
  });

  it("many queries at once are split into batches whose URLs fit", async () => {
    urls.length = 0;
    const filter = [{ field: "topic", op: "eq" as const, value: "é".repeat(400) }];
    const pages = await Promise.all(Array.from({ length: 40 }, () => client.rows.count.query({ relation: "questions", filter })));
    expect(pages.every((p) => p.count === 0)).toBe(true);
    expect(urls.length).toBeGreaterThan(1);
    expect(Math.max(...urls.map((u) => u.length))).toBeLessThanOrEqual(MAX_URL_LENGTH);
  });

  it("the server answers an oversized URL with a JSON 431, which the client reads as an error", async () => {
    const raw = await fetch(`${s.url}/api/trpc/health?input=${"x".repeat(20_000)}`);
    expect(raw.status).toBe(431);
    // The API's security headers too: this answer is written before the request is parsed.
    expect(raw.headers.get("cache-control")).toBe("no-store");
    expect(raw.headers.get("x-frame-options")).toBe("DENY");
    expect(raw.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(await raw.json()).toMatchObject({ code: "REQUEST_HEADER_FIELDS_TOO_LARGE" });
    // A client that does not cap its URLs (a plain httpLink) gets a readable error, not "Unexpected end of JSON input".
    const wrapped = readableErrors(fetch);
    const response = await wrapped(`${s.url}/api/trpc/health?input=${"x".repeat(20_000)}`);
    const body = (await response.json()) as { error: { json: { message: string; data: { code: string; httpStatus: number } } } };
    expect(body.error.json.data).toMatchObject({ code: "BAD_REQUEST", httpStatus: 431 });
    expect(body.error.json.message).toMatch(/too large/);
  });

  it("a proxy's HTML error page becomes a TRPCClientError with the HTTP status", async () => {
    const behindProxy = createMotionClient({ url: s.url, fetch: async () => new Response("<html><body>502 Bad Gateway</body></html>", { status: 502, headers: { "content-type": "text/html" } }) });
    const error = (await behindProxy.health.query().catch((e: unknown) => e)) as TRPCClientError<AppRouter>;
    expect(error).toBeInstanceOf(TRPCClientError);
    expect(error.data).toMatchObject({ code: "BAD_GATEWAY", httpStatus: 502 });
    expect(error.message).toBe("HTTP 502");
    // A sign-in portal answering 200 with HTML is not the API either: a readable error, not "Unexpected token '<'".
    const portal = createMotionClient({ url: s.url, fetch: async () => new Response("<!doctype html><form>Sign in to Corp SSO</form>", { status: 200, headers: { "content-type": "text/html; charset=utf-8" } }) });
    const redirected = (await portal.health.query().catch((e: unknown) => e)) as TRPCClientError<AppRouter>;
    expect(redirected).toBeInstanceOf(TRPCClientError);
    expect(redirected.data).toMatchObject({ code: "BAD_GATEWAY", httpStatus: 200 });
    expect(redirected.message).toMatch(/answered text\/html with HTTP 200, not the API's JSON/);
  });

  it("one error shape: readable message, code, issues with full input paths", async () => {
    const params = (await client.triggers.setParams.mutate({ trigger: "qa", params: { prefix: 42 } }).catch((e: unknown) => e)) as TRPCClientError<AppRouter>;
    expect(params.data).toMatchObject({ code: "BAD_REQUEST", httpStatus: 400 });
    expect(params.data?.issues?.map((i) => i.path)).toEqual([["params", "prefix"]]);
    expect(params.message).toMatch(/^params\.prefix: /);

    const input = (await client.rows.list.query({ relation: "questions", limit: -1, filter: [{ field: "a b", op: "eq", value: 1 }] }).catch((e: unknown) => e)) as TRPCClientError<AppRouter>;
    expect(input.data?.issues?.map((i) => i.path.join("."))?.sort()).toEqual(["filter.0.field", "limit"]);
    expect(input.message).not.toMatch(/^\[/); // not a JSON dump of zod issues
    expect(input.message).toMatch(/(^|; )limit: /);
    expect(input.message).toMatch(/(^|; )filter\.0\.field: a top-level field name/);

    const row = (await client.rows.addMany.mutate({ relation: "questions", rows: [{ text: "ok" }, { text: 5 as unknown as string }] }).catch((e: unknown) => e)) as TRPCClientError<AppRouter>;
    expect(row.data?.issues?.map((i) => i.path)).toEqual([["rows", 1, "text"]]);
  });
});
