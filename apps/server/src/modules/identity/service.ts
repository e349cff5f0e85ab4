import type pg from 'pg';
import { AccountCodes } from '../../platform/codes.ts';
import { AccountFlags, isUuid, newId } from '@qianbao/ledger';
import type { Ledger } from '@qianbao/ledger';
import type { SmsSender } from '../../adapters/sms/sender.ts';
import type { IdentityConfig } from '../../config.ts';
import { AppError } from '../../errors.ts';
import { secretCheckBusy } from '../../secret-tries.ts';
import type { TryPolicy } from '../../secret-tries.ts';
import type { NotificationsService } from '../notifications/service.ts';
import type { ClientInfo, Holder } from './http.ts';
import {
  newDeviceNotice,
  passwordChangedNotice,
  passwordLockedNotice,
  passwordResetNotice,
} from './messages.ts';
import { passwordWeakness } from './password-policy.ts';
import { maskPhone, normalizePhone } from './phone.ts';
import { placeOf } from './place.ts';
import { SecretHasher, newSessionToken, tokenDigest } from './secrets.ts';
import { SmsCodes } from './sms-codes.ts';
import type { SmsCodeSent } from './sms-codes.ts';
import { IdentityStore } from './store.ts';
import type { SessionEndReason, SessionMethod, SmsPurpose, UserRow } from './store.ts';

/** Chart-of-accounts code of a holder's wallet account (customer money, never negative). */
export const WALLET_CURRENCY = 'CNY';
const MAX_LISTED_SESSIONS = 100;
/** Expired SMS codes are kept this long, so that a late try is told the code expired. */
const SWEEP_KEEP_EXPIRED_CODES_MS = 24 * 3600 * 1000;
/** Longer than any rate-limit window (the longest, codes per number and per address, is an hour). */
const SWEEP_RATE_LIMIT_IDLE_MS = 24 * 3600 * 1000;
const SESSION_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export type { SmsPurpose, SessionMethod } from './store.ts';
export type { SmsCodeSent } from './sms-codes.ts';

/** A wallet holder, as other modules see one. */
export interface User {
  id: string;
  /** Full normalised number (11 digits): mask it (`maskPhone`) before it leaves the server. */
  phone: string;
  walletAccountId: string;
  realNameVerified: boolean;
  createdAt: Date;
}

export interface DeviceInput {
  /** The client's own stable id for the device (kept in its storage). */
  id: string;
  name?: string | null;
}

export interface NewSession {
  /** The bearer token: returned once, stored only as a SHA-256 hash. */
  token: string;
  sessionId: string;
  deviceId: string;
  /** Absolute end; the idle timeout may end it sooner. */
  expiresAt: Date;
  user: User;
}

export interface SessionView {
  id: string;
  deviceId: string;
  deviceName: string | null;
  method: SessionMethod;
  userAgent: string | null;
  ipAddress: string | null;
  place: string;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  current: boolean;
}

export interface IdentityServiceDeps {
  pool: pg.Pool;
  ledger: Pick<Ledger, 'createAccounts'>;
  sms: SmsSender;
  notifications: Pick<NotificationsService, 'notify'>;
  config: IdentityConfig;
  now: () => Date;
  log: { warn(object: object, message: string): void };
}

/**
 * Who judges sign-ins and hears of credential resets (the risk engine, issue 11), given after
 * both are made (app.ts): identity does not depend on the risk module.
 */
export interface SignInWatcher {
  /** A sign-in whose credentials were right, before its session; `step_up`/`review` ask for an SMS code. */
  judgeSignIn(input: { userId: string; deviceId: string; ip: string | null }): Promise<{ decision: string }>;
  /** The session is made. */
  signedIn(input: { userId: string; deviceId: string; ip: string | null }): Promise<void>;
  /** The login password was reset (SIM swap: a reset, then an immediate payout). */
  credentialReset(userId: string): Promise<void>;
}

