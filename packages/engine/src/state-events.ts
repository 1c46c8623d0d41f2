// In-process signal "this trigger's state may have changed": a fit committed here, a rollback
// here, or (PostgreSQL) a NOTIFY from any process, or (SQLite) the view sync saw `active` move.
// Listeners re-read what they need from the database; the signal carries only the trigger, so
// a lost or duplicated one costs a query, never a wrong answer.
import { EventEmitter } from "node:events";

export type StateChangeListener = (trigger: string) => void;

export class StateEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every open subscription (SSE client) listens; there is no sensible cap.
    this.emitter.setMaxListeners(0);
  }

  emit(trigger: string): void {
    this.emitter.emit("change", trigger);
  }

  on(listener: StateChangeListener): () => void {
    this.emitter.on("change", listener);
    return () => void this.emitter.off("change", listener);
  }

  clear(): void {
    this.emitter.removeAllListeners();
  }
}
