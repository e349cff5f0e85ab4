import { Coalescer, byKey, withTransaction } from '@qianbao/db';
import type pg from 'pg';
import { acquireTry, finishTry, releaseTry } from '../../secret-tries.ts';
import type { AcquireResult, TryColumns, TryLease, TryOutcome, TryPolicy } from '../../secret-tries.ts';
import { NO_WAKE, appendEvents } from '../../outbox/index.ts';
import type { NewEvent, OutboxWake } from '../../outbox/index.ts';
import {
  passkeyAdded,
  passkeyRemoved,
  passwordFreeLimitChanged,
  paymentsLocked,
  pinSet,
  totpDisabled,
  totpEnabled,
} from './events.ts';

/**
 * SQL of the payment-security module, parameterised throughout. Every time is passed in from
 * the service's clock. Nothing outside this module touches the `security_*` tables.
 *
 * A change the holder is told about appends its event (events.ts) in the transaction that
 * records it — its own, or the caller's (`transaction`) — and wakes the dispatchers after the
 * commit. Each such transaction writes the holder's row, or locks it, first: a holder's events
 * then get transaction ids in the order of the changes (ADR 0015, per-aggregate order).
 */

type Queryable = pg.Pool | pg.PoolClient;

/**
 * Wrong PINs, payment TOTP codes and recovery codes share one count per holder (they guard the
 * same thing), kept on the holder's row. No forgetting window: failures count until a right
 * answer, a new PIN, or the end of the lock they caused.
 */
const FACTOR_TRIES: TryColumns = {
  table: 'security_holders',
  key: 'user_id',
  failures: 'factor_failures',
  failedAt: null,
  lockedUntil: 'payments_locked_until',
  inFlight: 'factor_tries_in_flight',
};

export interface HolderRow {
  userId: string;
  pinHash: string | null;
  pinSetAt: Date | null;
  factorFailures: number;
  paymentsLockedUntil: Date | null;
  passwordFreeLimitMinor: bigint;
  webauthnUserHandle: Buffer;
}

interface HolderRecord {
  user_id: string;
  pin_hash: string | null;
  pin_set_at: Date | null;
  factor_failures: number;
  payments_locked_until: Date | null;
  password_free_limit_minor: bigint;
  webauthn_user_handle: Buffer;
}

const HOLDER_COLUMNS = `user_id, pin_hash, pin_set_at, factor_failures, payments_locked_until,
  password_free_limit_minor, webauthn_user_handle`;

function toHolder(row: HolderRecord): HolderRow {
  return {
    userId: row.user_id,
    pinHash: row.pin_hash,
    pinSetAt: row.pin_set_at,
    factorFailures: row.factor_failures,
    paymentsLockedUntil: row.payments_locked_until,
    passwordFreeLimitMinor: row.password_free_limit_minor,
    webauthnUserHandle: row.webauthn_user_handle,
  };
}

export type DeviceType = 'singleDevice' | 'multiDevice';

export interface PasskeyRow {
  id: string;
  userId: string;
  credentialId: string;
  publicKey: Buffer;
  signCount: number;
  transports: string[];
  deviceType: DeviceType;
  backedUp: boolean;
  aaguid: string;
  rpId: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  /** Set when the holder's phone was reported lost: it signs nothing in and confirms nothing. */
  suspendedAt: Date | null;
}

interface PasskeyRecord {
  id: string;
  user_id: string;
  credential_id: string;
  public_key: Buffer;
  sign_count: bigint;
  transports: string[];
  device_type: DeviceType;
  backed_up: boolean;
  aaguid: string;
  rp_id: string;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
  suspended_at: Date | null;
}

const PASSKEY_COLUMNS = `id, user_id, credential_id, public_key, sign_count, transports, device_type,
  backed_up, aaguid, rp_id, name, created_at, last_used_at, suspended_at`;

function toPasskey(row: PasskeyRecord): PasskeyRow {
  return {
    id: row.id,
    userId: row.user_id,
    credentialId: row.credential_id,
    publicKey: row.public_key,
    signCount: Number(row.sign_count),
    transports: row.transports,
    deviceType: row.device_type,
    backedUp: row.backed_up,
    aaguid: row.aaguid,
    rpId: row.rp_id,
    name: row.name,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    suspendedAt: row.suspended_at,
  };
}