/**
 * Sign-up, sign-in, sessions and login passwords of wallet holders (capability C2). Other
 * modules call this service, never the `identity_*` tables. Expected failures are thrown as
 * `AppError`s with this module's stable codes (errors.ts).
 */
export class IdentityService {
  private readonly store: IdentityStore;
  private readonly hasher: SecretHasher;
  private readonly smsCodes: SmsCodes;
  private readonly config: IdentityConfig;
  private readonly now: () => Date;

  private signIns: SignInWatcher | null = null;

  constructor(private readonly deps: IdentityServiceDeps) {
    this.config = deps.config;
    this.now = deps.now;
    this.store = new IdentityStore(deps.pool);
    this.hasher = new SecretHasher(deps.config.password.hashing);
    this.smsCodes = new SmsCodes({
      store: this.store,
      hasher: this.hasher,
      sms: deps.sms,
      config: deps.config.smsCode,
      now: deps.now,
      log: deps.log,
    });
  }

  // ---- SMS codes --------------------------------------------------------------------------

  /**
   * Send a one-time code. Codes for sign-in, reset and new-device purposes reach only numbers
   * that have a wallet, but the answer is the same either way: it does not tell who is registered.
   */
  async requestSmsCode(input: {
    phone: string;
    purpose: Exclude<SmsPurpose, 'verify' | 'unfreeze'>;
    client: ClientInfo;
  }): Promise<SmsCodeSent> {
    const phone = requirePhone(input.phone);
    const deliver = input.purpose === 'register' || (await this.store.findUserByPhone(phone)) !== null;
    return this.smsCodes.issue({ phone, purpose: input.purpose, client: input.client, deliver });
  }

  /**
   * Send a code to the signed-in holder's own number: `verify` (PIN setting and other step-ups,
   * the default) or `unfreeze` (lifting a freeze, whose text says so).
   */
  async requestVerificationCode(input: {
    userId: string;
    client: ClientInfo;
    purpose?: 'verify' | 'unfreeze';
  }): Promise<SmsCodeSent> {
    const user = await this.requireUser(input.userId);
    const purpose = input.purpose ?? 'verify';
    return this.smsCodes.issue({ phone: user.phone, purpose, client: input.client, deliver: true });
  }

  /**
   * Check a code and use it up (single use). Throws SMS_CODE_INVALID (with
   * `details.attemptsRemaining` when known), SMS_CODE_EXPIRED or SMS_CODE_ATTEMPTS_EXCEEDED.
   */
  async verifySmsCode(input: { phone: string; purpose: SmsPurpose; code: string }): Promise<void> {
    await this.smsCodes.verify({
      phone: requirePhone(input.phone),
      purpose: input.purpose,
      code: input.code,
    });
  }

  // ---- sign-up ----------------------------------------------------------------------------

  /**
   * Register a holder: SMS code, password rules, then the user row and its CNY wallet account.
   * The row stays `pending` (invisible: nobody can sign in with it) until the ledger account
   * exists; a retry after a failure in between takes the pending row over and reuses its
   * account id, so the ledger answers `exists` and nothing is created twice.
   */
  async register(input: {
    phone: string;
    code: string;
    password: string;
    device: DeviceInput;
    client: ClientInfo;
  }): Promise<NewSession> {
    const phone = requirePhone(input.phone);
    assertStrongPassword(input.password, phone);
    await this.smsCodes.verify({ phone, purpose: 'register', code: input.code });
    const passwordHash = await this.hasher.hash(input.password);
    const pending = await this.store.insertPendingUser({
      id: newId(),
      phone,
      passwordHash,
      walletAccountId: newId(),
      now: this.now(),
    });
    if (!pending) throw new AppError('PHONE_ALREADY_REGISTERED');
    const [created] = await this.deps.ledger.createAccounts([
      {
        id: pending.walletAccountId,
        currency: WALLET_CURRENCY,
        code: AccountCodes.wallet,
        ownerRef: `user:${pending.id}`,
        flags: AccountFlags.debitsMustNotExceedCredits,
      },
    ]);
    if (created?.result !== 'ok' && created?.result !== 'exists') {
      throw new Error(`wallet account ${pending.walletAccountId} not created: ${created?.result}`);
    }
    return this.openSession({
      userId: pending.id,
      device: input.device,
      method: 'register',
      client: input.client,
      activate: true,
    });
  }

