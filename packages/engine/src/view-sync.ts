import { selectAll, storage, type Database } from "@motion/db";
import type { App } from "./app.ts";
import { markerOf, readParamsMarkers, type TriggerParamsStore } from "./params-store.ts";
import { readSettingsMarkers } from "./experiments/experiment-settings.ts";
import type { Logger } from "./logger.ts";

export interface ViewSyncDeps {
  db: Database;
  app: App;
  params: TriggerParamsStore;
  /** The version infer serves in this process (undefined before the first load). */
  activeVersion(trigger: string): number | undefined;
  refresh(trigger: string): Promise<void>;
  /** The candidate/experiment-settings marker this process serves (undefined before the first load). */
  experimentMarker(trigger: string): string | undefined;
  refreshExperiment(trigger: string): Promise<void>;
  log: Logger;
  /** Check every intervalMs (0: only when asked, e.g. after a LISTEN reconnect). */
  intervalMs: number;
}

/**
 * Keeps what this process serves — each trigger's active version and params — equal to the
 * database. Notifications make changes visible at once; this check is what makes them
 * certain: after a LISTEN reconnect (notifications sent meanwhile are lost), periodically as a
 * backstop, and on SQLite (no notifications) as the way other processes' changes arrive.
 * Two small queries; a trigger is reloaded only when it differs.
 */
export class ViewSync {
  private readonly timer: NodeJS.Timeout | null;
  private running: Promise<void> | null = null;
  private again = false;
  private closed = false;

  constructor(private readonly deps: ViewSyncDeps) {
    this.timer = deps.intervalMs > 0 ? setInterval(() => void this.check(), deps.intervalMs) : null;
    this.timer?.unref();
  }

  /** Runs a check now (one at a time; a request during a check runs another after it). */
  check(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.once().catch((error) => this.deps.log.error({ err: (error as Error).message }, "consistency check failed"));
      } while (this.again && !this.closed);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async once(): Promise<void> {
    const { db, app, params } = this.deps;
    const { aliases, candidates, markers, experiments } = await db.read(function* () {
      const rows = yield* selectAll(storage.selectFrom("StateAlias").select(["trigger", "name", "version"]).where("name", "in", ["active", "candidate"]));
      const markers = yield* readParamsMarkers();
      const experiments = yield* readSettingsMarkers();
      return { aliases: rows.filter((r) => r.name === "active"), candidates: rows.filter((r) => r.name === "candidate"), markers, experiments };
    });
    for (const t of app.triggers) {
      const alias = aliases.find((a) => a.trigger === t.name);
      if (alias && Number(alias.version) !== this.deps.activeVersion(t.name)) {
        this.deps.log.info({ trigger: t.name, version: Number(alias.version) }, "active version moved elsewhere; reloading");
        await this.deps.refresh(t.name);
      }
      if (markerOf(markers.find((m) => m.trigger === t.name)) !== params.marker(t.name)) await params.reload(t.name);
      const candidate = candidates.find((c) => c.trigger === t.name);
      const marker = `${candidate ? Number(candidate.version) : "-"}:${experiments.get(t.name) ?? "-"}`;
      const served = this.deps.experimentMarker(t.name);
      if (served !== undefined && served !== marker) await this.deps.refreshExperiment(t.name);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
