export { openDatabase, type Database, type OpenDatabaseOptions, type PrismaClient } from "./database.ts";
export { migrate } from "./migrate.ts";
export { all, get, insertMany, run, runAsync, runSync, valuesList, type Query, type QueryOp } from "./query.ts";
export { execute, insertRows, prepare, selectAll, selectFirst, sql, storage, type Compilable, type Expression, type ExpressionBuilder, type OnConflict, type Prepared, type RawBuilder, type RowValues, type SelectQueryBuilder, type SqlBool, type StorageDB } from "./typed-query.ts";
export { defaultDatabaseUrl, providerOf, redactUrl, resolveDatabaseUrl, sqliteFilePath, type Provider } from "./url.ts";
export { newId, idFloor } from "./ids.ts";
export { addRelationRows, insertIngest, type InferenceInsert, type PendingInsert, type ProfileInsert, type RowInsert } from "./repositories/ingest.ts";
export * from "./codec.ts";
export { pgAdvisoryXactLock, pgAnalyze, pgBloatedTables, pgNotify, pgTryAdvisoryXactLock, ping, sqliteIncrementalVacuum, sqlitePragma } from "./database-calls.ts";
