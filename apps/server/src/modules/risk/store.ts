/**
 * The risk module's SQL: the engine's state in PostgreSQL (`PgRiskStateStore`, the server's
 * `RiskStateStore`), rule sets, lists, decisions and step-ups.
 *
 * Velocity windows are kept in buckets: a window of W seconds in buckets of W/12 seconds, so one
 * window is at most 13 rows of one index range, and the oldest bucket is counted whole (a window
 * may count up to a twelfth of W more than its exact length: it errs towards caution). The
 * memory store of the synthetic evaluation keeps exact windows; `bucketOf` is the only
 * difference between the two.
 */
import type pg from 'pg';
import { Coalescer, withTransaction } from '@qianbao/db';

import type { PlaceLookup } from '../../adapters/places/index.ts';
import {
  AMOUNT_BINS,
  COUNTERS,
  attemptChanges,
  credentialResetChanges,
  factorFailureChanges,
  receivedChanges,
  refundChanges,
  refundPayee,
  signInChanges,
  stateKeys,
  successChanges,
} from './engine/features.ts';
import type { AttemptPrior, CounterDefinition, StateChange } from './engine/features.ts';
import type {
  Decision,
  Facts,
  Judgement,
  ListName,
  MerchantRefundFacts,
  PaymentFacts,
  ReceivedFacts,
  Place,
  RiskState,
  RiskStateStore,
  Rule,
  SignInFacts,
  Subject,
  Thresholds,
  WindowTotals,
} from './engine/types.ts';

export const BUCKETS_PER_WINDOW = 12;

/** The bucket (its number, in units of W/12 seconds since the epoch) an instant falls in. */
export function bucketOf(windowSeconds: number, at: Date): number {
  const size = (windowSeconds * 1000) / BUCKETS_PER_WINDOW;
  return Math.floor(at.getTime() / size);
}

function parseWindowKey(windowKey: string): { key: string; seconds: number } {
  const at = windowKey.lastIndexOf('@');
  return { key: windowKey.slice(0, at), seconds: Number(windowKey.slice(at + 1)) };
}

/** A pool, or one connection (a judgement's, which holds its holder's lock). */
export type Queryable = Pick<pg.Pool, 'query'>;

export class PgRiskStateStore implements RiskStateStore {
  /**
   * Counters many holders write (an IP's, a device's, a payee's, a card's): concurrent judgements'
   * increments summed into one autocommit statement (packages/db Coalescer), outside any holder's
   * transaction, without waiting for its WAL flush — so no payment waits on a row another
   * payment's transaction holds. A holder's own counters are written under its lock instead.
   */
  private readonly shared: Coalescer<SharedIncrement, void>;
  /**
   * What payments that moved money change (`recordSuccess`): the concurrent payments' payees,
   * amounts and credited counters in one autocommit statement (`successStatement`) instead of
   * three each. Durable like each of the three was (the commit waits for its WAL flush).
   */
  private readonly successes: Coalescer<SuccessWrite, void>;

  constructor(
    private readonly pool: Queryable,
    private readonly places: PlaceLookup,
    coalescers?: { shared: Coalescer<SharedIncrement, void>; successes: Coalescer<SuccessWrite, void> },
  ) {
    this.shared =
      coalescers?.shared ??
      new Coalescer<SharedIncrement, void>(async (calls) => {
        await addCounters(
          pool,
          calls.flatMap((call) => call.changes.map((change) => ({ change, shard: call.shard }))),
          { synchronousCommit: false },
        );
        return calls.map(() => undefined);
      });
    this.successes =
      coalescers?.successes ??
      new Coalescer<SuccessWrite, void>(async (calls) => {
        await pool.query(successStatement(calls));
        return calls.map(() => undefined);
      });
  }

  /** The same store on another connection (a judgement's client); coalesced writes still go through the pool. */
  on(db: Queryable): PgRiskStateStore {
    return new PgRiskStateStore(db, this.places, { shared: this.shared, successes: this.successes });
  }

  /**
   * The state, read after taking the holder's lock (`holderLock`) in the same round trip
   * (`risk_state`, migration 1101). The lock is a session lock on this store's connection: the
   * caller must end it with `recordJudged` or, on any failure, by destroying the connection
   * (`client.release(true)`), never return the connection to the pool still holding it.
   */
  async readLocked(facts: PaymentFacts | MerchantRefundFacts, holderLock: string): Promise<RiskState> {
    return this.readState(facts, holderLock);
  }

