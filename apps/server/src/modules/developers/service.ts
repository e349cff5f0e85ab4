/**
 * API keys of merchants (issue 14, ADR 0020): made by the merchant's owner (the secret shown
 * once), listed, rolled with an overlap, revoked; and the authenticator of the `apiClient`
 * principal — the key looked up on every request (revocation is effective at once on every
 * process), its IP allow-list, its rate limit counted in PostgreSQL, its last use — and the
 * request log of what each key did.
 */
import { BlockList, isIP } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiClientPrincipal, ApiScope } from '../../auth/index.ts';
import { AppError } from '../../errors.ts';
import { looksLikeKey, newKey, parseKey, prefixOf, sameHash } from './keys.ts';
import type { KeyMode } from './keys.ts';
import { TOKEN_SECONDS, grantedScopes, looksLikeToken, newToken, parseToken } from './oauth.ts';
import { verdictOf, windowOf } from './rate-limit.ts';
// The header staff name their merchant with names the merchant a partner's key acts for.
import { MERCHANT_HEADER } from '../merchants/staff.ts';
import { redact } from './redact.ts';
import type { DevelopersSettings } from './module.ts';
import type { Partners } from './partners.ts';
import type { DevelopersStore, KeyRow, RequestLogRow } from './store.ts';

export interface DevelopersServiceDeps {
  store: DevelopersStore;
  /** Partner grants: whom a key acts for when its request names another merchant. */
  partners: Pick<Partners, 'actingFor'>;
  settings: DevelopersSettings;
  now: () => Date;
  log: { warn(object: object, message: string): void };
}

export type KeyStatus = 'active' | 'expiring' | 'expired' | 'revoked';

export interface KeyView {
  id: string;
  prefix: string;
  mode: KeyMode;
  name: string;
  scopes: ApiScope[];
  ipAllow: string[];
  status: KeyStatus;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  rolledTo: string | null;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
}

/** At most a week of overlap for a rolled key; a day by default (Stripe's choices are similar). */
export const MAX_OVERLAP_HOURS = 168;
export const DEFAULT_OVERLAP_HOURS = 24;
/** How often a key's last use is written (store.ts `touch` keeps the same minute). */
const TOUCH_EVERY_MS = 60_000;

declare module 'fastify' {
  interface FastifyRequest {
    /** An API key's rate-limit headers, added to its answer (developers hooks). */
    rateLimitHeaders?: Record<string, string>;
  }
}

export class DevelopersService {
  constructor(private readonly deps: DevelopersServiceDeps) {}

  // ---- the owner's keys ---------------------------------------------------------------------

  /** A new key; its secret is in the answer and nowhere else. */
  async create(input: {
    /** The live merchant, or its test twin for a `test` key (ADR 0022). */
    merchantId: string;
    mode: KeyMode;
    ownerUserId: string;
    name: string;
    scopes: ApiScope[];
    ipAllow: string[];
  }): Promise<{ key: KeyView; secret: string }> {
    const ipAllow = normalisedAllowList(input.ipAllow);
    const made = newKey(input.mode);
    const now = this.deps.now();
    const row = await this.deps.store.insertKey(
      {
        id: made.id,
        merchant_id: input.merchantId,
        mode: input.mode,
        name: input.name,
        secret_hash: made.hash,
        scopes: [...new Set(input.scopes)],
        ip_allow: ipAllow,
        created_by: input.ownerUserId,
        created_at: now,
      },
      this.deps.settings.keysPerMerchant,
      now,
    );
    if (!row) {
      throw new AppError('API_KEY_LIMIT_REACHED', { details: { max: this.deps.settings.keysPerMerchant } });
    }
    return { key: this.view(row), secret: made.secret };
  }

  /** The keys of the merchant and of its test twin (`merchantIds`), newest first. */
  async list(merchantIds: readonly string[]): Promise<KeyView[]> {
    const rows = (await Promise.all(merchantIds.map((id) => this.deps.store.keysOf(id)))).flat();
    rows.sort((a, b) => b.created_at.getTime() - a.created_at.getTime() || a.id.localeCompare(b.id));
    return rows.map((row) => this.view(row));
  }

