// Named review queues as a service of a running Motion (`motion.queues`): create (the feed is
// materialised in the background unless asked to wait), list with progress, assign, and work
// a queue: next item under a lock, complete (label and/or scores), skip.
import { newId } from "@motion/db";
import { z } from "zod";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import type { Motion } from "../motion.ts";
import { withDetails, type InferenceWithDetails } from "../read-model/inference-search.ts";
import { claimQueueItem, releaseOwnLock } from "./queue-claim.ts";
import { queueFeedSchema, type QueueFeedInput } from "./queue-feed.ts";
import { FILL_LEASE_MS, fillQueue } from "./queue-fill.ts";
import {
  claimStaleFill, deleteQueue, insertQueue, staleFills, listQueues, queueNameTaken, readItem, readQueue, setAssignees, setItemStatus, updateQueueRow, type QueueListFilter, type ReviewQueue, setItemAssignee,
} from "./queue-store.ts";
import type { Page } from "../read-model/page.ts";

export interface CreateQueueInput {
  name: string;
  trigger: string;
  description?: string | null;
  feed?: QueueFeedInput;
  /** Actor names (user e-mails) the queue is assigned to. */
  assignees?: string[];
  createdBy: string;
}

export interface CompleteInput {
  actor: string;
  /** Lock holder id, as for `Motion.feedback`. */
  holder?: string;
  label?: "good" | "bad";
  correction?: unknown;
  note?: string;
  scores?: Record<string, unknown>;
}

const createSchema = z.object({
  name: z.string().trim().min(1).max(100),
  trigger: z.string().min(1),
  description: z.string().max(2000).nullish(),
  feed: queueFeedSchema.default({ filter: {}, maxItems: 1000 }),
  assignees: z.array(z.string().min(1).max(200)).max(100).default([]),
  createdBy: z.string().min(1),
});

/** Reads look for fills left by a dead process at most this often. */
const STALE_CHECK_MS = 10_000;

export class ReviewQueues {
  private readonly filling = new Map<string, Promise<number>>();
  private lastStaleCheck = 0;
  private resuming: Promise<number> | null = null;
  private closed = false;

  constructor(private readonly motion: Motion) {}

  private startFill(id: string, trigger: string, feed: ReviewQueue["feed"]): Promise<number> {
    const filling = fillQueue({ db: this.motion.db, search: (s) => this.motion.searchInferences(s) }, id, trigger, feed).finally(() => this.filling.delete(id));
    this.filling.set(id, filling);
    return filling;
  }

  /**
   * Resumes the fills of queues whose filling process died (their lease ran out): each is
   * claimed by one process and filled again from its feed, keeping the items already in.
   * Runs on open and, at most every 10 s, when queues are read. Returns how many it resumed.
   */
  resumeStaleFills(): Promise<number> {
    this.lastStaleCheck = Date.now();
    this.resuming ??= this.resumeNow().finally(() => (this.resuming = null));
    return this.resuming;
  }

  private async resumeNow(): Promise<number> {
    const db = this.motion.db;
    const now = new Date();
    const stale = await db.read(() => staleFills(db.provider, now));
    let resumed = 0;
    for (const q of stale) {
      if (this.closed || this.filling.has(q.id)) continue;
      if (!this.motion.app.trigger(q.trigger)) continue; // a queue of a trigger this deploy dropped
      if (!(await db.tx(() => claimStaleFill(q.id, now, new Date(now.getTime() + FILL_LEASE_MS))))) continue;
      this.motion.log.warn({ queue: q.id }, "resuming the fill of a review queue its process left unfinished");
      this.startFill(q.id, q.trigger, q.feed).catch((error: unknown) => this.motion.log.error({ err: error, queue: q.id }, "filling a review queue failed"));
      resumed++;
    }
    return resumed;
  }

  private checkStale(queues: readonly ReviewQueue[]): void {
    if (this.closed || Date.now() - this.lastStaleCheck < STALE_CHECK_MS) return;
    if (!queues.some((q) => q.status === "filling" && !this.filling.has(q.id))) return;
    this.resumeStaleFills().catch((error: unknown) => this.motion.log.error({ err: error }, "resuming review queue fills failed"));
  }

  /** Creates a queue and starts filling it; with `wait`, resolves once its items are in. */
  async create(input: CreateQueueInput, options: { wait?: boolean } = {}): Promise<ReviewQueue> {
    const parsed = createSchema.safeParse(input);
    if (!parsed.success) throw new ValidationError("review queue", ValidationError.fromZod("review queue", 0, parsed.error));
    const q = parsed.data;
    this.motion.trigger(q.trigger); // NotFoundError for an unknown trigger
    const id = newId();
    const now = new Date();
    await this.motion.db.tx(function* () {
      if (yield* queueNameTaken(q.name)) throw new ConflictError(`a review queue named ${q.name} exists`);
      yield* insertQueue({
        id, name: q.name, trigger: q.trigger, description: q.description ?? null, feed: q.feed, createdBy: q.createdBy, assignees: q.assignees,
        now, leaseUntil: new Date(now.getTime() + FILL_LEASE_MS),
      });
    });
    const filling = this.startFill(id, q.trigger, q.feed);
    if (options.wait) await filling;
    else filling.catch((error: unknown) => this.motion.log.error({ err: error, queue: id }, "filling a review queue failed"));
    return (await this.get(id))!;
  }