  /**
   * A judgement's writes, in one round trip (`risk_judged`, migration 1101): the decision, the
   * device seen and the holder's own counters (its key's, its pairs with payees'), committed,
   * then the lock `readLocked` took released — after the commit, so the holder's next judgement
   * reads them. The counters other holders write too (an IP's, a payee's) are returned: call
   * `flushShared` with them.
   *
   * The commit does not wait for its WAL flush: the payment's own ledger commit, later in the
   * WAL, flushes it (so a decision whose money moved is as durable as the money); a crash can
   * lose only the last moments' decisions and counts of payments that moved nothing.
   */
  async recordJudged(input: {
    facts: PaymentFacts;
    prior: AttemptPrior;
    decision: DecisionRow;
    holderLock: string;
  }): Promise<StateChange[]> {
    const { facts, decision } = input;
    const changes = attemptChanges(facts, input.prior);
    // The holder's own counters: its key, and its pairs with payees (`pair:<holder>><payee>`).
    const own = [`holder:${facts.holderId}:`, `pair:${facts.holderId}>`];
    const isShared = (c: StateChange) =>
      c.type === 'counter' && !own.some((prefix) => c.key.startsWith(prefix));
    let device: { deviceId: string; at: Date } | null = null;
    const counters: CounterChange[] = [];
    for (const change of changes) {
      if (isShared(change)) continue;
      if (change.type === 'counter') counters.push(change);
      else if (change.type === 'device_seen' && change.holderId === facts.holderId && device === null)
        device = change;
      else throw new Error(`risk: an attempt's change the judgement cannot write: ${change.type}`);
    }
    const shard = shardOf(facts.holderId);
    const rows = counterRows(counters.map((change) => ({ change, shard })));
    await this.pool.query({
      name: 'risk_judged',
      text: `CALL risk_judged($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                              $16, $17, $18, $19, $20, $21, $22)`,
      values: [
        input.holderLock,
        ...decisionValues(decision),
        device?.deviceId ?? null,
        device?.at ?? null,
        rows.keys,
        rows.windows,
        rows.buckets,
        shard,
        rows.sums,
      ],
    });
    return changes.filter(isShared);
  }

  /**
   * A merchant refund's judgement, as `recordJudged` a payment's and through the same procedure
   * (`risk_judged`): the decision and — when it let the refund through — the merchant's refund
   * counters, committed, then the merchant's lock `readLocked` took released. The counters are
   * the merchant's own (its lock serialises their writers), so nothing is left to flush.
   */
  async recordRefundJudged(input: {
    facts: MerchantRefundFacts;
    decision: DecisionRow;
    counted: boolean;
    lock: string;
  }): Promise<void> {
    const counters = input.counted
      ? refundChanges(input.facts).filter((c): c is CounterChange => c.type === 'counter')
      : [];
    const shard = shardOf(input.facts.merchantId);
    const rows = counterRows(counters.map((change) => ({ change, shard })));
    await this.pool.query({
      name: 'risk_judged',
      text: `CALL risk_judged($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                              $16, $17, $18, $19, $20, $21, $22)`,
      values: [
        input.lock,
        ...decisionValues(input.decision),
        null,
        null,
        rows.keys,
        rows.windows,
        rows.buckets,
        shard,
        rows.sums,
      ],
    });
  }

  /** Shared counters (see `shared`), once the holder's transaction has committed. */
  async flushShared(changes: readonly StateChange[], holderId: string): Promise<void> {
    const counters = changes.filter((c): c is CounterChange => c.type === 'counter');
    if (counters.length > 0) await this.shared.call({ changes: counters, shard: shardOf(holderId) });
  }

  async read(facts: Facts): Promise<RiskState> {
    return this.readState(facts, null);
  }

  private async readState(facts: Facts, holderLock: string | null): Promise<RiskState> {
    const windowKeys = stateKeys(facts);
    const parsed = windowKeys.map(parseWindowKey);
    const payment = facts.subject === 'payment' ? facts : null;
    // A refund reads the merchant's windows and the payee lists: no holder (every holder's
    // part of the read is empty for a null holder).
    const holder = facts.subject === 'merchant_refund' ? null : facts;
    // Named, and its query planned once per connection inside the function (PL/pgSQL keeps its
    // plans), not on every judgement: the plan is most of the cost.
    const { rows } = await this.pool.query<StateRow>({
      name: 'risk_state',
      text: 'SELECT * FROM risk_state($1, $2, $3, $4, $5, $6, $7, $8)',
      values: [
        parsed.map((w) => w.key),
        parsed.map((w) => w.seconds),
        parsed.map((w) => bucketOf(w.seconds, facts.at) - BUCKETS_PER_WINDOW),
        holder?.holderId ?? null,
        payment?.payee ?? null,
        holder?.deviceId ?? null,
        listValues(facts),
        holderLock,
      ],
    });
    const row = rows[0]!;
    const windows: Record<string, WindowTotals> = {};
    (row.windows ?? []).forEach((totals, i) => {
      if (totals) windows[windowKeys[i]!] = { count: Number(totals.count), sum: Number(totals.sum) };
    });
    return {
      windows,
      amountHistogram: row.bins,
      payeeFirstPaidAt: row.payee_first_paid_at,
      deviceFirstSeenAt: row.device_first_seen_at,
      holderFirstSeenAt: row.holder_first_seen_at,
      lastSignIn: row.last_sign_in_at ? { at: row.last_sign_in_at, place: placeOfRow(row) } : null,
      place: holder ? this.places.placeOf(holder.ip) : null,
      lastCredentialResetAt: row.credential_reset_at,
      lists: {
        deny: (row.deny ?? []) as ListName[],
        allow: (row.allow ?? []) as ListName[],
      },
    };
  }

