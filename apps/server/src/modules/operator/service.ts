import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Secret, TOTP } from 'otpauth';
import type pg from 'pg';
import { withTransaction } from '@qianbao/db';
import { newId } from '@qianbao/ledger';
import { OPERATOR_ACTIONS, isAction, isOperatorAction } from '../../auth/permissions.ts';
import type { Action, OperatorAction } from '../../auth/permissions.ts';
import type { SecretBox } from '../../crypto/secret-box.ts';
import { AppError } from '../../errors.ts';
import { checkpointFileLines } from '../../journal-checkpoints.ts';
import { acquireTry, finishTry, releaseTry, secretCheckBusy } from '../../secret-tries.ts';
import type { TryColumns, TryPolicy } from '../../secret-tries.ts';
import { SecretHasher } from '../identity/secrets.ts';
import { appendAuditEntry, auditKeyFrom, searchAuditLog, verifyAuditChain } from './audit.ts';
import type { AuditInput, AuditListEntry, AuditSearch, AuditVerifyReport } from './audit.ts';
import { OPERATOR_TOTP_PURPOSE } from './module.ts';

const TOTP_PURPOSE = OPERATOR_TOTP_PURPOSE;
const TOTP_PERIOD_SECONDS = 30;
/** Failed sign-ins (password or code) of an operator: a count in a row, reset by a sign-in. */
const OPERATOR_TRIES: TryColumns = {
  table: 'operator_accounts',
  key: 'id',
  failures: 'failures',
  failedAt: null,
  lockedUntil: 'locked_until',
  inFlight: 'tries_in_flight',
};