  /** Let the risk engine judge every sign-in and hear of password resets (app.ts, once). */
  watchSignIns(watcher: SignInWatcher): void {
    this.signIns = watcher;
  }

  // ---- sign-in ----------------------------------------------------------------------------

  /**
   * Phone + password. A wrong number and a wrong password give the same INVALID_CREDENTIALS
   * after the same argon2 work. On a device this holder never used, a `new_device` SMS code is
   * needed as well (NEW_DEVICE_VERIFICATION_REQUIRED until it is given).
   */
  async loginWithPassword(input: {
    phone: string;
    password: string;
    device: DeviceInput;
    smsCode?: string | null;
    client: ClientInfo;
  }): Promise<NewSession> {
    const phone = requirePhone(input.phone);
    const user = await this.store.findUserByPhone(phone);
    if (!user) {
      await this.hasher.verifyDecoy(input.password);
      throw new AppError('INVALID_CREDENTIALS');
    }
    await this.checkPassword(user, input.password, 'INVALID_CREDENTIALS');
    // The risk engine judges the sign-in now its credentials are right; when it wants more, the
    // holder proves the phone as on a new device.
    const verdict = this.signIns
      ? await this.signIns.judgeSignIn({ userId: user.id, deviceId: input.device.id, ip: input.client.ip })
      : null;
    const riskAsks = verdict?.decision === 'step_up' || verdict?.decision === 'review';
    if (riskAsks || !(await this.store.isTrustedDevice(user.id, input.device.id))) {
      if (!input.smsCode) {
        throw new AppError('NEW_DEVICE_VERIFICATION_REQUIRED', {
          details: {
            smsPurpose: 'new_device',
            phone: maskPhone(phone),
            ...(riskAsks ? { reason: 'risk' } : {}),
          },
        });
      }
      await this.smsCodes.verify({ phone, purpose: 'new_device', code: input.smsCode });
    }
    return this.openSession({
      userId: user.id,
      device: input.device,
      method: 'password',
      client: input.client,
      judged: true,
    });
  }

  /** Phone + `login` SMS code; works during a password lockout, and trusts the device. */
  async loginWithSms(input: {
    phone: string;
    code: string;
    device: DeviceInput;
    client: ClientInfo;
  }): Promise<NewSession> {
    const phone = requirePhone(input.phone);
    await this.smsCodes.verify({ phone, purpose: 'login', code: input.code });
    const user = await this.store.findUserByPhone(phone);
    if (!user) throw new AppError('INVALID_CREDENTIALS'); // no code is ever sent to such a number
    return this.openSession({ userId: user.id, device: input.device, method: 'sms', client: input.client });
  }

  /**
   * Open a session for a holder already proven by the caller, e.g. after a verified passkey
   * assertion. The device becomes trusted; a device new to the holder is reported to them.
   */
  createSession(input: {
    userId: string;
    device: DeviceInput;
    method: Exclude<SessionMethod, 'register'>;
    client: ClientInfo;
  }): Promise<NewSession> {
    return this.openSession(input);
  }

  // ---- sessions ---------------------------------------------------------------------------

