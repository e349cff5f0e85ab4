/**
 * The money journey in Chromium, two holders side by side (two browser profiles): A binds a
 * bank card, tops up ¥500, sends ¥12.34 to B by phone — B's open page shows it arrive live —
 * pays B's receive code, pays B's payment request through its link, withdraws ¥100 seeing the
 * fee, and finds every movement in the history. Screenshots go to
 * test-results/screenshots/money-journey/.
 *
 * Registration and real-name verification (covered by the other browser tests) and the PIN (the
 * security journey sets one through its screen) are set up through the API, in each browser's
 * own session; everything about money goes through the screens.
 */
import { renameSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../apps/cli/src/testing.ts';
import { freePort } from '../e2e/server-process.ts';
import {
  openPhone,
  randomPhone,
  registerOnScreens,
  screenshots,
  startBrowserStack,
  verifyAndSetPin,
} from './browser.ts';
import type { BrowserStack, PhonePage } from './browser.ts';

const PASSWORD = 'Lotus-garden-88';
const PIN = '258036';
/** The sandbox bank's normal ICBC card (docs/bank-sandbox.md). */
const CARD = '6222021234567894';

/** A resident ID number with a valid check digit (sandbox verifier: MATCH unless sequence 999). */
function idNumber(body17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body17].reduce((total, digit, index) => total + Number(digit) * (weights[index] ?? 0), 0);
  return body17 + '10X98765432'.charAt(sum % 11);
}

interface Holder extends PhonePage {
  phone: string;
  name: string;
}

