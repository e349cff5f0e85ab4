/**
 * Money to and from banks in Chromium, with a virtual platform authenticator (the phone's
 * fingerprint or face): a holder adds a passkey, binds a card, tops up with the PIN, confirms a
 * withdrawal with the passkey, sends ¥200 to another person's bank account seeing the fee first
 * and then the status, and sends to an account whose bank refuses it later — a wrong PIN first,
 * then the passkey — seeing it go from processing to failed and refunded. Screenshots go to
 * test-results/screenshots/bank-transfer-journey/.
 *
 * Registration is through the screens; the real name and the PIN are set through the API in the
 * browser's own session (other browser tests cover their screens).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../e2e/server-process.ts';
import {
  addVirtualAuthenticator,
  openPhone,
  randomPhone,
  registerOnScreens,
  verifyAndSetPin,
  screenshots,
  startBrowserStack,
} from './browser.ts';
import type { BrowserStack } from './browser.ts';

const PASSWORD = 'Lotus-garden-88';
const PIN = '258036';
/** The sandbox bank's normal ICBC card (docs/bank-sandbox.md): the holder's own. */
const CARD = '6222021234567894';
/** Another person's CCB card: a normal account, credited at once. */
const PAYEE_ACCOUNT = '6227008888001234';
/** PSBC, magic 0051: the bank answers "pending", then fails it after its delay (5 s). */
const REFUSING_ACCOUNT = '6217998888060051';

