// The drift procedures against the real engine and database: reads, decisions with the actor
// from the session, reasons required, 400 with the input path, 404 for unknown names, 409 for a
// decision that does not apply.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { all } from "@motion/db";
import { testDatabases } from "@motion/db/test-support";
import { appRouter } from "../src/index.ts";
import { openEnv, outcome, type TestEnv, failure } from "./harness.ts";

const factories = await testDatabases("driftui_api");

const DAYS = Array.from({ length: 12 }, (_, i) => new Date(Date.UTC(2024, 4, 1 + i)).toISOString().slice(0, 10));
const UNIT_CHANGE = DAYS[8]!; // values in milli-units: the mean rises a thousandfold
const SENSOR_GONE = DAYS[10]!; // half the rows lose their sensor: coverage falls
/** Today's partition is still open (its period has not ended): profiled, not judged. */
const TODAY = new Date().toISOString().slice(0, 10);

/** 120 readings a day around 20, from three sensors; two days broken. Deterministic. */
function readingsOf(day: string, d: number) {
  let s = (d + 1) * 2654435761;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return Array.from({ length: 120 }, (_, i) => {
    const value = Math.round((15 + 10 * rand()) * 100) / 100;
    const sensor = ["north", "south", "east"][Math.floor(rand() * 3)]!;
    if (day === UNIT_CHANGE) return { day, value: value * 1000, sensor };
    if (day === SENSOR_GONE && i % 2 === 0) return { day, value };
    return { day, value, sensor };
  });
}

/** The code and the issue paths the client sees (through the router's error formatter). */
async function rejected(call: () => Promise<unknown>) {
  const error = await failure(call);
  const { errorFormatter } = appRouter._def._config;
  const shape = errorFormatter({ error, shape: { message: error.message, code: -32600, data: { code: error.code, httpStatus: 400 } }, type: "query", path: "x", input: undefined, ctx: undefined } as never) as { data: { issues: { path: (string | number)[] }[] | null } };
  return { code: error.code, paths: (shape.data.issues ?? []).map((i) => i.path.join(".")) };
}

