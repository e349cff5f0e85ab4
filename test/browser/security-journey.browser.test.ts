/**
 * The security journey in Chromium with a virtual platform authenticator (the phone's fingerprint
 * or face): register → real-name verification → transaction PIN → a passkey → two-step
 * verification → sign out → sign in with the passkey → the balance and tier T1 on the home
 * screen. Screenshots of every screen go to test-results/screenshots/security-journey/.
 *
 * WebAuthn refuses IP-address origins, so the page is opened at http://localhost:<port> and the
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
} from './browser.ts';
import type { BrowserStack } from './browser.ts';

const PASSWORD = 'Lotus-garden-88';
/** Sandbox verifier: MATCH. Born 1990-01-01, so the PIN 900101 is refused as the birth date. */
const ID_MATCH = '110105199001010010';
/** Sandbox verifier: MISMATCH (sequence 999). */
const ID_MISMATCH = '110105199001019998';
const PIN = '258036';
/** A 1 × 1 PNG: the server checks the type by the bytes. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

describe('security journey', () => {
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

  it('verifies the real name, sets a PIN, adds a passkey and two-step, signs in with the passkey', async () => {
    expect(new URL(stack.url).hostname).toBe('localhost');
    const shots = screenshots('security-journey');
    const { page, problems, context } = await openPhone(stack);
    const authenticator = await addVirtualAuthenticator(page);
    const phone = randomPhone();

    // ---- Register ----
    await registerOnScreens(page, stack.url, { phone, password: PASSWORD });
    await expectBalance(page, '¥0.00');
    const tierCard = page.getByTestId('tier-card');
    await expect.poll(() => tierCard.textContent()).toContain('T0 · 未实名');
    await expect.poll(() => tierCard.textContent()).toContain('实名认证可提高限额');
    await shots.take(page, 'home-t0');

    // ---- Real-name verification, from the home screen's tier card ----
    await tierCard.click();
    await page.waitForURL('**/me/real-name');
    await page.getByRole('table').waitFor();
    await shots.take(page, 'real-name');

    await page.getByLabel('真实姓名', { exact: true }).fill('李明');
    // A typo is caught while typing (the server would say the same: INVALID_ID_NUMBER checksum).
    await page.getByLabel('身份证号', { exact: true }).fill('110105199001010011');
    await page.getByText('身份证号码校验位不正确').waitFor();
    await shots.take(page, 'real-name-checksum-hint');

    await page.getByLabel('身份证号', { exact: true }).fill(ID_MISMATCH);
    await page.getByRole('button', { name: '提交认证' }).click();
    await page.getByRole('alert').getByText('姓名与身份证号码不一致').waitFor();
    await shots.take(page, 'real-name-mismatch');

    await page.getByLabel('身份证号', { exact: true }).fill(ID_MATCH);
    await page.getByRole('button', { name: '提交认证' }).click();
    await expect.poll(() => page.getByTestId('kyc-tier').textContent()).toBe('T1 · 已实名');
    expect(await page.getByTestId('masked-name').textContent()).toBe('*明');
    expect(await page.getByTestId('masked-id').textContent()).toBe('1101**********0010');
    // The full number never reaches the page.
    expect(await page.content()).not.toContain(ID_MATCH);
    await shots.take(page, 'real-name-verified');

    // T3: ID card both sides and a selfie, for an operator's review.
    for (const kind of ['id_front', 'id_back', 'selfie']) {
      await page
        .locator(`input[type=file][name=${kind}]`)
        .setInputFiles({ name: `${kind}.png`, mimeType: 'image/png', buffer: PNG });
    }
    await page.getByText('已选择，点按更换').nth(2).waitFor();
    await page.getByRole('button', { name: '提交审核' }).click();
    await expect.poll(() => page.getByTestId('review-status').textContent()).toBe('审核中');
    // A full-page picture of a scrolled page would show the sticky title bar mid-page.
    await page.evaluate('window.scrollTo(0, 0)');
    await shots.take(page, 'documents-in-review');

    // ---- The security centre ----
    await page.goBack();
    await page.waitForURL((url) => url.pathname === '/');
    await expect.poll(() => tierCard.textContent()).toContain('T1 · 已实名');
    await page
      .getByRole('navigation', { name: '主导航' })
      .getByRole('link', { name: '我的', exact: true })
      .click();
    await page.getByRole('link', { name: /实名认证/ }).waitFor();
    await shots.take(page, 'me');
    await page.getByRole('link', { name: '安全中心' }).click();
    await page.waitForURL('**/me/security');
    const pinRow = page.getByRole('link', { name: /支付密码/ });
    await expect.poll(() => pinRow.textContent()).toContain('未设置');
    await shots.take(page, 'security-centre');

    // ---- Transaction PIN: password + SMS code, then the PIN twice on the number pad ----
    await pinRow.click();
    await page.waitForURL('**/me/security/pin');
    await page.getByLabel('登录密码', { exact: true }).fill(PASSWORD);
    const before = new Date().toISOString();
    await page.getByRole('button', { name: '获取验证码' }).click();
    await page.getByText(/\d+ 秒后重发/).waitFor();
    await page
      .getByLabel('验证码', { exact: true })
      .fill(await latestSmsCode(stack.url, phone, { after: before }));
    await shots.take(page, 'pin-verify');
    await page.getByRole('button', { name: '下一步' }).click();

    await page.getByRole('heading', { name: '请设置 6 位支付密码' }).waitFor();
    // The number pad slides up by itself.
    await numberPad(page).getByRole('button', { name: '1', exact: true }).waitFor();
    // An easy PIN is refused at once, with the reason.
    await tapDigits(page, '123456');
    await page.getByRole('alert').getByText('支付密码不能是连续的数字').waitFor();
    await shots.take(page, 'pin-too-simple');
    // The birth date only the server knows: refused after the second entry (PIN_TOO_SIMPLE birthDate).
    await tapDigits(page, '900101');
    await page.getByRole('heading', { name: '请再次输入支付密码' }).waitFor();
    await tapDigits(page, '900101');
    await page.getByRole('alert').getByText('支付密码不能是您的出生日期').waitFor();
    await page.getByRole('heading', { name: '请设置 6 位支付密码' }).waitFor();
    await shots.take(page, 'pin-birth-date');

    await tapDigits(page, PIN.slice(0, 4));
    await shots.take(page, 'pin-entering');
    await tapDigits(page, PIN.slice(4));
    await page.getByRole('heading', { name: '请再次输入支付密码' }).waitFor();
    // The second time with a hardware keyboard, once the field has taken the focus.
    await page.locator('.adm-passcode-input-focused').waitFor();
    await page.keyboard.type(PIN);
    await page.waitForURL('**/me/security');
    await expect.poll(() => pinRow.textContent()).toContain('修改');
    await shots.take(page, 'pin-set');

    // ---- A passkey on this device ----
    await page.getByRole('link', { name: /通行密钥/ }).click();
    await page.waitForURL('**/me/security/passkeys');
    await page.getByText('还没有通行密钥').waitFor();
    await shots.take(page, 'passkeys-empty');
    await page.getByRole('button', { name: '在本机添加通行密钥' }).click();
    const passkeys = page.locator('.passkey-list');
    await passkeys.getByText('Chrome on Linux').waitFor();
    expect(await authenticator.credentials()).toHaveLength(1);
    await shots.take(page, 'passkey-added');

    await passkeys.getByRole('button', { name: '重命名 Chrome on Linux' }).click();
    const renameDialog = page.getByRole('dialog');
    await renameDialog.getByLabel('名称').fill('我的手机');
    await shots.take(page, 'passkey-rename');
    await renameDialog.getByRole('button', { name: '保存' }).click();
    await passkeys.getByText('我的手机').waitFor();
    await renameDialog.waitFor({ state: 'hidden' });
    await shots.take(page, 'passkey-renamed');

    // ---- Two-step verification ----
    await page.getByLabel('返回', { exact: true }).click();
    await page.waitForURL('**/me/security');
    await expect.poll(() => page.getByRole('link', { name: /通行密钥/ }).textContent()).toContain('1 个');
    await page.getByRole('link', { name: /两步验证/ }).click();
    await page.waitForURL('**/me/security/two-step');
    await page.getByRole('button', { name: '开启两步验证' }).click();
    await page.getByRole('img', { name: '两步验证二维码' }).waitFor();
    const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    await shots.take(page, 'totp-setup');
    const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
    await page.getByLabel('验证码', { exact: true }).fill(totp.generate());
    await page.getByRole('button', { name: '验证并开启' }).click();
    const codes = page.getByTestId('recovery-codes').locator('li');
    await expect.poll(() => codes.count()).toBe(10);
    await shots.take(page, 'totp-recovery-codes');
    await page.getByRole('button', { name: '我已保存恢复码' }).click();
    await page.waitForURL('**/me/security');
    await expect.poll(() => page.getByRole('link', { name: /两步验证/ }).textContent()).toContain('已开启');
    await shots.take(page, 'security-all-set');

    // ---- Sign out, sign in with the passkey ----
    await page.getByLabel('返回', { exact: true }).click();
    await page.waitForURL('**/me');
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.getByRole('dialog').getByRole('button', { name: '退出登录' }).click();
    await page.waitForURL('**/sign-in');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    expect((await page.request.get('/v1/me')).status()).toBe(401);
    await page.getByRole('button', { name: '使用通行密钥登录' }).waitFor();
    await shots.take(page, 'sign-in');

    await page.getByRole('button', { name: '使用通行密钥登录' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await expectBalance(page, '¥0.00');
    await expect.poll(() => tierCard.textContent()).toContain('T1 · 已实名');
    await shots.take(page, 'home-after-passkey');

    expect(problems).toEqual([]);
    await context.close();
  }, 240_000);
});

/** Taps digits on the app's number pad. */
async function tapDigits(page: Page, digits: string): Promise<void> {
  const pad = numberPad(page);
  for (const digit of digits) await pad.getByRole('button', { name: digit, exact: true }).click();
}

function numberPad(page: Page) {
  return page.locator('.adm-number-keyboard-popup .adm-popup-body');
}

async function expectBalance(page: Page, text: string): Promise<void> {
  await expect.poll(() => page.getByTestId('balance').textContent(), { timeout: 10_000 }).toBe(text);
}
