/**
 * `Idempotency-Key` for every money-moving POST (domain-rules §9). A route opts in with
 * `config: { idempotent: true }`; then:
 *   - no key → 400 IDEMPOTENCY_KEY_REQUIRED (a key is at most 255 characters);
 *   - same key, same body → the stored first response, with `Idempotency-Replayed: true`;
 *   - same key, other body → 422 IDEMPOTENCY_KEY_REUSED. The body's `confirmation` (PIN, code,
 *     passkey assertion) is not compared: it proves the payment, it is not part of it;
 *   - same key while the first is still running → it waits (up to 5 s) for the first answer and
 *     replays it; still running then → 409 IDEMPOTENCY_REQUEST_IN_FLIGHT.
 * Failures (4xx) are stored like successes, so a retry never turns a rejection into a success.
 * A 5xx is not stored: the key is left `retryable` and the next request with it runs again;
 * nor is an `unfinished` refusal (STEP_UP_REQUIRED), which asks for the same request again.
 * A run that takes over a key — `retryable`, or `in_flight` for over a minute (its process died)
 * — is a *resumption* (`isResumption`): its earlier run may have moved money before it failed,
 * so a money path first asks the ledger whether its derived transfers (`idempotentId`) exist and,
 * if they do, answers the success from there without any check or confirmation (a retry never
 * spends a PIN try, and the answer stored for a key always agrees with the ledger).
 * Keys are scoped to the caller (holder, operator or client) and kept
 * `IDEMPOTENCY_RETENTION_HOURS` (≥ 24 h, default 72) after their first use; a job every ten
 * minutes (`idempotency.sweep`, in one server at a time) deletes older ones, so the table holds a
 * few days of requests, not all of them.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { Coalescer, isUnavailable } from '@qianbao/db';
import type { Migration } from '@qianbao/db';
import { derivedId } from '@qianbao/ledger';
import { AppError, isUnfinished } from './errors.ts';
import { defineJob } from './jobs/index.ts';
import type { JobDefinition } from './jobs/index.ts';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const MAX_KEY_LENGTH = 255;
/** A first request still "in flight" after this long died with its process: a retry may take over. */
const STALE_IN_FLIGHT_SECONDS = 60;
/** At most how many keys past their retention one statement deletes. */
const PRUNE_CHUNK = 5000;
/** A key whose run ended while the database was away is released this often, this many times. */
const RELEASE_PAUSE_MS = 1000;
const RELEASE_ATTEMPTS = 60;
/** Responses larger than this are not kept (no money-moving answer is near it). */
const MAX_STORED_RESPONSE_BYTES = 64 * 1024;
/**
 * A request that finds its key in flight waits this long for the first answer (to replay it),
 * polling every `IN_FLIGHT_POLL_MS`: identical requests sent at once all get the same answer.
 */
const IN_FLIGHT_WAIT_MS = 5000;
const IN_FLIGHT_POLL_MS = 50;

export const idempotencyMigrations: Migration[] = [
  {
    name: '0050_idempotency_init',
    sql: `
CREATE TABLE idempotency_keys (
  scope text NOT NULL CHECK (length(scope) <= 200),
  key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
  fingerprint bytea NOT NULL,
  state text NOT NULL CHECK (state IN ('in_flight', 'completed')),
  status_code integer,
  content_type text,
  response text,
  created_at timestamptz NOT NULL,
  completed_at timestamptz,
  PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
`,
  },
  {
    // A run that ended in a 5xx leaves its key `retryable` (it used to be deleted), so the
    // retry knows it resumes a run that may have moved money, and another body is still refused.
    name: '0051_idempotency_retryable',
    sql: `
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_state_check;
ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_state_check
  CHECK (state IN ('in_flight', 'completed', 'retryable'));
`,
  },
];

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Money-moving POST: requires and honours an Idempotency-Key header. */
    idempotent?: boolean;
  }
  interface FastifyRequest {
    /** Set on idempotent routes once the key is claimed. */
    idempotency: IdempotencyClaim | null;
  }
}

export interface IdempotencyClaim {
  scope: string;
  key: string;
  /**
   * This run takes over the key from an earlier run that ended without an answer to keep (a
   * 5xx, or its process died while in flight): money may have moved already.
   */
  resumed: boolean;
}

