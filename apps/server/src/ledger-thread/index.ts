import { Worker } from 'node:worker_threads';
import type pg from 'pg';
import { Ledger, LedgerClosedError, LedgerOverloadedError, LedgerUnavailableError } from '@qianbao/ledger';
import type { LedgerOptions, TransferInput, TransferOutcome } from '@qianbao/ledger';
import type { BatchInfo, FromWorker, SerializedError, ToWorker, WorkerConfig } from './protocol.ts';
import { TracedCalls } from '../tracing-ledger-calls.ts';
import { tracingEnabled } from '../tracing.ts';

/** What the server uses of a ledger: the in-process `Ledger` and `ThreadedLedger` both fit. */
export type LedgerPort = Pick<
  Ledger,
  | 'createAccounts'
  | 'createTransfers'
  | 'expirePending'
  | 'findAccounts'
  | 'getAccount'
  | 'getBalance'
  | 'getTransfer'
  | 'listTransfers'
  | 'stats'
  | 'close'
>;

type Stats = ReturnType<Ledger['stats']>;

export interface ThreadedLedgerOptions {
  /** The pool of the main thread: reads and account creation run here. */
  pool: pg.Pool;
  /** The worker opens its own connections (two suffice: one committing, one reading ahead). */
  connectionString: string;
  writerConnections?: number;
  ledger?: Pick<
    LedgerOptions,
    'maxBatchTransfers' | 'maxQueuedTransfers' | 'journalKey' | 'sealLegacyJournal' | 'unavailableAfterMs'
  >;
  onBatch?: (info: BatchInfo) => void;
  /** The worker died: the process can no longer move money and should stop. */
  onFatal?: (error: Error) => void;
}

/**
 * The ledger with its batcher on a thread of its own (ADR 0008). A batch is a chain of about a
 * dozen database round trips; on the request thread each of them waits its turn behind the
 * parsing, validation and queries of every request in flight, so under load a batch took
 * 100 ms or more, all of it queueing. On its own thread the chain runs unimpeded.
 *
 * Only `createTransfers` and `expirePending` (which submits voids to the thread's batcher) cross
 * to the thread; reads and account creation stay on the calling thread, where they cost no
 * message. Values cross by structured clone, which keeps `bigint` and `Date`.
 */
export class ThreadedLedger implements LedgerPort {
  private readonly calls = new Map<
    number,
    { resolve: (value: TransferOutcome[]) => void; reject: (error: unknown) => void }
  >();
  private readonly expiries = new Map<
    number,
    { resolve: (count: number) => void; reject: (error: unknown) => void }
  >();
  private nextCallId = 1;
  private lastStats: Stats;
  private closing: Promise<void> | null = null;
  private failed: Error | null = null;
  /** Tracing on (when the ledger opened): each call's span, linked from the batch that served it. */
  private readonly traced = tracingEnabled() ? new TracedCalls() : null;

