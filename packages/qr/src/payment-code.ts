/**
 * The consumer payment code (付款码): the 18 digits a payer's phone shows and the merchant's POS
 * scans. The phone derives it offline from a per-device secret and the clock, TOTP-style
 * (RFC 6238 time steps, RFC 4226 dynamic truncation, HMAC-SHA256), so it works in a lift or a
 * basement; the server, holding the same secret, checks it.
 *
 *   88 DDDDDD OOOOOOOOOO
 *   │  │      └ 10-digit one-time value from the HMAC
 *   │  └ device index: the server's short id for the secret, so it finds the secret without a search
 *   └ our prefix
 *
 * The code carries no account data: the device index only points at a secret the server keeps.
 *
 * Single use is the server's job, not this file's: having verified a code, it records the
 * (device, step) pair and refuses that pair again, atomically, so two tills scanning the same
 * screen cannot both be paid. This file is pure and has nowhere to remember anything.
 *
 * Web Crypto (`crypto.subtle`) rather than node:crypto, because the web app derives codes in the
 * browser with this same file; it is why the functions are async.
 */
import { PaymentCodeError } from './errors.ts';

/**
 * Scanners route an 18-digit code by its first two digits. WeChat Pay uses 10–15, Alipay 25–30
 * and UnionPay 62; 88 collides with none of them.
 */
export const PAYMENT_CODE_PREFIX = '88';
export const PAYMENT_CODE_LENGTH = 18;
export const DEFAULT_STEP_SECONDS = 60;
/** RFC 4226 asks for at least 160 bits of secret. */
export const MIN_SECRET_BYTES = 20;
/** HMAC hashes longer keys down to 32 bytes anyway; the cap only catches a wrong argument. */
export const MAX_SECRET_BYTES = 64;
export const MAX_DEVICE_INDEX = 999_999;
/** Steps accepted either side of now; past a few minutes of skew the phone's clock is just wrong. */
export const MAX_WINDOW = 5;
const MAX_STEP_SECONDS = 3600;

const DEVICE_DIGITS = 6;
const OTP_DIGITS = 10;
const OTP_MODULUS = 10n ** BigInt(OTP_DIGITS);
const CODE_PATTERN = /^[0-9]{18}$/;

export interface PaymentCode {
  prefix: string;
  deviceIndex: number;
  /** The 10-digit one-time value. */
  otp: string;
}

/** The time step `nowMs` falls in: whole `stepSeconds` periods since the Unix epoch. */
export function paymentCodeStep(nowMs: number, stepSeconds = DEFAULT_STEP_SECONDS): number {
  if (!Number.isFinite(nowMs) || nowMs < 0) argument(`nowMs must be a non-negative time, got ${nowMs}`);
  checkStepSeconds(stepSeconds);
  return Math.floor(nowMs / (stepSeconds * 1000));
}

/** The code a device with `secret` and `deviceIndex` shows during time step `step`. */
export async function paymentCodeAt(options: {
  secret: Uint8Array;
  deviceIndex: number;
  step: number;
}): Promise<string> {
  const { secret, deviceIndex, step } = options;
  checkDeviceIndex(deviceIndex);
  checkStep(step);
  const key = await importSecret(secret);
  return `${PAYMENT_CODE_PREFIX}${formatDeviceIndex(deviceIndex)}${await oneTimeValue(key, deviceIndex, step)}`;
}

/**
 * Splits a scanned code into its parts, without checking the one-time value (that needs the
 * secret: see verifyPaymentCode). Throws PaymentCodeError: PAYMENT_CODE_FORMAT when it is not
 * 18 digits, FOREIGN_PAYMENT_CODE when it is another scheme's. Messages never quote the code:
 * it is a live credential for the next minute, and errors end up in logs.
 */
export function parsePaymentCode(code: string): PaymentCode {
  if (!CODE_PATTERN.test(code)) {
    throw new PaymentCodeError('PAYMENT_CODE_FORMAT', `A payment code is ${PAYMENT_CODE_LENGTH} digits`);
  }
  const prefix = code.slice(0, 2);
  if (prefix !== PAYMENT_CODE_PREFIX) {
    throw new PaymentCodeError(
      'FOREIGN_PAYMENT_CODE',
      `Payment code prefix ${prefix} is not ours (${PAYMENT_CODE_PREFIX}): another scheme's code`,
    );
  }
  return {
    prefix,
    deviceIndex: Number(code.slice(2, 2 + DEVICE_DIGITS)),
    otp: code.slice(2 + DEVICE_DIGITS),
  };
}

