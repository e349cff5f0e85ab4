/**
 * The demo shop (issue 14) in Chromium, started by `qianbao start` beside the wallet as a newcomer
 * gets it. (a) The newcomer's minute, on a phone: the shop's page, Buy, Qianbao's hosted checkout
 * says 测试模式; the empty test wallet first — refused, in Chinese, the order still open — then the
 * test payer pays; back at the shop the order is paid and the webhook shows as verified. (b) The
 * merchant's side, at a desk: the demo owner (whose phone and password the start-up printed) signs
 * in to the portal; 开发者 lists the test key and the test endpoint on the shop's /webhooks; the
 * endpoint's deliveries show payment.succeeded delivered; a re-send reaches the shop again with the
 * same webhook-id, which the shop shows as a repeat. The portal in English once. Screenshots in
 * test-results/screenshots/demo-shop/.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPhone, screenshots, startBrowserStack } from './browser.ts';
import type { BrowserStack, PhonePage } from './browser.ts';
import { menu, openDesktop, signInThroughPortal } from './portal.ts';
import { freePort } from '../e2e/server-process.ts';

/** As docs/developers.md "Demo shop" and the start-up output give them. */
const OWNER_PHONE = '13800138000';
const OWNER_PASSWORD = 'Noodles-demo-2026';

