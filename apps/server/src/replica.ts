import type pg from 'pg';
import { isUnavailable } from '@qianbao/db';

/** A replica that does not say within this long whether it has caught up is not waited for. */
const CHECK_TIMEOUT_MS = 500;
/** After a replica failed, reads stay on the primary this long before it is tried again. */
const DOWN_FOR_MS = 10_000;

/**
 * Reads that may be served by a streaming replica (`DATABASE_REPLICA_URL`, ADR 0027): a holder's
 * history pages and entries, which are most of what a wallet app reads and none of which a
 * payment needs. The primary keeps every write and every read a decision depends on.
 *
 * A replica lags (milliseconds, under synchronous replication up to the apply of the standby;
 * more when it is busy). Each read therefore says what it must see — for history, the projection
 * cursor the primary just reached when the read caught the projection up — and is served by the
 * replica only if the replica has replayed at least that far; otherwise, and whenever the replica
 * is down or slow to answer, by the primary. So a holder always sees the payment they were just
 * answered for (read-your-writes), and a replica can only ever take load off the primary, never
 * make a read wrong or fail.
 */
export class ReplicaReads {
  private downUntil = 0;
  private readonly counts = { replica: 0, primary: 0, replicaFailures: 0 };

  constructor(
    private readonly primary: pg.Pool,
    private readonly replica: pg.Pool | null,
  ) {}

  /**
   * `read` on the replica when `caughtUp(replica)` holds there, else on the primary. A replica
   * that fails (the check or the read) is left alone for a while and the read runs on the primary.
   */
  async read<T>(
    caughtUp: (replica: pg.Pool) => Promise<boolean>,
    read: (pool: pg.Pool) => Promise<T>,
  ): Promise<T> {
    const replica = this.replica;
    if (replica !== null && Date.now() >= this.downUntil) {
      try {
        if (await withTimeout(caughtUp(replica), CHECK_TIMEOUT_MS)) {
          const result = await read(replica);
          this.counts.replica++;
          return result;
        }
      } catch (error) {
        // Down, unreachable, slow, or failing over itself: the primary answers instead.
        if (!isUnavailable(error) && !(error instanceof ReplicaTimeoutError)) throw error;
        this.counts.replicaFailures++;
        this.downUntil = Date.now() + DOWN_FOR_MS;
      }
    }
    this.counts.primary++;
    return read(this.primary);
  }

  /** Reads served by each side so far (tests, metrics). */
  stats(): { replica: number; primary: number; replicaFailures: number } {
    return { ...this.counts };
  }
}

class ReplicaTimeoutError extends Error {}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  promise.catch(() => {}); // a late failure after the timeout is not an unhandled rejection
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new ReplicaTimeoutError(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
