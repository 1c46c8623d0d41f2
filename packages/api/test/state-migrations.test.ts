// State migrations over the API: versions list their schema, migration moves show in the alias
// history with their `migration:<n>` actor, `state.migrate` is admin only and refuses an unknown
// migration target with BAD_REQUEST, and a rollback with no migration path is a CONFLICT.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Motion, defineApp, type Trigger } from "@motion/engine";
import { databaseFactories, failure, openEnv, type TestEnv } from "./harness.ts";
import { docs, echo, flaky, jobs, qa, questions, readings, testApp, tickets, triage } from "./fixtures/app.ts";

const factories = await databaseFactories();

const relations = [questions, docs, jobs, tickets, readings];
// Seeded by a deploy whose `echo` state was in schema 3 (newer than the one under test declares).
const seedApp = defineApp({ name: testApp.name, relations, triggers: [qa, { ...echo, stateSchema: 3 } as Trigger, triage, flaky] });
// The deploy under test: qa's state moves to schema 2 (a new key).
const qaV2 = { ...qa, stateSchema: 2, migrations: [{ from: 1, to: 2, migrate: (s: Record<string, unknown>) => ({ ...s, format: "v2" }) }] } as unknown as Trigger;
const migratedApp = defineApp({ name: testApp.name, relations, triggers: [qaV2, echo, triage, flaky] });

describe.each(factories)("state migrations API on %s", (_name, makeDatabase) => {
  let env: TestEnv;
  beforeAll(async () => {
    const db = await makeDatabase();
    const seed = await Motion.open({ app: seedApp, databaseUrl: db.url, fitIn: "inline" });
    for (let n = 0; n < 2; n++) {
      await seed.add("docs", { url: `m-${n}`, body: "b" });
      await seed.flush();
    }
    await seed.close();
    env = await openEnv(() => Promise.resolve(db), { motion: { app: migratedApp } });
  });
  afterAll(async () => env?.close());

  it("lists each version's schema and the migration's alias moves", async () => {
    const { items } = await env.caller("viewer").state.versions({ trigger: "qa" });
    expect(items.map((v) => [v.version, v.schema, v.parent])).toEqual([[3, 2, 2], [2, 1, 1], [1, 1, 0], [0, 1, null]]);
    expect(items[0]!.aliases).toEqual(["active", "latest"]);
    expect((await env.caller("viewer").state.get({ trigger: "qa", version: 3 })).schema).toBe(2);
    const history = await env.caller("viewer").state.aliasHistory({ trigger: "qa", moves: "operator" });
    expect(history.items.filter((e) => e.actor === "migration:2").map((e) => [e.alias, e.fromVersion, e.toVersion]).sort()).toEqual([["active", 2, 3], ["latest", 2, 3]]);
    expect(await env.caller("viewer").state.migrations({ trigger: "qa" })).toEqual({ trigger: "qa", stateSchema: 2, steps: [{ from: 1, to: 2 }] });
  });

  it("state.migrate: admin only, unknown target is BAD_REQUEST, already current migrates nothing", async () => {
    expect((await failure(() => env.caller("viewer").state.migrate({ trigger: "qa", to: 2 }))).code).toBe("FORBIDDEN");
    const unknown = await failure(() => env.caller("admin").state.migrate({ trigger: "qa", to: 7 }));
    expect(unknown.code).toBe("BAD_REQUEST");
    expect(unknown.message).toMatch(/declares no migration to state schema 7: its stateSchema is 2 \(steps 1→2\)/);
    expect((await failure(() => env.caller("admin").state.migrate({ trigger: "qa", to: 0 }))).code).toBe("BAD_REQUEST");
    expect((await failure(() => env.caller("admin").state.migrate({ trigger: "nope", to: 1 }))).code).toBe("NOT_FOUND");
    expect(await env.caller("admin").state.migrate({ trigger: "qa", to: 2 })).toEqual({ trigger: "qa", schema: 2, migrated: false, moves: [] });
  });

  it("a rollback to an older schema migrates on the fly; without a path it is a CONFLICT", async () => {
    const moved = await env.caller("admin").state.rollback({ trigger: "qa", version: 1, reason: "older docs" });
    expect(moved).toMatchObject({ from: 3, to: 4, migratedFrom: 1 });
    expect((await env.caller("viewer").state.get({ trigger: "qa", version: 4 })).entries.find((e) => e.key === "format")?.value).toBe("v2");
    // echo's state is in schema 3, this deploy declares schema 1: no way back.
    const refused = await failure(() => env.caller("admin").state.rollback({ trigger: "echo", version: 0, reason: "try" }));
    expect(refused.code).toBe("CONFLICT");
    expect(refused.message).toMatch(/state version 0 of echo cannot be migrated: it is in schema 3, newer than this deploy's stateSchema 1/);
  });
});
