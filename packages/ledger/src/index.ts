export * from './types.ts';
export {
  Ledger,
  EXPIRY_TRANSFER_CODE,
  findAccounts,
  listTransfersAfter,
  type LedgerOptions,
  type TransfersAfter,
} from './ledger.ts';
export type { BatchInfo } from './batcher.ts';
export { verifyLedger } from './verify.ts';
export { ledgerMigrations } from './migrations.ts';
export { newId, derivedId, isUuid } from './ids.ts';
export { validateStatic, MAX_USER_DATA_LENGTH, MAX_TIMEOUT_SECONDS } from './apply.ts';
export { canonicalTransfer, batchHash, journalKeyFrom, JOURNAL_KEY_BYTES } from './journal.ts';
export {
  checkpointFields,
  checkpointKeyFrom,
  checkpointObject,
  checkpointLine,
  makeCheckpoint,
  readCheckpoint,
  type CheckpointReading,
  type CheckpointRecord,
  type JournalCheckpoint,
} from './checkpoint.ts';
export {
  ensureSealed,
  readSeal,
  JournalKeyMismatchError,
  JournalKeyRequiredError,
  UnsealedJournalError,
  type JournalSeal,
  type SealOutcome,
} from './seal.ts';
