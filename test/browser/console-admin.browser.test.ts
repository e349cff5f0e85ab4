/**
 * The console's admin pages (issue 15), in Chromium at desktop size: an admin made with the CLI
 * signs in, creates a customer-service operator (the password and authenticator secret shown
 * once — and they do sign in), takes an action from the support role in the roles matrix with a
 * reason (the new operator's next request no longer has it), and finds both changes in the audit
 * log, whose hash chain verifies; the audit page once more in English.
 * Screenshots in test-results/screenshots/console-admin/.
 */
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshots, startBrowserStack } from './browser.ts';
import type { BrowserStack } from './browser.ts';
import { consoleMenu, makeOperator, signInToConsole } from './console.ts';
import { openDesktop } from './portal.ts';

/** The machine is shared: give the console's queries time. */
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000, interval: 200 });

describe('the operator console: operators, roles and the audit log', () => {
  let stack: BrowserStack;

  beforeAll(async () => {
    stack = await startBrowserStack();
  });

  afterAll(async () => {
    await stack.close();
  });

  it('an admin creates a support operator, edits the support role and sees both in the audit log', async () => {
    const shots = screenshots('console-admin');
    const admin = await makeOperator(stack, { username: 'wang.admin', role: 'admin', name: '王管理' });
    const { page, context, problems } = await openDesktop(stack);
    await signInToConsole(page, admin);

    // ---- 操作员与权限: create a customer-service operator
    await consoleMenu(page, '操作员与权限');
    await page.getByTestId('operators-table').getByText('wang.admin').waitFor();
    await page.getByRole('button', { name: '新建操作员' }).click();
    const dialog = page.getByRole('dialog', { name: '新建操作员' });
    await dialog.getByLabel('用户名').fill('zhao.kefu');
    await dialog.getByLabel('姓名').fill('赵客服');
    await shots.take(page, 'create-dialog');
    await dialog.getByRole('button', { name: '创建' }).click();

    const credentials = page.getByTestId('operator-credentials');
    await credentials.waitFor();
    const password = (await page.getByTestId('new-password').textContent())?.trim() ?? '';
    const secret = (await page.getByTestId('new-totp-secret').textContent())?.trim() ?? '';
    expect(password.length).toBeGreaterThan(16);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await poll(() => credentials.textContent()).toContain('otpauth://totp/Qianbao:zhao.kefu');
    await credentials.getByRole('img', { name: '身份验证器二维码' }).waitFor();
    await shots.take(page, 'credentials-shown-once');
    await page.getByRole('button', { name: '我已安全转交' }).click();
    await poll(() => page.getByTestId('operators-table').textContent()).toContain('赵客服');
    await shots.take(page, 'operators');

    // What was shown signs in (through the API: the new operator's own browser is not needed).
    const login = await fetch(`${stack.url}/v1/operator/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username: 'zhao.kefu',
        password,
        totpCode: new TOTP({ secret: Secret.fromBase32(secret) }).generate(),
      }),
    });
    expect(login.status).toBe(200);
    const support = { authorization: `Bearer ${((await login.json()) as { token: string }).token}` };
    const permissions = async () =>
      (
        (await (await fetch(`${stack.url}/v1/operator/me`, { headers: support })).json()) as {
          permissions: string[];
        }
      ).permissions;
    expect(await permissions()).toContain('help:manage');

    // ---- the roles matrix: support loses the help centre
    await page.getByRole('tab', { name: '角色权限' }).click();
    const matrix = page.getByTestId('roles-matrix');
    await matrix.waitFor();
    // admins keep operators:manage: that box cannot be unticked
    expect(await matrix.getByRole('checkbox', { name: '管理员 · operators:manage' }).isDisabled()).toBe(true);
    const box = matrix.getByRole('checkbox', { name: '客服 · help:manage' });
    expect(await box.isChecked()).toBe(true);
    await box.uncheck();
    await poll(() => page.getByText('待保存：客服').count()).toBe(1);
    await page.getByPlaceholder('更改原因（必填）').fill('帮助中心改由运营团队维护');
    await shots.take(page, 'roles-matrix-edited');
    await page.getByRole('button', { name: '保存更改' }).click();
    await page.getByText('权限已更新').waitFor();
    await poll(() => page.getByText('没有未保存的更改').count()).toBe(1);
    expect(await box.isChecked()).toBe(false);
    // the support operator's very next request
    expect(await permissions()).not.toContain('help:manage');

    // ---- 审计日志: both changes, and the chain verifies
    await consoleMenu(page, '审计日志');
    const table = page.getByTestId('audit-table');
    await poll(() => table.textContent()).toContain('operator.role_permissions');
    const text = (await table.textContent()) ?? '';
    expect(text).toContain('修改角色权限');
    expect(text).toContain('帮助中心改由运营团队维护');
    expect(text).toContain('新建操作员');
    expect(text).toContain('"username":"zhao.kefu"');
    await page.getByRole('button', { name: '校验哈希链' }).click();
    await poll(() => page.getByTestId('audit-verify-result').textContent()).toContain('哈希链完好');
    await shots.take(page, 'audit-log');

    // filtered by action
    await page.getByLabel('操作', { exact: true }).fill('operator.create');
    await page.getByRole('button', { name: '查询' }).click();
    await poll(() => table.locator('tbody tr').count()).toBe(2); // the CLI's admin and zhao.kefu
    await shots.take(page, 'audit-filtered');

    // ---- English
    await page.locator('.ant-segmented-item', { hasText: 'English' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.getByRole('button', { name: 'Reset' }).click();
    await page.getByRole('button', { name: 'Verify the chain' }).click();
    await expect
      .poll(() => page.getByTestId('audit-verify-result').textContent())
      .toContain('The chain is intact');
    await shots.take(page, 'audit-log-english');
    await page.locator('.ant-segmented-item', { hasText: '中文' }).click();

    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);
});
