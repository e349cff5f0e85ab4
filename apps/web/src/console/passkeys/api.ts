/**
 * Operators' passkeys (docs/operator-console.md, "Sign-in"): signing in with one instead of
 * password and code, and the signed-in operator's own list. The browser's part is
 * @simplewebauthn/browser, as in the wallet (api/security.ts).
 */
import { startAuthentication, startRegistration } from '@simplewebauthn/browser';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import { consoleRequest } from '../api.ts';
import type { Operator } from '../api.ts';

export { passkeyProblem, passkeysSupported } from '../../api/security.ts';

export interface OperatorPasskey {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
}

/** An operator holds at most this many (the server's MAX_PASSKEYS_PER_OPERATOR). */
export const MAX_PASSKEYS = 10;

export const passkeyKeys = { mine: ['console', 'passkeys'] as const };

/**
 * Options (for `username`'s passkeys, or any this device holds) → the authenticator → a session.
 * Rejects with the browser's error when the person cancels or the device holds no passkey.
 */
export async function signInWithPasskey(username: string | undefined): Promise<{ operator: Operator }> {
  const optionsJSON = await consoleRequest<PublicKeyCredentialRequestOptionsJSON>(
    'POST',
    '/v1/operator/passkey/options',
    { body: username ? { username } : {} },
  );
  const response = await startAuthentication({ optionsJSON });
  return consoleRequest('POST', '/v1/operator/passkey/login', { body: { response } });
}

export async function fetchMyPasskeys(): Promise<OperatorPasskey[]> {
  return (await consoleRequest<{ passkeys: OperatorPasskey[] }>('GET', '/v1/operator/me/passkeys')).passkeys;
}

/**
 * The authenticator code first (the server checks it, and the limit, before the authenticator is
 * asked), then the device's fingerprint, face or PIN, then the new passkey, named.
 */
export async function addMyPasskey(input: { name: string; totpCode: string }): Promise<OperatorPasskey> {
  const optionsJSON = await consoleRequest<PublicKeyCredentialCreationOptionsJSON>(
    'POST',
    '/v1/operator/me/passkeys/registration-options',
    { body: { totpCode: input.totpCode } },
  );
  const response = await startRegistration({ optionsJSON });
  return consoleRequest<OperatorPasskey>('POST', '/v1/operator/me/passkeys', {
    body: { response, name: input.name },
  });
}

export function removeMyPasskey(id: string): Promise<void> {
  return consoleRequest('DELETE', `/v1/operator/me/passkeys/${encodeURIComponent(id)}`);
}