  /**
   * A judged attempt. `prior`: the state the judgement read (the first-time counts depend on
   * it); read again when not given.
   */
  async recordAttempt(facts: PaymentFacts, _judgement: Judgement, prior?: AttemptPrior): Promise<void> {
    await this.apply(attemptChanges(facts, prior ?? (await this.read(facts))), facts.holderId);
  }

  /** A payment that moved money: its changes join the concurrent ones' statement (`successes`). */
  async recordSuccess(facts: PaymentFacts): Promise<void> {
    await this.successes.call({ changes: successChanges(facts), shard: shardOf(facts.holderId) });
  }

  async recordRefund(facts: MerchantRefundFacts): Promise<void> {
    await this.apply(refundChanges(facts), facts.merchantId);
  }

  /** A red packet's share credited: counters only, keyed by the receiver and the sender. */
  async recordReceived(facts: ReceivedFacts): Promise<void> {
    await this.apply(receivedChanges(facts), facts.toHolderId);
  }

  async recordSignIn(facts: SignInFacts, place: Place | null): Promise<void> {
    await this.apply(signInChanges(facts, place), facts.holderId);
  }

  async recordCredentialReset(holderId: string, at: Date): Promise<void> {
    await this.apply(credentialResetChanges(holderId, at), holderId);
  }

  async recordFactorFailure(holderId: string, at: Date): Promise<void> {
    await this.apply(factorFailureChanges(holderId, at), holderId);
  }

  /**
   * Apply changes (engine/features.ts), in one statement per kind of change, each an upsert
   * that is right whatever runs beside it: counters add, first times keep the earliest, last
   * times the latest, the amount histogram adds to one bin in place (forward decay: a weight
   * never needs rescaling).
   */
  async apply(changes: readonly StateChange[], holderId: string): Promise<void> {
    const counters = changes.filter(
      (c): c is Extract<StateChange, { type: 'counter' }> => c.type === 'counter',
    );
    const writes: Promise<unknown>[] = [];
    for (const change of changes) {
      switch (change.type) {
        case 'counter':
          break;
        case 'amount':
          writes.push(
            this.pool.query(
              `INSERT INTO risk_amounts AS a (holder_id, bins)
               VALUES ($1, (SELECT array_agg(CASE WHEN i = $2 THEN $3::float8 ELSE 0 END ORDER BY i) FROM generate_series(1, $4) AS i))
               ON CONFLICT (holder_id) DO UPDATE SET bins[$2] = a.bins[$2] + $3::float8`,
              [change.holderId, change.bin + 1, change.weight, AMOUNT_BINS],
            ),
          );
          break;
        case 'payee_first_paid':
          writes.push(
            this.pool.query(
              `INSERT INTO risk_payees AS p (holder_id, payee, first_paid_at) VALUES ($1, $2, $3)
               ON CONFLICT (holder_id, payee) DO UPDATE SET first_paid_at = least(p.first_paid_at, excluded.first_paid_at)
               WHERE excluded.first_paid_at < p.first_paid_at`,
              [change.holderId, change.payee, change.at],
            ),
          );
          break;
        case 'device_seen':
          writes.push(
            this.pool.query(
              `INSERT INTO risk_devices AS d (holder_id, device_id, first_seen_at) VALUES ($1, $2, $3)
               ON CONFLICT (holder_id, device_id) DO UPDATE SET first_seen_at = excluded.first_seen_at
               WHERE excluded.first_seen_at < d.first_seen_at`,
              [change.holderId, change.deviceId, change.at],
            ),
          );
          break;
        case 'sign_in':
          writes.push(
            this.pool.query(
              `INSERT INTO risk_holders AS h (holder_id, last_sign_in_at, last_sign_in_city,
                                              last_sign_in_latitude, last_sign_in_longitude)
               VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (holder_id) DO UPDATE SET
                 last_sign_in_at = excluded.last_sign_in_at, last_sign_in_city = excluded.last_sign_in_city,
                 last_sign_in_latitude = excluded.last_sign_in_latitude,
                 last_sign_in_longitude = excluded.last_sign_in_longitude
               WHERE h.last_sign_in_at IS NULL OR h.last_sign_in_at <= excluded.last_sign_in_at`,
              [
                change.holderId,
                change.at,
                change.place?.city ?? null,
                change.place?.latitude ?? null,
                change.place?.longitude ?? null,
              ],
            ),
          );
          break;
        case 'credential_reset':
          writes.push(
            this.pool.query(
              `INSERT INTO risk_holders AS h (holder_id, credential_reset_at) VALUES ($1, $2)
               ON CONFLICT (holder_id) DO UPDATE SET
                 credential_reset_at = greatest(h.credential_reset_at, excluded.credential_reset_at)`,
              [change.holderId, change.at],
            ),
          );
          break;
      }
    }
    // Counters last: should a caller run this in a transaction, their rows — some shared by many
    // holders, an IP's or a payee's — stay locked until its commit, so they are taken as late as can be.
    const shard = shardOf(holderId);
    if (counters.length > 0)
      writes.push(
        addCounters(
          this.pool,
          counters.map((change) => ({ change, shard })),
        ),
      );
    await Promise.all(writes);
  }

