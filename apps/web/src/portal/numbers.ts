/**
 * The portal's small rules about numbers, free of the DOM and the API (unit-tested in
 * numbers.test.ts): order numbers, the staff's phone numbers, the merchants' calendar, the
 * dashboard's axis.
 */
import { normalisePhone } from '../lib/format.ts';

/** What the API accepts as an order number. */
export function orderNumberValid(text: string): boolean {
  return /^[A-Za-z0-9_-]{1,25}$/.test(text);
}

/** What the API accepts as a refund number. */
export function refundNumberValid(text: string): boolean {
  return /^[A-Za-z0-9_-]{1,32}$/.test(text);
}

/** A cashier's phone number as the staff API takes it: 11 digits starting with 1 (spaces, dashes and +86 dropped). */
export function staffPhone(text: string): string | null {
  const phone = normalisePhone(text.trim());
  return /^1\d{10}$/.test(phone) ? phone : null;
}

/** Today in Asia/Shanghai (the merchants' calendar: statements, "today's orders"), YYYY-MM-DD. */
export function shanghaiToday(now = new Date()): string {
  return SHANGHAI_DATE.format(now);
}

const SHANGHAI_DATE = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/**
 * The takings axis: 0 and up to 5 steps of 1, 2 or 5 × 10ⁿ fen (¥0.01 … ¥10,000.00 …), reaching
 * the best day, worked out in bigint; an empty month gets ¥0–¥100.
 */
export function takingsTicks(days: bigint[]): number[] {
  const most = days.reduce((high, day) => (day > high ? day : high), 0n);
  const top = most > 0n ? most : 10_000n;
  let step = 1n;
  for (let scale = 1n; ; scale *= 10n) {
    const found = [1n, 2n, 5n].map((factor) => factor * scale).find((candidate) => candidate * 5n >= top);
    if (found) {
      step = found;
      break;
    }
  }
  const count = (top + step - 1n) / step;
  return Array.from({ length: Number(count) + 1 }, (_, index) => Number(step * BigInt(index)));
}
