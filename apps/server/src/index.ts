export { buildApp, type App, type BuildAppOptions } from './app.ts';
export {
  loadConfig,
  ConfigError,
  type Config,
  type ConfigProblem,
  type LogLevel,
  type Mode,
} from './config.ts';
export { openDatabase, type Database, type OpenDatabaseOptions } from './database.ts';
export {
  AppError,
  ERRORS,
  TRANSFER_FAILURES,
  errorResponseSchema,
  transferFailure,
  type ErrorCode,
  type ErrorResponse,
  type TransferErrorCode,
} from './errors.ts';
export { JournalCheckpoints, checkpointFileLines } from './journal-checkpoints.ts';
export { verifyBooks } from './modules/console/verify-books.ts';
export { Metrics } from './metrics.ts';
export { allMigrations, allJobQueues, migrateSchema } from './migrations.ts';
export {
  JOB_TIME_ZONE,
  describeSchedule,
  readJobsReport,
  type JobQueueStatus,
  type JobRun,
  type JobsReport,
} from './jobs/index.ts';
export {
  startServer,
  runServer,
  type Companion,
  type RunOptions,
  type RunningServer,
  type StartOptions,
} from './start.ts';
export { listSandboxMessages, type SandboxMessage } from './adapters/sms/index.ts';
export { normalizePhone, maskPhone } from './modules/identity/phone.ts';
export { resolveSecretKey, parseSecretKey } from './crypto/secret-key.ts';
export { SecretBox, UnknownDataKeyError } from './crypto/secret-box.ts';
export { dataKeyId, parseDataKeys, type DataKeyEntry } from './crypto/data-keys.ts';
export {
  placeName,
  resealPlaces,
  sealedCensus,
  type PlaceCensus,
  type PlaceReseal,
  type SealedPlace,
} from './crypto/sealed-places.ts';
export { allSealedPlaces } from './sealed-places.ts';
export {
  OperatorService,
  DEFAULT_OPERATOR_CONFIG,
  OPERATOR_ROLES,
  auditHead,
  auditKeyFrom,
  verifyAuditChain,
  type AuditVerifyReport,
  type OperatorRole,
} from './modules/operator/index.ts';
export { SandboxBank } from './adapters/bank/index.ts';
export {
  FundingStore,
  reconcileFunding,
  reportJson,
  type ReconciliationReport,
} from './modules/funding/index.ts';
export { settlementBankOperations } from './modules/merchants/index.ts';
