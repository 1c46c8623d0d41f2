// When a partition's period ends, read back from its key: a partition can close only after.
import { type Granularity } from "./profile-options.ts";

const DAY = 86_400_000;

/** The instant a partition key's period ends (exclusive), or null for a key it cannot read. */
export function partitionEnd(key: string, granularity: Granularity): Date | null {
  let m: RegExpMatchArray | null;
  switch (granularity) {
    case "hour":
      m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})$/.exec(key);
      return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]! + 1)) : null;
    case "day":
      m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key);
      return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]! + 1)) : null;
    case "month":
      m = /^(\d{4})-(\d{2})$/.exec(key);
      return m ? new Date(Date.UTC(+m[1]!, +m[2]!, 1)) : null;
    case "week": {
      m = /^(\d{4})-W(\d{2})$/.exec(key);
      if (!m) return null;
      // Monday of ISO week 1 is the Monday on or before January 4th.
      const jan4 = Date.UTC(+m[1]!, 0, 4);
      const monday1 = jan4 - ((new Date(jan4).getUTCDay() || 7) - 1) * DAY;
      return new Date(monday1 + +m[2]! * 7 * DAY);
    }
  }
}
