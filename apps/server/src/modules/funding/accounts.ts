import { derivedId } from '@qianbao/ledger';
import type { Ledger } from '@qianbao/ledger';
import { AccountCodes } from '../../platform/codes.ts';

/**
 * The system ledger accounts behind top-ups and withdrawals, made idempotently at start-up with
 * ids derived from their names (every instance derives the same ones). Other modules that move
 * money to or from the bank use the same settlement account; transfers to a bank account are
 * made by this module too (kind `bank_transfer`).
 *
 * - bank settlement (asset, debit-normal): mirrors the wallet's account at the bank. A top-up
 *   debits it (money arrived at the bank) and credits the wallet; a withdrawal the reverse.
 * - fee income (credit-normal): fees charged to holders.
 */

export function bankSettlementAccountId(currency: string): string {
  return derivedId(`qianbao:system-account:bank-settlement:${currency}`);
}

export function feeIncomeAccountId(currency: string): string {
  return derivedId(`qianbao:system-account:fee-income:${currency}`);
}

export async function ensureFundingAccounts(
  ledger: Pick<Ledger, 'createAccounts'>,
  currency = 'CNY',
): Promise<void> {
  const results = await ledger.createAccounts([
    {
      id: bankSettlementAccountId(currency),
      currency,
      code: AccountCodes.bankSettlement,
      ownerRef: 'system:bank-settlement',
    },
    {
      id: feeIncomeAccountId(currency),
      currency,
      code: AccountCodes.feeIncome,
      ownerRef: 'system:fee-income',
    },
  ]);
  for (const { id, result } of results) {
    if (result !== 'ok' && result !== 'exists')
      throw new Error(`system account ${id} could not be made: ${result}`);
  }
}
