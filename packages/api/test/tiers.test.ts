// Every procedure × every kind of caller: allowed, or UNAUTHORIZED (no identity) / FORBIDDEN
// (identity without the role). The table below is the contract; a procedure missing from it,
// or without meta.tier, fails this file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter, TIERS, type Tier } from "../src/index.ts";
import { databaseFactories, openEnv, outcome, PRINCIPALS, procedureAt, type PrincipalName, type TestEnv } from "./harness.ts";

export const EXPECTED_TIERS: Record<string, Tier> = {
  health: "public",
  "auth.me": "public",
  "relations.list": "viewer",
  "rows.list": "viewer",
  "rows.count": "viewer",
  "rows.get": "viewer",
  "rows.add": "labeler",
  "rows.addMany": "labeler",
  "rows.delete": "admin",
  "rows.purge": "admin",
  "inferences.list": "viewer",
  "inferences.get": "viewer",
  "feedback.label": "labeler",
  "feedback.list": "viewer",
  "feedback.export": "viewer",
  "review.next": "labeler",
  "review.release": "labeler",
  "review.progress": "viewer",
  "feedback.score": "labeler",
  "queues.list": "viewer",
  "queues.get": "viewer",
  "queues.create": "admin",
  "queues.update": "admin",
  "queues.assignItem": "admin",
  "queues.delete": "admin",
  "queues.next": "labeler",
  "queues.complete": "labeler",
  "queues.skip": "labeler",
  "triggers.list": "viewer",
  "triggers.get": "viewer",
  "triggers.idle": "viewer",
  "triggers.correctionOptions": "viewer",
  "triggers.setParams": "admin",
  "state.versions": "viewer",
  "state.get": "viewer",
  "state.outcomes": "viewer",
  "state.outcomesOverTime": "viewer",
  "state.diff": "viewer",
  "state.evaluate": "viewer",
  "state.rollback": "admin",
  "state.unpin": "admin",
  "state.collect": "admin",
  "state.migrations": "viewer",
  "state.migrate": "admin",
  "state.aliasHistory": "viewer",
  "experiments.get": "viewer",
  "experiments.setCandidate": "admin",
  "experiments.settings": "admin",
  "experiments.promote": "admin",
  "experiments.abort": "admin",
  "experiments.evaluate": "admin",
  "experiments.shadowRows": "viewer",
  "experiments.shadowSummary": "viewer",
  "experiments.history": "viewer",
  "experiments.variants": "viewer",
  "experiments.addVariant": "admin",
  "experiments.setVariantWeights": "admin",
  "experiments.removeVariant": "admin",
  "state.onVersion": "viewer",
  "fits.list": "viewer",
  "fits.get": "viewer",
  "fits.backlog": "viewer",
  "fits.onIdle": "viewer",
  "fits.retry": "admin",
  "fits.retryMany": "admin",
  "schedules.list": "viewer",
  "schedules.history": "viewer",
  "schedules.preview": "viewer",
  "schedules.runNow": "admin",
  "stats.overview": "viewer",
  "drift.relations": "viewer",
  "drift.partitions": "viewer",
  "drift.profile": "viewer",
  "drift.series": "viewer",
  "drift.heatmap": "viewer",
  "drift.events": "viewer",
  "drift.alerts": "viewer",
  "drift.check": "labeler",
  "drift.release": "labeler",
  "drift.drop": "labeler",
  "drift.markValid": "labeler",
  "users.list": "admin",
  "users.create": "admin",
  "users.setRole": "admin",
  "users.disable": "admin",
  "users.enable": "admin",
  "users.delete": "admin",
  "users.setPassword": "admin",
  "apiKeys.list": "admin",
  "apiKeys.create": "admin",
  "apiKeys.revoke": "admin",
  "audit.list": "admin",
};

const ROLE_OF: Record<PrincipalName, "viewer" | "labeler" | "admin" | null> = {
  anonymous: null,
  viewer: "viewer",
  labeler: "labeler",
  admin: "admin",
  "apikey-viewer": "viewer",
  "apikey-labeler": "labeler",
  "apikey-admin": "admin",
};
const RANK = { public: 0, viewer: 1, labeler: 2, admin: 3 } as const;

