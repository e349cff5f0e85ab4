/** Test helpers of the transfers and history modules. Imported by tests only. */
import { randomUUID } from 'node:crypto';
import { TransferCodes } from '../../platform/codes.ts';
import { expect } from 'vitest';
import { newId, verifyLedger } from '@qianbao/ledger';
import type { SecurityTestApp } from '../security/testing.ts';
import type { TestHolder } from '../identity/testing.ts';

export const PIN = '258036';
/** Ledger code of the test's "bank" funding transfers (history shows them as `other`). */

let idSequence = 0;

/** A valid resident ID number (GB 11643) unique in this process; the sandbox verifier says MATCH. */
export function uniqueIdNumber(): string {
  idSequence += 1;
  const sequence = String(100 + ((process.pid + idSequence * 7) % 800)).padStart(3, '0');
  const day = String(1 + (idSequence % 28)).padStart(2, '0');
  const month = String(1 + (Math.floor(idSequence / 28) % 12)).padStart(2, '0');
  const body = `110105${1980 + (process.pid % 20)}${month}${day}${sequence}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((total, digit, index) => total + Number(digit) * weights[index]!, 0);
  return body + '10X98765432'[sum % 11]!;
}

/** Real-name verify a holder (tier T1) under this legal name. */
export async function verifyRealName(subject: SecurityTestApp, holder: TestHolder, legalName: string) {
  const response = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/kyc/real-name',
    headers: holder.headers,
    payload: { legalName, idNumber: uniqueIdNumber() },
  });
  expect(response.statusCode, response.body).toBe(200);
}

/** Money into a wallet straight through the ledger, from a system account (as a top-up would). */
export async function fund(
  subject: SecurityTestApp,
  holder: TestHolder,
  amountMinor: bigint,
): Promise<string> {
  const bank = newId();
  await subject.ledger.createAccounts([{ id: bank, currency: 'CNY', code: 1, ownerRef: 'system:test-bank' }]);
  const id = newId();
  const [outcome] = await subject.ledger.createTransfers([
    {
      id,
      debitAccountId: bank,
      creditAccountId: holder.walletAccountId,
      amount: amountMinor,
      currency: 'CNY',
      code: TransferCodes.testFunding,
    },
  ]);
  expect(outcome!.result).toBe('ok');
  return id;
}

export async function setPasswordFree(subject: SecurityTestApp, holder: TestHolder, limitMinor: bigint) {
  const response = await subject.app.inject({
    method: 'PUT',
    url: '/v1/me/password-free',
    headers: holder.headers,
    payload: { limit: { amount: limitMinor.toString(), currency: 'CNY' }, pin: PIN },
  });
  expect(response.statusCode, response.body).toBe(200);
}

export async function balanceOf(subject: SecurityTestApp, holder: TestHolder): Promise<string> {
  const response = await subject.app.inject({
    method: 'GET',
    url: '/v1/me/balance',
    headers: holder.headers,
  });
  return response.json<{ balance: { amount: string } }>().balance.amount;
}

export function cny(amount: string) {
  return { amount, currency: 'CNY' };
}

export function send(
  subject: SecurityTestApp,
  payer: TestHolder,
  payload: Record<string, unknown>,
  key: string = randomUUID(),
) {
  return subject.app.inject({
    method: 'POST',
    url: '/v1/me/transfers',
    headers: { ...payer.headers, 'idempotency-key': key },
    payload,
  });
}

export async function expectBooksBalanced(subject: SecurityTestApp): Promise<void> {
  const report = await verifyLedger(subject.database.pool);
  expect(report.problems).toEqual([]);
  expect(report.ok).toBe(true);
}

export async function inbox(subject: SecurityTestApp, holder: TestHolder) {
  // Notices follow from events; a test app runs no job workers, so deliver them here.
  await subject.app.outbox.deliverPending();
  const response = await subject.app.inject({
    method: 'GET',
    url: '/v1/me/notifications?limit=100&lang=zh-CN',
    headers: holder.headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{
    notifications: { kind: string; body: string; params: Record<string, unknown> }[];
  }>().notifications;
}

/** The `error.code` of an error response. */
export function errorCode(response: { body: string }): string {
  return (JSON.parse(response.body) as { error: { code: string } }).error.code;
}
