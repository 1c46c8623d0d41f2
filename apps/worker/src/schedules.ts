import type { ScheduleInfo } from "@motion/engine";

const iso = (d: Date | null) => (d ? d.toISOString().replace(".000Z", "Z") : "-");

/** `motion schedules` as a table: one line per scheduled route, with its next and last run. */
export function formatSchedules(items: readonly ScheduleInfo[]): string {
  if (items.length === 0) return "no scheduled routes (a route declares `schedule: { cron }` to get one)";
  const head = ["trigger/route", "cron", "timezone", "missed", "next run", "last run", "status", "version", "waiting"];
  const rows = items.map((s) => [
    `${s.trigger}/${s.route}`, s.cron, s.timezone, s.missed, iso(s.nextRunAt),
    s.lastRun ? `${iso(s.lastRun.tickAt)}${s.lastRun.kind === "manual" ? " (manual)" : s.lastRun.missed ? ` (+${s.lastRun.missed} missed)` : ""}` : "never",
    s.lastRun?.status ?? "-", s.lastRun?.producedVersion === null || s.lastRun === null ? "-" : `v${s.lastRun.producedVersion}`, String(s.pendingRows),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(head), ...rows.map(line)].join("\n");
}
