import { randomBytes } from 'node:crypto';
import { generateAuthenticationOptions } from '@simplewebauthn/server';
import type {
  AuthenticationResponseJSON,
  AuthenticatorTransportFuture,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type pg from 'pg';
import { withTransaction } from '@qianbao/db';
import { isUuid, newId } from '@qianbao/ledger';
import type { SecretBox } from '../../crypto/secret-box.ts';
import { AppError } from '../../errors.ts';
import {
  assertionFlags,
  challengeOfClientData,
  counterRefused,
  registrationOptions,
  relyingPartyFor,
  verifiedAssertion,
  verifiedRegistration,
} from '../security/index.ts';
import type { RelyingParty } from '../security/index.ts';
import type { OperatorService, OperatorSession } from './service.ts';

/** Where the console is served (the relying party) and how long a challenge lives. */
export interface OperatorPasskeySettings {
  /** `QIANBAO_PUBLIC_URL`: the relying party id is its host name. */
  publicUrl: string;
  /** Sandbox: a page on localhost at any port is its own relying party (security/relying-party.ts). */
  sandbox: boolean;
  /** `WEBAUTHN_CHALLENGE_TTL_SECONDS`, the same as the holders'. */
  challengeTtlSeconds: number;
}

export interface OperatorPasskeysDeps {
  pool: pg.Pool;
  /** Keys the decoy credential ids of usernames with no passkey (`blindIndex`). */
  secrets: Pick<SecretBox, 'blindIndex'>;
  /** Fresh proofs, counted sign-ins and the audit log are the accounts' own (service.ts). */
  accounts: Pick<OperatorService, 'proveTotp' | 'signInChecked' | 'audit'>;
  settings: OperatorPasskeySettings;
  now: () => Date;
}

export interface OperatorPasskeyView {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
}

/** Enough for a phone, a laptop and a security key or two; a limit like every other list. */
export const MAX_PASSKEYS_PER_OPERATOR = 10;
const CHALLENGE_BYTES = 32;
const USER_HANDLE_BYTES = 32;
const CHALLENGE_SWEEP_LIMIT = 100;
const RP_NAME = 'Qianbao 钱包运营后台';

interface PasskeyRow {
  id: string;
  operator_id: string;
  credential_id: string;
  public_key: Buffer;
  sign_count: string;
  transports: string[];
  device_type: 'singleDevice' | 'multiDevice';
  backed_up: boolean;
  rp_id: string;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
}

interface ChallengeRow {
  operator_id: string | null;
  rp_id: string;
  origin: string;
  expires_at: Date;
}

/**
 * Passkeys of operators (docs/operator-console.md, "Sign-in"). A passkey sign-in stands instead of
 * password + TOTP: possession of the key and user verification (fingerprint, face, device PIN —
 * required, never "preferred") are two factors. The WebAuthn rules are the holders' own
 * (security/webauthn.ts, security/relying-party.ts); the tables are the operator module's.
 *
 * Adding one needs a fresh proof, the authenticator code of now, given with the request for
 * options — before the authenticator is asked, so a wrong code costs no orphan key on the device —
 * and the challenge it answers is bound to that operator and that session, good once, for
 * `challengeTtlSeconds`.
 */
export class OperatorPasskeys {
  constructor(private readonly deps: OperatorPasskeysDeps) {}

  /** Options for `navigator.credentials.create` after the fresh proof (a discoverable credential, UV required). */
  async registrationOptions(input: {
    operatorId: string;
    sessionId: string;
    username: string;
    displayName: string;
    totpCode: string;
    origin: string | null;
  }): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const rp = this.relyingParty(input.origin);
    const passkeys = await this.rows(input.operatorId);
    // What can be known without the code is refused before the code is spent.
    if (passkeys.length >= MAX_PASSKEYS_PER_OPERATOR) throw new AppError('OPERATOR_PASSKEY_LIMIT_REACHED');
    await this.deps.accounts.proveTotp({
      operatorId: input.operatorId,
      code: input.totpCode,
      purpose: 'passkey_registration',
    });
    const userHandle = await this.userHandle(input.operatorId);
    const challenge = await this.saveChallenge({
      purpose: 'register',
      operatorId: input.operatorId,
      sessionId: input.sessionId,
      rp,
    });
    return registrationOptions({
      rp: { id: rp.id, name: RP_NAME },
      userName: input.username,
      userDisplayName: input.displayName,
      userHandle,
      challenge,
      timeoutMs: this.deps.settings.challengeTtlSeconds * 1000,
      existing: passkeys.map((passkey) => ({ id: passkey.credential_id, transports: passkey.transports })),
    });
  }

  /** Verifies the attestation for this operator's and session's challenge and keeps the passkey (audited). */
  async register(input: {
    operatorId: string;
    sessionId: string;
    response: RegistrationResponseJSON;
    name: string;
  }): Promise<OperatorPasskeyView> {
    const challenge = await this.takeChallenge({
      clientDataJSON: input.response.response.clientDataJSON,
      purpose: 'register',
      operatorId: input.operatorId,
      sessionId: input.sessionId,
      malformed: () => registrationFailed('malformed'),
    });
    const verified = await verifiedRegistration(input.response, {
      text: challenge.text,
      origin: challenge.row.origin,
      rpId: challenge.row.rp_id,
    });
    if ('failure' in verified) throw registrationFailed('invalid', verified.failure ?? undefined);
    const { info } = verified;
    const view: OperatorPasskeyView = {
      id: newId(),
      name: input.name.trim(),
      createdAt: this.deps.now(),
      lastUsedAt: null,
      deviceType: info.credentialDeviceType,
      backedUp: info.credentialBackedUp,
    };
    await withTransaction(this.deps.pool, async (client) => {
      // One registration at a time per operator, so the limit holds under concurrency.
      await client.query('SELECT 1 FROM operator_accounts WHERE id = $1 FOR UPDATE', [input.operatorId]);
      const { rows } = await client.query<{ count: string }>(
        'SELECT count(*)::text AS count FROM operator_passkeys WHERE operator_id = $1',
        [input.operatorId],
      );
      if (Number(rows[0]?.count ?? 0) >= MAX_PASSKEYS_PER_OPERATOR)
        throw new AppError('OPERATOR_PASSKEY_LIMIT_REACHED');
      const inserted = await client.query(
        `INSERT INTO operator_passkeys (id, operator_id, credential_id, public_key, sign_count, transports,
                                        device_type, backed_up, aaguid, rp_id, name, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (credential_id) DO NOTHING`,
        [
          view.id,
          input.operatorId,
          info.credential.id,
          Buffer.from(info.credential.publicKey),
          info.credential.counter,
          (input.response.response.transports ?? []).slice(0, 8).map(String),
          view.deviceType,
          view.backedUp,
          info.aaguid,
          challenge.row.rp_id,
          view.name,
          view.createdAt,
        ],
      );
      if (inserted.rowCount !== 1) throw registrationFailed('alreadyRegistered');
      await this.deps.accounts.audit(
        {
          operatorId: input.operatorId,
          action: 'operator.passkey_added',
          target: input.operatorId,
          details: { passkeyId: view.id, name: view.name, deviceType: view.deviceType },
        },
        client,
      );
    });
    return view;
  }

  /** The operator's passkeys, oldest first. */
  async list(operatorId: string): Promise<OperatorPasskeyView[]> {
    return (await this.rows(operatorId)).map(toView);
  }

  /** Removes one of the operator's own passkeys (audited); OPERATOR_PASSKEY_NOT_FOUND for any other id. */
  async remove(input: { operatorId: string; passkeyId: string }): Promise<void> {
    if (!isUuid(input.passkeyId)) throw new AppError('OPERATOR_PASSKEY_NOT_FOUND');
    await withTransaction(this.deps.pool, async (client) => {
      const { rows } = await client.query<{ name: string }>(
        'DELETE FROM operator_passkeys WHERE id = $1 AND operator_id = $2 RETURNING name',
        [input.passkeyId, input.operatorId],
      );
      const removed = rows[0];
      if (!removed) throw new AppError('OPERATOR_PASSKEY_NOT_FOUND');
      await this.deps.accounts.audit(
        {
          operatorId: input.operatorId,
          action: 'operator.passkey_removed',
          target: input.operatorId,
          details: { passkeyId: input.passkeyId, name: removed.name },
        },
        client,
      );
    });
  }

  /**
   * An admin removes every passkey of another operator (a lost phone, with a TOTP reset): the
   * next sign-in needs password and code again. Audited with the reason, even when there was none.
   */
  async removeAll(input: {
    actorId: string;
    operatorId: string;
    reason: string;
  }): Promise<{ removed: number }> {
    if (input.actorId === input.operatorId) throw new AppError('OPERATOR_SELF_CHANGE');
    if (!isUuid(input.operatorId)) throw new AppError('OPERATOR_NOT_FOUND');
    return withTransaction(this.deps.pool, async (client) => {
      const account = await client.query('SELECT 1 FROM operator_accounts WHERE id = $1 FOR UPDATE', [
        input.operatorId,
      ]);
      if (account.rowCount !== 1) throw new AppError('OPERATOR_NOT_FOUND');
      const { rows } = await client.query<{ id: string; name: string }>(
        'DELETE FROM operator_passkeys WHERE operator_id = $1 RETURNING id, name',
        [input.operatorId],
      );
      await this.deps.accounts.audit(
        {
          operatorId: input.actorId,
          action: 'operator.passkeys_removed',
          target: input.operatorId,
          details: { reason: input.reason, removed: rows.length, names: rows.map((row) => row.name) },
        },
        client,
      );
      return { removed: rows.length };
    });
  }

  /**
   * Sign-in options. Without a username the browser offers the operator's discoverable
   * passkeys; with one, that operator's. A username with no passkey (unknown, disabled, or none
   * added) gets a decoy credential id, the same every time, so the answer does not tell which.
   */
  async signInOptions(input: {
    username: string | undefined;
    origin: string | null;
  }): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const rp = this.relyingParty(input.origin);
    let operatorId: string | null = null;
    let allowCredentials: { id: string; transports?: AuthenticatorTransportFuture[] }[] | undefined;
    if (input.username !== undefined) {
      const username = input.username.trim().toLowerCase();
      const { rows } = await this.deps.pool.query<{
        id: string;
        credential_id: string | null;
        transports: string[];
      }>(
        `SELECT a.id, p.credential_id, p.transports
           FROM operator_accounts a
           LEFT JOIN operator_passkeys p ON p.operator_id = a.id AND p.rp_id = $2
          WHERE a.username = $1 AND a.disabled_at IS NULL
          ORDER BY p.created_at LIMIT ${MAX_PASSKEYS_PER_OPERATOR}`,
        [username, rp.id],
      );
      operatorId = rows[0]?.id ?? null;
      allowCredentials = rows.flatMap((row) =>
        row.credential_id === null
          ? []
          : [{ id: row.credential_id, transports: row.transports as AuthenticatorTransportFuture[] }],
      );
      if (allowCredentials.length === 0) {
        const decoy = this.deps.secrets.blindIndex(username, 'operator:passkey-decoy');
        allowCredentials = [{ id: decoy.toString('base64url'), transports: ['internal', 'hybrid'] }];
      }
    }
    const challenge = await this.saveChallenge({ purpose: 'sign_in', operatorId, sessionId: null, rp });
    return generateAuthenticationOptions({
      rpID: rp.id,
      challenge: new Uint8Array(challenge),
      userVerification: 'required',
      timeout: this.deps.settings.challengeTtlSeconds * 1000,
      ...(allowCredentials ? { allowCredentials } : {}),
    });
  }

  /**
   * Sign in with a passkey. The challenge is used up first (a replay or a second finish of the
   * same challenge is CHALLENGE_EXPIRED, and costs the operator nothing: nobody can guess a
   * challenge); every other failure is a try of the passkey's operator, counted and locked like a
   * wrong password (service.ts `signInChecked`).
   */
  async signIn(input: { response: AuthenticationResponseJSON }): Promise<OperatorSession> {
    const { response } = input;
    const challenge = await this.takeChallenge({
      clientDataJSON: response.response.clientDataJSON,
      purpose: 'sign_in',
      operatorId: null,
      sessionId: null,
      malformed: () => notRecognised('malformed'),
    });
    const { rows } = await this.deps.pool.query<PasskeyRow & { user_handle: Buffer | null }>(
      `SELECT p.id, p.operator_id, p.credential_id, p.public_key, p.sign_count::text AS sign_count,
              p.transports, p.device_type, p.backed_up, p.rp_id, p.name, p.created_at, p.last_used_at,
              a.webauthn_user_handle AS user_handle
         FROM operator_passkeys p JOIN operator_accounts a ON a.id = p.operator_id
        WHERE p.credential_id = $1`,
      [response.id],
    );
    const passkey = rows[0];
    if (!passkey) throw notRecognised('unknownCredential');
    return this.deps.accounts.signInChecked({
      operatorId: passkey.operator_id,
      details: { method: 'passkey', passkeyId: passkey.id },
      refused: notRecognised,
      check: () => this.checkAssertion(response, passkey, challenge),
    });
  }

  /** Null when the assertion is right (and its counter is recorded); else why not. */
  private async checkAssertion(
    response: AuthenticationResponseJSON,
    passkey: PasskeyRow & { user_handle: Buffer | null },
    challenge: { text: string; row: ChallengeRow },
  ): Promise<string | null> {
    const userHandle = response.response.userHandle;
    if (
      (challenge.row.operator_id !== null && challenge.row.operator_id !== passkey.operator_id) ||
      passkey.rp_id !== challenge.row.rp_id ||
      (userHandle !== undefined && userHandle !== passkey.user_handle?.toString('base64url'))
    )
      return 'unknownCredential';
    const flags = assertionFlags(response.response.authenticatorData);
    if (!flags) return 'malformed';
    if (!flags.userVerified) return 'userNotVerified';
    const stored = Number(passkey.sign_count);
    if (counterRefused(flags.counter, stored)) return 'counter';
    const verified = await verifiedAssertion(
      response,
      { text: challenge.text, origin: challenge.row.origin, rpId: challenge.row.rp_id },
      {
        id: passkey.credential_id,
        publicKey: passkey.public_key,
        counter: stored,
        transports: passkey.transports,
      },
    );
    if ('failure' in verified) return 'signature';
    // The counter moves only forward, also between two different challenges signed at once.
    const recorded = await this.deps.pool.query(
      `UPDATE operator_passkeys SET sign_count = $2, last_used_at = $3
        WHERE id = $1 AND (sign_count < $2 OR (sign_count = 0 AND $2 = 0))`,
      [passkey.id, verified.newCounter, this.deps.now()],
    );
    return recorded.rowCount === 1 ? null : 'counter';
  }

  private relyingParty(origin: string | null): RelyingParty {
    const { publicUrl, sandbox } = this.deps.settings;
    return relyingPartyFor({ publicUrl, sandbox, origin });
  }

  private async rows(operatorId: string): Promise<PasskeyRow[]> {
    const { rows } = await this.deps.pool.query<PasskeyRow>(
      `SELECT id, operator_id, credential_id, public_key, sign_count::text AS sign_count, transports,
              device_type, backed_up, rp_id, name, created_at, last_used_at
         FROM operator_passkeys WHERE operator_id = $1 ORDER BY created_at, id LIMIT ${MAX_PASSKEYS_PER_OPERATOR}`,
      [operatorId],
    );
    return rows;
  }

  /** The operator's WebAuthn user handle: random, made on the first registration, never changed. */
  private async userHandle(operatorId: string): Promise<Buffer> {
    const { rows } = await this.deps.pool.query<{ handle: Buffer }>(
      `UPDATE operator_accounts SET webauthn_user_handle = coalesce(webauthn_user_handle, $2)
        WHERE id = $1 RETURNING webauthn_user_handle AS handle`,
      [operatorId, randomBytes(USER_HANDLE_BYTES)],
    );
    const handle = rows[0]?.handle;
    if (!handle) throw new AppError('UNAUTHORIZED');
    return handle;
  }

  private async saveChallenge(input: {
    purpose: 'register' | 'sign_in';
    operatorId: string | null;
    sessionId: string | null;
    rp: RelyingParty;
  }): Promise<Buffer> {
    const challenge = randomBytes(CHALLENGE_BYTES);
    const now = this.deps.now();
    await this.deps.pool.query(
      `INSERT INTO operator_webauthn_challenges
         (challenge, purpose, operator_id, session_id, rp_id, origin, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        challenge,
        input.purpose,
        input.operatorId,
        input.sessionId,
        input.rp.id,
        input.rp.origin,
        now,
        new Date(now.getTime() + this.deps.settings.challengeTtlSeconds * 1000),
      ],
    );
    // Sign-in options are asked for before anyone is known: expired ones go as new ones come.
    await this.deps.pool.query(
      `DELETE FROM operator_webauthn_challenges WHERE challenge IN (
         SELECT challenge FROM operator_webauthn_challenges WHERE expires_at < $1 LIMIT ${CHALLENGE_SWEEP_LIMIT})`,
      [now],
    );
    return challenge;
  }

  /**
   * Uses up the challenge the browser signed: only one caller ever gets it, and only before it
   * expires, for its purpose (and, for a registration, its operator and session).
   * CHALLENGE_EXPIRED otherwise.
   */
  private async takeChallenge(input: {
    clientDataJSON: string;
    purpose: 'register' | 'sign_in';
    operatorId: string | null;
    sessionId: string | null;
    malformed: () => AppError;
  }): Promise<{ text: string; row: ChallengeRow }> {
    const text = challengeOfClientData(input.clientDataJSON);
    if (text === null) throw input.malformed();
    const { rows } = await this.deps.pool.query<ChallengeRow>(
      `DELETE FROM operator_webauthn_challenges
        WHERE challenge = $1 AND purpose = $2
          AND ($2 = 'sign_in' OR (operator_id = $3 AND session_id = $4))
        RETURNING operator_id, rp_id, origin, expires_at`,
      [Buffer.from(text, 'base64url'), input.purpose, input.operatorId, input.sessionId],
    );
    const row = rows[0];
    if (!row || row.expires_at <= this.deps.now()) throw new AppError('CHALLENGE_EXPIRED');
    return { text, row };
  }
}

function toView(row: PasskeyRow): OperatorPasskeyView {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    deviceType: row.device_type,
    backedUp: row.backed_up,
  };
}

/** Why a sign-in passkey was refused, as `details.reason`; library messages stay in the log only. */
function notRecognised(reason: string): AppError {
  return new AppError('OPERATOR_PASSKEY_NOT_RECOGNISED', { details: { reason } });
}

function registrationFailed(
  reason: 'malformed' | 'invalid' | 'alreadyRegistered',
  cause?: unknown,
): AppError {
  return new AppError('PASSKEY_VERIFICATION_FAILED', { details: { reason }, cause });
}
