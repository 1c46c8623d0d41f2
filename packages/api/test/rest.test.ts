// The REST surface over a real server on SQLite, with node's fetch only (no tRPC client): the
// OpenAPI document's structure, every operation's tier (walked from the document and tried
// with each kind of caller), and a whole flow — add rows, read an inference, label it, roll
// back — with the API's one error shape.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../src/index.ts";
import { openServer, type TestServer } from "./server-harness.ts";

interface Operation {
  operationId: string;
  parameters?: { name: string; in: string; required?: boolean; schema?: unknown }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
  security?: Record<string, string[]>[];
  "x-motion-tier": string;
}
interface Document {
  openapi: string;
  info: { title: string; version: string };
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, { type: string }> };
}

let s: TestServer;
let keys: { viewer: string; labeler: string; admin: string };

async function rest(method: string, path: string, options: { body?: unknown; key?: string; headers?: Record<string, string>; raw?: string } = {}) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (options.body !== undefined || options.raw !== undefined) headers["content-type"] ??= "application/json";
  const response = await fetch(`${s.url}/api/v1${path}`, { method, headers, body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) as any };
}

beforeAll(async () => {
  s = await openServer();
  const admin = s.api.createCaller(new Headers({ authorization: `Bearer ${await s.adminKey()}` }));
  keys = {
    viewer: (await admin.apiKeys.create({ name: "rest-viewer", role: "viewer" })).key,
    labeler: (await admin.apiKeys.create({ name: "rest-labeler", role: "labeler" })).key,
    admin: (await admin.apiKeys.create({ name: "rest-admin", role: "admin" })).key,
  };
});
afterAll(async () => s?.close());

async function documentOf(): Promise<Document> {
  const response = await fetch(`${s.url}/api/openapi.json`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  return (await response.json()) as Document;
}

const operationsOf = (doc: Document) => Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method: method.toUpperCase(), op })));

/** Every `$ref` in the document, anywhere. */
function refsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsIn(v, out);
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

