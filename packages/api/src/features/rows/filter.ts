// What a row filter may say: validated here, compiled to bound SQL by the engine's read model
// (packages/engine/src/read-model/row-query.ts).
import { z } from "zod";

export const FIELD = /^[A-Za-z0-9_-]{1,64}$/;

const scalar = z.union([z.string().max(1_000), z.number(), z.boolean(), z.null()]);

export const fieldFilterSchema = z
  .object({
    field: z.string().regex(FIELD, "a top-level field name: letters, digits, _ or -"),
    op: z.enum(["eq", "contains", "gt", "lt"]),
    value: scalar,
  })
  .superRefine((f, ctx) => {
    if (f.op === "contains" && typeof f.value !== "string") ctx.addIssue({ code: "custom", path: ["value"], message: "contains needs a string" });
    if ((f.op === "gt" || f.op === "lt") && typeof f.value !== "string" && typeof f.value !== "number") {
      ctx.addIssue({ code: "custom", path: ["value"], message: `${f.op} needs a number or a string` });
    }
  });

export type FieldFilter = z.infer<typeof fieldFilterSchema>;

export const rowFilterSchema = z.array(fieldFilterSchema).max(10);
