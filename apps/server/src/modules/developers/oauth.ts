/**
 * OAuth 2 client credentials (RFC 6749 §4.4) over API keys (issue 14, docs/developers.md
 * "OAuth 2"): a key is a client — `client_id` is its public part `qbk_live_<id>`, `client_secret`
 * the 64 hex characters after it — and `POST /v1/oauth/token` trades the pair for an access token
 * `qbo_<id>_<secret>` that works for an hour, with the key's scopes or fewer. The token acts as
 * its key: the same merchant, mode, allow-list, rate limit and request log, and it dies with the
 * key (revoked or expired keys' tokens are refused at once). Pure: the token's text, the request's
 * credentials, the scopes granted.
 */
import { createHash, randomBytes } from 'node:crypto';
import { API_SCOPES } from '../../auth/index.ts';
import type { ApiScope } from '../../auth/index.ts';

/** How long an access token works (`expires_in`). */
export const TOKEN_SECONDS = 3600;

const TOKEN_PATTERN = /^qbo_([0-9a-f]{16})_([0-9a-f]{64})$/;
const CLIENT_ID_PATTERN = /^qbk_(live|test)_[0-9a-f]{16}$/;

export interface NewToken {
  id: string;
  /** The access token, answered once. */
  token: string;
  /** SHA-256 of its secret part: what the store keeps. */
  hash: Buffer;
}

export function newToken(random: (bytes: number) => Buffer = randomBytes): NewToken {
  const id = random(8).toString('hex');
  const secret = random(32).toString('hex');
  return { id, token: `qbo_${id}_${secret}`, hash: hashOf(secret) };
}

/** An access token's parts; null when the text is not one. */
export function parseToken(text: string): { id: string; secretHash: Buffer } | null {
  const match = TOKEN_PATTERN.exec(text);
  return match ? { id: match[1]!, secretHash: hashOf(match[2]!) } : null;
}

export function looksLikeToken(bearer: string): boolean {
  return bearer.startsWith('qbo_');
}

/** The failures RFC 6749 §5.2 names, as the token endpoint answers them. */
export type OAuthError = 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope';

export interface TokenRequest {
  /** The API key the client's credentials make: `<client_id>_<client_secret>`. */
  key: string;
  /** The scopes asked for; null: all of the key's. */
  scopes: ApiScope[] | null;
}

/**
 * Read a token request: the grant type, the client's credentials from HTTP Basic (which RFC 6749
 * §2.3.1 requires servers to take) or the body (not both), and `scope` (space-separated).
 */
export function readTokenRequest(
  body: Record<string, unknown>,
  authorization: string | undefined,
): TokenRequest | { error: OAuthError; description: string } {
  const grantType = body['grant_type'];
  if (typeof grantType !== 'string')
    return { error: 'invalid_request', description: 'grant_type is required.' };
  if (grantType !== 'client_credentials') {
    return { error: 'unsupported_grant_type', description: 'Only client_credentials is supported.' };
  }
  let clientId = body['client_id'];
  let clientSecret = body['client_secret'];
  const basic = authorization ? /^Basic +([A-Za-z0-9+/=]+)$/i.exec(authorization) : null;
  if (basic) {
    if (clientSecret !== undefined) {
      return { error: 'invalid_request', description: 'Send the client credentials one way, not both.' };
    }
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { error: 'invalid_client', description: 'Malformed Basic credentials.' };
    // RFC 6749 §2.3.1: both parts are form-urlencoded before Basic encoding.
    clientId = safeDecode(decoded.slice(0, colon));
    clientSecret = safeDecode(decoded.slice(colon + 1));
  }
  if (typeof clientId !== 'string' || typeof clientSecret !== 'string' || !CLIENT_ID_PATTERN.test(clientId)) {
    return { error: 'invalid_client', description: 'Unknown client or wrong secret.' };
  }
  const scope = body['scope'];
  if (scope !== undefined && typeof scope !== 'string') {
    return { error: 'invalid_request', description: 'scope must be a space-separated string.' };
  }
  let scopes: ApiScope[] | null = null;
  if (scope !== undefined && scope.trim() !== '') {
    const asked = [...new Set(scope.trim().split(/ +/))];
    if (!asked.every((name): name is ApiScope => (API_SCOPES as readonly string[]).includes(name))) {
      return { error: 'invalid_scope', description: `Scopes are among: ${API_SCOPES.join(' ')}.` };
    }
    scopes = asked;
  }
  return { key: `${clientId}_${clientSecret}`, scopes };
}

/** The scopes a token gets: those asked for, each of which the key must have; else null. */
export function grantedScopes(keyScopes: readonly ApiScope[], asked: ApiScope[] | null): ApiScope[] | null {
  if (asked === null) return [...keyScopes];
  return asked.every((scope) => keyScopes.includes(scope)) ? asked : null;
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function hashOf(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}