/**
 * The time step `code` was made for, if it is the code `secret` gives within `window` steps of
 * `nowMs` (clock skew between phone and server), else null. The device index is inside the
 * HMAC, so a code only verifies with the index it was made with. Throws for a code that
 * parsePaymentCode refuses.
 *
 * Every candidate step is computed and compared, without stopping at a match, and the comparison
 * does not stop at the first differing digit, so response times say little about how close a
 * guess was.
 */
export async function verifyPaymentCode(options: {
  secret: Uint8Array;
  code: string;
  nowMs: number;
  stepSeconds?: number;
  window?: number;
}): Promise<number | null> {
  const { secret, code, nowMs, stepSeconds = DEFAULT_STEP_SECONDS, window = 1 } = options;
  if (!Number.isInteger(window) || window < 0 || window > MAX_WINDOW) {
    argument(`window must be an integer from 0 to ${MAX_WINDOW}, got ${window}`);
  }
  const { deviceIndex, otp } = parsePaymentCode(code);
  const now = paymentCodeStep(nowMs, stepSeconds);
  const key = await importSecret(secret);
  let matched: number | null = null;
  for (let step = now - window; step <= now + window; step += 1) {
    if (step < 0) continue;
    const expected = await oneTimeValue(key, deviceIndex, step);
    if (constantTimeEqual(expected, otp) && matched === null) matched = step;
  }
  return matched;
}

/**
 * RFC 4226 dynamic truncation, widened for 10 digits: the low nibble of the last HMAC byte picks
 * an offset, the 8 bytes there are read as a big-endian unsigned 64-bit number, reduced mod 10^10.
 * (RFC 4226 reads 31 bits, too few for 10 digits; 2^64 mod 10^10 makes the bias about 5·10^-10.)
 * The message is the 8-byte big-endian step, as in RFC 6238, then the 4-byte device index.
 */
async function oneTimeValue(
  key: Awaited<ReturnType<typeof importSecret>>,
  deviceIndex: number,
  step: number,
) {
  const message = new DataView(new ArrayBuffer(12));
  message.setBigUint64(0, BigInt(step));
  message.setUint32(8, deviceIndex);
  const mac = new DataView(await globalThis.crypto.subtle.sign('HMAC', key, message.buffer));
  const offset = mac.getUint8(mac.byteLength - 1) & 0x0f;
  const value = mac.getBigUint64(offset) % OTP_MODULUS;
  return value.toString().padStart(OTP_DIGITS, '0');
}

function importSecret(secret: Uint8Array) {
  if (
    !(secret instanceof Uint8Array) ||
    secret.length < MIN_SECRET_BYTES ||
    secret.length > MAX_SECRET_BYTES
  ) {
    argument(`secret must be ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} bytes`);
  }
  // A copy: Web Crypto's types want a plain ArrayBuffer behind the view, and the caller's
  // buffer may be shared or later overwritten.
  return globalThis.crypto.subtle.importKey(
    'raw',
    new Uint8Array(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
}

/** Equal-length digit strings, compared without an early exit. */
function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i += 1) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

function formatDeviceIndex(deviceIndex: number): string {
  return String(deviceIndex).padStart(DEVICE_DIGITS, '0');
}

function checkDeviceIndex(deviceIndex: number): void {
  if (!Number.isInteger(deviceIndex) || deviceIndex < 0 || deviceIndex > MAX_DEVICE_INDEX) {
    argument(`deviceIndex must be an integer from 0 to ${MAX_DEVICE_INDEX}, got ${deviceIndex}`);
  }
}

function checkStep(step: number): void {
  if (!Number.isSafeInteger(step) || step < 0) argument(`step must be a non-negative integer, got ${step}`);
}

function checkStepSeconds(stepSeconds: number): void {
  if (!Number.isInteger(stepSeconds) || stepSeconds < 1 || stepSeconds > MAX_STEP_SECONDS) {
    argument(`stepSeconds must be an integer from 1 to ${MAX_STEP_SECONDS}, got ${stepSeconds}`);
  }
}

function argument(message: string): never {
  throw new PaymentCodeError('INVALID_ARGUMENT', message);
}