describe.each(factories)("drift procedures on %s", (_name, makeDatabase) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await openEnv(makeDatabase);
    const rows = DAYS.flatMap(readingsOf);
    for (let i = 0; i < rows.length; i += 1000) await env.caller("labeler").rows.addMany({ relation: "readings", rows: rows.slice(i, i + 1000) });
    await env.caller("labeler").rows.addMany({ relation: "readings", rows: readingsOf(TODAY, 99).slice(0, 20) });
    // Past days are closed (a later partition has rows, and their day has ended): check judges them.
    await env.caller("labeler").drift.check({ relation: "readings" });
  });
  afterAll(async () => env?.close());

  it("reads verdicts, heatmap, series, profile, events and alerts as a viewer", async () => {
    const viewer = env.caller("viewer");
    const summary = (await viewer.drift.relations()).find((r) => r.relation === "readings");
    expect(summary).toMatchObject({ relation: "readings", granularity: "day", profiled: true, partitions: 13, open: 2, held: 0, lastPartition: TODAY });

    const partitions = await viewer.drift.partitions({ relation: "readings" });
    expect(partitions.map((p) => p.partition)).toEqual([...DAYS, TODAY]);
    expect(partitions.slice(0, 5).every((p) => p.status === "insufficient-history")).toBe(true);
    expect(partitions.filter((p) => p.status === "drift").map((p) => p.partition)).toEqual([UNIT_CHANGE, SENSOR_GONE]);
    expect(partitions.find((p) => p.partition === UNIT_CHANGE)!.columns[0]).toMatchObject({ column: "value" });
    expect(partitions.find((p) => p.partition === SENSOR_GONE)!.columns[0]).toMatchObject({ column: "sensor", statistic: "coverage" });
    expect(partitions.at(-1)!.status).toBe("open");
    // A range is inclusive at both ends.
    expect((await viewer.drift.partitions({ relation: "readings", from: DAYS[2], to: DAYS[4] })).map((p) => p.partition)).toEqual(DAYS.slice(2, 5));

    const heatmap = await viewer.drift.heatmap({ relation: "readings" });
    expect(heatmap.columns).toEqual(expect.arrayContaining(["day", "sensor", "value"]));
    expect(heatmap.partitions).toEqual(DAYS);
    const cell = heatmap.cells[heatmap.columns.indexOf("value") * heatmap.partitions.length + 8]!;
    expect(cell).toMatchObject({ column: "value", partition: UNIT_CHANGE });
    expect(cell.z!).toBeGreaterThanOrEqual(7);
    expect(heatmap.max).toBeGreaterThanOrEqual(cell.z!);

    const series = await viewer.drift.series({ relation: "readings", column: "value", statistic: "mean" });
    expect(series.map((p) => p.partition)).toEqual([...DAYS, TODAY]);
    const broken = series[8]!;
    expect(broken.flagged).toBe(true);
    expect(broken.value!).toBeGreaterThan(broken.high!);
    expect(series[7]!.flagged).toBe(false);
    expect(series[7]!.low!).toBeLessThan(series[7]!.value!);
    expect((await viewer.drift.series({ relation: "readings", column: "value", statistic: "mean", from: DAYS[8], to: DAYS[11] })).map((p) => p.partition)).toEqual(DAYS.slice(8));

    const view = await viewer.drift.profile({ relation: "readings", partition: UNIT_CHANGE });
    expect(view).toMatchObject({ relation: "readings", partition: UNIT_CHANGE, rows: 120, verdict: { status: "drift", valid: false } });
    expect(view.explanation[0]).toMatch(/^value: .+ rose from .+ to .+, z = /);
    expect(view.findings.length).toBeGreaterThan(view.explanation.length);
    // The still-open newest partition has a profile but no verdict.
    expect(await viewer.drift.profile({ relation: "readings", partition: TODAY })).toMatchObject({ rows: 20, verdict: null, explanation: [] });

    const { items: events, nextCursor: noMoreEvents } = await viewer.drift.events({ relation: "readings" });
    expect(noMoreEvents).toBeNull();
    expect(events.map((e) => [e.action, e.partition, e.actor])).toEqual(expect.arrayContaining([["flag", UNIT_CHANGE, "detector"], ["flag", SENSOR_GONE, "detector"]]));
    expect((await viewer.drift.events({ relation: "readings", partition: UNIT_CHANGE })).items.map((e) => e.partition)).toEqual([UNIT_CHANGE]);
    // Page by page, one at a time: every event once, in the same order.
    const walked: string[] = [];
    for (let cursor: string | null = null, pages = 0; pages === 0 || cursor; pages++) {
      const page: { items: { id: string }[]; nextCursor: string | null } = await viewer.drift.events({ relation: "readings", limit: 1, cursor });
      expect(page.items).toHaveLength(1);
      walked.push(page.items[0]!.id);
      cursor = page.nextCursor;
    }
    expect(walked).toEqual(events.map((e) => e.id));

    const alerts = await viewer.drift.alerts();
    expect(alerts.nextCursor).toBeNull();
    expect(alerts.items.map((a) => `${a.relation}/${a.partition}`).sort()).toEqual([`readings/${UNIT_CHANGE}`, `readings/${SENSOR_GONE}`]);
    const first = await viewer.drift.alerts({ limit: 1 });
    expect(first.nextCursor).not.toBeNull();
    const second = await viewer.drift.alerts({ limit: 1, cursor: first.nextCursor });
    expect([...first.items, ...second.items].map((a) => a.partition)).toEqual(alerts.items.map((a) => a.partition));
    expect(second.nextCursor).toBeNull();
    expect(await outcome(() => viewer.drift.alerts({ cursor: "no-cursor" }))).toBe("BAD_REQUEST");
    expect(await outcome(() => viewer.drift.events({ relation: "readings", cursor: "nope" }))).toBe("BAD_REQUEST");
  });

  it("release, drop and mark valid record the caller as actor with the reason; a decided partition is not decided twice", async () => {
    const labeler = env.caller("labeler");
    // An `actor` in the input is not an input: the session decides who acted.
    const released = await labeler.drift.release({ relation: "readings", partition: UNIT_CHANGE, reason: "vendor sent milli-units; fixed upstream", actor: "admin@example.com" } as never);
    expect(released).toMatchObject({ partition: UNIT_CHANGE, status: "released", valid: false });
    expect(await outcome(() => labeler.drift.release({ relation: "readings", partition: UNIT_CHANGE, reason: "again" }))).toBe("CONFLICT");

    const dropped = await env.caller("apikey-labeler").drift.drop({ relation: "readings", partition: SENSOR_GONE, reason: "sensor ids lost in transit" });
    expect(dropped).toMatchObject({ status: "dropped" });
    const valid = await env.caller("admin").drift.markValid({ relation: "readings", partition: UNIT_CHANGE, reason: "the scale is right after all" });
    expect(valid).toMatchObject({ status: "released", valid: true });
    // An ok partition is valid already.
    expect(await outcome(() => labeler.drift.markValid({ relation: "readings", partition: DAYS[6]!, reason: "x" }))).toBe("CONFLICT");

    const { items: events } = await env.caller("viewer").drift.events({ relation: "readings" });
    const decisions = events.filter((e) => e.action !== "flag").map((e) => [e.action, e.partition, e.actor, e.reason]);
    expect(decisions).toEqual([
      ["mark-valid", UNIT_CHANGE, env.emails.admin, "the scale is right after all"],
      ["drop", SENSOR_GONE, "apikey:labeler-key", "sensor ids lost in transit"],
      ["release", UNIT_CHANGE, env.emails.labeler, "vendor sent milli-units; fixed upstream"],
    ]);
    const audit = await env.motion.db.read(() => all<{ action: string; actor: string; target: string; reason: string | null }>(`SELECT "action", "actor", "target", "reason" FROM "AuditEvent" WHERE "action" = 'drift.release'`));
    expect(audit).toEqual([{ action: "drift.release", actor: env.emails.labeler, target: `readings/${UNIT_CHANGE}`, reason: "vendor sent milli-units; fixed upstream" }]);
    expect(await env.caller("viewer").drift.alerts()).toEqual({ items: [], nextCursor: null });
    expect((await env.caller("viewer").drift.relations()).find((r) => r.relation === "readings")).toMatchObject({ open: 0 });
  });

  it("answers bad input with BAD_REQUEST and the path, before anything is decided", async () => {
    const viewer = env.caller("viewer");
    const labeler = env.caller("labeler");
    const cases: [() => Promise<unknown>, string[]][] = [
      [() => viewer.drift.profile({ relation: "readings", partition: "yesterday" }), ["partition"]],
      [() => viewer.drift.profile({ relation: "readings", partition: "2024-05-01'; --" }), ["partition"]],
      [() => viewer.drift.series({ relation: "readings", column: "value", statistic: "median" as never }), ["statistic"]],
      [() => viewer.drift.series({ relation: "readings", column: "", statistic: "mean" }), ["column"]],
      [() => viewer.drift.partitions({ relation: "readings", from: DAYS[5], to: DAYS[1] }), ["to"]],
      [() => viewer.drift.heatmap({ relation: "readings", from: "2024-5-1" }), ["from"]],
      [() => viewer.drift.events({ relation: "readings", limit: 0 }), ["limit"]],
      [() => viewer.drift.events({ relation: "readings", limit: 501 }), ["limit"]],
      [() => labeler.drift.release({ relation: "readings", partition: DAYS[3]!, reason: "  " }), ["reason"]],
      [() => labeler.drift.drop({ relation: "readings", partition: DAYS[3]! } as never), ["reason"]],
      [() => labeler.drift.markValid({ relation: "", partition: DAYS[3]!, reason: "x" }), ["relation"]],
    ];
    for (const [call, paths] of cases) expect(await rejected(call)).toEqual({ code: "BAD_REQUEST", paths });
    expect((await viewer.drift.profile({ relation: "readings", partition: DAYS[3]! })).verdict?.status).toBe("insufficient-history");
  });

  it("answers unknown relations and partitions with NOT_FOUND", async () => {
    const viewer = env.caller("viewer");
    const labeler = env.caller("labeler");
    const cases: [string, () => Promise<unknown>][] = [
      ["partitions", () => viewer.drift.partitions({ relation: "nope" })],
      ["profile relation", () => viewer.drift.profile({ relation: "nope", partition: DAYS[0]! })],
      ["profile partition", () => viewer.drift.profile({ relation: "readings", partition: "2031-01-01" })],
      ["series", () => viewer.drift.series({ relation: "nope", column: "value", statistic: "mean" })],
      ["heatmap", () => viewer.drift.heatmap({ relation: "nope" })],
      ["events", () => viewer.drift.events({ relation: "nope" })],
      ["check", () => labeler.drift.check({ relation: "nope" })],
      ["release", () => labeler.drift.release({ relation: "readings", partition: "2031-01-01", reason: "x" })],
      ["drop", () => labeler.drift.drop({ relation: "readings", partition: "2031-W01", reason: "x" })],
      ["markValid", () => labeler.drift.markValid({ relation: "nope", partition: DAYS[0]!, reason: "x" })],
    ];
    for (const [name, call] of cases) expect(`${name}: ${await outcome(call)}`).toBe(`${name}: NOT_FOUND`);
    // A relation without rows has nothing to judge.
    expect(await labeler.drift.check({ relation: "tickets" })).toEqual([]);
  });
});
