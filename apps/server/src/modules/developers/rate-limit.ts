/**
 * Rate limits per API key (ADR 0020): a fixed window of `windowSeconds`, counted in PostgreSQL
 * so that every server process shares it (store.ts `countRequest`). Pure here: which window a
 * moment is in, and what the answer says — the IETF RateLimit header fields
 * (draft-ietf-httpapi-ratelimit-headers: `RateLimit-Limit`, `RateLimit-Remaining`,
 * `RateLimit-Reset` in seconds) and, past the limit, `Retry-After`.
 */

export interface RateWindow {
  /** The window's start (a multiple of its length since the epoch). */
  start: Date;
  /** Seconds until the next window starts, at least 1. */
  resetSeconds: number;
}

export function windowOf(now: Date, windowSeconds: number): RateWindow {
  const length = windowSeconds * 1000;
  const start = Math.floor(now.getTime() / length) * length;
  return {
    start: new Date(start),
    resetSeconds: Math.max(1, Math.ceil((start + length - now.getTime()) / 1000)),
  };
}

export interface RateVerdict {
  allowed: boolean;
  headers: Record<string, string>;
}

/** `count`: this request's number in its window (1 for the first). */
export function verdictOf(input: { limit: number; count: number; window: RateWindow }): RateVerdict {
  const { limit, count, window } = input;
  const headers: Record<string, string> = {
    'ratelimit-limit': String(limit),
    'ratelimit-remaining': String(Math.max(0, limit - count)),
    'ratelimit-reset': String(window.resetSeconds),
  };
  if (count <= limit) return { allowed: true, headers };
  return { allowed: false, headers: { ...headers, 'retry-after': String(window.resetSeconds) } };
}
