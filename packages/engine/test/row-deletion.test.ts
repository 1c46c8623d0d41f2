// Deleting a row takes what hangs off it (inferences, labels, the feedback rows mirroring
// them, pending fits) in one audited transaction, and leaves everything else alone.
import { afterAll, describe, expect, it } from "vitest";
import { all, get } from "@motion/db";
import { Motion, NotFoundError, ValidationError } from "../src/index.ts";
import { scaledApp } from "./fixtures/scaled-app.ts";
import { databaseFactories, type TestDatabase } from "./harness.ts";

const factories = await databaseFactories();

describe.each(factories)("motion.deleteRow on %s", (_name, makeDatabase) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });
  const open = async () => {
    const db: TestDatabase = await makeDatabase();
    // No fits: the rows stay pending, so deleting must take their pending entries too.
    const motion = await Motion.open({ app: scaledApp, databaseUrl: db.url, runFits: false });
    cleanups.push(() => db.cleanup(), () => motion.close());
    return motion;
  };
  const count = (motion: Motion, table: string) => motion.db.read(() => get<{ n: unknown }>(`SELECT COUNT(*) AS n FROM "${table}"`)).then((r) => Number(r!.n));

  it("removes the row, its inference, the label and its mirror row, and the pending fits; audits it", async () => {
    const motion = await open();
    const [gone, kept] = await motion.addMany("amounts", [{ value: 2 }, { value: 3 }]);
    const label = await motion.feedback(gone!.inferences[0]!.id, { label: "bad", actor: "labeler@example.com" });
    expect(await count(motion, "Row")).toBe(3); // two amounts and the feedback row

    const deleted = await motion.deleteRow(gone!.id, { actor: "admin@example.com", reason: "removal request" });
    expect(deleted).toMatchObject({ id: gone!.id, relation: "amounts", inferences: 1, feedback: 1 });
    expect(deleted.rowIds).toEqual([gone!.id, label.rowId]);
    expect(deleted.pendingFits).toBeGreaterThanOrEqual(1);

    const rows = await motion.db.read(() => all<{ id: string }>(`SELECT "id" FROM "Row"`));
    expect(rows.map((r) => r.id)).toEqual([kept!.id]);
    expect(await count(motion, "Inference")).toBe(1);
    expect(await count(motion, "Feedback")).toBe(0);
    const pending = await motion.db.read(() => all<{ rowId: string }>(`SELECT "rowId" FROM "PendingRow"`));
    expect(pending.every((p) => p.rowId === kept!.id)).toBe(true);
    const audit = await motion.db.read(() => all<{ actor: string; reason: string; target: string }>(`SELECT "actor", "reason", "target" FROM "AuditEvent" WHERE "action" = 'rows.delete'`));
    expect(audit).toEqual([{ actor: "admin@example.com", reason: "removal request", target: gone!.id }]);
  });

  it("an unknown row is not found and nothing is audited; an actor is required", async () => {
    const motion = await open();
    await expect(motion.deleteRow("no-such-row", { actor: "admin" })).rejects.toBeInstanceOf(NotFoundError);
    const [row] = await motion.addMany("amounts", [{ value: 1 }]);
    await expect(motion.deleteRow(row!.id, { actor: "" })).rejects.toBeInstanceOf(ValidationError);
    expect(await count(motion, "Row")).toBe(1);
    expect(await count(motion, "AuditEvent")).toBe(0);
  });
});
