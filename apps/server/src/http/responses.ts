/**
 * One way to declare a route's error answers: `response: { 200: …, ...errorResponses(400, 401, 422) }`.
 * Every error has the one body of `errorResponseSchema` (domain rules §9); what differs by status
 * is what it means, documented here once for the OpenAPI document. Which codes a route answers
 * is in its description and in docs/api/errors.md — and, for an operation of the merchant API,
 * listed under each status by `merchantApiErrors`.
 */
import { ERRORS, errorResponseSchema } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';

/** Every status an error code maps to (responses.test.ts checks the ERRORS table against it). */
export const ERROR_STATUSES = [400, 401, 403, 404, 409, 410, 413, 415, 422, 423, 429, 500, 503] as const;
export type ErrorStatus = (typeof ERROR_STATUSES)[number];

const MEANINGS: Record<ErrorStatus, string> = {
  400:
    'The request is invalid: VALIDATION_FAILED (`details.fields` names each bad field: `in`, `path`, ' +
    '`issue`), IDEMPOTENCY_KEY_REQUIRED on a money-moving POST, or a 400 code of this route.',
  401: 'UNAUTHORIZED or SESSION_EXPIRED: no valid credentials; sign in again. Sent with `WWW-Authenticate`.',
  403: 'Not allowed for these credentials: FORBIDDEN, or a 403 code of this route (KYC_TIER_TOO_LOW …).',
  404: 'NOT_FOUND: no such resource, including one that belongs to someone else.',
  409:
    'Conflicts with the current state: a 409 code of this route, or IDEMPOTENCY_REQUEST_IN_FLIGHT ' +
    '(the first request with this Idempotency-Key is still running; retry shortly).',
  410: 'Gone: a 410 code of this route (an expired code or request).',
  413: 'PAYLOAD_TOO_LARGE: the body is larger than the route accepts.',
  415: 'UNSUPPORTED_MEDIA_TYPE: send the content type the route accepts.',
  422:
    'Refused: a 422 code of this route (INSUFFICIENT_FUNDS, LIMIT_EXCEEDED …), or ' +
    'IDEMPOTENCY_KEY_REUSED (this Idempotency-Key was used with another body).',
  423: 'Locked: a 423 code of this route; `Retry-After` says for how long.',
  429: 'Too many requests or tries: RATE_LIMITED or a 429 code of this route; `Retry-After` says when to retry.',
  500: 'INTERNAL: a bug or an outage; `details.requestId` finds it in the logs.',
  503:
    'Temporarily unavailable (OVERLOADED, SERVICE_UNAVAILABLE, SECRET_CHECK_BUSY or a 503 code of this ' +
    'route): nothing was done; retry after `Retry-After` seconds.',
};

/** The first line of an error answer that lists its codes (`merchantApiErrors`): the codes say the rest. */
const TITLES: Record<ErrorStatus, string> = {
  400: 'The request is invalid.',
  401: 'No valid credentials (sent with `WWW-Authenticate`).',
  403: 'Not allowed for these credentials.',
  404: 'Not found: what belongs to someone else is not found either.',
  409: 'Conflicts with the current state.',
  410: 'Gone.',
  413: 'The body is too large.',
  415: 'Not JSON: send `content-type: application/json`.',
  422: 'Refused.',
  423: 'Locked; `Retry-After` says for how long.',
  429: 'Too many requests; `Retry-After` says when to retry.',
  500: 'A bug or an outage; `details.requestId` finds it in the logs.',
  503: 'Temporarily unavailable: nothing was done; retry after `Retry-After` seconds.',
};

// One schema per status, built once: `.meta()` makes a copy, and routes share these.
const RESPONSES = Object.fromEntries(
  ERROR_STATUSES.map((status) => [status, errorResponseSchema.meta({ description: MEANINGS[status] })]),
) as Record<ErrorStatus, typeof errorResponseSchema>;

/** The error answers of a route, for its `response` schema: `...errorResponses(400, 401, 404)`. */
export function errorResponses<const Status extends ErrorStatus>(
  ...statuses: Status[]
): Record<Status, typeof errorResponseSchema> {
  const declared = {} as Record<Status, typeof errorResponseSchema>;
  for (const status of statuses) declared[status] = RESPONSES[status];
  return declared;
}