  /** Delete the buckets no window reads any more (the `risk.prune` job). */
  async prune(now: Date): Promise<number> {
    const { rowCount } = await this.pool.query(
      `DELETE FROM risk_counters
        WHERE bucket < floor($1::float8 * ${BUCKETS_PER_WINDOW} / window_seconds) - ${BUCKETS_PER_WINDOW} - 1`,
      [now.getTime() / 1000],
    );
    return rowCount ?? 0;
  }
}

/** One statement for every counter change, each into every window its counter is read in. */
/** The counter rows a holder's events go to (0–15): a hash of the holder. */
export function shardOf(holderId: string): number {
  let hash = 0;
  for (let i = 0; i < holderId.length; i += 1) hash = (Math.imul(hash, 31) + holderId.charCodeAt(i)) | 0;
  return (hash >>> 0) % SHARDS;
}

const SHARDS = 16;

type CounterChange = Extract<StateChange, { type: 'counter' }>;

interface SharedIncrement {
  changes: readonly CounterChange[];
  shard: number;
}

async function addCounters(
  db: Pick<pg.Pool, 'query'>,
  changes: readonly { change: CounterChange; shard: number }[],
  options: { synchronousCommit?: false } = {},
): Promise<void> {
  const { keys, windows, buckets, shards, sums } = counterRows(changes);
  if (keys.length === 0) return;
  // Rows in key order, so two statements at once lock their rows in the same order (no
  // deadlock); the same row twice in one statement is summed first (ON CONFLICT cannot touch a
  // row twice). Statistics, not money: an autocommit statement need not wait for its flush.
  // `off` joins every row, so the setting is made (a CTE nobody reads would not run) before the
  // statement's own transaction commits; without `synchronousCommit: false` it keeps the
  // caller's (a judgement's transaction has turned it off already).
  await db.query({
    name: 'risk_counters_add',
    text: `WITH off AS (SELECT set_config('synchronous_commit', coalesce($6, current_setting('synchronous_commit')), true) AS setting)
     INSERT INTO risk_counters AS c (key, window_seconds, bucket, shard, count, sum)
     SELECT k, w, b, sh, count(*), sum(s)
       FROM unnest($1::text[], $2::int[], $3::bigint[], $4::smallint[], $5::bigint[]) AS t(k, w, b, sh, s)
       CROSS JOIN off
      GROUP BY k, w, b, sh ORDER BY k, w, b, sh
     ON CONFLICT (key, window_seconds, bucket, shard)
     DO UPDATE SET count = c.count + excluded.count, sum = c.sum + excluded.sum`,
    values: [keys, windows, buckets, shards, sums, options.synchronousCommit === false ? 'off' : null],
  });
}

/** Counter changes as the rows they add to: one per window their counter is read in. */
function counterRows(changes: readonly { change: CounterChange; shard: number }[]) {
  const keys: string[] = [];
  const windows: number[] = [];
  const buckets: number[] = [];
  const shards: number[] = [];
  const sums: number[] = [];
  for (const { change, shard } of changes) {
    for (const seconds of windowsOfKey(change.key)) {
      keys.push(change.key);
      windows.push(seconds);
      buckets.push(bucketOf(seconds, change.at));
      shards.push(shard);
      sums.push(Math.round(change.amount));
    }
  }
  return { keys, windows, buckets, shards, sums };
}

interface SuccessWrite {
  changes: readonly StateChange[];
  /** The paying holder's counter rows (`shardOf`). */
  shard: number;
}

/**
 * Concurrent successes (`successChanges`: payees first paid, amounts, credited counters) as one
 * statement of three upserts, each right whatever runs beside it, as `apply`'s: a payee keeps
 * its earliest time; an amount adds its weight to its bin in place (the batch's weights of one
 * holder summed per bin first: ON CONFLICT cannot touch a row twice); counters add. Rows in key
 * order in each part, so the two statements a Coalescer may have on the wire lock them in the
 * same order.
 */
