/**
 * Gathers concurrent requests into batches: while one batch is in its database transaction,
 * new requests queue, and the next batch is taken, its state read ahead on a second connection
 * and applied in memory on top of what the first batch is writing; the moment the first
 * commits, the second takes the lock and, if nobody else committed in between, writes what it
 * prepared. A lone request is not delayed by any timer; a flood shares commits. At most two
 * batches are in flight: one writing, one reading and applying ahead.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { classifyDatabaseFailure } from '@qianbao/db';
import type { BatchRequest } from './apply.ts';
import { answerAsFirstAttempt, nextStep } from './recovery.ts';
import { AccountCache, commitBatch, preloadBatch, prepareBatch, stateAfter } from './store.ts';
import type { CommittedBatch, PreparedBatch } from './store.ts';
import { LedgerClosedError, LedgerOverloadedError, LedgerUnavailableError } from './types.ts';
import type { TransferInput, TransferOutcome } from './types.ts';

export interface BatcherOptions {
  /** Most transfers in one database transaction. */
  maxBatchTransfers: number;
  /** Most transfers waiting; beyond it callers get LedgerOverloadedError at once. */
  maxQueuedTransfers: number;
  clock: () => bigint;
  /** HMAC key of the journal chain (ADR 0010); null: plain SHA-256. */
  journalKey: Uint8Array | null;
  onBatch?: (info: BatchInfo) => void;
  /** Most account rows kept between batches (see AccountCache); 0 turns the cache off. */
  maxCachedAccounts?: number;
  /**
   * How long the database may stay unavailable (connections lost, refused, or read-only) while a
   * batch reconnects before its callers get LedgerUnavailableError (ADR 0027). 10 s by default.
   */
  unavailableAfterMs?: number;
}

/** What `onBatch` hears after each committed batch. */
export interface BatchInfo {
  transfers: number;
  created: number;
  durationMs: number;
  /**
   * The journal head this batch left (unchanged when it created no transfer): a record this
   * process knows committed, with the hash it computed, for journal checkpoints (ADR 0010).
   */
  journalHead: { seq: bigint; hash: Uint8Array };
}

/** A batch on its way: what it applied ahead (known early), then what it committed. */
interface InFlight {
  /** Resolves once the batch has been applied ahead of the lock, or null when it was not. */
  ahead: Promise<PreparedBatch | null>;
  /** Resolves with what was committed, or null when the batch failed. */
  committed: Promise<PreparedBatch | null>;
  /**
   * Resolves once the callers have their results. The next batch is taken only then: callers
   * answered by this batch submit again from their continuations, which run before this.
   */
  finished: Promise<void>;
}

interface Pending {
  request: BatchRequest;
  resolve: (outcomes: TransferOutcome[]) => void;
  reject: (error: unknown) => void;
}

const DEFAULT_MAX_CACHED_ACCOUNTS = 200_000;
export const DEFAULT_UNAVAILABLE_AFTER_MS = 10_000;