  async get(merchantIds: readonly string[], id: string): Promise<KeyView> {
    return this.view(await this.rowOf(merchantIds, id));
  }

  /** A key of one of `merchantIds` (the merchant and its twin), else API_KEY_NOT_FOUND. */
  private async rowOf(merchantIds: readonly string[], id: string): Promise<KeyRow> {
    const row = await this.deps.store.findKey(id);
    if (!row || !merchantIds.includes(row.merchant_id)) throw new AppError('API_KEY_NOT_FOUND');
    return row;
  }

  /**
   * Roll a key: a successor (same name, scopes, allow-list) whose secret is answered once, and
   * the key kept working for `overlapHours` (0: stops now) so the shop can deploy the new one.
   */
  async roll(input: {
    merchantIds: readonly string[];
    ownerUserId: string;
    id: string;
    overlapHours: number;
  }): Promise<{ key: KeyView; secret: string; rolled: KeyView }> {
    const now = this.deps.now();
    const current = await this.rowOf(input.merchantIds, input.id);
    const made = newKey(current.mode);
    const result = await this.deps.store.roll({
      merchantId: current.merchant_id,
      id: input.id,
      successor: { id: made.id, secret_hash: made.hash, created_by: input.ownerUserId, created_at: now },
      expiresAt: new Date(now.getTime() + input.overlapHours * 3_600_000),
      now,
    });
    if ('missing' in result) throw new AppError('API_KEY_NOT_FOUND');
    if ('rolled' in result) {
      throw new AppError('API_KEY_ALREADY_ROLLED', { details: { rolledTo: result.rolled.rolled_to } });
    }
    return { key: this.view(result.successor), secret: made.secret, rolled: this.view(result.key) };
  }

  /** Revoked at once: the next request with it, on any server process, is refused. */
  async revoke(merchantIds: readonly string[], id: string): Promise<KeyView> {
    const current = await this.rowOf(merchantIds, id);
    const row = await this.deps.store.revoke(current.merchant_id, id, this.deps.now());
    if (!row) throw new AppError('API_KEY_NOT_FOUND');
    return this.view(row);
  }

  async requests(input: {
    merchantIds: readonly string[];
    id: string;
    limit: number;
    cursor: string | null;
  }): Promise<{ requests: RequestLogRow[]; nextCursor: string | null }> {
    await this.rowOf(input.merchantIds, input.id);
    const rows = await this.deps.store.logOf({
      keyId: input.id,
      limit: input.limit + 1,
      before: parseCursor(input.cursor),
    });
    const page = rows.slice(0, input.limit);
    const last = page.at(-1);
    return {
      requests: page,
      nextCursor: rows.length > input.limit && last ? `${last.at.toISOString()}_${last.id}` : null,
    };
  }

  // ---- authentication -----------------------------------------------------------------------

  /** Whether the request presents an API key or an OAuth access token (else it is someone's session). */
  presentsKey(request: FastifyRequest): boolean {
    const bearer = bearerOf(request);
    return bearer !== null && (looksLikeKey(bearer) || looksLikeToken(bearer));
  }

  /**
   * The principal of a request made with an API key or an access token of one (oauth.ts): the
   * key read now (so a revoked or expired key, and its tokens, are refused on every process at
   * once), compared in constant time, its allow-list, its rate limit; and, when the request names
   * another merchant in `Qianbao-Merchant`, that merchant's grant to the key's (partners.ts).
   * Throws API_KEY_INVALID (401), API_KEY_IP_NOT_ALLOWED (403), RATE_LIMITED (429),
   * PARTNER_ACCESS_NOT_GRANTED (403).
   */
  async authenticate(request: FastifyRequest): Promise<ApiClientPrincipal & { merchantId: string }> {
    const bearer = bearerOf(request) ?? '';
    const presented = looksLikeToken(bearer) ? await this.tokenOf(bearer) : await this.keyOf(bearer);
    if (!presented) throw new AppError('API_KEY_INVALID');
    const { row, scopes } = presented;
    await this.admit(request, row);
    // A partner's key acting for a merchant that granted it access (ADR 0023): the grant read now.
    const named = request.headers[MERCHANT_HEADER];
    const acting =
      typeof named === 'string' && named !== '' ? await this.deps.partners.actingFor(row, named) : null;
    return {
      kind: 'apiClient',
      clientId: row.merchant_id,
      merchantId: acting?.merchantId ?? row.merchant_id,
      partnerMerchantId: acting ? row.merchant_id : null,
      keyId: row.id,
      mode: row.mode,
      scopes: acting ? scopes.filter((scope) => acting.scopes.includes(scope)) : scopes,
    };
  }

