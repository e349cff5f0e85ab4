import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { generateAuthenticationOptions } from '@simplewebauthn/server';
import type {
  AuthenticationResponseJSON,
  AuthenticatorTransportFuture,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type pg from 'pg';
import QRCode from 'qrcode';
import { isUuid, newId } from '@qianbao/ledger';
import { isCurrencyCode } from '@qianbao/money';
import type { SecurityConfig } from '../../config.ts';
import type { SecretBox } from '../../crypto/secret-box.ts';
import { AppError } from '../../errors.ts';
import { lockedUntil, secretCheckBusy } from '../../secret-tries.ts';
import type { TryPolicy } from '../../secret-tries.ts';
import type { ClientInfo, DeviceInput, IdentityService, NewSession } from '../identity/index.ts';
import { maskPhone } from '../identity/index.ts';
import { NO_WAKE } from '../../outbox/index.ts';
import type { OutboxWake } from '../../outbox/index.ts';
import type { SecurityErrorCode } from './errors.ts';
import { decideFactor } from './factor-policy.ts';
import type { ConfirmationFactor, FactorDecision } from './factor-policy.ts';
import { paymentChallenge, paymentHash, paymentHashOfChallenge } from './payment-binding.ts';
import type { PaymentToConfirm } from './payment-binding.ts';
import { pinWeakness } from './pin-policy.ts';
import { relyingPartyFor } from './relying-party.ts';
import {
  assertionFlags,
  challengeOfClientData,
  counterRefused,
  registrationOptions,
  verifiedAssertion,
  verifiedRegistration,
} from './webauthn.ts';
import type { RelyingParty } from './relying-party.ts';
import { SecurityStore } from './store.ts';
import type { ChallengePurpose, ChallengeRow, FactorState, HolderRow, PasskeyRow } from './store.ts';
import {
  RECOVERY_CODE_COUNT,
  checkTotp,
  newRecoveryCode,
  newTotpSecret,
  normalizeRecoveryCode,
  totpUri,
} from './totp.ts';

export type { PaymentToConfirm } from './payment-binding.ts';
export type { ConfirmationFactor, FactorDecision } from './factor-policy.ts';

/** The holder's date of birth (`YYYY-MM-DD` or `YYYYMMDD`) from the real-name record; null before it. */
export type BirthDateSource = (userId: string) => Promise<string | null>;

/** The holder's verified resident ID number from the real-name record; null before it. */
export type IdNumberSource = (userId: string) => Promise<string | null>;

export interface SecurityServiceDeps {
  pool: pg.Pool;
  identity: Pick<IdentityService, 'getUser' | 'verifyPassword' | 'verifySmsCode' | 'createSession'>;
  /**
   * Woken after a change and its event commit (a PIN set, a passkey added, payments locked …);
   * the holder's notice follows from the event (events.ts). None: the sweep delivers it.
   */
  events?: OutboxWake;
  /** Seals TOTP secrets and keys the recovery-code digests (docs/adr/0005-secrets-at-rest.md). */
  secrets: Pick<SecretBox, 'seal' | 'open' | 'blindIndex'>;
  config: SecurityConfig;
  /** argon2id cost of PINs (the same as login passwords). */
  hashing: { memoryCostKib: number; timeCost: number; parallelism: number };
  /** `QIANBAO_PUBLIC_URL`: the WebAuthn relying party. */
  publicUrl: string;
  /** Sandbox: pages on localhost at any port are their own relying party (relying-party.ts). */
  sandbox: boolean;
  now: () => Date;
  /** PINs equal to the birth date are refused once this answers (the KYC module provides it). */
  birthDateOf?: BirthDateSource;
  /**
   * The verified ID number (KYC module), asked for when a real-name verified holder replaces a
   * forgotten PIN; without it such a replacement is refused (ID_NUMBER_REQUIRED never passes).
   */
  idNumberOf?: IdNumberSource;
  /**
   * The password-free maximums set by an approved configuration change (modules/approvals, ADR
   * 0025) in force at a time; null: PASSWORD_FREE_MAX_MINOR and PASSWORD_FREE_DAILY_MAX_MINOR.
   */
  settings?: PasswordFreeSettings;
}

export interface PasswordFreeSettings {
  passwordFreeAt(at: Date): Promise<{ maxPerPaymentMinor: bigint; dailyMaxMinor: bigint } | null>;
}

export interface SecuritySummary {
  pinSet: boolean;
  pinSetAt: Date | null;
  /** Set while too many wrong PINs or codes keep payments locked. */
  paymentsLockedUntil: Date | null;
  passkeyCount: number;
  totpEnabled: boolean;
  recoveryCodesRemaining: number;
  passwordFreeLimitMinor: bigint;
  /** The highest per-payment password-free limit the holder may choose. */
  passwordFreeMaxMinor: bigint;
  passwordFreeDailyMaxMinor: bigint;
}

export interface PasskeyView {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  /** `multiDevice`: a synced passkey (iCloud Keychain, Google Password Manager …). */
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  transports: string[];
  /** Set once the holder's phone was reported lost: it works no more (remove it, add a new one). */
  suspendedAt: Date | null;
}

/** The factors that may prove the holder for a step-up (`verifyStepUp`). */
export interface StepUpFactors {
  passkey: boolean;
  totp: boolean;
}

/** One factor for `verifyStepUp`. */
export type StepUpInput = { passkeyResponse: AuthenticationResponseJSON } | { totpCode: string };

export interface TotpSetup {
  /** Base32, for typing in by hand. */
  secret: string;
  otpauthUri: string;
  /** The URI as a QR code: an SVG document, and the same as a `data:` URL for `<img src>`. */
  qrSvg: string;
  qrDataUrl: string;
  /** Confirm a first code before this, or start again. */
  expiresAt: Date;
}

/** One factor for `verifyConfirmation`: exactly one of these. */
export type ConfirmationInput =
  { pin: string } | { passkeyResponse: AuthenticationResponseJSON } | { totpCode: string };

/**
 * What a passkey confirmation proves, kept with the payment: with the passkey's public key,
 * anyone can check that the holder's authenticator signed a challenge ending in `paymentHash`.
 * Binary fields are base64url, as WebAuthn sent them.
 */
export interface PasskeyEvidence {
  credentialId: string;
  authenticatorData: string;
  clientDataJSON: string;
  signature: string;
  userHandle: string | null;
  /** Hex SHA-256 of the payment (payment-binding.ts). */
  paymentHash: string;
  rpId: string;
  origin: string;
}

/** Why a confirmation failed; `details` as in the HTTP error (e.g. `attemptsRemaining`, `until`). */
export type ConfirmationFailureCode = Extract<
  SecurityErrorCode,
  | 'FACTOR_NOT_ACCEPTED'
  | 'PIN_NOT_SET'
  | 'PIN_INCORRECT'
  | 'PAYMENTS_LOCKED'
  | 'PASSKEY_VERIFICATION_FAILED'
  | 'CHALLENGE_EXPIRED'
  | 'TOTP_NOT_ENABLED'
  | 'TOTP_INVALID'
  | 'TOTP_REUSED'
>;

export type ConfirmationResult =
  | {
      ok: true;
      factor: Exclude<ConfirmationFactor, 'none'>;
      /** Hex SHA-256 of the payment, as stored with the confirmation. */
      paymentHash: string;
      /** Passkeys only. */
      evidence: PasskeyEvidence | null;
    }
  | {
      ok: false;
      code: ConfirmationFailureCode;
      details: Record<string, unknown>;
      /** The same failure, ready to throw from a route. */
      error: AppError;
    };

const CONFIRMATION_FAILURES = new Set<string>([
  'FACTOR_NOT_ACCEPTED',
  'PIN_NOT_SET',
  'PIN_INCORRECT',
  'PAYMENTS_LOCKED',
  'PASSKEY_VERIFICATION_FAILED',
  'CHALLENGE_EXPIRED',
  'TOTP_NOT_ENABLED',
  'TOTP_INVALID',
  'TOTP_REUSED',
] satisfies ConfirmationFailureCode[]);

const RP_NAME = 'Qianbao 钱包';
const TOTP_ISSUER = 'Qianbao';
const TOTP_SETUP_TTL_MS = 10 * 60 * 1000;
const TOTP_SETUP_MAX_FAILURES = 5;
const USER_HANDLE_BYTES = 32;
const REGISTRATION_CHALLENGE_BYTES = 32;
const MAX_PASSKEY_NAME_LENGTH = 64;
const MAX_PAYMENT_ID_LENGTH = 128;
const MAX_PAYEE_LENGTH = 256;

/**
 * Payment security (capability C3): the transaction PIN, passkeys, TOTP two-step verification,
 * password-free payments, and the confirmation service every money movement uses. Other modules
 * call this service, never the `security_*` tables. See docs/security.md.
 */
/** Who hears of wrong PINs and PIN changes (the risk engine, issue 11); given in app.ts. */
export interface FactorWatcher {
  factorFailed(userId: string): Promise<void>;
  credentialReset(userId: string): Promise<void>;
}

export class SecurityService {
  private readonly store: SecurityStore;
  private readonly config: SecurityConfig;
  private readonly now: () => Date;

  private risk: FactorWatcher | null = null;

  constructor(private readonly deps: SecurityServiceDeps) {
    this.store = new SecurityStore(deps.pool, null, deps.events ?? NO_WAKE);
    this.config = deps.config;
    this.now = deps.now;
  }

  // ---- overview ---------------------------------------------------------------------------

  async summary(userId: string): Promise<SecuritySummary> {
    const holder = await this.holder(userId);
    const now = this.now();
    const [passkeyCount, totp, recoveryCodesRemaining, passwordFree] = await Promise.all([
      this.store.countPasskeys(userId, { usableOnly: true }),
      this.store.findTotp(userId),
      this.store.countUnusedRecoveryCodes(userId),
      this.passwordFreePolicy(now),
    ]);
    return {
      pinSet: holder.pinHash !== null,
      pinSetAt: holder.pinSetAt,
      paymentsLockedUntil: lockedUntil(holder.paymentsLockedUntil, now),
      passkeyCount,
      totpEnabled: totp?.status === 'enabled',
      recoveryCodesRemaining: totp?.status === 'enabled' ? recoveryCodesRemaining : 0,
      passwordFreeLimitMinor: minOf(holder.passwordFreeLimitMinor, passwordFree.maxPerPaymentMinor),
      passwordFreeMaxMinor: passwordFree.maxPerPaymentMinor,
      passwordFreeDailyMaxMinor: passwordFree.dailyMaxMinor,
    };
  }

  // ---- transaction PIN --------------------------------------------------------------------

  /**
   * Set the 6-digit PIN, or replace one (changed or forgotten — the old PIN is not asked): needs
   * the login password (WRONG_PASSWORD counts toward the sign-in lockout) and a `verify` SMS
   * code; replacing the PIN of a real-name verified holder also needs the ID number, as a
   * password reset does (ID_NUMBER_REQUIRED before the code is spent, ID_NUMBER_MISMATCH after
   * it, so each guess costs a code). Trivial PINs are refused first (PIN_TOO_SIMPLE,
   * `details.reason`), before the password or the code is spent. A new PIN lifts a payment lock.
   */
  /** Let the risk engine hear of wrong PINs and PIN changes (app.ts, once). */
  watchFactors(watcher: FactorWatcher): void {
    this.risk = watcher;
  }

  async setPin(input: {
    userId: string;
    password: string;
    smsCode: string;
    pin: string;
    idNumber?: string | null;
  }): Promise<{ changed: boolean }> {
    const birthDate = this.deps.birthDateOf ? await this.deps.birthDateOf(input.userId) : null;
    const reason = pinWeakness(input.pin, { birthDate });
    if (reason) throw new AppError('PIN_TOO_SIMPLE', { details: { reason } });
    const user = await this.deps.identity.getUser(input.userId);
    if (!user) throw new AppError('UNAUTHORIZED');
    const replacing = (await this.holder(input.userId)).pinHash !== null;
    const needsIdNumber = replacing && user.realNameVerified;
    if (needsIdNumber && !input.idNumber) throw new AppError('ID_NUMBER_REQUIRED');
    await this.deps.identity.verifyPassword({ userId: input.userId, password: input.password });
    await this.deps.identity.verifySmsCode({ phone: user.phone, purpose: 'verify', code: input.smsCode });
    if (needsIdNumber && !(await this.idNumberMatches(input.userId, input.idNumber ?? ''))) {
      throw new AppError('ID_NUMBER_MISMATCH');
    }
    const pinHash = await argon2Hash(input.pin, this.argon2Options());
    // `security.pin_set` goes with the new PIN; the holder's notice follows from it.
    const result = await this.store.setPin({ userId: input.userId, pinHash, now: this.now() });
    if (replacing) await this.risk?.credentialReset(input.userId);
    return result;
  }

  /**
   * Check the login password before a flow asks for anything else (the PIN screen's first
   * step). Identity's own check: a wrong password counts toward the sign-in lockout
   * (WRONG_PASSWORD, then PASSWORD_LOGIN_LOCKED), so this is no cheaper oracle than sign-in.
   */
  async checkLoginPassword(input: { userId: string; password: string }): Promise<void> {
    await this.deps.identity.verifyPassword(input);
  }

  /**
   * Whether `idNumber` is the holder's verified one (X in any case, spaces ignored); false before
   * real-name verification. Also asked by the freeze module (report-loss, unfreeze).
   */
  async idNumberMatches(userId: string, idNumber: string): Promise<boolean> {
    const verified = this.deps.idNumberOf ? await this.deps.idNumberOf(userId) : null;
    if (!verified) return false;
    const digest = (value: string) =>
      createHash('sha256').update(value.replace(/\s+/g, '').toUpperCase()).digest();
    return timingSafeEqual(digest(verified), digest(idNumber));
  }

  /**
   * The holder's password-free limit per payment (0 turns password-free payments off), at most
   * the configured maximum (PASSWORD_FREE_LIMIT_TOO_HIGH). Any change needs the PIN.
   */
  async setPasswordFreeLimit(input: {
    userId: string;
    limitMinor: bigint;
    pin: string;
  }): Promise<SecuritySummary> {
    const max = (await this.passwordFreePolicy(this.now())).maxPerPaymentMinor;
    if (input.limitMinor < 0n || input.limitMinor > max) {
      throw new AppError('PASSWORD_FREE_LIMIT_TOO_HIGH', {
        details: { maxAmount: { amount: max.toString(), currency: this.passwordFreeCurrency() } },
      });
    }
    await this.checkPin(input.userId, input.pin);
    await this.store.setPasswordFreeLimit({
      userId: input.userId,
      limitMinor: input.limitMinor,
      currency: this.passwordFreeCurrency(),
      now: this.now(),
    });
    return this.summary(input.userId);
  }

  // ---- passkeys ---------------------------------------------------------------------------

  /** Options for `navigator.credentials.create` (discoverable credential, user verification required). */
  async passkeyRegistrationOptions(input: {
    userId: string;
    origin: string | null;
  }): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const rp = this.relyingParty(input.origin);
    const holder = await this.holder(input.userId);
    const passkeys = await this.store.listPasskeys(input.userId);
    if (passkeys.length >= this.config.webauthn.maxPasskeysPerHolder)
      throw new AppError('PASSKEY_LIMIT_REACHED');
    const user = await this.deps.identity.getUser(input.userId);
    if (!user) throw new AppError('UNAUTHORIZED');
    const challenge = randomBytes(REGISTRATION_CHALLENGE_BYTES);
    await this.saveChallenge({ challenge, purpose: 'register', userId: input.userId, rp, payment: null });
    const masked = maskPhone(user.phone);
    return registrationOptions({
      rp: { id: rp.id, name: RP_NAME },
      userName: masked,
      userDisplayName: `${RP_NAME} ${masked}`,
      userHandle: holder.webauthnUserHandle,
      challenge,
      timeoutMs: this.config.webauthn.challengeTtlSeconds * 1000,
      existing: passkeys.map((passkey) => ({ id: passkey.credentialId, transports: passkey.transports })),
    });
  }

  /** Verify the browser's attestation for the holder's registration challenge and keep the passkey. */
  async registerPasskey(input: {
    userId: string;
    response: RegistrationResponseJSON;
    name: string;
  }): Promise<PasskeyView> {
    const name = input.name.trim().slice(0, MAX_PASSKEY_NAME_LENGTH);
    if (name.length === 0) throw validation('name', 'must not be empty');
    const challenge = await this.takeChallenge({
      clientDataJSON: input.response.response.clientDataJSON,
      purpose: 'register',
      userId: input.userId,
    });
    const verified = await verifiedRegistration(input.response, {
      text: challenge.text,
      origin: challenge.row.origin,
      rpId: challenge.row.rpId,
    });
    if ('failure' in verified) throw passkeyFailed('invalid', verified.failure ?? undefined);
    const { info } = verified;
    const now = this.now();
    const row: Omit<PasskeyRow, 'lastUsedAt' | 'suspendedAt'> = {
      id: newId(),
      userId: input.userId,
      credentialId: info.credential.id,
      publicKey: Buffer.from(info.credential.publicKey),
      signCount: info.credential.counter,
      transports: (input.response.response.transports ?? []).slice(0, 8).map(String),
      deviceType: info.credentialDeviceType,
      backedUp: info.credentialBackedUp,
      aaguid: info.aaguid,
      rpId: challenge.row.rpId,
      name,
      createdAt: now,
    };
    await this.store.transaction(async (tx) => {
      await tx.findHolder(input.userId, { forUpdate: true }); // one registration at a time per holder
      if ((await tx.countPasskeys(input.userId)) >= this.config.webauthn.maxPasskeysPerHolder) {
        throw new AppError('PASSKEY_LIMIT_REACHED');
      }
      // With `security.passkey_added`: the holder's notice follows from it.
      if (!(await tx.insertPasskey(row))) throw passkeyFailed('alreadyRegistered');
    });
    return toPasskeyView({ ...row, lastUsedAt: null, suspendedAt: null });
  }

  async listPasskeys(userId: string): Promise<PasskeyView[]> {
    return (await this.store.listPasskeys(userId)).map(toPasskeyView);
  }

  /** PASSKEY_NOT_FOUND for any id that is not one of the holder's passkeys. */
  async renamePasskey(input: { userId: string; passkeyId: string; name: string }): Promise<PasskeyView> {
    const name = input.name.trim().slice(0, MAX_PASSKEY_NAME_LENGTH);
    if (name.length === 0) throw validation('name', 'must not be empty');
    const row = isUuid(input.passkeyId)
      ? await this.store.renamePasskey({ userId: input.userId, id: input.passkeyId, name })
      : null;
    if (!row) throw new AppError('PASSKEY_NOT_FOUND');
    return toPasskeyView(row);
  }

  async removePasskey(input: { userId: string; passkeyId: string }): Promise<void> {
    const row = isUuid(input.passkeyId)
      ? await this.store.deletePasskey({ userId: input.userId, id: input.passkeyId, now: this.now() })
      : null;
    if (!row) throw new AppError('PASSKEY_NOT_FOUND');
  }

  /** Sign-in options: no phone number needed, the browser offers the holder's discoverable passkeys. */
  async passkeyLoginOptions(input: {
    origin: string | null;
  }): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const rp = this.relyingParty(input.origin);
    const challenge = randomBytes(REGISTRATION_CHALLENGE_BYTES);
    await this.saveChallenge({ challenge, purpose: 'login', userId: null, rp, payment: null });
    return generateAuthenticationOptions({
      rpID: rp.id,
      challenge: new Uint8Array(challenge),
      userVerification: 'required',
      timeout: this.config.webauthn.challengeTtlSeconds * 1000,
    });
  }

  /**
   * Sign in with a passkey. User verification (fingerprint, face, device PIN) plus possession of
   * the key is two factors, so a device new to the holder needs no SMS code.
   */
  async loginWithPasskey(input: {
    response: AuthenticationResponseJSON;
    device: DeviceInput;
    client: ClientInfo;
  }): Promise<NewSession> {
    const { passkey } = await this.verifyAssertion({
      response: input.response,
      purpose: 'login',
      userId: null,
    });
    return this.deps.identity.createSession({
      userId: passkey.userId,
      device: input.device,
      method: 'passkey',
      client: input.client,
    });
  }

  // ---- TOTP two-step verification ---------------------------------------------------------

  /** A new secret, pending until `enableTotp` confirms a first code (10 minutes). */
  async setupTotp(userId: string): Promise<TotpSetup> {
    await this.holder(userId);
    const user = await this.deps.identity.getUser(userId);
    if (!user) throw new AppError('UNAUTHORIZED');
    const secret = newTotpSecret();
    const now = this.now();
    const expiresAt = new Date(now.getTime() + TOTP_SETUP_TTL_MS);
    const stored = await this.store.putPendingTotp({
      userId,
      secretSealed: this.deps.secrets.seal(secret, totpPurpose(userId)),
      now,
      expiresAt,
    });
    if (!stored) throw new AppError('TOTP_ALREADY_ENABLED');
    const otpauthUri = totpUri({ secretBase32: secret, issuer: TOTP_ISSUER, label: maskPhone(user.phone) });
    const qrSvg = await QRCode.toString(otpauthUri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return {
      secret,
      otpauthUri,
      qrSvg,
      qrDataUrl: `data:image/svg+xml;base64,${Buffer.from(qrSvg).toString('base64')}`,
      expiresAt,
    };
  }

  /**
   * Confirm the pending setup with a first code; answers the recovery codes, shown this once
   * (only keyed digests are kept). Five wrong first codes drop the setup (TOTP_SETUP_EXPIRED).
   */
  async enableTotp(input: { userId: string; code: string }): Promise<{ recoveryCodes: string[] }> {
    const now = this.now();
    // Count first, atomically (like SMS codes: every try of a setup counts, the right one too), so
    // concurrent guesses get no more than five checks. A try cut off by a crash stays counted only
    // as long as this setup lives (10 minutes; starting again resets it).
    const row = await this.store.takePendingTotpTry({
      userId: input.userId,
      now,
      maxFailures: TOTP_SETUP_MAX_FAILURES,
    });
    if (!row) {
      const current = await this.store.findTotp(input.userId);
      if (current?.status === 'enabled') throw new AppError('TOTP_ALREADY_ENABLED');
      throw new AppError('TOTP_SETUP_EXPIRED');
    }
    const secret = this.deps.secrets.open(row.secretSealed, totpPurpose(input.userId));
    const check = checkTotp({
      secretBase32: secret,
      code: input.code,
      nowMs: now.getTime(),
      lastUsedStep: null,
    });
    if (!check.ok) {
      await this.store.dropSpentTotpSetup({ userId: input.userId, maxFailures: TOTP_SETUP_MAX_FAILURES });
      throw new AppError('TOTP_INVALID', {
        details: { attemptsRemaining: Math.max(0, TOTP_SETUP_MAX_FAILURES - row.pendingFailures) },
      });
    }
    const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await this.store.transaction(async (tx) => {
      // With `security.totp_enabled` (the holder's row lock first): the notice follows from it.
      if (!(await tx.enableTotp({ userId: input.userId, step: check.step, now }))) {
        throw new AppError('TOTP_SETUP_EXPIRED');
      }
      await tx.replaceRecoveryCodes({
        userId: input.userId,
        digests: recoveryCodes.map((code) => this.recoveryDigest(input.userId, normalizeRecoveryCode(code)!)),
        now,
      });
    });
    return { recoveryCodes };
  }

  /**
   * Turn TOTP off with a current code or one recovery code. Wrong ones count toward the payment
   * lock like wrong PINs (they guard the same thing).
   */
  async disableTotp(
    input: { userId: string } & (
      { code: string; recoveryCode?: never } | { recoveryCode: string; code?: never }
    ),
  ): Promise<void> {
    const row = await this.store.findTotp(input.userId);
    if (row?.status !== 'enabled') throw new AppError('TOTP_NOT_ENABLED');
    if (input.code !== undefined) {
      await this.checkTotpCode(input.userId, input.code);
    } else {
      const normalized = normalizeRecoveryCode(input.recoveryCode);
      await this.withFactorAttempt(input.userId, async () => {
        const used =
          normalized !== null &&
          (await this.store.useRecoveryCode({
            userId: input.userId,
            digest: this.recoveryDigest(input.userId, normalized),
            now: this.now(),
          }));
        return used ? null : new AppError('RECOVERY_CODE_INVALID');
      });
    }
    // With `security.totp_disabled` when this request turned it off: the notice follows from it.
    await this.store.deleteTotp({
      userId: input.userId,
      withRecoveryCode: input.recoveryCode !== undefined,
      now: this.now(),
    });
  }

  // ---- the confirmation service -----------------------------------------------------------

  /**
   * Which factor a payment needs (docs/security.md). Throws PAYMENTS_LOCKED while the holder's
   * payments are locked. `riskStepUp`: the risk engine wants more than the PIN. Attach
   * `ledgerLimits` of the answer to the ledger transfer.
   */
  async requiredFactor(input: {
    userId: string;
    amountMinor: bigint;
    currency: string;
    payee: string;
    riskStepUp?: boolean;
    /** False after a password-free transfer failed on its daily `pwfree:` limit. */
    allowPasswordFree?: boolean;
  }): Promise<FactorDecision> {
    const state = (await this.store.factorState(input.userId)) ?? (await this.firstFactorState(input.userId));
    const { holder } = state;
    const now = this.now();
    const locked = lockedUntil(holder.paymentsLockedUntil, now);
    if (locked) throw this.lockedError(locked);
    const passwordFree = await this.passwordFreePolicy(now);
    return decideFactor({
      userId: input.userId,
      holder: {
        pinSet: holder.pinHash !== null,
        passkeyCount: state.passkeyCount,
        totpEnabled: state.totpEnabled,
        // a maximum lowered by an approved change caps every holder's own limit at once
        passwordFreeLimitMinor: minOf(holder.passwordFreeLimitMinor, passwordFree.maxPerPaymentMinor),
      },
      amountMinor: input.amountMinor,
      currency: input.currency,
      riskStepUp: input.riskStepUp ?? false,
      allowPasswordFree: input.allowPasswordFree ?? true,
      policy: {
        currency: this.passwordFreeCurrency(),
        dailyMaxMinor: passwordFree.dailyMaxMinor,
      },
      now,
    });
  }

  /**
   * WebAuthn options to confirm one payment with a passkey: the challenge is 16 random bytes
   * followed by the payment's hash, single use, valid `WEBAUTHN_CHALLENGE_TTL_SECONDS`.
   * PASSKEY_NOT_FOUND when the holder has no passkey.
   */
  async createChallenge(input: {
    userId: string;
    payment: PaymentToConfirm;
    /** The page's `Origin` header (sandbox: a page on localhost at any port). */
    origin?: string | null;
  }): Promise<{ passkeyOptions: PublicKeyCredentialRequestOptionsJSON }> {
    assertPayment(input.payment);
    const rp = this.relyingParty(input.origin ?? null);
    const passkeys = (await this.store.listPasskeys(input.userId)).filter(
      (passkey) => passkey.rpId === rp.id && passkey.suspendedAt === null,
    );
    if (passkeys.length === 0) throw new AppError('PASSKEY_NOT_FOUND');
    const challenge = paymentChallenge(input.payment);
    await this.saveChallenge({
      challenge,
      purpose: 'payment',
      userId: input.userId,
      rp,
      payment: input.payment,
    });
    const passkeyOptions = await generateAuthenticationOptions({
      rpID: rp.id,
      challenge: new Uint8Array(challenge),
      userVerification: 'required',
      timeout: this.config.webauthn.challengeTtlSeconds * 1000,
      allowCredentials: passkeys.map((passkey) => ({
        id: passkey.credentialId,
        transports: passkey.transports as AuthenticatorTransportFuture[],
      })),
    });
    return { passkeyOptions };
  }

  /**
   * Verify the holder's confirmation of exactly this payment with one factor, which must be in
   * `accepted` (from `requiredFactor`). On success the confirmation (for a passkey: the verified
   * assertion) is stored under the payment id and returned; failures are values, not throws.
   */
  async verifyConfirmation(input: {
    userId: string;
    payment: PaymentToConfirm;
    accepted: readonly ConfirmationFactor[];
    factor: ConfirmationInput;
  }): Promise<ConfirmationResult> {
    assertPayment(input.payment);
    const factor = factorOf(input.factor);
    try {
      if (!input.accepted.includes(factor)) {
        throw new AppError('FACTOR_NOT_ACCEPTED', {
          details: { accepted: [...input.accepted], given: factor },
        });
      }
      const hash = paymentHash(input.payment);
      let evidence: PasskeyEvidence | null = null;
      if ('pin' in input.factor) {
        await this.checkPin(input.userId, input.factor.pin);
      } else if ('totpCode' in input.factor) {
        const totp = await this.store.findTotp(input.userId);
        if (totp?.status !== 'enabled') throw new AppError('TOTP_NOT_ENABLED');
        await this.checkTotpCode(input.userId, input.factor.totpCode);
      } else {
        const holder = await this.holder(input.userId);
        const locked = lockedUntil(holder.paymentsLockedUntil, this.now());
        if (locked) throw this.lockedError(locked);
        const response = input.factor.passkeyResponse;
        const { challenge } = await this.verifyAssertion({
          response,
          purpose: 'payment',
          userId: input.userId,
          paymentHash: hash,
        });
        evidence = {
          credentialId: response.id,
          authenticatorData: response.response.authenticatorData,
          clientDataJSON: response.response.clientDataJSON,
          signature: response.response.signature,
          userHandle: response.response.userHandle ?? null,
          paymentHash: hash.toString('hex'),
          rpId: challenge.rpId,
          origin: challenge.origin,
        };
      }
      await this.store.insertConfirmation({
        paymentId: input.payment.id,
        userId: input.userId,
        factor,
        paymentHash: hash,
        amountMinor: input.payment.amountMinor,
        currency: input.payment.currency,
        payee: input.payment.payee,
        credentialId: evidence?.credentialId ?? null,
        authenticatorData: evidence ? Buffer.from(evidence.authenticatorData, 'base64url') : null,
        clientDataJson: evidence ? Buffer.from(evidence.clientDataJSON, 'base64url') : null,
        signature: evidence ? Buffer.from(evidence.signature, 'base64url') : null,
        userHandle: evidence?.userHandle ?? null,
        confirmedAt: this.now(),
      });
      return { ok: true, factor, paymentHash: hash.toString('hex'), evidence };
    } catch (error) {
      if (error instanceof AppError && CONFIRMATION_FAILURES.has(error.code)) {
        return {
          ok: false,
          code: error.code as ConfirmationFailureCode,
          details: error.details ?? {},
          error,
        };
      }
      throw error;
    }
  }

  /** The stored confirmation of a payment (evidence for disputes); null when there is none. */
  async getConfirmation(input: { userId: string; paymentId: string }) {
    return this.store.findConfirmation(input);
  }

  // ---- a phone reported lost, and step-ups that move no money -----------------------------

  /**
   * The holder's phone was reported lost (the freeze module): every passkey of the holder is
   * suspended — passkeys record no device, and a synced one is on the lost phone wherever it was
   * made (docs/security.md). A suspended passkey signs nothing in and confirms nothing; the holder
   * removes it and adds a new one. Answers how many were suspended now (0 on a repeat).
   */
  async suspendPasskeys(input: { userId: string }): Promise<number> {
    return this.store.suspendPasskeys({ userId: input.userId, reason: 'phone_lost', now: this.now() });
  }

  /**
   * Which factors can prove the holder for a step-up: a passkey not suspended, two-step
   * verification on — each set up at or before `enrolledBefore`, since a factor added later may
   * be the work of whoever took the wallet over (the freeze module passes the freeze's start).
   */
  async stepUpFactors(input: { userId: string; enrolledBefore: Date }): Promise<StepUpFactors> {
    const [passkeys, totp] = await Promise.all([
      this.store.listPasskeys(input.userId),
      this.store.findTotp(input.userId),
    ]);
    return {
      passkey: passkeys.some((passkey) => usableForStepUp(passkey, input.enrolledBefore)),
      totp: totp?.status === 'enabled' && totp.enabledAt !== null && totp.enabledAt <= input.enrolledBefore,
    };
  }

  /**
   * WebAuthn options for a step-up with a passkey: a single-use challenge for this holder,
   * allowing the passkeys `stepUpFactors` counts. PASSKEY_NOT_FOUND when there is none.
   */
  async stepUpOptions(input: {
    userId: string;
    enrolledBefore: Date;
    origin: string | null;
  }): Promise<{ passkeyOptions: PublicKeyCredentialRequestOptionsJSON }> {
    const rp = this.relyingParty(input.origin);
    const passkeys = (await this.store.listPasskeys(input.userId)).filter(
      (passkey) => passkey.rpId === rp.id && usableForStepUp(passkey, input.enrolledBefore),
    );
    if (passkeys.length === 0) throw new AppError('PASSKEY_NOT_FOUND');
    const challenge = randomBytes(REGISTRATION_CHALLENGE_BYTES);
    await this.saveChallenge({ challenge, purpose: 'step_up', userId: input.userId, rp, payment: null });
    const passkeyOptions = await generateAuthenticationOptions({
      rpID: rp.id,
      challenge: new Uint8Array(challenge),
      userVerification: 'required',
      timeout: this.config.webauthn.challengeTtlSeconds * 1000,
      allowCredentials: passkeys.map((passkey) => ({
        id: passkey.credentialId,
        transports: passkey.transports as AuthenticatorTransportFuture[],
      })),
    });
    return { passkeyOptions };
  }

  /**
   * Prove the holder with a second factor for an action that moves no money (lifting a freeze).
   * A TOTP code counts toward the payment lock like a wrong PIN (TOTP_INVALID, TOTP_REUSED,
   * PAYMENTS_LOCKED); a passkey must answer a `stepUpOptions` challenge of this holder
   * (PASSKEY_VERIFICATION_FAILED, CHALLENGE_EXPIRED). A factor set up after `enrolledBefore`
   * does not count (FACTOR_NOT_ACCEPTED).
   */
  async verifyStepUp(input: { userId: string; enrolledBefore: Date; factor: StepUpInput }): Promise<void> {
    if ('totpCode' in input.factor) {
      const totp = await this.store.findTotp(input.userId);
      if (totp?.status !== 'enabled') throw new AppError('TOTP_NOT_ENABLED');
      if (totp.enabledAt === null || totp.enabledAt > input.enrolledBefore) {
        throw new AppError('FACTOR_NOT_ACCEPTED', { details: { given: 'totp', reason: 'enrolledAfter' } });
      }
      await this.checkTotpCode(input.userId, input.factor.totpCode);
      return;
    }
    const { passkey } = await this.verifyAssertion({
      response: input.factor.passkeyResponse,
      purpose: 'step_up',
      userId: input.userId,
    });
    if (passkey.createdAt > input.enrolledBefore) throw passkeyFailed('enrolledAfter');
  }

  // ---- internals --------------------------------------------------------------------------

  /** A holder's factor state the first time, when their security row is made. */
  private async firstFactorState(userId: string): Promise<FactorState> {
    const holder = await this.holder(userId);
    const [passkeyCount, totp] = await Promise.all([
      this.store.countPasskeys(userId, { usableOnly: true }),
      this.store.findTotp(userId),
    ]);
    return { holder, passkeyCount, totpEnabled: totp?.status === 'enabled' };
  }

  private async holder(userId: string): Promise<HolderRow> {
    return (
      (await this.store.findHolder(userId)) ??
      this.store.ensureHolder({ userId, userHandle: randomBytes(USER_HANDLE_BYTES), now: this.now() })
    );
  }

  private relyingParty(origin: string | null): RelyingParty {
    return relyingPartyFor({ publicUrl: this.deps.publicUrl, sandbox: this.deps.sandbox, origin });
  }

  private passwordFreeCurrency(): string {
    return 'CNY';
  }

  /** The password-free maximums in force at `at`: an approved change's, else the configuration's. */
  private async passwordFreePolicy(at: Date): Promise<{ maxPerPaymentMinor: bigint; dailyMaxMinor: bigint }> {
    return (await this.deps.settings?.passwordFreeAt(at)) ?? this.config.passwordFree;
  }

  private argon2Options() {
    const { memoryCostKib, timeCost, parallelism } = this.deps.hashing;
    return { memoryCost: memoryCostKib, timeCost, parallelism };
  }

  private recoveryDigest(userId: string, normalizedCode: string): Buffer {
    return this.deps.secrets.blindIndex(`${userId}:${normalizedCode}`, 'security:recovery-code');
  }

  private async checkPin(userId: string, pin: string): Promise<void> {
    const holder = await this.holder(userId);
    if (holder.pinHash === null) throw new AppError('PIN_NOT_SET');
    const pinHash = holder.pinHash;
    try {
      await this.withFactorAttempt(userId, async () => {
        const right = /^\d{6}$/.test(pin) && (await argon2Verify(pinHash, pin).catch(() => false));
        return right ? null : new AppError('PIN_INCORRECT');
      });
    } catch (error) {
      // A wrong PIN counts in the risk engine's velocity of failed factors (domain-rules §7).
      if (error instanceof AppError && error.code === 'PIN_INCORRECT') await this.risk?.factorFailed(userId);
      throw error;
    }
  }

  private async checkTotpCode(userId: string, code: string): Promise<void> {
    await this.withFactorAttempt(userId, async () => {
      const row = await this.store.findTotp(userId);
      if (row?.status !== 'enabled') return new AppError('TOTP_NOT_ENABLED');
      const secret = this.deps.secrets.open(row.secretSealed, totpPurpose(userId));
      const check = checkTotp({
        secretBase32: secret,
        code,
        nowMs: this.now().getTime(),
        lastUsedStep: row.lastUsedStep,
      });
      if (!check.ok) return new AppError(check.reason === 'reused' ? 'TOTP_REUSED' : 'TOTP_INVALID');
      // Only one request can spend a step, however many arrive together.
      return (await this.store.useTotpStep({ userId, step: check.step }))
        ? null
        : new AppError('TOTP_REUSED');
    });
  }

  /**
   * Run one check of a PIN or code under the holder's shared count (secret-tries.ts): the try is
   * taken before the check, so concurrent guesses never get more real checks than the limit; it
   * is a lease, so a check cut off by a crash stops counting after SECRET_TRY_LEASE_SECONDS. The
   * wrong answer that reaches the limit records the lock and tells the holder, once. `check`
   * answers null when right, else the error to throw (given `details.attemptsRemaining`).
   */
  private async withFactorAttempt(userId: string, check: () => Promise<AppError | null>): Promise<void> {
    const policy = this.tryPolicy();
    const taken = await this.store.acquireFactorTry({ userId, now: this.now, policy });
    if (taken.kind === 'locked') throw this.lockedError(taken.until);
    if (taken.kind === 'busy') throw secretCheckBusy(taken.retryAfterMs);
    if (taken.kind === 'missing') throw new Error(`no security row for holder ${userId}`);
    let error: AppError | null;
    try {
      error = await check();
    } catch (thrown) {
      // Not an answer (the database or the code failed): the try is given back uncounted.
      await this.store.releaseFactorTry(taken.lease).catch(() => {}); // else its lease runs out
      throw thrown;
    }
    const outcome = await this.store.finishFactorTry({
      lease: taken.lease,
      right: error === null,
      now: this.now(),
      policy,
    });
    if (!error) return;
    // The answer that locked payments wrote `security.payments_locked` with the lock (store.ts):
    // the holder's notice follows from that event.
    if (outcome.lockedUntil) throw this.lockedError(outcome.lockedUntil);
    throw new AppError(error.code, {
      details: { ...error.details, attemptsRemaining: outcome.remaining },
    });
  }

  private tryPolicy(): TryPolicy {
    const { maxFailures, lockSeconds } = this.config.pin;
    return {
      maxFailures,
      lockMs: lockSeconds * 1000,
      leaseMs: this.config.tryLeaseSeconds * 1000,
      forgetAfterMs: null,
    };
  }

  /** PAYMENTS_LOCKED for a recorded lock (the same `until` that GET /v1/me/security shows). */
  private lockedError(until: Date): AppError {
    const retryAfterSeconds = Math.max(1, Math.ceil((until.getTime() - this.now().getTime()) / 1000));
    return new AppError('PAYMENTS_LOCKED', {
      details: { until: until.toISOString(), retryAfterSeconds },
      retryAfterSeconds,
    });
  }

  private async saveChallenge(input: {
    challenge: Buffer;
    purpose: ChallengePurpose;
    userId: string | null;
    rp: RelyingParty;
    payment: PaymentToConfirm | null;
  }): Promise<void> {
    const now = this.now();
    await this.store.insertChallenge({
      challenge: input.challenge,
      purpose: input.purpose,
      userId: input.userId,
      rpId: input.rp.id,
      origin: input.rp.origin,
      paymentId: input.payment?.id ?? null,
      paymentHash: input.payment ? paymentHash(input.payment) : null,
      now,
      expiresAt: new Date(now.getTime() + this.config.webauthn.challengeTtlSeconds * 1000),
    });
  }

  /**
   * Use up the challenge the browser signed (read from its client data): CHALLENGE_EXPIRED when
   * it is unknown, used, expired, or for another purpose or holder.
   */
  private async takeChallenge(input: {
    clientDataJSON: string;
    purpose: ChallengePurpose;
    userId: string | null;
  }): Promise<{ text: string; row: ChallengeRow }> {
    const text = challengeOfClientData(input.clientDataJSON);
    if (text === null) throw passkeyFailed('malformed');
    const row = await this.store.consumeChallenge({
      challenge: Buffer.from(text, 'base64url'),
      purpose: input.purpose,
      userId: input.userId,
      now: this.now(),
    });
    if (!row) throw new AppError('CHALLENGE_EXPIRED');
    return { text, row };
  }

  /**
   * Verify an assertion: its challenge (single use, this purpose and holder, for payments bound
   * to this payment), a passkey of the holder, the UV flag, a growing counter, the signature.
   */
  private async verifyAssertion(input: {
    response: AuthenticationResponseJSON;
    purpose: 'login' | 'payment' | 'step_up';
    userId: string | null;
    paymentHash?: Buffer;
  }): Promise<{ passkey: PasskeyRow; challenge: ChallengeRow }> {
    const { response } = input;
    const challenge = await this.takeChallenge({
      clientDataJSON: response.response.clientDataJSON,
      purpose: input.purpose,
      userId: input.userId,
    });
    if (input.paymentHash) {
      const signed = paymentHashOfChallenge(challenge.row.challenge);
      if (
        !signed ||
        !challenge.row.paymentHash?.equals(input.paymentHash) ||
        !signed.equals(input.paymentHash)
      ) {
        throw passkeyFailed('paymentMismatch');
      }
    }
    const passkey = await this.store.findPasskeyByCredentialId(response.id);
    if (
      !passkey ||
      (input.userId !== null && passkey.userId !== input.userId) ||
      passkey.rpId !== challenge.row.rpId
    ) {
      throw passkeyFailed('unknownCredential');
    }
    if (passkey.suspendedAt !== null) throw passkeyFailed('suspended');
    const holder = await this.store.findHolder(passkey.userId);
    const userHandle = response.response.userHandle;
    if (!holder || (userHandle && userHandle !== holder.webauthnUserHandle.toString('base64url'))) {
      throw passkeyFailed('unknownCredential');
    }
    const flags = assertionFlags(response.response.authenticatorData);
    if (!flags) throw passkeyFailed('malformed');
    if (!flags.userVerified) throw passkeyFailed('userNotVerified');
    if (counterRefused(flags.counter, passkey.signCount)) throw passkeyFailed('counter');
    const verified = await verifiedAssertion(
      response,
      { text: challenge.text, origin: challenge.row.origin, rpId: challenge.row.rpId },
      {
        id: passkey.credentialId,
        publicKey: passkey.publicKey,
        counter: passkey.signCount,
        transports: passkey.transports,
      },
    );
    if ('failure' in verified) {
      throw verified.failure === 'thrown'
        ? passkeyFailed('invalid', verified.error)
        : passkeyFailed('signature');
    }
    const recorded = await this.store.recordPasskeyUse({
      id: passkey.id,
      signCount: verified.newCounter,
      now: this.now(),
    });
    if (!recorded) throw passkeyFailed('counter');
    return { passkey, challenge: challenge.row };
  }
}

