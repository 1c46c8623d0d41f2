import { Worker } from "node:worker_threads";

// Runs in its own thread with its own connection: PASSIVE checkpoints never block writers,
// and copying WAL pages into the database file no longer lands on whichever add happened
// to cross SQLite's auto-checkpoint threshold on the main thread.
const SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file, { timeout: 5000 });
const tick = () => { try { db.pragma("wal_checkpoint(PASSIVE)"); } catch {} };
const timer = setInterval(tick, workerData.intervalMs);
parentPort.on("message", (m) => { if (m === "stop") { clearInterval(timer); tick(); db.close(); parentPort.close(); } });
`;

export interface WalCheckpointer {
  stop(): Promise<void>;
}

export function startWalCheckpointer(file: string, driver: string, intervalMs = 1000): WalCheckpointer {
  const worker = new Worker(SOURCE, { eval: true, workerData: { file, driver, intervalMs } });
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
