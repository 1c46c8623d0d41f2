// Operators' identities as the engine stores them: users and their credentials, sessions,
// API keys, offboarding. `motion.identity` on a running Motion; `new Identity(db)` where only a
// database is open (the CLI).
import type { Database, Provider } from "@motion/db";
import { ApiKeyStore } from "./api-key-store.ts";
import { Offboarding } from "./offboarding.ts";
import { SessionStore } from "./session-store.ts";
import { UserStore } from "./user-store.ts";

export class Identity {
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly apiKeys: ApiKeyStore;
  readonly offboarding: Offboarding;
  readonly provider: Provider;

  constructor(db: Database) {
    this.provider = db.provider;
    this.users = new UserStore(db);
    this.sessions = new SessionStore(db);
    this.apiKeys = new ApiKeyStore(db);
    this.offboarding = new Offboarding(db);
  }
}