export type ChallengePurpose = 'register' | 'login' | 'payment' | 'step_up';

export interface ChallengeRow {
  challenge: Buffer;
  purpose: ChallengePurpose;
  userId: string | null;
  rpId: string;
  origin: string;
  paymentId: string | null;
  paymentHash: Buffer | null;
  expiresAt: Date;
}

export interface TotpRow {
  userId: string;
  status: 'pending' | 'enabled';
  secretSealed: string;
  pendingExpiresAt: Date | null;
  pendingFailures: number;
  lastUsedStep: number | null;
  enabledAt: Date | null;
}

export interface ConfirmationRow {
  paymentId: string;
  userId: string;
  factor: 'pin' | 'passkey' | 'totp';
  paymentHash: Buffer;
  amountMinor: bigint;
  currency: string;
  payee: string;
  credentialId: string | null;
  authenticatorData: Buffer | null;
  clientDataJson: Buffer | null;
  signature: Buffer | null;
  userHandle: string | null;
  confirmedAt: Date;
}

/** How many expired challenges one call clears, so cleaning never becomes a long statement. */
const CHALLENGE_SWEEP_LIMIT = 100;

export interface FactorState {
  holder: HolderRow;
  passkeyCount: number;
  totpEnabled: boolean;
}

export class SecurityStore {
  private readonly db: Queryable;

  constructor(
    private readonly pool: pg.Pool,
    client: pg.PoolClient | null = null,
    /**
     * Told after a change and its event commit (outbox/). Inside `transaction` it only notes the
     * wake, which the pool-bound store gives after the commit.
     */
    private readonly events: OutboxWake = NO_WAKE,
  ) {
    this.db = client ?? pool;
  }

  /**
   * Run `work` in one READ COMMITTED transaction on one connection of the pool; events appended
   * in it wake the dispatchers after the commit.
   */
  async transaction<T>(work: (store: SecurityStore) => Promise<T>): Promise<T> {
    if (this.db !== this.pool) throw new Error('transactions do not nest');
    let appended = false;
    const noted: OutboxWake = { wake: () => void (appended = true) };
    const result = await withTransaction(this.pool, (client) =>
      work(new SecurityStore(this.pool, client, noted)),
    );
    if (appended) this.events.wake();
    return result;
  }

  /**
   * Record a change and its events together: in the caller's transaction when this store is
   * bound to one, else in a transaction of its own. `work` answers its result and the events
   * of what it wrote (none when it wrote nothing: a retry or a lost race makes no event).
   */
  private async recordWithEvents<T>(
    work: (client: pg.PoolClient) => Promise<{ result: T; events: NewEvent[] }>,
  ): Promise<T> {
    const record = async (client: pg.PoolClient) => {
      const { result, events } = await work(client);
      await appendEvents(client, events);
      return { result, appended: events.length > 0 };
    };
    const { result, appended } =
      this.db === this.pool
        ? await withTransaction(this.pool, record)
        : await record(this.db as pg.PoolClient);
    // After the commit (pool-bound); inside a caller's transaction, noted for after its commit.
    if (appended) this.events.wake();
    return result;
  }

  // ---- holders ----------------------------------------------------------------------------

  /** The holder's row, made on first use (`userHandle` is kept only when the row is new). */
  async ensureHolder(input: { userId: string; userHandle: Buffer; now: Date }): Promise<HolderRow> {
    await this.db.query(
      `INSERT INTO security_holders (user_id, webauthn_user_handle, created_at) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO NOTHING`,
      [input.userId, input.userHandle, input.now],
    );
    return (await this.findHolder(input.userId))!;
  }

  async findHolder(userId: string, options: { forUpdate?: boolean } = {}): Promise<HolderRow | null> {
    const { rows } = await this.db.query<HolderRecord>(
      `SELECT ${HOLDER_COLUMNS} FROM security_holders WHERE user_id = $1 ${options.forUpdate ? 'FOR UPDATE' : ''}`,
      [userId],
    );
    return rows[0] ? toHolder(rows[0]) : null;
  }