function totpPurpose(userId: string): string {
  return `security:totp:${userId}`;
}

function factorOf(input: ConfirmationInput): Exclude<ConfirmationFactor, 'none'> {
  if ('pin' in input) return 'pin';
  if ('totpCode' in input) return 'totp';
  return 'passkey';
}

/** Why a passkey response was refused, as `details.reason`. Library messages stay in the log only. */
type PasskeyFailure =
  | 'malformed'
  | 'invalid'
  | 'signature'
  | 'userNotVerified'
  | 'counter'
  | 'unknownCredential'
  | 'paymentMismatch'
  | 'alreadyRegistered'
  | 'suspended'
  | 'enrolledAfter';

function passkeyFailed(reason: PasskeyFailure, cause?: unknown): AppError {
  return new AppError('PASSKEY_VERIFICATION_FAILED', { details: { reason }, cause });
}

function validation(path: string, issue: string): AppError {
  return new AppError('VALIDATION_FAILED', { details: { fields: [{ in: 'body', path, issue }] } });
}

/** A payment route passing nonsense is a programmer error, but it must never bind a challenge. */
function assertPayment(payment: PaymentToConfirm): void {
  if (
    payment.id.length === 0 ||
    payment.id.length > MAX_PAYMENT_ID_LENGTH ||
    payment.amountMinor <= 0n ||
    !isCurrencyCode(payment.currency) ||
    payment.payee.length === 0 ||
    payment.payee.length > MAX_PAYEE_LENGTH
  ) {
    throw new AppError('VALIDATION_FAILED', {
      details: { fields: [{ in: 'body', path: 'payment', issue: 'is not a valid payment' }] },
    });
  }
}

function usableForStepUp(passkey: PasskeyRow, enrolledBefore: Date): boolean {
  return passkey.suspendedAt === null && passkey.createdAt <= enrolledBefore;
}

function toPasskeyView(row: PasskeyRow): PasskeyView {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    deviceType: row.deviceType,
    backedUp: row.backedUp,
    transports: row.transports,
    suspendedAt: row.suspendedAt,
  };
}

function minOf(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
