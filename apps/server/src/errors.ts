import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isUnavailable } from '@qianbao/db';
import { LedgerClosedError, LedgerOverloadedError, LedgerUnavailableError } from '@qianbao/ledger';
import type { TransferResult } from '@qianbao/ledger';
import { MODULES } from './modules/catalog.ts';
import type { ModuleErrorCode } from './modules/kit.ts';
import { PAYMENTS_ERRORS, type PaymentsErrorCode } from './payments/errors.ts';

/**
 * Every failure an HTTP client can see, with its status and default message: the server's own
 * codes below, the payment resource's, and each module's table (`errors` of its declaration,
 * modules/<name>/module.ts, listed in modules/catalog.ts). Each table is typed
 * `Record<…Code, …>` and `ERRORS` is `Record<ErrorCode, …>`, so a code without a row fails to
 * compile, and a code defined twice stops the server.
 */
export type ErrorCode = CoreErrorCode | PaymentsErrorCode | ModuleErrorCode<typeof MODULES>;

type CoreErrorCode =
  | 'BAD_REQUEST'
  | 'VALIDATION_FAILED'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE'
  | 'OVERLOADED'
  | 'IDEMPOTENCY_KEY_REQUIRED'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'IDEMPOTENCY_REQUEST_IN_FLIGHT'
  | 'SECRET_CHECK_BUSY'
  | 'API_VERSION_UNKNOWN'
  | 'INTERNAL';

export interface ErrorMapping {
  status: number;
  message: string;
  /** Sent as `Retry-After`: the failure is temporary and a retry later should succeed. */
  retryAfterSeconds?: number;
  /**
   * Not a final answer: the client is to do something (pass a step-up) and send the same request
   * again. Not kept for its Idempotency-Key (idempotency.ts); a payment keeps its attempt
   * (payments/intents.ts).
   */
  unfinished?: true;
}

/** Whether an error code asks for the same request again rather than answering it (`unfinished`). */
export function isUnfinished(code: string): boolean {
  return (ERRORS as Record<string, ErrorMapping | undefined>)[code]?.unfinished === true;
}

const CORE_ERRORS: Record<CoreErrorCode, ErrorMapping> = {
  BAD_REQUEST: { status: 400, message: 'The request could not be read.' },
  VALIDATION_FAILED: { status: 400, message: 'Some fields of the request are invalid.' },
  UNAUTHORIZED: { status: 401, message: 'Missing or invalid credentials.' },
  FORBIDDEN: { status: 403, message: 'These credentials may not do this.' },
  NOT_FOUND: { status: 404, message: 'Not found.' },
  CONFLICT: { status: 409, message: 'The request conflicts with the current state.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported Content-Type; send application/json.' },
  RATE_LIMITED: { status: 429, message: 'Too many requests; slow down.', retryAfterSeconds: 1 },
  SERVICE_UNAVAILABLE: {
    status: 503,
    message: 'The service is unavailable (shutting down); retry on another instance.',
    retryAfterSeconds: 1,
  },
  OVERLOADED: { status: 503, message: 'The ledger is busy; retry shortly.', retryAfterSeconds: 1 },
  IDEMPOTENCY_KEY_REQUIRED: {
    status: 400,
    message: 'This request moves money: send an Idempotency-Key header (at most 255 characters).',
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    message: 'This Idempotency-Key was used with a different request; use a new key.',
  },
  IDEMPOTENCY_REQUEST_IN_FLIGHT: {
    status: 409,
    message: 'The first request with this Idempotency-Key is still running; retry shortly.',
    retryAfterSeconds: 1,
  },
  // 503, not 429: a 4xx answer would be stored under an Idempotency-Key and replayed
  SECRET_CHECK_BUSY: {
    status: 503,
    message: 'Other tries of this password, PIN or code are being checked right now; retry shortly.',
    retryAfterSeconds: 1,
  },
  API_VERSION_UNKNOWN: {
    status: 400,
    message: 'Unknown Qianbao-Version: send one of the known versions (YYYY-MM-DD), or none for the newest.',
  },
  INTERNAL: { status: 500, message: 'Internal error; it has been logged.' },
};