  private constructor(
    private readonly reads: Ledger,
    private readonly worker: Worker,
    private readonly options: ThreadedLedgerOptions,
  ) {
    this.lastStats = reads.stats(); // all zero: the same shape as the thread's reports
    worker.on('message', (message: FromWorker) => this.receive(message));
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => {
      if (this.closing === null) this.fail(new Error(`the ledger thread exited with code ${code}`));
    });
  }

  static async open(options: ThreadedLedgerOptions): Promise<ThreadedLedger> {
    // The calling thread's ledger never batches: createTransfers and expirePending go to the thread.
    const reads = await Ledger.open(options.pool, options.ledger);
    const config: WorkerConfig = {
      connectionString: options.connectionString,
      writerConnections: options.writerConnections ?? 3,
      ledger: options.ledger ?? {},
      ...(tracingEnabled() ? { tracing: true } : {}),
    };
    const worker = new Worker(bootstrap(new URL('./worker.ts', import.meta.url).href), {
      eval: true,
      workerData: config,
      name: 'qianbao-ledger',
    });
    const threaded = new ThreadedLedger(reads, worker, options);
    await threaded.ready();
    return threaded;
  }

  createTransfers(inputs: readonly TransferInput[]): Promise<TransferOutcome[]> {
    if (this.failed) return Promise.reject(new LedgerClosedError());
    if (this.closing) return Promise.reject(new LedgerClosedError());
    if (inputs.length === 0) return Promise.resolve([]);
    const id = this.nextCallId++;
    const trace = this.traced?.start(id, inputs.length);
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      this.post({ type: 'createTransfers', id, inputs, ...(trace ? { trace } : {}) });
    });
  }

  /** Void the holds past their timeout, on the thread (its batcher alone may write `expired` voids). */
  expirePending(): Promise<number> {
    if (this.failed || this.closing) return Promise.reject(new LedgerClosedError());
    const id = this.nextCallId++;
    return new Promise((resolve, reject) => {
      this.expiries.set(id, { resolve, reject });
      this.post({ type: 'expirePending', id });
    });
  }

  createAccounts(...args: Parameters<Ledger['createAccounts']>): ReturnType<Ledger['createAccounts']> {
    return this.reads.createAccounts(...args);
  }

  getAccount(...args: Parameters<Ledger['getAccount']>): ReturnType<Ledger['getAccount']> {
    return this.reads.getAccount(...args);
  }

  findAccounts(...args: Parameters<Ledger['findAccounts']>): ReturnType<Ledger['findAccounts']> {
    return this.reads.findAccounts(...args);
  }

  getBalance(...args: Parameters<Ledger['getBalance']>): ReturnType<Ledger['getBalance']> {
    return this.reads.getBalance(...args);
  }

  getTransfer(...args: Parameters<Ledger['getTransfer']>): ReturnType<Ledger['getTransfer']> {
    return this.reads.getTransfer(...args);
  }

  listTransfers(...args: Parameters<Ledger['listTransfers']>): ReturnType<Ledger['listTransfers']> {
    return this.reads.listTransfers(...args);
  }

  /** As of the thread's last report (after each batch): good enough for a metrics scrape. */
  stats(): Stats {
    return { ...this.lastStats };
  }

  /** Refuse new work, let the thread finish every accepted batch, then stop it. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (!this.failed) {
        const closed = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
        this.post({ type: 'close' });
        await closed;
      }
      await this.reads.close();
    })();
    return this.closing;
  }

  private ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: FromWorker) => {
        if (message.type === 'ready') {
          cleanup();
          resolve();
        } else if (message.type === 'fatal') {
          cleanup();
          reject(revive(message.error));
        }
      };
      const onError = (error: Error) => {
        cleanup();
        reject(error);
      };
      const cleanup = () => {
        this.worker.off('message', onMessage);
        this.worker.off('error', onError);
      };
      this.worker.on('message', onMessage);
      this.worker.on('error', onError);
    });
  }

  private post(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  private receive(message: FromWorker): void {
    switch (message.type) {
      case 'result': {
        const call = this.calls.get(message.id);
        this.calls.delete(message.id);
        this.traced?.answer(message.id, message.error);
        if (message.error) call?.reject(revive(message.error));
        else call?.resolve(message.outcomes ?? []);
        return;
      }
      case 'batchTrace':
        this.traced?.batch(message.batch, message.calls);
        return;
      case 'expired': {
        const call = this.expiries.get(message.id);
        this.expiries.delete(message.id);
        if (message.error) call?.reject(revive(message.error));
        else call?.resolve(message.count ?? 0);
        return;
      }
      case 'batch':
        this.lastStats = message.stats;
        this.options.onBatch?.(message.info);
        return;
      case 'fatal':
        this.fail(revive(message.error));
        return;
      case 'ready':
        return;
    }
  }

  private fail(error: Error): void {
    if (this.failed) return;
    this.failed = error;
    // Their outcome is unknown: like a batch whose commit failed, callers retry with their ids.
    for (const call of [...this.calls.values(), ...this.expiries.values()]) call.reject(error);
    this.traced?.fail(error);
    this.calls.clear();
    this.expiries.clear();
    this.options.onFatal?.(error);
  }
}

/** A CommonJS snippet that registers tsx in the new thread, then loads the TypeScript entry. */
function bootstrap(entry: string): string {
  const tsx = import.meta.resolve('tsx/esm/api');
  return (
    `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })` +
    `.catch((error) => { require('node:worker_threads').parentPort.postMessage(` +
    `{ type: 'fatal', error: { name: error.name, message: String(error.stack || error) } }); });`
  );
}

/** The errors callers tell apart keep their class; any other keeps its name, message and code. */
function revive(serialized: SerializedError): Error {
  if (serialized.name === 'LedgerOverloadedError') return new LedgerOverloadedError();
  if (serialized.name === 'LedgerClosedError') return new LedgerClosedError();
  if (serialized.name === 'LedgerUnavailableError') return new LedgerUnavailableError();
  const error =
    serialized.name === 'RangeError' ? new RangeError(serialized.message) : new Error(serialized.message);
  if (serialized.name !== 'RangeError') error.name = serialized.name;
  if (serialized.code !== undefined) Object.assign(error, { code: serialized.code });
  return error;
}
