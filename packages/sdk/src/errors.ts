/**
 * The errors the SDK throws. Every failed call is a `QianbaoError`: the server's answer
 * `{"error": {"code", "message", "details"}}` (docs/api/errors.md) with its status and request id,
 * or — status 0 — a `QianbaoConnectionError` when no answer came (refused, dropped, timed out).
 */

export interface QianbaoErrorInit {
  status: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
  requestId?: string | null;
  retryAfterSeconds?: number | null;
  cause?: unknown;
}

export class QianbaoError extends Error {
  override readonly name: string = 'QianbaoError';
  /** The HTTP status; 0 when no answer came. */
  readonly status: number;
  /** The stable error code (`ORDER_NOT_FOUND`, `RATE_LIMITED` …): branch on this, not on `message`. */
  readonly code: string;
  /** The error's details (`details.remaining`, `details.fields` …); `{}` when it has none. */
  readonly details: Record<string, unknown>;
  /** The server's `x-request-id` of the answer: quote it when asking about a request. */
  readonly requestId: string | null;
  /** `Retry-After` of the answer, in seconds, when it had one. */
  readonly retryAfterSeconds: number | null;

  constructor(init: QianbaoErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? {};
    this.requestId = init.requestId ?? null;
    this.retryAfterSeconds = init.retryAfterSeconds ?? null;
  }
}

/** No answer: the connection failed or was dropped (`CONNECTION_FAILED`), or the attempt timed out (`TIMEOUT`). */
export class QianbaoConnectionError extends QianbaoError {
  override readonly name: string = 'QianbaoConnectionError';

  constructor(code: 'CONNECTION_FAILED' | 'TIMEOUT', message: string, cause?: unknown) {
    super({ status: 0, code, message, cause });
  }
}

/** A webhook whose signature does not verify, whose timestamp is outside the tolerance, or that lacks its headers. */
export class WebhookVerificationError extends Error {
  override readonly name: string = 'WebhookVerificationError';
}