// A module's codes come with its declaration (modules/catalog.ts); nothing to add here.
export const ERRORS: Record<ErrorCode, ErrorMapping> = mergeErrorTables([
  CORE_ERRORS,
  PAYMENTS_ERRORS,
  ...MODULES.map((module) => module.errors),
]);

type CodesOf<Table> = Table extends Record<infer Code, ErrorMapping> ? Code : never;

/** One table of all codes; two tables claiming one code is a programmer error that stops the server. */
function mergeErrorTables<const Tables extends readonly Record<string, ErrorMapping>[]>(
  tables: Tables,
): Record<CodesOf<Tables[number]>, ErrorMapping> {
  const merged: Record<string, ErrorMapping> = {};
  for (const table of tables) {
    for (const [code, mapping] of Object.entries(table)) {
      if (code in merged) throw new Error(`error code ${code} is defined twice`);
      merged[code] = mapping;
    }
  }
  return merged;
}

type TransferFailure = Exclude<TransferResult, 'ok' | 'exists'>;

/**
 * The stable code, status and message of each failed transfer result, for APIs that answer one
 * transfer with an HTTP error (the batch API reports them per item instead). Exhaustive over the
 * ledger's results: a new result without a row fails to compile.
 */
export const TRANSFER_FAILURES = {
  existsWithDifferentFields: {
    code: 'TRANSFER_ID_REUSED',
    status: 422,
    message: 'A transfer with this id exists with different fields.',
  },
  idAlreadyFailed: {
    code: 'TRANSFER_ID_ALREADY_FAILED',
    status: 422,
    message: 'A transfer with this id failed before; use a new id.',
  },
  invalidId: { code: 'INVALID_ID', status: 400, message: 'The transfer id is not a valid UUID.' },
  invalidFlags: { code: 'INVALID_FLAGS', status: 400, message: 'This combination of flags is not allowed.' },
  invalidCode: { code: 'INVALID_CODE', status: 400, message: 'The transfer code must be from 1 to 65535.' },
  accountIdRequired: {
    code: 'ACCOUNT_ID_REQUIRED',
    status: 400,
    message: 'A new transfer needs both a debit and a credit account.',
  },
  currencyRequired: { code: 'CURRENCY_REQUIRED', status: 400, message: 'A new transfer needs a currency.' },
  invalidTimeout: { code: 'INVALID_TIMEOUT', status: 400, message: 'The timeout is out of range.' },
  amountMustBePositive: {
    code: 'AMOUNT_MUST_BE_POSITIVE',
    status: 400,
    message: 'The amount must be greater than zero.',
  },
  accountsMustBeDifferent: {
    code: 'ACCOUNTS_MUST_BE_DIFFERENT',
    status: 400,
    message: 'The debit and credit accounts must differ.',
  },
  pendingIdRequired: {
    code: 'PENDING_ID_REQUIRED',
    status: 400,
    message: 'Posting or voiding needs the pending transfer id.',
  },
  pendingIdMustBeAbsent: {
    code: 'PENDING_ID_MUST_BE_ABSENT',
    status: 400,
    message: 'Only a post or void may name a pending transfer.',
  },
  timeoutReservedForPending: {
    code: 'TIMEOUT_RESERVED_FOR_PENDING',
    status: 400,
    message: 'Only a pending transfer may have a timeout.',
  },
  userDataTooLong: { code: 'USER_DATA_TOO_LONG', status: 400, message: 'The user data is too long.' },
  invalidLimits: {
    code: 'INVALID_LIMITS',
    status: 400,
    message: 'Limits and balance caps go on new transfers only, at most 8, with valid keys and amounts ≥ 0.',
  },
  linkedChainOpen: {
    code: 'LINKED_CHAIN_OPEN',
    status: 400,
    message: 'The last transfer of a request must not be flagged linked.',
  },
  accountNotFound: {
    code: 'ACCOUNT_NOT_FOUND',
    status: 422,
    message: 'An account of the transfer does not exist.',
  },
  currencyMismatch: {
    code: 'CURRENCY_MISMATCH',
    status: 422,
    message: 'The accounts and the transfer must share one currency.',
  },
  modeMismatch: {
    code: 'MODE_MISMATCH',
    status: 422,
    message: 'Test money and live money never meet: both accounts must be test accounts, or neither.',
  },
  pendingNotFound: {
    code: 'PENDING_NOT_FOUND',
    status: 422,
    message: 'The pending transfer does not exist.',
  },
  pendingNotPending: {
    code: 'PENDING_NOT_PENDING',
    status: 422,
    message: 'The referenced transfer is not a pending transfer.',
  },
  pendingAccountsMismatch: {
    code: 'PENDING_ACCOUNTS_MISMATCH',
    status: 422,
    message: 'The accounts differ from those of the pending transfer.',
  },
  pendingAlreadyResolved: {
    code: 'PENDING_ALREADY_RESOLVED',
    status: 409,
    message: 'The pending transfer was already posted, voided or expired.',
  },
  pendingExpired: { code: 'PENDING_EXPIRED', status: 409, message: 'The pending transfer has expired.' },
  postAmountExceedsPending: {
    code: 'POST_AMOUNT_EXCEEDS_PENDING',
    status: 422,
    message: 'The amount to post exceeds the pending amount.',
  },
  overflow: {
    code: 'AMOUNT_OVERFLOW',
    status: 422,
    message: 'The transfer would overflow an account balance.',
  },
  insufficientFunds: { code: 'INSUFFICIENT_FUNDS', status: 422, message: 'The balance is insufficient.' },
  exceedsDebits: {
    code: 'EXCEEDS_DEBITS',
    status: 422,
    message: 'The credit account may not be credited beyond its debits.',
  },
  exceedsBalanceCap: {
    code: 'PAYEE_BALANCE_CAP_EXCEEDED',
    status: 422,
    message: 'The receiving account would pass its balance cap.',
  },
  limitExceeded: { code: 'LIMIT_EXCEEDED', status: 422, message: 'This payment would pass a limit.' },
  linkedEventFailed: {
    code: 'LINKED_TRANSFER_FAILED',
    status: 422,
    message: 'Another transfer of the same linked chain failed.',
  },
} as const satisfies Record<TransferFailure, { code: string; status: number; message: string }>;

