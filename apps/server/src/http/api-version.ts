/**
 * The dated API version (docs/api/versioning.md): a request may send `Qianbao-Version:
 * YYYY-MM-DD`, and every answer carries `Qianbao-Version` with the version it was answered in.
 * A missing header is the newest version; an unknown or malformed one is refused with 400
 * API_VERSION_UNKNOWN before anything else is read (the caller asked for a contract this server
 * cannot keep). Breaking changes get a new date here; a handler that answers differently by
 * version reads `request.apiVersion`.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.ts';

/** Every version this server answers in, oldest first; the last is the newest. */
export const API_VERSIONS = ['2026-12-07'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];
export const LATEST_API_VERSION: ApiVersion = API_VERSIONS[API_VERSIONS.length - 1]!;

/** As sent and answered; Node lowercases request header names. */
export const API_VERSION_HEADER = 'Qianbao-Version';

const VERSION_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
/** More than a date can be is not echoed back in the error's details. */
const MAX_ECHOED_LENGTH = 32;

declare module 'fastify' {
  interface FastifyRequest {
    /** The version this request is answered in (its `Qianbao-Version`, or the newest). */
    apiVersion: ApiVersion;
  }
}

export type VersionDecision =
  { ok: true; version: ApiVersion } | { ok: false; given: string; known: readonly ApiVersion[] };

/**
 * The version a request asks for, from its header's value(s). Pure: no header (or an empty one)
 * is the newest; one exact known date is that version; anything else — another date, not a date,
 * the header twice — is refused.
 */
export function decideApiVersion(
  header: string | readonly string[] | undefined,
  known: readonly ApiVersion[] = API_VERSIONS,
): VersionDecision {
  const latest = known[known.length - 1];
  if (latest === undefined) throw new Error('decideApiVersion: no known versions');
  if (header === undefined) return { ok: true, version: latest };
  const given = typeof header === 'string' ? header.trim() : header.join(', ');
  if (given === '') return { ok: true, version: latest };
  const match = VERSION_PATTERN.test(given) ? known.find((version) => version === given) : undefined;
  return match === undefined
    ? { ok: false, given: given.slice(0, MAX_ECHOED_LENGTH), known }
    : { ok: true, version: match };
}

/**
 * The `onRequest` hook of every route (app.ts): the version decided, answered in the header —
 * the newest on a refusal, which is what the refusal itself is in.
 */
export function registerApiVersion(app: FastifyInstance): void {
  app.decorateRequest('apiVersion', LATEST_API_VERSION);
  app.addHook('onRequest', (request, reply, done) => {
    const decision = decideApiVersion(request.headers[API_VERSION_HEADER.toLowerCase()]);
    if (!decision.ok) {
      void reply.header(API_VERSION_HEADER, LATEST_API_VERSION);
      done(
        new AppError('API_VERSION_UNKNOWN', {
          details: { given: decision.given, known: [...decision.known] },
        }),
      );
      return;
    }
    request.apiVersion = decision.version;
    void reply.header(API_VERSION_HEADER, decision.version);
    done();
  });
}

/** The request header, as the OpenAPI document lists it on every operation (openapi.ts). */
export const apiVersionParameter = {
  type: 'string',
  pattern: VERSION_PATTERN.source,
  enum: [...API_VERSIONS],
  description:
    `The API version to answer in, a date (YYYY-MM-DD): ${API_VERSIONS.join(', ')}. Without it, the newest ` +
    `(${LATEST_API_VERSION}); an unknown one is 400 API_VERSION_UNKNOWN. Send it to keep your integration on ` +
    'the version it was written for (docs/api/versioning.md).',
} as const;

/** The answer header, as the OpenAPI document lists it on every response (openapi.ts). */
export const apiVersionResponseHeader = {
  type: 'string',
  description: 'The API version this answer is in (the one asked for, or the newest).',
} as const;
