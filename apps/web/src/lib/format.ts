import { formatMoney as formatMoneyValue, fromJson } from '@qianbao/money';
import type { MoneyJson } from '@qianbao/money';

export const UNKNOWN = '—';

/**
 * `{"amount": "123456", "currency": "CNY"}` → "¥1,234.56". Exact: the amount stays a string of
 * integer minor units (then a bigint) all the way; it never becomes a floating-point number.
 * Anything unreadable shows as "—" rather than a wrong figure.
 */
export function formatMoney(value: MoneyJson | null | undefined, language: string): string {
  if (!value) return UNKNOWN;
  try {
    return formatMoneyValue(fromJson(value), { locale: language.startsWith('zh') ? 'zh-CN' : 'en-US' });
  } catch {
    return UNKNOWN;
  }
}

/** "2025-11-21 14:05" in the reader's language; "—" when the server did not say. */
export function formatDateTime(iso: string | undefined, language: string): string {
  if (!iso) return UNKNOWN;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return UNKNOWN;
  return new Intl.DateTimeFormat(language, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(date);
}

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
