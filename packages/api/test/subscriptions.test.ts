// Subscriptions over server-sent events through Motion's own Node server, with the typed
// client: alias moves as they happen (a fit's new version, a rollback), resumed after a
// Last-Event-ID, fits going idle, the viewer tier, and server close ending open streams. On
// PostgreSQL the version is made by a second process (a worker) and reaches the API's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabases } from "@motion/db/test-support";
import { Motion } from "@motion/engine";
import { createMotionClient, type MotionClient } from "../src/client.ts";
import { testApp } from "./fixtures/app.ts";
import { openServer, type TestServer } from "./server-harness.ts";

const factories = await testDatabases("motion_api_sse");

/** Collects a subscription's events; `next(n)` waits until n have come. */
function collect<T>(subscribe: (handlers: { onData: (d: T) => void; onError: (e: unknown) => void }) => { unsubscribe(): void }) {
  const events: T[] = [];
  const errors: unknown[] = [];
  const sub = subscribe({ onData: (d) => events.push(d), onError: (e) => errors.push(e) });
  const until = async (ok: () => boolean, what: string, ms = 15_000) => {
    const end = Date.now() + ms;
    while (!ok()) {
      if (errors.length) throw errors[0];
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(events)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { events, errors, until, stop: () => sub.unsubscribe() };
}

type Move = { id: string; alias: string; toVersion: number; actor: string };

describe.each(factories)("subscriptions over SSE (%s)", (dialect, makeDatabase) => {
  let s: TestServer;
  let worker: Motion | null = null;
  let admin: MotionClient;
  let viewer: MotionClient;
  beforeAll(async () => {
    // PostgreSQL: the API process runs no fits; a separate worker process commits the versions.
    const crossProcess = dialect === "postgresql";
    s = await openServer({ makeDatabase, motion: crossProcess ? { runFits: false } : {}, api: { subscriptionPollMs: crossProcess ? 60_000 : 1000 } });
    if (crossProcess) worker = await Motion.open({ app: testApp, databaseUrl: s.db.url, fitIn: "inline" });
    const key = await s.adminKey();
    admin = createMotionClient({ url: s.url, apiKey: key });
    const { key: viewerKey } = await admin.apiKeys.create.mutate({ name: "watcher", role: "viewer" });
    viewer = createMotionClient({ url: s.url, apiKey: viewerKey });
  });
  afterAll(async () => {
    await worker?.close();
    await s?.close();
  });

  it("state.onVersion: each new version and rollback as it happens, resumable by Last-Event-ID", async () => {
    const sub = collect<{ id: string; data: Move }>((h) => viewer.state.onVersion.subscribe({ trigger: "qa" }, h));
    // Give the stream time to open before anything moves (only moves from now on are sent).
    await new Promise((r) => setTimeout(r, 300));
    await admin.rows.add.mutate({ relation: "docs", row: { url: "a", body: "x" } });
    await sub.until(() => sub.events.some((e) => e.data.alias === "active" && e.data.toVersion === 1), "version 1");
    await admin.state.rollback.mutate({ trigger: "qa", version: 0, reason: "test", pin: true });
    await sub.until(() => sub.events.some((e) => e.data.alias === "active" && e.data.toVersion === 0 && e.data.actor !== "setUp"), "the rollback");
    sub.stop();
    const moves = sub.events.map((e) => `${e.data.alias}:${e.data.toVersion}`);
    expect(moves).toEqual(["latest:1", "active:1", "active:0"].filter((m) => moves.includes(m)));
    expect(new Set(sub.events.map((e) => e.id)).size).toBe(sub.events.length);
    expect(sub.events.every((e) => e.id === e.data.id)).toBe(true);

    // Resume after the first event: the rest again, nothing before it.
    const first = sub.events[0]!.id;
    const resumed = collect<{ id: string; data: Move }>((h) => viewer.state.onVersion.subscribe({ trigger: "qa", lastEventId: first }, h));
    await resumed.until(() => resumed.events.length >= sub.events.length - 1, "the replay");
    resumed.stop();
    expect(resumed.events.map((e) => e.id)).toEqual(sub.events.slice(1).map((e) => e.id));
    await admin.state.unpin.mutate({ trigger: "qa" });
  });

  it("fits.onIdle: at once when idle, then when a busy spell ends", async () => {
    const sub = collect<{ idle: true; at: Date; triggers: { trigger: string; pending: number; running: number }[] }>((h) => viewer.fits.onIdle.subscribe({ trigger: "qa" }, h));
    await sub.until(() => sub.events.length === 1, "the first idle");
    await admin.rows.addMany.mutate({ relation: "docs", rows: [{ url: "b", body: "y" }, { url: "c", body: "z" }] });
    // One fit per row (batchSize 1): each commit ends a busy spell, so an idle event follows the last one.
    let newest: { version: number; createdAt: Date } | undefined;
    await sub.until(() => {
      void admin.state.versions.query({ trigger: "qa" }).then(({ items }) => (newest = items[0]));
      return newest !== undefined && newest.version >= 3 && sub.events.some((e) => e.at.getTime() >= newest!.createdAt.getTime());
    }, "idle after the fits");
    sub.stop();
    expect(sub.events.at(-1)!.triggers).toEqual([expect.objectContaining({ trigger: "qa", pending: 0, running: 0, idle: true })]);
  });

  it("fits.onIdle: twenty subscribers (sharing reads of the activity) each hear the end of a busy spell", async () => {
    const subs = Array.from({ length: 20 }, () => collect<{ idle: true; at: Date }>((h) => viewer.fits.onIdle.subscribe({ trigger: "qa" }, h)));
    for (const sub of subs) await sub.until(() => sub.events.length >= 1, "the first idle");
    const before = Date.now();
    await admin.rows.add.mutate({ relation: "docs", row: { url: "many", body: "m" } });
    for (const sub of subs) await sub.until(() => sub.events.some((e) => e.at.getTime() >= before), "idle after the fit");
    for (const sub of subs) sub.stop();
  });

  it("needs a viewer: an anonymous subscriber gets UNAUTHORIZED, an unknown trigger NOT_FOUND", async () => {
    const raw = await fetch(`${s.url}/api/trpc/state.onVersion?input=${encodeURIComponent(JSON.stringify({ json: { trigger: "qa" } }))}`, { headers: { accept: "text/event-stream" } });
    const text = await raw.text();
    // The stream opens, then carries the error in the usual shape and ends.
    expect(raw.headers.get("content-type")).toContain("text/event-stream");
    expect(text).toMatch(/event: serialized-error\ndata: .*"code":"UNAUTHORIZED"/);
    const anonymous = createMotionClient({ url: s.url });
    const denied = collect((h) => anonymous.fits.onIdle.subscribe({}, h));
    await expect(denied.until(() => false, "an error", 5_000)).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
    denied.stop();
    const unknown = collect((h) => viewer.state.onVersion.subscribe({ trigger: "nope" }, h));
    await expect(unknown.until(() => false, "an error", 5_000)).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
    unknown.stop();
  });

  it("taking access away ends that caller's open streams at once (a revoked key, a disabled user); others' stay open", async () => {
    const { key: doomedKey, id: doomedId } = await admin.apiKeys.create.mutate({ name: "doomed", role: "viewer" });
    const doomed = createMotionClient({ url: s.url, apiKey: doomedKey });
    const user = await admin.users.create.mutate({ email: "leaving@example.com", password: "leaving-password", role: "viewer" });
    const leaving = createMotionClient({ url: s.url, headers: { cookie: await s.signIn("leaving@example.com", "leaving-password") } });

    const byKey = collect<{ id: string; data: Move }>((h) => doomed.state.onVersion.subscribe({ trigger: "qa" }, h));
    const byCookie = collect<{ idle: true }>((h) => leaving.fits.onIdle.subscribe({ trigger: "qa" }, h));
    const bystander = collect<{ id: string; data: Move }>((h) => viewer.state.onVersion.subscribe({ trigger: "qa" }, h));
    await byCookie.until(() => byCookie.events.length === 1, "the first idle");
    await new Promise((r) => setTimeout(r, 300)); // the version streams are open

    // Well inside the periodic re-check (5 s): the revocation itself ends the stream.
    await admin.apiKeys.revoke.mutate({ id: doomedId, reason: "offboarding" });
    await expect(byKey.until(() => false, "the key's stream to end", 3_000)).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
    await admin.users.disable.mutate({ userId: user.id, reason: "offboarding" });
    await expect(byCookie.until(() => false, "the user's stream to end", 3_000)).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });

    // Nothing more reaches them; a caller whose access stands still hears the next move.
    const heardBefore = byKey.events.length;
    await admin.state.rollback.mutate({ trigger: "qa", version: 0, reason: "after offboarding", pin: true });
    await bystander.until(() => bystander.events.some((e) => e.data.actor !== "setUp" && e.data.alias === "active" && e.data.toVersion === 0), "the rollback");
    expect(bystander.errors).toEqual([]);
    expect(byKey.events).toHaveLength(heardBefore);
    for (const sub of [byKey, byCookie, bystander]) sub.stop();
    await admin.state.unpin.mutate({ trigger: "qa" });
  });

  it("curl-style: a plain GET with Accept: text/event-stream streams events; closing the server ends the stream", async () => {
    const key = await s.adminKey();
    const response = await fetch(`${s.url}/api/trpc/fits.onIdle?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`, {
      headers: { accept: "text/event-stream", authorization: `Bearer ${key}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = response.body!.getReader();
    let text = "";
    while (!text.includes('"idle":true')) text += new TextDecoder().decode((await reader.read()).value);
    const started = Date.now();
    const closed = new Promise((resolve) => s.server.close(resolve));
    for (;;) if ((await reader.read()).done) break;
    // The stream ends at once; close() itself completes when clients drop their idle keep-alive sockets.
    expect(Date.now() - started).toBeLessThan(3_000);
    await closed;
    // The harness's close() closes it again: listen on a fresh port is not needed for that.
    s.server.listen = (() => s.server) as never;
  });
});