  /**
   * Set or replace the PIN, with `security.pin_set`; `changed` when one was there before. A new
   * PIN also lifts a payment lock: whoever set it proved the password and the phone.
   */
  async setPin(input: { userId: string; pinHash: string; now: Date }): Promise<{ changed: boolean }> {
    return this.recordWithEvents(async (client) => {
      const { rows } = await client.query<{ changed: boolean }>(
        'SELECT pin_hash IS NOT NULL AS changed FROM security_holders WHERE user_id = $1 FOR UPDATE',
        [input.userId],
      );
      if (!rows[0]) throw new Error(`no security row for holder ${input.userId}`);
      const { changed } = rows[0];
      await client.query(
        `UPDATE security_holders
            SET pin_hash = $2, pin_set_at = $3, factor_failures = 0, payments_locked_until = NULL
          WHERE user_id = $1`,
        [input.userId, input.pinHash, input.now],
      );
      return { result: { changed }, events: [pinSet({ userId: input.userId, changed, at: input.now })] };
    });
  }

  /** Set the password-free limit, with `security.password_free_limit_changed` (every time, as before). */
  async setPasswordFreeLimit(input: {
    userId: string;
    limitMinor: bigint;
    currency: string;
    now: Date;
  }): Promise<void> {
    await this.recordWithEvents(async (client) => {
      const { rowCount } = await client.query(
        'UPDATE security_holders SET password_free_limit_minor = $2 WHERE user_id = $1',
        [input.userId, input.limitMinor],
      );
      return {
        result: undefined,
        events: rowCount === 1 ? [passwordFreeLimitChanged({ ...input, at: input.now })] : [],
      };
    });
  }

  /** The holder's row lock, taken before a transaction's first write (see the class comment). */
  private async lockHolder(client: pg.PoolClient, userId: string): Promise<void> {
    await client.query('SELECT 1 FROM security_holders WHERE user_id = $1 FOR UPDATE', [userId]);
  }

  // ---- tries of the PIN and codes (one count per holder: secret-tries.ts) -------------------

  /** Take one try of a PIN or code before checking it, waiting (bounded) for tries in flight. */
  acquireFactorTry(input: { userId: string; now: () => Date; policy: TryPolicy }): Promise<AcquireResult> {
    return acquireTry(this.db, FACTOR_TRIES, { key: input.userId, now: input.now, policy: input.policy });
  }

  /** Give the try back uncounted: the check failed without an answer. */
  releaseFactorTry(lease: TryLease): Promise<void> {
    return releaseTry(this.db, FACTOR_TRIES, lease);
  }

  /** Give the try back and count its answer; the wrong one that reaches the limit records the lock. */
  async finishFactorTry(input: {
    lease: TryLease;
    right: boolean;
    now: Date;
    policy: TryPolicy;
  }): Promise<TryOutcome> {
    // The answer that locks payments writes `security.payments_locked` in the same transaction:
    // the holder's notice follows from it, once. finishTry's first write is the holder's row.
    return this.recordWithEvents(async (client) => {
      const outcome = await finishTry(client, FACTOR_TRIES, input);
      const events =
        outcome.lockedNow && outcome.lockedUntil
          ? [
              paymentsLocked({
                userId: input.lease.key,
                failures: input.policy.maxFailures,
                lockMs: input.policy.lockMs,
                lockedUntil: outcome.lockedUntil,
                at: input.now,
              }),
            ]
          : [];
      return { result: outcome, events };
    });
  }

  // ---- passkeys ---------------------------------------------------------------------------

  async listPasskeys(userId: string): Promise<PasskeyRow[]> {
    const { rows } = await this.db.query<PasskeyRecord>(
      `SELECT ${PASSKEY_COLUMNS} FROM security_passkeys WHERE user_id = $1 ORDER BY created_at, id`,
      [userId],
    );
    return rows.map(toPasskey);
  }

