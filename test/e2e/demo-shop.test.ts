/**
 * The demo shop (examples/demo-shop, issue 14) against a real Qianbao listening on loopback in
 * sandbox mode. Its setup, over the public HTTP API only, registers the demo owner, verifies their
 * real name, opens 演示面馆 and makes a test key and a test webhook endpoint, kept in
 * `demo-shop.json` (0600); run again — also twice at once — it reuses them (the same key id); a
 * key that stopped working is replaced and revoked, a moved shop's endpoint updated. The shop sells:
 * Buy → a hosted checkout of a test order; the empty test wallet is refused; the test payer pays;
 * the shop receives `payment.succeeded`, verified, and its order page shows it (and stops
 * refreshing); a re-send arrives with the same webhook-id and is shown as a repeat; a forged or
 * tampered webhook is refused and not kept.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Qianbao } from '@qianbao/sdk';
import {
  DEMO_ENDPOINT_DESCRIPTION,
  DEMO_EVENTS,
  DEMO_KEY_NAME,
  DEMO_OWNER,
  setUpDemoShop,
  startDemoShop,
} from '@qianbao/demo-shop';
import type { RunningDemoShop } from '@qianbao/demo-shop';
import { createTestApp } from '../../apps/server/src/testing.ts';
import type { TestApp } from '../../apps/server/src/testing.ts';
import { freePort } from './server-process.ts';

let subject: TestApp;
let qianbaoUrl: string;
let dataDir: string;

beforeAll(async () => {
  // The checkout links Qianbao answers point at where it really listens.
  const port = await freePort();
  subject = await createTestApp({ env: { QIANBAO_PUBLIC_URL: `http://localhost:${port}` } });
  await subject.app.listen({ port, host: '127.0.0.1' });
  qianbaoUrl = `http://127.0.0.1:${(subject.app.server.address() as AddressInfo).port}`;
  dataDir = await mkdtemp(path.join(tmpdir(), 'qianbao-demo-shop-'));
});
afterAll(async () => {
  await subject?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** The demo owner's view over HTTP, from the setup's own device (known: no SMS code). */
