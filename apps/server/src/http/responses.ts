/**
 * One way to declare a route's error answers: `response: { 200: …, ...errorResponses(400, 401, 422) }`.
 * Every error has the one body of `errorResponseSchema` (domain rules §9); what differs by status
 * is what it means, documented here once for the OpenAPI document. Which codes a route answers
 * is in its description and in docs/api/errors.md.
 */
import { errorResponseSchema } from '../errors.ts';

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
