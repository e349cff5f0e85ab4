/**
 * Turns a holder's tier into what a payment must respect. The single-payment limit is checked
 * here (it depends on nothing but the amount); the daily and yearly totals and the payee's
 * balance cap become ledger limit counters and a balance cap, checked and counted inside the
 * ledger's batch together with the money — never read-then-write from here.
 */
import type { TransferLimit } from '@qianbao/ledger';
import { AppError } from '../../errors.ts';
import { shanghaiCalendar } from '../../platform/calendar.ts';
import type { TierLimits } from './tiers.ts';

/** Static merchant QR codes: at most 500.00 per payer per day, whatever the tier (PBOC rule). */
export const STATIC_QR_DAILY_MINOR = 500_00n;

export type LimitName = 'single' | 'daily' | 'yearly' | 'staticQrDaily' | 'balanceCap';

export interface PaymentLimitPlan {
  /** Present when the payment can be refused without touching the ledger (over the single limit). */
  refusal?: { limit: 'single'; maxMinor: bigint };
  /** Attach to the ledger transfer that moves the money. */
  ledgerLimits: TransferLimit[];
}

export interface PaymentLimitRequest {
  payerUserId: string;
  payerLimits: TierLimits;
  amountMinor: bigint;
  now: Date;
  /** Own wallet ↔ own bound card does not count toward the yearly limit (domain-rules §1). */
  countsTowardYear?: boolean;
  /** Paying a static merchant QR code adds the 500/day static-code counter. */
  staticMerchantQr?: boolean;
}

export function planPaymentLimits(request: PaymentLimitRequest): PaymentLimitPlan {
  const { payerLimits: limits, payerUserId: user } = request;
  if (limits.singlePaymentMinor !== null && request.amountMinor > limits.singlePaymentMinor) {
    return { refusal: { limit: 'single', maxMinor: limits.singlePaymentMinor }, ledgerLimits: [] };
  }
  const { day, year } = shanghaiCalendar(request.now);
  const ledgerLimits: TransferLimit[] = [];
  if (limits.dailyMinor !== null)
    ledgerLimits.push({ key: dailyLimitKey(user, day), max: limits.dailyMinor });
  if (limits.yearlyMinor !== null && request.countsTowardYear !== false) {
    ledgerLimits.push({ key: yearlyLimitKey(user, year), max: limits.yearlyMinor });
  }
  if (request.staticMerchantQr) {
    ledgerLimits.push({ key: `kyc:qr-static:day:${user}:${day}`, max: STATIC_QR_DAILY_MINOR });
  }
  return { ledgerLimits };
}

/** The balance cap to put on a transfer that credits this holder's wallet (undefined: none). */
export function payeeBalanceCap(limits: TierLimits): bigint | undefined {
  return limits.balanceCapMinor ?? undefined;
}

export function dailyLimitKey(userId: string, day: string): string {
  return `kyc:day:${userId}:${day}`;
}

export function yearlyLimitKey(userId: string, year: string): string {
  return `kyc:year:${userId}:${year}`;
}

/** Which limit a ledger limit key belongs to, to explain a `limitExceeded` to the holder. */
export function limitNameOfKey(key: string): LimitName | null {
  if (key.startsWith('kyc:day:')) return 'daily';
  if (key.startsWith('kyc:year:')) return 'yearly';
  if (key.startsWith('kyc:qr-static:')) return 'staticQrDaily';
  return null;
}

/**
 * The one shape of a LIMIT_EXCEEDED answer, whichever module refuses: which limit, and its max
 * and what is left as money objects (domain-rules §9). `key` is a ledger limit key or `single`.
 */
export function limitExceededError(input: {
  key: string;
  maxMinor: bigint;
  remainingMinor: bigint;
  currency?: string;
}): AppError {
  const currency = input.currency ?? 'CNY';
  const name =
    input.key === 'single'
      ? 'single'
      : (limitNameOfKey(input.key) ?? (input.key.startsWith('pwfree:') ? 'passwordFreeDaily' : 'other'));
  return new AppError('LIMIT_EXCEEDED', {
    details: {
      limit: name,
      max: { amount: input.maxMinor.toString(), currency },
      remaining: { amount: input.remainingMinor.toString(), currency },
      // The password-free allowance is spent for today: confirm with the PIN instead.
      ...(name === 'passwordFreeDaily' ? { confirmWith: 'pin' } : {}),
    },
  });
}
