// Idempotency keys on rows.add / rows.addMany, deleting a row, and downloading a state value —
// against real SQLite and PostgreSQL, including a second process on the same database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { all, get, run } from "@motion/db";
import { Motion } from "@motion/engine";
import { createMotionApi } from "../src/index.ts";
import { testApp } from "./fixtures/app.ts";
import { databaseFactories, openEnv, outcome, SECRET, type PrincipalName, type TestEnv, failure } from "./harness.ts";

const factories = await databaseFactories();

describe.each(factories)("rows surface on %s", (_name, makeDatabase) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await openEnv(makeDatabase);
  });
  afterAll(async () => env?.close());

  const count = async (sql: string, params: unknown[] = []) => Number((await env.motion.db.read(() => get<{ n: unknown }>(sql, params)))!.n);
  const rowsWithText = async (text: string) => {
    const rows = await env.motion.db.read(() => all<{ data: unknown }>(`SELECT "data" FROM "Row" WHERE "relation" = 'tickets'`));
    return rows.filter((r) => JSON.stringify(r.data).includes(text)).length;
  };

  describe("idempotency keys", () => {
    it("a retry with the same key returns the first answer and writes nothing", async () => {
      const labeler = env.caller("labeler");
      const first = await labeler.rows.add({ relation: "tickets", row: { text: "idem once" }, idempotencyKey: "k-1" });
      const retry = await labeler.rows.add({ relation: "tickets", row: { text: "idem once" }, idempotencyKey: "k-1" });
      expect(retry).toEqual(first);
      expect(retry.createdAt).toBeInstanceOf(Date);
      expect(await rowsWithText("idem once")).toBe(1);
      // Key order inside the row does not make it a different request.
      const many = await labeler.rows.addMany({ relation: "questions", rows: [{ text: "q1", topic: "t" }, { text: "q2" }], idempotencyKey: "batch-1" });
      const manyAgain = await labeler.rows.addMany({ relation: "questions", rows: [{ topic: "t", text: "q1" }, { text: "q2" }], idempotencyKey: "batch-1" });
      expect(manyAgain.map((r) => r.id)).toEqual(many.map((r) => r.id));
      expect(await count(`SELECT COUNT(*) AS "n" FROM "Row" WHERE "id" IN (?, ?)`, many.map((r) => r.id))).toBe(2);
    });

    it("a different request under a used key is UNPROCESSABLE_CONTENT with a clear message", async () => {
      const labeler = env.caller("labeler");
      await labeler.rows.add({ relation: "tickets", row: { text: "idem A" }, idempotencyKey: "k-2" });
      const error = await failure(() => labeler.rows.add({ relation: "tickets", row: { text: "idem B" }, idempotencyKey: "k-2" }));
      expect(error.code).toBe("UNPROCESSABLE_CONTENT");
      expect(error.message).toMatch(/^idempotency key "k-2" was already used at .+ for a different request \(rows\.add\); a retry must send the same input, a new request needs a new key$/);
      expect((await failure(() => labeler.rows.addMany({ relation: "tickets", rows: [{ text: "idem A" }], idempotencyKey: "k-2" }))).code).toBe("UNPROCESSABLE_CONTENT");
      expect(await rowsWithText("idem B")).toBe(0);
    });

    it("keys are scoped per caller", async () => {
      const a = await env.caller("labeler").rows.add({ relation: "tickets", row: { text: "idem scoped" }, idempotencyKey: "shared" });
      const b = await env.caller("apikey-labeler").rows.add({ relation: "tickets", row: { text: "idem scoped" }, idempotencyKey: "shared" });
      expect(b.id).not.toBe(a.id);
      expect(await rowsWithText("idem scoped")).toBe(2);
    });

    it("concurrent retries write the rows once and all get the same answer", async () => {
      const labeler = env.caller("apikey-labeler");
      const answers = await Promise.all(Array.from({ length: 6 }, () => labeler.rows.addMany({ relation: "tickets", rows: [{ text: "idem race 1" }, { text: "idem race 2" }], idempotencyKey: "race" })));
      const ids = new Set(answers.map((a) => a.map((r) => r.id).join(",")));
      expect(ids.size).toBe(1);
      expect(await rowsWithText("idem race")).toBe(2);
    });

    it("a failed request stores nothing: the corrected retry under the same key goes through", async () => {
      const labeler = env.caller("labeler");
      expect((await failure(() => labeler.rows.add({ relation: "tickets", row: { text: "" }, idempotencyKey: "fix-me" }))).code).toBe("BAD_REQUEST");
      const fixed = await labeler.rows.add({ relation: "tickets", row: { text: "idem fixed" }, idempotencyKey: "fix-me" });
      expect(fixed.inferences[0]!.output).toEqual({ answer: "triaged: idem fixed" });
      expect((await failure(() => labeler.rows.add({ relation: "tickets", row: { text: "x" }, idempotencyKey: "has space" }))).code).toBe("BAD_REQUEST");
    });

    it("holds across processes on the same database, until the key expires", async () => {
      const first = await env.caller("apikey-labeler").rows.add({ relation: "tickets", row: { text: "idem restart" }, idempotencyKey: "restart" });
      // A second Motion process (as after a restart, or another web process behind a balancer).
      const other = await Motion.open({ app: testApp, databaseUrl: env.db.url, fitIn: "inline" });
      try {
        const api = createMotionApi({ motion: other, baseURL: env.baseURL, secret: SECRET });
        const caller = api.createCaller(new Headers({ authorization: `Bearer ${env.keys.labeler}` }));
        expect((await caller.rows.add({ relation: "tickets", row: { text: "idem restart" }, idempotencyKey: "restart" })).id).toBe(first.id);
        expect(await rowsWithText("idem restart")).toBe(1);
        // Past its expiry (moved in the database) the key is free: the same request is new.
        await env.motion.db.tx(() => run(`UPDATE "IdempotencyKey" SET "expiresAt" = ? WHERE "key" = 'restart'`, [new Date(Date.now() - 1)]));
        const later = await caller.rows.add({ relation: "tickets", row: { text: "idem restart" }, idempotencyKey: "restart" });
        expect(later.id).not.toBe(first.id);
        expect(await rowsWithText("idem restart")).toBe(2);
      } finally {
        await other.close();
      }
    });
  });

  describe("rows.delete", () => {
    it("deletes the row, its inferences, their labels and the feedback rows mirroring them; audited", async () => {
      const added = await env.caller("labeler").rows.add({ relation: "questions", row: { text: "please forget me" } });
      const qa = added.inferences.find((i) => i.trigger === "qa")!;
      const label = await env.caller("labeler").feedback.label({ inferenceId: qa.id, label: "bad", note: "wrong" });
      expect(await count(`SELECT COUNT(*) AS "n" FROM "Row" WHERE "id" = ?`, [label.rowId])).toBe(1);

      expect(await outcome(() => env.caller("labeler").rows.delete({ id: added.id, reason: "removal request" }))).toBe("FORBIDDEN");
      expect((await failure(() => env.caller("admin").rows.delete({ id: added.id } as never))).code).toBe("BAD_REQUEST"); // a reason is required
      const deleted = await env.caller("admin").rows.delete({ id: added.id, reason: "removal request" });
      expect(deleted).toMatchObject({ id: added.id, relation: "questions", rowIds: [added.id, label.rowId], inferences: 2, feedback: 1 });

      expect(await outcome(() => env.caller("viewer").rows.get({ id: added.id }))).toBe("NOT_FOUND");
      expect(await outcome(() => env.caller("viewer").rows.get({ id: label.rowId }))).toBe("NOT_FOUND");
      expect(await count(`SELECT COUNT(*) AS "n" FROM "Inference" WHERE "rowId" = ?`, [added.id])).toBe(0);
      expect(await count(`SELECT COUNT(*) AS "n" FROM "Feedback" WHERE "inferenceId" = ?`, [qa.id])).toBe(0);
      expect((await env.caller("viewer").feedback.list({ inferenceId: qa.id })).items).toEqual([]);
      const [entry] = (await env.caller("admin").audit.list({ action: "rows.delete" })).items;
      expect(entry).toMatchObject({ actor: env.emails.admin, target: added.id, reason: "removal request", data: { relation: "questions", rowIds: [added.id, label.rowId] } });
      expect(await outcome(() => env.caller("admin").rows.delete({ id: added.id, reason: "again" }))).toBe("NOT_FOUND");
    });

    it("a row waiting for a fit is never fitted", async () => {
      const admin = env.caller("admin");
      await env.motion.flush();
      const before = await env.caller("viewer").triggers.get({ trigger: "qa" });
      // Pinned: fits wait, so the row is still pending when it is deleted.
      await admin.state.rollback({ trigger: "qa", version: before.activeVersion!, reason: "hold fits", pin: true });
      const doc = await env.caller("labeler").rows.add({ relation: "docs", row: { url: "secret-doc", body: "do not learn" } });
      expect(await count(`SELECT COUNT(*) AS "n" FROM "PendingRow" WHERE "rowId" = ?`, [doc.id])).toBe(1);
      expect(await admin.rows.delete({ id: doc.id, reason: "uploaded by mistake" })).toMatchObject({ pendingFits: 1, inferences: 0 });
      await admin.state.unpin({ trigger: "qa" });
      await env.motion.flush();
      const after = await env.caller("viewer").triggers.get({ trigger: "qa" });
      expect(after.pendingRows).toBe(0);
      const state = await env.caller("viewer").state.get({ trigger: "qa", version: after.latestVersion! });
      expect(JSON.stringify(state.entries.find((e) => e.key === "titles")!.value)).not.toContain("secret-doc");
    });

    it("deleting a feedback row removes the label it mirrors", async () => {
      const added = await env.caller("labeler").rows.add({ relation: "tickets", row: { text: "label then unlabel" } });
      const label = await env.caller("labeler").feedback.label({ inferenceId: added.inferences[0]!.id, label: "good" });
      await env.caller("admin").rows.delete({ id: label.rowId, reason: "mislabeled" });
      expect((await env.caller("viewer").rows.get({ id: added.id })).inferences[0]!.feedback).toEqual([]);
    });
  });

  describe("rows.purge", () => {
    it("deletes a relation's rows stored before a time, with their inferences and labels; admin only, audited", async () => {
      const old = await env.caller("labeler").rows.addMany({ relation: "tickets", rows: [{ text: "purge me 1" }, { text: "purge me 2" }] });
      await env.caller("labeler").feedback.label({ inferenceId: old[0]!.inferences[0]!.id, label: "bad" });
      await new Promise((resolve) => setTimeout(resolve, 20));
      const before = new Date();
      await new Promise((resolve) => setTimeout(resolve, 20));
      const kept = await env.caller("labeler").rows.add({ relation: "tickets", row: { text: "keep me" } });
      const admin = env.caller("admin");

      expect(await outcome(() => env.caller("labeler").rows.purge({ relation: "tickets", before, reason: "policy" }))).toBe("FORBIDDEN");
      const bad = await failure(() => admin.rows.purge({ relation: "tickets", before: "yesterday", reason: "policy" } as never));
      expect(bad.code).toBe("BAD_REQUEST");
      expect(bad.message).toContain("before");
      expect(await outcome(() => admin.rows.purge({ relation: "nope", before, reason: "policy" }))).toBe("NOT_FOUND");
      expect(await outcome(() => admin.rows.purge({ relation: "tickets", before: new Date(Date.now() + 3_600_000), reason: "policy" }))).toBe("BAD_REQUEST");
      expect(await rowsWithText("purge me")).toBe(2);

      const report = await admin.rows.purge({ relation: "tickets", before, reason: "30-day policy, first run" });
      expect(report).toMatchObject({ relation: "tickets", done: true, keptPending: 0, feedback: 1 });
      expect(report.rows).toBeGreaterThanOrEqual(3); // the two, the label's feedback row, and earlier tests' tickets
      expect(await rowsWithText("purge me")).toBe(0);
      expect(await rowsWithText("keep me")).toBe(1);
      expect(await count(`SELECT COUNT(*) AS n FROM "Row" WHERE "relation" = 'tickets' AND "id" <> ?`, [kept.id])).toBe(0);
      const entries = (await admin.audit.list({ action: "rows.retention" })).items;
      expect(entries.length).toBeGreaterThanOrEqual(1);
      expect(entries.every((e) => e.actor === env.emails.admin && e.reason === "30-day policy, first run")).toBe(true);
    });
  });

  describe("GET /api/state/<trigger>/<version>/<key>", () => {
    const download = (who: PrincipalName, path: string, method = "GET") => env.api.handle(new Request(`${env.baseURL}/api/state/${path}`, { method, headers: env.headers[who] }));

    it("returns a binary value as its bytes and a JSON value as JSON, at a version or an alias", async () => {
      await env.caller("labeler").rows.add({ relation: "docs", row: { url: "download-me", body: "b" } });
      await env.motion.flush();
      const { activeVersion } = await env.caller("viewer").triggers.get({ trigger: "qa" });

      const vec = await download("apikey-viewer", `qa/${activeVersion}/vec`);
      expect(vec.status).toBe(200);
      expect(vec.headers.get("content-type")).toBe("application/octet-stream");
      expect(vec.headers.get("x-motion-value-kind")).toBe("f32");
      expect(vec.headers.get("x-motion-value-length")).toBe("3");
      expect(vec.headers.get("x-motion-version")).toBe(String(activeVersion));
      expect(vec.headers.get("content-disposition")).toContain(`qa-v${activeVersion}-vec.bin`);
      const floats = new Float32Array(await vec.arrayBuffer());
      const current = await env.motion.db.read(() => get<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "Row" WHERE "relation" = 'docs'`));
      expect(floats[0]).toBe(Number(current!.n));

      const titles = await download("viewer", "qa/active/titles");
      expect(titles.headers.get("content-type")).toBe("application/json; charset=utf-8");
      expect(await titles.json()).toContain("download-me");
      const etag = titles.headers.get("etag")!;
      expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
      // A client that holds the value already (its ETag) gets 304 and no body; a stale tag gets the value.
      const withTag = (tag: string) => {
        const headers = new Headers(env.headers.viewer);
        headers.set("if-none-match", tag);
        return env.api.handle(new Request(`${env.baseURL}/api/state/qa/active/titles`, { headers }));
      };
      const cached = await withTag(`"stale", ${etag}`);
      expect([cached.status, await cached.text(), cached.headers.get("etag")]).toEqual([304, "", etag]);
      const stale = await withTag(`"${"0".repeat(64)}"`);
      expect(stale.status).toBe(200);
      expect(await stale.json()).toContain("download-me");

      const v0 = await download("viewer", "qa/0/docs");
      expect(await v0.json()).toBe(0);
      const head = await download("viewer", "qa/latest/vec", "HEAD");
      expect(head.status).toBe(200);
      expect(head.headers.get("content-length")).toBe("12");
    });

    it("needs a viewer; unknown trigger, version or key is 404; a malformed path is 400", async () => {
      expect((await download("anonymous", "qa/0/docs")).status).toBe(401);
      expect(await (await download("anonymous", "qa/0/docs")).json()).toMatchObject({ code: "UNAUTHORIZED" });
      expect((await download("labeler", "qa/0/docs")).status).toBe(200);
      expect((await download("viewer", "nope/0/docs")).status).toBe(404);
      expect((await download("viewer", "qa/999999/docs")).status).toBe(404);
      const missing = await download("viewer", "qa/0/nothing");
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { message: string }).message).toBe('state version 0 of qa has no key "nothing"');
      expect((await download("viewer", "qa/v1/docs")).status).toBe(400);
      expect((await download("viewer", "qa/0")).status).toBe(400);
      const posted = await download("viewer", "qa/0/docs", "POST");
      expect([posted.status, posted.headers.get("allow")]).toEqual([405, "GET, HEAD"]);
      expect((await download("viewer", "echo/latest/greeting")).status).toBe(200);
    });
  });
});
