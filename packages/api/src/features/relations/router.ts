import { z } from "zod";
import type { Relation } from "@motion/engine";
import { nameSchema, limitSchema, pageByName } from "../../lib/common.ts";
import { viewerProcedure, router } from "../../trpc.ts";

const schemaCache = new WeakMap<object, unknown>();

/** JSON Schema of a relation's zod schema (input side; unrepresentable parts become `{}`). */
export function jsonSchemaOf(schema: z.ZodType): unknown {
  let cached = schemaCache.get(schema);
  if (cached === undefined) {
    try {
      cached = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
    } catch {
      cached = {};
    }
    schemaCache.set(schema, cached);
  }
  return cached;
}

function keyOf(relation: Relation): string | null {
  if (relation.key === undefined) return null;
  return typeof relation.key === "string" ? relation.key : "(function)";
}

export const relationsRouter = router({
  /** In declaration order, `{ items, nextCursor }` (the cursor is the last relation's name). */
  list: viewerProcedure.input(z.object({ cursor: nameSchema.nullish(), limit: limitSchema }).default({ limit: 50 })).query(async ({ ctx, input }) => {
    const { items, nextCursor } = pageByName(ctx.motion.app.relations, input.cursor, input.limit);
    if (!items.length) return { items: [], nextCursor };
    // Counting every row of a relation is a long read (off the main thread on SQLite).
    const byName = await ctx.motion.rowCounts(items.map((r) => r.name));
    const described = items.map((r) => ({
      name: r.name,
      key: keyOf(r),
      schema: jsonSchemaOf(r.schema),
      rowCount: byName.get(r.name) ?? 0,
      retention: r.retention,
      triggers: ctx.motion.app.routesOf(r.name).map(({ trigger, route }) => ({ trigger: trigger.name, route: route.name, infer: !!route.infer, fit: !!route.fit })),
    }));
    return { items: described, nextCursor };
  }),
});