export type TransferErrorCode = (typeof TRANSFER_FAILURES)[TransferFailure]['code'];

/** The code and message of a failed transfer result; null for `ok` and `exists`. */
export function transferFailure(result: TransferResult): { code: TransferErrorCode; message: string } | null {
  if (result === 'ok' || result === 'exists') return null;
  const { code, message } = TRANSFER_FAILURES[result];
  return { code, message };
}

/** An expected failure: thrown by handlers, turned into the standard error body by the error handler. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  /** Overrides the table's `Retry-After` when the wait is known (a lockout's remaining time). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ErrorCode,
    options: {
      message?: string;
      details?: Record<string, unknown>;
      cause?: unknown;
      retryAfterSeconds?: number;
    } = {},
  ) {
    super(options.message ?? ERRORS[code].message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const errorResponseSchema = z
  .object({
    error: z
      .object({
        code: z.string().meta({ description: 'Stable machine-readable code, e.g. VALIDATION_FAILED.' }),
        message: z.string().meta({ description: 'Human-readable explanation; may change.' }),
        details: z.record(z.string(), z.unknown()).meta({
          description: 'Facts about this failure, per code in docs/api/errors.md; often empty.',
        }),
      })
      .meta({ description: 'What failed.' }),
  })
  .meta({ description: 'Every error has this shape.' });

export type ErrorResponse = z.infer<typeof errorResponseSchema>;

function errorBody(error: AppError): ErrorResponse {
  return { error: { code: error.code, message: error.message, details: error.details ?? {} } };
}

export interface FieldProblem {
  /** Where the field is: body, querystring, params or headers. */
  in: string;
  /** Dotted path inside it, e.g. `transfers.0.amount`; empty for the whole part. */
  path: string;
  issue: string;
}

