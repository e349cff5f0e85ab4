/**
 * The merchant portal on a computer (issue 12, staff and the portal), in Chromium at 1280 × 800:
 * A owns 李记面馆 and signs in to /merchant with the wallet account (the portal's card → the
 * wallet's sign-in → back); sees the dashboard; adds C, another wallet holder, as a cashier by
 * phone number. C signs in in a browser of their own and sees only 收银台, 今日订单 and 收款码;
 * charges B's payment code (B's wallet shows it, password-free up to ¥50.00) for ¥38.00 and sees
 * 收款成功 with the payer. A's dashboard shows it without reloading (the live stream); A refunds
 * ¥8.00 of it with a reason; B sees the refund in the wallet's history. A names the settlement
 * card, settles now, downloads the day's statement (CSV: the order and the refund; PDF) and the QR
 * poster (PNG drawn in the browser; the server's PDF). C is refused a refund through the API (403)
 * and the settlement page. Then A's dashboard in English. Screenshots in
 * test-results/screenshots/merchant-portal/.
 *
 * Registration goes through the wallet's screens; real name, PIN, top-up, the shop and the
 * password-free limit through the API in each phone's own session (other tests cover those screens).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { fundByCard, idNumber, screenshots, startBrowserStack, verifiedHolder } from './browser.ts';
import type { BrowserStack, PhonePage } from './browser.ts';
import { menu, menuItems, openDesktop, signInThroughPortal } from './portal.ts';

const PASSWORD = 'Lotus-garden-88';
const PIN = '258036';
const PAYER_CARD = '6222021234567894';
const OWNER_CARD = '6222027654323445';

interface Holder extends PhonePage {
  phone: string;
}

describe('the merchant portal', () => {
  let stack: BrowserStack;
  let owner: Holder;
  let cashier: Holder;
  let payer: Holder;

  beforeAll(async () => {
    stack = await startBrowserStack({ env: { BANK_SANDBOX_LATENCY_MS: '0', SMS_RESEND_SECONDS: '10' } });
    owner = await holder(stack, '李娜', idNumber('31011519880808003'));
    cashier = await holder(stack, '王芳', idNumber('11010519900303002'));
    payer = await holder(stack, '张伟', idNumber('44030519920202004'));
    await send(owner.page, 'POST', '/v1/me/merchant', { name: '李记面馆', city: '上海', mcc: '5812' });
    // The cashier owns a shop of their own too: the portal offers both.
    await send(cashier.page, 'POST', '/v1/me/merchant', { name: '王记小卖部', city: '杭州', mcc: '5499' });
    // A debit card in the owner's wallet: the settlement card is chosen among them.
    await fundByCard(owner.page, stack.url, { phone: owner.phone, card: OWNER_CARD, fen: '100', pin: PIN });
    await fundByCard(payer.page, stack.url, {
      phone: payer.phone,
      card: PAYER_CARD,
      fen: '100000',
      pin: PIN,
    });
    // Password-free up to ¥50.00: a ¥38.00 charge is paid at once.
    await send(payer.page, 'PUT', '/v1/me/password-free', {
      limit: { amount: '5000', currency: 'CNY' },
      pin: PIN,
    });
  }, 300_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('owner and cashier take, watch, refund, settle and download', async () => {
    const shots = screenshots('merchant-portal');
    const ownerDesk = await openDesktop(stack);
    const a = ownerDesk.page;

    // ---- A: the portal's sign-in card, the wallet's sign-in, back to the portal ----
    await a.goto('/merchant');
    await a.getByText('店主和收银员都用自己的钱包账号登录商户后台').waitFor();
    await shots.take(a, 'sign-in-card');
    await signInThroughPortal(a, stack.url, owner.phone, PASSWORD);
    await a.waitForURL('**/merchant/dashboard');
    await expect.poll(() => a.getByTestId('portal-merchant-name').textContent()).toBe('李记面馆');
    expect(await a.getByTestId('portal-role').textContent()).toBe('店主');
    expect(await menuItems(a)).toEqual(['概览', '收银台', '订单', '结算', '收款码', '店员', '开发者']);
    await expect.poll(() => a.getByTestId('dashboard-takings').textContent()).toBe('¥0.00');
    await a.getByTestId('dashboard-chart').locator('.recharts-surface').first().waitFor();
    await shots.take(a, 'dashboard');

    // ---- A adds C as a cashier: a wrong number and the owner's own are told apart ----
    await menu(a, '店员');
    const phoneField = a.getByRole('textbox', { name: '手机号' });
    await phoneField.fill('12345');
    await a.getByRole('button', { name: '添加', exact: true }).click();
    await a.getByText('请输入 11 位手机号（以 1 开头）').waitFor();
    await phoneField.fill(owner.phone);
    await a.getByRole('button', { name: '添加', exact: true }).click();
    await a.getByRole('alert').getByText('这是店主本人，不需要添加').waitFor();
    await phoneField.fill(cashier.phone);
    await a.getByRole('button', { name: '添加', exact: true }).click();
    const staffTable = a.getByTestId('staff-table');
    await staffTable.getByText('收银员').waitFor();
    await staffTable.getByText('*芳').waitFor();
    await shots.take(a, 'staff');
    await menu(a, '概览');

    // ---- C signs in on another computer: the till, today's orders and the poster only ----
    const cashierDesk = await openDesktop(stack);
    const c = cashierDesk.page;
    await c.goto('/merchant');
    await signInThroughPortal(c, stack.url, cashier.phone, PASSWORD);
    // Their own shop first; the switcher goes to the one they work at (and remembers it).
    await c.waitForURL('**/merchant/dashboard');
    await expect.poll(() => c.getByTestId('portal-merchant-name').textContent()).toBe('王记小卖部');
    await c.getByRole('combobox', { name: '切换商户' }).click();
    await c.locator('.ant-select-item-option').first().waitFor();
    await shots.take(c, 'cashier-switcher');
    await c.locator('.ant-select-item-option').filter({ hasText: '李记面馆 · 收银员' }).click();
    await c.waitForURL('**/merchant/cashier');
    await expect.poll(() => c.getByTestId('portal-role').textContent()).toBe('收银员');
    expect(await c.getByTestId('portal-merchant-name').textContent()).toBe('李记面馆');
    expect(await menuItems(c)).toEqual(['收银台', '今日订单', '收款码']);

    // ---- B shows the payment code; C charges ¥38.00 with it ----
    const digits = await showPayCode(payer.page);
    const till = c.getByRole('form', { name: '收款' });
    await till.getByRole('textbox', { name: '收款金额' }).fill('38.001');
    await till.getByRole('button', { name: '收款', exact: true }).click();
    await till.getByText('金额最多两位小数（精确到分）').waitFor();
    await till.getByText('付款码是 18 位数字').waitFor();
    await till.getByRole('textbox', { name: '收款金额' }).fill('38');
    await till.getByRole('textbox', { name: '顾客付款码' }).fill(digits);
    await till.getByRole('textbox', { name: '商品说明' }).fill('牛肉面两碗');
    await shots.take(c, 'cashier-form');
    await till.getByRole('button', { name: '收款', exact: true }).click();
    await expect.poll(() => c.getByTestId('till-status').textContent()).toBe('收款成功');
    expect(await c.getByTestId('till-amount').textContent()).toBe('¥38.00');
    expect(await c.getByTestId('till-payer').textContent()).toBe('付款人 *伟');
    const orderNumber = (await c.getByTestId('till-order-number').textContent()) ?? '';
    expect(orderNumber).toMatch(/^[A-Z0-9]{18}$/);
    await shots.take(c, 'cashier-paid');
    // A's dashboard announces it as it happens (a toast of a few seconds: looked for now).
    await a.getByText('收到 ¥38.00').waitFor();

    // The same code again: refused in words, nothing charged.
    await c.getByRole('button', { name: '下一位顾客' }).click();
    await till.getByRole('textbox', { name: '收款金额' }).fill('5');
    await till.getByRole('textbox', { name: '顾客付款码' }).fill(digits);
    await till.getByRole('button', { name: '收款', exact: true }).click();
    await expect
      .poll(() => c.getByTestId('till-refusal').textContent())
      .toBe('这个付款码已经用过了，请顾客出示新的付款码');
    await shots.take(c, 'cashier-refused');

    // An order's code for the customer to scan; the customer walks away: closed.
    await c.getByRole('button', { name: '返回修改' }).click();
    await till.getByRole('textbox', { name: '收款金额' }).fill('12.50');
    await till.getByRole('button', { name: '生成收款码' }).click();
    await c.getByRole('img', { name: '本单收款码' }).waitFor();
    await expect.poll(() => c.getByTestId('till-order-status').textContent()).toBe('请顾客用钱包扫码付款…');
    await shots.take(c, 'cashier-order-code');
    await c.getByRole('button', { name: '不收了，关闭订单' }).click();
    await expect.poll(() => c.getByTestId('till-order-status').textContent()).toBe('已关闭');

    // ---- A's dashboard, live: no reload ----
    await expect
      .poll(() => a.getByTestId('dashboard-takings').textContent(), { timeout: 15_000 })
      .toBe('¥38.00');
    expect(await a.getByTestId('dashboard-payments').textContent()).toBe('1');
    await a.getByTestId('dashboard-recent').getByText(orderNumber).waitFor();
    await shots.take(a, 'dashboard-live');

    // C's today's orders.
    await menu(c, '今日订单');
    await c.getByTestId('orders-table').getByText(orderNumber).waitFor();
    await c.getByText('收银员可以查看今天（北京时间）的订单').waitFor();
    await shots.take(c, 'cashier-orders');

    // ---- A refunds ¥8.00 of it from the order's drawer ----
    await menu(a, '订单');
    await a.getByTestId('orders-table').getByText(orderNumber).click();
    const drawer = a.getByTestId('order-drawer');
    await expect.poll(() => drawer.getByTestId('order-status').textContent()).toBe('已付款');
    await drawer.getByRole('textbox', { name: '退款金额' }).fill('40');
    await drawer.getByRole('button', { name: '退款', exact: true }).click();
    await drawer.getByText('请输入不超过 ¥38.00 的金额').waitFor();
    await drawer.getByRole('textbox', { name: '退款金额' }).fill('8');
    await drawer.getByRole('textbox', { name: '退款原因' }).fill('少上一份');
    const refundNumber = (await drawer.getByRole('textbox', { name: '退款单号' }).inputValue()) ?? '';
    expect(refundNumber).toMatch(/^[A-Z0-9]{18}$/);
    await drawer.getByRole('button', { name: '退款', exact: true }).click();
    await expect.poll(() => drawer.getByTestId('order-refunded').textContent()).toBe('¥8.00');
    await expect.poll(() => drawer.getByTestId('order-status').textContent()).toBe('部分退款');
    await drawer.getByTestId('order-refunds').getByText('少上一份').waitFor();
    await shots.take(a, 'order-refunded');
    await a.keyboard.press('Escape');

    // ---- B sees the refund in the wallet's history ----
    const b = payer.page;
    await b.goto('/history');
    // The shop and the reason the owner gave (the refund's rows: what the shop returns and its fee share).
    await b.getByTestId('history-list').getByText('李记面馆 · 少上一份').first().waitFor();
    await shots.take(b, 'payer-history');

    // ---- A: the settlement card, settle now, the day's statement ----
    await menu(a, '结算');
    // ¥38.00 less the fee (0.38 %: ¥0.14), less the ¥8.00 refund but its share of the fee (¥0.02).
    await expect.poll(() => a.getByTestId('settlement-balance').textContent()).toBe('¥29.88');
    await a.getByRole('combobox', { name: '结算卡' }).click();
    await a.locator('.ant-select-item-option').filter({ hasText: /3445$/ }).click();
    await a.getByRole('button', { name: '设为结算卡' }).click();
    await a.getByText('结算卡已更新').waitFor();
    await a.getByRole('button', { name: '立即结算' }).click();
    await a.locator('.ant-popconfirm').getByRole('button', { name: '立即结算' }).click();
    await a.getByTestId('settlements-table').getByText('已到账').waitFor({ timeout: 15_000 });
    await expect.poll(() => a.getByTestId('settlement-balance').textContent()).toBe('¥0.00');
    await shots.take(a, 'settlements');

    const csv = await download(a, () => a.getByRole('link', { name: '下载 CSV' }).click());
    expect(csv.name).toMatch(/\.csv$/);
    const csvText = csv.body.toString('utf8');
    expect(csvText).toContain(orderNumber);
    expect(csvText).toContain(refundNumber);
    expect(csvText).toContain('refund 退款');
    expect(csvText).toContain('38.00');
    const pdf = await download(a, () => a.getByRole('link', { name: '下载 PDF' }).click());
    expect(pdf.body.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // ---- A: the QR poster, as a PNG drawn here and as the server's PDF ----
    await menu(a, '收款码');
    await a.getByRole('img', { name: '李记面馆 的收款码海报' }).waitFor();
    expect(await a.getByTestId('poster-payload').textContent()).toMatch(/^000201010211/);
    await messagesGone(a);
    await shots.take(a, 'poster');
    const png = await download(a, () => a.getByRole('button', { name: '下载 PNG' }).click());
    expect(png.name).toMatch(/\.png$/);
    expect([...png.body.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // Kept beside the screenshots: the poster as it prints.
    await writeFile(path.join(shots.folder, 'poster-download.png'), png.body);
    const posterPdf = await download(a, () => a.getByRole('link', { name: '下载 PDF' }).click());
    expect(posterPdf.body.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // ---- C is refused what a cashier may not do ----
    const merchantId = ((await (await a.request.get('/v1/me/merchant')).json()) as { id: string }).id;
    const refused = await c.request.post(`/v1/me/merchant/orders/${orderNumber}/refunds`, {
      headers: { 'Qianbao-Merchant': merchantId },
      data: { merchantRefundId: 'CASHIER-TRY-1', amount: { amount: '100', currency: 'CNY' } },
    });
    expect(refused.status()).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    await c.goto('/merchant/settlements');
    await c.getByText('您在这家店的角色不能使用这个页面').waitFor();
    expect(await c.getByTestId('portal-merchant-name').textContent()).toBe('李记面馆');
    await shots.take(c, 'cashier-not-allowed');
    // Signing out ends the session: the sign-in card again.
    await c.getByRole('button', { name: '退出登录' }).click();
    await c.getByText('店主和收银员都用自己的钱包账号登录商户后台').waitFor();

    // ---- A's dashboard in English ----
    await menu(a, '概览');
    await a.getByText('English', { exact: true }).click();
    await a.getByRole('heading', { name: 'Dashboard' }).waitFor();
    expect(await a.getByTestId('portal-role').textContent()).toBe('Owner');
    expect(await menuItems(a)).toEqual([
      'Dashboard',
      'Cashier',
      'Orders',
      'Settlements',
      'QR poster',
      'Staff',
      'Developers',
    ]);
    await expect.poll(() => a.getByTestId('dashboard-takings').textContent()).toBe('¥38.00');
    await messagesGone(a);
    await shots.take(a, 'dashboard-en');

    expect(ownerDesk.problems).toEqual([]);
    expect(cashierDesk.problems).toEqual([]);
    expect(payer.problems).toEqual([]);
  }, 300_000);
});