describe("the OpenAPI document", () => {
  it("is an OpenAPI 3.1 document whose operations, parameters and references hold together", async () => {
    const doc = await documentOf();
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBe("Motion API");
    expect(doc.info.version).toMatch(/\S/);
    expect(doc.servers).toEqual([{ url: `${s.url}/api/v1` }]);
    const ids = new Set<string>();
    for (const { path, method, op } of operationsOf(doc)) {
      const where = `${method} ${path}`;
      expect(path, where).toMatch(/^\/[\w{}/-]*$/);
      expect(["GET", "POST", "PUT", "DELETE"], where).toContain(method);
      expect(ids.has(op.operationId), `${where}: duplicate operationId`).toBe(false);
      ids.add(op.operationId);
      // Path templates and path parameters match one to one; path parameters are required.
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const declared = (op.parameters ?? []).filter((p) => p.in === "path");
      expect(declared.map((p) => p.name).sort(), where).toEqual(templated);
      for (const p of declared) expect(p.required, `${where}: ${p.name}`).toBe(true);
      for (const p of op.parameters ?? []) {
        expect(["path", "query"], where).toContain(p.in);
        expect(p.schema, `${where}: ${p.name}`).toBeTypeOf("object");
      }
      const names = (op.parameters ?? []).map((p) => `${p.in}:${p.name}`);
      expect(new Set(names).size, `${where}: parameters unique`).toBe(names.length);
      // GETs carry input in the URL only; bodies are JSON.
      if (method === "GET") expect(op.requestBody, where).toBeUndefined();
      if (op.requestBody) expect(Object.keys(op.requestBody.content), where).toEqual(["application/json"]);
      // A documented success, and every error in the one error shape.
      expect(op.responses["200"]?.content?.["application/json"]?.schema, where).toBeTypeOf("object");
      for (const [status, response] of Object.entries(op.responses)) {
        expect(status, where).toMatch(/^[1-5]\d\d$/);
        expect(response.description, `${where} ${status}`).toMatch(/\S/);
        if (Number(status) >= 400) expect(response.content?.["application/json"]?.schema, `${where} ${status}`).toEqual({ $ref: "#/components/schemas/Error" });
      }
    }
    // Every reference resolves.
    for (const ref of refsIn(doc)) {
      expect(ref, ref).toMatch(/^#\/components\/schemas\/[\w.-]+$/);
      expect(doc.components.schemas[ref.split("/").pop()!], ref).toBeDefined();
    }
    expect(doc.components.schemas.Error).toMatchObject({ type: "object", required: ["code", "message"], properties: { issues: expect.any(Object) } });
  });

  it("covers what a client needs: rows, inferences, feedback, fits, triggers, state versions and health", async () => {
    const doc = await documentOf();
    const ids = operationsOf(doc).map(({ op }) => op.operationId);
    for (const id of [
      "health",
      "rows.add",
      "rows.addMany",
      "rows.list",
      "rows.get",
      "inferences.list",
      "inferences.get",
      "feedback.label",
      "feedback.list",
      "fits.list",
      "fits.get",
      "fits.retry",
      "triggers.list",
      "triggers.get",
      "triggers.setParams",
      "state.versions",
      "state.rollback",
      "state.outcomes",
      "state.diff",
      "drift.alerts",
      "drift.profile",
      "drift.release",
      "drift.drop",
      "drift.markValid",
      "users.list",
      "users.create",
      "users.disable",
      "users.delete",
      "apiKeys.create",
      "apiKeys.revoke",
    ]) {
      expect(ids, id).toContain(id);
    }
  });

  it("docs/api.md lists every operation with its role", async () => {
    const docs = readFileSync(fileURLToPath(new URL("../../../docs/api.md", import.meta.url)), "utf8");
    const ROLE: Record<string, string> = { public: "anyone", viewer: "viewer", labeler: "labeler", admin: "admin" };
    for (const { path, method, op } of operationsOf(await documentOf())) {
      const row = docs.split("\n").find((line) => line.startsWith("| `") && (line.includes(`\`${method} ${path}\``) || line.includes(`\`${method} ${path} `) || line.includes(`\`${method} ${path}?`)));
      expect(row, `${method} ${path}`).toBeDefined();
      expect(row, `${method} ${path}`).toContain(`\`${op.operationId}\``);
      expect(row!.trim().endsWith(`| ${ROLE[op["x-motion-tier"]]} |`), `${method} ${path}: ${row}`).toBe(true);
    }
  });
});

describe("tiers over REST", () => {
  const procedures = (appRouter._def as unknown as { procedures: Record<string, { _def: { type: string; meta?: { tier?: string } } }> }).procedures;
  const RANK: Record<string, number> = { public: 0, viewer: 1, labeler: 2, admin: 3 };

  it("every operation in the document declares its procedure's tier and the matching security", async () => {
    const doc = await documentOf();
    const schemes = Object.keys(doc.components.securitySchemes).sort();
    expect(schemes).toEqual(["apiKey", "session"]);
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: "http", scheme: "bearer" });
    for (const { path, method, op } of operationsOf(doc)) {
      const procedure = procedures[op.operationId];
      expect(procedure, `${method} ${path} → ${op.operationId}`).toBeDefined();
      const tier = procedure!._def.meta?.tier;
      expect(tier, op.operationId).toBeDefined();
      expect(op["x-motion-tier"], op.operationId).toBe(tier);
      // Queries are GET; changes never are.
      expect(method === "GET", op.operationId).toBe(procedure!._def.type === "query");
      if (tier === "public") expect(op.security ?? [], op.operationId).toEqual([]);
      else expect(op.security, op.operationId).toEqual([{ apiKey: [] }, { session: [] }]);
      if (tier !== "public") expect(Object.keys(op.responses), op.operationId).toEqual(expect.arrayContaining(["401", "403"]));
    }
  });

  it("every operation, called as the document describes, refuses callers below its tier — whatever the input", async () => {
    const doc = await documentOf();
    const callers: [name: string, rank: number, key: string | undefined][] = [
      ["anonymous", 0, undefined],
      ["viewer", 1, keys.viewer],
      ["labeler", 2, keys.labeler],
      ["admin", 3, keys.admin],
    ];
    let checked = 0;
    for (const { path, method, op } of operationsOf(doc)) {
      const tier = op["x-motion-tier"];
      // Placeholder path values: the tier check comes before any lookup or validation.
      const url = path.replace(/\{(\w+)\}/g, (_, name: string) => (name === "version" ? "1" : `probe-${name}`));
      for (const [name, rank, key] of callers) {
        const response = await rest(method, url, { key, ...(method === "GET" ? {} : { body: {} }) });
        const where = `${name} ${method} ${url} (${tier})`;
        if (tier !== "public" && rank === 0) {
          expect(response.status, where).toBe(401);
          expect(response.body, where).toEqual({ code: "UNAUTHORIZED", message: expect.any(String), issues: null });
        } else if (rank < RANK[tier]!) {
          expect(response.status, where).toBe(403);
          expect(response.body, where).toMatchObject({ code: "FORBIDDEN", message: `requires the ${tier} role (you are ${name})` });
        } else {
          expect([401, 403], where).not.toContain(response.status);
        }
        checked++;
      }
    }
    expect(checked).toBe(operationsOf(doc).length * callers.length);
  });

  it("a session cookie works like a key, and a cookie-authenticated change from another site is refused", async () => {
    const cookie = await s.signIn();
    const me = await rest("GET", "/me", { headers: { cookie } });
    expect(me.body).toMatchObject({ kind: "user", email: s.adminEmail, role: "admin" });
    const forged = await rest("POST", "/relations/questions/rows", { headers: { cookie, origin: "https://evil.example" }, body: { row: { text: "forged" } } });
    expect(forged.status).toBe(403);
    expect(forged.body).toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("cross-site request refused") });
    const script = await rest("POST", "/relations/questions/rows", { headers: { cookie }, body: { row: { text: "from a script" } } });
    expect(script.status).toBe(200);
    const page = await rest("POST", "/relations/questions/rows", { headers: { cookie, origin: s.url }, body: { row: { text: "from the console" } } });
    expect(page.status).toBe(200);
  });
});

