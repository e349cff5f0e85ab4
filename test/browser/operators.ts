/**
 * Operators in browser tests: a `risk` operator made with the CLI on the stack's database and
 * signed in through the API (password and TOTP), and rule sets it drafts and a second one activates.
 */
import { Secret, TOTP } from 'otpauth';
import { expect } from 'vitest';
import { runQianbao } from '../../apps/cli/src/testing.ts';
import { TEST_SECRET_KEY } from '../e2e/server-process.ts';
import type { BrowserStack } from './browser.ts';

export const THRESHOLDS = { stepUp: 65, review: 75, block: 90 };

/** A `risk` operator made with the CLI on the server's database, signed in through the API. */
export async function riskOperator(
  stack: BrowserStack,
  username = 'risk.analyst',
): Promise<{ authorization: string }> {
  const run = await runQianbao(['operator', 'create', '--username', username, '--role', 'risk'], {
    DATABASE_URL: stack.database.url,
    // The server's key: the operator's TOTP secret is sealed with it.
    QIANBAO_SECRET_KEY: TEST_SECRET_KEY.toString('base64'),
  });
  expect(run.code, run.stderr).toBe(0);
  const password = /password: +(\S+)/.exec(run.stdout)?.[1];
  const secret = /TOTP secret: +(\S+)/.exec(run.stdout)?.[1];
  if (!password || !secret) throw new Error(`operator create printed no credentials:\n${run.stdout}`);
  const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
  const login = await fetch(`${stack.url}/v1/operator/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password, totpCode: totp.generate() }),
  });
  expect(login.status, await login.clone().text()).toBe(200);
  const { token } = (await login.json()) as { token: string };
  return { authorization: `Bearer ${token}` };
}

/** Per stack, the second operator that activates what tests draft (made on first use). */
const checkers = new WeakMap<BrowserStack, Promise<{ authorization: string }>>();

/**
 * Save `rules` as a draft rule set made by `operator`, and have it activated (the active one
 * retires) by a second risk operator, `risk.checker`: activation is maker-checker (docs/risk.md).
 */
export async function activateRules(
  stack: BrowserStack,
  operator: { authorization: string },
  rules: unknown[],
): Promise<void> {
  const headers = { 'content-type': 'application/json', ...operator };
  const draft = await fetch(`${stack.url}/v1/operator/risk/rule-sets`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ rules, thresholds: THRESHOLDS, note: 'browser test' }),
  });
  expect(draft.status, await draft.clone().text()).toBe(201);
  const { version } = (await draft.json()) as { version: number };
  let checker = checkers.get(stack);
  if (!checker) {
    checker = riskOperator(stack, 'risk.checker');
    checkers.set(stack, checker);
  }
  const activated = await fetch(`${stack.url}/v1/operator/risk/rule-sets/${version}/activate`, {
    method: 'POST',
    headers: await checker,
  });
  expect(activated.status, await activated.clone().text()).toBe(200);
}
