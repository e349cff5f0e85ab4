/**
 * Many small queries from concurrent requests, sent as one (ADR 0008).
 *
 * A request that waits on a dozen sequential round trips spends most of its time in them, and
 * each round trip costs both ends a system call, a wake-up and a statement of their own. A
 * `Coalescer` gathers the calls made while earlier ones are on the wire and serves them with a
 * single statement (`WHERE id = ANY($1)`, `INSERT … SELECT FROM unnest(…)`): an idle server
 * sends a lone call at once, a busy one sends one statement for dozens of calls.
 *
 * Consistency: a call never joins a statement already sent, so the statement that serves it
 * starts after the call was made and sees every commit that preceded the call. A write's promise
 * settles only after its statement has committed.
 */
import { isUnavailable } from './failures.ts';

export interface CoalescerOptions {
  /** Calls served by one statement at most (bounds the statement's size). */
  maxBatch?: number;
  /** Statements on the wire at once; calls made meanwhile wait for the next one. */
  maxInFlight?: number;
  /**
   * When a batch fails, serve its calls one by one (the default), so that one bad call (a
   * malformed id, a constraint it breaks) fails alone instead of failing the calls that happened
   * to share its statement. A failed statement changed nothing, so serving again is safe.
   */
  isolateFailures?: boolean;
}

interface Waiting<I, O> {
  input: I;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
}

export class Coalescer<I, O> {
  private queue: Waiting<I, O>[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly isolateFailures: boolean;

  /**
   * `run` serves a batch: one output per input, in the same order. If it throws, every call of
   * the batch gets the error.
   */
  constructor(
    private readonly run: (inputs: readonly I[]) => Promise<readonly O[]>,
    options: CoalescerOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 500;
    this.maxInFlight = options.maxInFlight ?? 2;
    this.isolateFailures = options.isolateFailures ?? true;
  }

  call(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    // After the I/O callbacks of this turn of the event loop: the calls they make join in.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      void this.serve(batch).finally(() => {
        this.inFlight--;
        this.schedule();
      });
    }
  }

  private async serve(batch: Waiting<I, O>[]): Promise<void> {
    try {
      const outputs = await this.run(batch.map((waiting) => waiting.input));
      if (outputs.length !== batch.length) {
        throw new Error(`coalesced statement answered ${outputs.length} of ${batch.length} calls`);
      }
      batch.forEach((waiting, i) => waiting.resolve(outputs[i]!));
    } catch (error) {
      // One bad call fails alone; but a database that is gone fails them all, at once (ADR 0027).
      if (this.isolateFailures && batch.length > 1 && !isUnavailable(error)) {
        await Promise.all(batch.map((waiting) => this.serve([waiting])));
      } else {
        for (const waiting of batch) waiting.reject(error);
      }
    }
  }
}

/** Serve keyed lookups from rows fetched for all keys at once: `null` where no row has the key. */
export function byKey<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): (R | null)[] {
  const found = new Map<K, R>();
  for (const row of rows) found.set(keyOf(row), row);
  return keys.map((key) => found.get(key) ?? null);
}
