/**
 * The payer's payment code (付款码) at a shop's till, in Chromium (issue 12): A has a shop; B
 * (funded, password-free up to ¥50.00) turns on 付款码 from the home screen with the PIN and
 * shows the code; A's till (我的小店 → 收顾客付款码) charges ¥8.00 with the digits read off B's
 * screen — paid at once — and the same code again is refused as used. The code changes with the
 * next minute; A charges ¥80.00 with the new one, above B's password-free limit: A's till waits,
 * B's screen asks, B pays with the PIN, A's till says paid. Then in English: B turns the code off
 * and on again, A charges ¥60.00, B declines, A's till says declined. Screenshots in
 * test-results/screenshots/pay-code/.
 *
 * Registration goes through the screens; real name, PIN, top-up, the shop and the password-free
 * limit through the API in each browser's own session (other browser tests cover those screens).
 * A headless browser has no camera: the cashier types the digits, as a till's keypad allows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { fundByCard, idNumber, screenshots, startBrowserStack, verifiedHolder } from './browser.ts';
import type { BrowserStack, PhonePage } from './browser.ts';

const PASSWORD = 'Lotus-garden-88';
const PIN = '258036';
const CARD = '6222021234567894';

interface Holder extends PhonePage {
  phone: string;
}

describe("the payer's payment code at a till", () => {
  let stack: BrowserStack;
  let shopOwner: Holder;
  let customer: Holder;

  beforeAll(async () => {
    stack = await startBrowserStack({ env: { BANK_SANDBOX_LATENCY_MS: '0' } });
    shopOwner = await holder(stack, '李娜', idNumber('31011519880808003'));
    customer = await holder(stack, '张伟', idNumber('44030519920202004'));
    await send(shopOwner.page, 'POST', '/v1/me/merchant', { name: '李记面馆', city: '上海', mcc: '5812' });
    await fundByCard(customer.page, stack.url, {
      phone: customer.phone,
      card: CARD,
      fen: '100000',
      pin: PIN,
    });
    // Password-free is off for a new holder; ¥50.00 lets ¥8.00 through and makes ¥80.00 wait.
    await send(customer.page, 'PUT', '/v1/me/password-free', {
      limit: { amount: '5000', currency: 'CNY' },
      pin: PIN,
    });
  }, 240_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('is charged at once within the limit, refused when used, confirmed or declined above it', async () => {
    const shots = screenshots('pay-code');
    const a = shopOwner.page;
    const b = customer.page;

    // ---- B turns the pay code on from the home screen's first row, with the PIN ----
    await b.goto('/');
    await b.getByRole('navigation', { name: '常用' }).getByRole('link', { name: '付款码' }).waitFor();
    await shots.take(b, 'home');
    await b.getByRole('navigation', { name: '常用' }).getByRole('link', { name: '付款码' }).click();
    await b.getByRole('heading', { name: '向收银员出示付款码' }).waitFor();
    await b.getByText('请勿截图或发给任何人').waitFor();
    await shots.take(b, 'intro');
    await b.getByRole('button', { name: '开启付款码' }).click();
    await b.getByText('在本机开启付款码').waitFor();
    await b.locator('.adm-passcode-input-focused').waitFor();
    await shots.take(b, 'turn-on-pin');
    await b.keyboard.type(PIN);
    await b.getByRole('img', { name: '付款码条形码' }).waitFor();
    await b.getByRole('img', { name: '付款码二维码' }).waitFor();
    // Hidden until asked for: only the first four digits.
    await expect
      .poll(() => b.getByTestId('pay-code-digits').textContent())
      .toMatch(/^88\d\d \*{4} \*{4} \*{6}$/);
    await shots.take(b, 'code');
    const first = await showDigits(b);
    // The secret is kept under the holder's id, nowhere else.
    const stored = await b.evaluate<string[]>(
      "Object.keys(localStorage).filter((key) => key.startsWith('qb_payment_code:'))",
    );
    expect(stored).toHaveLength(1);
    await shots.take(b, 'digits');

    // ---- A's till charges ¥8.00: within B's password-free limit, paid at once ----
    await a.goto('/shop');
    const till = a.getByRole('region', { name: '收顾客付款码' });
    await till.getByRole('textbox', { name: '收款金额' }).fill('8');
    await till.getByRole('textbox', { name: '顾客付款码' }).fill(first);
    await shots.take(a, 'till-form');
    await till.getByRole('button', { name: '收款', exact: true }).click();
    await expect.poll(() => till.getByTestId('result-title').textContent()).toBe('已收款');
    await till.getByText('付款人 *伟').waitFor();
    await shots.take(a, 'till-paid');
    expect(await balanceOf(b)).toBe('99200');

    // ---- The same code again: used ----
    await till.getByRole('button', { name: '继续收款' }).click();
    await till.getByRole('textbox', { name: '收款金额' }).fill('8');
    await till.getByRole('textbox', { name: '顾客付款码' }).fill(first);
    await till.getByRole('button', { name: '收款', exact: true }).click();
    await till.getByRole('alert').getByText('这个付款码已经用过了，请顾客出示新的付款码').waitFor();
    await shots.take(a, 'till-used');
    expect(await balanceOf(b)).toBe('99200');

    // ---- The next minute's code; ¥80.00 is above the limit: B confirms with the PIN ----
    await expect.poll(async () => digitsOf(b), { timeout: 70_000, interval: 1000 }).not.toBe(first);
    const second = await digitsOf(b);
    expect(second).toMatch(/^88\d{16}$/);
    await till.getByRole('textbox', { name: '收款金额' }).fill('80');
    await till.getByRole('textbox', { name: '顾客付款码' }).fill(second);
    await till.getByRole('button', { name: '收款', exact: true }).click();
    await expect.poll(() => till.getByTestId('result-title').textContent()).toBe('等待顾客确认…');
    await shots.take(a, 'till-waiting');

    const sheet = b.getByTestId('charge-sheet');
    await sheet.waitFor({ timeout: 10_000 });
    expect(await sheet.getByTestId('charge-merchant').textContent()).toBe('李记面馆 向您收款');
    expect(await sheet.getByTestId('charge-amount').textContent()).toBe('¥80.00');
    await shots.take(b, 'charge-sheet');
    await sheet.getByRole('button', { name: '输入支付密码付款' }).click();
    await b.locator('.adm-passcode-input-focused').waitFor();
    await b.keyboard.type(PIN);
    await expect.poll(() => b.getByTestId('result-title').textContent()).toBe('付款成功');
    await shots.take(b, 'charge-paid');
    await expect
      .poll(() => till.getByTestId('result-title').textContent(), { timeout: 10_000 })
      .toBe('已收款');
    await shots.take(a, 'till-confirmed');
    expect(await balanceOf(b)).toBe('91200');

    // ---- In English: B turns the code off and on again; A charges ¥60.00; B declines ----
    await b.evaluate("localStorage.setItem('qb_language', 'en')");
    await b.goto('/pay-code');
    await b.getByRole('button', { name: 'Turn off pay code' }).click();
    await b.getByRole('dialog').getByRole('button', { name: 'Turn off pay code' }).click();
    await b.getByRole('heading', { name: 'Show it to the cashier' }).waitFor();
    await shots.take(b, 'intro-en');
    // A code of the secret turned off is refused at the till.
    await till.getByRole('button', { name: '继续收款' }).click();
    await till.getByRole('textbox', { name: '收款金额' }).fill('60');
    await till.getByRole('textbox', { name: '顾客付款码' }).fill(second);
    await till.getByRole('button', { name: '收款', exact: true }).click();
    await till.getByRole('alert').getByText('付款码无效，请顾客刷新后重新出示').waitFor();

    await b.getByRole('button', { name: 'Turn on pay code' }).click();
    await b.locator('.adm-passcode-input-focused').waitFor();
    await b.keyboard.type(PIN);
    await b.getByRole('img', { name: 'Pay code barcode' }).waitFor();
    const third = await showDigits(b, 'Show digits');
    expect(third).not.toBe(second);

    await till.getByRole('textbox', { name: '顾客付款码' }).fill(third);
    await till.getByRole('button', { name: '收款', exact: true }).click();
    await expect.poll(() => till.getByTestId('result-title').textContent()).toBe('等待顾客确认…');
    await sheet.waitFor({ timeout: 10_000 });
    expect(await sheet.getByTestId('charge-merchant').textContent()).toBe('李记面馆 is charging you');
    expect(await sheet.getByTestId('charge-amount').textContent()).toBe('¥60.00');
    await shots.take(b, 'charge-sheet-en');
    await sheet.getByRole('button', { name: 'Decline' }).click();
    await expect.poll(() => b.getByTestId('result-title').textContent()).toBe('Declined — nothing paid');
    await shots.take(b, 'declined-en');
    await expect
      .poll(() => till.getByTestId('result-title').textContent(), { timeout: 10_000 })
      .toBe('顾客已拒绝，未收款');
    await shots.take(a, 'till-declined');
    expect(await balanceOf(b)).toBe('91200');

    // Back to the code: still on, a fresh one each minute.
    await b.getByRole('button', { name: 'Back to pay code' }).click();
    await b.getByRole('img', { name: 'Pay code barcode' }).waitFor();

    expect(shopOwner.problems).toEqual([]);
    expect(customer.problems).toEqual([]);
  }, 300_000);
});

/** As the page's holder, through the API. */
async function send(page: Page, method: 'POST' | 'PUT', route: string, data: unknown): Promise<void> {
  const response = await page.request.fetch(route, { method, data });
  if (!response.ok()) throw new Error(`${route} answered ${response.status()}: ${await response.text()}`);
}

async function balanceOf(page: Page): Promise<string> {
  const response = await page.request.get('/v1/me/balance');
  return ((await response.json()) as { balance: { amount: string } }).balance.amount;
}

/** The digits on the pay code screen, shown first with its toggle. */
async function showDigits(page: Page, label = '查看数字'): Promise<string> {
  await page.getByRole('button', { name: label }).click();
  const digits = await digitsOf(page);
  expect(digits).toMatch(/^88\d{16}$/);
  return digits;
}

async function digitsOf(page: Page): Promise<string> {
  return ((await page.getByTestId('pay-code-digits').textContent()) ?? '').replace(/\s/g, '');
}

function holder(stack: BrowserStack, name: string, id: string): Promise<Holder> {
  return verifiedHolder(stack, { legalName: name, idNumber: id, password: PASSWORD, pin: PIN });
}
