/**
 * WebAuthn rules shared by every population that signs with passkeys (holders here, operators in
 * modules/operator/passkeys.ts): which algorithms are accepted, how the signed challenge is read
 * back from the client data, and the flag and counter checks made before the signature is.
 * One place, so the two cannot drift apart.
 */

/** COSE algorithms accepted: ES256, EdDSA, RS256 (what platform authenticators make). */
export const SUPPORTED_ALGORITHMS = [-7, -8, -257];

const FLAG_USER_VERIFIED = 0x04;

/** The challenge in the client data the authenticator signed; null when it cannot be read. */
export function challengeOfClientData(clientDataJSON: string): string | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'));
    const challenge = (parsed as { challenge?: unknown }).challenge;
    return typeof challenge === 'string' && /^[A-Za-z0-9_-]{16,128}$/.test(challenge) ? challenge : null;
  } catch {
    return null;
  }
}

/**
 * The user-verified flag and the signature counter of an assertion's authenticator data
 * (base64url); null when it is too short to be one.
 */
export function assertionFlags(authenticatorData: string): { userVerified: boolean; counter: number } | null {
  const bytes = Buffer.from(authenticatorData, 'base64url');
  if (bytes.length < 37) return null;
  return { userVerified: (bytes[32]! & FLAG_USER_VERIFIED) !== 0, counter: bytes.readUInt32BE(33) };
}

/**
 * Whether a signature counter is refused: it must grow, unless the authenticator keeps none (0
 * then and before, as synced passkeys do). A lower or equal one is a replay or a cloned key.
 */
export function counterRefused(counter: number, stored: number): boolean {
  return (counter > 0 || stored > 0) && counter <= stored;
}
