import type { Ledger, LedgerOptions, TransferInput, TransferOutcome } from '@qianbao/ledger';
import type { BatchTrace, TraceParent } from '../tracing.ts';

/** Messages between the request thread and the ledger thread (values by structured clone). */

export type BatchInfo = Parameters<NonNullable<LedgerOptions['onBatch']>>[0];

export interface WorkerConfig {
  connectionString: string;
  writerConnections: number;
  ledger: Pick<
    LedgerOptions,
    'maxBatchTransfers' | 'maxQueuedTransfers' | 'journalKey' | 'sealLegacyJournal' | 'unavailableAfterMs'
  >;
  /** Tracing is on in the main thread: time each batch and its statements, and say whose calls it served. */
  tracing?: boolean;
}

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
}

export type ToWorker =
  | { type: 'createTransfers'; id: number; inputs: readonly TransferInput[]; trace?: TraceParent }
  | { type: 'expirePending'; id: number }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'result'; id: number; outcomes?: TransferOutcome[]; error?: SerializedError }
  | { type: 'expired'; id: number; count?: number; error?: SerializedError }
  | { type: 'batch'; info: BatchInfo; stats: ReturnType<Ledger['stats']> }
  /** Tracing on: a committed batch, sent after its calls' results, with the traced calls it served. */
  | { type: 'batchTrace'; batch: BatchTrace; calls: number[] }
  | { type: 'fatal'; error: SerializedError };

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.constructor.name === 'Error' ? error.name : error.constructor.name,
      message: error.message,
      ...(typeof code === 'string' ? { code } : {}),
    };
  }
  return { name: 'Error', message: String(error) };
}