interface StoredKey {
  fingerprint: Buffer;
  state: 'in_flight' | 'completed' | 'retryable';
  status_code: number | null;
  content_type: string | null;
  response: string | null;
  created_at: Date;
}

/**
 * A stable id for a ledger transfer made by the request with this key: the same request retried
 * after a crash makes the same transfer id, which the ledger answers with `exists`.
 */
export function idempotentId(request: FastifyRequest, purpose: string): string {
  const claim = request.idempotency;
  if (!claim) throw new Error('idempotentId needs a route with config.idempotent');
  return derivedId(`${claim.scope}\u0000${claim.key}\u0000${purpose}`);
}

/**
 * True when this request resumes an earlier run with its key (see `IdempotencyClaim.resumed`):
 * before any check or confirmation, the handler must ask the ledger whether the transfers it
 * derives from the key exist, and if so finish from there and answer the success.
 */
export function isResumption(request: FastifyRequest): boolean {
  const claim = request.idempotency;
  if (!claim) throw new Error('isResumption needs a route with config.idempotent');
  return claim.resumed;
}

/**
 * The id `idempotentId` will give a holder's request to `POST <route>` with this key, known
 * before that request is sent (a passkey challenge must name the payment in advance).
 */
export function idempotentIdOfHolder(input: {
  userId: string;
  method: string;
  route: string;
  key: string;
  purpose: string;
}): string {
  const scope = `${holderCaller(input.userId)} ${input.method} ${input.route}`;
  return derivedId(`${scope}\u0000${input.key}\u0000${input.purpose}`);
}

/** Keys belong to whoever sent them: a holder's key never collides with another's. */
function holderCaller(userId: string): string {
  return `holder:${userId}`;
}

/**
 * Delete the keys first used before `before`, in short statements; answers how many. A retry
 * with a deleted key runs the request again as a new one (not a resumption), which the
 * handlers' derived ledger ids make safe: the money moves at most once.
 */
export async function pruneIdempotencyKeys(pool: pg.Pool, before: Date): Promise<number> {
  let deleted = 0;
  for (;;) {
    const { rowCount } = await pool.query(
      `DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(
         SELECT ctid FROM idempotency_keys WHERE created_at < $1 LIMIT ${PRUNE_CHUNK}))`,
      [before],
    );
    deleted += rowCount ?? 0;
    if ((rowCount ?? 0) < PRUNE_CHUNK) return deleted;
  }
}

export const IDEMPOTENCY_JOBS = { sweep: 'idempotency.sweep' } as const;

/** Every ten minutes, delete the keys past their retention (`pruneIdempotencyKeys`). */
export function idempotencyJobs(options: {
  pool: pg.Pool;
  now: () => Date;
  retentionHours: number;
}): JobDefinition[] {
  return [
    defineJob({
      name: IDEMPOTENCY_JOBS.sweep,
      schedule: { cron: '*/10 * * * *' },
      retry: { limit: 2, delaySeconds: 60, backoff: true },
      handler: async () => {
        const before = new Date(options.now().getTime() - options.retentionHours * 3600 * 1000);
        return { deleted: await pruneIdempotencyKeys(options.pool, before) };
      },
    }),
  ];
}

