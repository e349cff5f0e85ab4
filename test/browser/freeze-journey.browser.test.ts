/**
 * Freezing the wallet in Chromium (issue 11): a holder makes the wallet receive-only and sees the
 * banner; a second browser reports the phone lost (signed out: number, ID number, SMS code); the
 * first browser is signed out; the holder signs in again and unfreezes with an SMS code, the ID
 * number and the authenticator app. Then, in English, a full freeze lifted with a passkey of a
 * virtual platform authenticator. Screenshots go to test-results/screenshots/freeze-*.
 *
 * WebAuthn refuses IP-address origins, so the pages are opened at http://localhost:<port> and the
 * server is told that is its public URL.
 */
import { Secret, TOTP } from 'otpauth';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../e2e/server-process.ts';
import {
  addVirtualAuthenticator,
  latestSmsCode,
  openPhone,
  randomPhone,
  registerOnScreens,
  screenshots,
  startBrowserStack,
  verifyAndSetPin,
} from './browser.ts';
import type { BrowserStack } from './browser.ts';

const PASSWORD = 'Lotus-garden-88';
const PIN = '258036';

/** A resident ID number with a valid check digit, unique in this run (sandbox verifier: MATCH). */
function newIdNumber(): string {
  const sequence = String(Math.floor(Math.random() * 998)).padStart(3, '0');
  const body = `11010519900101${sequence}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((total, digit, index) => total + Number(digit) * (weights[index] ?? 0), 0);
  return body + '10X98765432'.charAt(sum % 11);
}

describe('freezing the wallet', () => {
  let stack: BrowserStack;

  beforeAll(async () => {
    const port = await freePort();
    // Codes may be asked again after 10 s (the least allowed), so a test need not wait a minute.
    stack = await startBrowserStack({
      env: {
        PORT: String(port),
        QIANBAO_PUBLIC_URL: `http://localhost:${port}`,
        SMS_RESEND_SECONDS: '10',
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('receive-only with a banner, the phone reported lost from another browser, unfrozen with SMS + ID + TOTP', async () => {
    const shots = screenshots('freeze-report-loss');
    const phone = randomPhone();
    const idNumber = newIdNumber();
    const a = await openPhone(stack);
    const page = a.page;
    await registerOnScreens(page, stack.url, { phone, password: PASSWORD });
    await verifyAndSetPin(page, stack.url, {
      phone,
      password: PASSWORD,
      legalName: '李明',
      idNumber,
      pin: PIN,
    });
    const totp = await enableTotpThroughApi(page);

    // ---- Security → 冻结钱包: the two modes, said plainly ----
    await page.goto('/me/security');
    const freezeRow = page.getByRole('link', { name: /冻结钱包/ });
    await expect.poll(() => freezeRow.textContent()).toContain('未冻结');
    await shots.take(page, 'security-centre');
    await freezeRow.click();
    await page.waitForURL('**/me/security/freeze');
    await page.getByText('钱包正常：可以付款，也可以收款。').waitFor();
    await page.getByText('暂停：付款、转账、提现，以及收款（别人无法向您转账）').waitFor();
    await shots.take(page, 'freeze-choose');

    await page.getByRole('button', { name: '设为只收不付' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('立即生效：仍可收款，但不能付款、转账或提现。').waitFor();
    await shots.take(page, 'freeze-confirm');
    await dialog.getByRole('button', { name: '确定冻结' }).click();
    await page.getByTestId('freeze-status').getByRole('heading', { name: '钱包只收不付' }).waitFor();
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.getByTestId('freeze-status').textContent()).toContain('由您本人冻结');
    await shots.take(page, 'freeze-receive-only');

    // ---- Home: the banner, with the way out ----
    await page.goto('/');
    const banner = page.getByTestId('freeze-banner');
    await banner.getByRole('heading', { name: '钱包只收不付' }).waitFor();
    expect(await banner.textContent()).toContain('可以收款，但不能付款、转账或提现。');
    await banner.getByRole('link', { name: '解冻' }).waitFor();
    await shots.take(page, 'home-banner-receive-only');

    // ---- Another browser, signed out: 手机丢了？立即挂失 ----
    const b = await openPhone(stack);
    await b.page.goto('/sign-in');
    await b.page.getByRole('link', { name: '手机丢了？立即挂失' }).click();
    await b.page.waitForURL('**/report-loss');
    await b.page.getByRole('heading', { name: '挂失手机' }).waitFor();
    await b.page.getByLabel('手机号', { exact: true }).fill(phone);
    // The ID number is checked before a code is sent.
    await b.page.getByLabel('身份证号', { exact: true }).fill('110105199001010011');
    await b.page.getByRole('button', { name: '获取验证码' }).click();
    await b.page.getByText('身份证号码校验位不正确').waitFor();
    await shots.take(b.page, 'report-loss-checked-first');
    await b.page.getByLabel('身份证号', { exact: true }).fill(idNumber);
    const before = new Date().toISOString();
    await b.page.getByRole('button', { name: '获取验证码' }).click();
    await b.page.getByText(/\d+ 秒后重发/).waitFor();
    await b.page
      .getByLabel('验证码', { exact: true })
      .fill(await latestSmsCode(stack.url, phone, { after: before }));
    await shots.take(b.page, 'report-loss-filled');
    await b.page.getByRole('button', { name: '确认挂失' }).click();
    const done = b.page.getByRole('status').filter({ hasText: '挂失成功' });
    await done.getByText('钱包已全部冻结：不能付款、转账、提现，也不能收款。').waitFor();
    expect(await done.textContent()).toContain('所有设备都已退出登录（结束了 1 个登录）');
    expect(await done.textContent()).toContain('如何解冻');
    await shots.take(b.page, 'report-loss-done');
    expect(b.problems).toEqual([]);
    await b.context.close();

    // ---- The first browser is signed out ----
    expect((await page.request.get('/v1/me')).status()).toBe(401);
    await page.reload();
    await page.waitForURL('**/sign-in');
    await page.getByText('登录已失效，请重新登录。').waitFor();
    await shots.take(page, 'signed-out');

    // ---- Signing in again: this device was marked lost, so an SMS code is asked too ----
    await page.getByLabel('手机号', { exact: true }).fill(phone);
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.getByText('这是您首次在此设备上登录').waitFor();
    const deviceBefore = new Date().toISOString();
    await page.getByRole('button', { name: '获取验证码' }).click();
    await page.getByText(/\d+ 秒后重发/).waitFor();
    await page
      .getByLabel('验证码', { exact: true })
      .fill(await latestSmsCode(stack.url, phone, { after: deviceBefore }));
    await page.getByRole('button', { name: '验证并登录' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await banner.getByRole('heading', { name: '钱包已全部冻结' }).waitFor();
    await shots.take(page, 'home-banner-full');

    // ---- Unfreeze: SMS code + ID number + the authenticator app (the passkey-less holder) ----
    await banner.getByRole('link', { name: '解冻' }).click();
    await page.waitForURL('**/me/security/unfreeze');
    await page.getByText('第三项：选择一种验证方式').waitFor();
    await page.getByLabel('身份证号', { exact: true }).fill(idNumber);
    const unfreezeBefore = new Date().toISOString();
    await page.getByRole('button', { name: '获取验证码' }).click();
    await page.getByText(/\d+ 秒后重发/).waitFor();
    await page
      .getByLabel('验证码', { exact: true })
      .fill(await latestSmsCode(stack.url, phone, { after: unfreezeBefore }));
    // A wrong code of the app first: said plainly, and the SMS code must be asked again.
    await page.getByLabel('动态码', { exact: true }).fill(wrongCode(totp.generate()));
    await page.getByRole('button', { name: '验证并解冻' }).click();
    await page.getByRole('alert').getByText('上一个验证码已失效，请重新获取').waitFor();
    await shots.take(page, 'unfreeze-wrong-totp');
    await page.waitForTimeout(10_500); // SMS_RESEND_SECONDS
    const retryBefore = new Date().toISOString();
    await page.getByRole('button', { name: '重新获取' }).click();
    await page.getByText(/\d+ 秒后重发/).waitFor();
    await page
      .getByLabel('验证码', { exact: true })
      .fill(await latestSmsCode(stack.url, phone, { after: retryBefore }));
    await page.getByLabel('动态码', { exact: true }).fill(await nextTotpCode(totp));
    await shots.take(page, 'unfreeze-filled');
    await page.getByRole('button', { name: '验证并解冻' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await banner.waitFor({ state: 'detached' });
    await shots.take(page, 'home-unfrozen');

    // ---- The inbox tells of each change ----
    await page.goto('/inbox');
    await page.getByText('钱包已解冻').first().waitFor();
    await page.getByText('手机已挂失').first().waitFor();
    await page.getByText('钱包已设为只收不付').first().waitFor();
    await shots.take(page, 'inbox');

    expect(a.problems).toEqual([]);
    await a.context.close();
  }, 240_000);

  it('in English: freeze everything, the banner, unfreeze with a passkey', async () => {
    const shots = screenshots('freeze-passkey-en');
    const phone = randomPhone();
    const idNumber = newIdNumber();
    const { page, problems, context } = await openPhone(stack);
    await addVirtualAuthenticator(page);
    await registerOnScreens(page, stack.url, { phone, password: PASSWORD });
    await verifyAndSetPin(page, stack.url, {
      phone,
      password: PASSWORD,
      legalName: '李明',
      idNumber,
      pin: PIN,
    });
    await page.evaluate("localStorage.setItem('qb_language', 'en')");

    // A passkey on this device, before the freeze.
    await page.goto('/me/security/passkeys');
    await page.getByRole('button', { name: 'Add a passkey on this device' }).click();
    await page.locator('.passkey-list').getByText('Chrome on Linux').waitFor();

    await page.goto('/me/security');
    await page.getByRole('link', { name: /Freeze wallet/ }).click();
    await page.waitForURL('**/me/security/freeze');
    await page.getByText('Your wallet works normally: you can pay and receive.').waitFor();
    await shots.take(page, 'freeze-choose');
    await page.getByRole('button', { name: 'Freeze everything' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Freeze the whole wallet?').waitFor();
    await shots.take(page, 'freeze-confirm');
    await dialog.getByRole('button', { name: 'Freeze' }).click();
    await page.getByTestId('freeze-status').getByRole('heading', { name: 'Wallet fully frozen' }).waitFor();
    await dialog.waitFor({ state: 'hidden' });
    await shots.take(page, 'freeze-full');

    await page.goto('/');
    const banner = page.getByTestId('freeze-banner');
    await banner.getByRole('heading', { name: 'Wallet fully frozen' }).waitFor();
    await shots.take(page, 'home-banner');

    await banner.getByRole('link', { name: 'Unfreeze' }).click();
    await page.waitForURL('**/me/security/unfreeze');
    await page.getByText('Third: choose how to confirm').waitFor();
    await page.getByLabel('ID number', { exact: true }).fill(idNumber);
    const before = new Date().toISOString();
    await page.getByRole('button', { name: 'Get code' }).click();
    await page.getByText(/Resend in \d+s/).waitFor();
    await page
      .getByLabel('Code', { exact: true })
      .fill(await latestSmsCode(stack.url, phone, { after: before }));
    await shots.take(page, 'unfreeze-filled');
    await page.getByRole('button', { name: 'Confirm with passkey and unfreeze' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await banner.waitFor({ state: 'detached' });
    await shots.take(page, 'home-unfrozen');

    // The report-loss screen in English, signed out or not (nothing needs a session there).
    await page.goto('/report-loss');
    await page.getByRole('heading', { name: 'Report a lost phone' }).waitFor();
    await page.getByLabel('Phone', { exact: true }).fill('1234');
    await page.getByRole('button', { name: 'Get code' }).click();
    await page.getByText('Enter a valid mobile number and ID number first, then get the code').waitFor();
    await shots.take(page, 'report-loss');

    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);
});

/** Two-step verification on through the API, as the signed-in page's holder: its TOTP generator. */
async function enableTotpThroughApi(page: Page): Promise<TOTP> {
  const setup = await page.request.post('/v1/me/totp/setup', { data: {} });
  expect(setup.status()).toBe(200);
  const { secret } = (await setup.json()) as { secret: string };
  const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
  const enable = await page.request.post('/v1/me/totp/enable', { data: { code: totp.generate() } });
  expect(enable.status(), await enable.text()).toBe(200);
  return totp;
}

/** A code of the app not yet used: the one enabling spent may still be the current one. */
async function nextTotpCode(totp: TOTP): Promise<string> {
  const msIntoStep = Date.now() % 30_000;
  await new Promise((resolve) => setTimeout(resolve, 30_000 - msIntoStep + 200));
  return totp.generate();
}

function wrongCode(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}
