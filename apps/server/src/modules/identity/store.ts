import { Coalescer, byKey, withTransaction } from '@qianbao/db';
import type pg from 'pg';
import { acquireTry, finishTry, releaseTry } from '../../secret-tries.ts';
import type { AcquireResult, TryColumns, TryLease, TryOutcome, TryPolicy } from '../../secret-tries.ts';

/**
 * SQL of the identity module, parameterised throughout. Every time is passed in from the
 * service's clock. Nothing outside this module touches these tables.
 */

export type SmsPurpose =
  'register' | 'login' | 'reset_password' | 'new_device' | 'verify' | 'report_loss' | 'unfreeze';
export type SessionMethod = 'register' | 'password' | 'sms' | 'passkey';
export type SessionEndReason =
  'logout' | 'logout_all' | 'ended_by_holder' | 'password_changed' | 'password_reset' | 'reported_lost';
export type UserStatus = 'pending' | 'active' | 'closed';

/** Wrong login passwords: counted on the holder's row, forgotten after the lock period. */
const PASSWORD_TRIES: TryColumns = {
  table: 'identity_users',
  key: 'id',
  failures: 'password_failures',
  failedAt: 'password_failed_at',
  lockedUntil: 'password_locked_until',
  inFlight: 'password_tries_in_flight',
};

export interface UserRow {
  id: string;
  phone: string;
  status: UserStatus;
  passwordHash: string;
  passwordFailures: number;
  passwordFailedAt: Date | null;
  passwordLockedUntil: Date | null;
  walletAccountId: string;
  realNameVerifiedAt: Date | null;
  idNumberHash: string | null;
  createdAt: Date;
}