  /**
   * What deciding a payment's factor needs, in one statement shared by concurrent payments
   * (packages/db Coalescer): the holder row, how many passkeys, whether two-step is on. Null
   * for a holder without a security row yet. Pool-bound stores only.
   */
  factorState(userId: string): Promise<FactorState | null> {
    // Made on first use: the pool-bound store (the service's) uses it; transactions never do.
    this.factorStates ??= new Coalescer<string, FactorState | null>(async (userIds) => {
      const { rows } = await this.pool.query<
        HolderRecord & { passkey_count: number; totp_status: 'pending' | 'enabled' | null }
      >(
        `SELECT ${HOLDER_COLUMNS},
                (SELECT count(*)::int FROM security_passkeys p
                  WHERE p.user_id = h.user_id AND p.suspended_at IS NULL) AS passkey_count,
                (SELECT t.status FROM security_totp t WHERE t.user_id = h.user_id) AS totp_status
           FROM security_holders h WHERE h.user_id = ANY($1::uuid[])`,
        [userIds],
      );
      return byKey(userIds, rows, (row) => row.user_id).map((row) =>
        row
          ? {
              holder: toHolder(row),
              passkeyCount: row.passkey_count,
              totpEnabled: row.totp_status === 'enabled',
            }
          : null,
      );
    });
    return this.factorStates.call(userId);
  }

  private factorStates: Coalescer<string, FactorState | null> | null = null;

  /** All of the holder's passkeys, or (`usableOnly`) those not suspended. */
  async countPasskeys(userId: string, options: { usableOnly?: boolean } = {}): Promise<number> {
    const { rows } = await this.db.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM security_passkeys
        WHERE user_id = $1 ${options.usableOnly ? 'AND suspended_at IS NULL' : ''}`,
      [userId],
    );
    return rows[0]?.count ?? 0;
  }

  /** Suspend every passkey of the holder not suspended yet; answers how many. */
  async suspendPasskeys(input: { userId: string; reason: 'phone_lost'; now: Date }): Promise<number> {
    const result = await this.db.query(
      `UPDATE security_passkeys SET suspended_at = $2, suspended_reason = $3
        WHERE user_id = $1 AND suspended_at IS NULL`,
      [input.userId, input.now, input.reason],
    );
    return result.rowCount ?? 0;
  }

  async findPasskeyByCredentialId(credentialId: string): Promise<PasskeyRow | null> {
    const { rows } = await this.db.query<PasskeyRecord>(
      `SELECT ${PASSKEY_COLUMNS} FROM security_passkeys WHERE credential_id = $1`,
      [credentialId],
    );
    return rows[0] ? toPasskey(rows[0]) : null;
  }

  /**
   * Keep a passkey, with `security.passkey_added`; false when the credential is registered
   * already (to anyone).
   */
  async insertPasskey(row: Omit<PasskeyRow, 'lastUsedAt' | 'suspendedAt'>): Promise<boolean> {
    return this.recordWithEvents(async (client) => {
      await this.lockHolder(client, row.userId);
      const result = await client.query(
        `INSERT INTO security_passkeys (id, user_id, credential_id, public_key, sign_count, transports,
           device_type, backed_up, aaguid, rp_id, name, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (credential_id) DO NOTHING`,
        [
          row.id,
          row.userId,
          row.credentialId,
          row.publicKey,
          row.signCount,
          row.transports,
          row.deviceType,
          row.backedUp,
          row.aaguid,
          row.rpId,
          row.name,
          row.createdAt,
        ],
      );
      const inserted = result.rowCount === 1;
      const events = inserted
        ? [passkeyAdded({ userId: row.userId, passkeyId: row.id, name: row.name, at: row.createdAt })]
        : [];
      return { result: inserted, events };
    });
  }

  /** Null when the holder has no such passkey (another holder's id included). */
  async renamePasskey(input: { userId: string; id: string; name: string }): Promise<PasskeyRow | null> {
    const { rows } = await this.db.query<PasskeyRecord>(
      `UPDATE security_passkeys SET name = $3 WHERE id = $1 AND user_id = $2 RETURNING ${PASSKEY_COLUMNS}`,
      [input.id, input.userId, input.name],
    );
    return rows[0] ? toPasskey(rows[0]) : null;
  }

  /** Remove one of the holder's passkeys, with `security.passkey_removed`; null when there is none. */
  async deletePasskey(input: { userId: string; id: string; now: Date }): Promise<PasskeyRow | null> {
    return this.recordWithEvents(async (client) => {
      await this.lockHolder(client, input.userId);
      const { rows } = await client.query<PasskeyRecord>(
        `DELETE FROM security_passkeys WHERE id = $1 AND user_id = $2 RETURNING ${PASSKEY_COLUMNS}`,
        [input.id, input.userId],
      );
      const row = rows[0] ? toPasskey(rows[0]) : null;
      const events = row
        ? [passkeyRemoved({ userId: row.userId, passkeyId: row.id, name: row.name, at: input.now })]
        : [];
      return { result: row, events };
    });
  }

  /**
   * Record a use. The signature counter must grow (a clone of the key would repeat a value),
   * unless the authenticator does not count at all (always 0, as synced passkeys do).
   */
  async recordPasskeyUse(input: { id: string; signCount: number; now: Date }): Promise<boolean> {
    const result = await this.db.query(
      `UPDATE security_passkeys SET sign_count = $2, last_used_at = $3
        WHERE id = $1 AND (sign_count < $2 OR (sign_count = 0 AND $2 = 0))`,
      [input.id, input.signCount, input.now],
    );
    return result.rowCount === 1;
  }

  // ---- WebAuthn challenges ----------------------------------------------------------------

  async insertChallenge(row: ChallengeRow & { now: Date }): Promise<void> {
    await this.db.query(
      `INSERT INTO security_webauthn_challenges
         (challenge, purpose, user_id, rp_id, origin, payment_id, payment_hash, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        row.challenge,
        row.purpose,
        row.userId,
        row.rpId,
        row.origin,
        row.paymentId,
        row.paymentHash,
        row.now,
        row.expiresAt,
      ],
    );
    await this.db.query(
      `DELETE FROM security_webauthn_challenges WHERE challenge IN (
         SELECT challenge FROM security_webauthn_challenges WHERE expires_at < $1 LIMIT ${CHALLENGE_SWEEP_LIMIT})`,
      [row.now],
    );
  }

