/**
 * How the 配置 page reads and writes each setting's value (server: modules/approvals/plan.ts):
 * amounts travel as strings of fen and are typed in yuan; rates are whole basis points.
 */
import { parseDecimal } from '@qianbao/money';
import type { TFunction } from 'i18next';
import { formatMoney } from '../../lib/format.ts';

export type SettingFamily =
  'tier_limits' | 'password_free' | 'withdrawal_fee' | 'bank_transfer_fee' | 'merchant_rate';

/** A field of a setting's value, in the order the form shows it. */
export interface SettingField {
  name: string;
  type: 'amount' | 'limit' | 'basisPoints' | 'flag';
}

export const FIELDS: Record<SettingFamily, SettingField[]> = {
  tier_limits: [
    { name: 'singlePayment', type: 'limit' },
    { name: 'daily', type: 'limit' },
    { name: 'yearly', type: 'limit' },
    { name: 'balanceCap', type: 'limit' },
    { name: 'mayWithdraw', type: 'flag' },
    { name: 'maySendAbroad', type: 'flag' },
  ],
  password_free: [
    { name: 'maxPerPayment', type: 'amount' },
    { name: 'dailyMax', type: 'amount' },
  ],
  withdrawal_fee: [
    { name: 'freeMonthly', type: 'amount' },
    { name: 'basisPoints', type: 'basisPoints' },
    { name: 'minimum', type: 'amount' },
  ],
  bank_transfer_fee: [
    { name: 'basisPoints', type: 'basisPoints' },
    { name: 'minimum', type: 'amount' },
    { name: 'maximum', type: 'amount' },
  ],
  merchant_rate: [{ name: 'basisPoints', type: 'basisPoints' }],
};

export function familyOf(setting: string): SettingFamily {
  const head = setting.split('.')[0] ?? '';
  return (head in FIELDS ? head : 'merchant_rate') as SettingFamily;
}

/** "tier_limits.T1" → "T1 限额"; "merchant_rate.mcc.5812" → "商户费率 · 行业 5812". */
export function settingName(setting: string, t: TFunction): string {
  const parts = setting.split('.');
  const family = familyOf(setting);
  if (family === 'tier_limits') return t('console.configuration.setting.tier_limits', { tier: parts[1] });
  if (family === 'merchant_rate') {
    if (parts[1] === 'mcc') return t('console.configuration.setting.merchant_rate_mcc', { mcc: parts[2] });
    if (parts[1] === 'merchant')
      return t('console.configuration.setting.merchant_rate_merchant', { id: (parts[2] ?? '').slice(-8) });
    return t('console.configuration.setting.merchant_rate_default');
  }
  return t(`console.configuration.setting.${family}`);
}

export function fenToYuan(fen: string): string {
  const minor = BigInt(fen);
  const whole = minor / 100n;
  const cents = minor % 100n;
  return cents === 0n ? whole.toString() : `${whole}.${cents.toString().padStart(2, '0')}`;
}

/** A yuan amount typed by the operator → fen, or null when it is not one. */
export function yuanToFen(text: string): string | null {
  try {
    const fen = parseDecimal(text.trim(), 'CNY');
    return fen < 0n ? null : fen.toString();
  } catch {
    return null;
  }
}

/** One field of a value, for people: "¥500.00", "不限", "0.38%", "是". */
export function fieldText(field: SettingField, value: unknown, t: TFunction, language: string): string {
  if (field.type === 'flag') return value ? t('console.configuration.yes') : t('console.configuration.no');
  if (field.type === 'basisPoints') {
    const bp = Number(value);
    return `${(bp / 100).toFixed(2)}% (${bp} bp)`;
  }
  if (typeof value !== 'string') return t('console.configuration.noLimit');
  return formatMoney({ amount: value, currency: 'CNY' }, language);
}

/** A whole value as label–text pairs, in the form's order. */
export function valueParts(
  setting: string,
  value: Record<string, unknown> | null,
  t: TFunction,
  language: string,
): { label: string; text: string }[] {
  if (!value) return [];
  return FIELDS[familyOf(setting)].map((field) => ({
    label: t(`console.configuration.field.${field.name}`),
    text: fieldText(field, value[field.name], t, language),
  }));
}

/** A whole value on one line: "单笔 ¥500.00 · 每日 ¥1,000.00 …". */
export function valueText(
  setting: string,
  value: Record<string, unknown> | null,
  t: TFunction,
  language: string,
) {
  if (!value) return '';
  return FIELDS[familyOf(setting)]
    .map(
      (field) =>
        `${t(`console.configuration.field.${field.name}`)} ${fieldText(field, value[field.name], t, language)}`,
    )
    .join(' · ');
}
