import type { State, StatePatch } from "@motion/engine";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** A SQLite URL in a fresh temporary folder, and a cleanup for it. */
export function tempDatabase(prefix = "motion-chatbot-"): { url: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { url: `file:${path.join(dir, "motion.db")}`, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** What the engine does with a fit's patch: keys set, `undefined` removes a key. */
export function applyPatch(state: State, patch: StatePatch): State {
  const next: State = { ...state };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete next[key];
    else next[key] = value;
  }
  return next;
}
