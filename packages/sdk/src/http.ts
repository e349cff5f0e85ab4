/**
 * One request of the SDK, with its retries. What is retried, and only when the request is safe
 * to send again — a GET, or a POST carrying an `Idempotency-Key` (every POST of the SDK does, the
 * same key on each of its attempts):
 *
 *   - no answer: a refused or dropped connection, or the attempt's timeout;
 *   - 429 (after `Retry-After`), 5xx, and the 409s that say "the same request is still running"
 *     (`IDEMPOTENCY_REQUEST_IN_FLIGHT`, `WEBHOOK_DELIVERY_IN_PROGRESS`).
 *
 * Nothing else: any other 4xx is the answer, and retrying it would only repeat it. Between
 * attempts the client waits `Retry-After` when the answer gives one (no retry when it asks for
 * longer than `maxRetryAfterSeconds`), else an exponential backoff with jitter.
 */
import { QianbaoConnectionError, QianbaoError } from './errors.ts';

export const SDK_VERSION = '0.1.0';
/** The version of the API this SDK was written against, sent as `Qianbao-Version`. */
export const API_VERSION = '2026-12-07';

export const DEFAULT_MAX_RETRIES = 2;
/** A bound on retries, whatever the caller asks. */
export const MAX_RETRIES_LIMIT = 10;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_RETRY_AFTER_SECONDS = 60;
const INITIAL_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 8_000;

/** 409 codes meaning the same request is running right now: the same request again will get its answer. */
const RETRYABLE_CONFLICTS: ReadonlySet<string> = new Set([
  'IDEMPOTENCY_REQUEST_IN_FLIGHT',
  'WEBHOOK_DELIVERY_IN_PROGRESS',
]);

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface TransportOptions {
  apiKey: string;
  baseUrl: string;
  fetch: FetchLike;
  maxRetries: number;
  timeoutMs: number;
  apiVersion: string;
  maxRetryAfterSeconds: number;
  /** A partner's key acting for a merchant that granted it access: sent as `Qianbao-Merchant`. */
  merchant?: string;
}

/** Options of any one call. */
export interface RequestOptions {
  /** Aborts the call, its retries and its waits. */
  signal?: AbortSignal;
  /** This call's timeout per attempt (else the client's). */
  timeoutMs?: number;
  /** This call's retries (else the client's). */
  maxRetries?: number;
}

/** Options of a POST: its idempotency key (else a random UUID, the same for all its attempts). */
export interface PostOptions extends RequestOptions {
  idempotencyKey?: string;
}

export type ResponseKind = 'json' | 'text' | 'bytes';

export interface Call {
  operation: { readonly method: string; readonly path: string };
  pathParams?: Record<string, string>;
  query?: object;
  body?: unknown;
  options?: PostOptions;
  /** How to read a 2xx answer (default JSON). */
  responseKind?: ResponseKind;
}

/** Whether an answer of `status` with error `code` may succeed if the same request is sent again. */
export function isRetryableAnswer(status: number, code: string | null): boolean {
  if (status === 429) return true;
  if (status === 409) return code !== null && RETRYABLE_CONFLICTS.has(code);
  return status >= 500 && status !== 501 && status !== 505;
}

/** `Retry-After` in seconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterSecondsOf(header: string | null, nowMs = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/** The wait before retry `attempt` (0 for the first retry): exponential, with jitter in its upper half. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, INITIAL_BACKOFF_MS * 2 ** attempt);
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/** The URL path of an operation: `{name}` replaced by its (encoded) parameter. */
export function expandPath(template: string, params: Record<string, string> = {}): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === '') throw new TypeError(`the path parameter ${name} is required`);
    return encodeURIComponent(value);
  });
}