/**
 * What any request of the merchant API (signedIn kind `merchant`: an API key, or staff with the
 * `Qianbao-Merchant` header) may be answered, whatever the operation: a version, a URL or a field,
 * the credentials, their permission, the rate limit, a bug or a shutdown (docs/developers.md
 * "Errors").
 */
export const MERCHANT_API_CODES = [
  'API_VERSION_UNKNOWN',
  'BAD_REQUEST',
  'VALIDATION_FAILED',
  'MERCHANT_SELECTOR_REQUIRED',
  'UNAUTHORIZED',
  'SESSION_EXPIRED',
  'API_KEY_INVALID',
  'FORBIDDEN',
  'API_KEY_IP_NOT_ALLOWED',
  'PARTNER_ACCESS_NOT_GRANTED',
  'MERCHANT_NOT_FOUND',
  'RATE_LIMITED',
  'INTERNAL',
  'SERVICE_UNAVAILABLE',
] as const satisfies readonly ErrorCode[];

/** What a request with a body (any but GET) may be answered besides: it is read as JSON. */
export const BODY_CODES = [
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
] as const satisfies readonly ErrorCode[];

/** What a money-moving POST (`config.idempotent`) may be answered besides (../idempotency.ts). */
export const IDEMPOTENCY_CODES = [
  'IDEMPOTENCY_KEY_REQUIRED',
  'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENCY_REQUEST_IN_FLIGHT',
] as const satisfies readonly ErrorCode[];

/** The heading of the list of codes in an error answer's description (what tests parse). */
export const CODES_HEADING = 'This operation answers:';

/**
 * The error answers of an operation of the merchant API, by code: `...merchantApiErrors('POST',
 * ['ORDER_NOT_FOUND', 'ORDER_CLOSED'])`. Every status of those codes, of `MERCHANT_API_CODES` and
 * (but for a GET) of `BODY_CODES` is declared, each described by a title and then every code the
 * operation answers with it, with its message — what a client branches on, in /docs.
 * Call it where the route is declared (inside the plugin): it reads the merged error table,
 * which is complete only once every module is loaded.
 */
export function merchantApiErrors(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  codes: readonly ErrorCode[],
): Partial<Record<ErrorStatus, typeof errorResponseSchema>> {
  const all = [...MERCHANT_API_CODES, ...(method === 'GET' ? [] : BODY_CODES), ...codes];
  const byStatus = new Map<ErrorStatus, ErrorCode[]>();
  for (const code of all) {
    const status = ERRORS[code].status as ErrorStatus;
    // A programmer error, loud at startup: a code whose status the kit cannot document.
    if (!ERROR_STATUSES.includes(status)) throw new Error(`${code}: status ${status} is not documented`);
    const listed = byStatus.get(status) ?? [];
    if (!listed.includes(code)) listed.push(code);
    byStatus.set(status, listed);
  }
  const declared: Partial<Record<ErrorStatus, typeof errorResponseSchema>> = {};
  for (const status of ERROR_STATUSES) {
    const listed = byStatus.get(status);
    if (!listed) continue;
    const lines = listed.map((code) => `- \`${code}\`: ${ERRORS[code].message}`);
    declared[status] = errorResponseSchema.meta({
      description: `${TITLES[status]} ${CODES_HEADING}\n\n${lines.join('\n')}`,
    });
  }
  return declared;
}

/** The codes an error answer's description lists (`merchantApiErrors`); none for the others. */
export function listedCodes(description: string): string[] {
  const at = description.indexOf(CODES_HEADING);
  if (at < 0) return [];
  return [...description.slice(at).matchAll(/^- `([A-Z][A-Z0-9_]+)`/gm)].map((match) => match[1]!);
}

/** The first line of an error answer that lists its codes. */
export function errorTitle(status: ErrorStatus): string {
  return TITLES[status];
}

/** What a status means, as the OpenAPI document says it. */
export function errorMeaning(status: ErrorStatus): string {
  return MEANINGS[status];
}

/**
 * Why a previewed or quoted payment would be refused if confirmed now: the `error` of the body
 * the payment itself would answer, or null. Routes add what their refusals carry in `details`.
 */
export function refusalOutput(description: string) {
  return errorResponseSchema.shape.error.nullable().meta({
    description:
      `Null when nothing known now refuses it; otherwise the \`error\` the request itself would answer. ${description} ` +
      'Do not ask for the PIN then. The ledger still decides when the money moves.',
  });
}
