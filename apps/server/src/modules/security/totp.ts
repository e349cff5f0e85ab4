import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { HOTP, Secret, TOTP } from 'otpauth';

/**
 * TOTP two-step verification (RFC 6238): HMAC-SHA1, 30-second steps, 6 digits. A code is
 * accepted for its own step and one step either side (clock drift), and never twice: the
 * caller stores the last step used and passes it back.
 */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
export const TOTP_ALGORITHM = 'SHA1';
/** Steps accepted either side of the current one. */
export const TOTP_WINDOW_STEPS = 1;
const SECRET_BYTES = 20; // 160 bits, the HMAC-SHA1 block-friendly size RFC 4226 recommends

/** A new random secret, base32 (what authenticator apps expect). */
export function newTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

/** The `otpauth://` URI an authenticator app scans (issuer and label shown in the app). */
export function totpUri(input: { secretBase32: string; issuer: string; label: string }): string {
  return new TOTP({
    issuer: input.issuer,
    label: input.label,
    secret: Secret.fromBase32(input.secretBase32),
    algorithm: TOTP_ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
  }).toString();
}

/** The step (counter) a time falls in. */
export function totpStep(timeMs: number, periodSeconds = TOTP_PERIOD_SECONDS): number {
  return Math.floor(timeMs / 1000 / periodSeconds);
}

/** The code of one step; `digits` other than 6 only for the RFC's 8-digit test vectors. */
export function totpCodeAt(input: { secret: Secret; step: number; digits?: number }): string {
  return HOTP.generate({
    secret: input.secret,
    counter: input.step,
    algorithm: TOTP_ALGORITHM,
    digits: input.digits ?? TOTP_DIGITS,
  });
}

export type TotpCheck = { ok: true; step: number } | { ok: false; reason: 'invalid' | 'reused' };

/**
 * Check `code` against the steps around `nowMs`. A code matching a step at or before
 * `lastUsedStep` is `reused`; the caller must still record the returned step atomically (only
 * if it is newer than the stored one), or two concurrent requests could both spend it.
 */
export function checkTotp(input: {
  secretBase32: string;
  code: string;
  nowMs: number;
  lastUsedStep: number | null;
}): TotpCheck {
  if (!/^\d{6}$/.test(input.code)) return { ok: false, reason: 'invalid' };
  const secret = Secret.fromBase32(input.secretBase32);
  const current = totpStep(input.nowMs);
  const given = Buffer.from(input.code);
  let reused = false;
  // Every candidate is computed and compared, so the time taken says nothing about which matched.
  let matched: number | null = null;
  for (let step = current - TOTP_WINDOW_STEPS; step <= current + TOTP_WINDOW_STEPS; step++) {
    const expected = Buffer.from(totpCodeAt({ secret, step }));
    if (!timingSafeEqual(expected, given)) continue;
    if (input.lastUsedStep !== null && step <= input.lastUsedStep) reused = true;
    else matched ??= step;
  }
  if (matched !== null) return { ok: true, step: matched };
  return { ok: false, reason: reused ? 'reused' : 'invalid' };
}

// ---- recovery codes ----------------------------------------------------------------------------

export const RECOVERY_CODE_COUNT = 10;
/** Crockford's base32 alphabet: no I, L, O or U to misread. */
const RECOVERY_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RECOVERY_CODE_CHARACTERS = 12; // 60 bits

/** `ABCD-EFGH-JKMN`: 60 random bits in groups of four. */
export function newRecoveryCode(): string {
  const bytes = randomBytes(RECOVERY_CODE_CHARACTERS);
  let code = '';
  for (const byte of bytes) code += RECOVERY_ALPHABET[byte & 31];
  return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`;
}

/** What a holder typed, in the canonical form: upper case, no separators, O→0, I/L→1. */
export function normalizeRecoveryCode(input: string): string | null {
  const compact = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (compact.length !== RECOVERY_CODE_CHARACTERS) return null;
  for (const character of compact) if (!RECOVERY_ALPHABET.includes(character)) return null;
  return compact;
}

/**
 * Recovery codes carry 60 random bits, so a keyed fast hash is enough (argon2 is for what
 * people choose): without the server's key a leaked table gives nothing to brute-force.
 */
export function recoveryCodeDigest(key: Buffer, normalizedCode: string): Buffer {
  return createHmac('sha256', key).update(normalizedCode, 'utf8').digest();
}