export class Batcher {
  private queue: Pending[] = [];
  private queuedTransfers = 0;
  private running: Promise<void> | null = null;
  private closed = false;
  private batchCount = 0;
  private transferCount = 0;
  private aheadCount = 0;
  private readonly cache: AccountCache | null;
  /** Since when the database has been unavailable to this batcher; null once a batch commits. */
  private unavailableSince: number | null = null;
  /**
   * Bumped at every lost connection: state read or applied ahead before it may come from a server
   * that is no longer the leader, and is never written (ADR 0027).
   */
  private epoch = 0;
  private connectionLosses = 0;
  private recoveredCount = 0;
  private unavailableCount = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: BatcherOptions,
  ) {
    const maxCached = options.maxCachedAccounts ?? DEFAULT_MAX_CACHED_ACCOUNTS;
    this.cache = maxCached > 0 ? new AccountCache(maxCached) : null;
  }

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
      /** Batches written as applied ahead of the head lock (the rest were applied under it). */
      batchesAppliedAhead: this.aheadCount,
      transfers: this.transferCount,
      inFlight: this.running !== null,
      /** Connections lost (or found read-only) under a batch; each is replaced by a new one. */
      connectionLosses: this.connectionLosses,
      /** Batches committed after reconnecting (their commit or read was lost on the way). */
      batchesRecovered: this.recoveredCount,
      /** Batches whose callers got LedgerUnavailableError: the database stayed away too long. */
      batchesUnavailable: this.unavailableCount,
    };
  }

  /** Refuse new work and wait until everything already accepted has been answered. */
  async close(): Promise<void> {
    this.closed = true;
    await this.running;
  }

  private async drain(): Promise<void> {
    let previous: InFlight | null = null;
    try {
      for (;;) {
        if (this.queue.length === 0) {
          if (previous === null) return;
          await previous.finished;
          previous = null;
          continue;
        }
        const current = this.start(this.takeBatch(), previous);
        if (previous !== null) await previous.finished;
        previous = current;
      }
    } finally {
      this.running = null;
    }
  }

  private start(batch: Pending[], previous: InFlight | null): InFlight {
    let announce!: (prepared: PreparedBatch | null) => void;
    let settle!: (prepared: PreparedBatch | null) => void;
    const ahead = new Promise<PreparedBatch | null>((resolve) => (announce = resolve));
    const committed = new Promise<PreparedBatch | null>((resolve) => (settle = resolve));
    // run() never rejects; the finally only guards the chain against a bug: both are no-ops once settled.
    const finished = this.run(batch, previous, announce, settle).finally(() => {
      announce(null);
      settle(null);
    });
    return { ahead, committed, finished };
  }

  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let size = 0;
    let taken = 0;
    while (taken < this.queue.length) {
      const next = this.queue[taken]!;
      if (batch.length > 0 && size + next.request.inputs.length > this.options.maxBatchTransfers) break;
      taken++;
      batch.push(next);
      size += next.request.inputs.length;
    }
    // One splice per batch: a shift() per request is linear in the queue's length each time, and
    // with a backlog of tens of thousands it took a quarter of the thread (measured).
    this.queue.splice(0, taken);
    this.queuedTransfers -= size;
    return batch;
  }

  /**
   * Read ahead and apply ahead (announcing what was applied, so the next batch can build on it),
   * wait for the previous batch to finish, then commit. Never rejects: callers get their results
   * or the error; the next batch gets this one's committed state (or null) through `settle`,
   * before the callers hear: promise reactions run in order, and the next batch's script must
   * not wait behind the continuations of thousands of callers (ADR 0009).
   */
  private async run(
    batch: Pending[],
    previous: InFlight | null,
    announce: (prepared: PreparedBatch | null) => void,
    settle: (prepared: PreparedBatch | null) => void,
  ): Promise<void> {
    const startedAt = performance.now();
    const requests = batch.map((p) => p.request);
    let client: pg.PoolClient | undefined;
    let committed: CommittedBatch | undefined;
    let lastError: unknown;
    let unavailable = false;
    // Outcomes of attempts whose commit was sent when the connection broke: they may have committed.
    const lost: TransferOutcome[][][] = [];
    let reconnects = 0;
    try {
      const epoch = this.epoch;
      let ahead: { prepared: PreparedBatch; onTopOf: PreparedBatch | null } | null = null;
      try {
        client = await this.pool.connect();
        ahead = await this.applyAhead(client, requests, previous);
      } catch (error) {
        // Reading ahead is an optimisation: the commit loads under the lock instead, on a new
        // connection if this one is gone.
        if (classifyDatabaseFailure(error) === 'other') throw error;
      } finally {
        announce(ahead?.prepared ?? null);
      }
      const prior = previous === null ? null : await previous.committed;
      // Built on the previous batch: usable only if that batch committed exactly as prepared, and
      // only if no connection was lost since it was read (the leader may have changed).
      let usable =
        ahead !== null && epoch === this.epoch && (ahead.onTopOf === null || ahead.onTopOf === prior);
      let attemptsOnConnection = 0;
      for (;;) {
        const sent: { batch: PreparedBatch | null } = { batch: null };
        try {
          client ??= await this.pool.connect();
          committed = await commitBatch(client, requests, {
            clock: this.options.clock,
            journalKey: this.options.journalKey,
            ahead: usable ? ahead!.prepared : null,
            cache: this.cache,
            onWrite: (prepared) => (sent.batch = prepared),
          });
          break;
        } catch (error) {
          lastError = error;
          usable = false; // a retry loads afresh, under the lock
          attemptsOnConnection++;
          const step = nextStep(error, {
            attemptsOnConnection,
            reconnects,
            unavailableSince: this.unavailableSince,
            now: Date.now(),
            unavailableAfterMs: this.options.unavailableAfterMs ?? DEFAULT_UNAVAILABLE_AFTER_MS,
          });
          if (step.kind === 'again') continue;
          if (step.kind === 'fail') break;
          if (sent.batch !== null) lost.push(sent.batch.effects.outcomes);
          // The connection is gone or on a read-only node: drop it and everything this process
          // remembers of the database, and try a new one (HAProxy or DNS lead it to the leader).
          this.connectionLost();
          client?.release(error instanceof Error ? error : new Error(String(error)));
          client = undefined;
          if (step.kind === 'unavailable') {
            unavailable = true;
            break;
          }
          reconnects++;
          attemptsOnConnection = 0;
          await sleep(step.pauseMs);
        }
      }
    } catch (error) {
      lastError = error;
    } finally {
      // A connection that failed mid-batch must not go back to the pool.
      client?.release(committed === undefined && lastError instanceof Error ? lastError : undefined);
      announce(null); // no-op once announced; unblocks the next batch on any early failure
    }
    if (committed === undefined) {
      settle(null);
      if (unavailable) this.unavailableCount++;
      // Outcome unknown to the callers (the commit may or may not have happened): they retry
      // with the same ids, which the ledger answers idempotently.
      const error = unavailable ? new LedgerUnavailableError({ cause: lastError }) : lastError;
      for (const pending of batch) pending.reject(error);
      return;
    }
    this.unavailableSince = null;
    const { prepared } = committed;
    this.cache?.committed(prepared);
    settle(prepared);
    this.batchCount++;
    if (committed.appliedAhead) this.aheadCount++;
    if (reconnects > 0 || lost.length > 0) this.recoveredCount++;
    this.transferCount += prepared.effects.created.length;
    const transfers = requests.reduce((n, r) => n + r.inputs.length, 0);
    try {
      this.options.onBatch?.({
        transfers,
        created: prepared.effects.created.length,
        durationMs: performance.now() - startedAt,
        journalHead: { seq: prepared.after.seq, hash: prepared.after.hash },
      });
    } catch {
      // A metrics callback must not keep callers from their committed results.
    }
    // Where a lost commit did happen, its callers hear what it decided (recovery.ts).
    const outcomes =
      lost.length === 0 ? prepared.effects.outcomes : answerAsFirstAttempt(prepared.effects.outcomes, lost);
    batch.forEach((pending, i) => pending.resolve(outcomes[i]!));
  }

  /** A connection was lost or found read-only: nothing in memory about the database holds any more. */
  private connectionLost(): void {
    this.connectionLosses++;
    this.epoch++;
    this.cache?.clear();
    this.unavailableSince ??= Date.now();
  }

  /**
   * Read the batch's state in one snapshot and apply it in memory. When the snapshot predates the
   * previous batch (still writing), apply on top of what that batch prepared.
   */
  private async applyAhead(
    client: pg.PoolClient,
    requests: readonly BatchRequest[],
    previous: InFlight | null,
  ): Promise<{ prepared: PreparedBatch; onTopOf: PreparedBatch | null }> {
    const preloaded = await preloadBatch(client, requests, this.cache);
    const before = previous === null ? null : await previous.ahead;
    if (before !== null && preloaded.head.version === before.base.version) {
      const state = stateAfter(preloaded, before);
      return { prepared: prepareBatch(requests, state, before.after, this.options), onTopOf: before };
    }
    return {
      prepared: prepareBatch(requests, preloaded.state, preloaded.head, this.options),
      onTopOf: null,
    };
  }
}
