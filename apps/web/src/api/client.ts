/**
 * The one way the app talks to the API: JSON in and out, the session cookie (`qb_session`,
 * HttpOnly, set by the server) sent along, and every failure turned into an `ApiError` that
 * carries the API's stable code.
 */
import i18n from '../i18n/index.ts';

/** Codes the client makes itself, for failures that never reached the API. */
export type ClientErrorCode = 'NETWORK_ERROR' | 'NETWORK_OFFLINE' | 'BAD_RESPONSE';

export class ApiError extends Error {
  readonly status: number;
  /** The API's stable code (`INVALID_CREDENTIALS` …) or one of `ClientErrorCode`. */
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(options: { status: number; code: string; message: string; details?: Record<string, unknown> }) {
    super(options.message);
    this.name = 'ApiError';
    this.status = options.status;
    this.code = options.code;
    this.details = options.details ?? {};
  }
}

export function isApiError(error: unknown, code?: string): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}

/**
 * What to show a person for a failed call: the translation of `errors.<CODE>_<reason>` (a code
 * whose `details.reason` or `details.problem` says more, like WEAK_PASSWORD) or `errors.<CODE>`,
 * else the server's own message (in English), else a generic line.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const keys: string[] = [];
    // `details.reason` (WEAK_PASSWORD, PIN_TOO_SIMPLE) or `details.problem` (INVALID_ID_NUMBER).
    for (const detail of [error.details.reason, error.details.problem]) {
      if (typeof detail === 'string') keys.push(`errors.${error.code}_${detail}`);
    }
    keys.push(`errors.${error.code}`);
    const key = keys.find((candidate) => i18n.exists(candidate));
    if (key) return i18n.t(key);
    if (error.message) return error.message;
  }
  return i18n.t('errors.UNKNOWN');
}

type UnauthorizedListener = () => void;
let onUnauthorized: UnauthorizedListener | undefined;

/** The app decides what a 401 means (back to sign-in); the client only reports it. */
export function setUnauthorizedListener(listener: UnauthorizedListener | undefined): void {
  onUnauthorized = listener;
}

export interface RequestOptions {
  body?: unknown;
  /**
   * False for calls where a 401 is an ordinary answer (a wrong password at sign-in, signing out
   * a session that has already ended): they must not send the person back to the sign-in screen.
   */
  reportUnauthorized?: boolean;
  /** Extra request headers, e.g. `Idempotency-Key` on money-moving POSTs. */
  headers?: Record<string, string>;
}

const REQUEST_TIMEOUT_MS = 20_000;

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  // A FormData body (file uploads) sets its own multipart content type and boundary.
  const multipart = options.body instanceof FormData;
  if (options.body !== undefined && !multipart) headers['content-type'] = 'application/json';
  if (options.headers) Object.assign(headers, options.headers);
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body:
        options.body === undefined
          ? null
          : multipart
            ? (options.body as FormData)
            : JSON.stringify(options.body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch {
    throw new ApiError({
      status: 0,
      code: navigator.onLine ? 'NETWORK_ERROR' : 'NETWORK_OFFLINE',
      message: 'The server could not be reached.',
    });
  }
  const body = await readJson(response);
  if (response.ok) return body as T;

  const error = toApiError(response.status, body);
  if (response.status === 401 && options.reportUnauthorized !== false) onUnauthorized?.();
  throw error;
}

async function readJson(response: Response): Promise<unknown> {
  if (response.status === 204) return undefined;
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    if (!response.ok) return undefined;
    throw new ApiError({
      status: response.status,
      code: 'BAD_RESPONSE',
      message: 'The answer was not JSON.',
    });
  }
}

function toApiError(status: number, body: unknown): ApiError {
  const error = (body as { error?: unknown } | undefined)?.error;
  if (typeof error === 'object' && error !== null) {
    const { code, message, details } = error as { code?: unknown; message?: unknown; details?: unknown };
    if (typeof code === 'string') {
      return new ApiError({
        status,
        code,
        message: typeof message === 'string' ? message : '',
        details: typeof details === 'object' && details !== null ? (details as Record<string, unknown>) : {},
      });
    }
  }
  return new ApiError({ status, code: status >= 500 ? 'INTERNAL' : 'BAD_RESPONSE', message: '' });
}

export const api = {
  get: <T>(path: string, options?: Omit<RequestOptions, 'body'>) => request<T>('GET', path, options),
  post: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'body'>) =>
    request<T>('POST', path, { ...options, body: body ?? {} }),
  patch: <T>(path: string, body: unknown, options?: Omit<RequestOptions, 'body'>) =>
    request<T>('PATCH', path, { ...options, body }),
  put: <T>(path: string, body: unknown, options?: Omit<RequestOptions, 'body'>) =>
    request<T>('PUT', path, { ...options, body }),
  delete: <T>(path: string, options?: Omit<RequestOptions, 'body'>) => request<T>('DELETE', path, options),
  /** multipart/form-data: files. */
  upload: <T>(path: string, form: FormData, options?: Omit<RequestOptions, 'body'>) =>
    request<T>('POST', path, { ...options, body: form }),
};
