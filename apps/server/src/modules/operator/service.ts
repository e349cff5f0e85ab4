import { createHash, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import type pg from 'pg';
import { newId } from '@qianbao/ledger';
import type { SecretBox } from '../../crypto/secret-box.ts';
import { AppError } from '../../errors.ts';
import { acquireTry, finishTry, releaseTry, secretCheckBusy } from '../../secret-tries.ts';
import type { TryColumns, TryPolicy } from '../../secret-tries.ts';
import { SecretHasher } from '../identity/secrets.ts';

const TOTP_PURPOSE = 'operator:totp';
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

  constructor(private readonly deps: OperatorServiceDeps) {
    this.hasher = new SecretHasher({ ...deps.config.hashing, parallelism: 1 });
  }

  /** Returns the password and TOTP enrolment exactly once; neither is retrievable later. */
  async create(input: { username: string; displayName?: string; role: OperatorRole }): Promise<{
    operator: Operator;
    password: string;
    totpSecret: string;
    otpauthUri: string;
  }> {
    const password = randomBytes(18).toString('base64url');
    const secret = new Secret({ size: 20 });
    const operator: Operator = {
      id: newId(),
      username: input.username,
      displayName: input.displayName ?? input.username,
      role: input.role,
    };
    try {
      await this.deps.pool.query(
        `INSERT INTO operator_accounts (id, username, display_name, role, password_hash, totp_secret_sealed, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          operator.id,
          operator.username,
          operator.displayName,
          operator.role,
          await this.hasher.hash(password),
          this.deps.secrets.seal(secret.base32, TOTP_PURPOSE),
          this.deps.now(),
        ],
      );
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw new AppError('OPERATOR_EXISTS');
      throw error;
    }
    await this.audit({
      operatorId: null,
      action: 'operator.create',
      target: operator.id,
      details: { role: input.role },
    });
    const otpauthUri = this.totp(secret, operator.username).toString();
    return { operator, password, totpSecret: secret.base32, otpauthUri };
  }

  async login(input: { username: string; password: string; totpCode: string }): Promise<{
    token: string;
    expiresAt: Date;
    operator: Operator;
  }> {
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
    const policy = this.tryPolicy();
    const taken = await acquireTry(this.deps.pool, OPERATOR_TRIES, {
      key: account.id,
      now: this.deps.now,
      policy,
    });
    if (taken.kind === 'locked') throw lockedError(taken.until, this.deps.now());
    if (taken.kind === 'busy') throw secretCheckBusy(taken.retryAfterMs);
    if (taken.kind === 'missing') throw new AppError('OPERATOR_LOGIN_FAILED');
    let claimed = false;
    try {
      const passwordOk = await this.hasher.verify(account.password_hash, input.password);
      const step = passwordOk ? this.acceptedStep(account, input.totpCode, now) : null;
      // The step only moves forward: a code replayed within its window is refused (and counts).
      if (step !== null) {
        const claim = await this.deps.pool.query(
          'UPDATE operator_accounts SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2',
          [account.id, step.toString()],
        );
        claimed = claim.rowCount === 1;
      }
    } catch (error) {
      await releaseTry(this.deps.pool, OPERATOR_TRIES, taken.lease).catch(() => {}); // else its lease runs out
      throw error;
    }
    const outcome = await finishTry(this.deps.pool, OPERATOR_TRIES, {
      lease: taken.lease,
      right: claimed,
      now: this.deps.now(),
      policy,
    });
    if (!claimed) {
      await this.audit({
        operatorId: account.id,
        action: 'operator.login_failed',
        target: account.id,
        // the failure that reached the limit and locked the account says so, once
        details: outcome.lockedNow ? { locked: true } : {},
      });
      throw new AppError('OPERATOR_LOGIN_FAILED');
    }
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.deps.config.sessionHours * 3600_000);
    await this.deps.pool.query(
      `INSERT INTO operator_sessions (id, token_hash, operator_id, created_at, last_seen_at, expires_at)
       VALUES ($1, $2, $3, $4, $4, $5)`,
      [newId(), digest(token), account.id, now, expiresAt],
    );
    await this.audit({ operatorId: account.id, action: 'operator.login', target: account.id, details: {} });
    return { token, expiresAt, operator: toOperator(account) };
  }

  async authenticate(token: string | null): Promise<Operator & { sessionId: string }> {
    if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) throw new AppError('UNAUTHORIZED');
    const { rows } = await this.deps.pool.query<AccountRow & { session_id: string }>(
      `SELECT a.id, a.username, a.display_name, a.role, s.id AS session_id
         FROM operator_sessions s JOIN operator_accounts a ON a.id = s.operator_id
        WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND a.disabled_at IS NULL`,
      [digest(token), this.deps.now()],
    );
    const row = rows[0];
    if (!row) throw new AppError('UNAUTHORIZED');
    return { ...toOperator(row), sessionId: row.session_id };
  }

  async logout(sessionId: string): Promise<void> {
    await this.deps.pool.query(
      'UPDATE operator_sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL',
      [sessionId, this.deps.now()],
    );
  }

  async audit(input: {
    operatorId: string | null;
    action: string;
    target: string | null;
    details: Record<string, unknown>;
  }): Promise<void> {
    await this.deps.pool.query(
      'INSERT INTO operator_audit_log (id, operator_id, action, target, details, at) VALUES ($1, $2, $3, $4, $5, $6)',
      [newId(), input.operatorId, input.action, input.target, JSON.stringify(input.details), this.deps.now()],
    );
  }

  async auditLog(limit: number): Promise<
    {
      id: string;
      operatorId: string | null;
      action: string;
      target: string | null;
      details: unknown;
      at: Date;
    }[]
  > {
    const { rows } = await this.deps.pool.query<{
      id: string;
      operator_id: string | null;
      action: string;
      target: string | null;
      details: unknown;
      at: Date;
    }>(
      'SELECT id, operator_id, action, target, details, at FROM operator_audit_log ORDER BY at DESC LIMIT $1',
      [Math.min(Math.max(limit, 1), 500)],
    );
    return rows.map((r) => ({
      id: r.id,
      operatorId: r.operator_id,
      action: r.action,
      target: r.target,
      details: r.details,
      at: r.at,
    }));
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

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
