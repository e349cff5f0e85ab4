/**
 * Test mode (issue 14, ADR 0022), as Stripe's: a merchant's test keys act for its **test twin** —
 * a merchant row of its own (`test_of` = the live merchant), with its own orders, refunds,
 * checkouts, webhook endpoints and a balance in test money. Test money lives in ledger accounts
 * flagged `test` (platform/accounts.ts `test*` purposes), and the ledger refuses any transfer
 * between a test account and a live one (`modeMismatch`): whatever a test key does, no live
 * money moves. Test orders are paid by **test payers** — accounts of the twin, not holders —
 * from the hosted checkout's test buttons:
 *
 * - `succeeds`: pays from an account of endless test money;
 * - `insufficient_funds`: pays from an account that is always empty, so the ledger refuses it.
 *
 * Pure: the derived ids. A twin's id, its owner's id and its test payers' ids derive from the
 * live merchant's, so any number of requests at once make one twin.
 */
import { derivedId } from '@qianbao/ledger';
import { derivedAccountId } from '../../platform/accounts.ts';

export const TEST_PAYERS = ['succeeds', 'insufficient_funds'] as const;
export type TestPayer = (typeof TEST_PAYERS)[number];

/** What a test order's payer is called where a payer's name shows (order lists, statements). */
export const TEST_PAYER_DISPLAY = '测试付款人 Test payer';

/** The id of a live merchant's test twin. */
export function twinIdOf(liveMerchantId: string): string {
  return derivedId(`merchants:test-twin:${liveMerchantId}`);
}

/** The twin's owner: an id that is no holder's, so looking merchants up by owner never finds it. */
export function testOwnerIdOf(liveMerchantId: string): string {
  return derivedId(`merchants:test-owner:${liveMerchantId}`);
}

/** The payer an order paid by a test payer names (no holder has it). */
export function testPayerUserIdOf(twinId: string, payer: TestPayer): string {
  return derivedId(`merchants:test-payer:${twinId}:${payer}`);
}

/** The ledger account a test payer pays from. */
export function testPayerAccount(twinId: string, payer: TestPayer, currency: string): string {
  return derivedAccountId({
    owner: `merchant:${twinId}`,
    currency,
    purpose: payer === 'succeeds' ? 'testPayer' : 'testPayerEmpty',
  });
}
