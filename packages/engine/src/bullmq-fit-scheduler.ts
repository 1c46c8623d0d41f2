import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { SchedulerContext } from "./motion.ts";
import type { FitScheduler } from "./fit-scheduler.ts";
import { drainTriggers, fittingTriggers, fitWork } from "./fit-drain.ts";

export interface BullMQSchedulerOptions {
  /** Redis URL, e.g. redis://127.0.0.1:6379. */
  redisUrl: string;
  /** Queue name (default `motion-fits-<app name>`). */
  queue?: string;
  /** Run fit jobs in this process (`motion worker`); false for API-only processes. Default true. */
  consume?: boolean;
  /**
   * Jobs taken at once by this process. A process runs one drain at a time, which fits every
   * trigger with a ready batch at once (fits of one trigger are always serialized).
   */
  concurrency?: number;
  /** Consumers re-check every trigger this often, a safety net for a missed wake-up. */
  pollMs?: number;
}

interface FitJob {
  /** The trigger that has work, or "*" for several: a drain looks at every trigger anyway. */
  trigger: string;
  force?: boolean;
}

/** The job of a notification about these triggers. */
const ANY = "*";

/**
 * Scale-out scheduling: adding rows enqueues a small, serializable job ("look at trigger X");
 * any `motion worker` process takes it and runs the ready batches through the same FitRunner
 * as the embedded scheduler. Jobs are hints, not the source of truth: batches are claimed
 * from the database, fits of one trigger serialize on its alias row and live lease, and a
 * commit is idempotent per run, so duplicate or redelivered jobs can never commit twice.
 */
export class BullMQFitScheduler implements FitScheduler {
  private readonly queue: Queue<FitJob>;
  private readonly worker: Worker<FitJob> | null;
  private readonly connections: Redis[] = [];
  private readonly poller: NodeJS.Timeout | null;
  private closed = false;
  private draining: Promise<void> | null = null;
  private again = false;
  private againForce = false;

  constructor(private readonly ctx: SchedulerContext, options: BullMQSchedulerOptions) {
    const name = options.queue ?? `motion-fits-${ctx.app.name}`;
    const connect = () => {
      const c = new Redis(options.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
      c.on("error", (error) => ctx.log.warn({ err: error.message }, "redis connection error"));
      this.connections.push(c);
      return c;
    };
    this.queue = new Queue<FitJob>(name, { connection: connect() });
    const consume = options.consume ?? true;
    this.worker = consume
      ? new Worker<FitJob>(name, (job) => this.process(job.data), { connection: connect(), concurrency: options.concurrency ?? 2 })
      : null;
    this.worker?.on("failed", (job, error) => ctx.log.error({ trigger: job?.data.trigger, err: error.message }, "fit job failed"));
    const pollMs = options.pollMs ?? 2000;
    this.poller = consume && pollMs > 0 ? setInterval(() => this.notify(fittingTriggers(ctx.app)), pollMs) : null;
    this.poller?.unref();
  }

  private async process(job: FitJob): Promise<void> {
    // Jobs that arrive while this process drains join that drain: it fits every trigger.
    if (this.draining) {
      this.again = true;
      this.againForce ||= job.force === true;
      return this.draining;
    }
    this.draining = this.drain(job).finally(() => {
      this.draining = null;
    });
    return this.draining;
  }

  /**
   * A job is a hint to look at its trigger; every trigger's ready batch goes in the same round
   * (one claim, one commit), so a burst of jobs costs a few rounds, not a few per fit.
   */
  private async drain(job: FitJob): Promise<void> {
    const { db, app, runner } = this.ctx;
    let force = job.force === true;
    let wakeAt: number | null;
    do {
      this.again = false;
      this.againForce = false;
      ({ wakeAt } = await drainTriggers(db, app, runner, fittingTriggers(app), { force, stopped: () => this.closed }));
      force = this.againForce;
    } while (this.again && !this.closed);
    if (wakeAt !== null && !this.closed) await this.enqueue({ trigger: job.trigger }, Math.max(0, wakeAt - Date.now()));
  }

  private async enqueue(job: FitJob, delay = 0): Promise<void> {
    const dedupe = delay > 0 ? { id: `${job.trigger}-due`, ttl: delay } : { id: `${job.trigger}-now${job.force ? "-force" : ""}`, ttl: 50 };
    await this.queue.add("fit", job, { delay, deduplication: dedupe, removeOnComplete: true, removeOnFail: 100 });
  }

  /**
   * One job per notification, however many triggers it names: whichever worker takes it
   * drains every trigger (one claim for all of them), so a job per trigger only added Redis
   * round trips and empty drains on the workers that lost the race for the claim.
   */
  notify(triggers: Iterable<string>): void {
    if (this.closed) return;
    const names = [...new Set(triggers)];
    if (names.length === 0) return;
    const trigger = names.length === 1 ? names[0]! : ANY;
    this.enqueue({ trigger }).catch((error) => this.ctx.log.warn({ trigger, err: (error as Error).message }, "could not enqueue fit job"));
  }

  kick(trigger: string): void {
    this.notify([trigger]);
  }

  /**
   * Waits until every pending fit (run by any worker process) has committed or failed, as the
   * database says. BullMQ's own counts are not consulted: a job of a killed worker stays
   * "active" until the stalled-job check (~30 s), although its work is already back in the
   * database for the live workers that the force jobs below wake.
   */
  async flush(): Promise<void> {
    for (;;) {
      const work = await fitWork(this.ctx.db, this.ctx.app);
      if (!work.busy) return;
      await this.enqueue({ trigger: ANY, force: true });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.poller) clearInterval(this.poller);
    await this.worker?.close();
    await this.queue.close();
    await Promise.all(this.connections.map((c) => c.quit().catch(() => undefined)));
  }
}

/** `Motion.open({ scheduler: bullmqScheduler({ redisUrl }) })`. */
export function bullmqScheduler(options: BullMQSchedulerOptions): (ctx: SchedulerContext) => FitScheduler {
  return (ctx) => new BullMQFitScheduler(ctx, options);
}