  /**
   * OAuth 2 client credentials (`POST /v1/oauth/token`): the key the credentials make, checked as
   * a request with it would be (and counted in its rate limit), trades for an access token with
   * the scopes asked for — each of which the key must have. Null: the credentials are no usable
   * key (`invalid_client`); `invalid_scope` when a scope asked for is not the key's.
   */
  async issueToken(
    request: FastifyRequest,
    asked: { key: string; scopes: ApiScope[] | null },
  ): Promise<{ token: string; expiresIn: number; scopes: ApiScope[] } | null | 'invalid_scope'> {
    const presented = await this.keyOf(asked.key);
    if (!presented) return null;
    await this.admit(request, presented.row);
    const scopes = grantedScopes(presented.row.scopes, asked.scopes);
    if (!scopes) return 'invalid_scope';
    const made = newToken();
    const now = this.deps.now();
    await this.deps.store.insertToken({
      id: made.id,
      key_id: presented.row.id,
      secret_hash: made.hash,
      scopes,
      created_at: now,
      expires_at: new Date(now.getTime() + TOKEN_SECONDS * 1000),
    });
    return { token: made.token, expiresIn: TOKEN_SECONDS, scopes };
  }

  /** A usable key (not revoked or expired) by its whole text, with its scopes; else null. */
  private async keyOf(text: string): Promise<{ row: KeyRow; scopes: ApiScope[] } | null> {
    const parsed = parseKey(text);
    if (!parsed) return null;
    const row = await this.deps.store.findKey(parsed.id);
    if (!row || !sameHash(parsed.secretHash, row.secret_hash) || row.mode !== parsed.mode) return null;
    const status = statusOf(row, this.deps.now());
    return status === 'revoked' || status === 'expired' ? null : { row, scopes: row.scopes };
  }

  /** A live access token's key (usable) and the token's scopes; else null. */
  private async tokenOf(text: string): Promise<{ row: KeyRow; scopes: ApiScope[] } | null> {
    const parsed = parseToken(text);
    if (!parsed) return null;
    const found = await this.deps.store.findToken(parsed.id);
    const now = this.deps.now();
    if (!found || !sameHash(parsed.secretHash, found.token.secret_hash) || found.token.expires_at <= now) {
      return null;
    }
    const status = statusOf(found.key, now);
    return status === 'revoked' || status === 'expired'
      ? null
      : { row: found.key, scopes: found.token.scopes };
  }

  /** A key's allow-list, its rate limit (headers set either way) and its last use. */
  private async admit(request: FastifyRequest, row: KeyRow): Promise<void> {
    const now = this.deps.now();
    if (!allowed(row.ip_allow, request.ip)) {
      throw new AppError('API_KEY_IP_NOT_ALLOWED', { details: { ip: request.ip } });
    }
    const { rateLimit, rateWindowSeconds } = this.deps.settings;
    const window = windowOf(now, rateWindowSeconds);
    const verdict = verdictOf({
      limit: rateLimit,
      count: await this.deps.store.countRequest(row.id, window.start),
      window,
    });
    request.rateLimitHeaders = verdict.headers;
    if (!verdict.allowed) {
      throw new AppError('RATE_LIMITED', { retryAfterSeconds: window.resetSeconds });
    }
    // Last use to the minute: the row just read says whether this request needs to write it, so
    // a busy key costs one write a minute, not a statement a request.
    if (row.last_used_at === null || now.getTime() - row.last_used_at.getTime() >= TOUCH_EVERY_MS) {
      void this.deps.store
        .touch(row.id, now, request.ip)
        .catch((error: unknown) => this.deps.log.warn({ err: error }, 'developers: last use not kept'));
    }
  }

  // ---- hooks of every request ---------------------------------------------------------------

