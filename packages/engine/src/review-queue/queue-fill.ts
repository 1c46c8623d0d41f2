// Materialising a queue's feed into items, in bounded steps: pages of the Inferences search
// (each a short read), then inserts of INSERT_BATCH items per transaction, so a large feed never
// holds the database for long and can run after the create request has answered.
import type { Database } from "@motion/db";
import type { InferencePage, InferenceSearch } from "../read-model/inference-search.ts";
import { MAX_FEED_SCAN, sampleKey, type QueueFeed } from "./queue-feed.ts";
import { insertItems, renewFillLease, setQueueStatus } from "./queue-store.ts";

const PAGE = 500;
const INSERT_BATCH = 500;
/**
 * How long a fill's claim lasts without renewal. The filling process renews it at least every
 * quarter of this; a queue still filling past it lost its process and another one resumes it.
 */
export const FILL_LEASE_MS = 60_000;

export interface FillDeps {
  db: Database;
  search: (search: InferenceSearch) => Promise<InferencePage>;
}

/** The inference ids a feed picks, in queue order (deterministic for the same inferences). */
export async function pickFeed(deps: FillDeps, trigger: string, feed: QueueFeed, onPage: () => Promise<void> = async () => {}): Promise<string[]> {
  const { sample, maxItems } = feed;
  const want = sample?.count !== undefined ? Math.min(sample.count, maxItems) : maxItems;
  const picked: { id: string; key: number }[] = [];
  let cursor: string | null = null;
  let scanned = 0;
  do {
    const page: InferencePage = await deps.search({ ...feed.filter, trigger, cursor, limit: PAGE });
    scanned += page.items.length;
    for (const item of page.items) {
      if (!sample) picked.push({ id: item.id, key: 0 });
      else {
        const key = sampleKey(sample.seed, item.id);
        if (sample.share === undefined || key < sample.share) picked.push({ id: item.id, key });
      }
    }
    // A share or a plain filter fills in feed order and may stop once full; a count needs the whole feed.
    if (sample?.count !== undefined) {
      if (picked.length > want * 4) keepSmallest(picked, want);
    } else if (picked.length >= want) break;
    cursor = page.nextCursor;
    await onPage();
    // Let requests in between pages.
    await new Promise((resolve) => setImmediate(resolve));
  } while (cursor && scanned < MAX_FEED_SCAN);
  if (sample?.count !== undefined) keepSmallest(picked, want);
  else if (sample) picked.sort((a, b) => a.key - b.key || (a.id < b.id ? -1 : 1));
  return picked.slice(0, want).map((p) => p.id);
}

function keepSmallest(list: { id: string; key: number }[], n: number): void {
  list.sort((a, b) => a.key - b.key || (a.id < b.id ? -1 : 1));
  list.length = Math.min(list.length, n);
}

/**
 * Picks and inserts the items, then marks the queue ready (or failed with the error), renewing
 * the fill's lease as it goes. Safe to run again on a half-filled queue (a resumed fill): items
 * already in keep their place, the rest are added.
 */
export async function fillQueue(deps: FillDeps, queueId: string, trigger: string, feed: QueueFeed): Promise<number> {
  let renewed = Date.now();
  const renew = async () => {
    if (Date.now() - renewed < FILL_LEASE_MS / 4) return;
    renewed = Date.now();
    await deps.db.tx(() => renewFillLease(queueId, new Date(renewed + FILL_LEASE_MS)));
  };
  try {
    const ids = await pickFeed(deps, trigger, feed, renew);
    for (let i = 0; i < ids.length; i += INSERT_BATCH) {
      const batch = ids.slice(i, i + INSERT_BATCH);
      await renew();
      await deps.db.tx(() => insertItems(queueId, batch, i));
    }
    await deps.db.tx(() => setQueueStatus(queueId, "ready"));
    return ids.length;
  } catch (error) {
    await deps.db.tx(() => setQueueStatus(queueId, "failed", error instanceof Error ? error.message : String(error))).catch(() => {});
    throw error;
  }
}
