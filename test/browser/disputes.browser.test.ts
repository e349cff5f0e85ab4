/**
 * 申诉 in Chromium (issue 15): 张伟 pays 李记面馆 ¥35.00 for noodles that never came, opens the
 * payment in 账单, taps 申诉, picks the reason, writes what happened and attaches a photo; a
 * customer-service operator (role support, made with the CLI) signs in to the console, opens 争议,
 * looks at the photo, takes the dispute and refunds it through the merchant's refund; 张伟 sees the
 * dispute resolved and the refund in his history — then the dispute page in English. The merchant
 * set-up and the payment go through the API (merchant-journey covers those screens). Screenshots
 * in test-results/screenshots/disputes/.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fundByCard, idNumber, screenshots, startBrowserStack, verifiedHolder } from './browser.ts';
import type { BrowserStack, PhonePage } from './browser.ts';
import { consoleMenu, consoleMenuItems, makeOperator, signInToConsole } from './console.ts';
import { openDesktop } from './portal.ts';

const PASSWORD = 'Willow-lantern-31';
const PIN = '258036';
const CARD = '6222021234567894';
const STORY = '下单后等了两个小时，面一直没送到，商家电话也打不通。';

/** A photo the holder took, drawn in its page (a canvas) as a PNG. (No DOM types here: a script.) */
async function photo(page: Page): Promise<Buffer> {
  const dataUrl = await page.evaluate<string>(`(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 480;
    canvas.height = 360;
    const context = canvas.getContext('2d');
    context.fillStyle = '#fff7e6';
    context.fillRect(0, 0, 480, 360);
    context.fillStyle = '#333333';
    context.font = '26px sans-serif';
    context.fillText('外卖订单截图（样本）', 40, 80);
    context.fillText('李记面馆 牛肉面 ×1', 40, 140);
    context.fillText('状态：配送中 2 小时', 40, 200);
    context.fillStyle = '#fa8c16';
    context.fillRect(40, 240, 400, 60);
    return canvas.toDataURL('image/png');
  })()`);
  return Buffer.from(dataUrl.split(',')[1] ?? '', 'base64');
}

/** How many of the images `selector` finds have loaded (the cookie went with their requests). */
function imagesLoaded(page: Page, selector: string): Promise<number> {
  return page.evaluate<number>(
    `[...document.querySelectorAll(${JSON.stringify(selector)})].filter((image) => image.complete && image.naturalWidth > 0).length`,
  );
}

async function post<T>(
  page: Page,
  route: string,
  data: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const response = await page.request.post(route, { data, headers });
  if (!response.ok()) throw new Error(`${route} answered ${response.status()}: ${await response.text()}`);
  return (await response.json()) as T;
}

