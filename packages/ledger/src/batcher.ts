/**
 * Gathers concurrent requests into batches: while one batch is in its database transaction,
 * new requests queue, and the next batch is taken and its state read ahead on a second
 * connection; the moment the first commits, the second takes the lock and writes. A lone
 * request is not delayed by any timer; a flood shares commits. At most two batches are in
 * flight: one writing, one reading ahead.
 */
import type pg from 'pg';
import type { BatchRequest } from './apply.ts';
import { commitBatch, preloadBatch } from './store.ts';
import type { CommittedBatch, PreloadedState } from './store.ts';
import { LedgerClosedError, LedgerOverloadedError } from './types.ts';
import type { TransferInput, TransferOutcome } from './types.ts';

export interface BatcherOptions {
  /** Most transfers in one database transaction. */
  maxBatchTransfers: number;
  /** Most transfers waiting; beyond it callers get LedgerOverloadedError at once. */
  maxQueuedTransfers: number;
  clock: () => bigint;
  onBatch?: (info: { transfers: number; created: number; durationMs: number }) => void;
}

interface Pending {
  request: BatchRequest;
  resolve: (outcomes: TransferOutcome[]) => void;
  reject: (error: unknown) => void;
}

/** PostgreSQL errors after which the same batch can simply run again. */
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01', '55P03', '57014']);
const MAX_ATTEMPTS = 3;

export class Batcher {
  private queue: Pending[] = [];
  private queuedTransfers = 0;
  private running: Promise<void> | null = null;
  private closed = false;
  private batchCount = 0;
  private transferCount = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: BatcherOptions,
  ) {}

  submit(inputs: readonly TransferInput[], internal = false): Promise<TransferOutcome[]> {
    if (this.closed) return Promise.reject(new LedgerClosedError());
    if (inputs.length === 0) return Promise.resolve([]);
    if (inputs.length > this.options.maxBatchTransfers) {
      return Promise.reject(
        new RangeError(
          `at most ${this.options.maxBatchTransfers} transfers per request, got ${inputs.length}`,
        ),
      );
    }
    if (this.queuedTransfers + inputs.length > this.options.maxQueuedTransfers) {
      return Promise.reject(new LedgerOverloadedError());
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ request: { inputs, internal }, resolve, reject });
      this.queuedTransfers += inputs.length;
      this.running ??= this.drain();
    });
  }

  stats() {
    return {
      queuedTransfers: this.queuedTransfers,
      batches: this.batchCount,
      transfers: this.transferCount,
      inFlight: this.running !== null,
    };
  }

  /** Refuse new work and wait until everything already accepted has been answered. */
  async close(): Promise<void> {
    this.closed = true;
    await this.running;
  }

  private async drain(): Promise<void> {
    let previous: Promise<CommittedBatch | null> | null = null;
    try {
      for (;;) {
        if (this.queue.length === 0) {
          if (previous === null) return;
          await previous;
          previous = null;
          continue;
        }
        const current = this.run(this.takeBatch(), previous);
        if (previous !== null) await previous;
        previous = current;
      }
    } finally {
      this.running = null;
    }
  }

  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let size = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (batch.length > 0 && size + next.request.inputs.length > this.options.maxBatchTransfers) break;
      this.queue.shift();
      batch.push(next);
      size += next.request.inputs.length;
    }
    this.queuedTransfers -= size;
    return batch;
  }

  /**
   * Read ahead, wait for the previous batch to finish, then commit. Never rejects: callers get
   * their results or the error; the next batch gets this one's outcome (or null).
   */
  private async run(
    batch: Pending[],
    previous: Promise<CommittedBatch | null> | null,
  ): Promise<CommittedBatch | null> {
    const startedAt = performance.now();
    const requests = batch.map((p) => p.request);
    let client: pg.PoolClient | undefined;
    let committed: CommittedBatch | undefined;
    let lastError: unknown;
    try {
      client = await this.pool.connect();
      let preloaded: PreloadedState | null = null;
      try {
        preloaded = await preloadBatch(client, requests);
      } catch (error) {
        // Reading ahead is an optimisation; the commit loads under the lock instead.
        if (!isRetryable(error)) throw error;
      }
      const prior = previous === null ? null : await previous;
      for (let attempt = 1; attempt <= MAX_ATTEMPTS && committed === undefined; attempt++) {
        try {
          // Only the first attempt may use the read-ahead state; a retry loads afresh.
          const basis = attempt === 1 ? { preloaded, previous: prior } : { preloaded: null, previous: null };
          committed = await commitBatch(client, requests, this.options.clock, basis);
        } catch (error) {
          lastError = error;
          if (!isRetryable(error)) break;
        }
      }
    } catch (error) {
      lastError = error;
    } finally {
      // A connection that failed mid-batch must not go back to the pool.
      client?.release(committed === undefined && lastError instanceof Error ? lastError : undefined);
    }
    if (committed === undefined) {
      // Outcome unknown to the callers (the commit may or may not have happened): they retry
      // with the same ids, which the ledger answers idempotently.
      for (const pending of batch) pending.reject(lastError);
      return null;
    }
    this.batchCount++;
    this.transferCount += committed.created;
    const transfers = requests.reduce((n, r) => n + r.inputs.length, 0);
    this.options.onBatch?.({
      transfers,
      created: committed.created,
      durationMs: performance.now() - startedAt,
    });
    const outcomes = committed.outcomes;
    batch.forEach((pending, i) => pending.resolve(outcomes[i]!));
    return committed;
  }
}

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE_SQLSTATES.has(code);
}