function successStatement(calls: readonly SuccessWrite[]): pg.QueryConfig {
  const payees = new Map<string, { holderId: string; payee: string; at: Date }>();
  const amounts = new Map<string, number[]>();
  const counters: { change: CounterChange; shard: number }[] = [];
  for (const { changes, shard } of calls) {
    for (const change of changes) {
      switch (change.type) {
        case 'payee_first_paid': {
          const key = `${change.holderId}\u0000${change.payee}`;
          const known = payees.get(key);
          if (!known || change.at < known.at) payees.set(key, change);
          break;
        }
        case 'amount': {
          let bins = amounts.get(change.holderId);
          if (!bins) amounts.set(change.holderId, (bins = new Array<number>(AMOUNT_BINS).fill(0)));
          bins[change.bin] = bins[change.bin]! + change.weight;
          break;
        }
        case 'counter':
          counters.push({ change, shard });
          break;
        case 'credential_reset':
        case 'device_seen':
        case 'sign_in':
          throw new Error(`risk: not a change of a success: ${change.type}`);
      }
    }
  }
  const holders = [...amounts.keys()].sort();
  const rows = counterRows(counters);
  return {
    name: 'risk_successes',
    text: `WITH payees AS (
       INSERT INTO risk_payees AS p (holder_id, payee, first_paid_at)
       SELECT h, y, t FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS u(h, y, t) ORDER BY h, y
       ON CONFLICT (holder_id, payee) DO UPDATE SET first_paid_at = least(p.first_paid_at, excluded.first_paid_at)
       WHERE excluded.first_paid_at < p.first_paid_at),
     amounts AS (
       INSERT INTO risk_amounts AS a (holder_id, bins)
       SELECT h, ($5::float8[])[(i - 1) * $6 + 1 : i * $6] FROM unnest($4::uuid[]) WITH ORDINALITY AS u(h, i) ORDER BY h
       ON CONFLICT (holder_id) DO UPDATE
       SET bins = ARRAY(SELECT a.bins[j] + excluded.bins[j] FROM generate_series(1, $6) AS j ORDER BY j))
     INSERT INTO risk_counters AS c (key, window_seconds, bucket, shard, count, sum)
     SELECT k, w, b, sh, count(*), sum(s)
       FROM unnest($7::text[], $8::int[], $9::bigint[], $10::smallint[], $11::bigint[]) AS t(k, w, b, sh, s)
      GROUP BY k, w, b, sh ORDER BY k, w, b, sh
     ON CONFLICT (key, window_seconds, bucket, shard)
     DO UPDATE SET count = c.count + excluded.count, sum = c.sum + excluded.sum`,
    values: [
      [...payees.values()].map((p) => p.holderId),
      [...payees.values()].map((p) => p.payee),
      [...payees.values()].map((p) => p.at),
      holders,
      holders.flatMap((holder) => amounts.get(holder)!),
      AMOUNT_BINS,
      rows.keys,
      rows.windows,
      rows.buckets,
      rows.shards,
      rows.sums,
    ],
  };
}

/** Every window a counter key is read in: its counter's (features.ts `COUNTERS`), by the key's shape. */
function windowsOfKey(key: string): readonly number[] {
  return WINDOWS_BY_SHAPE.get(shapeOf(key)) ?? [];
}

/** `holder:<id>:pay` → `holder|pay` (an IPv6 address in the middle has colons of its own). */
function shapeOf(key: string): string {
  return `${key.slice(0, key.indexOf(':'))}|${key.slice(key.lastIndexOf(':') + 1)}`;
}

const WINDOWS_BY_SHAPE = new Map<string, readonly number[]>(
  Object.values(COUNTERS).map((counter: CounterDefinition) => [shapeOf(counter.key('x')), counter.windows]),
);

// ---- rule sets, lists, decisions, step-ups -----------------------------------------------------

export interface RuleSetRow {
  version: number;
  rules: Rule[];
  thresholds: Thresholds;
  note: string;
  status: 'draft' | 'active' | 'retired';
  created_by: string;
  created_at: Date;
  activated_by: string | null;
  activated_at: Date | null;
}

/** What `activate` did: the version made active, or why not (`row`: the version as it is). */
export type ActivationResult =
  | { activated: RuleSetRow }
  | { refused: 'not_found' }
  | { refused: 'not_draft' | 'own_draft'; row: RuleSetRow };

export interface DecisionRow {
  id: string;
  subject: Subject;
  kind: string;
  holder_id: string;
  movement_id: string | null;
  amount_minor: bigint | null;
  currency: string | null;
  payee: string | null;
  features: Record<string, number | boolean | null>;
  score: number;
  decision: Decision;
  fired: string[];
  version: number;
  at: Date;
}

export interface ListEntryRow {
  list: ListName;
  value: string;
  kind: 'deny' | 'allow';
  note: string;
  created_by: string;
  created_at: Date;
}

export interface StepUpRow {
  id: string;
  holder_id: string;
  payment_id: string;
  payment_hash: Buffer;
  amount_minor: bigint;
  currency: string;
  payee: string;
  decision_id: string;
  state: 'pending' | 'passed';
  method: 'passkey' | 'totp' | 'sms' | null;
  created_at: Date;
  expires_at: Date;
  passed_at: Date | null;
}

export class RiskStore {
  constructor(readonly pool: pg.Pool) {}

  async activeRuleSet(): Promise<RuleSetRow | null> {
    const { rows } = await this.pool.query<RuleSetRow>(
      `SELECT * FROM risk_rule_sets WHERE status = 'active'`,
    );
    return rows[0] ?? null;
  }