function queryString(query: object | undefined): string {
  if (!query) return '';
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    search.append(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

type Attempt =
  | { kind: 'answer'; value: unknown }
  | { kind: 'error'; error: QianbaoError; retryable: boolean; retryAfterSeconds: number | null };

export class Transport {
  constructor(private readonly settings: TransportOptions) {}

  async send<T>(call: Call): Promise<T> {
    const { operation, options = {} } = call;
    const method = operation.method.toUpperCase();
    const url = this.settings.baseUrl + expandPath(operation.path, call.pathParams) + queryString(call.query);
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.settings.apiKey}`,
      accept: call.responseKind === 'json' || !call.responseKind ? 'application/json' : '*/*',
      'qianbao-version': this.settings.apiVersion,
      'user-agent': `qianbao-sdk-typescript/${SDK_VERSION}`,
      ...(this.settings.merchant ? { 'qianbao-merchant': this.settings.merchant } : {}),
    };
    let body: string | undefined;
    if (method === 'POST') {
      headers['idempotency-key'] = options.idempotencyKey ?? globalThis.crypto.randomUUID();
      body = JSON.stringify(call.body ?? {});
      headers['content-type'] = 'application/json';
    }
    // Safe to send again: a GET reads; a POST with its key is answered once (or is idempotent by
    // the merchant's own order or refund number, which the same body repeats).
    const safe = method === 'GET' || headers['idempotency-key'] !== undefined;
    const maxRetries = Math.min(
      MAX_RETRIES_LIMIT,
      Math.max(0, Math.floor(options.maxRetries ?? this.settings.maxRetries)),
    );
    const timeoutMs = options.timeoutMs ?? this.settings.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt({ method, url, headers, body, timeoutMs, call });
      if (outcome.kind === 'answer') return outcome.value as T;
      const { error } = outcome;
      const wait =
        outcome.retryAfterSeconds === null
          ? backoffMs(attempt)
          : outcome.retryAfterSeconds <= this.settings.maxRetryAfterSeconds
            ? outcome.retryAfterSeconds * 1000 + Math.round(Math.random() * 100)
            : null;
      if (!safe || !outcome.retryable || attempt >= maxRetries || wait === null) throw error;
      await sleep(wait, options.signal);
    }
  }

  private async attempt(input: {
    method: string;
    url: string;
    headers: Record<string, string>;
    body: string | undefined;
    timeoutMs: number;
    call: Call;
  }): Promise<Attempt> {
    const callerSignal = input.call.options?.signal;
    const timeout = AbortSignal.timeout(input.timeoutMs);
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
    let response: Response;
    let text: string | null = null;
    let bytes: Uint8Array | null = null;
    try {
      response = await this.settings.fetch(input.url, {
        method: input.method,
        headers: input.headers,
        ...(input.body === undefined ? {} : { body: input.body }),
        signal,
      });
      // The body is part of the answer: a connection dropped while it arrives is no answer.
      if (response.ok && input.call.responseKind === 'bytes') {
        bytes = new Uint8Array(await response.arrayBuffer());
      } else if (response.ok && input.call.responseKind === 'text') {
        // As served, byte order mark included (a CSV keeps it for Excel); `text()` would drop it.
        text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await response.arrayBuffer());
      } else {
        text = await response.text();
      }
    } catch (cause) {
      if (callerSignal?.aborted) throw callerSignal.reason;
      const timedOut = timeout.aborted;
      return {
        kind: 'error',
        error: new QianbaoConnectionError(
          timedOut ? 'TIMEOUT' : 'CONNECTION_FAILED',
          timedOut
            ? `${input.method} ${input.url}: no answer within ${input.timeoutMs} ms`
            : `${input.method} ${input.url}: ${cause instanceof Error ? cause.message : String(cause)}`,
          cause,
        ),
        retryable: true,
        retryAfterSeconds: null,
      };
    }
    const requestId = response.headers.get('x-request-id');
    if (response.ok) {
      if (bytes !== null) return { kind: 'answer', value: bytes };
      if (input.call.responseKind === 'text') return { kind: 'answer', value: text };
      if (response.status === 204 || text === '') return { kind: 'answer', value: null };
      try {
        return { kind: 'answer', value: JSON.parse(text!) as unknown };
      } catch (cause) {
        throw new QianbaoError({
          status: response.status,
          code: 'UNEXPECTED_RESPONSE',
          message: `${input.method} ${input.url} answered ${response.status} with a body that is not JSON`,
          requestId,
          cause,
        });
      }
    }
    const retryAfterSeconds = retryAfterSecondsOf(response.headers.get('retry-after'));
    const error = errorOf(response.status, text ?? '', requestId, retryAfterSeconds);
    return {
      kind: 'error',
      error,
      retryable: isRetryableAnswer(response.status, error.code),
      retryAfterSeconds,
    };
  }
}

/** The error of a non-2xx answer: its standard body when it has one (a proxy's page has not). */
function errorOf(
  status: number,
  text: string,
  requestId: string | null,
  retryAfterSeconds: number | null,
): QianbaoError {
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: described below.
  }
  const error = parsed !== null && typeof parsed === 'object' && 'error' in parsed ? parsed.error : null;
  if (error !== null && typeof error === 'object' && typeof (error as { code?: unknown }).code === 'string') {
    const { code, message, details } = error as { code: string; message?: unknown; details?: unknown };
    return new QianbaoError({
      status,
      code,
      message: typeof message === 'string' ? message : code,
      details:
        details !== null && typeof details === 'object' && !Array.isArray(details)
          ? (details as Record<string, unknown>)
          : {},
      requestId,
      retryAfterSeconds,
    });
  }
  return new QianbaoError({
    status,
    code: 'UNEXPECTED_RESPONSE',
    message: `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`,
    requestId,
    retryAfterSeconds,
  });
}
