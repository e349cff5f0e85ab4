export { createPool, createClient, pgTypes, withDatabase, quoteIdent, type PoolOptions } from './pool.ts';
export {
  startEmbeddedPostgres,
  runningServerPid,
  type EmbeddedPostgresOptions,
  type RunningPostgres,
  type PostgresExit,
} from './embedded.ts';
export { migrate, type Migration } from './migrate.ts';
export { withTransaction, type IsolationLevel } from './transaction.ts';
export { Coalescer, byKey, type CoalescerOptions } from './coalesce.ts';
export { classifyDatabaseFailure, isUnavailable, type DatabaseFailure } from './failures.ts';
