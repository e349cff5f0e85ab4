/**
 * The operator console in browser tests: operators made with the CLI on the stack's database,
 * their authenticator codes, signing in on the console's page or through the API, and its menu.
 */
import { Secret, TOTP } from 'otpauth';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { runQianbao } from '../../apps/cli/src/testing.ts';
import { TEST_SECRET_KEY } from '../e2e/server-process.ts';
import type { BrowserStack } from './browser.ts';

export type OperatorRole = 'admin' | 'support' | 'kyc_reviewer' | 'risk' | 'finance';

export interface ConsoleOperator {
  username: string;
  password: string;
  role: OperatorRole;
  totp: TOTP;
  /** The last 30-second step whose code was used: each code signs in once (the server refuses a replay). */
  lastStep: number;
}

/** `qianbao operator create` on the server's database; its password and TOTP secret read from the output. */
export async function makeOperator(
  stack: BrowserStack,
  options: { username: string; role: OperatorRole; name?: string },
): Promise<ConsoleOperator> {
  const args = ['operator', 'create', '--username', options.username, '--role', options.role];
  if (options.name) args.push('--name', options.name);
  const run = await runQianbao(args, {
    DATABASE_URL: stack.database.url,
    // The server's key: the operator's TOTP secret is sealed with it.
    QIANBAO_SECRET_KEY: TEST_SECRET_KEY.toString('base64'),
  });
  expect(run.code, run.stderr).toBe(0);
  const password = /password: +(\S+)/.exec(run.stdout)?.[1];
  const secret = /TOTP secret: +(\S+)/.exec(run.stdout)?.[1];
  if (!password || !secret) throw new Error(`operator create printed no credentials:\n${run.stdout}`);
  const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
  return { username: options.username, password, role: options.role, totp, lastStep: 0 };
}

/**
 * A code the server will take: the current step's, or the next one's when the current code was
 * used already (the server accepts one step either side); waits for time to move on otherwise.
 */
export async function nextCode(operator: ConsoleOperator): Promise<string> {
  let step = Math.floor(Date.now() / 30_000);
  if (operator.lastStep > step) {
    // Both the current and the next step's codes are used: wait for the next step to begin.
    await new Promise((resolve) => setTimeout(resolve, operator.lastStep * 30_000 - Date.now() + 50));
    step = Math.floor(Date.now() / 30_000);
  }
  const target = Math.max(step, operator.lastStep + 1);
  operator.lastStep = target;
  return operator.totp.generate({ timestamp: target * 30_000 });
}

/** Signs in through the API: `{ authorization: 'Bearer …' }` for fetch calls. */
export async function operatorApi(
  stack: BrowserStack,
  operator: ConsoleOperator,
): Promise<{ authorization: string }> {
  const login = await fetch(`${stack.url}/v1/operator/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      username: operator.username,
      password: operator.password,
      totpCode: await nextCode(operator),
    }),
  });
  expect(login.status, await login.clone().text()).toBe(200);
  const { token } = (await login.json()) as { token: string };
  return { authorization: `Bearer ${token}` };
}

/** Opens /console and signs in on its page (Chinese labels); ends when the menu is shown. */
export async function signInToConsole(page: Page, operator: ConsoleOperator): Promise<void> {
  await page.goto('/console');
  await page.getByLabel('用户名').fill(operator.username);
  await page.getByLabel('密码', { exact: true }).fill(operator.password);
  await page.getByLabel('动态码').fill(await nextCode(operator));
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.getByRole('navigation', { name: /后台菜单|Back office menu/ }).waitFor();
}

export async function consoleMenuItems(page: Page): Promise<string[]> {
  return page
    .getByRole('navigation', { name: /后台菜单|Back office menu/ })
    .getByRole('menuitem')
    .allTextContents();
}

export async function consoleMenu(page: Page, name: string | RegExp): Promise<void> {
  await page
    .getByRole('navigation', { name: /后台菜单|Back office menu/ })
    .getByRole('menuitem', { name })
    .click();
}
