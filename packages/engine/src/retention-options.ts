import { z } from "zod";

/** A relation's `retention` option. */
export const retentionOptionsSchema = z.strictObject({
  /** Rows stored more than this many days ago are deleted (fractions allowed: 0.5 = 12 h). */
  days: z.number().positive().finite(),
});
export type RetentionOptions = z.input<typeof retentionOptionsSchema>;