  /**
   * The holder behind a session token, checked in the database on every call so that a sign-out
   * anywhere takes effect everywhere at once. Throws UNAUTHORIZED (unknown or ended) or
   * SESSION_EXPIRED (`details.reason`: `idle` or `maxAge`).
   */
  async authenticate(token: string | null): Promise<Holder> {
    if (!token || !SESSION_TOKEN_PATTERN.test(token)) throw new AppError('UNAUTHORIZED');
    const session = await this.store.findSessionByTokenHash(tokenDigest(token));
    if (!session || session.revokedAt || session.userStatus !== 'active') throw new AppError('UNAUTHORIZED');
    const now = this.now();
    const { idleSeconds, touchSeconds } = this.config.session;
    if (now >= session.expiresAt) throw new AppError('SESSION_EXPIRED', { details: { reason: 'maxAge' } });
    const idleMs = now.getTime() - session.lastSeenAt.getTime();
    if (idleMs >= idleSeconds * 1000) throw new AppError('SESSION_EXPIRED', { details: { reason: 'idle' } });
    if (idleMs >= touchSeconds * 1000) {
      await this.store.touchSession({ sessionId: session.id, now, touchMs: touchSeconds * 1000 });
    }
    return {
      userId: session.userId,
      sessionId: session.id,
      deviceId: session.deviceId,
      walletAccountId: session.walletAccountId,
    };
  }

  /** The holder's working sessions, most recently used first. */
  async listSessions(input: { userId: string; currentSessionId: string | null }): Promise<SessionView[]> {
    const sessions = await this.store.listLiveSessions({
      userId: input.userId,
      now: this.now(),
      idleMs: this.config.session.idleSeconds * 1000,
      limit: MAX_LISTED_SESSIONS,
    });
    return sessions.map((session) => ({
      id: session.id,
      deviceId: session.deviceId,
      deviceName: session.deviceName,
      method: session.method,
      userAgent: session.userAgent,
      ipAddress: session.ipAddress,
      place: placeOf(session.ipAddress),
      createdAt: session.createdAt,
      lastUsedAt: session.lastSeenAt,
      expiresAt: session.expiresAt,
      current: session.id === input.currentSessionId,
    }));
  }

  /** End one of the holder's sessions. NOT_FOUND for any id that is not theirs. */
  async endSession(input: { userId: string; sessionId: string }): Promise<void> {
    const ended =
      isUuid(input.sessionId) &&
      (await this.store.revokeSession({
        sessionId: input.sessionId,
        userId: input.userId,
        reason: 'ended_by_holder',
        now: this.now(),
      }));
    if (!ended) throw new AppError('NOT_FOUND', { message: 'No such session.' });
  }

  /** Sign out the session of this token, whatever its state. */
  async logout(token: string | null): Promise<void> {
    if (!token || !SESSION_TOKEN_PATTERN.test(token)) return;
    await this.store.revokeSessionByTokenHash({
      tokenHash: tokenDigest(token),
      reason: 'logout',
      now: this.now(),
    });
  }

  /** End every session of the holder, answering how many there were. */
  endAllSessions(input: { userId: string; reason?: SessionEndReason; exceptSessionId?: string | null }) {
    return this.store.revokeUserSessions({
      userId: input.userId,
      exceptSessionId: input.exceptSessionId ?? null,
      reason: input.reason ?? 'logout_all',
      now: this.now(),
    });
  }

  /**
   * The holder's phone was reported lost (the freeze module): every session ends, and each device
   * that still had one — but `reportingDeviceId`, the device the report came from — is no longer
   * trusted, so signing in on it needs a `new_device` SMS code again. Answers those devices (the
   * freeze module marks them lost). Safe to repeat.
   */
  async endSessionsOfLostPhone(input: {
    userId: string;
    reportingDeviceId: string | null;
  }): Promise<{ sessionsEnded: number; deviceIds: string[] }> {
    const now = this.now();
    return this.store.transaction(async (tx) => {
      const { ended, deviceIds } = await tx.revokeSessionsOfLostPhone({ userId: input.userId, now });
      const lost = deviceIds.filter((deviceId) => deviceId !== input.reportingDeviceId);
      await tx.untrustDevices({ userId: input.userId, deviceIds: lost });
      return { sessionsEnded: ended, deviceIds: lost };
    });
  }

