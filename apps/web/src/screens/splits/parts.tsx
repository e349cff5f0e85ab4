/** Pieces the split bill screens share: refusals in words, labels, the entry icon. */
import type { MoneyJson } from '@qianbao/money';
import { ApiError } from '../../api/client.ts';
import type { Split, SplitShare } from '../../api/splits.ts';
import { icon } from '../../components/icons.tsx';
import { moneyErrorMessage } from '../../components/money/errors.ts';
import i18n from '../../i18n/index.ts';
import { formatDateTime, formatMoney } from '../../lib/format.ts';
import { MoneyError } from '../money/parts.tsx';
import './splits.css';

/** Home's grid: a bill cut in parts. */
export const SplitIcon = icon(
  <>
    <rect x="4" y="3" width="16" height="18" rx="2" />
    <path d="M12 3v18M4 12h16" />
  </>,
);

function asMoney(value: unknown): MoneyJson | null {
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return { amount: value, currency: 'CNY' };
  if (typeof value === 'object' && value !== null) {
    const { amount, currency } = value as { amount?: unknown; currency?: unknown };
    if (typeof amount === 'string' && typeof currency === 'string') return { amount, currency };
  }
  return null;
}

const money = (value: unknown): string | null => {
  const parsed = asMoney(value);
  return parsed ? formatMoney(parsed, i18n.language) : null;
};

const abs = (value: MoneyJson): MoneyJson => ({
  amount: value.amount.replace(/^-/, ''),
  currency: value.currency,
});

/** The splits' refusals in words, with the numbers their details carry; else as money errors. */
export function splitErrorMessage(error: unknown): string {
  if (!(error instanceof ApiError)) return moneyErrorMessage(error);
  const { details, code } = error;
  const plain = () => i18n.t(`errors.${code}`);
  switch (code) {
    case 'SPLIT_TOTAL_TOO_LARGE': {
      const max = money(details.max);
      return max ? i18n.t('errors.SPLIT_TOTAL_TOO_LARGE_max', { max }) : plain();
    }
    case 'SPLIT_TOO_MANY_PEOPLE':
      return typeof details.max === 'number'
        ? i18n.t('errors.SPLIT_TOO_MANY_PEOPLE_max', { max: details.max })
        : plain();
    case 'SPLIT_TOTAL_TOO_SMALL': {
      const min = money(details.min);
      return min ? i18n.t('errors.SPLIT_TOTAL_TOO_SMALL_min', { min }) : plain();
    }
    case 'SPLIT_SHARES_MISMATCH': {
      const difference = asMoney(details.difference);
      const sum = money(details.sum);
      if (!difference || !sum) return plain();
      const short = !difference.amount.startsWith('-');
      return i18n.t(short ? 'errors.SPLIT_SHARES_MISMATCH_short' : 'errors.SPLIT_SHARES_MISMATCH_over', {
        sum,
        difference: formatMoney(abs(difference), i18n.language),
      });
    }
    case 'SPLIT_DUPLICATE_PARTICIPANT':
    case 'PAYEE_NOT_FOUND':
      return typeof details.phone === 'string'
        ? i18n.t(`errors.${code}_phone`, { phone: details.phone })
        : moneyErrorMessage(error);
    case 'SPLIT_SHARE_ALREADY_PAID': {
      const amount = money(details.amount);
      return amount ? i18n.t('errors.SPLIT_SHARE_ALREADY_PAID_amount', { amount }) : plain();
    }
    case 'SPLIT_REMINDER_TOO_SOON':
      return typeof details.nextReminderAt === 'string'
        ? i18n.t('errors.SPLIT_REMINDER_TOO_SOON_at', {
            time: formatDateTime(details.nextReminderAt, i18n.language),
          })
        : plain();
    default:
      return moneyErrorMessage(error);
  }
}

/** A refusal shown on a split screen: its own codes here, the payments' through MoneyError. */
export function SplitError(props: { error: unknown }) {
  if (!props.error) return null;
  const code = props.error instanceof ApiError ? props.error.code : '';
  const ours =
    /^(SPLIT_|CANNOT_PAY_OWN_SPLIT)/.test(code) ||
    (code === 'PAYEE_NOT_FOUND' && props.error instanceof ApiError && 'phone' in props.error.details);
  if (ours) {
    return (
      <div className="form-error money-error" role="alert">
        <span>{splitErrorMessage(props.error)}</span>
      </div>
    );
  }
  return <MoneyError error={props.error} />;
}

export function statusLabel(split: Pick<Split, 'status'>): string {
  const key = { open: 'statusOpen', completed: 'statusCompleted', closed: 'statusClosed' }[split.status];
  return i18n.t(`splits.${key}`);
}

export function shareStateLabel(share: Pick<SplitShare, 'state'>): string {
  return i18n.t(`splits.state.${share.state}`);
}
