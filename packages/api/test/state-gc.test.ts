// State GC over the API: admin only, 4xx naming the bad field, collected versions marked in the
// listing, and a collected version refused (rollback, diff, download) with CONFLICT.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseFactories, failure, openEnv, type TestEnv } from "./harness.ts";

const factories = await databaseFactories();

describe.each(factories)("state GC API on %s", (_name, makeDatabase) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await openEnv(makeDatabase);
    for (let n = 0; n < 4; n++) {
      await env.caller("labeler").rows.add({ relation: "docs", row: { url: `gc-${n}`, body: "b" } });
      await env.motion.flush();
    }
  });
  afterAll(async () => env?.close());

  it("refuses bad input and non-admins", async () => {
    const bad = await failure(() => env.caller("admin").state.collect({ trigger: "qa", keepVersions: -1 }));
    expect(bad.code).toBe("BAD_REQUEST");
    expect(bad.message).toContain("keepVersions");
    // qa declares no retention.keepVersions: the operator must give one.
    const none = await failure(() => env.caller("admin").state.collect({ trigger: "qa" }));
    expect(none.code).toBe("BAD_REQUEST");
    expect(none.message).toContain("keepVersions");
    expect((await failure(() => env.caller("admin").state.collect({ trigger: "nope", keepVersions: 1 }))).code).toBe("NOT_FOUND");
    expect((await failure(() => env.caller("viewer").state.collect({ trigger: "qa", keepVersions: 1 }))).code).toBe("FORBIDDEN");
  });

  it("collects, lists collected versions and refuses to load them", async () => {
    const [report] = await env.caller("admin").state.collect({ trigger: "qa", keepVersions: 2, reason: "free space" });
    expect(report).toMatchObject({ trigger: "qa", keepVersions: 2, versions: 3 });
    expect(report!.bytes).toBeGreaterThan(0);
    const { items } = await env.caller("viewer").state.versions({ trigger: "qa" });
    expect(items.filter((v) => v.collectedAt !== null).map((v) => v.version)).toEqual([2, 1, 0]);
    const one = await env.caller("viewer").state.get({ trigger: "qa", version: 1 });
    expect(one.collectedAt).toBeInstanceOf(Date);
    const rollback = await failure(() => env.caller("admin").state.rollback({ trigger: "qa", version: 1, reason: "try" }));
    expect(rollback.code).toBe("CONFLICT");
    expect(rollback.message).toMatch(/garbage-collected/);
    expect((await failure(() => env.caller("viewer").state.diff({ trigger: "qa", from: 1, to: 4 }))).code).toBe("CONFLICT");
    const download = await env.api.handle(new Request(`${env.baseURL}/api/state/qa/1/vec`, { headers: env.headers.viewer }));
    expect(download.status).toBe(409);
    expect((await env.api.handle(new Request(`${env.baseURL}/api/state/qa/4/vec`, { headers: env.headers.viewer }))).status).toBe(200);
  });
});