  // ---- passwords --------------------------------------------------------------------------

  /**
   * Confirm the holder's login password (e.g. before setting a PIN). A wrong one counts toward
   * the lockout like a failed sign-in. Throws WRONG_PASSWORD or PASSWORD_LOGIN_LOCKED.
   */
  async verifyPassword(input: { userId: string; password: string }): Promise<void> {
    const user = await this.requireUserRow(input.userId);
    await this.checkPassword(user, input.password, 'WRONG_PASSWORD');
  }

  /** Change the password while signed in; every other session of the holder ends. */
  async changePassword(input: {
    userId: string;
    sessionId: string;
    oldPassword: string;
    newPassword: string;
  }): Promise<void> {
    const user = await this.requireUserRow(input.userId);
    assertStrongPassword(input.newPassword, user.phone);
    await this.checkPassword(user, input.oldPassword, 'WRONG_PASSWORD');
    if (input.newPassword === input.oldPassword) {
      throw new AppError('WEAK_PASSWORD', { details: { reason: 'sameAsCurrent' } });
    }
    await this.replacePassword({
      userId: user.id,
      newPassword: input.newPassword,
      keepSessionId: input.sessionId,
      reason: 'password_changed',
    });
    await this.deps.notifications.notify(user.id, passwordChangedNotice());
  }

  /**
   * Reset a forgotten password with a `reset_password` SMS code, plus the ID number once the
   * holder is real-name verified. Every session ends. The code is used up even when the ID
   * number is then refused, so guessing ID numbers costs one SMS code per guess.
   */
  async resetPassword(input: {
    phone: string;
    code: string;
    newPassword: string;
    idNumber?: string | null;
  }): Promise<void> {
    const phone = requirePhone(input.phone);
    assertStrongPassword(input.newPassword, phone);
    await this.smsCodes.verify({ phone, purpose: 'reset_password', code: input.code });
    const user = await this.store.findUserByPhone(phone);
    if (!user) throw new AppError('SMS_CODE_INVALID'); // no code is ever sent to such a number
    if (user.idNumberHash !== null) {
      if (!input.idNumber) throw new AppError('ID_NUMBER_REQUIRED');
      if (!(await this.hasher.verify(user.idNumberHash, normalizeIdNumber(input.idNumber)))) {
        throw new AppError('ID_NUMBER_MISMATCH');
      }
    }
    await this.replacePassword({
      userId: user.id,
      newPassword: input.newPassword,
      keepSessionId: null,
      reason: 'password_reset',
    });
    await this.signIns?.credentialReset(user.id);
    await this.deps.notifications.notify(user.id, passwordResetNotice());
  }

  /**
   * Housekeeping, run hourly by the module: SMS codes a day past their expiry (until then a late
   * try still hears SMS_CODE_EXPIRED), and rate-limit rows idle for longer than any window.
   */
  async sweep(): Promise<{ smsCodes: number; rateLimits: number }> {
    const now = this.deps.now();
    return this.store.sweep({
      now,
      codesExpiredBefore: new Date(now.getTime() - SWEEP_KEEP_EXPIRED_CODES_MS),
      idleSince: new Date(now.getTime() - SWEEP_RATE_LIMIT_IDLE_MS),
    });
  }

  // ---- holders ----------------------------------------------------------------------------

  async getUser(userId: string): Promise<User | null> {
    if (!isUuid(userId)) return null;
    const row = await this.store.findUser(userId);
    return row ? toUser(row) : null;
  }

  /** The active holder with this number (any accepted spelling), or null. */
  async findUserByPhone(phone: string): Promise<User | null> {
    const normalized = normalizePhone(phone);
    const row = normalized ? await this.store.findUserByPhone(normalized) : null;
    return row ? toUser(row) : null;
  }