  async ruleSet(version: number): Promise<RuleSetRow | null> {
    const { rows } = await this.pool.query<RuleSetRow>('SELECT * FROM risk_rule_sets WHERE version = $1', [
      version,
    ]);
    return rows[0] ?? null;
  }

  async ruleSets(): Promise<RuleSetRow[]> {
    const { rows } = await this.pool.query<RuleSetRow>('SELECT * FROM risk_rule_sets ORDER BY version DESC');
    return rows;
  }

  /** A new draft with the next version; the version is the table's next, taken under a lock. */
  async insertDraft(input: {
    rules: Rule[];
    thresholds: Thresholds;
    note: string;
    by: string;
    at: Date;
    /** In the draft's transaction (the operator's audit entry; none for a draft a tool writes). */
    alongside?: (client: pg.PoolClient, draft: RuleSetRow) => Promise<void>;
  }): Promise<RuleSetRow> {
    return withTransaction(this.pool, async (client) => {
      await client.query('LOCK TABLE risk_rule_sets IN SHARE ROW EXCLUSIVE MODE');
      const { rows } = await client.query<RuleSetRow>(
        `INSERT INTO risk_rule_sets (version, rules, thresholds, note, status, created_by, created_at)
         SELECT coalesce(max(version), 0) + 1, $1, $2, $3, 'draft', $4, $5 FROM risk_rule_sets
         RETURNING *`,
        [JSON.stringify(input.rules), JSON.stringify(input.thresholds), input.note, input.by, input.at],
      );
      await input.alongside?.(client, rows[0]!);
      return rows[0]!;
    });
  }

  /** The shipped rule set as version 1, active, when there is none (start-up; idempotent). */
  async seed(input: { rules: Rule[]; thresholds: Thresholds; at: Date }): Promise<void> {
    await this.pool.query(
      `INSERT INTO risk_rule_sets (version, rules, thresholds, note, status, created_by, created_at, activated_by, activated_at)
       VALUES (1, $1, $2, 'The shipped default rules.', 'active', 'system', $3, 'system', $3)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(input.rules), JSON.stringify(input.thresholds), input.at],
    );
  }

  /**
   * Shipped rules no version has had (`unless`: none of the subject's rules, or none of these
   * ids — service.ts `seedDefaultRules`): a new version — the active one's rules and thresholds plus these — made active by `system`, the
   * active one retired. Under the table's lock, so servers starting at once add it once. Answers
   * the new version; null when nothing was added (a version has such a rule, or none is active:
   * a database seeded just now has them in version 1).
   */
  async addShippedRules(input: {
    rules: Rule[];
    /** Nothing is added once any version has a rule of this subject, or any of these ids. */
    unless: { subject: Subject } | { ruleIds: readonly string[] };
    note: string;
    at: Date;
  }): Promise<number | null> {
    const { unless } = input;
    const seen =
      'subject' in unless
        ? (rule: Rule) => rule.subject === unless.subject
        : (rule: Rule) => unless.ruleIds.includes(rule.id);
    return withTransaction(this.pool, async (client) => {
      await client.query('LOCK TABLE risk_rule_sets IN SHARE ROW EXCLUSIVE MODE');
      const { rows } = await client.query<{
        version: number;
        rules: Rule[];
        thresholds: Thresholds;
        status: string;
      }>('SELECT version, rules, thresholds, status FROM risk_rule_sets ORDER BY version');
      if (rows.some((row) => row.rules.some(seen))) return null;
      const active = rows.find((row) => row.status === 'active');
      if (!active) return null;
      // An operator's rule of another subject may have taken an id: that shipped rule is left out.
      const taken = new Set(active.rules.map((rule) => rule.id));
      const added = input.rules.filter((rule) => !taken.has(rule.id));
      if (added.length === 0) return null;
      const version = rows.at(-1)!.version + 1;
      await client.query(`UPDATE risk_rule_sets SET status = 'retired' WHERE status = 'active'`);
      await client.query(
        `INSERT INTO risk_rule_sets (version, rules, thresholds, note, status, created_by, created_at, activated_by, activated_at)
         VALUES ($1, $2, $3, $4, 'active', 'system', $5, 'system', $5)`,
        [
          version,
          JSON.stringify([...active.rules, ...added]),
          JSON.stringify(active.thresholds),
          input.note,
          input.at,
        ],
      );
      return version;
    });
  }

  /**
   * Activate a draft — maker-checker: never by the operator who made it (`created_by`); the
   * active one retires. Under the table's lock (as drafts and the shipped rules), so activations
   * sent at once run one after another: of many for one draft, one activates and the others find
   * it active; of several drafts, each retires the one before and one stays active. `alongside`
   * (the operator's audit entry) runs in the activation's transaction, only when it activates.
   */
  async activate(input: {
    version: number;
    by: string;
    at: Date;
    alongside: (client: pg.PoolClient, activated: RuleSetRow) => Promise<void>;
  }): Promise<ActivationResult> {
    return withTransaction(this.pool, async (client) => {
      await client.query('LOCK TABLE risk_rule_sets IN SHARE ROW EXCLUSIVE MODE');
      const { rows: target } = await client.query<RuleSetRow>(
        `SELECT * FROM risk_rule_sets WHERE version = $1`,
        [input.version],
      );
      const draft = target[0];
      if (!draft) return { refused: 'not_found' };
      if (draft.status !== 'draft') return { refused: 'not_draft', row: draft };
      if (draft.created_by === input.by) return { refused: 'own_draft', row: draft };
      await client.query(`UPDATE risk_rule_sets SET status = 'retired' WHERE status = 'active'`);
      const { rows } = await client.query<RuleSetRow>(
        `UPDATE risk_rule_sets SET status = 'active', activated_by = $2, activated_at = $3 WHERE version = $1 RETURNING *`,
        [input.version, input.by, input.at],
      );
      await input.alongside(client, rows[0]!);
      return { activated: rows[0]! };
    });
  }

  async insertDecision(row: DecisionRow, db: Queryable = this.pool): Promise<void> {
    await db.query({
      name: 'risk_decision_insert',
      text: `INSERT INTO risk_decisions (id, subject, kind, holder_id, movement_id, amount_minor, currency, payee,
                                   features, score, decision, fired, version, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      values: decisionValues(row),
    });
  }