export function registerIdempotency(app: FastifyInstance, options: { pool: pg.Pool; now: () => Date }): void {
  const { pool, now } = options;
  app.decorateRequest('idempotency', null);
  // Every money-moving request claims its key and stores its answer: concurrent requests share
  // one statement for each (packages/db Coalescer). A claim is true for the call that inserted
  // the row; of two calls with one key in the same statement, the first.
  const claims = new Coalescer<{ scope: string; key: string; fingerprint: Buffer; at: Date }, boolean>(
    async (calls) => {
      const { rows } = await pool.query<{ scope: string; key: string }>(
        `INSERT INTO idempotency_keys (scope, key, fingerprint, state, created_at)
         SELECT scope, key, fingerprint, 'in_flight', created_at
           FROM unnest($1::text[], $2::text[], $3::bytea[], $4::timestamptz[]) AS c(scope, key, fingerprint, created_at)
         ON CONFLICT (scope, key) DO NOTHING
         RETURNING scope, key`,
        [
          calls.map((c) => c.scope),
          calls.map((c) => c.key),
          calls.map((c) => c.fingerprint),
          calls.map((c) => c.at),
        ],
      );
      const inserted = new Set(rows.map((row) => `${row.scope}\u0000${row.key}`));
      return calls.map((c) => inserted.delete(`${c.scope}\u0000${c.key}`));
    },
  );
  const completions = new Coalescer<
    { scope: string; key: string; status: number; contentType: string; body: string; at: Date },
    void
  >(async (calls) => {
    await pool.query(
      `UPDATE idempotency_keys k
          SET state = 'completed', status_code = c.status_code, content_type = c.content_type,
              response = c.response, completed_at = c.completed_at
         FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::timestamptz[])
              AS c(scope, key, status_code, content_type, response, completed_at)
        WHERE k.scope = c.scope AND k.key = c.key`,
      [
        calls.map((c) => c.scope),
        calls.map((c) => c.key),
        calls.map((c) => c.status),
        calls.map((c) => c.contentType),
        calls.map((c) => c.body),
        calls.map((c) => c.at),
      ],
    );
    return calls.map(() => undefined);
  });
  // Requests waiting for a key in flight poll it: concurrent polls share one statement.
  const lookups = new Coalescer<{ scope: string; key: string }, StoredKey | null>(async (calls) => {
    const { rows } = await pool.query<StoredKey & { scope: string; key: string }>(
      `SELECT k.scope, k.key, k.fingerprint, k.state, k.status_code, k.content_type, k.response, k.created_at
         FROM idempotency_keys k
         JOIN unnest($1::text[], $2::text[]) AS c(scope, key) ON k.scope = c.scope AND k.key = c.key`,
      [calls.map((c) => c.scope), calls.map((c) => c.key)],
    );
    const found = new Map(rows.map((row) => [`${row.scope}\u0000${row.key}`, row]));
    return calls.map((c) => found.get(`${c.scope}\u0000${c.key}`) ?? null);
  });

  // preHandler: after authentication (onRequest) and body parsing, before the handler.
  app.addHook('preHandler', async (request, reply) => {
    if (!request.routeOptions.config.idempotent) return;
    const key = request.headers[IDEMPOTENCY_HEADER];
    if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
      throw new AppError('IDEMPOTENCY_KEY_REQUIRED', {
        details: { header: 'Idempotency-Key', maxLength: MAX_KEY_LENGTH },
      });
    }
    const route = request.routeOptions.url ?? request.url;
    const scope = `${callerOf(request)} ${request.method} ${route}`;
    const fingerprint = fingerprintOf(request);
    const deadline = Date.now() + IN_FLIGHT_WAIT_MS;
    for (let stored: StoredKey | null = null; ;) {
      const at = now();
      if (!stored && (await claims.call({ scope, key, fingerprint, at }))) {
        request.idempotency = { scope, key, resumed: false };
        return;
      }
      stored = await lookups.call({ scope, key });
      if (!stored) {
        // Swept between the claim and the read: claim it again.
        if (Date.now() >= deadline) throw new AppError('IDEMPOTENCY_REQUEST_IN_FLIGHT');
        continue;
      }
      if (!stored.fingerprint.equals(fingerprint)) throw new AppError('IDEMPOTENCY_KEY_REUSED');
      if (stored.state === 'completed') {
        return reply
          .code(stored.status_code ?? 200)
          .header('idempotency-replayed', 'true')
          .header('content-type', stored.content_type ?? 'application/json; charset=utf-8')
          .send(stored.response ?? '');
      }
      // An earlier run ended without an answer to keep, or died in flight: take the key over.
      // One statement decides, so of several retries exactly one resumes; the others wait.
      const staleBefore = new Date(at.getTime() - STALE_IN_FLIGHT_SECONDS * 1000);
      if (stored.state === 'retryable' || stored.created_at < staleBefore) {
        const takenOver = await pool.query(
          `UPDATE idempotency_keys SET state = 'in_flight', created_at = $3
            WHERE scope = $1 AND key = $2
              AND (state = 'retryable' OR (state = 'in_flight' AND created_at < $4))`,
          [scope, key, at, staleBefore],
        );
        if (takenOver.rowCount === 1) {
          request.idempotency = { scope, key, resumed: true };
          return;
        }
      }
      // In flight: wait for the first answer, then replay it.
      if (Date.now() >= deadline) throw new AppError('IDEMPOTENCY_REQUEST_IN_FLIGHT');
      await sleep(IN_FLIGHT_POLL_MS);
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotency;
    if (!claim) return payload;
    request.idempotency = null; // once
    const status = reply.statusCode;
    const body =
      typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : null;
    if (
      status >= 500 ||
      body === null ||
      Buffer.byteLength(body) > MAX_STORED_RESPONSE_BYTES ||
      (status === 403 && isUnfinishedAnswer(body))
    ) {
      // Not an answer to keep: the next request with the key runs again, as a resumption (the
      // money may have moved before this run failed; its ledger ids are stable) — or, after a
      // step-up the holder has passed since, goes through.
      await makeRetryable(claim).catch((error: unknown) => whenUnavailable(error, claim));
      return payload;
    }
    await completions
      .call({
        scope: claim.scope,
        key: claim.key,
        status,
        contentType: String(reply.getHeader('content-type') ?? ''),
        body,
        at: now(),
      })
      .catch((error: unknown) => whenUnavailable(error, claim));
    return payload;
  });

  const makeRetryable = async (claim: { scope: string; key: string }) => {
    await pool.query(
      `UPDATE idempotency_keys SET state = 'retryable' WHERE scope = $1 AND key = $2 AND state = 'in_flight'`,
      [claim.scope, claim.key],
    );
  };
  /**
   * The database went away before the run could record its end (a failover, ADR 0027). The
   * answer still goes out — a success the ledger committed stays a success for the client — and
   * the key is made retryable once the database is back, so that the client's retry resumes from
   * the ledger at once instead of waiting out STALE_IN_FLIGHT_SECONDS. Any other failure throws.
   */
  const whenUnavailable = (error: unknown, claim: { scope: string; key: string }) => {
    if (!isUnavailable(error)) throw error;
    let tries = 0;
    const attempt = () => {
      makeRetryable(claim).catch((again: unknown) => {
        if (++tries < RELEASE_ATTEMPTS && isUnavailable(again)) setTimeout(attempt, RELEASE_PAUSE_MS).unref();
      });
    };
    setTimeout(attempt, RELEASE_PAUSE_MS).unref();
  };
}

