/**
 * When a failed webhook delivery is tried again (Standard Webhooks' recommendation, as Svix's):
 * at once, then after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h — eight attempts over about 27.5
 * hours, so an endpoint down for a day still gets it. Pure.
 */
export const RETRY_DELAYS_SECONDS = [5, 300, 1800, 7200, 18_000, 36_000, 36_000] as const;

/** Attempts in all (the first and the retries). */
export const MAX_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;

/** Seconds until the attempt after `attempts` made, or null when that was the last. */
export function nextDelaySeconds(attempts: number): number | null {
  return attempts >= 1 && attempts <= RETRY_DELAYS_SECONDS.length
    ? RETRY_DELAYS_SECONDS[attempts - 1]!
    : null;
}

/** An answer that counts as delivered: any 2xx. */
export function delivered(status: number | null): boolean {
  return status !== null && status >= 200 && status < 300;
}