  /**
   * Use a challenge up: only one caller ever gets a given challenge, and only before it expires
   * and for its purpose and holder (null: sign-in, where the holder is not known yet).
   */
  async consumeChallenge(input: {
    challenge: Buffer;
    purpose: ChallengePurpose;
    userId: string | null;
    now: Date;
  }): Promise<ChallengeRow | null> {
    const { rows } = await this.db.query<{
      challenge: Buffer;
      purpose: ChallengePurpose;
      user_id: string | null;
      rp_id: string;
      origin: string;
      payment_id: string | null;
      payment_hash: Buffer | null;
      expires_at: Date;
    }>(
      `DELETE FROM security_webauthn_challenges
        WHERE challenge = $1 AND purpose = $2 AND user_id IS NOT DISTINCT FROM $3
        RETURNING challenge, purpose, user_id, rp_id, origin, payment_id, payment_hash, expires_at`,
      [input.challenge, input.purpose, input.userId],
    );
    const row = rows[0];
    if (!row || row.expires_at <= input.now) return null;
    return {
      challenge: row.challenge,
      purpose: row.purpose,
      userId: row.user_id,
      rpId: row.rp_id,
      origin: row.origin,
      paymentId: row.payment_id,
      paymentHash: row.payment_hash,
      expiresAt: row.expires_at,
    };
  }

  // ---- TOTP -------------------------------------------------------------------------------

  async findTotp(userId: string): Promise<TotpRow | null> {
    const { rows } = await this.db.query<{
      user_id: string;
      status: 'pending' | 'enabled';
      secret_sealed: string;
      pending_expires_at: Date | null;
      pending_failures: number;
      last_used_step: bigint | null;
      enabled_at: Date | null;
    }>(
      `SELECT user_id, status, secret_sealed, pending_expires_at, pending_failures, last_used_step, enabled_at
         FROM security_totp WHERE user_id = $1`,
      [userId],
    );
    const row = rows[0];
    return row
      ? {
          userId: row.user_id,
          status: row.status,
          secretSealed: row.secret_sealed,
          pendingExpiresAt: row.pending_expires_at,
          pendingFailures: row.pending_failures,
          lastUsedStep: row.last_used_step === null ? null : Number(row.last_used_step),
          enabledAt: row.enabled_at,
        }
      : null;
  }