describe('bank transfer journey', () => {
  let stack: BrowserStack;

  beforeAll(async () => {
    const port = await freePort();
    stack = await startBrowserStack({
      env: {
        PORT: String(port),
        // Passkeys need a host name, not an IP address.
        QIANBAO_PUBLIC_URL: `http://localhost:${port}`,
        BANK_SANDBOX_LATENCY_MS: '0',
        // The recovery worker asks the bank about a pending transfer a second after it stalls.
        FUNDING_RECOVERY_INTERVAL_MS: '500',
        FUNDING_RECOVERY_GRACE_SECONDS: '1',
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('tops up, withdraws with a passkey, transfers to bank accounts and follows their status', async () => {
    expect(new URL(stack.url).hostname).toBe('localhost');
    const shots = screenshots('bank-transfer-journey');
    const { page, problems, context } = await openPhone(stack);
    const authenticator = await addVirtualAuthenticator(page);

    // ---- A holder: registered on the screens; real name and PIN through the API ----
    const phone = randomPhone();
    await registerOnScreens(page, stack.url, { phone, password: PASSWORD });
    await verifyAndSetPin(page, stack.url, {
      phone,
      password: PASSWORD,
      legalName: '王芳',
      idNumber: '11010519491231002X',
      pin: PIN,
    });

    // ---- A passkey on this phone ----
    await page.goto('/me/security/passkeys');
    await page.getByRole('button', { name: '在本机添加通行密钥' }).click();
    await page.locator('.passkey-list').getByText('Chrome on Linux').waitFor();
    expect(await authenticator.credentials()).toHaveLength(1);

    // ---- Bind the card (the bank's SMS code) ----
    await page.goto('/cards/bind');
    await page.getByLabel('卡号').fill(CARD);
    await page.getByLabel('预留手机号').fill(phone);
    await page.getByRole('button', { name: '获取银行验证码' }).click();
    await page
      .getByTestId('card-verified')
      .getByText(/工商银行/)
      .waitFor();
    await page.getByLabel('验证码').fill(await bankSmsCode(stack.url, '7894'));
    await page.getByRole('button', { name: '确认绑定' }).click();
    await page.waitForURL('**/cards');
    await expect.poll(() => page.getByTestId('bank-card').textContent()).toContain('7894');

    // ---- Home: the money actions, "to bank" among them ----
    await page.goto('/');
    await expectBalance(page, '¥0.00');
    await shots.take(page, 'home-actions');

    // ---- Top up ¥1,000 with the PIN ----
    await page.getByRole('link', { name: '充值', exact: true }).click();
    await page.waitForURL('**/top-up');
    await page.getByRole('textbox', { name: '金额' }).fill('1000');
    await page.getByRole('button', { name: '确认充值' }).click();
    // The payment names what a passkey signs: the sheet offers the passkey too; the PIN is used here.
    await page.getByRole('button', { name: '使用通行密钥确认' }).waitFor();
    await typePin(page);
    await expect
      .poll(() => page.getByTestId('result-title').textContent(), { timeout: 15_000 })
      .toBe('充值成功');

    // ---- Withdraw ¥100 with the passkey ----
    await page.goto('/withdraw');
    await page.getByRole('textbox', { name: '金额' }).fill('100');
    await expect.poll(() => page.getByTestId('quote-total').textContent()).toMatch(/^¥100\.\d\d$/);
    await page.getByRole('button', { name: '确认提现' }).click();
    const usePasskey = page.getByRole('button', { name: '使用通行密钥确认' });
    await usePasskey.waitFor();
    await shots.take(page, 'withdraw-confirm-passkey');
    await usePasskey.click();
    await page.waitForURL('**/funding/*');
    await expect
      .poll(() => page.getByTestId('result-title').textContent(), { timeout: 15_000 })
      .toBe('提现成功');
    await shots.take(page, 'withdraw-passkey-result');

    // ---- Transfer ¥200 to another person's account: fee first, then the PIN, then the status ----
    await page.goto('/');
    await page.getByRole('link', { name: '转到银行卡', exact: true }).click();
    await page.waitForURL('**/bank-transfer');
    await page.getByLabel('收款银行').selectOption({ label: '中国建设银行' });
    await page.getByLabel('收款账号').fill(PAYEE_ACCOUNT);
    await expect.poll(() => page.getByLabel('收款账号').inputValue()).toBe('6227 0088 8800 1234');
    await page.getByLabel('收款人').fill('李明');
    await page.getByRole('textbox', { name: '金额' }).fill('200');
    await page.getByLabel('备注').fill('房租');
    await shots.take(page, 'bank-transfer-form');
    await page.getByRole('button', { name: '下一步' }).click();
    await expect.poll(() => page.getByTestId('bank-payee').textContent()).toBe('李明');
    expect(await page.getByTestId('bank-account').textContent()).toBe('中国建设银行 **** 1234');
    expect(await page.getByTestId('bank-fee').textContent()).toBe('¥0.20');
    expect(await page.getByTestId('bank-total').textContent()).toBe('¥200.20');
    await shots.take(page, 'bank-transfer-preview');
    await page.getByRole('button', { name: '确认转账' }).click();
    await expect.poll(() => page.getByTestId('confirm-amount').textContent()).toBe('¥200.20');
    await page.getByRole('button', { name: '使用通行密钥确认' }).waitFor();
    await shots.take(page, 'bank-transfer-pin');
    await typePin(page);
    await page.waitForURL('**/funding/*');
    await expect
      .poll(() => page.getByTestId('result-title').textContent(), { timeout: 15_000 })
      .toBe('转账成功');
    expect(await page.getByTestId('funding-payee').textContent()).toBe('*明');
    expect(await page.getByTestId('funding-fee').textContent()).toBe('¥0.20');
    await shots.take(page, 'bank-transfer-succeeded');

    // ---- To an account the bank refuses later: processing, then failed and refunded ----
    await page.goto('/bank-transfer');
    await page.getByLabel('收款银行').selectOption({ label: '中国邮政储蓄银行' });
    await page.getByLabel('收款账号').fill(REFUSING_ACCOUNT);
    await page.getByLabel('收款人').fill('赵强');
    await page.getByRole('textbox', { name: '金额' }).fill('50');
    await page.getByRole('button', { name: '下一步' }).click();
    await expect.poll(() => page.getByTestId('bank-total').textContent()).toBe('¥50.10');
    await page.getByRole('button', { name: '确认转账' }).click();
    // A wrong PIN first: the sheet says so and still offers the passkey. The refused confirm was
    // an attempt of the payment, so the passkey signs the next one: the payment is fetched again
    // (GET /v1/payments/:id) for the `payment` to sign, then confirmed with a new Idempotency-Key.
    const calls: { path: string; key: string | undefined }[] = [];
    page.on('request', (request) => {
      const { pathname } = new URL(request.url());
      if (pathname.startsWith('/v1/payments/')) {
        calls.push({ path: `${request.method()} ${pathname}`, key: request.headers()['idempotency-key'] });
      }
    });
    await page.locator('.adm-passcode-input-focused').waitFor();
    await page.keyboard.type('111111');
    await page.getByText('支付密码错误，还可以再试').waitFor();
    const passkeyAgain = page.getByRole('button', { name: '使用通行密钥确认' });
    await passkeyAgain.waitFor();
    await shots.take(page, 'bank-transfer-wrong-pin-then-passkey');
    await passkeyAgain.click();
    await page.waitForURL('**/funding/*');
    const paymentPath = /^\/v1\/payments\/[\w-]+/.exec(calls[0]?.path.split(' ')[1] ?? '')?.[0];
    expect(calls.map((call) => call.path)).toEqual([
      `POST ${paymentPath}/confirm`,
      `GET ${paymentPath}`,
      `POST ${paymentPath}/confirm`,
    ]);
    expect(calls[0]?.key).toBeDefined();
    expect(calls[2]?.key).toBeDefined();
    expect(calls[2]?.key).not.toBe(calls[0]?.key);
    await expect
      .poll(() => page.getByTestId('result-title').textContent(), { timeout: 15_000 })
      .toBe('转账处理中');
    await shots.take(page, 'bank-transfer-processing');
    await expect
      .poll(() => page.getByTestId('result-title').textContent(), { timeout: 30_000 })
      .toBe('转账失败，已退款');
    expect(await page.getByTestId('result-title').locator('xpath=..').textContent()).toContain(
      '银行拒绝了这笔交易，¥50.10 已退回钱包。',
    );
    const timeline = (await page.getByTestId('funding-timeline').textContent()) ?? '';
    expect(timeline).toContain('银行未成功，正在退款');
    expect(timeline).toContain('已退款至钱包');
    await shots.take(page, 'bank-transfer-refunded');

    // ---- The wallet and the history agree ----
    await page.goto('/');
    // 1,000.00 − 100.00 − 0.00 (free withdrawal) − 200.20; the refused 50.10 came back.
    await expectBalance(page, '¥699.80');
    await page.getByRole('link', { name: '账单', exact: true }).click();
    await page.waitForURL('**/history');
    const list = page.getByTestId('history-list');
    await expect.poll(() => list.textContent()).toContain('*明 · 中国建设银行 (1234)');
    const text = (await list.textContent()) ?? '';
    for (const amount of ['−¥200.00', '−¥0.20', '−¥50.00']) expect(text).toContain(amount);
    await shots.take(page, 'history');
    await list
      .getByRole('link', { name: /转账到银行卡.*房租/ })
      .first()
      .click();
    await page.waitForURL('**/history/*');
    await page.getByRole('link', { name: '查看转账进度' }).click();
    await page.waitForURL('**/funding/*');
    await expect.poll(() => page.getByTestId('result-title').textContent()).toBe('转账成功');

    // ---- The status page in English ----
    await page.evaluate("localStorage.setItem('qb_language', 'en')");
    await page.reload();
    await expect.poll(() => page.getByTestId('result-title').textContent()).toBe('Transfer succeeded');
    await shots.take(page, 'bank-transfer-english');

    expect(problems).toEqual([]);
    await context.close();
  }, 240_000);
});

async function bankSmsCode(baseUrl: string, last4: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const response = await fetch(`${baseUrl}/dev/bank/sms.json?cardLast4=${last4}`);
    const { codes } = (await response.json()) as { codes: { code: string }[] };
    if (codes[0]?.code) return codes[0].code;
    if (Date.now() > deadline) throw new Error(`no bank SMS code for card ${last4}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The PIN on a hardware keyboard, once the confirm sheet's number pad has the focus. */
async function typePin(page: Page): Promise<void> {
  await page.locator('.adm-passcode-input-focused').waitFor();
  await page.keyboard.type(PIN);
}

async function expectBalance(page: Page, text: string): Promise<void> {
  await expect.poll(() => page.getByTestId('balance').textContent(), { timeout: 10_000 }).toBe(text);
}
