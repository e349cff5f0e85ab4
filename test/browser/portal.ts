/**
 * The merchant portal in browser tests: a desktop browser context, signing in through the
 * portal's card and the wallet's sign-in, and its menu.
 */
import type { Page } from 'playwright-core';
import { latestSmsCode, pageIn, resendWindowPassed } from './browser.ts';
import type { BrowserStack, PhonePage } from './browser.ts';

/** A computer's browser: a fresh profile at 1280 × 800, in Chinese, that keeps downloads. */
export async function openDesktop(stack: BrowserStack): Promise<PhonePage> {
  const context = await stack.browser.newContext({
    baseURL: stack.url,
    viewport: { width: 1280, height: 800 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    acceptDownloads: true,
  });
  return pageIn(context);
}

/**
 * The portal's card → the wallet's sign-in screen (password; a browser the holder never used asks
 * for an SMS code as well) → back to /merchant.
 */
export async function signInThroughPortal(
  page: Page,
  baseUrl: string,
  phone: string,
  password: string,
): Promise<void> {
  await page.getByRole('button', { name: '用钱包账号登录' }).click();
  await page.waitForURL((url) => url.pathname === '/sign-in' && url.searchParams.get('next') === '/merchant');
  await page.getByLabel('手机号', { exact: true }).fill(phone);
  await page.getByLabel('密码', { exact: true }).fill(password);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.getByText('这是您首次在此设备上登录').waitFor();
  await resendWindowPassed(baseUrl, phone);
  const before = new Date().toISOString();
  await page.getByRole('button', { name: '获取验证码' }).click();
  await page
    .getByLabel('验证码', { exact: true })
    .fill(await latestSmsCode(baseUrl, phone, { after: before }));
  await page.getByRole('button', { name: '验证并登录' }).click();
}

export async function menuItems(page: Page): Promise<string[]> {
  return page
    .getByRole('navigation', { name: /商户后台菜单|Merchant portal menu/ })
    .getByRole('menuitem')
    .allTextContents();
}

export async function menu(page: Page, name: string): Promise<void> {
  await page
    .getByRole('navigation', { name: /商户后台菜单|Merchant portal menu/ })
    .getByRole('menuitem', { name })
    .click();
}
