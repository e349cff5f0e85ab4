/**
 * WebAuthn rules shared by every population that signs with passkeys (holders here, operators in
 * modules/operator/passkeys.ts): which algorithms are accepted, how the signed challenge is read
 * back from the client data, and the flag and counter checks made before the signature is.
 * One place, so the two cannot drift apart: the library is called with the same options by both.
 */
import {
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type {
  AuthenticationResponseJSON,
  AuthenticatorTransportFuture,
  PublicKeyCredentialCreationOptionsJSON,
  RegistrationResponseJSON,
  VerifiedRegistrationResponse,
} from '@simplewebauthn/server';

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

/** Where a challenge was issued: what the signed response must name. */
export interface ChallengeScope {
  /** The challenge as sent (base64url). */
  text: string;
  origin: string;
  rpId: string;
}

/**
 * Options for `navigator.credentials.create`: a discoverable credential, user verification
 * required, no attestation; the person's existing credentials excluded.
 */
export function registrationOptions(input: {
  rp: { id: string; name: string };
  userName: string;
  userDisplayName: string;
  userHandle: Uint8Array;
  challenge: Uint8Array;
  timeoutMs: number;
  existing: readonly { id: string; transports: readonly string[] }[];
}): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: input.rp.name,
    rpID: input.rp.id,
    userName: input.userName,
    userDisplayName: input.userDisplayName,
    userID: new Uint8Array(input.userHandle),
    challenge: new Uint8Array(input.challenge),
    timeout: input.timeoutMs,
    attestationType: 'none',
    excludeCredentials: input.existing.map((credential) => ({
      id: credential.id,
      transports: credential.transports as AuthenticatorTransportFuture[],
    })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
  });
}

type RegistrationInfo = NonNullable<VerifiedRegistrationResponse['registrationInfo']>;

/**
 * The new credential of a registration response made for `scope` (user presence and verification
 * required, accepted algorithms only); `failure` when it does not verify, with the library's error
 * when it threw one.
 */
export async function verifiedRegistration(
  response: RegistrationResponseJSON,
  scope: ChallengeScope,
): Promise<{ info: RegistrationInfo } | { failure: unknown }> {
  try {
    const verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: scope.text,
      expectedOrigin: scope.origin,
      expectedRPID: scope.rpId,
      requireUserPresence: true,
      requireUserVerification: true,
      supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
    });
    return verified.verified ? { info: verified.registrationInfo } : { failure: null };
  } catch (error) {
    return { failure: error };
  }
}

/**
 * The signature counter an assertion made for `scope` moves the credential to, when the signature
 * by the stored credential verifies (user verification required); `failure` otherwise — `thrown`
 * when the library could not read it, else a signature that does not verify.
 */
export async function verifiedAssertion(
  response: AuthenticationResponseJSON,
  scope: ChallengeScope,
  credential: { id: string; publicKey: Uint8Array; counter: number; transports: readonly string[] },
): Promise<{ newCounter: number } | { failure: 'thrown' | 'signature'; error?: unknown }> {
  try {
    const verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge: scope.text,
      expectedOrigin: scope.origin,
      expectedRPID: scope.rpId,
      credential: {
        id: credential.id,
        publicKey: new Uint8Array(credential.publicKey),
        counter: credential.counter,
        transports: credential.transports as AuthenticatorTransportFuture[],
      },
      requireUserVerification: true,
    });
    return verified.verified
      ? { newCounter: verified.authenticationInfo.newCounter }
      : { failure: 'signature' };
  } catch (error) {
    return { failure: 'thrown', error };
  }
}
