/**
 * Step-ups the risk engine asks for, typed for the screens (apps/server/src/modules/risk/routes.ts;
 * docs/api/errors.md, STEP_UP_REQUIRED). A payment's confirm answered 403 STEP_UP_REQUIRED names
 * one; the holder passes it with a passkey, an authenticator code or an SMS code (sent by
 * `POST /v1/me/sms-codes`, as for the PIN), and then the same confirm is sent again — same
 * Idempotency-Key, same confirmation: the server did not keep the STEP_UP_REQUIRED answer for the
 * key, and the payment kept its attempt, so the passed step-up covers it.
 */
import { startAuthentication } from '@simplewebauthn/browser';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import type { MoneyJson } from '@qianbao/money';
import { ApiError, api } from './client.ts';

export type StepUpMethod = 'passkey' | 'totp' | 'sms';

const METHODS: readonly StepUpMethod[] = ['passkey', 'totp', 'sms'];

/** What a STEP_UP_REQUIRED refusal carries in its `details`. */
export interface StepUpChallenge {
  stepUpId: string;
  /** The ways this holder can pass it: passkey and totp when set up, sms always. */
  methods: StepUpMethod[];
  /** Passed after this, it no longer counts: the payment must be started again. */
  expiresAt: string;
}

export interface StepUp {
  id: string;
  state: 'pending' | 'passed';
  methods: StepUpMethod[];
  /** The payment's amount, as the step-up binds it. */
  amount: MoneyJson;
  expiresAt: string;
}

/** The step-up a refused confirm asks for; null for any other failure. */
export function stepUpChallengeOf(error: unknown): StepUpChallenge | null {
  if (!(error instanceof ApiError) || error.code !== 'STEP_UP_REQUIRED') return null;
  const { stepUpId, methods, expiresAt } = error.details;
  if (typeof stepUpId !== 'string' || stepUpId === '' || !Array.isArray(methods)) return null;
  const known = methods.filter((method): method is StepUpMethod => METHODS.includes(method as StepUpMethod));
  return {
    stepUpId,
    // Older servers may not say; an SMS code to the holder's own phone always works.
    methods: known.length > 0 ? known : ['sms'],
    expiresAt: typeof expiresAt === 'string' ? expiresAt : '',
  };
}

function stepUpPath(id: string, action = ''): string {
  return `/v1/me/step-ups/${encodeURIComponent(id)}${action}`;
}

export function fetchStepUp(id: string): Promise<StepUp> {
  return api.get<StepUp>(stepUpPath(id));
}

/** A wrong code answers the factor's own refusal (SMS_CODE_INVALID, TOTP_INVALID …). */
export function passStepUp(
  id: string,
  proof: { smsCode: string } | { totpCode: string } | { passkeyResponse: unknown },
): Promise<StepUp> {
  return api.post<StepUp>(stepUpPath(id, '/pass'), proof);
}

/** The device's fingerprint or face signs this step-up (its options bind the step-up and payment). */
export async function passStepUpWithPasskey(id: string): Promise<StepUp> {
  const { passkeyOptions } = await api.post<{ passkeyOptions: Record<string, unknown> }>(
    stepUpPath(id, '/passkey-options'),
  );
  const passkeyResponse = await startAuthentication({
    optionsJSON: passkeyOptions as unknown as PublicKeyCredentialRequestOptionsJSON,
  });
  return passStepUp(id, { passkeyResponse });
}
