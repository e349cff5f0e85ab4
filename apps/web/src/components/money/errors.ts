/**
 * Money errors in words: the API's code through `errors.<CODE>` (errorMessage), with the numbers
 * the details carry where they help — which limit and how much is left, how many PIN tries
 * remain, until when payments are locked.
 */
import type { MoneyJson } from '@qianbao/money';
import { ApiError, errorMessage } from '../../api/client.ts';
import i18n from '../../i18n/index.ts';
import { formatDateTime, formatMoney } from '../../lib/format.ts';

function asMoney(value: unknown): MoneyJson | null {
  if (typeof value === 'string' && /^\d+$/.test(value)) return { amount: value, currency: 'CNY' };
  if (typeof value === 'object' && value !== null) {
    const { amount, currency } = value as { amount?: unknown; currency?: unknown };
    if (typeof amount === 'string' && typeof currency === 'string') return { amount, currency };
  }
  return null;
}

export function moneyErrorMessage(error: unknown): string {
  if (!(error instanceof ApiError)) return errorMessage(error);
  const { details } = error;
  const language = i18n.language;
  switch (error.code) {
    case 'LIMIT_EXCEEDED': {
      // The name as it reads inside a sentence ("Over the daily limit"), not the row label.
      const limitKey = `money.limitNames.${String(details.limit)}`;
      const limit = i18n.exists(limitKey) ? i18n.t(limitKey) : i18n.t('errors.LIMIT_EXCEEDED');
      const single = details.limit === 'single' ? asMoney(details.max) : null;
      // What is "left" of a per-payment limit is the limit itself: say the most one payment may be.
      if (single)
        return i18n.t('money.transferPage.refusedSingle', { amount: formatMoney(single, language) });
      const remaining = asMoney(details.remaining);
      if (remaining) {
        return i18n.t('errors.LIMIT_EXCEEDED_detail', { limit, remaining: formatMoney(remaining, language) });
      }
      const max = asMoney(details.max);
      if (max) return i18n.t('errors.LIMIT_EXCEEDED_max', { limit, max: formatMoney(max, language) });
      return i18n.t('errors.LIMIT_EXCEEDED');
    }
    case 'INSUFFICIENT_FUNDS': {
      const available = asMoney(details.available);
      if (available) {
        return i18n.t('errors.INSUFFICIENT_FUNDS_available', { available: formatMoney(available, language) });
      }
      return errorMessage(error);
    }
    case 'PAYEE_BALANCE_CAP_EXCEEDED': {
      // A top-up past one's own wallet cap; another holder's room is never told.
      const cap = asMoney(details.cap);
      const remaining = asMoney(details.remaining);
      if (details.own === true && cap && remaining) {
        return i18n.t('errors.PAYEE_BALANCE_CAP_EXCEEDED_own', {
          cap: formatMoney(cap, language),
          remaining: formatMoney(remaining, language),
        });
      }
      return errorMessage(error);
    }
    case 'PIN_INCORRECT': {
      const left = details.attemptsRemaining;
      if (typeof left === 'number') return i18n.t('money.confirm.attemptsLeft', { count: left });
      return errorMessage(error);
    }
    case 'PAYMENTS_LOCKED': {
      if (typeof details.until === 'string') {
        return i18n.t('errors.PAYMENTS_LOCKED_until', { time: formatDateTime(details.until, language) });
      }
      return errorMessage(error);
    }
    default:
      return errorMessage(error);
  }
}