  /** Past decisions in time order, from `after` (exclusive), at most `limit` (backtests page through). */
  async decisionsSince(input: {
    from: Date;
    to: Date;
    after: string | null;
    limit: number;
  }): Promise<DecisionRow[]> {
    const { rows } = await this.pool.query<DecisionRow>(
      `SELECT * FROM risk_decisions
        WHERE at >= $1 AND at < $2 AND ($3::uuid IS NULL OR (at, id) > ((SELECT at FROM risk_decisions WHERE id = $3), $3))
        ORDER BY at, id LIMIT $4`,
      [input.from, input.to, input.after, input.limit],
    );
    return rows;
  }

  async decisionsOf(holderId: string, limit: number): Promise<DecisionRow[]> {
    const { rows } = await this.pool.query<DecisionRow>(
      'SELECT * FROM risk_decisions WHERE holder_id = $1 ORDER BY at DESC LIMIT $2',
      [holderId, limit],
    );
    return rows;
  }

  async decision(id: string): Promise<DecisionRow | null> {
    const { rows } = await this.pool.query<DecisionRow>('SELECT * FROM risk_decisions WHERE id = $1', [id]);
    return rows[0] ?? null;
  }

  /** The devices the engine has seen the holder on, newest first (a review case's context). */
  async devicesOf(holderId: string, limit: number): Promise<{ device_id: string; first_seen_at: Date }[]> {
    const { rows } = await this.pool.query<{ device_id: string; first_seen_at: Date }>(
      `SELECT device_id, first_seen_at FROM risk_devices WHERE holder_id = $1
        ORDER BY first_seen_at DESC, device_id LIMIT $2`,
      [holderId, limit],
    );
    return rows;
  }

  /** The holder's last sign-in and credential reset as the engine keeps them (null: none seen). */
  async holderOf(holderId: string): Promise<{
    last_sign_in_at: Date | null;
    last_sign_in_city: string | null;
    credential_reset_at: Date | null;
  } | null> {
    const { rows } = await this.pool.query<{
      last_sign_in_at: Date | null;
      last_sign_in_city: string | null;
      credential_reset_at: Date | null;
    }>(
      'SELECT last_sign_in_at, last_sign_in_city, credential_reset_at FROM risk_holders WHERE holder_id = $1',
      [holderId],
    );
    return rows[0] ?? null;
  }

  async decisionsOfMovement(movementId: string): Promise<DecisionRow[]> {
    const { rows } = await this.pool.query<DecisionRow>(
      'SELECT * FROM risk_decisions WHERE movement_id = $1 ORDER BY at',
      [movementId],
    );
    return rows;
  }

  /**
   * Put an entry on its list, or change its kind or note. The same entry again changes nothing
   * (its first author and time stay) and does not run `alongside` (the operator's audit entry,
   * in the change's transaction).
   */
  async setListEntry(input: {
    list: ListName;
    value: string;
    kind: 'deny' | 'allow';
    note: string;
    by: string;
    at: Date;
    alongside: (client: pg.PoolClient) => Promise<void>;
  }): Promise<void> {
    await withTransaction(this.pool, async (client) => {
      const { rowCount } = await client.query(
        `INSERT INTO risk_lists (list, value, kind, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (list, value) DO UPDATE SET kind = excluded.kind, note = excluded.note,
           created_by = excluded.created_by, created_at = excluded.created_at
         WHERE (risk_lists.kind, risk_lists.note) IS DISTINCT FROM (excluded.kind, excluded.note)`,
        [input.list, input.value, input.kind, input.note, input.by, input.at],
      );
      if (rowCount === 1) await input.alongside(client);
    });
  }