export const OPERATOR_ROLES = ['admin', 'kyc_reviewer', 'support', 'risk', 'finance'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

export interface Operator {
  id: string;
  username: string;
  displayName: string;
  role: OperatorRole;
}

/** An operator account as admins see it (GET /v1/operator/operators). */
export interface OperatorAccount extends Operator {
  createdAt: Date;
  disabledAt: Date | null;
  lockedUntil: Date | null;
  lastSignInAt: Date | null;
}

/** A signed-in operator's new session: the token is shown once (and set as the cookie). */
export interface OperatorSession {
  token: string;
  expiresAt: Date;
  operator: Operator;
}

/** A newly made authenticator enrolment: shown once. */
export interface TotpEnrolment {
  totpSecret: string;
  otpauthUri: string;
}

export interface OperatorConfig {
  sessionHours: number;
  maxFailures: number;
  lockMinutes: number;
  /** How long a sign-in check in flight counts as a try at most (SECRET_TRY_LEASE_SECONDS). */
  tryLeaseSeconds: number;
  hashing: { memoryCostKib: number; timeCost: number };
}

export interface OperatorServiceDeps {
  pool: pg.Pool;
  secrets: SecretBox;
  config: OperatorConfig;
  now: () => Date;
  issuer: string;
  /**
   * Told after each entry is appended (start.ts: the audit checkpoints, ADR 0024). With an action's
   * own transaction the entry commits later: the checkpoint reads the committed head, not this.
   */
  onAuditAppended?: (() => void) | undefined;
  /** The checkpoint file (LEDGER_CHECKPOINT_FILE) verify checks the chain against, when it exists. */
  checkpointFile?: string | null | undefined;
}

interface AccountRow {
  id: string;
  username: string;
  display_name: string;
  role: OperatorRole;
  password_hash: string;
  totp_secret_sealed: string;
  totp_last_step: bigint;
  failures: number;
  locked_until: Date | null;
  disabled_at: Date | null;
}

/**
 * Operator accounts, sign-in (password AND a TOTP code, always), sessions and the audit log.
 * The first operator is made with `npx qianbao operator create`.
 */
export class OperatorService {
  private readonly hasher: SecretHasher;
  /** The audit chain's key (audit.ts): derived from the master key, never stored. */
  private readonly auditKey: Buffer;

  constructor(private readonly deps: OperatorServiceDeps) {
    this.hasher = new SecretHasher({ ...deps.config.hashing, parallelism: 1 });
    this.auditKey = auditKeyFrom(deps.secrets);
  }

  /**
   * Returns the password and TOTP enrolment exactly once; neither is retrievable later.
   * `actorId`: the admin who made it (null: `npx qianbao operator create`).
   */
  async create(input: {
    username: string;
    displayName?: string;
    role: OperatorRole;
    actorId?: string | null;
  }): Promise<{ operator: Operator; password: string } & TotpEnrolment> {
    const password = randomBytes(18).toString('base64url');
    const secret = new Secret({ size: 20 });
    const operator: Operator = {
      id: newId(),
      username: input.username.trim().toLowerCase(),
      displayName: input.displayName ?? input.username,
      role: input.role,
    };
    const passwordHash = await this.hasher.hash(password);
    try {
      await withTransaction(this.deps.pool, async (client) => {
        await client.query(
          `INSERT INTO operator_accounts (id, username, display_name, role, password_hash, totp_secret_sealed, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [
            operator.id,
            operator.username,
            operator.displayName,
            operator.role,
            passwordHash,
            this.deps.secrets.seal(secret.base32, TOTP_PURPOSE),
            this.deps.now(),
          ],
        );
        await this.audit(
          {
            operatorId: input.actorId ?? null,
            action: 'operator.create',
            target: operator.id,
            details: { username: operator.username, role: input.role },
          },
          client,
        );
      });
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw new AppError('OPERATOR_EXISTS');
      throw error;
    }
    const otpauthUri = this.totp(secret, operator.username).toString();
    return { operator, password, totpSecret: secret.base32, otpauthUri };
  }

  /** Every operator account, newest first (a bank has tens or hundreds of staff, not more). */
  async list(): Promise<OperatorAccount[]> {
    const { rows } = await this.deps.pool.query<
      AccountRow & { created_at: Date; last_sign_in_at: Date | null }
    >(
      `SELECT a.id, a.username, a.display_name, a.role, a.created_at, a.disabled_at, a.locked_until,
              (SELECT max(s.created_at) FROM operator_sessions s WHERE s.operator_id = a.id) AS last_sign_in_at
         FROM operator_accounts a ORDER BY a.created_at DESC, a.id LIMIT 1000`,
    );
    return rows.map((row) => ({
      ...toOperator(row),
      createdAt: row.created_at,
      disabledAt: row.disabled_at,
      lockedUntil: row.locked_until,
      lastSignInAt: row.last_sign_in_at,
    }));
  }

  /** Another operator's role; its sessions take the new role's permissions on their next request. */
  async changeRole(input: {
    actorId: string;
    operatorId: string;
    role: OperatorRole;
    reason: string;
  }): Promise<Operator> {
    return this.changeAccount(input, async (client, account) => {
      if (account.role !== input.role) {
        await client.query('UPDATE operator_accounts SET role = $2 WHERE id = $1', [account.id, input.role]);
      }
      await this.audit(
        {
          operatorId: input.actorId,
          action: 'operator.role_change',
          target: account.id,
          details: { before: account.role, after: input.role, reason: input.reason },
        },
        client,
      );
      return { ...toOperator(account), role: input.role };
    });
  }

  /**
   * Disables another operator: every one of its sessions is revoked in the same transaction, so
   * its next request is 401 on every server. Disabling a disabled operator changes nothing.
   */
  async disable(input: { actorId: string; operatorId: string; reason: string }): Promise<OperatorAccount> {
    const operatorId = await withTransaction(this.deps.pool, async (client) => {
      const account = await this.lockAccount(client, input);
      if (account.disabled_at === null) {
        const now = this.deps.now();
        await client.query('UPDATE operator_accounts SET disabled_at = $2 WHERE id = $1', [account.id, now]);
        const revoked = await client.query(
          'UPDATE operator_sessions SET revoked_at = $2 WHERE operator_id = $1 AND revoked_at IS NULL',
          [account.id, now],
        );
        await this.audit(
          {
            operatorId: input.actorId,
            action: 'operator.disable',
            target: account.id,
            details: { reason: input.reason, sessionsRevoked: revoked.rowCount ?? 0 },
          },
          client,
        );
      }
      return account.id;
    });
    const account = (await this.list()).find((candidate) => candidate.id === operatorId);
    if (!account) throw new Error(`operator ${input.operatorId} vanished`);
    return account;
  }

  /**
   * A new authenticator secret for another operator (a lost phone): the old one stops working at
   * once, its sessions are revoked, and the new enrolment is shown once, to the admin.
   */
  async resetTotp(input: { actorId: string; operatorId: string; reason: string }): Promise<TotpEnrolment> {
    const secret = new Secret({ size: 20 });
    return this.changeAccount(input, async (client, account) => {
      const now = this.deps.now();
      await client.query(
        'UPDATE operator_accounts SET totp_secret_sealed = $2, totp_last_step = 0 WHERE id = $1',
        [account.id, this.deps.secrets.seal(secret.base32, TOTP_PURPOSE)],
      );
      const revoked = await client.query(
        'UPDATE operator_sessions SET revoked_at = $2 WHERE operator_id = $1 AND revoked_at IS NULL',
        [account.id, now],
      );
      await this.audit(
        {
          operatorId: input.actorId,
          action: 'operator.totp_reset',
          target: account.id,
          details: { reason: input.reason, sessionsRevoked: revoked.rowCount ?? 0 },
        },
        client,
      );
      return { totpSecret: secret.base32, otpauthUri: this.totp(secret, account.username).toString() };
    });
  }

  /** An enabled account other than the actor's own, locked for the change, with the change and its audit entry. */
  private async changeAccount<T>(
    input: { actorId: string; operatorId: string },
    change: (client: pg.PoolClient, account: AccountRow) => Promise<T>,
  ): Promise<T> {
    return withTransaction(this.deps.pool, async (client) => {
      const account = await this.lockAccount(client, input);
      if (account.disabled_at !== null) throw new AppError('OPERATOR_DISABLED');
      return change(client, account);
    });
  }

  private async lockAccount(
    client: pg.PoolClient,
    input: { actorId: string; operatorId: string },
  ): Promise<AccountRow> {
    // An admin cannot lock themselves out (nor quietly widen or shrink their own account).
    if (input.actorId === input.operatorId) throw new AppError('OPERATOR_SELF_CHANGE');
    if (!isUuid(input.operatorId)) throw new AppError('OPERATOR_NOT_FOUND');
    const { rows } = await client.query<AccountRow>(
      `SELECT id, username, display_name, role, password_hash, totp_secret_sealed, totp_last_step, failures,
              locked_until, disabled_at
         FROM operator_accounts WHERE id = $1 FOR UPDATE`,
      [input.operatorId],
    );
    const account = rows[0];
    if (!account) throw new AppError('OPERATOR_NOT_FOUND');
    return account;
  }

  /** The roles × actions table as it is now. */
  async roleMatrix(): Promise<{
    actions: OperatorAction[];
    roles: { role: OperatorRole; actions: OperatorAction[] }[];
  }> {
    const { rows } = await this.deps.pool.query<{ role: OperatorRole; action: string }>(
      'SELECT role, action FROM operator_role_permissions',
    );
    return {
      actions: [...OPERATOR_ACTIONS],
      roles: OPERATOR_ROLES.map((role) => ({
        role,
        actions: OPERATOR_ACTIONS.filter((action) =>
          rows.some((r) => r.role === role && r.action === action),
        ),
      })),
    };
  }

  /**
   * Sets what a role may do, for every operator with that role from their next request. Refuses
   * an unknown action, and taking `operators:manage` from admins (nobody could give it back).
   * Changes of one role are serialised by its advisory lock; the audit entry, with the actions
   * before and after, commits with the change.
   */
  async setRoleActions(input: {
    actorId: string;
    role: OperatorRole;
    actions: readonly string[];
    reason: string;
  }): Promise<{ role: OperatorRole; actions: OperatorAction[] }> {
    const unknown = input.actions.filter((action) => !isOperatorAction(action));
    if (unknown.length > 0) throw new AppError('OPERATOR_UNKNOWN_ACTION', { details: { actions: unknown } });
    const after = OPERATOR_ACTIONS.filter((action) => input.actions.includes(action));
    if (input.role === 'admin' && !after.includes('operators:manage'))
      throw new AppError('OPERATOR_ROLE_LOCKOUT');
    return withTransaction(this.deps.pool, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('operator:role:' || $1, 0))`, [
        input.role,
      ]);
      const { rows } = await client.query<{ action: string }>(
        'SELECT action FROM operator_role_permissions WHERE role = $1',
        [input.role],
      );
      const before = OPERATOR_ACTIONS.filter((action) => rows.some((row) => row.action === action));
      const added = after.filter((action) => !before.includes(action));
      const removed = before.filter((action) => !after.includes(action));
      await client.query('DELETE FROM operator_role_permissions WHERE role = $1 AND NOT (action = ANY($2))', [
        input.role,
        after,
      ]);
      if (added.length > 0)
        await client.query(
          `INSERT INTO operator_role_permissions (role, action) SELECT $1, unnest($2::text[])
           ON CONFLICT DO NOTHING`,
          [input.role, added],
        );
      await this.audit(
        {
          operatorId: input.actorId,
          action: 'operator.role_permissions',
          target: `role:${input.role}`,
          details: { role: input.role, before, after, added, removed, reason: input.reason },
        },
        client,
      );
      return { role: input.role, actions: after };
    });
  }

  async login(input: { username: string; password: string; totpCode: string }): Promise<OperatorSession> {
    const now = this.deps.now();
    const { rows } = await this.deps.pool.query<AccountRow>(
      `SELECT id, username, display_name, role, password_hash, totp_secret_sealed, totp_last_step, failures,
              locked_until, disabled_at
         FROM operator_accounts WHERE username = $1`,
      [input.username.trim().toLowerCase()],
    );
    const account = rows[0];
    if (!account || account.disabled_at) {
      await this.hasher.verifyDecoy(input.password); // same time as a real check: no username probing
      throw new AppError('OPERATOR_LOGIN_FAILED');
    }
    // Count first (secret-tries.ts): the try is taken before anything is compared, so concurrent
    // guesses get no more checks than the limit, and a crash mid-check costs nothing after the lease.
    const { verdict: claimed, lockedNow } = await this.countedCheck(
      account,
      () => new AppError('OPERATOR_LOGIN_FAILED'),
      async () =>
        (await this.hasher.verify(account.password_hash, input.password)) &&
        (await this.claimTotp(account, input.totpCode, now)),
      (right) => right,
    );
    if (!claimed) {
      await this.audit({
        operatorId: account.id,
        action: 'operator.login_failed',
        target: account.id,
        // the failure that reached the limit and locked the account says so, once
        details: lockedNow ? { locked: true } : {},
      });
      throw new AppError('OPERATOR_LOGIN_FAILED');
    }
    return this.openSession(account, {});
  }

  /**
   * A sign-in proven by something other than password and code (a passkey, passkeys.ts), counted
   * and locked exactly like the password path: the try is taken before `check` runs, and `check`
   * answers null when right or the reason it is not (`refused` makes the error). A disabled
   * operator is told so only after a right check: nobody learns it from a bad signature.
   */
  async signInChecked(input: {
    operatorId: string;
    /** Kept with the sign-in's audit entries, e.g. `{ method: 'passkey', passkeyId }`. */
    details: Record<string, string>;
    check: () => Promise<string | null>;
    refused: (reason: string) => AppError;
  }): Promise<OperatorSession> {
    const account = await this.accountById(input.operatorId);
    if (!account) throw input.refused('unknownCredential');
    const { verdict: reason, lockedNow } = await this.countedCheck(
      account,
      () => input.refused('unknownCredential'),
      input.check,
      (verdict) => verdict === null,
    );
    if (reason !== null || account.disabled_at !== null) {
      await this.audit({
        operatorId: account.id,
        action: 'operator.login_failed',
        target: account.id,
        details: {
          ...input.details,
          reason: reason ?? 'disabled',
          ...(lockedNow ? { locked: true } : {}),
        },
      });
      if (reason !== null) throw input.refused(reason);
      throw new AppError('OPERATOR_DISABLED', { details: { reason: 'signIn' } });
    }
    return this.openSession(account, input.details);
  }

  /**
   * A fresh proof for a change of one's own sign-in (adding a passkey): the authenticator's code
   * now, good once, counted with the sign-in tries (a stolen session cannot guess codes for
   * free). OPERATOR_TOTP_INVALID, or OPERATOR_LOCKED while the account is locked.
   */
  async proveTotp(input: { operatorId: string; code: string; purpose: string }): Promise<void> {
    const account = await this.accountById(input.operatorId);
    if (!account || account.disabled_at !== null) throw new AppError('UNAUTHORIZED');
    const { verdict: claimed, lockedNow } = await this.countedCheck(
      account,
      () => new AppError('UNAUTHORIZED'),
      () => this.claimTotp(account, input.code, this.deps.now()),
      (right) => right,
    );
    if (!claimed) {
      await this.audit({
        operatorId: account.id,
        action: 'operator.reauth_failed',
        target: account.id,
        details: { purpose: input.purpose, ...(lockedNow ? { locked: true } : {}) },
      });
      throw new AppError('OPERATOR_TOTP_INVALID');
    }
  }

  /**
   * One counted check of an operator's secret (secret-tries.ts): the try is taken before `check`
   * runs, so concurrent guesses get no more checks than the limit (OPERATOR_LOCKED or busy first;
   * `missing` when the account's try row is gone); given back if `check` throws, else finished with
   * `right(verdict)`. Answers the verdict and whether this failure is the one that locked the account.
   */
  private async countedCheck<T>(
    account: AccountRow,
    missing: () => AppError,
    check: () => Promise<T>,
    right: (verdict: T) => boolean,
  ): Promise<{ verdict: T; lockedNow: boolean }> {
    const policy = this.tryPolicy();
    const taken = await acquireTry(this.deps.pool, OPERATOR_TRIES, {
      key: account.id,
      now: this.deps.now,
      policy,
    });
    if (taken.kind === 'locked') throw lockedError(taken.until, this.deps.now());
    if (taken.kind === 'busy') throw secretCheckBusy(taken.retryAfterMs);
    if (taken.kind === 'missing') throw missing();
    let verdict: T;
    try {
      verdict = await check();
    } catch (error) {
      await releaseTry(this.deps.pool, OPERATOR_TRIES, taken.lease).catch(() => {}); // else its lease runs out
      throw error;
    }
    const outcome = await finishTry(this.deps.pool, OPERATOR_TRIES, {
      lease: taken.lease,
      right: right(verdict),
      now: this.deps.now(),
      policy,
    });
    return { verdict, lockedNow: outcome.lockedNow };
  }

  private async accountById(operatorId: string): Promise<AccountRow | null> {
    if (!isUuid(operatorId)) return null;
    const { rows } = await this.deps.pool.query<AccountRow>(
      `SELECT id, username, display_name, role, password_hash, totp_secret_sealed, totp_last_step, failures,
              locked_until, disabled_at
         FROM operator_accounts WHERE id = $1`,
      [operatorId],
    );
    return rows[0] ?? null;
  }

  /** Claims the code's TOTP step: the step only moves forward, so a code replayed within its window is refused. */
  private async claimTotp(account: AccountRow, code: string, now: Date): Promise<boolean> {
    const step = this.acceptedStep(account, code, now);
    if (step === null) return false;
    const claim = await this.deps.pool.query(
      'UPDATE operator_accounts SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2',
      [account.id, step.toString()],
    );
    return claim.rowCount === 1;
  }

  /** A new session of a signed-in operator, and its `operator.login` entry. */
  private async openSession(account: AccountRow, details: Record<string, string>): Promise<OperatorSession> {
    const now = this.deps.now();
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.deps.config.sessionHours * 3600_000);
    await this.deps.pool.query(
      `INSERT INTO operator_sessions (id, token_hash, operator_id, created_at, last_seen_at, expires_at)
       VALUES ($1, $2, $3, $4, $4, $5)`,
      [newId(), digest(token), account.id, now, expiresAt],
    );
    await this.audit({ operatorId: account.id, action: 'operator.login', target: account.id, details });
    return { token, expiresAt, operator: toOperator(account) };
  }

  /**
   * The operator behind a session token, with what its role may do now: one query, the session,
   * the account and the role's rows of `operator_role_permissions` together, on every request.
   */
  async authenticate(
    token: string | null,
  ): Promise<Operator & { sessionId: string; permissions: readonly Action[] }> {
    if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) throw new AppError('UNAUTHORIZED');
    const { rows } = await this.deps.pool.query<AccountRow & { session_id: string; permissions: string[] }>(
      `SELECT a.id, a.username, a.display_name, a.role, s.id AS session_id,
              ARRAY(SELECT p.action FROM operator_role_permissions p WHERE p.role = a.role) AS permissions
         FROM operator_sessions s JOIN operator_accounts a ON a.id = s.operator_id
        WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND a.disabled_at IS NULL`,
      [digest(token), this.deps.now()],
    );
    const row = rows[0];
    if (!row) throw new AppError('UNAUTHORIZED');
    return { ...toOperator(row), sessionId: row.session_id, permissions: row.permissions.filter(isAction) };
  }

  async logout(operatorId: string, sessionId: string): Promise<void> {
    await withTransaction(this.deps.pool, async (client) => {
      const ended = await client.query(
        'UPDATE operator_sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL',
        [sessionId, this.deps.now()],
      );
      if (ended.rowCount === 1)
        await this.audit({ operatorId, action: 'operator.logout', target: operatorId, details: {} }, client);
    });
  }

  /**
   * Appends an entry to the audit log (audit.ts). Pass `db` — a client inside the action's own
   * transaction — to make the entry commit or roll back with the action; without it, the entry is
   * written in a transaction of its own.
   */
  async audit(input: AuditInput, db?: pg.ClientBase): Promise<void> {
    const options = { key: this.auditKey, at: this.deps.now() };
    if (db) await appendAuditEntry(db, options, input);
    else await withTransaction(this.deps.pool, (client) => appendAuditEntry(client, options, input));
    this.deps.onAuditAppended?.();
  }

  /** Newest first, filtered, in pages (`nextCursor`). */
  async auditLog(search: AuditSearch): Promise<{ entries: AuditListEntry[]; nextCursor: string | null }> {
    return searchAuditLog(this.deps.pool, search);
  }

  /**
   * Recomputes the whole chain and checks it against the checkpoint file when there is one (the
   * same check as `npx qianbao verify`).
   */
  async verifyAuditLog(): Promise<AuditVerifyReport> {
    const file = this.deps.checkpointFile ?? null;
    // The file's size is taken here, before the chain's snapshot: every line it reads is of a
    // committed entry.
    const checkpoints = file !== null && existsSync(file) ? checkpointFileLines(file) : undefined;
    return verifyAuditChain(this.deps.pool, this.auditKey, { checkpoints });
  }

  private tryPolicy(): TryPolicy {
    const { maxFailures, lockMinutes, tryLeaseSeconds } = this.deps.config;
    return {
      maxFailures,
      lockMs: lockMinutes * 60_000,
      leaseMs: tryLeaseSeconds * 1000,
      forgetAfterMs: null,
    };
  }

  /** The TOTP step the code belongs to (±1 step of clock drift), if it is valid and unused. */
  private acceptedStep(account: AccountRow, code: string, now: Date): bigint | null {
    if (!/^\d{6}$/.test(code)) return null;
    const secret = Secret.fromBase32(this.deps.secrets.open(account.totp_secret_sealed, TOTP_PURPOSE));
    const delta = this.totp(secret, account.username).validate({
      token: code,
      timestamp: now.getTime(),
      window: 1,
    });
    if (delta === null) return null;
    const step = BigInt(Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS) + delta);
    return step > account.totp_last_step ? step : null;
  }

  private totp(secret: Secret, username: string): TOTP {
    return new TOTP({
      issuer: this.deps.issuer,
      label: username,
      algorithm: 'SHA1',
      digits: 6,
      period: TOTP_PERIOD_SECONDS,
      secret,
    });
  }
}

function lockedError(until: Date, now: Date): AppError {
  return new AppError('OPERATOR_LOCKED', {
    retryAfterSeconds: Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000)),
  });
}

function toOperator(row: Pick<AccountRow, 'id' | 'username' | 'display_name' | 'role'>): Operator {
  return { id: row.id, username: row.username, displayName: row.display_name, role: row.role };
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