describe('disputing a payment', () => {
  let stack: BrowserStack;
  let owner: PhonePage & { phone: string };
  let customer: PhonePage & { phone: string };

  beforeAll(async () => {
    stack = await startBrowserStack({ env: { BANK_SANDBOX_LATENCY_MS: '0' } });
    owner = await verifiedHolder(stack, {
      legalName: '李娜',
      idNumber: idNumber('31011519880808003'),
      password: PASSWORD,
      pin: PIN,
    });
    customer = await verifiedHolder(stack, {
      legalName: '张伟',
      idNumber: idNumber('44030519920202004'),
      password: PASSWORD,
      pin: PIN,
    });
    await fundByCard(customer.page, stack.url, {
      phone: customer.phone,
      card: CARD,
      fen: '100000',
      pin: PIN,
    });
    // The shop, an order of ¥35.00, and the customer's payment of it — through the API.
    await post(owner.page, '/v1/me/merchant', { name: '李记面馆', city: '上海', mcc: '5812' });
    const order = await post<{ payload: string }>(owner.page, '/v1/me/merchant/orders', {
      merchantOrderId: 'NOODLE-1001',
      amount: { amount: '3500', currency: 'CNY' },
      description: '牛肉面',
    });
    const payment = await post<{ id: string }>(customer.page, '/v1/payments', {
      kind: 'merchant_order',
      qr: order.payload,
    });
    await post(
      customer.page,
      `/v1/payments/${payment.id}/confirm`,
      { confirmation: { pin: PIN } },
      { 'Idempotency-Key': randomUUID() },
    );
  }, 240_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('the holder disputes with a photo, customer service refunds, the holder sees both', async () => {
    const shots = screenshots('disputes');
    const b = customer.page;

    // ---- the holder: 账单 → the payment → 申诉 ----
    await b.goto('/history');
    await b
      .getByTestId('history-list')
      .getByRole('link', { name: /李记面馆/ })
      .first()
      .click();
    await expect.poll(() => b.getByTestId('detail-amount').textContent()).toBe('−¥35.00');
    await b.getByTestId('dispute-entry').waitFor();
    await shots.take(b, 'transaction-detail');
    await b.getByTestId('dispute-entry').click();
    await b.getByRole('heading', { name: '申诉' }).waitFor();
    await b.getByText('未收到商品或服务').click();
    await b.getByTestId('dispute-text').locator('textarea').fill(STORY);
    await b
      .getByTestId('dispute-file-input')
      .setInputFiles({ name: '外卖截图.png', mimeType: 'image/png', buffer: await photo(b) });
    await b.getByTestId('dispute-files').getByText('外卖截图.png').waitFor();
    await shots.take(b, 'dispute-form');
    await b.getByTestId('dispute-submit').click();
    await b.getByRole('heading', { name: '申诉详情' }).waitFor();
    await expect.poll(() => b.getByTestId('dispute-status').textContent()).toBe('已提交');
    await expect.poll(() => imagesLoaded(b, '.dp-thumb')).toBe(1);
    await shots.take(b, 'dispute-opened');
    // The movement's page now leads to its open dispute instead.
    await b.goBack();
    await b.getByTestId('dispute-open').waitFor();

    // ---- customer service in the console ----
    const operator = await makeOperator(stack, { username: 'qian.kefu', role: 'support', name: '钱客服' });
    const desk = await openDesktop(stack);
    const { page } = desk;
    await signInToConsole(page, operator);
    expect(await consoleMenuItems(page)).toContain('争议');
    await consoleMenu(page, '争议');
    const queue = page.getByTestId('console-disputes');
    await expect.poll(() => queue.locator('tbody tr').count()).toBe(1);
    await expect.poll(() => queue.textContent()).toContain('未收到商品或服务');
    await shots.take(page, 'console-queue');
    await queue.locator('tbody tr').first().click();
    await page.getByRole('heading', { name: /争议详情/ }).waitFor();
    await expect.poll(() => imagesLoaded(page, '.dispute-evidence img')).toBe(1);
    await page.getByText(STORY).waitFor();
    await expect
      .poll(() => page.getByTestId('console-dispute-transaction').textContent())
      .toContain('NOODLE-1001');
    await shots.take(page, 'console-dispute');
    await page.getByRole('button', { name: '受理', exact: true }).click();
    await expect.poll(() => page.getByTestId('console-dispute-status').textContent()).toBe('处理中');
    await page.getByTestId('dispute-refund').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('商户退款', { exact: true }).waitFor();
    await dialog.getByLabel('退款说明（用户会看到）').fill('商家确认未送达，全额退款');
    await shots.take(page, 'console-refund-dialog');
    await dialog.getByRole('button', { name: '确认退款' }).click();
    await page.getByText('已退款', { exact: true }).first().waitFor();
    await expect.poll(() => page.getByTestId('console-dispute-status').textContent()).toBe('已退款');
    await page.locator('.ant-message-notice').first().waitFor({ state: 'detached', timeout: 10_000 });
    await shots.take(page, 'console-refunded');

    // ---- the holder sees it resolved, and the refund in history ----
    await b.reload();
    await b.getByTestId('dispute-latest').click();
    await expect
      .poll(() => b.getByTestId('dispute-status').textContent(), { timeout: 15_000 })
      .toBe('已退款');
    await expect.poll(() => b.getByTestId('dispute-outcome').textContent()).toContain('商户已退款 ¥35.00');
    await b.getByText('商家确认未送达，全额退款').waitFor();
    await shots.take(b, 'dispute-refunded');
    await b.getByRole('link', { name: '查看账单' }).click();
    const newest = b.getByTestId('history-list').getByRole('link').first();
    await expect.poll(() => newest.textContent()).toContain('+¥35.00');
    await expect.poll(() => newest.textContent()).toContain('李记面馆');
    await shots.take(b, 'history-refund');
    // ¥1,000.00 − ¥35.00 + ¥35.00
    await b.goto('/');
    await expect.poll(() => b.getByTestId('balance').textContent(), { timeout: 10_000 }).toBe('¥1,000.00');

    // ---- in English ----
    await b.evaluate("localStorage.setItem('qb_language', 'en')");
    await b.goto('/disputes');
    await b.getByRole('heading', { name: 'My disputes' }).waitFor();
    await b.getByRole('link', { name: /Payment to a merchant/ }).click();
    await expect.poll(() => b.getByTestId('dispute-status').textContent()).toBe('Refunded');
    await expect
      .poll(() => b.getByTestId('dispute-outcome').textContent())
      .toContain('The merchant refunded ¥35.00');
    await shots.take(b, 'dispute-refunded-en');

    // Every step the operator took is in the audit log.
    const { rows } = await stack.database.pool.query<{ action: string }>(
      `SELECT action FROM operator_audit_log a JOIN operator_accounts o ON o.id = a.operator_id
        WHERE o.username = 'qian.kefu' AND action LIKE 'disputes.%' ORDER BY a.at`,
    );
    expect(rows.map((row) => row.action)).toEqual(
      expect.arrayContaining([
        'disputes.viewed',
        'disputes.evidence_viewed',
        'disputes.taken',
        'disputes.refunded',
      ]),
    );
    expect(customer.problems).toEqual([]);
    expect(desk.problems).toEqual([]);
  }, 240_000);
});