  /** False when the entry is not on the list; `alongside` runs in the removal's transaction. */
  async removeListEntry(
    list: ListName,
    value: string,
    alongside: (client: pg.PoolClient) => Promise<void>,
  ): Promise<boolean> {
    return withTransaction(this.pool, async (client) => {
      const { rowCount } = await client.query('DELETE FROM risk_lists WHERE list = $1 AND value = $2', [
        list,
        value,
      ]);
      if ((rowCount ?? 0) === 0) return false;
      await alongside(client);
      return true;
    });
  }

  async listEntries(): Promise<ListEntryRow[]> {
    const { rows } = await this.pool.query<ListEntryRow>('SELECT * FROM risk_lists ORDER BY list, value');
    return rows;
  }

  async insertStepUp(row: StepUpRow): Promise<void> {
    await this.pool.query(
      `INSERT INTO risk_step_ups (id, holder_id, payment_id, payment_hash, amount_minor, currency, payee, decision_id,
                                  state, method, created_at, expires_at, passed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        row.id,
        row.holder_id,
        row.payment_id,
        row.payment_hash,
        row.amount_minor,
        row.currency,
        row.payee,
        row.decision_id,
        row.state,
        row.method,
        row.created_at,
        row.expires_at,
        row.passed_at,
      ],
    );
  }

  async stepUp(id: string, holderId: string): Promise<StepUpRow | null> {
    const { rows } = await this.pool.query<StepUpRow>(
      'SELECT * FROM risk_step_ups WHERE id = $1 AND holder_id = $2',
      [id, holderId],
    );
    return rows[0] ?? null;
  }

  /** A passed, unexpired step-up of exactly this payment (its hash binds amount and payee). */
  async passedStepUp(input: {
    holderId: string;
    paymentId: string;
    paymentHash: Buffer;
    now: Date;
  }): Promise<StepUpRow | null> {
    const { rows } = await this.pool.query<StepUpRow>(
      `SELECT * FROM risk_step_ups
        WHERE holder_id = $1 AND payment_id = $2 AND payment_hash = $3 AND state = 'passed' AND expires_at > $4
        LIMIT 1`,
      [input.holderId, input.paymentId, input.paymentHash, input.now],
    );
    return rows[0] ?? null;
  }

  /** Pending → passed, once (compare-and-set); null when it was not pending or has expired. */
  async passStepUp(input: {
    id: string;
    holderId: string;
    method: 'passkey' | 'totp' | 'sms';
    now: Date;
  }): Promise<StepUpRow | null> {
    const { rows } = await this.pool.query<StepUpRow>(
      `UPDATE risk_step_ups SET state = 'passed', method = $3, passed_at = $4
        WHERE id = $1 AND holder_id = $2 AND state = 'pending' AND expires_at > $4
        RETURNING *`,
      [input.id, input.holderId, input.method, input.now],
    );
    return rows[0] ?? null;
  }
}

/** A decision row's columns in table order (risk_decision_insert, risk_judged). */
function decisionValues(row: DecisionRow): unknown[] {
  return [
    row.id,
    row.subject,
    row.kind,
    row.holder_id,
    row.movement_id,
    row.amount_minor,
    row.currency,
    row.payee,
    JSON.stringify(row.features),
    row.score,
    row.decision,
    row.fired,
    row.version,
    row.at,
  ];
}

interface StateRow {
  windows: ({ count: string; sum: string } | null)[] | null;
  bins: number[] | null;
  payee_first_paid_at: Date | null;
  device_first_seen_at: Date | null;
  holder_first_seen_at: Date | null;
  last_sign_in_at: Date | null;
  last_sign_in_city: string | null;
  last_sign_in_latitude: number | null;
  last_sign_in_longitude: number | null;
  credential_reset_at: Date | null;
  deny: string[] | null;
  allow: string[] | null;
}

/*
 * Everything one judgement reads is one statement, in `risk_state` (migration 1101): each
 * window's buckets (one index range each), the amount histogram, the payee first paid, the
 * device first seen, the holder first seen (the earliest of its devices: one range of
 * risk_devices' primary key), the last sign-in and credential reset, and the list entries
 * matching the request's payee, device, IP and card BIN.
 */

function listValues(facts: Facts): string[] {
  if (facts.subject === 'merchant_refund') return [`payee:${refundPayee(facts)}`];
  const values: string[] = [];
  if (facts.subject === 'payment') {
    values.push(`payee:${facts.payee}`);
    if (facts.cardBin) values.push(`card_bin:${facts.cardBin}`);
  }
  if (facts.deviceId) values.push(`device:${facts.deviceId}`);
  if (facts.ip) values.push(`ip:${facts.ip}`);
  return values;
}

function placeOfRow(row: StateRow): Place | null {
  if (row.last_sign_in_latitude === null || row.last_sign_in_longitude === null) return null;
  return {
    city: row.last_sign_in_city ?? '',
    latitude: row.last_sign_in_latitude,
    longitude: row.last_sign_in_longitude,
  };
}
