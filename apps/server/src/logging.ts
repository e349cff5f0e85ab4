import { LogController } from 'fastify';
import type { FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { LogLevel } from './config.ts';
import { requestIdForLog } from './http/request-context.ts';
import { activeSpanContext, tracingEnabled } from './tracing.ts';

/**
 * Field names whose values never reach a log, at any of the first three levels of a logged
 * object. `code` alone is too common to hide everywhere (`err.code` carries PostgreSQL and Node
 * error codes operators need), so it is hidden where a one-time code would arrive: request
 * bodies and query strings.
 */
const SENSITIVE_FIELDS = [
  'password',
  'oldPassword',
  'newPassword',
  'currentPassword',
  // A full mobile number is personal data: log `phoneMasked` (138****8000) instead.
  'phone',
  'pin',
  'token',
  'accessToken',
  'refreshToken',
  'secret',
  'otp',
  'smsCode',
  'verificationCode',
  'cardNumber',
  'idNumber',
  'authorization',
  'cookie',
  // payment security: second factors, and WebAuthn blobs (an assertion is evidence, not log text)
  'totpCode',
  'recoveryCode',
  'recoveryCodes',
  'otpauthUri',
  'qrSvg',
  'qrDataUrl',
  'signature',
  'clientDataJSON',
  'authenticatorData',
  'attestationObject',
  'userHandle',
];

const REDACTED_PATHS = [
  ...SENSITIVE_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'body.code',
  '*.body.code',
  'query.code',
  '*.query.code',
  // A WebAuthn response nests its blobs deeper than three levels.
  'body.response',
  '*.body.response',
];

const SENSITIVE_QUERY_KEYS = new Set([...SENSITIVE_FIELDS, 'code'].map((field) => field.toLowerCase()));
const CENSOR = '[REDACTED]';

/** Where JSON log lines go (a writable stream or anything with `write`). */
export interface LogStream {
  write(line: string): void;
}

type LoggerOptions = Exclude<FastifyServerOptions['logger'], boolean | undefined> & { stream?: LogStream };

/** Options for Fastify's pino logger: JSON lines, secrets censored, request URLs scrubbed. */
export function loggerOptions(level: LogLevel, stream?: LogStream): LoggerOptions {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: CENSOR },
    mixin: requestMixin,
    serializers: {
      req: (request: FastifyRequest) => ({
        method: request.method,
        url: scrubUrl(request.url),
        remoteAddress: request.ip,
      }),
    },
    ...(stream ? { stream } : {}),
  };
}

/**
 * Fields added to every line: the id of the request the line is written for (a module's line
 * through `app.log`, a job the request queued, an event it wrote being relayed), under the same
 * key Fastify gives its request logger (which has it bound already); and, when tracing is on,
 * the trace the line belongs to. A fresh object each time: pino merges the line into it.
 */
function requestMixin(_object: object, _level: number, logger: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  const requestId = requestIdForLog(logger);
  if (requestId !== null) fields[REQUEST_ID_LOG_LABEL] = requestId;
  if (tracingEnabled()) {
    const span = activeSpanContext();
    if (span) fields['traceId'] = span.traceId;
  }
  return fields;
}

/** The key of the request id in every log line (Fastify's `requestIdLogLabel` too). */
export const REQUEST_ID_LOG_LABEL = 'requestId';

/** Replace the values of sensitive query parameters (`?token=…`) before a URL is logged. */
function scrubUrl(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart < 0) return url;
  const query = new URLSearchParams(url.slice(queryStart + 1));
  for (const key of new Set(query.keys())) {
    if (SENSITIVE_QUERY_KEYS.has(key.toLowerCase())) query.set(key, CENSOR);
  }
  return `${url.slice(0, queryStart)}?${query.toString()}`;
}

/**
 * Fastify's per-request lines ("incoming request", "request completed") at a chosen level: `debug`
 * in sandbox mode, where the server runs in a terminal and one line per request would bury the
 * start-up banner (URL, admin token, SMS outbox); `info` in production, for the log pipeline.
 * Failed requests are logged as errors either way.
 */
export class RequestLogController extends LogController {
  private readonly requestLevel: 'debug' | 'info';

  constructor(options: { requestIdLogLabel: string; requestLevel: 'debug' | 'info' }) {
    super({ requestIdLogLabel: options.requestIdLogLabel });
    this.requestLevel = options.requestLevel;
  }

  override incomingRequest(request: FastifyRequest): void {
    request.log[this.requestLevel]({ req: request }, 'incoming request');
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (error) super.requestCompleted(error, request, reply);
    else {
      // The request's one line for a log pipeline: what, where (the route pattern, not the URL),
      // how it ended, how long it took; the request id is bound to the request's logger.
      reply.log[this.requestLevel](
        {
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          res: reply,
          responseTime: reply.elapsedTime,
        },
        'request completed',
      );
    }
  }
}
