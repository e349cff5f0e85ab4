/**
 * The ledger thread's side of tracing (tracing.ts): it has no exporter of its own, it times. Each
 * committed batch is reported with its database statements and the traced calls whose results
 * it produced; the main thread turns that into a `ledger.batch` span linked to those calls
 * (tracing-ledger-calls.ts).
 *
 * Which calls a batch served: the batcher answers a batch's callers right after `onBatch`, in
 * promise continuations; the report goes out on `setImmediate`, after every continuation has run
 * and before the next batch can commit (that takes a database round trip). Its statements: the
 * batcher holds one connection per batch and releases it just before `onBatch`, so the last
 * connection released is the batch's. Runs only when tracing is on.
 */
import type pg from 'pg';
// Types only: the ledger thread loads no OpenTelemetry code.
import type { BatchTrace, QueryTiming } from './tracing.ts';

type Query = (...args: unknown[]) => unknown;

export class BatchTimer {
  /** The statements of the connection released last. */
  private released: QueryTiming[] = [];
  /** The batch whose callers are being answered now. */
  private answering: { calls: number[] } | null = null;

  constructor(private readonly report: (batch: BatchTrace, calls: number[]) => void) {}

  /** Time the statements of every connection checked out of `pool` with a promise. */
  watch(pool: pg.Pool): void {
    const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
    (pool as unknown as { connect: (...args: unknown[]) => unknown }).connect = (...args: unknown[]) => {
      if (args.length > 0) return (connect as (...a: unknown[]) => unknown)(...args);
      return connect().then((client) => this.time(client));
    };
  }

  /** Call from `onBatch`. */
  committed(info: { transfers: number; durationMs: number }): void {
    const queries = this.released;
    this.released = [];
    const answering = { calls: [] as number[] };
    this.answering = answering;
    const startedAtMs = Date.now() - info.durationMs;
    setImmediate(() => {
      if (this.answering === answering) this.answering = null;
      this.report(
        { startedAtMs, durationMs: info.durationMs, transfers: info.transfers, queries },
        answering.calls,
      );
    });
  }

  /** A traced call was answered with outcomes: by the batch being answered, if any. */
  served(callId: number): void {
    this.answering?.calls.push(callId);
  }

  private time(client: pg.PoolClient): pg.PoolClient {
    const queries: QueryTiming[] = [];
    const own = client as unknown as { query: Query; release: (error?: Error | boolean) => void };
    const query = own.query;
    const release = own.release; // the pool sets it afresh at each checkout
    own.query = (...args: unknown[]) => {
      const first = args[0];
      const streaming = typeof (first as { submit?: unknown } | null)?.submit === 'function';
      if (streaming || typeof args.at(-1) === 'function') return query.apply(client, args);
      const config = (first as { text?: unknown } | null)?.text;
      const text = typeof first === 'string' ? first : typeof config === 'string' ? config : '';
      const startedAtMs = performance.timeOrigin + performance.now();
      const timing = { operation: operationOf(text), startedAtMs, durationMs: 0, failed: false };
      queries.push(timing);
      return (query.apply(client, args) as Promise<unknown>).then(
        (value) => {
          timing.durationMs = performance.timeOrigin + performance.now() - startedAtMs;
          return value;
        },
        (error: unknown) => {
          timing.durationMs = performance.timeOrigin + performance.now() - startedAtMs;
          timing.failed = true;
          throw error;
        },
      );
    };
    own.release = (error?: Error | boolean) => {
      delete (client as unknown as { query?: Query }).query; // the prototype's again
      this.released = queries;
      return release.call(client, error);
    };
    return client;
  }
}

/** The first keyword of a statement (a batch is one script: `BEGIN …; … COMMIT`). */
function operationOf(sql: string): string {
  const match = /^\s*([A-Za-z]+)/.exec(sql);
  return match ? match[1]!.toUpperCase() : 'QUERY';
}
