/**
 * Operators' passkeys in the console (issue 15), in Chromium at 1280 × 800 with a virtual platform
 * authenticator (Chrome DevTools' WebAuthn domain, as the holders' security journey): a risk
 * operator signs in with password and code, opens 我的通行密钥 from the user menu, is refused a
 * wrong authenticator code before the authenticator is asked, adds a passkey with the right one,
 * signs out, and signs in with the passkey alone; the page in English too. Then the refusals a
 * person sees: a device with no passkey of theirs (cancelled), a passkey removed by an admin (not
 * recognised), and a disabled operator.
 * Screenshots in test-results/screenshots/console-passkey/.
 *
 * WebAuthn refuses IP-address origins, so the page is opened at http://localhost:<port> and the
 * server is told that is its public URL (the relying party).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../e2e/server-process.ts';
import { addVirtualAuthenticator, screenshots, startBrowserStack } from './browser.ts';
import type { BrowserStack } from './browser.ts';
import { makeOperator, nextCode, operatorApi, signInToConsole } from './console.ts';
import { openDesktop } from './portal.ts';

/** The machine is shared: give the console's queries time. */
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000, interval: 200 });

describe('the operator console: passkeys', () => {
  let stack: BrowserStack;

  beforeAll(async () => {
    const port = await freePort();
    stack = await startBrowserStack({
      env: { PORT: String(port), QIANBAO_PUBLIC_URL: `http://localhost:${port}` },
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('adds a passkey after password and code, then signs in with the passkey alone', async () => {
    expect(new URL(stack.url).hostname).toBe('localhost');
    const shots = screenshots('console-passkey');
    const operator = await makeOperator(stack, { username: 'zhao.fengkong', role: 'risk', name: '赵风控' });
    const admin = await makeOperator(stack, { username: 'qian.admin', role: 'admin', name: '钱管理' });
    const { page, context, problems } = await openDesktop(stack);
    const authenticator = await addVirtualAuthenticator(page);

    // ---- password and code, then 我的通行密钥 from the user menu
    await signInToConsole(page, operator);
    await page.getByTestId('console-operator').click();
    await page.getByRole('menuitem', { name: '我的通行密钥' }).click();
    await page.getByText('还没有通行密钥').waitFor();
    await shots.take(page, 'my-passkeys-empty');

    // A wrong code is refused by the server before the authenticator is asked.
    await page.getByRole('button', { name: '添加通行密钥' }).click();
    const dialog = page.getByRole('dialog', { name: '添加通行密钥' });
    await dialog.getByLabel('名称').fill('办公室电脑 · 指纹');
    const right = await nextCode(operator);
    await dialog.getByLabel('动态码').fill(right === '000000' ? '111111' : '000000');
    await dialog.getByRole('button', { name: '下一步：创建通行密钥' }).click();
    await poll(() => dialog.getByRole('alert').textContent()).toContain('动态码不正确或已用过');
    expect(await authenticator.credentials()).toHaveLength(0);
    await poll(() => dialog.getByLabel('动态码').inputValue()).toBe('');
    await shots.take(page, 'wrong-code');

    await dialog.getByLabel('动态码').fill(right);
    await dialog.getByRole('button', { name: '下一步：创建通行密钥' }).click();
    await page.getByTestId('my-passkeys').getByText('办公室电脑 · 指纹').waitFor();
    await poll(() => page.getByTestId('my-passkeys').textContent()).toContain('尚未使用');
    const credentials = await authenticator.credentials();
    expect(credentials).toHaveLength(1);
    expect(credentials[0]?.isResidentCredential).toBe(true);
    await shots.take(page, 'passkey-added');
    // the "added" toast gone, so the next pictures show only their own screen
    await page.locator('.ant-message-notice').waitFor({ state: 'detached', timeout: 10_000 });

    await page.getByText('English', { exact: true }).click();
    await page.getByText('Not used yet').waitFor();
    await page.getByRole('button', { name: 'Add a passkey' }).waitFor();
    await shots.take(page, 'my-passkeys-english');

    // ---- sign out; the sign-in card in English, then with the passkey alone
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
    await shots.take(page, 'sign-in-english');
    await page.getByText('中文', { exact: true }).click();
    await page.getByRole('button', { name: '使用通行密钥登录' }).waitFor();
    await shots.take(page, 'sign-in');
    await page.getByRole('button', { name: '使用通行密钥登录' }).click();
    await page.getByRole('navigation', { name: '后台菜单' }).waitFor();
    await poll(() => page.getByTestId('console-operator').textContent()).toContain('赵风控');
    await poll(() => page.getByTestId('console-role').textContent()).toBe('风控');
    await shots.take(page, 'signed-in-with-passkey');
    const { rows } = await stack.database.pool.query<{ details: { method?: string } }>(
      `SELECT l.details FROM operator_audit_log l JOIN operator_accounts a ON a.id = l.operator_id
        WHERE a.username = 'zhao.fengkong' AND l.action = 'operator.login' ORDER BY l.seq`,
    );
    expect(rows.map((row) => row.details.method ?? 'password')).toEqual(['password', 'passkey']);

    // The list shows the use.
    await page.getByTestId('console-operator').click();
    await page.getByRole('menuitem', { name: '我的通行密钥' }).click();
    await page.getByTestId('my-passkeys').getByText('办公室电脑 · 指纹').waitFor();
    await poll(() => page.getByTestId('my-passkeys').textContent()).not.toContain('尚未使用');
    await shots.take(page, 'passkey-used');
    await page.getByRole('button', { name: '退出' }).click();
    await page.getByRole('button', { name: '使用通行密钥登录' }).waitFor();

    // ---- refusals, each said in words
    // Another computer, with no passkey of this operator: the browser finds none (cancelled).
    const elsewhere = await openDesktop(stack);
    await addVirtualAuthenticator(elsewhere.page);
    await elsewhere.page.goto('/console');
    await elsewhere.page.getByLabel('用户名').fill(operator.username);
    await elsewhere.page.getByRole('button', { name: '使用通行密钥登录' }).click();
    await poll(() => elsewhere.page.getByTestId('passkey-sign-in-error').textContent()).toContain(
      '这台设备上没有你的通行密钥',
    );
    await shots.take(elsewhere.page, 'no-passkey-on-this-device');
    await elsewhere.context.close();

    // An admin removes the operator's passkeys (a lost laptop): the authenticator still holds
    // one, and the server no longer recognises it.
    const adminHeaders = await operatorApi(stack, admin);
    const accounts = (await (
      await fetch(`${stack.url}/v1/operator/operators`, { headers: adminHeaders })
    ).json()) as { operators: { id: string; username: string }[] };
    const target = accounts.operators.find((account) => account.username === operator.username);
    const removed = await fetch(`${stack.url}/v1/operator/operators/${target?.id}/passkeys/remove`, {
      method: 'POST',
      headers: { ...adminHeaders, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'lost laptop' }),
    });
    expect(await removed.json()).toEqual({ removed: 1 });
    await page.getByRole('button', { name: '使用通行密钥登录' }).click();
    await poll(() => page.getByTestId('passkey-sign-in-error').textContent()).toContain(
      '无法识别这个通行密钥',
    );
    await shots.take(page, 'not-recognised');
    // (the laptop is found again, emptied: its one discoverable passkey will be the new one)
    await authenticator.session.send('WebAuthn.clearCredentials', {
      authenticatorId: authenticator.authenticatorId,
    });

    // A disabled operator: a right passkey is told so (and never gets a session).
    await signInToConsole(page, operator);
    await page.getByTestId('console-operator').click();
    await page.getByRole('menuitem', { name: '我的通行密钥' }).click();
    await page.getByRole('button', { name: '添加通行密钥' }).click();
    await dialog.getByLabel('名称').fill('新电脑');
    await dialog.getByLabel('动态码').fill(await nextCode(operator));
    await dialog.getByRole('button', { name: '下一步：创建通行密钥' }).click();
    await page.getByTestId('my-passkeys').getByText('新电脑').waitFor();
    const disabled = await fetch(`${stack.url}/v1/operator/operators/${target?.id}/disable`, {
      method: 'POST',
      headers: { ...adminHeaders, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'left the bank' }),
    });
    expect(disabled.status).toBe(200);
    await page.reload();
    await page.getByRole('button', { name: '使用通行密钥登录' }).click();
    await poll(() => page.getByTestId('passkey-sign-in-error').textContent()).toContain('此操作员账号已停用');
    await shots.take(page, 'disabled');
    expect(await page.evaluate(async () => (await fetch('/v1/operator/me')).status)).toBe(401);

    expect(problems).toEqual([]);
    await context.close();
    // Long: each authenticator code works once, so the later sign-ins wait for the next 30-second step.
  }, 240_000);
});