describe("a client's flow over REST", () => {
  it("adds rows, reads an inference, labels it and rolls back, with plain JSON both ways", async () => {
    const health = await rest("GET", "/health");
    expect(health.body).toMatchObject({ ok: true, database: "sqlite" });
    const head = await fetch(`${s.url}/api/v1/health`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");

    // Two docs → two fitted versions of `qa` (batchSize 1).
    const docs = await rest("POST", "/relations/docs/rows/batch", { key: keys.labeler, body: { rows: [{ url: "a", body: "A" }, { url: "b", body: "B" }] } });
    expect(docs.status).toBe(200);
    expect(docs.body).toHaveLength(2);
    let versions: { version: number; aliases: string[] }[] = [];
    for (let i = 0; i < 200 && versions.length < 3; i++) {
      versions = (await rest("GET", "/triggers/qa/versions", { key: keys.viewer })).body.items;
      if (versions.length < 3) await new Promise((r) => setTimeout(r, 25));
    }
    expect(versions.map((v) => v.version)).toEqual([2, 1, 0]);

    // Fits done (the versions above): the status says idle, per trigger with fit routes.
    const status = await rest("GET", "/status", { key: keys.viewer });
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ idle: true, triggers: [{ trigger: "qa", pending: 0, claimed: 0, running: 0, idle: true, nextRetryAt: null }, { trigger: "flaky" }] });

    const added = await rest("POST", "/relations/questions/rows", { key: keys.labeler, body: { row: { text: "what is new?", topic: "news" } } });
    expect(added.status).toBe(200);
    expect(added.body.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const qa = added.body.inferences.find((i: { trigger: string }) => i.trigger === "qa");
    expect(qa).toMatchObject({ output: { answer: "A: WHAT IS NEW?", docs: 2 }, stateVersion: 2 });

    const inference = await rest("GET", `/inferences/${qa.id}`, { key: keys.viewer });
    expect(inference.body).toMatchObject({ id: qa.id, input: { text: "what is new?", topic: "news" }, feedback: [] });

    const row = await rest("GET", `/rows/${added.body.id}`, { key: keys.viewer });
    expect(row.body).toMatchObject({ id: added.body.id, relation: "questions", data: { text: "what is new?", topic: "news" } });
    expect(row.body.inferences).toHaveLength(2);

    const label = await rest("POST", `/inferences/${qa.id}/feedback`, { key: keys.labeler, body: { label: "bad", correction: { answer: "nothing" }, note: "wrong" } });
    expect(label.status).toBe(200);
    expect(label.body).toMatchObject({ inferenceId: qa.id, label: "bad" });
    const feedback = await rest("GET", `/feedback?trigger=qa&label=bad`, { key: keys.viewer });
    expect(feedback.body.items).toEqual([expect.objectContaining({ inferenceId: qa.id, label: "bad", correction: { answer: "nothing" }, actor: "apikey:rest-labeler" })]);

    // Query strings: booleans, numbers, JSON filters, dates, cursors.
    const labeled = await rest("GET", `/inferences?trigger=qa&labeled=true`, { key: keys.viewer });
    expect(labeled.body.items.map((i: { id: string }) => i.id)).toEqual([qa.id]);
    const pythonic = await rest("GET", `/inferences?trigger=qa&labeled=True`, { key: keys.viewer });
    expect(pythonic.body.items.map((i: { id: string }) => i.id)).toEqual([qa.id]);
    const unlabeled = await rest("GET", `/inferences?trigger=qa&labeled=false`, { key: keys.viewer });
    expect(unlabeled.body.items.map((i: { id: string }) => i.id)).not.toContain(qa.id);
    const filter = encodeURIComponent(JSON.stringify([{ field: "topic", op: "eq", value: "news" }]));
    const filtered = await rest("GET", `/relations/questions/rows?filter=${filter}&from=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}`, { key: keys.viewer });
    expect(filtered.body.items.map((r: { id: string }) => r.id)).toEqual([added.body.id]);
    const badDate = await rest("GET", `/relations/questions/rows?from=notadate`, { key: keys.viewer });
    expect([badDate.status, badDate.body.issues]).toEqual([400, [{ path: ["from"], message: "not an ISO 8601 date (e.g. 2026-12-04T07:00:00Z)", code: "invalid_date" }]]);
    expect(badDate.body.message).toBe("from: not an ISO 8601 date (e.g. 2026-12-04T07:00:00Z)");
    // A day the calendar does not have is not rolled over into the next month.
    expect((await rest("GET", `/relations/questions/rows?from=2026-02-30`, { key: keys.viewer })).body.issues).toEqual([expect.objectContaining({ path: ["from"], code: "invalid_date" })]);
    expect((await rest("GET", `/relations/questions/rows?from=2028-02-29T00:00:00Z`, { key: keys.viewer })).status).toBe(200);
    const first = await rest("GET", `/relations/docs/rows?limit=1`, { key: keys.viewer });
    expect(first.body.items).toHaveLength(1);
    expect((await rest("GET", `/relations/docs/rows?limit=1&cursor=`, { key: keys.viewer })).body).toEqual(first.body);
    expect((await rest("GET", `/relations/docs/rows?limit=1&cursor=null`, { key: keys.viewer })).body).toEqual(first.body);
    const second = await rest("GET", `/relations/docs/rows?limit=1&cursor=${first.body.nextCursor}`, { key: keys.viewer });
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);

    const count = await rest("GET", `/relations/questions/rows/count?filter=${filter}`, { key: keys.viewer });
    expect(count.body).toEqual({ count: 1 });
    // A query too long for a URL: POST with X-HTTP-Method-Override: GET and the input as JSON,
    // the same answer as the GET. Ten filters of 1,000 CJK characters (the schema's limits) are
    // ~90 KB URL-encoded: the GET is refused before it is read (431), the override is not.
    const override = { "x-http-method-override": "GET" };
    const viaPost = await rest("POST", "/relations/questions/rows", { key: keys.viewer, headers: override, body: { filter: [{ field: "topic", op: "eq", value: "news" }], from: new Date(Date.now() - 60_000).toISOString() } });
    expect(viaPost.body).toEqual(filtered.body);
    const long = Array.from({ length: 10 }, (_, i) => ({ field: "text", op: "contains", value: `${"語".repeat(999)}${i}` }));
    expect((await rest("GET", `/relations/questions/rows/count?filter=${encodeURIComponent(JSON.stringify(long))}`, { key: keys.viewer })).status).toBe(431);
    const longCount = await rest("POST", "/relations/questions/rows/count", { key: keys.viewer, headers: override, body: { filter: long } });
    expect(longCount.text).not.toContain("BAD_REQUEST");
    expect([longCount.status, longCount.body.count]).toEqual([200, 0]);
    // Without the header a POST there is still rows.add (a body that is no row is a 400, nothing written).
    expect((await rest("POST", "/relations/questions/rows", { key: keys.viewer, body: { filter: [] } })).status).toBeGreaterThanOrEqual(400);
    const v2 = await rest("GET", "/triggers/qa/versions/2", { key: keys.viewer });
    expect(v2.body).toMatchObject({ trigger: "qa", version: 2, parent: 1, aliases: ["active", "latest"] });
    expect(v2.body.entries.find((e: { key: string }) => e.key === "docs")).toMatchObject({ kind: "json", value: 2, truncated: false });
    expect(v2.body.entries.find((e: { key: string }) => e.key === "vec")).toMatchObject({ kind: "f32", binary: { type: "f32", length: 3 }, preview: null });
    expect((await rest("GET", "/triggers/qa/versions/7", { key: keys.viewer })).status).toBe(404);
    const jsonl = await rest("GET", "/triggers/qa/feedback/export?format=openai-jsonl", { key: keys.viewer });
    expect(jsonl.body).toMatchObject({ format: "openai-jsonl", trigger: "qa", lines: 1, skipped: 0, nextCursor: null });
    expect(JSON.parse(jsonl.body.content.trim()).messages.at(-1)).toEqual({ role: "assistant", content: "nothing" });

    // Roll back to v1, pinned: the next answer comes from v1.
    const rollback = await rest("POST", "/triggers/qa/rollback", { key: keys.admin, body: { version: 1, reason: "regression in v2", pin: true } });
    expect(rollback.status).toBe(200);
    expect(rollback.body).toEqual({ trigger: "qa", from: 2, to: 1, pinned: true, requeuedLabels: 0, migratedFrom: null });
    const trigger = await rest("GET", "/triggers/qa", { key: keys.viewer });
    expect(trigger.body).toMatchObject({ name: "qa", activeVersion: 1, latestVersion: 2, pinned: true });
    const after = await rest("POST", "/relations/questions/rows", { key: keys.labeler, body: { row: { text: "again" } } });
    expect(after.body.inferences.find((i: { trigger: string }) => i.trigger === "qa")).toMatchObject({ stateVersion: 1, output: { docs: 1 } });
    const history = await rest("GET", "/triggers/qa/aliases?alias=active", { key: keys.viewer });
    expect(history.body.items[0]).toMatchObject({ alias: "active", fromVersion: 2, toVersion: 1, actor: "apikey:rest-admin", reason: "regression in v2" });
    const unpin = await rest("POST", "/triggers/qa/unpin", { key: keys.admin, body: {} });
    expect(unpin.body).toEqual({ trigger: "qa", pinned: false });

    // Params: PUT replaces them, validated with the input path.
    const params = await rest("PUT", "/triggers/qa/params", { key: keys.admin, body: { params: { prefix: "Q: " } } });
    expect(params.body).toMatchObject({ trigger: "qa", params: { prefix: "Q: " } });
    const badParams = await rest("PUT", "/triggers/qa/params", { key: keys.admin, body: { params: { prefix: 7 } } });
    expect(badParams.status).toBe(400);
    expect(badParams.body.issues[0].path).toEqual(["params", "prefix"]);

    // Fit runs: a dead-lettered one is retried through REST.
    await rest("POST", "/relations/jobs/rows", { key: keys.labeler, body: { row: { fail: true } } });
    let dead: { id: string }[] = [];
    for (let i = 0; i < 200 && dead.length === 0; i++) {
      dead = (await rest("GET", "/fits?trigger=flaky&deadLettered=true", { key: keys.viewer })).body.items;
      if (dead.length === 0) await new Promise((r) => setTimeout(r, 25));
    }
    expect(dead).toHaveLength(1);
    const run = await rest("GET", `/fits/${dead[0]!.id}`, { key: keys.viewer });
    expect(run.body).toMatchObject({ id: dead[0]!.id, status: "failed", error: expect.stringContaining("planned failure"), rowIds: expect.any(Array) });
    const retried = await rest("POST", `/fits/${dead[0]!.id}/retry`, { key: keys.admin, body: { reason: "try again" } });
    expect(retried.body).toEqual({ id: dead[0]!.id, status: "queued" });
    const relations = await rest("GET", "/relations", { key: keys.viewer });
    expect(relations.body.items.map((r: { name: string }) => r.name)).toEqual(expect.arrayContaining(["questions", "docs", "jobs", "tickets"]));
    expect(relations.body.nextCursor).toBeNull();
    const firstTwo = await rest("GET", "/triggers?limit=2", { key: keys.viewer });
    const rest2 = await rest("GET", `/triggers?limit=2&cursor=${firstTwo.body.nextCursor}`, { key: keys.viewer });
    expect([...firstTwo.body.items, ...rest2.body.items].map((t: { name: string }) => t.name)).toEqual(["qa", "echo", "triage", "flaky"]);
  });

  it("answers every error in one shape: code, readable message, issues with full input paths", async () => {
    const invalid = await rest("POST", "/relations/questions/rows", { key: keys.labeler, body: { row: { text: 5 } } });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toEqual({ code: "BAD_REQUEST", message: expect.stringContaining("text"), issues: [expect.objectContaining({ path: ["row", "text"] })] });

    const batch = await rest("POST", "/relations/questions/rows/batch", { key: keys.labeler, body: { rows: [{ text: "ok" }, { text: "" }] } });
    expect(batch.status).toBe(400);
    expect(batch.body.issues[0].path).toEqual(["rows", 1, "text"]);

    const limit = await rest("GET", "/inferences?limit=abc", { key: keys.viewer });
    expect(limit.status).toBe(400);
    expect(limit.body).toMatchObject({ code: "BAD_REQUEST", issues: [expect.objectContaining({ path: ["limit"] })] });

    const bool = await rest("GET", "/inferences?labeled=maybe", { key: keys.viewer });
    expect(bool.status).toBe(400);
    expect(bool.body.issues[0].path).toEqual(["labeled"]);

    const filter = await rest("GET", "/relations/questions/rows?filter=%5Bnope", { key: keys.viewer });
    expect(filter.status).toBe(400);
    expect(filter.body).toMatchObject({ code: "BAD_REQUEST", issues: [expect.objectContaining({ path: ["filter"] })] });

    const unknown = await rest("GET", "/relations/nope/rows", { key: keys.viewer });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ code: "NOT_FOUND", message: "unknown relation nope", issues: null });

    const json = await rest("POST", "/relations/questions/rows", { key: keys.labeler, raw: "{not json" });
    expect(json.status).toBe(400);
    expect(json.body).toMatchObject({ code: "PARSE_ERROR", issues: null });

    const media = await rest("POST", "/relations/questions/rows", { key: keys.labeler, raw: "row=1", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(media.status).toBe(415);
    expect(media.body.code).toBe("UNSUPPORTED_MEDIA_TYPE");

    const method = await rest("DELETE", "/relations/questions/rows", { key: keys.admin });
    expect(method.status).toBe(405);
    expect(method.headers.get("allow")).toBe("GET, POST");
    expect(method.body.code).toBe("METHOD_NOT_SUPPORTED");

    const route = await rest("GET", "/nowhere", { key: keys.admin });
    expect(route.status).toBe(404);
    expect(route.body).toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining("/api/openapi.json") });

    const version = await rest("POST", "/triggers/qa/rollback", { key: keys.admin, body: { version: 99, reason: "x" } });
    expect(version.status).toBe(404);
    expect(version.body.code).toBe("NOT_FOUND");

    // The body limit holds here too (checked before any operation runs: code and message only).
    const huge = await rest("POST", "/relations/questions/rows", { key: keys.labeler, raw: JSON.stringify({ row: { text: "x".repeat(11 * 1024 * 1024) } }) });
    expect(huge.status).toBe(413);
    expect(huge.body).toMatchObject({ code: "PAYLOAD_TOO_LARGE" });

    // Nothing was written by any of the rejected adds.
    const rows = await rest("GET", "/relations/questions/rows?limit=200", { key: keys.viewer });
    expect(rows.body.items.map((r: { data: { text: unknown } }) => r.data.text)).not.toContain("ok");

    // API answers keep the API's security headers.
    expect(invalid.headers.get("x-content-type-options")).toBe("nosniff");
    expect(invalid.headers.get("cache-control")).toBe("no-store");
  });

  it("the fetch-style entry point serves the same REST answers", async () => {
    const response = await s.api.handle(new Request(`${s.url}/api/v1/inferences?limit=1&labeled=false`, { headers: { authorization: `Bearer ${keys.viewer}` } }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { items: unknown[]; nextCursor: string | null };
    expect(body.items).toHaveLength(1);
    const spec = await s.api.handle(new Request(`${s.url}/api/openapi.json`));
    expect(((await spec.json()) as Document).openapi).toMatch(/^3\.1/);
    const anonymous = await s.api.handle(new Request(`${s.url}/api/v1/relations/questions/rows`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }));
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ code: "UNAUTHORIZED", message: expect.any(String), issues: null });
  });
});