export interface SessionRow {
  id: string;
  userId: string;
  deviceId: string;
  deviceName: string | null;
  method: SessionMethod;
  userAgent: string | null;
  ipAddress: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

export interface AuthenticatedSessionRow extends SessionRow {
  userStatus: UserStatus;
  walletAccountId: string;
}

export interface SmsCodeRow {
  id: string;
  codeHash: string;
  createdAt: Date;
  expiresAt: Date;
  attempts: number;
  consumedAt: Date | null;
}

export interface RateLimitRule {
  scope: string;
  key: string;
  limit: number;
  windowMs: number;
  blockMs: number;
}

type Queryable = pg.Pool | pg.PoolClient;

const USER_COLUMNS = `id, phone, status, password_hash, password_failures, password_failed_at,
  password_locked_until, wallet_account_id, real_name_verified_at, id_number_hash, created_at`;

interface UserRecord {
  id: string;
  phone: string;
  status: UserStatus;
  password_hash: string;
  password_failures: number;
  password_failed_at: Date | null;
  password_locked_until: Date | null;
  wallet_account_id: string;
  real_name_verified_at: Date | null;
  id_number_hash: string | null;
  created_at: Date;
}

function toUser(row: UserRecord): UserRow {
  return {
    id: row.id,
    phone: row.phone,
    status: row.status,
    passwordHash: row.password_hash,
    passwordFailures: row.password_failures,
    passwordFailedAt: row.password_failed_at,
    passwordLockedUntil: row.password_locked_until,
    walletAccountId: row.wallet_account_id,
    realNameVerifiedAt: row.real_name_verified_at,
    idNumberHash: row.id_number_hash,
    createdAt: row.created_at,
  };
}

const SESSION_COLUMNS = `s.id, s.user_id, s.device_id, d.name AS device_name, s.method, s.user_agent,
  s.ip_address, s.created_at, s.last_seen_at, s.expires_at, s.revoked_at`;

interface SessionRecord {
  id: string;
  user_id: string;
  device_id: string;
  device_name: string | null;
  method: SessionMethod;
  user_agent: string | null;
  ip_address: string | null;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
}

function toSession(row: SessionRecord): SessionRow {
  return {
    id: row.id,
    userId: row.user_id,
    deviceId: row.device_id,
    deviceName: row.device_name,
    method: row.method,
    userAgent: row.user_agent,
    ipAddress: row.ip_address,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

export class IdentityStore {
  private readonly db: Queryable;

  /** On the pool; `transaction` gives a store bound to one connection. */
  constructor(
    private readonly pool: pg.Pool,
    client: pg.PoolClient | null = null,
  ) {
    this.db = client ?? pool;
    this.coalesced = client ? null : this.coalescers();
  }

  /**
   * The reads every request makes, shared by concurrent requests (packages/db Coalescer); only
   * on the pool: a store bound to a transaction reads its own connection.
   */
  private readonly coalesced: ReturnType<IdentityStore['coalescers']> | null;

  private coalescers() {
    const users = (column: 'id' | 'phone', type: 'uuid' | 'text') =>
      new Coalescer<string, UserRow | null>(async (keys) => {
        const { rows } = await this.pool.query<UserRecord>(
          `SELECT ${USER_COLUMNS} FROM identity_users WHERE ${column} = ANY($1::${type}[]) AND status = 'active'`,
          [keys],
        );
        return byKey(keys, rows.map(toUser), (row) => (column === 'id' ? row.id : row.phone));
      });
    return {
      usersById: users('id', 'uuid'),
      usersByPhone: users('phone', 'text'),
      sessionsByTokenHash: new Coalescer((hashes: readonly Buffer[]) => this.sessionsByTokenHash(hashes)),
    };
  }

  /** Run `work` in one READ COMMITTED transaction on one connection of the pool. */
  async transaction<T>(work: (store: IdentityStore) => Promise<T>): Promise<T> {
    if (this.db !== this.pool) throw new Error('transactions do not nest');
    return withTransaction(this.pool, (client) => work(new IdentityStore(this.pool, client)));
  }

  // ---- users ------------------------------------------------------------------------------

  /**
   * Start a registration: a `pending` row holding the phone number. A pending row left by an
   * earlier attempt that failed half-way is taken over (keeping its wallet account id, so the
   * ledger account made then is reused). Null when an active holder has the number.
   */
  async insertPendingUser(input: {
    id: string;
    phone: string;
    passwordHash: string;
    walletAccountId: string;
    now: Date;
  }): Promise<UserRow | null> {
    const { rows } = await this.db.query<UserRecord>(
      `INSERT INTO identity_users (id, phone, status, password_hash, password_changed_at, wallet_account_id, created_at)
       VALUES ($1, $2, 'pending', $3, $4, $5, $4)
       ON CONFLICT (phone) DO UPDATE
         SET password_hash = EXCLUDED.password_hash, password_changed_at = EXCLUDED.password_changed_at
         WHERE identity_users.status = 'pending'
       RETURNING ${USER_COLUMNS}`,
      [input.id, input.phone, input.passwordHash, input.now, input.walletAccountId],
    );
    return rows[0] ? toUser(rows[0]) : null;
  }

  async activateUser(userId: string, now: Date): Promise<void> {
    await this.db.query(
      `UPDATE identity_users SET status = 'active', created_at = $2 WHERE id = $1 AND status = 'pending'`,
      [userId, now],
    );
  }

  async deletePendingUser(userId: string): Promise<void> {
    await this.db.query(`DELETE FROM identity_users WHERE id = $1 AND status = 'pending'`, [userId]);
  }

  /** Active holders only: a pending registration is nobody yet. */
  async findUserByPhone(phone: string, options: { forUpdate?: boolean } = {}): Promise<UserRow | null> {
    if (this.coalesced && !options.forUpdate) return this.coalesced.usersByPhone.call(phone);
    const { rows } = await this.db.query<UserRecord>(
      `SELECT ${USER_COLUMNS} FROM identity_users WHERE phone = $1 AND status = 'active'
       ${options.forUpdate ? 'FOR UPDATE' : ''}`,
      [phone],
    );
    return rows[0] ? toUser(rows[0]) : null;
  }

  async findUser(userId: string, options: { forUpdate?: boolean } = {}): Promise<UserRow | null> {
    if (this.coalesced && !options.forUpdate) return this.coalesced.usersById.call(userId);
    const { rows } = await this.db.query<UserRecord>(
      `SELECT ${USER_COLUMNS} FROM identity_users WHERE id = $1 AND status = 'active'
       ${options.forUpdate ? 'FOR UPDATE' : ''}`,
      [userId],
    );
    return rows[0] ? toUser(rows[0]) : null;
  }

  // ---- password tries (secret-tries.ts) --------------------------------------------------

  /** Take one try of the password before it is compared, waiting (bounded) for tries in flight. */
  acquirePasswordTry(input: { userId: string; now: () => Date; policy: TryPolicy }): Promise<AcquireResult> {
    return acquireTry(this.db, PASSWORD_TRIES, { key: input.userId, now: input.now, policy: input.policy });
  }

  /** Give the try back and count its answer; the wrong one that reaches the limit records the lock. */
  finishPasswordTry(input: {
    lease: TryLease;
    right: boolean;
    now: Date;
    policy: TryPolicy;
  }): Promise<TryOutcome> {
    return finishTry(this.db, PASSWORD_TRIES, input);
  }

  /** Give the try back uncounted: the check failed without an answer. */
  releasePasswordTry(lease: TryLease): Promise<void> {
    return releaseTry(this.db, PASSWORD_TRIES, lease);
  }

  /** A new password also lifts any lockout: whoever set it proved control of the wallet. */
  async setPassword(input: { userId: string; passwordHash: string; now: Date }): Promise<void> {
    await this.db.query(
      `UPDATE identity_users
          SET password_hash = $2, password_changed_at = $3,
              password_failures = 0, password_failed_at = NULL, password_locked_until = NULL
        WHERE id = $1`,
      [input.userId, input.passwordHash, input.now],
    );
  }

  async setRealNameVerified(input: { userId: string; idNumberHash: string; now: Date }): Promise<boolean> {
    const result = await this.db.query(
      `UPDATE identity_users SET real_name_verified_at = $3, id_number_hash = $2
        WHERE id = $1 AND status = 'active'`,
      [input.userId, input.idNumberHash, input.now],
    );
    return result.rowCount === 1;
  }

  // ---- devices ----------------------------------------------------------------------------

  async isTrustedDevice(userId: string, deviceId: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'SELECT 1 FROM identity_devices WHERE user_id = $1 AND device_id = $2 AND trusted_at IS NOT NULL',
      [userId, deviceId],
    );
    return rowCount === 1;
  }

  /** Record a sign-in from a device, trusting it from now on; `created` when never seen before. */
  async upsertTrustedDevice(input: {
    userId: string;
    deviceId: string;
    name: string | null;
    now: Date;
  }): Promise<{ created: boolean }> {
    const { rows } = await this.db.query<{ created: boolean }>(
      `INSERT INTO identity_devices (user_id, device_id, name, first_seen_at, last_seen_at, trusted_at)
       VALUES ($1, $2, $3, $4, $4, $4)
       ON CONFLICT (user_id, device_id) DO UPDATE
         SET last_seen_at = EXCLUDED.last_seen_at,
             name = coalesce(EXCLUDED.name, identity_devices.name),
             trusted_at = coalesce(identity_devices.trusted_at, EXCLUDED.trusted_at)
       RETURNING (xmax = 0) AS created`,
      [input.userId, input.deviceId, input.name, input.now],
    );
    return { created: rows[0]?.created ?? false };
  }

  // ---- sessions ---------------------------------------------------------------------------

  async insertSession(input: {
    id: string;
    tokenHash: Buffer;
    userId: string;
    deviceId: string;
    method: SessionMethod;
    userAgent: string | null;
    ipAddress: string | null;
    now: Date;
    expiresAt: Date;
  }): Promise<void> {
    await this.db.query(
      `INSERT INTO identity_sessions
         (id, token_hash, user_id, device_id, method, user_agent, ip_address, created_at, last_seen_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)`,
      [
        input.id,
        input.tokenHash,
        input.userId,
        input.deviceId,
        input.method,
        input.userAgent,
        input.ipAddress,
        input.now,
        input.expiresAt,
      ],
    );
  }

  /** The session of every request: concurrent requests share one statement. */
  findSessionByTokenHash(tokenHash: Buffer): Promise<AuthenticatedSessionRow | null> {
    return this.coalesced
      ? this.coalesced.sessionsByTokenHash.call(tokenHash)
      : this.sessionsByTokenHash([tokenHash]).then(([session]) => session ?? null);
  }

  private async sessionsByTokenHash(hashes: readonly Buffer[]): Promise<(AuthenticatedSessionRow | null)[]> {
    const { rows } = await this.db.query<
      SessionRecord & { token_hash: Buffer; user_status: UserStatus; wallet_account_id: string }
    >(
      `SELECT ${SESSION_COLUMNS}, s.token_hash, u.status AS user_status, u.wallet_account_id
         FROM identity_sessions s
         JOIN identity_users u ON u.id = s.user_id
         LEFT JOIN identity_devices d ON d.user_id = s.user_id AND d.device_id = s.device_id
        WHERE s.token_hash = ANY($1::bytea[])`,
      [hashes],
    );
    const sessions = byKey(
      hashes.map((hash) => hash.toString('hex')),
      rows,
      (row) => row.token_hash.toString('hex'),
    );
    return sessions.map((row) =>
      row ? { ...toSession(row), userStatus: row.user_status, walletAccountId: row.wallet_account_id } : null,
    );
  }

  /** Record activity, at most once per `touchMs` per session: most requests cost no write. */
  async touchSession(input: { sessionId: string; now: Date; touchMs: number }): Promise<void> {
    await this.db.query(
      `UPDATE identity_sessions SET last_seen_at = $2
        WHERE id = $1 AND revoked_at IS NULL AND last_seen_at <= $3`,
      [input.sessionId, input.now, new Date(input.now.getTime() - input.touchMs)],
    );
  }

  /** The holder's sessions that still work at `now`, newest first. */
  async listLiveSessions(input: {
    userId: string;
    now: Date;
    idleMs: number;
    limit: number;
  }): Promise<SessionRow[]> {
    const { rows } = await this.db.query<SessionRecord>(
      `SELECT ${SESSION_COLUMNS}
         FROM identity_sessions s
         LEFT JOIN identity_devices d ON d.user_id = s.user_id AND d.device_id = s.device_id
        WHERE s.user_id = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND s.last_seen_at > $3
        ORDER BY s.last_seen_at DESC, s.id DESC
        LIMIT $4`,
      [input.userId, input.now, new Date(input.now.getTime() - input.idleMs), input.limit],
    );
    return rows.map(toSession);
  }

  /** End one session of this holder; false when the holder has no such (unended) session. */
  async revokeSession(input: {
    sessionId: string;
    userId: string;
    reason: SessionEndReason;
    now: Date;
  }): Promise<boolean> {
    const result = await this.db.query(
      `UPDATE identity_sessions SET revoked_at = $3, revoked_reason = $4
        WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL`,
      [input.sessionId, input.userId, input.now, input.reason],
    );
    return result.rowCount === 1;
  }

  async revokeSessionByTokenHash(input: {
    tokenHash: Buffer;
    reason: SessionEndReason;
    now: Date;
  }): Promise<void> {
    await this.db.query(
      `UPDATE identity_sessions SET revoked_at = $2, revoked_reason = $3
        WHERE token_hash = $1 AND revoked_at IS NULL`,
      [input.tokenHash, input.now, input.reason],
    );
  }

  /** End every session of the holder except `exceptSessionId`; answers how many ended. */
  async revokeUserSessions(input: {
    userId: string;
    exceptSessionId: string | null;
    reason: SessionEndReason;
    now: Date;
  }): Promise<number> {
    const result = await this.db.query(
      `UPDATE identity_sessions SET revoked_at = $3, revoked_reason = $4
        WHERE user_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR id <> $2::uuid)`,
      [input.userId, input.exceptSessionId, input.now, input.reason],
    );
    return result.rowCount ?? 0;
  }

  /**
   * End every session of the holder for a phone reported lost; answers the devices whose sessions
   * had not reached their absolute end (an idle one still counts: a lost phone is often idle).
   */
  async revokeSessionsOfLostPhone(input: {
    userId: string;
    now: Date;
  }): Promise<{ deviceIds: string[]; ended: number }> {
    const { rows } = await this.db.query<{ device_id: string; expires_at: Date }>(
      `UPDATE identity_sessions SET revoked_at = $2, revoked_reason = 'reported_lost'
        WHERE user_id = $1 AND revoked_at IS NULL
        RETURNING device_id, expires_at`,
      [input.userId, input.now],
    );
    const live = rows.filter((row) => row.expires_at > input.now);
    return { deviceIds: [...new Set(live.map((row) => row.device_id))], ended: live.length };
  }

  /** Signing in on these devices needs a `new_device` SMS code again. */
  async untrustDevices(input: { userId: string; deviceIds: readonly string[] }): Promise<void> {
    if (input.deviceIds.length === 0) return;
    await this.db.query(
      'UPDATE identity_devices SET trusted_at = NULL WHERE user_id = $1 AND device_id = ANY($2::text[])',
      [input.userId, input.deviceIds],
    );
  }

  // ---- SMS codes --------------------------------------------------------------------------

  /** The live code of a number and purpose, locked for this transaction. */
  lockSmsCode(phone: string, purpose: SmsPurpose): Promise<SmsCodeRow | null> {
    return this.readSmsCode(phone, purpose, true);
  }

  /** The new code replaces any earlier one for this number and purpose. */
  async replaceSmsCode(input: {
    phone: string;
    purpose: SmsPurpose;
    id: string;
    codeHash: string;
    now: Date;
    expiresAt: Date;
  }): Promise<void> {
    await this.db.query(
      `INSERT INTO identity_sms_codes (phone, purpose, id, code_hash, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (phone, purpose) DO UPDATE
         SET id = EXCLUDED.id, code_hash = EXCLUDED.code_hash, created_at = EXCLUDED.created_at,
             expires_at = EXCLUDED.expires_at, attempts = 0, consumed_at = NULL`,
      [input.phone, input.purpose, input.id, input.codeHash, input.now, input.expiresAt],
    );
  }

  /** A code that could not be delivered must not block the next request for 60 s. */
  async deleteSmsCode(input: { phone: string; purpose: SmsPurpose; id: string }): Promise<void> {
    await this.db.query('DELETE FROM identity_sms_codes WHERE phone = $1 AND purpose = $2 AND id = $3', [
      input.phone,
      input.purpose,
      input.id,
    ]);
  }

  /**
   * Take one try of the live code before checking it, so that concurrent guesses can never
   * exceed the limit. Null when there is no live code with tries left.
   */
  async takeSmsCodeAttempt(input: {
    phone: string;
    purpose: SmsPurpose;
    now: Date;
    maxAttempts: number;
  }): Promise<{ id: string; codeHash: string; attempts: number } | null> {
    const { rows } = await this.db.query<{ id: string; code_hash: string; attempts: number }>(
      `UPDATE identity_sms_codes SET attempts = attempts + 1
        WHERE phone = $1 AND purpose = $2 AND consumed_at IS NULL AND expires_at > $3 AND attempts < $4
        RETURNING id, code_hash, attempts`,
      [input.phone, input.purpose, input.now, input.maxAttempts],
    );
    const row = rows[0];
    return row ? { id: row.id, codeHash: row.code_hash, attempts: row.attempts } : null;
  }

  findSmsCode(phone: string, purpose: SmsPurpose): Promise<SmsCodeRow | null> {
    return this.readSmsCode(phone, purpose, false);
  }

  private async readSmsCode(phone: string, purpose: SmsPurpose, lock: boolean): Promise<SmsCodeRow | null> {
    const { rows } = await this.db.query<{
      id: string;
      code_hash: string;
      created_at: Date;
      expires_at: Date;
      attempts: number;
      consumed_at: Date | null;
    }>(
      `SELECT id, code_hash, created_at, expires_at, attempts, consumed_at
         FROM identity_sms_codes WHERE phone = $1 AND purpose = $2${lock ? ' FOR UPDATE' : ''}`,
      [phone, purpose],
    );
    const row = rows[0];
    return row
      ? {
          id: row.id,
          codeHash: row.code_hash,
          createdAt: row.created_at,
          expiresAt: row.expires_at,
          attempts: row.attempts,
          consumedAt: row.consumed_at,
        }
      : null;
  }

  /** Single use: only one caller can consume a given code. */
  async consumeSmsCode(input: {
    phone: string;
    purpose: SmsPurpose;
    id: string;
    now: Date;
  }): Promise<boolean> {
    const result = await this.db.query(
      `UPDATE identity_sms_codes SET consumed_at = $4
        WHERE phone = $1 AND purpose = $2 AND id = $3 AND consumed_at IS NULL`,
      [input.phone, input.purpose, input.id, input.now],
    );
    return result.rowCount === 1;
  }

  // ---- rate limits ------------------------------------------------------------------------

  /**
   * Delete what no longer matters and would otherwise pile up with every number and address ever
   * seen: SMS codes that expired before `codesExpiredBefore`, and rate-limit rows that are not
   * blocked and have no hit since `idleSince` (a rule never looks further back than its window,
   * so such a row counts exactly as a missing one).
   */
  async sweep(input: {
    now: Date;
    codesExpiredBefore: Date;
    idleSince: Date;
  }): Promise<{ smsCodes: number; rateLimits: number }> {
    const codes = await this.db.query('DELETE FROM identity_sms_codes WHERE expires_at < $1', [
      input.codesExpiredBefore,
    ]);
    const limits = await this.db.query(
      `DELETE FROM identity_rate_limits
        WHERE (blocked_until IS NULL OR blocked_until <= $1)
          AND NOT EXISTS (SELECT 1 FROM unnest(hits) AS hit WHERE hit > $2)`,
      [input.now, input.idleSince],
    );
    return { smsCodes: codes.rowCount ?? 0, rateLimits: limits.rowCount ?? 0 };
  }

  /**
   * Count one hit against every rule, all or nothing, in the caller's transaction. Rows are
   * locked in key order, so concurrent callers on other instances queue instead of deadlocking.
   * A rule already at its limit starts (or continues) its block and nothing is counted.
   */
  async hitRateLimits(
    rules: readonly RateLimitRule[],
    now: Date,
  ): Promise<{ allowed: true } | { allowed: false; retryAfterMs: number }> {
    const sorted = [...rules].sort((a, b) =>
      a.scope === b.scope ? a.key.localeCompare(b.key) : a.scope.localeCompare(b.scope),
    );
    const states: { rule: RateLimitRule; recent: Date[]; blockedUntil: Date | null }[] = [];
    for (const rule of sorted) {
      // One statement creates the row or locks the one there: a sweep (below) may delete an idle
      // row at any moment, and a separate read after the insert could then find nothing.
      const { rows } = await this.db.query<{ hits: Date[]; blocked_until: Date | null }>(
        `INSERT INTO identity_rate_limits (scope, key) VALUES ($1, $2)
         ON CONFLICT (scope, key) DO UPDATE SET key = EXCLUDED.key
         RETURNING hits, blocked_until`,
        [rule.scope, rule.key],
      );
      const row = rows[0]!;
      const windowStart = now.getTime() - rule.windowMs;
      states.push({
        rule,
        recent: row.hits.filter((hit) => hit.getTime() > windowStart),
        blockedUntil: row.blocked_until,
      });
    }
    let retryAfterMs = 0;
    for (const state of states) {
      if (state.blockedUntil && state.blockedUntil > now) {
        retryAfterMs = Math.max(retryAfterMs, state.blockedUntil.getTime() - now.getTime());
      } else if (state.recent.length >= state.rule.limit) {
        const blockedUntil = new Date(now.getTime() + state.rule.blockMs);
        await this.db.query(
          'UPDATE identity_rate_limits SET blocked_until = $3 WHERE scope = $1 AND key = $2',
          [state.rule.scope, state.rule.key, blockedUntil],
        );
        retryAfterMs = Math.max(retryAfterMs, state.rule.blockMs);
      }
    }
    if (retryAfterMs > 0) return { allowed: false, retryAfterMs };
    for (const state of states) {
      await this.db.query(
        'UPDATE identity_rate_limits SET hits = $3, blocked_until = NULL WHERE scope = $1 AND key = $2',
        [state.rule.scope, state.rule.key, [...state.recent, now]],
      );
    }
    return { allowed: true };
  }

  // ---- the operator console (modules/console): reads only ------------------------------------

  /** Active holders whose number ends with these 4 digits, oldest first (a full scan: operator use only). */
  async usersByPhoneSuffix(suffix: string, limit: number): Promise<UserRow[]> {
    const { rows } = await this.db.query<UserRecord>(
      `SELECT ${USER_COLUMNS} FROM identity_users
        WHERE right(phone, 4) = $1 AND status = 'active' ORDER BY created_at, id LIMIT $2`,
      [suffix, limit],
    );
    return rows.map(toUser);
  }

  /** The holder's devices, most recently seen first. */
  async devicesOf(
    userId: string,
    limit: number,
  ): Promise<
    { deviceId: string; name: string | null; firstSeenAt: Date; lastSeenAt: Date; trusted: boolean }[]
  > {
    const { rows } = await this.db.query<{
      device_id: string;
      name: string | null;
      first_seen_at: Date;
      last_seen_at: Date;
      trusted_at: Date | null;
    }>(
      `SELECT device_id, name, first_seen_at, last_seen_at, trusted_at FROM identity_devices
        WHERE user_id = $1 ORDER BY last_seen_at DESC, device_id LIMIT $2`,
      [userId, limit],
    );
    return rows.map((row) => ({
      deviceId: row.device_id,
      name: row.name,
      firstSeenAt: row.first_seen_at,
      lastSeenAt: row.last_seen_at,
      trusted: row.trusted_at !== null,
    }));
  }
}