  /** Start (or restart) a setup; false when TOTP is already on. */
  async putPendingTotp(input: {
    userId: string;
    secretSealed: string;
    now: Date;
    expiresAt: Date;
  }): Promise<boolean> {
    const result = await this.db.query(
      `INSERT INTO security_totp (user_id, status, secret_sealed, pending_expires_at, created_at)
       VALUES ($1, 'pending', $2, $3, $4)
       ON CONFLICT (user_id) DO UPDATE
         SET secret_sealed = EXCLUDED.secret_sealed, pending_expires_at = EXCLUDED.pending_expires_at,
             pending_failures = 0, last_used_step = NULL, created_at = EXCLUDED.created_at
         WHERE security_totp.status = 'pending'`,
      [input.userId, input.secretSealed, input.expiresAt, input.now],
    );
    return result.rowCount === 1;
  }

  /**
   * Take one try of a pending setup's first code before it is checked: null when there is no
   * live setup with tries left. Answers the setup with the try counted.
   */
  async takePendingTotpTry(input: {
    userId: string;
    now: Date;
    maxFailures: number;
  }): Promise<TotpRow | null> {
    const { rows } = await this.db.query<{
      secret_sealed: string;
      pending_expires_at: Date;
      pending_failures: number;
    }>(
      `UPDATE security_totp SET pending_failures = pending_failures + 1
        WHERE user_id = $1 AND status = 'pending' AND pending_expires_at > $2 AND pending_failures < $3
        RETURNING secret_sealed, pending_expires_at, pending_failures`,
      [input.userId, input.now, input.maxFailures],
    );
    const row = rows[0];
    return row
      ? {
          userId: input.userId,
          status: 'pending',
          secretSealed: row.secret_sealed,
          pendingExpiresAt: row.pending_expires_at,
          pendingFailures: row.pending_failures,
          lastUsedStep: null,
          enabledAt: null,
        }
      : null;
  }

  /** A setup whose tries are all spent is dropped (TOTP_SETUP_EXPIRED from then on). */
  async dropSpentTotpSetup(input: { userId: string; maxFailures: number }): Promise<void> {
    await this.db.query(
      `DELETE FROM security_totp WHERE user_id = $1 AND status = 'pending' AND pending_failures >= $2`,
      [input.userId, input.maxFailures],
    );
  }

  /**
   * Turn a pending setup on, its first code spent, with `security.totp_enabled`; false when it
   * was not pending any more.
   */
  async enableTotp(input: { userId: string; step: number; now: Date }): Promise<boolean> {
    return this.recordWithEvents(async (client) => {
      await this.lockHolder(client, input.userId);
      const result = await client.query(
        `UPDATE security_totp
            SET status = 'enabled', enabled_at = $3, last_used_step = $2, pending_expires_at = NULL,
                pending_failures = 0
          WHERE user_id = $1 AND status = 'pending' AND pending_expires_at > $3`,
        [input.userId, input.step, input.now],
      );
      const enabled = result.rowCount === 1;
      return {
        result: enabled,
        events: enabled ? [totpEnabled({ userId: input.userId, at: input.now })] : [],
      };
    });
  }

  /** Spend a step: true only for the first caller, and only for a step newer than the last. */
  async useTotpStep(input: { userId: string; step: number }): Promise<boolean> {
    const result = await this.db.query(
      `UPDATE security_totp SET last_used_step = $2
        WHERE user_id = $1 AND status = 'enabled' AND (last_used_step IS NULL OR last_used_step < $2)`,
      [input.userId, input.step],
    );
    return result.rowCount === 1;
  }