describe('money journey', () => {
  let stack: BrowserStack;

  beforeAll(async () => {
    const port = await freePort();
    stack = await startBrowserStack({
      env: {
        PORT: String(port),
        QIANBAO_PUBLIC_URL: `http://localhost:${port}`,
        // ¥50 of free withdrawals a month, so the ¥100 withdrawal shows a fee (0.1%, at least ¥0.10).
        WITHDRAWAL_FREE_MONTHLY_MINOR: '5000',
        BANK_SANDBOX_LATENCY_MS: '0',
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('binds a card, tops up, sends by phone and by code, pays a request, withdraws, and lists it all', async () => {
    expect(new URL(stack.url).hostname).toBe('localhost');
    const shots = screenshotsWithToasts('money-journey');
    const a = await holder(stack, '王芳', idNumber('11010519900101002'));
    const b = await holder(stack, '李明', idNumber('31011519880808003'));
    // Every payment A makes goes through the payment resource (docs/payments.md).
    const posted: string[] = [];
    a.page.on('request', (request) => {
      if (request.method() === 'POST') posted.push(new URL(request.url()).pathname);
    });

    // ---- A: home with the money actions ----
    await a.page.goto('/');
    await expectBalance(a.page, '¥0.00');
    await shots.take(a.page, 'a-home');

    // ---- A binds a card: number (Luhn hint) + phone → the bank's SMS code → bound ----
    await a.page
      .getByRole('navigation', { name: '资金' })
      .getByRole('link', { name: '银行卡', exact: true })
      .click();
    await a.page.waitForURL('**/cards');
    await a.page.getByText('绑定本人名下的储蓄卡后，可以充值和提现').waitFor();
    await shots.take(a.page, 'a-cards-empty');
    await a.page.getByRole('link', { name: '添加银行卡' }).click();
    await a.page.waitForURL('**/cards/bind');
    await a.page.getByLabel('卡号').fill('6222021234567895');
    await a.page.getByTestId('luhn-hint').getByText('卡号有误，请核对').waitFor();
    await a.page.getByLabel('卡号').fill(CARD);
    await a.page.getByTestId('luhn-hint').getByText('卡号格式正确').waitFor();
    await a.page.getByLabel('预留手机号').fill(a.phone);
    await shots.take(a.page, 'a-bind-card');
    await a.page.getByRole('button', { name: '获取银行验证码' }).click();
    await a.page
      .getByTestId('card-verified')
      .getByText(/工商银行/)
      .waitFor();
    await a.page.getByLabel('验证码').fill(await bankSmsCode(stack.url, '7894'));
    await shots.take(a.page, 'a-bind-card-code');
    await a.page.getByRole('button', { name: '确认绑定' }).click();
    await a.page.waitForURL('**/cards');
    const card = a.page.getByTestId('bank-card');
    await expect.poll(() => card.textContent()).toContain('7894');
    expect(await card.textContent()).toContain('默认');
    await shots.take(a.page, 'a-card-bound');

    // ---- A tops up ¥500 with the PIN ----
    await a.page.goto('/');
    await a.page.getByRole('link', { name: '充值', exact: true }).click();
    await a.page.waitForURL('**/top-up');
    await a.page.getByRole('textbox', { name: '金额' }).fill('500');
    await shots.take(a.page, 'a-top-up');
    await a.page.getByRole('button', { name: '确认充值' }).click();
    await typePin(a.page);
    await a.page.waitForURL('**/funding/*');
    await expect
      .poll(() => a.page.getByTestId('result-title').textContent(), { timeout: 15_000 })
      .toBe('充值成功');
    await shots.take(a.page, 'a-top-up-result');
    await a.page.goto('/');
    await expectBalance(a.page, '¥500.00');

    // ---- B waits on the home screen ----
    await b.page.goto('/');
    await expectBalance(b.page, '¥0.00');
    await shots.take(b.page, 'b-home-waiting');

    // ---- A sends ¥12.34 to B's number: the masked name and the limits first ----
    await a.page.getByRole('link', { name: '转账', exact: true }).click();
    await a.page.waitForURL('**/transfer');
    await a.page.getByLabel('对方手机号').fill(b.phone);
    await a.page.getByRole('textbox', { name: '金额' }).fill('12.34');
    await a.page.getByLabel('备注').fill('午饭');
    await shots.take(a.page, 'a-transfer-form');
    await a.page.getByRole('button', { name: '下一步' }).click();
    await expect.poll(() => a.page.getByTestId('payee-name').textContent()).toBe('*明');
    expect(await a.page.getByTestId('preview-amount').textContent()).toBe('¥12.34');
    expect(await a.page.getByTestId('preview-daily-left').textContent()).toMatch(/^今日额度还剩 ¥/);
    await shots.take(a.page, 'a-transfer-preview');
    await a.page.getByRole('button', { name: '确认转账' }).click();
    await a.page.locator('.adm-passcode-input-focused').waitFor();
    await shots.take(a.page, 'a-transfer-pin');
    // B's page is watched from now on: the toast shows for 3 s, so it is pictured the moment it comes.
    const arrivedLive = b.page
      .getByText('收到转账 ¥12.34')
      .waitFor({ timeout: 15_000 })
      .then(() => shots.take(b.page, 'b-received-live', { keepToast: true }));
    const confirmed = a.page.waitForResponse(
      (response) =>
        response.request().method() === 'POST' &&
        /^\/v1\/payments\/[\w-]+\/confirm$/.test(new URL(response.url()).pathname),
    );
    await a.page.keyboard.type(PIN);
    await expect.poll(() => a.page.getByTestId('result-title').textContent()).toBe('转账成功');
    expect(await a.page.getByTestId('receipt-payee').textContent()).toBe('*明');
    // The transfer was the preview's payment, confirmed with its own Idempotency-Key.
    const confirm = await confirmed;
    expect(confirm.status()).toBe(200);
    expect(confirm.request().headers()['idempotency-key']).toMatch(/^[\w-]{16,}$/);
    const sent = (await confirm.json()) as { id: string };
    expect(sent).toMatchObject({
      kind: 'transfer',
      status: 'succeeded',
      result: { amount: { amount: '1234', currency: 'CNY' }, note: '午饭', payee: { displayName: '*明' } },
    });
    const afterwards = await a.page.request.get(`/v1/payments/${sent.id}`);
    expect(await afterwards.json()).toMatchObject({ id: sent.id, status: 'succeeded' });
    await shots.take(a.page, 'a-transfer-done');

    // ---- B sees it arrive without a reload: toast, balance, inbox badge ----
    await arrivedLive;
    await expectBalance(b.page, '¥12.34');
    await expect.poll(() => b.page.locator('.home-shortcuts .adm-badge').first().textContent()).toMatch(/\d/);

    // ---- B shows the receive code; A pastes it on the scan screen and pays ¥8.88 ----
    await b.page.getByRole('link', { name: '收款码', exact: true }).click();
    await b.page.waitForURL('**/receive');
    await b.page.getByRole('img', { name: '*明 的收款码' }).waitFor();
    await shots.take(b.page, 'b-receive-code');
    const payload = (await b.page.getByTestId('receive-payload').textContent()) ?? '';
    expect(payload).toMatch(/^qianbao:\/\/pay\?to=/);

    await a.page.goto('/');
    await a.page.getByRole('link', { name: '扫一扫', exact: true }).click();
    await a.page.waitForURL('**/scan');
    await a.page.getByLabel('粘贴收款码').fill(payload);
    await shots.take(a.page, 'a-scan-paste');
    await a.page.getByRole('button', { name: '去付款' }).click();
    await a.page.waitForURL('**/transfer?toQr=*');
    await a.page.getByText('已扫描收款码').waitFor();
    await a.page.getByRole('textbox', { name: '金额' }).fill('8.88');
    await a.page.getByRole('button', { name: '下一步' }).click();
    await expect.poll(() => a.page.getByTestId('payee-name').textContent()).toBe('*明');
    await a.page.getByRole('button', { name: '确认转账' }).click();
    await typePin(a.page);
    await expect.poll(() => a.page.getByTestId('result-title').textContent()).toBe('转账成功');
    await shots.take(a.page, 'a-qr-transfer-done');

    // ---- B requests ¥20.00; A opens the link and pays it ----
    await b.page.goto('/');
    await expectBalance(b.page, '¥21.22');
    await b.page.getByRole('link', { name: '收款', exact: true }).click();
    await b.page.waitForURL('**/requests/new');
    await b.page.getByRole('textbox', { name: '金额' }).fill('20');
    await b.page.getByLabel('备注').fill('电影票');
    await shots.take(b.page, 'b-request-form');
    await b.page.getByRole('button', { name: '生成收款' }).click();
    await b.page.getByRole('img', { name: '收款二维码' }).waitFor();
    const link = (await b.page.getByTestId('request-link').getAttribute('href')) ?? '';
    expect(link).toMatch(/\/pay\/requests\/[\w-]+$/);
    await shots.take(b.page, 'b-request-created');

    await a.page.goto(new URL(link).pathname);
    await expect.poll(() => a.page.getByTestId('requester-name').textContent()).toBe('*明');
    expect(await a.page.getByTestId('request-amount').textContent()).toBe('¥20.00');
    expect(await a.page.getByTestId('request-status').textContent()).toBe('待付款');
    await shots.take(a.page, 'a-pay-request');
    await a.page.getByRole('button', { name: '立即付款' }).click();
    await typePin(a.page);
    await expect.poll(() => a.page.getByTestId('result-title').textContent()).toBe('付款成功');
    await shots.take(a.page, 'a-request-paid');

    await b.page.goto(new URL(link).pathname);
    await expect.poll(() => b.page.getByTestId('request-status').textContent()).toBe('已付款');
    await shots.take(b.page, 'b-request-paid');

    // ---- A withdraws ¥100: the fee and the total before the PIN ----
    await a.page.goto('/');
    await a.page.getByRole('link', { name: '提现', exact: true }).click();
    await a.page.waitForURL('**/withdraw');
    await a.page.getByRole('textbox', { name: '金额' }).fill('100');
    await expect.poll(() => a.page.getByTestId('quote-fee').textContent()).toBe('¥0.10');
    expect(await a.page.getByTestId('quote-total').textContent()).toBe('¥100.10');
    await shots.take(a.page, 'a-withdraw-quote');
    await a.page.getByRole('button', { name: '确认提现' }).click();
    await expect.poll(() => a.page.getByTestId('confirm-amount').textContent()).toBe('¥100.10');
    await typePin(a.page);
    await a.page.waitForURL('**/funding/*');
    await expect
      .poll(() => a.page.getByTestId('result-title').textContent(), { timeout: 15_000 })
      .toBe('提现成功');
    expect(await a.page.getByTestId('funding-fee').textContent()).toBe('¥0.10');
    await shots.take(a.page, 'a-withdraw-result');

    // ---- A's history: every movement; a detail with its timeline and the e-receipt ----
    await a.page.goto('/');
    // 500.00 − 12.34 − 8.88 − 20.00 − 100.00 − 0.10
    await expectBalance(a.page, '¥358.68');
    await a.page.getByRole('link', { name: '账单', exact: true }).click();
    await a.page.waitForURL('**/history');
    const list = a.page.getByTestId('history-list');
    await expect.poll(() => list.locator('li').count()).toBeGreaterThanOrEqual(6);
    const text = (await list.textContent()) ?? '';
    for (const amount of ['+¥500.00', '−¥12.34', '−¥8.88', '−¥20.00', '−¥100.00', '−¥0.10']) {
      expect(text).toContain(amount);
    }
    await shots.take(a.page, 'a-history');
    await a.page.getByRole('button', { name: '收入' }).click();
    await expect.poll(() => list.textContent()).not.toContain('−¥12.34');
    await shots.take(a.page, 'a-history-in');
    await a.page.getByRole('button', { name: '支出' }).click();
    await list.getByRole('link', { name: /转账.*午饭/ }).click();
    await a.page.waitForURL('**/history/*');
    await expect.poll(() => a.page.getByTestId('detail-amount').textContent()).toBe('−¥12.34');
    const receipt = a.page.getByTestId('receipt-link');
    expect(await receipt.textContent()).toBe('下载电子回单');
    const pdf = await a.page.request.get((await receipt.getAttribute('href')) ?? '');
    expect(pdf.status()).toBe(200);
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    await shots.take(a.page, 'a-history-detail');

    // ---- B's history in English ----
    await b.page.evaluate("localStorage.setItem('qb_language', 'en')");
    await b.page.goto('/history');
    await expect.poll(() => b.page.getByTestId('history-list').textContent()).toContain('+¥12.34');
    await shots.take(b.page, 'b-history-english');

    // The top-up, both transfers, the request and the withdrawal: created and confirmed as
    // payments, never through a per-kind route.
    expect(posted.filter((route) => /^\/v1\/payments\/[\w-]+\/confirm$/.test(route))).toHaveLength(5);
    expect(
      posted.filter((route) =>
        /^\/v1\/(me\/(transfers|top-ups|withdrawals|bank-transfers)|payment-requests\/)/.test(route),
      ),
    ).toEqual([]);

    expect(a.problems).toEqual([]);
    expect(b.problems).toEqual([]);
    await a.context.close();
    await b.context.close();
  }, 240_000);
});

/** A holder in their own browser profile: registered through the UI, real name and PIN by API. */
async function holder(stack: BrowserStack, name: string, id: string): Promise<Holder> {
  const phone = randomPhone();
  const opened = await openPhone(stack);
  const { page } = opened;
  await registerOnScreens(page, stack.url, { phone, password: PASSWORD });

  await verifyAndSetPin(page, stack.url, {
    phone,
    password: PASSWORD,
    legalName: name,
    idNumber: id,
    pin: PIN,
  });
  return { ...opened, phone, name };
}

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

/**
 * browser.ts's numbered screenshots, plus one that keeps a toast in the picture (the shared
 * helper waits for toasts to go, which is right for every other screen).
 */
function screenshotsWithToasts(testName: string) {
  const shared = screenshots(testName);
  let count = 0;
  return {
    async take(page: Page, name: string, options: { keepToast?: boolean } = {}): Promise<void> {
      count += 1;
      const numbered = `${String(count).padStart(2, '0')}-${name}`;
      if (!options.keepToast) {
        // Keep browser.ts's numbering in step with ours: it numbers by its own count.
        const file = await shared.take(page, name);
        const wanted = path.join(shared.folder, `${numbered}.png`);
        if (file !== wanted) {
          renameSync(file, wanted);
        }
        return;
      }
      await page.waitForTimeout(200);
      const file = path.join(shared.folder, `${numbered}.png`);
      await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
      shared.taken.push(path.relative(REPO_ROOT, file));
    },
  };
}
