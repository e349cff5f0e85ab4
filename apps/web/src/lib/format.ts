import { formatMoney as formatMoneyValue, fromJson } from '@qianbao/money';
import type { MoneyJson } from '@qianbao/money';

export const UNKNOWN = '—';

/**
 * `{"amount": "123456", "currency": "CNY"}` → "¥1,234.56", in every language. Exact: the amount
 * stays a string of integer minor units (then a bigint) all the way; it never becomes a
 * floating-point number. Anything unreadable shows as "—" rather than a wrong figure.
 *
 * The symbols are the wallet's home market's (mainland China) whatever the reading language:
 * yuan is "¥" on every screen and in every input, as people here write it, and other currencies
 * get a prefix ("US$", "JP¥"). English CLDR would print "CN¥" beside a "¥" input. Digits and
 * separators are the same in both languages.
 */
export function formatMoney(value: MoneyJson | null | undefined, _language: string): string {
  if (!value) return UNKNOWN;
  try {
    return formatMoneyValue(fromJson(value), { locale: 'zh-CN' });
  } catch {
    return UNKNOWN;
  }
}

/**
 * "2025-11-21 14:05" (ISO order, 24-hour clock, the device's time zone) in every language: no
 * reader can take 05/12 for 12 May or 5 December. "—" when the server did not say.
 */
export function formatDateTime(iso: string | undefined, _language?: string): string {
  if (!iso) return UNKNOWN;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return UNKNOWN;
  const parts = DATE_TIME.formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const hour = part('hour') === '24' ? '00' : part('hour');
  return `${part('year')}-${part('month')}-${part('day')} ${hour}:${part('minute')}`;
}

/** Made once (an Intl formatter is costly); numbers and order come from the parts, not the locale. */
const DATE_TIME = new Intl.DateTimeFormat('en-CA', {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** Mainland mobile numbers, as the server accepts them (domain rules §2). */
export function normalisePhone(input: string): string {
  return input.replace(/[\s-]/g, '').replace(/^(\+86|0086|86)(?=1\d{10}$)/, '');
}

export function isMainlandMobile(input: string): boolean {
  return /^1[3-9]\d{9}$/.test(normalisePhone(input));
}

export interface PasswordCheck {
  key: 'minLength' | 'notAllDigits' | 'notPhone';
  ok: boolean;
}

/**
 * The password rules a person can check while typing (the phone rule only when the number is
 * known). The server checks them again, plus the common-password list, and has the last word.
 */
export function checkPassword(password: string, phone?: string): PasswordCheck[] {
  const length = [...password].length;
  const checks: PasswordCheck[] = [
    { key: 'minLength', ok: length >= MIN_PASSWORD_LENGTH },
    { key: 'notAllDigits', ok: length > 0 && !/^\d+$/.test(password) },
  ];
  if (phone !== undefined) {
    const normalisedPhone = normalisePhone(phone);
    checks.push({
      key: 'notPhone',
      ok: length > 0 && (normalisedPhone === '' || !password.includes(normalisedPhone)),
    });
  }
  return checks;
}

const MIN_PASSWORD_LENGTH = 8;
