/**
 * Holders over real HTTP against a server process (startServerProcess): register with the
 * sandbox's SMS codes, set a PIN, fund a wallet through the admin ledger API, read balances.
 * For end-to-end tests that must go through the server as a client would.
 */
import { newId } from '@qianbao/ledger';
import { expect } from 'vitest';
import { ADMIN_HEADERS } from '../../apps/server/src/testing.ts';
import { submitTransfers } from './ledger-http.ts';
import { TransferCodes } from '../../apps/server/src/platform/codes.ts';

export const HOLDER_PASSWORD = 'Lantern-Harbor-42';

export interface HttpHolder {
  id: string;
  phone: string;
  walletAccountId: string;
  headers: Record<string, string>;
}

let phones = 0;
/** A mainland number no other test process of this run uses. */
export function uniquePhone(): string {
  phones += 1;
  return `1391${String(process.pid % 1000).padStart(3, '0')}${String(phones).padStart(4, '0')}`;
}

export async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

export function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** The last SMS code the sandbox sent to `phone`. */
export async function latestSmsCode(url: string, phone: string): Promise<string> {
  const response = await fetch(`${url}/dev/sms.json?phone=${phone}&limit=1`);
  expect(response.status).toBe(200);
  const code = (await json<{ messages: { code: string | null }[] }>(response)).messages[0]?.code;
  if (!code) throw new Error(`no SMS code was sent to ${phone}`);
  return code;
}

export async function registerHolder(url: string): Promise<HttpHolder> {
  const phone = uniquePhone();
  const asked = await post(url, '/v1/auth/sms-codes', { phone, purpose: 'register' });
  expect(asked.status, await asked.clone().text()).toBe(200);
  const code = await latestSmsCode(url, phone);
  const response = await post(url, '/v1/auth/register', {
    phone,
    code,
    password: HOLDER_PASSWORD,
    deviceId: `device-${phone}`,
    deviceName: 'Test phone',
  });
  expect(response.status, await response.clone().text()).toBe(201);
  const body = await json<{ token: string; holder: { id: string; walletAccountId: string } }>(response);
  return {
    id: body.holder.id,
    phone,
    walletAccountId: body.holder.walletAccountId,
    headers: { authorization: `Bearer ${body.token}` },
  };
}

export async function setHolderPin(url: string, holder: HttpHolder, pin: string): Promise<void> {
  const asked = await post(url, '/v1/me/sms-codes', {}, holder.headers);
  expect(asked.status, await asked.clone().text()).toBe(200);
  const smsCode = await latestSmsCode(url, holder.phone);
  const response = await post(url, '/v1/me/pin', { password: HOLDER_PASSWORD, smsCode, pin }, holder.headers);
  expect(response.status, await response.clone().text()).toBe(200);
}

/** Money into the wallet through the admin ledger API, from a system account (as a top-up would). */
export async function fundHolder(url: string, holder: HttpHolder, amountMinor: bigint): Promise<void> {
  const bank = newId();
  const opened = await post(
    url,
    '/v1/ledger/accounts',
    [{ id: bank, currency: 'CNY', code: 1, ownerRef: 'system:test-bank' }],
    ADMIN_HEADERS,
  );
  expect(opened.status).toBe(200);
  const funded = await submitTransfers(url, [
    {
      id: newId(),
      debitAccountId: bank,
      creditAccountId: holder.walletAccountId,
      amount: amountMinor.toString(),
      currency: 'CNY',
      code: TransferCodes.testFunding,
    },
  ]);
  expect(funded.kind === 'answered' && funded.results.map((r) => r.result)).toEqual(['ok']);
}

export async function balanceMinor(url: string, holder: HttpHolder): Promise<bigint> {
  const response = await fetch(`${url}/v1/me/balance`, { headers: holder.headers });
  expect(response.status).toBe(200);
  return BigInt((await json<{ balance: { amount: string } }>(response)).balance.amount);
}