  /** The rate-limit headers of an API key's answer, refused or not. */
  addRateLimitHeaders(request: FastifyRequest, reply: FastifyReply): void {
    if (request.rateLimitHeaders) void reply.headers(request.rateLimitHeaders);
  }

  /** After an API key's request is answered: one line of its log (never fails the request). */
  logRequest(request: FastifyRequest, reply: FastifyReply): void {
    const principal = request.principal;
    if (principal?.kind !== 'apiClient') return;
    const idempotencyKey = request.headers['idempotency-key'];
    const row: RequestLogRow = {
      id: randomUUID(),
      key_id: principal.keyId,
      merchant_id: principal.clientId,
      acted_for: principal.partnerMerchantId === null ? null : principal.merchantId,
      method: request.method,
      path: request.url.slice(0, 2000),
      status: reply.statusCode,
      idempotency_key: typeof idempotencyKey === 'string' ? idempotencyKey.slice(0, 255) : null,
      duration_ms: Math.round(reply.elapsedTime),
      ip: request.ip,
      body: request.body === undefined ? null : redact(request.body),
      at: this.deps.now(),
    };
    void this.deps.store
      .insertLog(row)
      .catch((error: unknown) => this.deps.log.warn({ err: error }, 'developers: request not logged'));
  }

  /** `developers.prune`: the request log past its days, rate windows past an hour. */
  async prune(): Promise<number> {
    const now = this.deps.now().getTime();
    return this.deps.store.prune(
      new Date(now - this.deps.settings.requestLogDays * 86_400_000),
      new Date(now - 3_600_000 - this.deps.settings.rateWindowSeconds * 1000),
      new Date(now - 3_600_000),
    );
  }

  private view(row: KeyRow): KeyView {
    return {
      id: row.id,
      prefix: prefixOf(row.mode, row.id),
      mode: row.mode,
      name: row.name,
      scopes: row.scopes,
      ipAllow: row.ip_allow,
      status: statusOf(row, this.deps.now()),
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      revokedAt: row.revoked_at,
      rolledTo: row.rolled_to,
      lastUsedAt: row.last_used_at,
      lastUsedIp: row.last_used_ip,
    };
  }
}

function statusOf(row: KeyRow, now: Date): KeyStatus {
  if (row.revoked_at !== null) return 'revoked';
  if (row.expires_at !== null) return row.expires_at <= now ? 'expired' : 'expiring';
  return 'active';
}

function bearerOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer +(\S+)$/i.exec(header);
  return match ? match[1]! : null;
}

/** Addresses and CIDR ranges, checked and written canonically; a bad one is VALIDATION_FAILED. */
export function normalisedAllowList(entries: readonly string[]): string[] {
  const out: string[] = [];
  for (const entry of entries) {
    const [address, bits, extra] = entry.trim().split('/');
    const family = isIP(address ?? '');
    const max = family === 6 ? 128 : 32;
    const prefix = bits === undefined ? max : Number(bits);
    if (family === 0 || extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > max) {
      throw new AppError('VALIDATION_FAILED', {
        details: { field: 'ipAllow', problem: 'not an IP address or CIDR range', value: entry },
      });
    }
    out.push(`${address}/${prefix}`);
  }
  return [...new Set(out)];
}

function allowed(allowList: readonly string[], ip: string): boolean {
  if (allowList.length === 0) return true;
  const list = new BlockList();
  for (const entry of allowList) {
    const [address, bits] = entry.split('/');
    const family = isIP(address!) === 6 ? 'ipv6' : 'ipv4';
    list.addSubnet(address!, Number(bits), family);
  }
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const address = mapped ? mapped[1]! : ip;
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  return isIP(address) !== 0 && list.check(address, family);
}

function parseCursor(cursor: string | null): { at: Date; id: string } | null {
  if (cursor === null) return null;
  const [at, id] = cursor.split('_');
  // Ours are `toISOString()`: a date JavaScript takes but PostgreSQL cannot (year 275760) is not.
  const time = new Date(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(at ?? '') ? at! : '');
  if (Number.isNaN(time.getTime()) || !/^[0-9a-f-]{36}$/.test(id ?? '')) {
    throw new AppError('VALIDATION_FAILED', {
      details: { field: 'cursor', problem: 'not a cursor of this list' },
    });
  }
  return { at: time, id: id! };
}
