import { describe, expect, it } from 'vitest';
import type { TransferOutcome } from '@qianbao/ledger';
import type { AppError } from '../errors.ts';
import { ledgerRefusal, primaryFailure } from './failures.ts';

function outcome(result: TransferOutcome['result'], extra: Partial<TransferOutcome> = {}): TransferOutcome {
  return { id: 't1', result, ...extra };
}

function said(error: AppError): { code: string; details: unknown } {
  return { code: error.code, details: error.details };
}

describe('what the holder is told when the ledger refuses a payment', () => {
  it('says the balance is short', () => {
    expect(said(ledgerRefusal([outcome('insufficientFunds')], { credit: 'other' }))).toEqual({
      code: 'INSUFFICIENT_FUNDS',
      details: undefined,
    });
  });

  it('names the limit, its max and what was left', () => {
    const refused = ledgerRefusal(
      [
        outcome('limitExceeded', {
          limit: { key: 'kyc:day:u1:2026-12-06', max: 1_000_000n, remaining: 2_500n },
        }),
      ],
      { credit: 'other' },
    );
    expect(said(refused)).toEqual({
      code: 'LIMIT_EXCEEDED',
      details: {
        limit: 'daily',
        max: { amount: '1000000', currency: 'CNY' },
        remaining: { amount: '2500', currency: 'CNY' },
      },
    });
  });

  it("tells how much more fits into one's own wallet, never into another holder's", () => {
    const capped = outcome('exceedsBalanceCap', { balanceCapRemaining: 700n });
    expect(said(ledgerRefusal([capped], { credit: 'own' }))).toEqual({
      code: 'PAYEE_BALANCE_CAP_EXCEEDED',
      details: { remaining: '700' },
    });
    expect(said(ledgerRefusal([capped], { credit: 'other' }))).toEqual({
      code: 'PAYEE_BALANCE_CAP_EXCEEDED',
      details: undefined,
    });
  });

  it('reads a remembered failure as what it remembers, and skips the linked echoes', () => {
    const remembered = outcome('idAlreadyFailed', { failedWith: 'insufficientFunds' });
    expect(ledgerRefusal([remembered], { credit: 'other' }).code).toBe('INSUFFICIENT_FUNDS');
    const linked = [outcome('linkedEventFailed'), outcome('insufficientFunds', { id: 't2' })];
    expect(primaryFailure(linked)?.id).toBe('t2');
    expect(ledgerRefusal(linked, { credit: 'other' }).code).toBe('INSUFFICIENT_FUNDS');
  });

  it('treats anything else as a programmer error, never as a refusal to show', () => {
    expect(() => ledgerRefusal([outcome('accountNotFound')], { credit: 'other' })).toThrow(/accountNotFound/);
    expect(() => ledgerRefusal([outcome('ok')], { credit: 'other' })).toThrow(/refused nothing/);
  });
});
