import type { Tier } from '../api/kyc.ts';
import { UNKNOWN, formatMoney } from './format.ts';

/** A tier limit in fen → "¥5,000.00"; `null` (no such limit) → the word for "no limit". */
export function formatLimit(fen: string | null, language: string, unlimited: string): string {
  if (fen === null) return unlimited;
  return formatMoney({ amount: fen, currency: 'CNY' }, language);
}

/** The same, shorter for a table: whole yuan lose their ".00" ("¥5,000"). */
export function formatLimitShort(fen: string | null, language: string, unlimited: string): string {
  const text = formatLimit(fen, language, unlimited);
  return text === UNKNOWN ? text : text.replace(/\.00$/, '');
}

export const TIERS: readonly Tier[] = ['T0', 'T1', 'T2', 'T3'];