  /**
   * Called by the KYC module once the holder's identity is verified. Only an argon2id hash of
   * the ID number is kept (for the password-reset check); the number itself is not stored here.
   */
  async setRealNameVerified(input: { userId: string; idNumber: string }): Promise<void> {
    const idNumberHash = await this.hasher.hash(normalizeIdNumber(input.idNumber));
    const updated = await this.store.setRealNameVerified({
      userId: input.userId,
      idNumberHash,
      now: this.now(),
    });
    if (!updated) throw new AppError('NOT_FOUND', { message: 'No such holder.' });
  }

  // ---- the operator console (modules/console): reads only ------------------------------------

  /** Active holders whose number ends with these 4 digits (at most `limit`, ≤ 50). */
  async findUsersByPhoneSuffix(suffix: string, limit: number): Promise<User[]> {
    if (!/^\d{4}$/.test(suffix)) return [];
    const rows = await this.store.usersByPhoneSuffix(suffix, Math.min(Math.max(1, limit), 50));
    return rows.map(toUser);
  }

  /** The holder's devices (id, name, first and last seen, trusted for sign-in), newest first. */
  devicesOf(userId: string) {
    if (!isUuid(userId)) return Promise.resolve([]);
    return this.store.devicesOf(userId, 50);
  }

  // ---- internals --------------------------------------------------------------------------

  private async requireUserRow(userId: string): Promise<UserRow> {
    const row = isUuid(userId) ? await this.store.findUser(userId) : null;
    if (!row) throw new AppError('UNAUTHORIZED');
    return row;
  }

  private async requireUser(userId: string): Promise<User> {
    return toUser(await this.requireUserRow(userId));
  }

  /**
   * Password check with lockout, counted first (secret-tries.ts): a try is taken before the
   * password is compared — refused without looking while locked, waiting while the limit is full
   * of checks in flight — so 30 concurrent guesses get no more checks than the limit. A wrong
   * password counts (failures older than the lock period are forgotten) and the one that reaches
   * the limit locks password sign-in and tells the holder, once. A check cut off by a crash
   * stops counting after SECRET_TRY_LEASE_SECONDS.
   */
  private async checkPassword(
    user: UserRow,
    password: string,
    wrongCode: 'INVALID_CREDENTIALS' | 'WRONG_PASSWORD',
  ): Promise<void> {
    const policy = this.passwordTryPolicy();
    const taken = await this.store.acquirePasswordTry({ userId: user.id, now: this.now, policy });
    if (taken.kind === 'locked') throw lockedError(secondsUntil(taken.until, this.now()));
    if (taken.kind === 'busy') throw secretCheckBusy(taken.retryAfterMs);
    if (taken.kind === 'missing') throw new AppError(wrongCode);
    let right: boolean;
    try {
      right = await this.hasher.verify(user.passwordHash, password);
    } catch (error) {
      await this.store.releasePasswordTry(taken.lease).catch(() => {}); // else its lease runs out
      throw error;
    }
    const outcome = await this.store.finishPasswordTry({
      lease: taken.lease,
      right,
      now: this.now(),
      policy,
    });
    if (right) return;
    if (outcome.lockedNow) {
      await this.deps.notifications.notify(
        user.id,
        passwordLockedNotice({
          failures: policy.maxFailures,
          lockMinutes: Math.round(policy.lockMs / 60_000),
        }),
      );
    }
    if (outcome.lockedUntil) throw lockedError(secondsUntil(outcome.lockedUntil, this.now()));
    throw new AppError(wrongCode);
  }

  private passwordTryPolicy(): TryPolicy {
    const { maxFailures, lockSeconds, tryLeaseSeconds } = this.config.password;
    return {
      maxFailures,
      lockMs: lockSeconds * 1000,
      leaseMs: tryLeaseSeconds * 1000,
      forgetAfterMs: lockSeconds * 1000,
    };
  }