  /**
   * Turn two-step verification off (its recovery codes go too), with `security.totp_disabled`
   * when it was on; false when it was not (another request turned it off first).
   */
  async deleteTotp(input: { userId: string; withRecoveryCode: boolean; now: Date }): Promise<boolean> {
    return this.recordWithEvents(async (client) => {
      await this.lockHolder(client, input.userId);
      await client.query('DELETE FROM security_recovery_codes WHERE user_id = $1', [input.userId]);
      const { rows } = await client.query<{ status: 'pending' | 'enabled' }>(
        'DELETE FROM security_totp WHERE user_id = $1 RETURNING status',
        [input.userId],
      );
      const disabled = rows[0]?.status === 'enabled';
      const events = disabled
        ? [totpDisabled({ userId: input.userId, withRecoveryCode: input.withRecoveryCode, at: input.now })]
        : [];
      return { result: disabled, events };
    });
  }

  async replaceRecoveryCodes(input: { userId: string; digests: Buffer[]; now: Date }): Promise<void> {
    await this.db.query('DELETE FROM security_recovery_codes WHERE user_id = $1', [input.userId]);
    await this.db.query(
      `INSERT INTO security_recovery_codes (user_id, code_digest, created_at)
       SELECT $1, digest, $3 FROM unnest($2::bytea[]) AS digest`,
      [input.userId, input.digests, input.now],
    );
  }

  /** Single use: true only for the first caller with an unused code. */
  async useRecoveryCode(input: { userId: string; digest: Buffer; now: Date }): Promise<boolean> {
    const result = await this.db.query(
      `UPDATE security_recovery_codes SET used_at = $3
        WHERE user_id = $1 AND code_digest = $2 AND used_at IS NULL`,
      [input.userId, input.digest, input.now],
    );
    return result.rowCount === 1;
  }

  async countUnusedRecoveryCodes(userId: string): Promise<number> {
    const { rows } = await this.db.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM security_recovery_codes WHERE user_id = $1 AND used_at IS NULL',
      [userId],
    );
    return rows[0]?.count ?? 0;
  }

  // ---- confirmations ----------------------------------------------------------------------

  /** The first confirmation of a payment stands: evidence is never overwritten. */
  async insertConfirmation(row: ConfirmationRow): Promise<void> {
    await this.db.query(
      `INSERT INTO security_confirmations (payment_id, user_id, factor, payment_hash, amount_minor, currency,
         payee, credential_id, authenticator_data, client_data_json, signature, user_handle, confirmed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (payment_id, user_id) DO NOTHING`,
      [
        row.paymentId,
        row.userId,
        row.factor,
        row.paymentHash,
        row.amountMinor,
        row.currency,
        row.payee,
        row.credentialId,
        row.authenticatorData,
        row.clientDataJson,
        row.signature,
        row.userHandle,
        row.confirmedAt,
      ],
    );
  }

  async findConfirmation(input: { userId: string; paymentId: string }): Promise<ConfirmationRow | null> {
    const { rows } = await this.db.query<{
      payment_id: string;
      user_id: string;
      factor: 'pin' | 'passkey' | 'totp';
      payment_hash: Buffer;
      amount_minor: bigint;
      currency: string;
      payee: string;
      credential_id: string | null;
      authenticator_data: Buffer | null;
      client_data_json: Buffer | null;
      signature: Buffer | null;
      user_handle: string | null;
      confirmed_at: Date;
    }>(
      `SELECT payment_id, user_id, factor, payment_hash, amount_minor, currency, payee, credential_id,
              authenticator_data, client_data_json, signature, user_handle, confirmed_at
         FROM security_confirmations WHERE payment_id = $1 AND user_id = $2`,
      [input.paymentId, input.userId],
    );
    const row = rows[0];
    return row
      ? {
          paymentId: row.payment_id,
          userId: row.user_id,
          factor: row.factor,
          paymentHash: row.payment_hash,
          amountMinor: row.amount_minor,
          currency: row.currency,
          payee: row.payee,
          credentialId: row.credential_id,
          authenticatorData: row.authenticator_data,
          clientDataJson: row.client_data_json,
          signature: row.signature,
          userHandle: row.user_handle,
          confirmedAt: row.confirmed_at,
        }
      : null;
  }
}