describe("malformed REST requests", () => {
  function prng(seed: number) {
    let x = seed >>> 0;
    return () => {
      x = (x + 0x6d2b79f5) >>> 0;
      let t = Math.imul(x ^ (x >>> 15), x | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const TEXT = ["", " ", "0", "-1", "1e999", "NaN", "true", "True", "null", "[", "{}", "[{}]", '[{"field":"a","op":"eq","value":1}]', "%", "\u0000", "💥", "x".repeat(3_000), "2026-13-45", "__proto__", "qa", "questions"];

  it("random query strings, path values and bodies at every operation: 4xx in the one error shape, never 5xx", async () => {
    const rand = prng(20261204);
    const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
    const value = (depth = 0): unknown => {
      const r = rand();
      if (r < 0.35 || depth > 2) return pick(TEXT);
      if (r < 0.5) return pick([0, -1, 1.5, 2 ** 31, 1e308, -0]);
      if (r < 0.6) return pick([true, false, null]);
      if (r < 0.8) return Array.from({ length: Math.floor(rand() * 3) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(rand() * 3) }, () => [pick(["row", "rows", "label", "version", "reason", "params", "text", "pin", "__proto__"]), value(depth + 1)]));
    };
    const doc = await documentOf();
    const before = (await rest("GET", "/relations", { key: keys.viewer })).body.items as { name: string; rowCount: number }[];
    let sent = 0;
    const added = new Map<string, number>();
    for (const { path, method, op } of operationsOf(doc)) {
      const query = (op.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name);
      for (let i = 0; i < 12; i++) {
        const values: Record<string, string> = {};
        const url = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent((values[name] = pick(TEXT))));
        const search = new URLSearchParams();
        for (const name of [...query, "junk"]) if (rand() < 0.6) search.append(name, pick(TEXT));
        const body = method === "GET" ? undefined : rand() < 0.15 ? pick(["{", "[]", "null", '"x"', "1"]) : JSON.stringify(value());
        const response = await rest(method, `${url}${search.size ? `?${search}` : ""}`, { key: keys.admin, ...(body === undefined ? {} : { raw: body }) });
        sent++;
        const where = `${method} ${url}?${search} ${body?.slice(0, 200) ?? ""} → ${response.status} ${response.text.slice(0, 300)}`;
        expect(response.status, where).toBeLessThan(500);
        if (response.status >= 400) expect(response.body, where).toMatchObject({ code: expect.any(String), message: expect.any(String) });
        // The odd random row is valid: count what was accepted, so nothing else may be stored.
        if (response.status === 200 && op.operationId === "rows.add") added.set(values.relation!, (added.get(values.relation!) ?? 0) + 1);
        if (response.status === 200 && op.operationId === "rows.addMany") added.set(values.relation!, (added.get(values.relation!) ?? 0) + (response.body as unknown[]).length);
      }
    }
    expect(sent).toBe(operationsOf(doc).length * 12);
    // Rejected requests stored nothing.
    const after = (await rest("GET", "/relations", { key: keys.viewer })).body.items as { name: string; rowCount: number }[];
    expect(after.map((r) => [r.name, r.rowCount])).toEqual(before.map((r) => [r.name, r.rowCount + (added.get(r.name) ?? 0)]));
  });
});

describe("operators, keys, version comparison and drift over REST", () => {
  it("an admin creates, demotes, disables and deletes an operator and manages keys; the audit log shows it", async () => {
    const created = await rest("POST", "/users", { key: keys.admin, body: { email: "rest-op@example.com", password: "password-123", role: "labeler" } });
    expect(created.status, created.text).toBe(200);
    const userId = created.body.id as string;
    expect((await rest("GET", "/users?limit=200", { key: keys.admin })).body.items.map((u: { id: string }) => u.id)).toContain(userId);
    expect((await rest("GET", "/users", { key: keys.labeler })).status).toBe(403);
    const demoted = await rest("PUT", `/users/${userId}/role`, { key: keys.admin, body: { role: "viewer", reason: "moved team" } });
    expect(demoted.body).toMatchObject({ id: userId, role: "viewer", previousRole: "labeler" });
    expect((await rest("PUT", `/users/${userId}/password`, { key: keys.admin, body: { password: "short" } })).body.issues[0].path).toEqual(["password"]);
    expect((await rest("PUT", `/users/${userId}/password`, { key: keys.admin, body: { password: "another-password-1" } })).body).toMatchObject({ id: userId, sessionsEnded: 0 });
    expect((await rest("POST", `/users/${userId}/disable`, { key: keys.admin, body: { reason: "left" } })).body).toMatchObject({ id: userId, keysRevoked: 0 });
    expect((await rest("POST", `/users/${userId}/enable`, { key: keys.admin, body: {} })).body).toMatchObject({ id: userId, disabledAt: null });
    expect((await rest("DELETE", `/users/${userId}`, { key: keys.admin, body: { reason: "gone" } })).body).toMatchObject({ id: userId, deleted: true });
    expect((await rest("DELETE", `/users/${userId}`, { key: keys.admin, body: {} })).status).toBe(404);

    const key = await rest("POST", "/api-keys", { key: keys.admin, body: { name: "rest-made", role: "viewer", expiresAt: new Date(Date.now() + 3_600_000).toISOString() } });
    expect(key.body.key).toMatch(/^mk_/);
    expect((await rest("GET", "/me", { key: key.body.key })).body).toMatchObject({ kind: "apiKey", role: "viewer" });
    // The document says what /me can answer: 401 for a key that does not work, 431 like every GET.
    const meResponses = Object.keys((await documentOf()).paths["/me"]!.get!.responses ?? {});
    expect(meResponses).toEqual(expect.arrayContaining(["200", "401", "431"]));
    expect((await rest("GET", "/api-keys?includeRevoked=false", { key: keys.admin })).body.items.map((k: { id: string }) => k.id)).toContain(key.body.id);
    expect((await rest("POST", `/api-keys/${key.body.id}/revoke`, { key: keys.admin, body: {} })).body).toMatchObject({ id: key.body.id });
    // A revoked key is refused everywhere, `/me` included (a script checking its key must not read success).
    const me = await rest("GET", "/me", { key: key.body.key });
    expect([me.status, me.body.code]).toEqual([401, "UNAUTHORIZED"]);
    expect((await rest("GET", "/me")).body).toBeNull(); // no credential: anonymous
    expect((await rest("GET", "/triggers", { key: key.body.key })).status).toBe(401);

    const audit = await rest("GET", "/audit?limit=200", { key: keys.admin });
    const actions = audit.body.items.map((e: { action: string }) => e.action);
    for (const action of ["users.create", "users.setRole", "users.disable", "users.enable", "users.setPassword", "users.delete", "apiKeys.revoke"]) expect(actions, action).toContain(action);
  });

  it("compares versions: outcomes per version and the diff between two", async () => {
    await rest("POST", "/relations/docs/rows", { key: keys.labeler, body: { row: { url: "compare", body: "C" } } });
    let versions: { version: number }[] = [];
    for (let i = 0; i < 200 && versions.length < 2; i++) {
      versions = (await rest("GET", "/triggers/qa/versions", { key: keys.viewer })).body.items;
      if (versions.length < 2) await new Promise((r) => setTimeout(r, 25));
    }
    const [newer, older] = [versions[0]!.version, versions[1]!.version];
    const outcomes = await rest("GET", `/triggers/qa/outcomes?versions=${newer}&versions=${older}`, { key: keys.viewer });
    expect(outcomes.status, outcomes.text).toBe(200);
    expect(outcomes.body.items.map((v: { version: number }) => v.version)).toEqual([newer, older]);
    expect(outcomes.body.items[0]).toMatchObject({ inferences: expect.any(Number), feedback: expect.any(Object) });
    const diff = await rest("GET", `/triggers/qa/diff?from=${newer}&to=${older}`, { key: keys.viewer });
    expect(diff.body).toMatchObject({ trigger: "qa", from: { version: newer }, to: { version: older }, });
    // After the flow's rollback, the newest version may sit on another branch than the older one.
    expect(["back", "across"]).toContain(diff.body.direction);
    expect((await rest("GET", "/triggers/qa/diff?from=0&to=999999", { key: keys.viewer })).status).toBe(404);
    expect((await rest("GET", "/triggers/qa/outcomes?versions=x", { key: keys.viewer })).body.issues[0].path).toEqual(["versions", 0]);
  });

  it("experiments over REST: settings, candidate history and params variants, with 4xx naming the path", async () => {
    const experiment = await rest("GET", "/triggers/qa/experiment", { key: keys.viewer });
    expect(experiment.status, experiment.text).toBe(200);
    expect(experiment.body).toMatchObject({ trigger: "qa", candidate: null, shadow: { share: expect.any(Number) } });
    expect((await rest("PUT", "/triggers/qa/experiment", { key: keys.admin, body: { shadow: { share: 2 } } })).body.issues[0].path).toEqual(["shadow", "share"]);
    expect((await rest("PUT", "/triggers/qa/experiment", { key: keys.labeler, body: { shadow: { share: 0.1 } } })).status).toBe(403);
    expect((await rest("GET", "/triggers/qa/candidate/history", { key: keys.viewer })).body).toMatchObject({ items: expect.any(Array) });
    const added = await rest("POST", "/triggers/qa/variants", { key: keys.admin, body: { name: "rest", params: { prefix: "R: " }, weight: 0.1 } });
    expect(added.status, added.text).toBe(200);
    expect(added.body.variants).toEqual([expect.objectContaining({ name: "rest", params: { prefix: "R: " }, weight: 0.1 })]);
    expect((await rest("POST", "/triggers/qa/variants", { key: keys.admin, body: { name: "rest", params: { prefix: "S: " } } })).body.issues[0].path).toEqual(["name"]);
    expect((await rest("PUT", "/triggers/qa/variants/weights", { key: keys.admin, body: { weights: { rest: 0.2, ghost: 0.1 } } })).body.issues[0].path).toEqual(["weights", "ghost"]);
    const row = await rest("POST", "/relations/questions/rows", { key: keys.labeler, body: { row: { text: "variant?" }, variants: { qa: "rest" } } });
    expect(row.status, row.text).toBe(200);
    expect(row.body.inferences[0]).toMatchObject({ output: { answer: "R: VARIANT?" }, paramsHash: added.body.variants[0].hash });
    expect((await rest("DELETE", "/triggers/qa/variants/rest", { key: keys.admin })).body.variants).toEqual([]);
    expect((await rest("DELETE", "/triggers/qa/variants/rest", { key: keys.admin })).status).toBe(404);
  });

  it("drift: a labeler checks, reads the findings of a flagged partition and releases it; the decision is an event", async () => {
    const days = Array.from({ length: 10 }, (_, i) => new Date(Date.UTC(2024, 4, 1 + i)).toISOString().slice(0, 10));
    const rows = days.flatMap((day, d) => Array.from({ length: 40 }, (_, i) => ({ day, value: (10 + ((i * 7 + d) % 10)) * (d === 8 ? 1000 : 1), sensor: "s" })));
    expect((await rest("POST", "/relations/readings/rows/batch", { key: keys.labeler, body: { rows } })).status).toBe(200);
    await rest("POST", "/relations/readings/rows", { key: keys.labeler, body: { row: { day: new Date().toISOString().slice(0, 10), value: 12 } } });
    expect((await rest("POST", "/drift/readings/check", { key: keys.viewer, body: {} })).status).toBe(403);
    const checked = await rest("POST", "/drift/readings/check", { key: keys.labeler, body: {} });
    expect(checked.status, checked.text).toBe(200);
    const relations = await rest("GET", "/drift", { key: keys.viewer });
    expect(relations.body.find((r: { relation: string }) => r.relation === "readings")).toMatchObject({ profiled: true });
    const alerts = (await rest("GET", "/drift/alerts", { key: keys.viewer })).body.items as { relation: string; partition: string }[];
    const flagged = alerts.find((a) => a.relation === "readings" && a.partition === days[8]);
    expect(flagged, JSON.stringify(alerts)).toBeDefined();
    const profile = await rest("GET", `/drift/readings/partitions/${days[8]}`, { key: keys.viewer });
    expect(profile.body.explanation.join(" ")).toMatch(/value/);
    expect((await rest("GET", `/drift/readings/partitions?from=${days[0]}&to=${days[9]}`, { key: keys.viewer })).body).toHaveLength(10);
    expect((await rest("GET", "/drift/readings/series?column=value&statistic=mean", { key: keys.viewer })).status).toBe(200);
    expect((await rest("GET", "/drift/readings/heatmap", { key: keys.viewer })).body.partitions).toContain(days[8]);
    expect((await rest("POST", `/drift/readings/partitions/${days[8]}/release`, { key: keys.labeler, body: {} })).body.issues[0].path).toEqual(["reason"]);
    const released = await rest("POST", `/drift/readings/partitions/${days[8]}/release`, { key: keys.labeler, body: { reason: "checked: real" } });
    expect(released.status, released.text).toBe(200);
    expect(released.body).toMatchObject({ partition: days[8] });
    const events = await rest("GET", `/drift/readings/events?partition=${days[8]}`, { key: keys.viewer });
    expect(events.body.items[0]).toMatchObject({ action: "release", reason: "checked: real", actor: "apikey:rest-labeler" });
    // Pages over plain HTTP: the cursor of the last page, then nothing.
    const one = await rest("GET", `/drift/readings/events?limit=1`, { key: keys.viewer });
    expect(one.body.items).toHaveLength(1);
    const next = await rest("GET", `/drift/readings/events?limit=1&cursor=${one.body.nextCursor}`, { key: keys.viewer });
    expect(next.body.items[0].id).not.toBe(one.body.items[0].id);
  });
  it("a named review queue worked over plain HTTP: an admin creates it, a labeler takes, completes and skips items, progress follows", async () => {
    const rows = Array.from({ length: 3 }, (_, i) => ({ text: `queue question ${i}`, topic: "queue" }));
    expect((await rest("POST", "/relations/questions/rows/batch", { key: keys.labeler, body: { rows } })).status).toBe(200);
    const body = { name: "rest queue", trigger: "qa", feed: { filter: { text: "queue question" }, maxItems: 10 }, assignees: ["apikey:rest-labeler"] };
    expect((await rest("POST", "/queues", { key: keys.labeler, body })).status).toBe(403);
    const created = await rest("POST", "/queues", { key: keys.admin, body });
    expect(created.status, created.text).toBe(200);
    expect(created.body).toMatchObject({ name: "rest queue", status: "ready", progress: { total: 3, pending: 3, done: 0 } });
    const id = created.body.id as string;
    const mine = await rest("GET", "/queues?mine=true", { key: keys.labeler });
    expect(mine.body.items.map((q: { id: string; assignedToMe: boolean }) => [q.id, q.assignedToMe])).toEqual([[id, true]]);

    const first = await rest("POST", `/queues/${id}/next`, { key: keys.labeler, body: {} });
    expect(first.status, first.text).toBe(200);
    expect(first.body.inference.input.text).toMatch(/^queue question/);
    expect(Date.parse(first.body.lockExpiresAt)).toBeGreaterThan(Date.now());
    const firstId = first.body.inference.id as string;
    // Another caller cannot complete what this labeler holds.
    expect((await rest("POST", `/queues/${id}/items/${firstId}/complete`, { key: keys.admin, body: { label: "good" } })).status).toBe(409);
    const done = await rest("POST", `/queues/${id}/items/${firstId}/complete`, { key: keys.labeler, body: { label: "good", note: "fine" } });
    expect(done.status, done.text).toBe(200);
    expect(done.body.feedbackId).toEqual(expect.any(String));
    const second = await rest("POST", `/queues/${id}/next`, { key: keys.labeler, body: {} });
    expect(second.body.inference.id).not.toBe(firstId);
    expect((await rest("POST", `/queues/${id}/items/${second.body.inference.id}/skip`, { key: keys.labeler, body: {} })).body).toEqual({ skipped: true });
    const progress = await rest("GET", `/queues/${id}`, { key: keys.viewer });
    expect(progress.body.progress).toEqual({ total: 3, pending: 1, done: 1, skipped: 1 });
    const feedback = await rest("GET", `/feedback?inferenceId=${firstId}`, { key: keys.viewer });
    expect(feedback.body.items).toEqual([expect.objectContaining({ label: "good", note: "fine", actor: "apikey:rest-labeler" })]);

    const renamed = await rest("PUT", `/queues/${id}`, { key: keys.admin, body: { name: "renamed" } });
    expect(renamed.body.name).toBe("renamed");
    expect((await rest("POST", "/queues", { key: keys.admin, body: { ...body, feed: { maxItems: 0 } } })).body.issues[0].path).toEqual(["feed", "maxItems"]);
    expect((await rest("DELETE", `/queues/${id}`, { key: keys.admin })).body).toEqual({ deleted: true });
    expect((await rest("GET", `/queues/${id}`, { key: keys.viewer })).status).toBe(404);
  });

  it("the trigger-wide review queue, scores, evaluation, the overview and a cron preview over plain HTTP", async () => {
    expect((await rest("POST", "/relations/questions/rows", { key: keys.labeler, body: { row: { text: "to review", topic: "review" } } })).status).toBe(200);
    // Earlier tests may hold locks of their own: progress is compared with what it was.
    const inProgress = async () => (await rest("GET", "/triggers/qa/review/progress", { key: keys.viewer })).body.inProgress as number;
    const before = await inProgress();
    const next = await rest("POST", "/triggers/qa/review/next", { key: keys.labeler, body: { filter: "unlabeled" } });
    expect(next.status, next.text).toBe(200);
    expect(next.body.inference.trigger).toBe("qa");
    const held = next.body.inference.id as string;
    expect(await inProgress()).toBe(before + 1);
    expect((await rest("POST", `/review/${held}/release`, { key: keys.labeler })).body).toEqual({ released: true });
    expect(await inProgress()).toBe(before);
    expect((await rest("POST", "/triggers/nope/review/next", { key: keys.labeler, body: {} })).status).toBe(404);

    const versions = (await rest("GET", "/triggers/qa/versions", { key: keys.viewer })).body.items as { version: number }[];
    const evaluation = await rest("GET", `/triggers/qa/evaluate?versions=${versions[0]!.version}`, { key: keys.viewer });
    expect(evaluation.status, evaluation.text).toBe(200);
    expect(evaluation.body).toMatchObject({ trigger: "qa", versions: [{ version: versions[0]!.version }] });

    const overview = await rest("GET", "/stats/overview?minutes=5", { key: keys.viewer });
    expect(overview.status, overview.text).toBe(200);
    const qa = overview.body.triggers.find((t: { trigger: string }) => t.trigger === "qa");
    expect(qa.totals.inferences).toBeGreaterThan(0);
    expect(qa.series).toHaveLength(5);

    const preview = await rest("GET", `/schedules/preview?cron=${encodeURIComponent("0 9 * * 1")}&timezone=Europe/Berlin&count=2`, { key: keys.viewer });
    expect(preview.status, preview.text).toBe(200);
    expect(preview.body.next).toHaveLength(2);
    expect(new Date(preview.body.next[0]).getUTCDay()).toBe(1);
    expect((await rest("GET", "/schedules/preview?cron=nonsense", { key: keys.viewer })).status).toBe(400);

    const retried = await rest("POST", "/fits/retry", { key: keys.admin, body: { ids: ["0000000000000000000a"], reason: "try" } });
    expect(retried.status, retried.text).toBe(200);
    expect(retried.body.retried).toEqual([]);
    expect(retried.body.skipped).toHaveLength(1);
  });
});
