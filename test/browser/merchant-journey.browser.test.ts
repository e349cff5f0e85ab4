/**
 * A shop and its customer in Chromium (issue 12, first slice): A opens 我的小店 from the home
 * screen; B scans (pastes) the shop's static code, types the amount and pays with the PIN; A shows
 * an order's code for ¥35.00 with what it is for and sees it paid by *伟 live; B pays it; A refunds
 * part of it from the order page; B sees the refund in the wallet. Then in English: a code of
 * another payment service is told apart. Screenshots in test-results/screenshots/merchant-journey/.
 *
 * Registration goes through the screens; real name, PIN and the top-up through the API in each
 * browser's own session (other browser tests cover those screens). A camera is not available to a
 * headless browser: codes are pasted into 扫一扫's field, as a holder can.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  fundByCard,
  idNumber,
  latestSmsCode,
  openPhone,
  resendWindowPassed,
  screenshots,
  startBrowserStack,
  verifiedHolder,
} from './browser.ts';
import type { BrowserStack, PhonePage } from './browser.ts';

const PASSWORD = 'Lotus-garden-88';
const PIN = '258036';
const CARD = '6222021234567894';
/** The domain-rules sample: a valid EMVCo code of another scheme. */
const FOREIGN_CODE =
  '00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A';

interface Holder extends PhonePage {
  phone: string;
}

