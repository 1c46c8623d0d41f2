import type { FitActivity } from "@motion/engine";

/** `motion status` as a table: one line per trigger with fit routes, then the verdict. */
export function formatActivity(activity: FitActivity): string {
  const head = ["trigger", "pending", "held", "claimed", "running", "retrying", "dead", "state"];
  const rows = activity.triggers.map((t) =>
    [t.trigger, t.pending, t.held, t.claimed, t.running, t.retrying, t.deadLettered, t.idle ? (t.pinned ? "idle (pinned)" : "idle") : "busy"].map(String),
  );
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(head), ...rows.map(line), activity.idle ? "all fits idle" : "fits busy"].join("\n");
}
