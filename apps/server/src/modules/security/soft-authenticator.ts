/**
 * A software WebAuthn authenticator for API tests (imported by tests only): an ES256 key pair
 * per credential, `none` attestation, and the exact bytes a platform authenticator would sign,
 * so the server's real verification runs end to end without a browser.
 */
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';

type Cbor = Parameters<typeof isoCBOR.encode>[0];

const FLAG_USER_PRESENT = 0x01;
const FLAG_USER_VERIFIED = 0x04;
const FLAG_ATTESTED_CREDENTIAL = 0x40;

interface SoftCredential {
  id: Buffer;
  rpId: string;
  userHandle: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  signCount: number;
}

export interface AssertionOptions {
  /** Leave the UV flag out, as an authenticator that only tested presence would. */
  userVerified?: boolean;
  /** Sign with this counter instead of the next one (replay and cloning tests). */
  signCount?: number;
  /** Pretend the page was at another origin. */
  origin?: string;
}

export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];

  constructor(private readonly origin: string) {}

  /** What `navigator.credentials.create` (via @simplewebauthn/browser) would return. */
  register(
    options: PublicKeyCredentialCreationOptionsJSON,
    settings: { userVerified?: boolean } = {},
  ): RegistrationResponseJSON {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const rpId = options.rp.id ?? new URL(this.origin).hostname;
    const credential: SoftCredential = {
      id: randomBytes(32),
      rpId,
      userHandle: options.user.id,
      privateKey,
      publicKey,
      signCount: 0,
    };
    this.credentials.push(credential);
    const jwk = publicKey.export({ format: 'jwk' });
    const coseKey = new Map<number, Cbor>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, Buffer.from(jwk.x!, 'base64url')],
      [-3, Buffer.from(jwk.y!, 'base64url')],
    ]);
    const credentialIdLength = Buffer.alloc(2);
    credentialIdLength.writeUInt16BE(credential.id.length);
    const authenticatorData = Buffer.concat([
      authenticatorDataHead(rpId, flags(settings.userVerified ?? true) | FLAG_ATTESTED_CREDENTIAL, 0),
      Buffer.alloc(16), // AAGUID: all zero, as `none` attestation allows
      credentialIdLength,
      credential.id,
      Buffer.from(isoCBOR.encode(coseKey)),
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, Cbor>()],
        ['authData', authenticatorData],
      ]),
    );
    const id = credential.id.toString('base64url');
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: clientData('webauthn.create', options.challenge, this.origin),
        attestationObject: Buffer.from(attestationObject).toString('base64url'),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** What `navigator.credentials.get` would return, signed by the first allowed (or only) credential. */
  authenticate(
    options: PublicKeyCredentialRequestOptionsJSON,
    settings: AssertionOptions & { credentialIndex?: number } = {},
  ): AuthenticationResponseJSON {
    const allowed = new Set((options.allowCredentials ?? []).map((descriptor) => descriptor.id));
    const candidates = this.credentials.filter(
      (credential) =>
        credential.rpId === (options.rpId ?? credential.rpId) &&
        (allowed.size === 0 || allowed.has(credential.id.toString('base64url'))),
    );
    const credential = candidates[settings.credentialIndex ?? 0];
    if (!credential) throw new Error('the soft authenticator has no credential these options allow');
    credential.signCount = settings.signCount ?? credential.signCount + 1;
    const authenticatorData = authenticatorDataHead(
      credential.rpId,
      flags(settings.userVerified ?? true),
      credential.signCount,
    );
    const clientDataJSON = clientData('webauthn.get', options.challenge, settings.origin ?? this.origin);
    const signature = sign(
      'sha256',
      Buffer.concat([
        authenticatorData,
        createHash('sha256').update(Buffer.from(clientDataJSON, 'base64url')).digest(),
      ]),
      credential.privateKey,
    );
    const id = credential.id.toString('base64url');
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON,
        authenticatorData: authenticatorData.toString('base64url'),
        signature: signature.toString('base64url'),
        userHandle: credential.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }
}

function flags(userVerified: boolean): number {
  return FLAG_USER_PRESENT | (userVerified ? FLAG_USER_VERIFIED : 0);
}

function authenticatorDataHead(rpId: string, flagByte: number, signCount: number): Buffer {
  const counter = Buffer.alloc(4);
  counter.writeUInt32BE(signCount);
  return Buffer.concat([createHash('sha256').update(rpId).digest(), Buffer.from([flagByte]), counter]);
}

function clientData(type: string, challenge: string, origin: string): string {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false })).toString('base64url');
}
