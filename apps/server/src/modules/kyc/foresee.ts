/**
 * What the ledger would refuse, read before the holder confirms: previews and quotes carry it
 * as a `refusal`, so a confirmation sheet never opens (and no PIN try is spent) for a payment
 * that cannot succeed. This is a reading, not the check: the ledger still enforces every rule
 * atomically when the money moves — another payment may spend the balance between the preview
 * and the PIN, and then the ledger's refusal is the answer.
 *
 * The order is the one the holder can act on: the single-payment limit (the amount alone), the
 * wallet's balance, the payee's balance cap, then the day's limit counters.
 */
import type { Ledger, TransferLimit } from '@qianbao/ledger';
import { AppError } from '../../errors.ts';
import type { ErrorCode } from '../../errors.ts';
import { shanghaiCalendar, shanghaiDay } from '../../platform/calendar.ts';
import { limitExceededError } from './limits.ts';

/** A refusal as an API error body says it: a stable code, a message, details. */
export interface Refusal {
  code: ErrorCode;
  message: string;
  details: Record<string, unknown>;
}

export function refusalOf(error: AppError): Refusal {
  return { code: error.code, message: error.message, details: error.details ?? {} };
}

/** How many of today's wallet transfers a preview reads to tell how much of the day is left. */
const MAX_TODAY_SCAN = 2000;
const TODAY_PAGE = 200;

export type ForeseeLedger = Pick<Ledger, 'getBalance' | 'listTransfers'>;

export interface ForeseeInput {
  ledger: ForeseeLedger;
  currency: string;
  /** The amount the limits count (the fee is not counted toward limits). */
  amountMinor: bigint;
  /** The tier's single-payment limit (null: none). */
  singleMinor: bigint | null;
  /** Money leaving a wallet: the wallet and all that leaves it (amount + fee). */
  debit?: { walletAccountId: string; totalMinor: bigint };
  /**
   * Money entering a wallet with a balance cap. `own`: the holder's own wallet (a top-up), whose
   * room may be shown; another holder's room is never shown (it would tell their balance).
   */
  credit?: { walletAccountId: string; capMinor: bigint | undefined; own: boolean };
  /** The limit counters the payment will carry, and the wallet whose transfers have used them today. */
  limits?: { keys: TransferLimit[]; walletAccountId: string; now: Date };
}

/** The first reason the ledger would refuse this payment, or null when it would go through now. */
export async function foreseeRefusal(input: ForeseeInput): Promise<Refusal | null> {
  const { ledger, currency, amountMinor } = input;
  if (input.singleMinor !== null && amountMinor > input.singleMinor) {
    return refusalOf(
      limitExceededError({
        key: 'single',
        maxMinor: input.singleMinor,
        remainingMinor: input.singleMinor,
        currency,
      }),
    );
  }
  const [debit, credit, used] = await Promise.all([
    input.debit ? ledger.getBalance(input.debit.walletAccountId) : null,
    input.credit && input.credit.capMinor !== undefined
      ? ledger.getBalance(input.credit.walletAccountId)
      : null,
    input.limits ? usedToday({ ledger, ...input.limits }) : new Map<string, bigint>(),
  ]);
  if (input.debit && debit && input.debit.totalMinor > debit.availableBalance) {
    const available = debit.availableBalance < 0n ? 0n : debit.availableBalance;
    return refusalOf(
      new AppError('INSUFFICIENT_FUNDS', {
        details: { available: { amount: available.toString(), currency } },
      }),
    );
  }
  const cap = input.credit?.capMinor;
  if (input.credit && credit && cap !== undefined) {
    // As the ledger counts it: pending credits count toward the cap, pending debits do not free it.
    const upper = credit.creditsPosted + credit.creditsPending - credit.debitsPosted;
    if (upper + amountMinor > cap) {
      const room = cap > upper ? cap - upper : 0n;
      return refusalOf(
        new AppError(
          'PAYEE_BALANCE_CAP_EXCEEDED',
          input.credit.own
            ? {
                message: 'Your wallet would hold more than your tier allows',
                details: {
                  own: true,
                  cap: { amount: cap.toString(), currency },
                  remaining: { amount: room.toString(), currency },
                },
              }
            : { details: {} },
        ),
      );
    }
  }
  for (const limit of input.limits?.keys ?? []) {
    const spent = used.get(limit.key);
    if (spent === undefined) continue; // not read (a yearly counter, or too much to read)
    if (spent + amountMinor > limit.max) {
      const remaining = limit.max > spent ? limit.max - spent : 0n;
      return refusalOf(
        limitExceededError({ key: limit.key, maxMinor: limit.max, remainingMinor: remaining, currency }),
      );
    }
  }
  return null;
}

/**
 * How much of each of today's limit keys the wallet's transfers have used (Asia/Shanghai day).
 * Keys of other periods are left out (unknown), and so is everything when the day holds more
 * transfers than a preview reads. Holds count, voided or not, exactly as the ledger's counters do.
 */
export async function usedToday(input: {
  ledger: Pick<Ledger, 'listTransfers'>;
  walletAccountId: string;
  keys: TransferLimit[];
  now: Date;
}): Promise<Map<string, bigint>> {
  const { day } = shanghaiCalendar(input.now);
  const dailyKeys = new Set(input.keys.map((limit) => limit.key).filter((key) => key.includes(day)));
  const used = new Map<string, bigint>([...dailyKeys].map((key) => [key, 0n]));
  if (dailyKeys.size === 0) return used;
  const startMicros = BigInt(shanghaiDay(day).from.getTime()) * 1000n;
  let cursor: string | null = null;
  let scanned = 0;
  for (;;) {
    const page = await input.ledger.listTransfers(input.walletAccountId, { limit: TODAY_PAGE, cursor });
    for (const transfer of page.transfers) {
      if (transfer.timestamp < startMicros) return used;
      for (const key of transfer.limitKeys) {
        const before = used.get(key);
        if (before !== undefined) used.set(key, before + transfer.amount);
      }
    }
    scanned += page.transfers.length;
    if (!page.nextCursor) return used;
    if (scanned >= MAX_TODAY_SCAN) return new Map(); // unknown: too many to read for a preview
    cursor = page.nextCursor;
  }
}