describe('a shop and its customer', () => {
  let stack: BrowserStack;
  let shopOwner: Holder;
  let customer: Holder;

  beforeAll(async () => {
    stack = await startBrowserStack({ env: { BANK_SANDBOX_LATENCY_MS: '0', SMS_RESEND_SECONDS: '10' } });
    shopOwner = await holder(stack, '李娜', idNumber('31011519880808003'));
    customer = await holder(stack, '张伟', idNumber('44030519920202004'));
    await fundByCard(customer.page, stack.url, {
      phone: customer.phone,
      card: CARD,
      fen: '100000',
      pin: PIN,
    });
  }, 240_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('opens a shop, is paid through its static code and an order code, and refunds part', async () => {
    const shots = screenshots('merchant-journey');
    const a = shopOwner.page;
    const b = customer.page;

    // ---- A opens the shop from the home screen's first row ----
    await a.goto('/');
    await a.getByRole('navigation', { name: '常用' }).getByRole('link', { name: '我的小店' }).click();
    await a.getByRole('heading', { name: '开通小店' }).waitFor();
    await shots.take(a, 'open-shop');
    await a.getByRole('button', { name: '开通小店' }).click();
    await a.getByText('店名需 2–25 个字').waitFor();
    await a.getByPlaceholder('顾客看到的名字，2–25 个字').fill('李记面馆');
    await a.getByPlaceholder('如：上海').fill('上海');
    await a.getByText('餐饮', { exact: true }).click();
    await a.getByRole('button', { name: '开通小店' }).click();
    await expect.poll(() => a.getByTestId('shop-balance').textContent()).toBe('¥0.00');
    await a.getByRole('img', { name: '李记面馆 的收款码' }).waitFor();
    await shots.take(a, 'shop-home');
    const staticCode = (await a.getByTestId('shop-static-payload').textContent()) ?? '';
    expect(staticCode).toMatch(/^000201010211/);

    // ---- B pays the static code: the shop's name first, then the amount, then the PIN ----
    await payCode(b, staticCode);
    await expect.poll(() => b.getByTestId('merchant-name').textContent()).toBe('李记面馆');
    await b.getByText('静态收款码每天累计最多 ¥500').waitFor();
    await b.getByRole('textbox', { name: '金额' }).fill('12.50');
    await shots.take(b, 'static-amount');
    await b.getByRole('button', { name: '付款', exact: true }).click();
    await b.locator('.adm-passcode-input-focused').waitFor();
    await b.keyboard.type(PIN);
    await expect.poll(() => b.getByTestId('result-title').textContent()).toBe('付款成功');
    expect(await b.getByTestId('receipt-merchant').textContent()).toBe('李记面馆');
    await shots.take(b, 'static-paid');

    // ---- A shows an order's code for ¥35.00 and sees it paid live ----
    await a.reload();
    const take = a.getByRole('region', { name: '收款' });
    await take.getByRole('textbox', { name: '收款金额' }).fill('35');
    await take.getByPlaceholder('选填，如：牛肉面').fill('牛肉面');
    await take.getByRole('button', { name: '生成收款码' }).click();
    await a.getByRole('img', { name: '本单收款码' }).waitFor();
    await expect.poll(() => a.getByTestId('shop-order-status').textContent()).toBe('请顾客扫码付款…');
    await shots.take(a, 'order-code');
    const orderCode = (await a.getByTestId('shop-order-payload').textContent()) ?? '';
    expect(orderCode).toMatch(/^000201010212/);

    await payCode(b, orderCode);
    await expect.poll(() => b.getByTestId('merchant-amount').textContent()).toBe('¥35.00');
    await b.getByText('牛肉面').waitFor();
    await b.getByRole('button', { name: '付款', exact: true }).click();
    await b.locator('.adm-passcode-input-focused').waitFor();
    await b.keyboard.type(PIN);
    await expect.poll(() => b.getByTestId('result-title').textContent()).toBe('付款成功');
    await expect
      .poll(() => a.getByTestId('shop-order-status').textContent(), { timeout: 10_000 })
      .toBe('已收款，付款人 *伟');
    await shots.take(a, 'order-paid');

    // The same code again: paid already, said before any amount or PIN.
    await payCode(b, orderCode);
    await b.getByRole('alert').getByText('这笔订单已经付过了').waitFor();

    // ---- A refunds ¥5.00 of the noodles; B sees it come back ----
    // ¥12.50 + ¥35.00 less the fee (0.38 %: ¥0.05 + ¥0.13).
    await a.goto('/shop');
    await expect.poll(() => a.getByTestId('shop-balance').textContent()).toBe('¥47.32');
    await a
      .getByTestId('shop-orders')
      .getByRole('link', { name: /牛肉面/ })
      .click();
    await expect.poll(() => a.getByTestId('order-status').textContent()).toBe('已付款');
    await a.getByRole('textbox', { name: '退款金额' }).fill('5');
    await a.getByPlaceholder('选填，如：少上一份').fill('少上一份');
    await a.getByRole('button', { name: '退款', exact: true }).click();
    await expect.poll(() => a.getByTestId('order-refunded').textContent()).toBe('¥5.00');
    await expect.poll(() => a.getByTestId('order-status').textContent()).toBe('部分退款');
    await shots.take(a, 'refunded');

    await b.goto('/');
    // ¥1,000.00 − ¥12.50 − ¥35.00 + ¥5.00
    await expect.poll(() => b.getByTestId('balance').textContent(), { timeout: 10_000 }).toBe('¥957.50');
    await b.goto('/inbox');
    await b.getByText('李记面馆 退款 ¥5.00，已退回您的钱包').waitFor();
    await shots.take(b, 'refund-notice');

    // ---- In English: another payment service's code is told apart ----
    await b.evaluate("localStorage.setItem('qb_language', 'en')");
    await payCode(b, FOREIGN_CODE, 'Pay');
    await b
      .getByRole('alert')
      .getByText('This code belongs to another payment service; it cannot be paid from this wallet')
      .waitFor();
    await shots.take(b, 'foreign-code-en');

    expect(shopOwner.problems).toEqual([]);
    expect(customer.problems).toEqual([]);
  }, 240_000);
  it('hosted checkout: the customer signs in on the page, pays, and is sent back to the shop', async () => {
    const shots = screenshots('merchant-checkout');
    // The shop's site makes a checkout through the API (its owner's session here).
    const made = await shopOwner.page.request.post('/v1/me/merchant/checkouts', {
      data: {
        merchantOrderId: 'WEB1001',
        amount: { amount: '2600', currency: 'CNY' },
        description: '手冲咖啡豆 250g',
        returnUrl: `${stack.url}/shop-site/thanks?from=qianbao`,
      },
    });
    expect(made.status(), await made.text()).toBe(201);
    const { url } = (await made.json()) as { url: string };
    const checkoutPath = new URL(url).pathname;

    // A browser that is not signed in: the shop and the amount first, then sign-in, then back here.
    const visitor = await openPhone(stack);
    const page = visitor.page;
    await page.goto(checkoutPath);
    await expect.poll(() => page.getByTestId('checkout-amount').textContent()).toBe('¥26.00');
    await page.getByText('手冲咖啡豆 250g').waitFor();
    await shots.take(page, 'checkout-signed-out');
    await page.getByRole('link', { name: '登录后付款' }).click();
    await page.waitForURL('**/sign-in?next=*');
    await page.getByLabel('手机号', { exact: true }).fill(customer.phone);
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    // A browser the customer never used: the server wants an SMS code as well.
    await page.getByText('这是您首次在此设备上登录').waitFor();
    await resendWindowPassed(stack.url, customer.phone);
    const before = new Date().toISOString();
    await page.getByRole('button', { name: '获取验证码' }).click();
    await page
      .getByLabel('验证码', { exact: true })
      .fill(await latestSmsCode(stack.url, customer.phone, { after: before }));
    await page.getByRole('button', { name: '验证并登录' }).click();
    await page.waitForURL(`**${checkoutPath}`);
    await page.getByRole('button', { name: '确认付款' }).click();
    await page.locator('.adm-passcode-input-focused').waitFor();
    await shots.take(page, 'checkout-pin');
    await page.keyboard.type(PIN);
    await expect.poll(() => page.getByTestId('result-title').textContent()).toBe('付款成功');
    await shots.take(page, 'checkout-paid');
    // Back to the shop by itself, with the outcome.
    await page.waitForURL(/\/shop-site\/thanks\?from=qianbao&merchantOrderId=WEB1001&status=paid$/, {
      timeout: 10_000,
    });

    // The same link again says paid, and never asks for money again.
    await page.goto(checkoutPath);
    await expect.poll(() => page.getByTestId('result-title').textContent()).toBe('付款成功');
    const order = await shopOwner.page.request.get('/v1/me/merchant/orders/WEB1001');
    expect(((await order.json()) as { status: string }).status).toBe('paid');
    expect(visitor.problems).toEqual([]);
  }, 120_000);
});

/** 扫一扫 → the code pasted into its field (no camera in a headless browser). */
async function payCode(page: Page, code: string, go = '去付款'): Promise<void> {
  await page.goto('/scan');
  await page.locator('.money-field-input input').fill(code);
  await page.getByRole('button', { name: go, exact: true }).click();
}

function holder(stack: BrowserStack, name: string, id: string): Promise<Holder> {
  return verifiedHolder(stack, { legalName: name, idNumber: id, password: PASSWORD, pin: PIN });
}