  /** Resolves when the queue's background fill (if any) has finished. */
  async filled(id: string): Promise<void> {
    await this.filling.get(id)?.catch(() => {});
  }

  /** Waits for every fill in progress (on close); no fill is resumed after this. */
  async settle(): Promise<void> {
    this.closed = true;
    await this.resuming?.catch(() => 0);
    await Promise.allSettled([...this.filling.values()]);
  }

  async get(id: string): Promise<ReviewQueue | undefined> {
    const provider = this.motion.db.provider;
    const queue = await this.motion.db.read(() => readQueue(provider, id));
    if (queue) this.checkStale([queue]);
    return queue;
  }

  private async require(id: string): Promise<ReviewQueue> {
    const queue = await this.get(id);
    if (!queue) throw new NotFoundError(`no review queue ${id}`);
    return queue;
  }

  /**
   * A page of queues (of a trigger), newest first; with `actor`, that actor's assigned queues
   * first, or only them. Pass the page's `nextCursor` as `cursor` for the next one.
   */
  async list(filter: QueueListFilter = {}): Promise<Page<ReviewQueue>> {
    const provider = this.motion.db.provider;
    const page = await this.motion.db.read(() => listQueues(provider, filter));
    this.checkStale(page.items);
    return page;
  }

  async update(id: string, patch: { name?: string; description?: string | null; assignees?: string[] }): Promise<ReviewQueue> {
    await this.require(id);
    const name = patch.name?.trim();
    if (name !== undefined && name.length === 0) throw new ValidationError("review queue", [{ index: 0, path: ["name"], message: "name is empty", code: "too_small" }]);
    await this.motion.db.tx(function* () {
      if (name !== undefined && (yield* queueNameTaken(name, id))) throw new ConflictError(`a review queue named ${name} exists`);
      yield* updateQueueRow(id, { name, description: patch.description });
      if (patch.assignees) yield* setAssignees(id, patch.assignees);
    });
    return this.require(id);
  }

  async remove(id: string): Promise<boolean> {
    return this.motion.db.tx(() => deleteQueue(id));
  }

  /** The next pending item of the queue for this labeler, locked for `lockMs`; null when none is free. */
  async next(queueId: string, who: { holder: string; holderName: string; lockMs: number }): Promise<{ inference: InferenceWithDetails; lockExpiresAt: Date } | null> {
    const queue = await this.require(queueId);
    const now = new Date();
    const expiresAt = new Date(now.getTime() + who.lockMs);
    const provider = this.motion.db.provider;
    const item = await this.motion.db.tx(function* () {
      const row = yield* claimQueueItem({ queueId, trigger: queue.trigger, holder: who.holder, holderName: who.holderName, now, expiresAt });
      return row ? (yield* withDetails(provider, [row]))[0] : undefined;
    });
    return item ? { inference: item, lockExpiresAt: expiresAt } : null;
  }

  /** Labels and/or scores an item of the queue and marks it done (refused while another labeler holds it). */
  async complete(queueId: string, inferenceId: string, input: CompleteInput): Promise<{ feedbackId: string | null }> {
    await this.requireItem(queueId, inferenceId);
    if (!input.label && !input.scores) {
      throw new ValidationError("review queue", [{ index: 0, path: ["label"], message: "give a label, scores or both", code: "invalid_type" }]);
    }
    // Scores first: they are checked before anything is written, and the label releases the lock.
    if (input.scores) await this.motion.score(inferenceId, { scores: input.scores, actor: input.actor, holder: input.holder });
    let feedbackId: string | null = null;
    if (input.label) {
      feedbackId = (await this.motion.feedback(inferenceId, { label: input.label, correction: input.correction, note: input.note, actor: input.actor, holder: input.holder })).id;
    }
    const now = new Date();
    await this.motion.db.tx(function* () {
      yield* setItemStatus(queueId, inferenceId, "done", input.actor, now);
      if (input.holder) yield* releaseOwnLock(inferenceId, input.holder);
    });
    return { feedbackId };
  }

  /** Passes on an item: it leaves the pending list of this queue (not of others). */
  async skip(queueId: string, inferenceId: string, who: { actor: string; holder: string }): Promise<void> {
    const item = await this.requireItem(queueId, inferenceId);
    if (item.status === "done") throw new ConflictError(`inference ${inferenceId} is already done in this queue`);
    const now = new Date();
    await this.motion.db.tx(function* () {
      yield* setItemStatus(queueId, inferenceId, "skipped", who.actor, now);
      yield* releaseOwnLock(inferenceId, who.holder);
    });
  }

  /**
   * Gives one item of the queue to one labeler (an actor name: user e-mail or `apikey:<name>`):
   * only they get it from `next`; null gives it back to any labeler of the queue. An item
   * someone holds right now stays with them until done, skipped or the lock expires.
   */
  async assignItem(queueId: string, inferenceId: string, assignee: string | null): Promise<void> {
    await this.require(queueId);
    const who = assignee?.trim() || null;
    const found = await this.motion.db.tx(() => setItemAssignee(queueId, inferenceId, who));
    if (!found) throw new NotFoundError(`inference ${inferenceId} is not in review queue ${queueId}`);
  }

  private async requireItem(queueId: string, inferenceId: string) {
    const item = await this.motion.db.read(() => readItem(queueId, inferenceId));
    if (!item) throw new NotFoundError(`inference ${inferenceId} is not in review queue ${queueId}`);
    return item;
  }
}