/** An answer whose error code asks for the same request again (ErrorMapping `unfinished`). */
function isUnfinishedAnswer(body: string): boolean {
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' && isUnfinished(code);
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function callerOf(request: FastifyRequest): string {
  const principal = request.principal;
  switch (principal?.kind) {
    case 'holder':
      return holderCaller(principal.userId);
    case 'operator':
      return `operator:${principal.id}`;
    case 'merchantStaff':
      return `merchantStaff:${principal.merchantId}:${principal.userId}`;
    case 'apiClient':
      // The merchant's, not the key's: a retry sent with the rolled successor is the same request.
      // A partner acting for the merchant (ADR 0023) has a space of its own there: its keys must
      // not replay the merchant's own answers, nor the merchant's its.
      return principal.partnerMerchantId === null
        ? `apiClient:${principal.merchantId}`
        : `apiClient:${principal.merchantId}:partner:${principal.partnerMerchantId}`;
    case undefined:
      return `anonymous:${request.ip}`;
  }
}

/**
 * What the request asks for: method, URL and body — without the body's `confirmation` (a PIN, a
 * TOTP code, a passkey assertion). The proof is not part of the payment: a retry after a crash
 * may carry a PIN typed again (even wrongly) or a fresh assertion, and must still find its key.
 * It cannot move money unconfirmed: a resumption whose money did not move runs every check.
 */
function fingerprintOf(request: FastifyRequest): Buffer {
  return createHash('sha256')
    .update(`${request.method} ${request.url}\n`)
    .update(canonicalJson(withoutProof(request.body)))
    .digest();
}

function withoutProof(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  return Object.fromEntries(Object.entries(body).filter(([name]) => name !== 'confirmation'));
}

/** JSON with object keys sorted, so `{a,b}` and `{b,a}` are the same body. */
function canonicalJson(value: unknown): string {
  if (value === undefined) return '';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