async function asOwner() {
  const signIn = await fetch(`${qianbaoUrl}/v1/auth/login/password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      phone: DEMO_OWNER.phone,
      password: DEMO_OWNER.password,
      deviceId: 'qianbao-demo-shop-setup',
    }),
  });
  expect(signIn.status, await signIn.clone().text()).toBe(200);
  const { token } = (await signIn.json()) as { token: string };
  const get = async <T>(route: string): Promise<T> => {
    const response = await fetch(`${qianbaoUrl}${route}`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status, route).toBe(200);
    return (await response.json()) as T;
  };
  return {
    merchant: () => get<{ id: string; name: string; role: string }>('/v1/me/merchant'),
    keys: async () =>
      (
        await get<{ keys: { id: string; name: string; mode: string; status: string; scopes: string[] }[] }>(
          '/v1/me/merchant/api-keys',
        )
      ).keys,
    endpoints: async () =>
      (
        await get<{
          endpoints: {
            id: string;
            url: string;
            mode: string;
            events: string[];
            description: string;
            status: string;
          }[];
        }>('/v1/me/merchant/webhook-endpoints')
      ).endpoints,
  };
}

describe('the demo shop’s setup', () => {
  const webhookUrl = 'http://127.0.0.1:1/webhooks'; // nothing listens: setup never posts to it

  it('registers the demo owner, opens 演示面馆, makes a test key and a test endpoint, keeps their secrets 0600', async () => {
    const setup = await setUpDemoShop({ qianbaoUrl, webhookUrl, dataDir });
    expect(setup.made).toEqual({ owner: true, merchant: true, key: true, endpoint: true });
    expect(setup.apiKey).toMatch(/^qbk_test_[0-9a-f]{16}_[0-9a-f]{64}$/);
    expect(setup.apiKey.split('_')[2]).toBe(setup.keyId);
    expect(setup.webhookSecret).toMatch(/^whsec_/);
    expect(setup.merchantName).toBe('演示面馆');

    const owner = await asOwner();
    expect(await owner.merchant()).toMatchObject({ id: setup.merchantId, name: '演示面馆', role: 'owner' });
    expect(await owner.keys()).toEqual([
      expect.objectContaining({
        id: setup.keyId,
        name: DEMO_KEY_NAME,
        mode: 'test',
        status: 'active',
        scopes: ['payments:write', 'refunds:write'],
      }),
    ]);
    expect(await owner.endpoints()).toEqual([
      expect.objectContaining({
        id: setup.endpointId,
        url: webhookUrl,
        mode: 'test',
        status: 'enabled',
        description: DEMO_ENDPOINT_DESCRIPTION,
        events: [...DEMO_EVENTS],
      }),
    ]);
    // The key works through the SDK, and acts for test mode only.
    const qianbao = new Qianbao({ apiKey: setup.apiKey, baseUrl: qianbaoUrl });
    expect((await qianbao.orders.list({ limit: 5 })).orders).toEqual([]);

    const file = path.join(dataDir, 'demo-shop.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({
      apiKey: { id: setup.keyId, secret: setup.apiKey },
      webhookEndpoint: { id: setup.endpointId, url: webhookUrl, secret: setup.webhookSecret },
    });
  });

  it('run again, and twice at once, reuses them: the same key and endpoint, nothing new', async () => {
    const first = await setUpDemoShop({ qianbaoUrl, webhookUrl, dataDir });
    const [second, third] = await Promise.all([
      setUpDemoShop({ qianbaoUrl, webhookUrl, dataDir }),
      setUpDemoShop({ qianbaoUrl, webhookUrl, dataDir }),
    ]);
    for (const again of [first, second, third]) {
      expect(again.made).toEqual({ owner: false, merchant: false, key: false, endpoint: false });
    }
    expect(new Set([first.keyId, second.keyId, third.keyId]).size).toBe(1);
    expect(new Set([first.endpointId, second.endpointId, third.endpointId]).size).toBe(1);
    expect(second.apiKey).toBe(first.apiKey);
    expect(third.webhookSecret).toBe(first.webhookSecret);
    const owner = await asOwner();
    expect(await owner.keys()).toHaveLength(1);
    expect(await owner.endpoints()).toHaveLength(1);

    // Without the file, two at once: one makes the new key, the other finds it — one key in use.
    await rm(path.join(dataDir, 'demo-shop.json'));
    const both = await Promise.all([
      setUpDemoShop({ qianbaoUrl, webhookUrl, dataDir }),
      setUpDemoShop({ qianbaoUrl, webhookUrl, dataDir }),
    ]);
    expect(both.map((setup) => setup.made.key).sort()).toEqual([false, true]);
    expect(both[0].keyId).toBe(both[1].keyId);
    expect(both[0].endpointId).toBe(first.endpointId);
    expect((await owner.keys()).filter((key) => key.status === 'active').map((key) => key.id)).toEqual([
      both[0].keyId,
    ]);
  });

  it('replaces a key that no longer works (revoking the demo’s old ones) and follows the shop to a new address', async () => {
    const before = await setUpDemoShop({ qianbaoUrl, webhookUrl, dataDir });
    const file = path.join(dataDir, 'demo-shop.json');
    const saved = JSON.parse(await readFile(file, 'utf8')) as { apiKey: { secret: string } };
    saved.apiKey.secret = saved.apiKey.secret.replace(/.{8}$/, '00000000'); // lost or mangled
    await writeFile(file, JSON.stringify(saved), { mode: 0o644 });

    const moved = 'http://127.0.0.1:2/webhooks';
    const after = await setUpDemoShop({ qianbaoUrl, webhookUrl: moved, dataDir });
    expect(after.made).toMatchObject({ key: true, endpoint: false });
    expect(after.keyId).not.toBe(before.keyId);
    expect(after.endpointId).toBe(before.endpointId);
    expect(after.webhookSecret).toBe(before.webhookSecret);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const owner = await asOwner();
    const keys = await owner.keys();
    expect(keys.find((key) => key.id === before.keyId)?.status).toBe('revoked');
    expect(keys.find((key) => key.id === after.keyId)?.status).toBe('active');
    expect((await owner.endpoints()).map((endpoint) => endpoint.url)).toEqual([moved]);

    // The file gone altogether: a new key again, the endpoint found by its description.
    await rm(file);
    const fresh = await setUpDemoShop({ qianbaoUrl, webhookUrl, dataDir });
    expect(fresh.made).toMatchObject({ key: true, endpoint: false });
    expect(fresh.endpointId).toBe(before.endpointId);
    expect(fresh.webhookSecret).toBe(before.webhookSecret);
    expect((await owner.endpoints()).map((endpoint) => endpoint.url)).toEqual([webhookUrl]);
    expect((await owner.keys()).filter((key) => key.status === 'active').map((key) => key.id)).toEqual([
      fresh.keyId,
    ]);
  });
});

describe('the demo shop sells a bowl of noodles', () => {
  let running: RunningDemoShop;
  afterAll(async () => running?.stop());

  /** What the job queue does in a running server: hand the events over, post the due deliveries. */
  async function deliverWebhooks(qianbao: Qianbao, endpointId: string): Promise<string[]> {
    await subject.app.outbox.deliverPending();
    const { deliveries } = await qianbao.webhookDeliveries.list(endpointId);
    for (const delivery of deliveries.filter((each) => each.status === 'pending')) {
      await subject.app.services.webhooks.attempt(delivery.id, 'auto');
    }
    return deliveries.map((delivery) => delivery.id);
  }

  it('Buy → the hosted checkout → the test payer pays → the shop gets a verified payment.succeeded and shows it', async () => {
    running = await startDemoShop({ qianbaoUrl, dataDir, host: '127.0.0.1', port: 0 });
    const shop = running.url;
    expect(shop).toMatch(/^http:\/\/localhost:\d+$/);
    expect(running.webhookUrl).toBe(`http://127.0.0.1:${running.port}/webhooks`);
    const qianbao = new Qianbao({ apiKey: running.setup.apiKey, baseUrl: qianbaoUrl });

    const home = await fetch(shop);
    expect(home.status).toBe(200);
    const homeText = await home.text();
    expect(homeText).toContain('牛肉面');
    expect(homeText).toContain('¥38.00');
    expect(homeText).toContain('测试模式 Test mode');

    // Buy: 303 to Qianbao's hosted checkout of a test order, coming back to the shop's order page.
    const bought = await fetch(`${shop}/buy`, { method: 'POST', redirect: 'manual' });
    expect(bought.status).toBe(303);
    const checkoutUrl = new URL(bought.headers.get('location')!);
    expect(checkoutUrl.pathname).toMatch(/^\/checkout\/[\w-]+$/);
    const token = checkoutUrl.pathname.split('/').at(-1)!;
    const checkout = (await (await fetch(`${qianbaoUrl}/v1/checkouts/${token}`)).json()) as {
      testMode: boolean;
      merchantName: string;
      returnUrl: string;
      order: { merchantOrderId: string; amount: { amount: string; currency: string }; status: string };
    };
    const orderId = checkout.order.merchantOrderId;
    expect(checkout).toMatchObject({
      testMode: true,
      merchantName: '演示面馆',
      returnUrl: `${shop}/orders/${orderId}`,
      order: { amount: { amount: '3800', currency: 'CNY' }, status: 'open' },
    });
    expect(orderId).toMatch(/^DEMO-\d{6}-[0-9a-f]{8}$/);

    // Back without paying: the page offers the checkout again and waits (refreshes).
    const left = await (
      await fetch(`${shop}/orders/${orderId}?merchantOrderId=${orderId}&status=cancelled`)
    ).text();
    expect(left).toContain('待支付 Unpaid');
    expect(left).toContain('你从收银台返回，没有付款');
    expect(left).toContain(`href="${checkoutUrl.toString()}"`);

    const pay = (payer: string) =>
      fetch(`${qianbaoUrl}/v1/checkouts/${token}/test-payments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ payer }),
      });
    const refused = await pay('insufficient_funds');
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({ error: { code: 'INSUFFICIENT_FUNDS' } });
    expect((await qianbao.orders.retrieve(orderId)).status).toBe('open');
    const paid = await pay('succeeds');
    expect(paid.status, await paid.clone().text()).toBe(200);

    // Back from the checkout before the webhook: paid by the order query, still waiting for it.
    const early = await (
      await fetch(`${shop}/orders/${orderId}?merchantOrderId=${orderId}&status=paid`)
    ).text();
    expect(early).toContain('已支付 Paid');
    expect(early).toMatch(/<meta http-equiv="refresh" content="2">/);
    expect(early).toContain('正在等待钱包的 payment.succeeded webhook');

    const [deliveryId] = await deliverWebhooks(qianbao, running.setup.endpointId);
    expect(running.shop.received().map((received) => [received.event.type, received.webhookId])).toEqual([
      ['payment.succeeded', deliveryId],
    ]);
    expect(running.shop.webhooksOf(orderId)[0]!.event).toMatchObject({
      type: 'payment.succeeded',
      data: { merchantOrderId: orderId, amount: { amount: '3800', currency: 'CNY' }, status: 'paid' },
    });
    const served = await (await fetch(`${shop}/orders/${orderId}`)).text();
    expect(served).toContain('已支付 Paid');
    expect(served).toContain(`data-webhook-id="${deliveryId}"`);
    expect(served).toContain('签名已验证 ✓');
    expect(served).toContain('已出餐');
    expect(served).not.toContain('http-equiv="refresh"');

    // A re-send: the same webhook-id again, shown as a repeat, served once.
    const resent = await qianbao.webhookDeliveries.resend(deliveryId!);
    expect(resent).toMatchObject({ status: 'succeeded', lastStatusCode: 204 });
    expect(running.shop.webhooksOf(orderId).map((received) => [received.webhookId, received.repeat])).toEqual(
      [
        [deliveryId, false],
        [deliveryId, true],
      ],
    );
    expect(await (await fetch(`${shop}/orders/${orderId}`)).text()).toContain('再次收到同一个 webhook-id');
  });

  it('listens on another port when its own is taken, and moves its endpoint there', async () => {
    const second = await startDemoShop({ qianbaoUrl, dataDir, host: '127.0.0.1', port: running.port });
    try {
      expect(second.portTaken).toBe(true);
      expect(second.port).not.toBe(running.port);
      expect(second.setup.keyId).toBe(running.setup.keyId);
      expect((await asOwner().then((owner) => owner.endpoints())).map((endpoint) => endpoint.url)).toEqual([
        `http://127.0.0.1:${second.port}/webhooks`,
      ]);
      expect((await fetch(second.url)).status).toBe(200);
    } finally {
      await second.stop();
    }
    await expect(fetch(second.url)).rejects.toThrow();
  });

  it('refuses a forged webhook and a tampered one, and keeps neither', async () => {
    const receiver = `${running.url}/webhooks`;
    const kept = running.shop.received().length;
    const body = JSON.stringify({
      id: 'evt_forged',
      type: 'payment.succeeded',
      created: new Date().toISOString(),
      data: {
        merchantOrderId: 'DEMO-000000-00000000',
        orderId: 'x',
        amount: { amount: '1', currency: 'CNY' },
      },
    });
    const post = (headers: Record<string, string>, text = body) =>
      fetch(receiver, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: text,
      });
    const now = new Date();
    // Signed with another secret.
    const forger = new Webhook(`whsec_${Buffer.alloc(24, 9).toString('base64')}`);
    const forged = await post({
      'webhook-id': 'msg_forged',
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': forger.sign('msg_forged', now, body),
    });
    expect(forged.status).toBe(400);
    // Signed with the shop's secret, then changed on the way.
    const signer = new Webhook(running.setup.webhookSecret);
    const headers = {
      'webhook-id': 'msg_tampered',
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signer.sign('msg_tampered', now, body),
    };
    expect((await post(headers, body.replace('"1"', '"100000"'))).status).toBe(400);
    expect((await post({})).status).toBe(400); // no signature at all
    expect(running.shop.received()).toHaveLength(kept);
    // The same one untouched is accepted: the refusals were the signature's.
    expect((await post(headers)).status).toBe(204);
    expect(running.shop.received()).toHaveLength(kept + 1);
  });
});
