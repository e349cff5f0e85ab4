/**
 * The consumer web app in Chromium on a phone-sized screen. A newcomer's first minute: register
 * with an SMS code, see the empty wallet, find this device in the security centre, sign out,
 * sign in with the password. Then English, a sign-in from a new device, signing out everywhere,
 * and starting offline. Screenshots of every screen go to test-results/screenshots/<test>/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  latestSmsCode,
  openPhone,
  randomPhone,
  registerThroughApi,
  screenshots,
  startBrowserStack,
} from './browser.ts';
import type { BrowserStack } from './browser.ts';

const PASSWORD = 'Lotus-garden-88';

describe('consumer web app', () => {
  let stack: BrowserStack;

  beforeAll(async () => {
    stack = await startBrowserStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('registers a new holder and signs in again with the password', async () => {
    const shots = screenshots('register-sign-in');
    const { page, problems, context } = await openPhone(stack);
    const phone = randomPhone();
    const maskedPhone = `${phone.slice(0, 3)}****${phone.slice(7)}`;

    // A first visit lands on the welcome screen.
    await page.goto('/');
    await page.waitForURL('**/welcome');
    await expect.poll(() => page.getByRole('button', { name: '注册' }).isVisible()).toBe(true);
    await shots.take(page, 'welcome');

    await page.getByRole('button', { name: '注册' }).click();
    await page.waitForURL('**/register');
    await shots.take(page, 'register');

    await page.getByLabel('手机号', { exact: true }).fill(phone);
    await page.getByRole('button', { name: '获取验证码' }).click();
    await page.getByText(/\d+ 秒后重发/).waitFor();
    const code = await latestSmsCode(stack.url, phone);
    await page.getByLabel('验证码', { exact: true }).fill(code);
    await page.getByLabel('登录密码', { exact: true }).fill(PASSWORD);
    await shots.take(page, 'register-filled');

    await page.getByRole('button', { name: '注册并登录' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await expectBalance(page, '¥0.00');
    await page.getByText(maskedPhone).first().waitFor();
    await shots.take(page, 'home');

    await page
      .getByRole('navigation', { name: '主导航' })
      .getByRole('link', { name: '我的', exact: true })
      .click();
    await page.waitForURL('**/me');
    await page.getByRole('heading', { name: maskedPhone }).waitFor();
    await shots.take(page, 'me');

    await page.getByRole('link', { name: '安全中心' }).click();
    await page.waitForURL('**/me/security');
    const sessions = page.locator('.session-list');
    await sessions.getByText('本机').waitFor();
    await expect.poll(() => sessions.textContent()).toContain('Chrome on Linux');
    await shots.take(page, 'security-centre');

    await page.goBack();
    await page.waitForURL('**/me');
    await page.getByRole('button', { name: '退出登录' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await shots.take(page, 'sign-out-confirm');
    await dialog.getByRole('button', { name: '退出登录' }).click();
    await page.waitForURL('**/sign-in');
    await dialog.waitFor({ state: 'hidden' });
    // The session is gone on the server too: its cookie no longer opens /v1/me.
    const me = await page.request.get('/v1/me');
    expect(me.status()).toBe(401);
    await shots.take(page, 'sign-in');

    await page.getByLabel('手机号', { exact: true }).fill(phone);
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await expectBalance(page, '¥0.00');
    await shots.take(page, 'home-signed-in-again');

    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);
  it('speaks English when asked, asks a new device for an SMS code, signs out everywhere', async () => {
    const shots = screenshots('english-new-device');
    const phone = randomPhone();
    await registerThroughApi(stack.url, { phone, password: PASSWORD });
    const { page, problems, context } = await openPhone(stack);

    await page.goto('/welcome');
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByRole('button', { name: 'Sign up' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Sign up' }).waitFor(); // remembered
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await shots.take(page, 'welcome-english');

    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/sign-in');
    await page.getByLabel('Phone', { exact: true }).fill(phone);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    // This browser is a device the holder never used: the server wants an SMS code as well.
    await page.getByText('first sign-in on this device').waitFor();
    const before = new Date().toISOString();
    await page.getByRole('button', { name: 'Get code' }).click();
    const code = await latestSmsCode(stack.url, phone, { after: before });
    await page.getByLabel('Code', { exact: true }).fill(code);
    await shots.take(page, 'new-device-code');
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await page.getByText('Wallet balance').waitFor();
    await shots.take(page, 'home-english');

    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Me', exact: true })
      .click();
    await page.getByRole('link', { name: 'Security' }).click();
    const sessions = page.locator('.session-list .adm-list-item');
    await expect.poll(() => sessions.count()).toBe(2); // the API's device and this one
    await shots.take(page, 'security-two-devices');

    await page.getByRole('button', { name: 'Sign out of all devices' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Sign out of all devices' }).click();
    await page.waitForURL('**/sign-in');
    await dialog.waitFor({ state: 'hidden' });
    expect((await page.request.get('/v1/me')).status()).toBe(401);
    await shots.take(page, 'signed-out-everywhere');

    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);

  it('is installable and starts offline', async () => {
    const shots = screenshots('offline');
    const { page, problems, context } = await openPhone(stack);
    await page.goto('/');
    await page.waitForURL('**/welcome');

    const manifest = (await (await page.request.get('/manifest.webmanifest')).json()) as {
      name: string;
      start_url: string;
      display: string;
      icons: { src: string; sizes: string; type: string }[];
    };
    expect(manifest).toMatchObject({ name: '钱包 Qianbao', start_url: '/', display: 'standalone' });
    const sizes = manifest.icons.map((icon) => icon.sizes);
    expect(sizes).toEqual(expect.arrayContaining(['192x192', '512x512']));
    for (const icon of manifest.icons) {
      const response = await page.request.get(icon.src);
      expect(response.headers()['content-type'], icon.src).toBe(icon.type);
    }

    // The service worker has cached the shell once it is active.
    await page.evaluate('navigator.serviceWorker.ready.then(() => true)');
    // Chromium's own verdict (a test profile is always "incognito", which is no fault of the app).
    const devtools = await context.newCDPSession(page);
    expect((await devtools.send('Page.getAppManifest')).errors).toEqual([]);
    const { installabilityErrors } = await devtools.send('Page.getInstallabilityErrors');
    expect(installabilityErrors.filter((error) => error.errorId !== 'in-incognito')).toEqual([]);
    await devtools.detach();
    await context.setOffline(true);
    await page.reload();
    await page.getByRole('button', { name: '注册' }).waitFor();
    await shots.take(page, 'welcome-offline');

    // An API call offline fails with a clear message, not a blank screen.
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByLabel('手机号', { exact: true }).fill(randomPhone());
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.getByRole('alert').getByText('网络未连接').waitFor();
    await shots.take(page, 'sign-in-offline');

    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);
});

async function expectBalance(page: Page, text: string): Promise<void> {
  await expect.poll(() => page.getByTestId('balance').textContent(), { timeout: 10_000 }).toBe(text);
}
