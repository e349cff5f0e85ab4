import { derivedId } from '@qianbao/ledger';
import type { Ledger } from '@qianbao/ledger';

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
export const BANK_SETTLEMENT_ACCOUNT_CODE = 900;
export const FEE_INCOME_ACCOUNT_CODE = 910;

export const FundingTransferCodes = {
  topUp: 300,
  withdrawal: 301,
  withdrawalFee: 302,
  bankTransfer: 303,
  bankTransferFee: 304,
} as const;

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
      code: BANK_SETTLEMENT_ACCOUNT_CODE,
      ownerRef: 'system:bank-settlement',
    },
    {
      id: feeIncomeAccountId(currency),
      currency,
      code: FEE_INCOME_ACCOUNT_CODE,
      ownerRef: 'system:fee-income',
    },
  ]);
  for (const { id, result } of results) {
    if (result !== 'ok' && result !== 'exists')
      throw new Error(`system account ${id} could not be made: ${result}`);
  }
}
