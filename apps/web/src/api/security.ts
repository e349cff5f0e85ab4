/**
 * Payment security (transaction PIN, passkeys, two-step verification) and passkey sign-in,
 * typed for the screens. Shapes follow apps/server/src/modules/security/routes.ts (the OpenAPI
 * document at /openapi.json); docs/security.md explains the rules.
 */
import { startAuthentication, startRegistration } from '@simplewebauthn/browser';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import type { MoneyJson } from '@qianbao/money';
import { api } from './client.ts';
import type { SmsCodeSent } from './identity.ts';
import { deviceId, deviceName } from './device.ts';

export interface SecurityStatus {
  pin: { set: boolean; setAt: string | null };
  /** While wrong PINs or codes have locked payments. */
  paymentsLockedUntil: string | null;
  passkeys: { count: number };
  totp: { enabled: boolean; recoveryCodesRemaining: number };
  passwordFree: { enabled: boolean; limit: MoneyJson; maxLimit: MoneyJson; dailyMax: MoneyJson };
}

export const securityKey = ['security'] as const;
export const passkeysKey = ['passkeys'] as const;

export function fetchSecurity(): Promise<SecurityStatus> {
  return api.get<SecurityStatus>('/v1/me/security');
}

/** A `verify` code to the holder's own number (for setting the PIN). */
export function sendVerifyCode(): Promise<SmsCodeSent> {
  return api.post<SmsCodeSent>('/v1/me/sms-codes', {});
}

/**
 * Set the PIN or replace it (changed or forgotten: the old PIN is not asked). Replacing the PIN
 * of a real-name verified holder needs the ID number too.
 */
export function setPin(input: {
  password: string;
  smsCode: string;
  pin: string;
  idNumber?: string;
}): Promise<{ changed: boolean }> {
  return api.post<{ changed: boolean }>('/v1/me/pin', input);
}

/** The login password checked on its own (WRONG_PASSWORD counts toward the sign-in lockout). */
export function checkLoginPassword(password: string): Promise<unknown> {
  return api.post('/v1/me/password/check', { password });
}

/** The password-free limit per payment, in fen ("0" turns it off); needs the PIN. */
export function setPasswordFreeLimit(input: { limitFen: string; pin: string }): Promise<SecurityStatus> {
  return api.put<SecurityStatus>('/v1/me/password-free', {
    limit: { amount: input.limitFen, currency: 'CNY' },
    pin: input.pin,
  });
}

/** Whether this browser can use passkeys at all (WebAuthn present). */
export function passkeysSupported(): boolean {
  return typeof window !== 'undefined' && typeof window.PublicKeyCredential === 'function';
}

export interface Passkey {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  transports: string[];
  /** Set once the phone was reported lost: it works no more (remove it, add another). */
  suspendedAt?: string | null;
}

export async function fetchPasskeys(): Promise<Passkey[]> {
  return (await api.get<{ passkeys: Passkey[] }>('/v1/me/passkeys')).passkeys;
}

/** Options from the server → the device's fingerprint or face → the new passkey, named. */
export async function addPasskey(name: string): Promise<Passkey> {
  const optionsJSON = await api.post<PublicKeyCredentialCreationOptionsJSON>(
    '/v1/me/passkeys/registration-options',
    {},
  );
  const response = await startRegistration({ optionsJSON });
  return api.post<Passkey>('/v1/me/passkeys', { response, name });
}

export function renamePasskey(id: string, name: string): Promise<Passkey> {
  return api.patch<Passkey>(`/v1/me/passkeys/${encodeURIComponent(id)}`, { name });
}

export function removePasskey(id: string): Promise<unknown> {
  return api.delete(`/v1/me/passkeys/${encodeURIComponent(id)}`);
}

/** Sign in with a passkey: no phone number, the authenticator says who. */
export async function signInWithPasskey(): Promise<unknown> {
  const optionsJSON = await api.post<PublicKeyCredentialRequestOptionsJSON>(
    '/v1/auth/passkey/options',
    {},
    { reportUnauthorized: false },
  );
  const response = await startAuthentication({ optionsJSON });
  return api.post(
    '/v1/auth/passkey/login',
    { response, deviceId: deviceId(), deviceName: deviceName() },
    { reportUnauthorized: false },
  );
}

export interface TotpSetup {
  /** Base32, for typing into an authenticator app. */
  secret: string;
  otpauthUri: string;
  qrSvg: string;
  qrDataUrl: string;
  expiresAt: string;
}

export function startTotpSetup(): Promise<TotpSetup> {
  return api.post<TotpSetup>('/v1/me/totp/setup', {});
}

export async function enableTotp(code: string): Promise<string[]> {
  return (await api.post<{ recoveryCodes: string[] }>('/v1/me/totp/enable', { code })).recoveryCodes;
}

export function disableTotp(input: { code: string } | { recoveryCode: string }): Promise<unknown> {
  return api.post('/v1/me/totp/disable', input);
}

/**
 * What to say when the browser's passkey step fails (before or instead of the API): cancelled
 * or timed out, a passkey this device already holds, or no passkey support. API errors go
 * through `errorMessage` as usual.
 */
export function passkeyProblem(error: unknown): 'cancelled' | 'alreadyRegistered' | 'unsupported' | null {
  if (!(error instanceof Error)) return null;
  const code = (error as { code?: unknown }).code;
  if (code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED' || error.name === 'InvalidStateError') {
    return 'alreadyRegistered';
  }
  if (error.name === 'NotAllowedError' || error.name === 'AbortError' || code === 'ERROR_CEREMONY_ABORTED') {
    return 'cancelled';
  }
  if (error.name === 'NotSupportedError' || /does not support WebAuthn/i.test(error.message))
    return 'unsupported';
  return null;
}
