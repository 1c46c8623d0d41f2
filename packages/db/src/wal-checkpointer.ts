import { Worker } from "node:worker_threads";

// Runs in its own thread with its own connection: PASSIVE checkpoints never block writers,
// and copying WAL pages into the database file no longer lands on whichever add happened
// to cross SQLite's auto-checkpoint threshold on the main thread.
//
// Under writes that never pause (a long purge beside steady adds) the WAL never starts over:
// SQLite rewinds it only when a writer finds every frame copied back, and frames keep arriving
// while a checkpoint runs, so the file grew to 10 GB during a 1M-row purge. When a PASSIVE
// checkpoint finds the WAL over `truncateFrames` and has copied all of it back, a TRUNCATE
// follows. It holds the writer lock while it syncs the database file and truncates the WAL,
// and every add waits for that: 60-110 ms on this machine's virtual disk, which was the slowest
// add of a drift check's run. So it runs rarely (past 256 MB, not 64), never waits for readers
// or writers (busy_timeout 0: busy now means "try at a later tick"), and the main connection's
// journal_size_limit shrinks the WAL whenever SQLite rewinds it on its own.
const SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file, { timeout: 5000 });
const tick = () => {
  try {
    const [r] = db.pragma("wal_checkpoint(PASSIVE)");
    if (r && r.log > workerData.truncateFrames && r.checkpointed === r.log) {
      db.pragma("busy_timeout = 0");
      try { db.pragma("wal_checkpoint(TRUNCATE)"); } finally { db.pragma("busy_timeout = 5000"); }
    }
  } catch {}
};
const timer = setInterval(tick, workerData.intervalMs);
parentPort.on("message", (m) => { if (m === "stop") { clearInterval(timer); tick(); db.close(); parentPort.close(); } });
`;

export interface WalCheckpointer {
  stop(): Promise<void>;
}

/**
 * `truncateFrames`: WAL frames (pages) past which the file is truncated once fully copied back
 * (default 65,536: 256 MB of 4 KB pages).
 */
export function startWalCheckpointer(file: string, driver: string, intervalMs = 1000, truncateFrames = 65_536): WalCheckpointer {
  const worker = new Worker(SOURCE, { eval: true, workerData: { file, driver, intervalMs, truncateFrames } });
  worker.unref();
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        // Keep the process alive until the final checkpoint is done.
        worker.ref();
        worker.once("exit", () => resolve());
        worker.postMessage("stop");
        setTimeout(() => void worker.terminate().then(() => resolve()), 2000).unref();
      }),
  };
}