  private async replacePassword(input: {
    userId: string;
    newPassword: string;
    keepSessionId: string | null;
    reason: SessionEndReason;
  }): Promise<void> {
    const passwordHash = await this.hasher.hash(input.newPassword);
    const now = this.now();
    await this.store.transaction(async (tx) => {
      await tx.setPassword({ userId: input.userId, passwordHash, now });
      await tx.revokeUserSessions({
        userId: input.userId,
        exceptSessionId: input.keepSessionId,
        reason: input.reason,
        now,
      });
    });
  }

  private async openSession(input: {
    userId: string;
    device: DeviceInput;
    method: SessionMethod;
    client: ClientInfo;
    /** Registration: the pending holder becomes active in the same transaction. */
    activate?: boolean;
    /** The risk engine has judged this sign-in already (a password sign-in). */
    judged?: boolean;
  }): Promise<NewSession> {
    // Every other sign-in (SMS, passkey) is judged here: the decision is kept, a block freezes.
    if (this.signIns && !input.judged && input.method !== 'register') {
      await this.signIns.judgeSignIn({
        userId: input.userId,
        deviceId: input.device.id,
        ip: input.client.ip,
      });
    }
    const token = newSessionToken();
    const sessionId = newId();
    const now = this.now();
    const expiresAt = new Date(now.getTime() + this.config.session.maxAgeSeconds * 1000);
    const deviceName = input.device.name ?? null;
    const { user, deviceIsNew } = await this.store.transaction(async (tx) => {
      if (input.activate) await tx.activateUser(input.userId, now);
      const row = await tx.findUser(input.userId);
      if (!row) throw new AppError('UNAUTHORIZED');
      const { created } = await tx.upsertTrustedDevice({
        userId: row.id,
        deviceId: input.device.id,
        name: deviceName,
        now,
      });
      await tx.insertSession({
        id: sessionId,
        tokenHash: tokenDigest(token),
        userId: row.id,
        deviceId: input.device.id,
        method: input.method,
        userAgent: input.client.userAgent,
        ipAddress: input.client.ip,
        now,
        expiresAt,
      });
      return { user: toUser(row), deviceIsNew: created };
    });
    if (this.signIns) {
      await this.signIns
        .signedIn({ userId: user.id, deviceId: input.device.id, ip: input.client.ip })
        .catch((error: unknown) => this.deps.log.warn({ err: error }, 'risk: could not record a sign-in'));
    }
    if (deviceIsNew && input.method !== 'register') {
      await this.deps.notifications.notify(
        user.id,
        newDeviceNotice({
          deviceName: deviceName ?? input.client.userAgent ?? input.device.id,
          place: placeOf(input.client.ip),
        }),
      );
    }
    return { token, sessionId, deviceId: input.device.id, expiresAt, user };
  }
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    phone: row.phone,
    walletAccountId: row.walletAccountId,
    realNameVerified: row.realNameVerifiedAt !== null,
    createdAt: row.createdAt,
  };
}

function requirePhone(input: string): string {
  const phone = normalizePhone(input);
  if (!phone) throw new AppError('INVALID_PHONE');
  return phone;
}

function assertStrongPassword(password: string, phone: string): void {
  const reason = passwordWeakness(password, { phone });
  if (reason) throw new AppError('WEAK_PASSWORD', { details: { reason } });
}

function normalizeIdNumber(idNumber: string): string {
  return idNumber.trim().toUpperCase();
}

function secondsUntil(time: Date | null, now: Date): number {
  return time ? Math.max(0, Math.ceil((time.getTime() - now.getTime()) / 1000)) : 0;
}

function lockedError(retryAfterSeconds: number): AppError {
  return new AppError('PASSWORD_LOGIN_LOCKED', {
    details: { retryAfterSeconds, smsLoginAvailable: true },
    retryAfterSeconds,
  });
}
