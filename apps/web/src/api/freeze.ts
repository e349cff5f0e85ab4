/**
 * Freezing the wallet, reporting a lost phone and unfreezing, typed for the screens. Shapes
 * follow apps/server/src/modules/freeze/routes.ts; docs/freeze.md explains the rules.
 */
import { startAuthentication } from '@simplewebauthn/browser';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import { api } from './client.ts';
import { deviceId } from './device.ts';
import type { SmsCodeSent } from './identity.ts';

export type FreezeMode = 'full' | 'receive_only';

export interface FreezeState {
  mode: 'none' | FreezeMode;
  /** Who set it: the holder, a lost-phone report, the risk checks, an operator. */
  source: 'holder' | 'report_loss' | 'engine' | 'operator' | null;
  since: string | null;
  reason: string | null;
  /** `holder`: the unfreeze screen; `operator`: only customer service can lift it. */
  liftableBy: 'holder' | 'operator' | null;
}

export const freezeKey = ['freeze'] as const;

export function fetchFreeze(): Promise<FreezeState> {
  return api.get<FreezeState>('/v1/me/freeze');
}

/** At once, no PIN: freezing only ever protects the holder. */
export function freezeWallet(mode: FreezeMode): Promise<FreezeState> {
  return api.post<FreezeState>('/v1/me/freeze', { mode });
}

export interface UnfreezeOptions {
  /** The second factors that can lift it: set up before the freeze, not suspended. */
  usable: { passkey: boolean; totp: boolean };
  passkeyOptions: PublicKeyCredentialRequestOptionsJSON | null;
}

export function fetchUnfreezeOptions(): Promise<UnfreezeOptions> {
  return api.post<UnfreezeOptions>('/v1/me/unfreeze/options', {});
}

/** An `unfreeze` code to the holder's own number. */
export function sendUnfreezeCode(): Promise<SmsCodeSent> {
  return api.post<SmsCodeSent>('/v1/me/sms-codes', { purpose: 'unfreeze' });
}

/** SMS code + ID number + a TOTP code, or (`totpCode` absent) the device's passkey. */
export async function unfreeze(input: {
  smsCode: string;
  idNumber: string;
  totpCode?: string;
}): Promise<FreezeState> {
  let secondFactor: object;
  if (input.totpCode !== undefined) {
    secondFactor = { totpCode: input.totpCode };
  } else {
    // A fresh single-use challenge, then the fingerprint or face.
    const { passkeyOptions } = await fetchUnfreezeOptions();
    if (!passkeyOptions) throw new Error('no passkey can lift this freeze');
    secondFactor = { passkeyResponse: await startAuthentication({ optionsJSON: passkeyOptions }) };
  }
  return api.post<FreezeState>('/v1/me/unfreeze', {
    smsCode: input.smsCode,
    idNumber: input.idNumber,
    secondFactor,
  });
}

export interface LossReport {
  mode: FreezeMode;
  sessionsEnded: number;
  devicesLost: number;
  passkeysSuspended: number;
}

/** Signed out, from any device: this browser is the reporting device (not marked lost). */
export function reportLoss(input: { phone: string; smsCode: string; idNumber: string }): Promise<LossReport> {
  return api.post<LossReport>(
    '/v1/freeze/report-loss',
    { ...input, deviceId: deviceId() },
    { reportUnauthorized: false },
  );
}