function expected(tier: Tier, who: PrincipalName): "allowed" | "UNAUTHORIZED" | "FORBIDDEN" {
  if (tier === "public") return "allowed";
  const role = ROLE_OF[who];
  if (!role) return "UNAUTHORIZED";
  return RANK[role] >= RANK[tier] ? "allowed" : "FORBIDDEN";
}

// At runtime `_def.procedures` is flat: { "rows.list": procedure, ... }.
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { meta?: { tier?: Tier } } }>);

describe("procedure tiers", () => {
  it("every procedure declares a tier, and the table above lists exactly the router's procedures", () => {
    const missing = procedures.filter(([, p]) => !p._def.meta?.tier || !TIERS.includes(p._def.meta.tier)).map(([path]) => path);
    expect(missing, "procedures without meta.tier").toEqual([]);
    const actual = Object.fromEntries(procedures.map(([path, p]) => [path, p._def.meta!.tier]));
    expect(actual).toEqual(EXPECTED_TIERS);
  });
});

const factories = await databaseFactories();

describe.each(factories)("tier matrix on %s", (_name, makeDatabase) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await openEnv(makeDatabase);
  });
  afterAll(async () => env?.close());

  it("allows or denies every procedure for every caller", async () => {
    const rows: string[] = [];
    for (const who of PRINCIPALS) {
      const caller = env.caller(who);
      for (const [path, procedure] of procedures) {
        const tier = procedure._def.meta!.tier!;
        // No input: allowed calls end in BAD_REQUEST (or succeed); the guard runs before input parsing.
        const got = await outcome(() => procedureAt(caller, path)(undefined));
        const want = expected(tier, who);
        const verdict = got === "UNAUTHORIZED" || got === "FORBIDDEN" ? got : got === "INTERNAL_SERVER_ERROR" || got.startsWith("THREW") ? `BROKEN ${got}` : "allowed";
        if (verdict !== want) rows.push(`${path} as ${who}: expected ${want}, got ${got}`);
      }
    }
    expect(rows).toEqual([]);
  });

  it("refuses revoked, unknown and malformed credentials as UNAUTHORIZED", async () => {
    const admin = env.caller("admin");
    const { id, key } = await admin.apiKeys.create({ name: "short-lived", role: "admin" });
    // A caller is one request: identity is resolved once per caller.
    const withKey = () => env.api.createCaller(new Headers({ authorization: `Bearer ${key}` }));
    expect(await outcome(() => withKey().triggers.list())).toBe("OK");
    await admin.apiKeys.revoke({ id, reason: "test" });
    expect(await outcome(() => withKey().triggers.list())).toBe("UNAUTHORIZED");
    for (const authorization of [`Bearer mk_${"x".repeat(43)}`, "Bearer nonsense", "Basic YWRtaW46YWRtaW4=", `Bearer ${key}x`]) {
      expect(await outcome(() => env.api.createCaller(new Headers({ authorization })).triggers.list()), authorization).toBe("UNAUTHORIZED");
    }
    expect(await outcome(() => env.api.createCaller(new Headers({ cookie: "motion.session_token=forged.value" })).triggers.list())).toBe("UNAUTHORIZED");
  });

  it("takes identity only from credentials, never from input", async () => {
    const viewer = env.caller("viewer");
    // Extra keys are stripped by zod; a viewer stays a viewer.
    expect(await outcome(() => viewer.users.list())).toBe("FORBIDDEN");
    const labeled = await env.caller("labeler").rows.add({ relation: "tickets", row: { text: "who am i" } });
    await env.caller("apikey-labeler").feedback.label({ inferenceId: labeled.inferences[0]!.id, label: "good", actor: "admin@example.com" } as never);
    const [fb] = (await env.caller("viewer").feedback.list({ inferenceId: labeled.inferences[0]!.id })).items;
    expect(fb!.actor).toBe("apikey:labeler-key");
  });
});