/** The payer's 付款码, turned on with the PIN, its digits shown. */
async function showPayCode(page: Page): Promise<string> {
  await page.goto('/pay-code');
  await page.getByRole('button', { name: '开启付款码' }).click();
  await page.locator('.adm-passcode-input-focused').waitFor();
  await page.keyboard.type(PIN);
  await page.getByRole('img', { name: '付款码二维码' }).waitFor();
  await page.getByRole('button', { name: '查看数字' }).click();
  const digits = ((await page.getByTestId('pay-code-digits').textContent()) ?? '').replace(/\s/g, '');
  expect(digits).toMatch(/^88\d{16}$/);
  return digits;
}

/** The portal's messages ("已结算 …") gone, for a screenshot of the page itself. */
async function messagesGone(page: Page): Promise<void> {
  await expect.poll(() => page.locator('.ant-message-notice').count(), { timeout: 10_000 }).toBe(0);
}

async function download(page: Page, start: () => Promise<void>): Promise<{ name: string; body: Buffer }> {
  const [file] = await Promise.all([page.waitForEvent('download'), start()]);
  const saved = await file.path();
  return { name: file.suggestedFilename(), body: await readFile(saved) };
}

/** As the page's holder, through the API. */
async function send(page: Page, method: 'POST' | 'PUT', route: string, data: unknown): Promise<void> {
  const response = await page.request.fetch(route, { method, data });
  if (!response.ok()) throw new Error(`${route} answered ${response.status()}: ${await response.text()}`);
}

function holder(stack: BrowserStack, name: string, id: string): Promise<Holder> {
  return verifiedHolder(stack, { legalName: name, idNumber: id, password: PASSWORD, pin: PIN });
}