describe('the demo shop beside the wallet', () => {
  let stack: BrowserStack;
  let dataDir: string;
  let shopUrl: string;
  let phone: PhonePage;
  let orderId: string;
  let webhookId: string;
  let shots: ReturnType<typeof screenshots>;

  beforeAll(async () => {
    shots = screenshots('demo-shop');
    dataDir = await mkdtemp(path.join(tmpdir(), 'qianbao-demo-shop-browser-'));
    stack = await startBrowserStack({
      env: {
        QIANBAO_DEMO_SHOP: 'on',
        QIANBAO_DEMO_SHOP_PORT: '0',
        QIANBAO_DATA_DIR: dataDir,
        // A fixed port, so that the checkout links Qianbao makes (QIANBAO_PUBLIC_URL's default) work.
        PORT: String(await freePort()),
        SMS_RESEND_SECONDS: '10',
      },
    });
    shopUrl = await printedShopUrl(stack);
  }, 300_000);

  afterAll(async () => {
    await stack?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('the newcomer’s minute: Buy, the test checkout (the empty wallet refused, then paid), the verified webhook', async () => {
    // The lines after the shop's own may still be on their way from the server's stdout.
    await expect
      .poll(() => stack.server.output(), { timeout: 10_000 })
      .toContain(`  its owner in the merchant portal: ${OWNER_PHONE} / ${OWNER_PASSWORD}`);
    phone = await openPhone(stack);
    const page = phone.page;
    await page.goto(shopUrl);
    await page.getByRole('heading', { name: '演示面馆' }).waitFor();
    await page.getByText('测试模式 Test mode').waitFor();
    expect(await page.getByTestId('price').textContent()).toBe('¥38.00');
    await shots.take(page, 'shop');

    // ---- Buy: Qianbao's hosted checkout, in test mode ----
    await page.getByRole('button', { name: /购买/ }).click();
    await page.waitForURL((url) => url.origin === stack.url && url.pathname.startsWith('/checkout/'));
    await page.getByText('测试模式', { exact: true }).waitFor();
    await page.getByText('演示面馆', { exact: true }).first().waitFor();
    expect(await page.getByTestId('checkout-amount').textContent()).toContain('38.00');
    await shots.take(page, 'checkout-test-mode');

    // ---- The empty test wallet: refused, clearly, and nothing paid ----
    await page.getByRole('button', { name: '测试付款人余额不足（支付失败）' }).click();
    const refusal = page.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/余额不足/);
    await shots.take(page, 'empty-wallet-refused');

    // ---- The test payer pays; the checkout sends the customer back to the shop ----
    await page.getByRole('button', { name: '用测试付款人支付' }).click();
    await page.getByText('即将返回 演示面馆').waitFor();
    await shots.take(page, 'checkout-paid');
    await page.waitForURL((url) => url.origin === shopUrl && url.pathname.startsWith('/orders/'), {
      timeout: 15_000,
    });
    const returned = new URL(page.url());
    orderId = returned.pathname.split('/').at(-1)!;
    expect(returned.searchParams.get('status')).toBe('paid');
    expect(returned.searchParams.get('merchantOrderId')).toBe(orderId);

    // ---- At the shop: paid, and the webhook arrives (the page refreshes itself until it does) ----
    await page.getByTestId('served').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('order-status').textContent()).toBe('已支付 Paid');
    const hooks = page.getByTestId('webhooks').locator('li');
    expect(await hooks.count()).toBe(1);
    await hooks.first().getByText('payment.succeeded').waitFor();
    await hooks
      .first()
      .getByText(/签名已验证 ✓/)
      .waitFor();
    webhookId = (await hooks.first().getAttribute('data-webhook-id')) ?? '';
    expect(webhookId).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(await page.locator('meta[http-equiv="refresh"]').count()).toBe(0);
    await shots.take(page, 'order-paid-webhook');
    expect(phone.problems).toEqual([]);
  }, 120_000);

  it('the merchant’s side: the demo owner sees the test key, the test endpoint, the delivery, and re-sends it', async () => {
    const desk = await openDesktop(stack);
    const a = desk.page;
    await a.goto('/merchant');
    await signInThroughPortal(a, stack.url, OWNER_PHONE, OWNER_PASSWORD);
    await a.waitForURL('**/merchant/dashboard');
    await menu(a, '开发者');
    await a.getByRole('heading', { name: '开发者' }).waitFor();

    // The test key the shop sells with, and the test endpoint on the shop's /webhooks.
    const keyRow = a.getByTestId('api-keys-table').locator('tr', { hasText: '演示商店 Demo shop' });
    await keyRow.getByText('测试', { exact: true }).waitFor();
    await keyRow.getByText(/^qbk_test_[0-9a-f]{16}_…$/).waitFor();
    await keyRow.getByText('使用中').waitFor();
    const webhookUrl = `http://127.0.0.1:${new URL(shopUrl).port}/webhooks`;
    const endpointRow = a.getByTestId('webhook-endpoints-table').locator('tr', { hasText: webhookUrl });
    await endpointRow.getByText('测试', { exact: true }).waitFor();
    await endpointRow.getByText('启用中').waitFor();
    await shots.take(a, 'portal-developers');

    // Its deliveries: payment.succeeded delivered (the shop answered 204); re-send it.
    await endpointRow.getByRole('button', { name: '投递记录' }).click();
    const deliveries = a.getByTestId('webhook-deliveries-table');
    const paymentRow = deliveries.locator('tr', { hasText: 'payment.succeeded' });
    await paymentRow.getByText('已送达').waitFor();
    await paymentRow.getByText('HTTP 204').waitFor();
    await paymentRow.getByRole('button', { name: /展开|Expand/ }).click();
    await deliveries.getByText(`"merchantOrderId": "${orderId}"`).waitFor();
    await shots.take(a, 'portal-deliveries');
    await paymentRow.getByRole('button', { name: '重新发送' }).click();
    await a.getByText('已重新发送并送达').waitFor();
    await expect.poll(() => paymentRow.locator('td').nth(4).textContent()).toBe('2');
    await shots.take(a, 'portal-resent');
    await a.keyboard.press('Escape');

    // The shop got it again: the same webhook-id, shown as a repeat (served once).
    const page = phone.page;
    await page.reload();
    const hooks = page.getByTestId('webhooks').locator(`li[data-webhook-id="${webhookId}"]`);
    await expect.poll(() => hooks.count()).toBe(2);
    await hooks
      .nth(1)
      .getByText(/再次收到同一个 webhook-id/)
      .waitFor();
    expect(await page.getByTestId('served').count()).toBe(1);
    await page.getByTestId('webhooks').scrollIntoViewIfNeeded();
    await shots.take(page, 'order-resent');

    // ---- The portal in English ----
    await a.getByText('English', { exact: true }).click();
    await a.getByRole('heading', { name: 'Developers' }).waitFor();
    await a.getByTestId('api-keys-table').getByText('Test', { exact: true }).waitFor();
    await shots.take(a, 'portal-developers-en');

    expect(desk.problems).toEqual([]);
    expect(phone.problems).toEqual([]);
  }, 180_000);
});

/** The shop's address from the start-up output (it is set up once the wallet listens). */
async function printedShopUrl(stack: BrowserStack): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const output = stack.server.output();
    const match = /Demo shop \(test mode: pay with the test payer\): (http:\/\/\S+)/.exec(output);
    if (match) return match[1]!;
    if (output.includes('Demo shop not started') || Date.now() > deadline) {
      throw new Error(`the demo shop did not start:\n${output}`);
    }
    await sleep(200);
  }
}
