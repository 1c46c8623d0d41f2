// A driver adapter factory that talks to no database, for the schema engine's `diff` between
// two schema texts. The engine still "connects" when it starts: on PostgreSQL it probes the
// server (schema exists? version?), so we answer that one query with a plausible PostgreSQL
// 15 and reject everything else. SQLite sends nothing. Never use this to apply anything.
import type {
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
  SqlQuery,
  SqlResultSet,
} from "@prisma/driver-adapter-utils";
import type { Provider } from "./compose-schema.ts";

const BOOLEAN = 5;
const INT32 = 0;
const TEXT = 7;

export function offlineAdapterFactory(provider: Provider): SqlMigrationAwareDriverAdapterFactory {
  const adapterProvider = provider === "postgresql" ? "postgres" : "sqlite";
  const refuse = (what: string) => () =>
    Promise.reject(new Error(`offline adapter: ${what} is not available (diff between schema texts only)`));
  const adapter: SqlDriverAdapter = {
    provider: adapterProvider,
    adapterName: "@motion/db-offline",
    async queryRaw(query: SqlQuery): Promise<SqlResultSet> {
      if (adapterProvider === "postgres" && /server_version_num/.test(query.sql)) {
        return {
          columnNames: ["exists", "version", "numeric_version"],
          columnTypes: [BOOLEAN, TEXT, INT32],
          rows: [[true, "PostgreSQL 15.0 (offline)", 150000]],
        };
      }
      throw new Error(`offline adapter: unexpected query ${query.sql.slice(0, 120)}`);
    },
    executeRaw: refuse("executeRaw"),
    executeScript: refuse("executeScript"),
    startTransaction: refuse("startTransaction"),
    dispose: () => Promise.resolve(),
  };
  return {
    provider: adapterProvider,
    adapterName: "@motion/db-offline",
    connect: () => Promise.resolve(adapter),
    connectToShadowDb: () => Promise.resolve(adapter),
  };
}
