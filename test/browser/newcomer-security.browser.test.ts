/**
 * A newcomer's first ten minutes, the screens that are not about moving money (issue 9):
 * recovering a forgotten login password from the sign-in screen; a forgotten payment PIN (the
 * login password checked before the PIN is typed, the ID number of a verified wallet); the
 * password-free switch in the security centre; scanning an uploaded QR picture in a browser
 * without BarcodeDetector; and a money notice in the inbox opening its transaction. Chinese and
 * English screenshots go to test-results/screenshots/newcomer-*.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN } from '../../apps/server/src/testing.ts';
import {
  latestSmsCode,
  openPhone,
  randomPhone,
  registerOnScreens,
  registerThroughApi,
  screenshots,
  startBrowserStack,
  verifyAndSetPin,
} from './browser.ts';
import type { BrowserStack } from './browser.ts';
import { TransferCodes } from '../../apps/server/src/platform/codes.ts';

const PASSWORD = 'Lotus-garden-88';
const NEW_PASSWORD = 'Harbor-lantern-57';
const PIN = '258036';
const NEW_PIN = '370258';

/** A resident ID number with a valid check digit, unique in this run (sandbox verifier: MATCH). */
function newIdNumber(birthDate = '19900101'): string {
  const sequence = String(Math.floor(Math.random() * 998)).padStart(3, '0');
  const body = `110105${birthDate}${sequence}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((total, digit, index) => total + Number(digit) * (weights[index] ?? 0), 0);
  return body + '10X98765432'.charAt(sum % 11);
}

describe('a newcomer’s first ten minutes', () => {
  let stack: BrowserStack;
  let folder: string;

  beforeAll(async () => {
    // Codes may be asked again after 10 s (the least allowed), so a test need not wait a minute.
    stack = await startBrowserStack({ env: { BANK_SANDBOX_LATENCY_MS: '0', SMS_RESEND_SECONDS: '10' } });
    folder = mkdtempSync(path.join(tmpdir(), 'qianbao-qr-'));
  });
  afterAll(async () => {
    await stack?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('recovers a forgotten login password from the sign-in screen and signs in with the new one', async () => {
    const shots = screenshots('newcomer-forgot-password');
    const phone = randomPhone();
    await registerThroughApi(stack.url, { phone, password: PASSWORD });
    const { page, problems } = await openPhone(stack);

    await page.goto('/sign-in');
    await page.getByLabel('手机号', { exact: true }).fill(phone);
    await page.getByRole('link', { name: '忘记密码？' }).click();
    await page.waitForURL('**/forgot-password');
    // The number typed on the sign-in screen came along.
    expect(await page.getByLabel('手机号', { exact: true }).inputValue()).toBe(phone);
    const before = new Date().toISOString();
    await page.getByRole('button', { name: '获取验证码' }).click();
    await page.getByText(/\d+ 秒后重发/).waitFor();
    await page
      .getByLabel('验证码', { exact: true })
      .fill(await latestSmsCode(stack.url, phone, { after: before }));
    await page.getByLabel('新密码', { exact: true }).fill(NEW_PASSWORD);
    await shots.take(page, 'forgot-password-filled');
    await page.getByRole('button', { name: '重置密码' }).click();

    // Back at sign-in, told what happened, the number filled in.
    await page.waitForURL('**/sign-in');
    await page.getByRole('status').getByText('登录密码已重置').waitFor();
    expect(await page.getByLabel('手机号', { exact: true }).inputValue()).toBe(phone);
    await shots.take(page, 'sign-in-after-reset');

    // The old password no longer works; the new one does (this browser is a new device: SMS too).
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.getByRole('alert').getByText('手机号或密码错误').waitFor();
    await page.getByLabel('密码', { exact: true }).fill(NEW_PASSWORD);
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
    expect(problems).toEqual([]);

    // The same screens in English.
    const english = await openEnglish(stack);
    await english.page.goto('/sign-in');
    await english.page.getByRole('link', { name: 'Forgot password?' }).waitFor();
    await shots.take(english.page, 'en-sign-in');
    await english.page.getByRole('link', { name: 'Forgot password?' }).click();
    await english.page.getByRole('heading', { name: 'Reset login password' }).waitFor();
    await shots.take(english.page, 'en-forgot-password');
    await english.context.close();
  }, 180_000);

  it('resets a forgotten PIN: the login password is checked first, then the ID number is asked', async () => {
    const shots = screenshots('newcomer-forgot-pin');
    const phone = randomPhone();
    const idNumber = newIdNumber();
    const { page, problems } = await openPhone(stack);
    await registerOnScreens(page, stack.url, { phone, password: PASSWORD });
    await verifyAndSetPin(page, stack.url, {
      phone,
      password: PASSWORD,
      legalName: '李明',
      idNumber,
      pin: PIN,
    });
    const pinSetAt = Date.now();

    // Where "忘记支付密码？" of the confirmation sheet leads.
    await page.goto('/me/security/pin?forgot=1');
    await page.getByRole('heading', { name: '重置支付密码' }).waitFor();
    await page.getByLabel('登录密码', { exact: true }).fill('Not-my-password-1');
    // The code that set the first PIN was sent moments ago: wait out the re-send interval.
    await page.waitForTimeout(Math.max(0, pinSetAt + 10_500 - Date.now()));
    const before = new Date().toISOString();
    await page.getByRole('button', { name: '获取验证码' }).click();
    await page.getByText(/\d+ 秒后重发/).waitFor();
    const code = await latestSmsCode(stack.url, phone, { after: before });
    await page.getByLabel('验证码', { exact: true }).fill(code);
    await page.getByLabel('身份证号', { exact: true }).fill(idNumber);
    await shots.take(page, 'forgot-pin-verify');
    await page.getByRole('button', { name: '下一步' }).click();
    // Said at once, before any PIN is typed; the code stays for the next try.
    await page.getByRole('alert').getByText('登录密码错误').waitFor();
    expect(await page.getByRole('heading', { name: '请设置 6 位支付密码' }).count()).toBe(0);
    expect(await page.getByLabel('验证码', { exact: true }).inputValue()).toBe(code);
    await shots.take(page, 'forgot-pin-wrong-password');

    await page.getByLabel('登录密码', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: '下一步' }).click();
    await page.getByRole('heading', { name: '请设置 6 位支付密码' }).waitFor();
    await page.locator('.adm-passcode-input-focused').waitFor();
    await page.keyboard.type(NEW_PIN);
    await page.getByRole('heading', { name: '请再次输入支付密码' }).waitFor();
    await page.locator('.adm-passcode-input-focused').waitFor();
    await page.keyboard.type(NEW_PIN);
    await page.waitForURL('**/me/security');
    await shots.take(page, 'forgot-pin-done');

    // The new PIN is the one that works now.
    const old = await page.request.put('/v1/me/password-free', {
      data: { limit: { amount: '0', currency: 'CNY' }, pin: PIN },
    });
    expect(old.status()).toBe(422);
    const current = await page.request.put('/v1/me/password-free', {
      data: { limit: { amount: '0', currency: 'CNY' }, pin: NEW_PIN },
    });
    expect(current.status(), await current.text()).toBe(200);
    expect(problems).toEqual([]);

    const english = await openEnglish(stack, page.context());
    await english.page.goto('/me/security/pin?forgot=1');
    await english.page.getByRole('heading', { name: 'Reset payment PIN' }).waitFor();
    await shots.take(english.page, 'en-forgot-pin');
    await english.page.close();
  }, 180_000);

  it('turns password-free payments on with a limit the server allows, confirmed by the PIN', async () => {
    const shots = screenshots('newcomer-password-free');
    const phone = randomPhone();
    const { page, problems } = await openPhone(stack);
    await registerOnScreens(page, stack.url, { phone, password: PASSWORD });
    await verifyAndSetPin(page, stack.url, {
      phone,
      password: PASSWORD,
      legalName: '王芳',
      idNumber: newIdNumber('19880808'),
      pin: PIN,
    });

    await page.goto('/me/security');
    const row = page.getByRole('link', { name: /小额免密支付/ });
    await expect.poll(() => row.textContent()).toContain('未开启');
    await shots.take(page, 'security-centre');
    await row.click();
    await page.waitForURL('**/me/security/password-free');
    await page.getByText('每天合计不超过 ¥1,000.00').waitFor();
    await page.getByRole('switch', { name: '小额免密支付' }).click();
    // The choices stop at the server's highest limit (¥200.00 by default).
    await page.getByText('每笔不超过 ¥200.00').waitFor();
    expect(await page.getByText('每笔不超过 ¥500.00').count()).toBe(0);
    await page.getByText('每笔不超过 ¥100.00').click();
    await shots.take(page, 'password-free-choose');
    await page.getByRole('button', { name: '保存设置' }).click();

    const sheet = page.getByRole('dialog');
    await sheet.getByText('开启小额免密，每笔不超过 ¥100.00').waitFor();
    await page.locator('.adm-passcode-input-focused').waitFor();
    await page.keyboard.type('147036');
    await sheet.getByRole('alert').getByText('支付密码错误，还可以再试 4 次').waitFor();
    await shots.take(page, 'password-free-wrong-pin');
    await page.keyboard.type(PIN);
    await page.locator('.adm-list-item-description').getByText('已开启，每笔不超过 ¥100.00').waitFor();
    await shots.take(page, 'password-free-on');

    const security = await page.request.get('/v1/me/security');
    expect(((await security.json()) as { passwordFree: unknown }).passwordFree).toMatchObject({
      enabled: true,
      limit: { amount: '10000', currency: 'CNY' },
    });
    await page.goto('/me/security');
    await expect.poll(() => row.textContent()).toContain('每笔 ¥100.00');
    expect(problems).toEqual([]);

    const english = await openEnglish(stack, page.context());
    await english.page.goto('/me/security/password-free');
    await english.page
      .locator('.adm-list-item-description')
      .getByText('On, up to ¥100.00 per payment')
      .waitFor();
    await shots.take(english.page, 'en-password-free');
    await english.page.close();
  }, 180_000);

  it('reads an uploaded QR picture without BarcodeDetector, and a money notice opens its transaction', async () => {
    const shots = screenshots('newcomer-scan-inbox');
    const payer = await openPhone(stack);
    const payee = await openPhone(stack);
    // The browsers the PWA must serve without a native detector (iOS Safari, Firefox …).
    await payer.context.addInitScript(() => {
      delete (globalThis as { BarcodeDetector?: unknown }).BarcodeDetector;
    });
    const payerPhone = randomPhone();
    const payeePhone = randomPhone();
    await registerOnScreens(payer.page, stack.url, { phone: payerPhone, password: PASSWORD });
    await verifyAndSetPin(payer.page, stack.url, {
      phone: payerPhone,
      password: PASSWORD,
      legalName: '王芳',
      idNumber: newIdNumber('19851212'),
      pin: PIN,
    });
    await registerOnScreens(payee.page, stack.url, { phone: payeePhone, password: PASSWORD });
    await verifyAndSetPin(payee.page, stack.url, {
      phone: payeePhone,
      password: PASSWORD,
      legalName: '李明',
      idNumber: newIdNumber('19920303'),
      pin: PIN,
    });

    // ---- Scan: the payee's receive code as a picture, uploaded ----
    const receive = await payee.page.request.get('/v1/me/receive-code');
    expect(receive.status()).toBe(200);
    const { payload } = (await receive.json()) as { payload: string };
    const picture = path.join(folder, 'receive-code.png');
    await QRCode.toFile(picture, payload, { width: 480, margin: 4 });

    await payer.page.goto('/scan');
    expect(await payer.page.evaluate(() => 'BarcodeDetector' in globalThis)).toBe(false);
    await shots.take(payer.page, 'scan');
    // ZXing is loaded on demand and decodes in JavaScript: on a loaded 2-core CI machine that
    // has taken more than the default 30 s (seen in full runs; 1–2 s alone). The picture is chosen
    // again, as a person would, while the page is still here after 30 s or says it found no code
    // (at most three times; what happened is kept). "No code" three times in a row was ZXing's
    // finder missing about 1 in 20 of the (random) receive codes: qr-reader.ts reads those as
    // pure barcodes now.
    const decoded = (url: URL) => url.pathname === '/transfer' && url.searchParams.get('toQr') === payload;
    const shown: string[] = [];
    for (let attempt = 1; ; attempt += 1) {
      await payer.page.locator('input[type=file]').setInputFiles(picture);
      const outcome = await Promise.race([
        payer.page.waitForURL(decoded, { timeout: 30_000 }).then(() => 'decoded' as const),
        payer.page
          .getByText('图片中没有找到二维码')
          .waitFor({ timeout: 30_000 })
          .then(() => 'problem' as const),
      ]).catch(() => 'slow' as const);
      if (outcome === 'decoded') break;
      shown.push(outcome === 'problem' ? 'the page said 图片中没有找到二维码' : 'still on /scan after 30 s');
      // What the page logged says why (a decoder that did not load, or a picture read as no code).
      expect(attempt, [...shown, ...payer.problems].join('; ')).toBeLessThan(3);
      if (outcome === 'problem') await payer.page.reload();
    }
    await payer.page.getByText('已扫描收款码').waitFor();
    await shots.take(payer.page, 'scan-decoded-payee');

    // ---- A transfer, so the payee gets a money notice ----
    await fund(stack.url, payer.page, 10_000n);
    const sent = await payer.page.request.post('/v1/me/transfers', {
      headers: { 'idempotency-key': randomUUID() },
      data: { toPhone: payeePhone, amount: { amount: '1234', currency: 'CNY' }, confirmation: { pin: PIN } },
    });
    expect(sent.status(), await sent.text()).toBe(201);
    const { id: transferId } = (await sent.json()) as { id: string };

    await payee.page.goto('/inbox');
    const notice = payee.page.getByRole('button', { name: /收到转账 ¥12\.34/ });
    await notice.waitFor();
    await shots.take(payee.page, 'inbox');
    await notice.click();
    await payee.page.waitForURL(`**/history/${transferId}`);
    await expect.poll(() => payee.page.getByTestId('detail-amount').textContent()).toBe('+¥12.34');
    await shots.take(payee.page, 'inbox-opened-transaction');
    expect(payer.problems).toEqual([]);
    expect(payee.problems).toEqual([]);

    const english = await openEnglish(stack, payee.context);
    await english.page.goto('/inbox');
    await english.page.getByRole('button', { name: /Received ¥12\.34/ }).click();
    await english.page.waitForURL(`**/history/${transferId}`);
    await shots.take(english.page, 'en-inbox-opened-transaction');
    await english.page.close();
  }, 240_000);
});

/**
 * English: a page of `context` (signed in as its holder) or of a fresh profile, with the
 * language chosen as the app remembers it.
 */
async function openEnglish(
  stack: BrowserStack,
  context?: BrowserContext,
): Promise<{ page: Page; context: BrowserContext }> {
  const own = context ?? (await openPhone(stack)).context;
  const page = await own.newPage();
  await page.addInitScript("localStorage.setItem('qb_language', 'en')");
  return { page, context: own };
}

/** Money into the signed-in page's wallet straight through the ledger API, from a system account. */
async function fund(baseUrl: string, page: Page, amountMinor: bigint): Promise<void> {
  const me = (await (await page.request.get('/v1/me')).json()) as { walletAccountId: string };
  const headers = { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' };
  const bank = randomUUID();
  const accounts = await fetch(`${baseUrl}/v1/ledger/accounts`, {
    method: 'POST',
    headers,
    body: JSON.stringify([{ id: bank, currency: 'CNY', code: 1, ownerRef: 'system:test-bank' }]),
  });
  expect(accounts.status, await accounts.text()).toBe(200);
  const transfers = await fetch(`${baseUrl}/v1/ledger/transfers`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      transfers: [
        {
          id: randomUUID(),
          debitAccountId: bank,
          creditAccountId: me.walletAccountId,
          amount: amountMinor.toString(),
          currency: 'CNY',
          code: TransferCodes.testFunding,
        },
      ],
    }),
  });
  expect(transfers.status, await transfers.text()).toBe(200);
}
