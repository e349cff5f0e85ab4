/**
 * The operator console's door (issue 15), in Chromium at 1280 × 800: a support operator made with
 * the CLI opens /console, is refused with a wrong authenticator code (the reason shown, the code
 * field emptied), signs in with the right one and sees the menu of their role's pages only, with
 * their name and role; a page their role may not use answers 403 on the screen; English; signing
 * out comes back to the sign-in card, and the server has ended the session.
 * Screenshots in test-results/screenshots/console-sign-in/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshots, startBrowserStack } from './browser.ts';
import type { BrowserStack } from './browser.ts';
import { consoleMenuItems, makeOperator, nextCode, signInToConsole } from './console.ts';
import { openDesktop } from './portal.ts';

describe('the operator console: signing in', () => {
  let stack: BrowserStack;

  beforeAll(async () => {
    stack = await startBrowserStack();
  });

  afterAll(async () => {
    await stack.close();
  });

  it('signs a support operator in with password and code, shows their pages only, and signs out', async () => {
    const shots = screenshots('console-sign-in');
    const operator = await makeOperator(stack, { username: 'li.kefu', role: 'support', name: '李客服' });
    const { page, context, problems } = await openDesktop(stack);

    await page.goto('/console');
    await page.getByRole('heading', { name: '钱包运营后台' }).waitFor();
    await shots.take(page, 'sign-in');

    // A wrong code: refused, said so, and the code field is empty for the next one.
    await page.getByLabel('用户名').fill(operator.username);
    await page.getByLabel('密码', { exact: true }).fill(operator.password);
    const right = await nextCode(operator);
    const wrong = right === '000000' ? '111111' : '000000';
    await page.getByLabel('动态码').fill(wrong);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('用户名、密码或动态码不正确');
    await expect.poll(() => page.getByLabel('动态码').inputValue()).toBe('');
    await shots.take(page, 'wrong-code');

    await page.getByLabel('动态码').fill(right);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.getByRole('navigation', { name: '后台菜单' }).waitFor();
    await expect.poll(() => page.getByTestId('console-operator').textContent()).toContain('李客服');
    await expect.poll(() => page.getByTestId('console-role').textContent()).toBe('客服');
    const items = await consoleMenuItems(page);
    // Customer service works tickets and holders; risk rules, the ledger and roles are not theirs.
    for (const notTheirs of ['风控规则', '账本', '操作员与权限', '调账', '审计日志'])
      expect(items).not.toContain(notTheirs);
    await shots.take(page, 'signed-in');

    // A page their role may not use, typed into the address bar: refused on the screen (and the
    // server would refuse its calls).
    await page.goto('/console/operators');
    await page.getByText('你的角色不能使用这个页面').waitFor();
    await shots.take(page, 'not-allowed');
    await page.getByRole('button', { name: '返回后台首页' }).click();
    await page.getByRole('navigation', { name: '后台菜单' }).waitFor();

    await page.getByText('English', { exact: true }).click();
    await page.getByRole('navigation', { name: 'Back office menu' }).waitFor();
    await expect.poll(() => page.getByTestId('console-role').textContent()).toBe('Customer service');
    await shots.take(page, 'english');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Qianbao back office' }).waitFor();
    const me = await page.evaluate(async () => (await fetch('/v1/operator/me')).status);
    expect(me).toBe(401);
    await shots.take(page, 'signed-out');

    // Again in Chinese, as the next operator of this browser would expect.
    await page.getByText('中文', { exact: true }).click();
    expect(problems).toEqual([]);
    await context.close();

    // And signing in through the helper still works after a sign-out (a fresh code).
    const again = await openDesktop(stack);
    await signInToConsole(again.page, operator);
    await again.context.close();
  }, 180_000);
});
