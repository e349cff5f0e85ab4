/**
 * The open platform in the merchant portal (issue 14), in Chromium at 1280 × 800. A owns 李记面馆
 * and opens 开发者: a key without a name and an allow-list entry that is no address are told
 * apart before anything is sent; the key made shows its secret once (a warning, a copy button).
 * The shop's server — this test, over HTTP — makes an order with it and queries it; a read of the
 * keys API with it is refused. The key's request log shows both calls, the order's body unfolded.
 * A rolls the key: a new secret, the old one 即将失效 and still working; then revokes the old one,
 * which the server refuses at once while the new one works. Webhooks: an address that is no URL is
 * told before sending; an endpoint on the shop's server (a receiver on loopback) shows its signing
 * secret; a test fails (HTTP 500) and then succeeds; a payer pays the key's order and the receiver
 * gets payment.succeeded, signed (the standardwebhooks verifier accepts it); the portal lists the
 * deliveries, unfolds the body and re-sends the payment's (the same webhook-id twice). The page in
 * English. Screenshots in
 * test-results/screenshots/developers/.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fundByCard, idNumber, screenshots, startBrowserStack, verifiedHolder } from './browser.ts';
import type { BrowserStack, PhonePage } from './browser.ts';
import { menu, openDesktop, signInThroughPortal } from './portal.ts';

const PASSWORD = 'Lotus-garden-88';
const PIN = '258036';
const CARD = '6222021234567894';

/** The shop's webhook receiver on loopback: records what arrives; answers 500 while `failing`. */
class Receiver {
  readonly received: { headers: IncomingHttpHeaders; body: string; at: number }[] = [];
  failing = false;
  url = '';
  private server!: Server;

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.received.push({
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        });
        response.writeHead(this.failing ? 500 : 200).end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/qianbao`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('developers in the merchant portal', () => {
  let stack: BrowserStack;
  let owner: PhonePage & { phone: string };
  let payer: PhonePage & { phone: string };
  const receiver = new Receiver();

  beforeAll(async () => {
    stack = await startBrowserStack({ env: { SMS_RESEND_SECONDS: '10' } });
    owner = await verifiedHolder(stack, {
      legalName: '李娜',
      idNumber: idNumber('31011519880808003'),
      password: PASSWORD,
      pin: PIN,
    });
    const opened = await owner.page.request.post('/v1/me/merchant', {
      data: { name: '李记面馆', city: '上海', mcc: '5812' },
    });
    expect(opened.status(), await opened.text()).toBe(201);
    payer = await verifiedHolder(stack, {
      legalName: '张伟',
      idNumber: idNumber('44030519920202004'),
      password: PASSWORD,
      pin: PIN,
    });
    await fundByCard(payer.page, stack.url, { phone: payer.phone, card: CARD, fen: '100000', pin: PIN });
    await receiver.start();
  }, 300_000);

  afterAll(async () => {
    await receiver.stop();
    await stack?.close();
  });

  it('A makes a key, the shop’s server uses it, A reads its log, rolls it and revokes the old one', async () => {
    const shots = screenshots('developers');
    const desk = await openDesktop(stack);
    const a = desk.page;
    await a.goto('/merchant');
    await signInThroughPortal(a, stack.url, owner.phone, PASSWORD);
    await a.waitForURL('**/merchant/dashboard');
    await menu(a, '开发者');
    await a.getByRole('heading', { name: '开发者' }).waitFor();
    await a.getByText('还没有 API 密钥').waitFor();
    // The key form (the partners' grant form further down lists the same scopes).
    const keyForm = a.getByRole('form', { name: '创建 API 密钥' });
    await keyForm.getByText('收款：创建订单、收银台、扫码收款，查询订单').waitFor();
    await shots.take(a, 'empty');

    // ---- Wrong input is told before anything is sent ----
    await keyForm.getByLabel('IP 白名单（可选）').fill('203.0.113.7, 10.1.2.0/33');
    await keyForm.getByRole('button', { name: '创建密钥' }).click();
    await a.getByText('请填写名称').waitFor();
    await a.getByText('「10.1.2.0/33」不是 IP 地址或网段（如 203.0.113.7 或 10.1.2.0/24）').waitFor();
    await shots.take(a, 'wrong-input');
    await keyForm.getByLabel('IP 白名单（可选）').fill('');

    // ---- A key: its secret once ----
    await keyForm.getByLabel('名称').fill('网店后台');
    await keyForm.getByRole('checkbox', { name: /refunds:write/ }).check();
    await keyForm.getByRole('button', { name: '创建密钥' }).click();
    const dialog = a.getByRole('dialog', { name: '新的 API 密钥' });
    await dialog.getByText('请立即复制并妥善保存：关闭后将无法再次查看这个密钥。').waitFor();
    const secret = (await dialog.getByTestId('api-key-secret').textContent())?.trim() ?? '';
    expect(secret).toMatch(/^qbk_live_[0-9a-f]{16}_[0-9a-f]{64}$/);
    await shots.take(a, 'secret-once');
    await dialog.getByRole('button', { name: '我已保存' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const table = a.getByTestId('api-keys-table');
    const keyId = secret.split('_')[2]!;
    const row = table.locator('tr', { hasText: `qbk_live_${keyId}_…` });
    await row.getByText('使用中').waitFor();
    await row.getByText('从未使用').waitFor();
    expect(await table.textContent()).not.toContain(secret.slice(-64));

    // ---- The shop's server uses it ----
    const made = await shopServer(stack, secret, 'POST', '/v1/me/merchant/orders', {
      merchantOrderId: 'WEB-1001',
      amount: { amount: '3800', currency: 'CNY' },
      description: '牛肉面',
    });
    expect(made.status).toBe(201);
    const order = (await made.json()) as { merchantOrderId: string; status: string; payload: string };
    expect(order).toMatchObject({ merchantOrderId: 'WEB-1001', status: 'open' });
    expect((await shopServer(stack, secret, 'GET', '/v1/me/merchant/orders/WEB-1001')).status).toBe(200);
    expect((await shopServer(stack, secret, 'GET', '/v1/me/merchant/api-keys')).status).toBe(401);
    const limited = await shopServer(stack, secret, 'GET', '/v1/me/merchant/orders/WEB-1001');
    expect(limited.headers.get('ratelimit-limit')).toBe('1000');

    // ---- Its log: both calls, the order's body ----
    await a.reload();
    await expect.poll(() => row.textContent()).not.toContain('从未使用');
    await row.getByRole('button', { name: '请求记录' }).click();
    const log = a.getByTestId('api-requests-table');
    await log.getByText('POST /v1/me/merchant/orders', { exact: true }).waitFor();
    await log.getByText('GET /v1/me/merchant/orders/WEB-1001', { exact: true }).first().waitFor();
    const posted = log.locator('tr', { hasText: 'POST /v1/me/merchant/orders' });
    await posted.getByText('201').waitFor();
    await posted.getByRole('button', { name: /展开|Expand/ }).click();
    await log.getByText('"merchantOrderId": "WEB-1001"').waitFor();
    await shots.take(a, 'request-log');
    await a.keyboard.press('Escape');

    // ---- Roll: a new secret, the old one working for a day ----
    await row.getByRole('button', { name: '轮换' }).click();
    await a
      .getByRole('tooltip')
      .getByText('将生成新密钥；旧密钥在 24 小时内仍可使用，请在此之前换上新密钥。')
      .waitFor();
    await a.getByRole('tooltip').getByRole('button', { name: '轮换' }).click();
    const rolledDialog = a.getByRole('dialog', { name: '新的 API 密钥' });
    const rolledSecret = (await rolledDialog.getByTestId('api-key-secret').textContent())?.trim() ?? '';
    expect(rolledSecret).toMatch(/^qbk_live_[0-9a-f]{16}_[0-9a-f]{64}$/);
    expect(rolledSecret).not.toBe(secret);
    await shots.take(a, 'rolled-secret');
    await rolledDialog.getByRole('button', { name: '我已保存' }).click();
    await rolledDialog.waitFor({ state: 'hidden' });
    await row.getByText('即将失效').waitFor();
    await shots.take(a, 'rolled');
    expect((await shopServer(stack, secret, 'GET', '/v1/me/merchant/orders/WEB-1001')).status).toBe(200);

    // ---- Revoke the old one: refused at once; the new one works ----
    await row.getByRole('button', { name: '吊销' }).click();
    await a.getByRole('tooltip').getByRole('button', { name: '吊销' }).click();
    await row.getByText('已吊销').waitFor();
    const refused = await shopServer(stack, secret, 'GET', '/v1/me/merchant/orders/WEB-1001');
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { code: 'API_KEY_INVALID' } });
    expect((await shopServer(stack, rolledSecret, 'GET', '/v1/me/merchant/orders/WEB-1001')).status).toBe(
      200,
    );
    await shots.take(a, 'revoked');

    // ---- Webhooks: an endpoint on the shop's server, a test that fails, then succeeds ----
    await a.getByRole('textbox', { name: '通知地址' }).fill('shop.example.com/hooks');
    await a.getByRole('button', { name: '添加地址' }).click();
    await a.getByText('请输入完整的 http(s) 地址，如 https://shop.example.com/hooks').waitFor();
    await a.getByRole('textbox', { name: '通知地址' }).fill(receiver.url);
    await a.getByRole('button', { name: '添加地址' }).click();
    const secretDialog = a.getByRole('dialog', { name: '签名密钥' });
    const signingSecret = (await secretDialog.getByTestId('webhook-secret').textContent())?.trim() ?? '';
    expect(signingSecret).toMatch(/^whsec_/);
    await shots.take(a, 'webhook-secret');
    await secretDialog.getByRole('button', { name: '我已保存' }).click();
    await secretDialog.waitFor({ state: 'hidden' });
    const endpoints = a.getByTestId('webhook-endpoints-table');
    const endpointRow = endpoints.locator('tr', { hasText: receiver.url });
    await endpointRow.getByText('启用中').waitFor();
    receiver.failing = true;
    await endpointRow.getByRole('button', { name: '发送测试' }).click();
    await a.getByText('测试通知未送达：HTTP 500').waitFor();
    receiver.failing = false;
    await endpointRow.getByRole('button', { name: '发送测试' }).click();
    await a.getByText('测试通知已送达（HTTP 200）').waitFor();

    // ---- A payer pays the key's order: the shop's server is told, signed ----
    const qr = order.payload;
    const payment = await payer.page.request.post('/v1/payments', { data: { kind: 'merchant_order', qr } });
    expect(payment.status(), await payment.text()).toBe(201);
    const paid = await payer.page.request.post(
      `/v1/payments/${((await payment.json()) as { id: string }).id}/confirm`,
      {
        headers: { 'idempotency-key': crypto.randomUUID() },
        data: { confirmation: { pin: PIN } },
      },
    );
    expect(paid.status(), await paid.text()).toBe(200);
    await expect
      .poll(() => receiver.received.filter((r) => r.body.includes('"payment.succeeded"')).length, {
        timeout: 20_000,
      })
      .toBe(1);
    const arrived = receiver.received.find((r) => r.body.includes('"payment.succeeded"'))!;
    const headers = {
      'webhook-id': String(arrived.headers['webhook-id']),
      'webhook-timestamp': String(arrived.headers['webhook-timestamp']),
      'webhook-signature': String(arrived.headers['webhook-signature']),
    };
    expect(new Webhook(signingSecret).verify(arrived.body, headers)).toMatchObject({
      type: 'payment.succeeded',
      data: { merchantOrderId: 'WEB-1001', amount: { amount: '3800', currency: 'CNY' } },
    });

    // ---- The portal shows the deliveries; A re-sends the payment's ----
    await endpointRow.getByRole('button', { name: '投递记录' }).click();
    const deliveries = a.getByTestId('webhook-deliveries-table');
    const paymentRow = deliveries.locator('tr', { hasText: 'payment.succeeded' });
    await paymentRow.getByText('已送达').waitFor();
    await deliveries.locator('tr', { hasText: 'webhook.ping' }).first().waitFor();
    await paymentRow.getByRole('button', { name: /展开|Expand/ }).click();
    await deliveries.getByText('"merchantOrderId": "WEB-1001"').waitFor();
    await shots.take(a, 'webhook-deliveries');
    await paymentRow.getByRole('button', { name: '重新发送' }).click();
    await a.getByText('已重新发送并送达').waitFor();
    await expect
      .poll(() => receiver.received.filter((r) => r.headers['webhook-id'] === headers['webhook-id']).length)
      .toBe(2);
    await expect.poll(() => paymentRow.locator('td').nth(4).textContent()).toBe('2');
    await shots.take(a, 'webhook-resent');
    await a.keyboard.press('Escape');

    // ---- In English ----
    await a.getByText('English', { exact: true }).click();
    await a.getByRole('heading', { name: 'Developers' }).waitFor();
    await a.getByTestId('api-keys-table').getByText('Revoked').waitFor();
    await shots.take(a, 'developers-en');

    expect(desk.problems).toEqual([]);
  }, 180_000);
});

/** The shop's own server calling the merchant API with its key (no browser, no cookie). */
function shopServer(stack: BrowserStack, secret: string, method: string, path: string, body?: unknown) {
  return fetch(`${stack.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${secret}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
}
