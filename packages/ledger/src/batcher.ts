/**
 * Gathers concurrent requests into batches: while one batch is in its database transaction,
 * new requests queue; the moment it commits, everything queued (up to the batch limit) goes
 * into the next one. A lone request is not delayed by any timer; a flood shares commits.
 */
import type pg from 'pg';
import type { BatchRequest } from './apply.ts';
import { commitBatch } from './store.ts';
import type { CommittedBatch } from './store.ts';
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
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        await this.run(batch);
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

  private async run(batch: Pending[]): Promise<void> {
    const startedAt = performance.now();
    let committed: CommittedBatch | undefined;
    let lastError: unknown;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS && committed === undefined; attempt++) {
      let client: pg.PoolClient | undefined;
      try {
        client = await this.pool.connect();
        committed = await commitBatch(
          client,
          batch.map((p) => p.request),
          this.options.clock,
        );
        client.release();
      } catch (error) {
        // A broken connection must not go back to the pool.
        client?.release(error instanceof Error ? error : true);
        lastError = error;
        if (!isRetryable(error)) break;
      }
    }
    if (committed === undefined) {
      // Outcome unknown to the callers (the commit may or may not have happened): they retry
      // with the same ids, which the ledger answers idempotently.
      for (const pending of batch) pending.reject(lastError);
      return;
    }
    this.batchCount++;
    this.transferCount += committed.created;
    const transfers = batch.reduce((n, p) => n + p.request.inputs.length, 0);
    this.options.onBatch?.({
      transfers,
      created: committed.created,
      durationMs: performance.now() - startedAt,
    });
    batch.forEach((pending, i) => pending.resolve(committed.outcomes[i]!));
  }
}

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE_SQLSTATES.has(code);
}
