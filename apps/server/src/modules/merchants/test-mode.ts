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
 * At a till, a test key charges **test payment codes** (magic values, as Stripe's test cards): one
 * per test payer, below; any other code is TEST_MODE_PAYMENT_CODE. The code names its payer and
 * is never used up (a test till charges it as often as it likes).
 *
 * Pure: the derived ids. A twin's id, its owner's id and its test payers' ids derive from the
 * live merchant's, so any number of requests at once make one twin.
 */
import { derivedId } from '@qianbao/ledger';
import { derivedAccountId } from '../../platform/accounts.ts';

export const TEST_PAYERS = ['succeeds', 'insufficient_funds'] as const;
export type TestPayer = (typeof TEST_PAYERS)[number];

/**
 * The test payment codes, ending in the payer's outcome (`51` is ISO 8583's "insufficient funds").
 * Only a test key's till reads them so; a live till reads every code as a phone's, and these
 * match none.
 */
export const TEST_PAYMENT_CODES: Record<string, TestPayer> = {
  '289999000000000000': 'succeeds',
  '289999000000000051': 'insufficient_funds',
};

/** Whose test payment code this is; null for any other text. */
export function testPayerOfCode(code: string): TestPayer | null {
  return TEST_PAYMENT_CODES[code.replace(/\s/g, '')] ?? null;
}

/** The test payer an order's payer id names (a twin's order); null for a holder. */
export function testPayerOfUser(twinId: string, payerUserId: string): TestPayer | null {
  return TEST_PAYERS.find((payer) => testPayerUserIdOf(twinId, payer) === payerUserId) ?? null;
}

/** The stand-in payment-code secret a test payer's charges name (a charge names its code's secret). */
export function testCodeSecretIdOf(twinId: string, payer: TestPayer): string {
  return derivedId(`merchants:test-code-secret:${twinId}:${payer}`);
}

/**
 * A test charge's step: a charge's code is taken once per (secret, step), and a test code is never
 * used up, so each charge has its own, from its id (48 bits of it).
 */
export function testChargeStep(chargeId: string): number {
  return Number.parseInt(chargeId.replace(/-/g, '').slice(0, 12), 16);
}

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