/** Classify anything thrown while handling a request. Unknown errors become INTERNAL. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof LedgerOverloadedError) return new AppError('OVERLOADED', { cause: error });
  if (error instanceof LedgerClosedError) return new AppError('SERVICE_UNAVAILABLE', { cause: error });
  // A failover (ADR 0027): retryable, and a retry with the same Idempotency-Key resumes safely.
  if (error instanceof LedgerUnavailableError || isUnavailable(error)) {
    return new AppError('SERVICE_UNAVAILABLE', {
      message: 'The database is unavailable (failing over?); retry shortly with the same Idempotency-Key.',
      details: { reason: 'databaseUnavailable' },
      retryAfterSeconds: 2,
      cause: error,
    });
  }
  if (isFastifyClientError(error)) return fromFastifyClientError(error);
  return new AppError('INTERNAL', { cause: error });
}

/** Fastify's client errors with a code of their own; any other 4xx is BAD_REQUEST. */
const FASTIFY_STATUS_CODES = new Map<number, ErrorCode>([
  [404, 'NOT_FOUND'],
  [413, 'PAYLOAD_TOO_LARGE'],
  [415, 'UNSUPPORTED_MEDIA_TYPE'],
]);

function fromFastifyClientError(error: FastifyError): AppError {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const location = error.validationContext ?? 'body';
    const fields: FieldProblem[] = error.validation.map((problem) => ({
      in: location,
      path: problem.instancePath.split('/').filter(Boolean).join('.'),
      issue: problem.message ?? 'is invalid',
    }));
    return new AppError('VALIDATION_FAILED', { details: { fields }, cause: error });
  }
  const code = FASTIFY_STATUS_CODES.get(error.statusCode ?? 400);
  if (code) return new AppError(code, { cause: error });
  // Fastify's own client-error messages describe the request, never the server: safe to show.
  return new AppError('BAD_REQUEST', { details: { reason: error.message }, cause: error });
}

/** Only Fastify's own 4xx errors are trusted to carry a client-facing status. */
function isFastifyClientError(error: unknown): error is FastifyError {
  if (!(error instanceof Error)) return false;
  const { code, statusCode } = error as Partial<FastifyError>;
  return (
    typeof code === 'string' &&
    code.startsWith('FST_') &&
    typeof statusCode === 'number' &&
    statusCode >= 400 &&
    statusCode < 500
  );
}

export function sendError(reply: FastifyReply, error: AppError): FastifyReply {
  const mapping = ERRORS[error.code];
  const retryAfterSeconds = error.retryAfterSeconds ?? mapping.retryAfterSeconds;
  if (retryAfterSeconds !== undefined) reply.header('retry-after', String(Math.ceil(retryAfterSeconds)));
  if (mapping.status === 401) reply.header('www-authenticate', 'Bearer');
  return reply.code(mapping.status).send(errorBody(error));
}

/** Error and not-found handlers that answer every failure in the standard shape. */
export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const appError = toAppError(error);
    if (appError.code === 'INTERNAL') {
      // The client sees only the request id; the cause stays in the log.
      request.log.error({ err: error }, 'request failed');
      return sendError(reply, new AppError('INTERNAL', { details: { requestId: request.id }, cause: error }));
    }
    request.log.info({ code: appError.code }, 'request rejected');
    return sendError(reply, appError);
  });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) =>
    sendError(
      reply,
      new AppError('NOT_FOUND', { message: `No route ${request.method} ${routePath(request.url)}.` }),
    ),
  );
}

const MAX_ECHOED_PATH_LENGTH = 200;

function routePath(url: string): string {
  return (url.split('?')[0] ?? '').slice(0, MAX_ECHOED_PATH_LENGTH);
}
