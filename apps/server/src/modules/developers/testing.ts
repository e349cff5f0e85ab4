/**
 * Test helpers of webhooks: a merchant's receiver on loopback (sandbox mode posts to it), an
 * owner's endpoint, and the deliveries of one handed over and attempted now. Imported by tests only.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import type { SecurityTestApp } from '../security/testing.ts';
import type { TestShop } from '../merchants/testing.ts';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed: `{ id, type, created, data }`. */
  event: { id: string; type: string; created: string; data: Record<string, unknown> };
}

/** Records what arrives and answers 200 (or 500 while `failing`). */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  failing = false;
  private server: Server | null = null;
  private origin = '';

  async start(): Promise<void> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.received.push({
          path: request.url ?? '/',
          headers: request.headers,
          body,
          event: JSON.parse(body) as ReceivedWebhook['event'],
        });
        response.writeHead(this.failing ? 500 : 200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** The URL of `path` on this receiver. */
  url(path = '/hooks/qianbao'): string {
    return `${this.origin}${path}`;
  }

  /** What arrived with this `webhook-id`. */
  withId(webhookId: string): ReceivedWebhook[] {
    return this.received.filter((r) => r.headers['webhook-id'] === webhookId);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** The owner registers an endpoint for `events`; answers its id. */
export async function webhookEndpointOf(
  subject: Pick<SecurityTestApp, 'app'>,
  shop: TestShop,
  url: string,
  events: string[],
): Promise<string> {
  const response = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/merchant/webhook-endpoints',
    headers: shop.owner.headers,
    payload: { url, events },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ id: string }>().id;
}

export interface DeliveryView {
  id: string;
  status: string;
  attempts: number;
  eventType: string;
  body: string;
}

/** The events are handed to the subscribers, then each delivery's due attempt runs (the job's work). */
export async function deliverWebhooks(
  subject: Pick<SecurityTestApp, 'app'>,
  shop: TestShop,
  endpointId: string,
): Promise<DeliveryView[]> {
  await subject.app.outbox.deliverPending();
  const list = async () => {
    const response = await subject.app.inject({
      method: 'GET',
      url: `/v1/me/merchant/webhook-endpoints/${endpointId}/deliveries`,
      headers: shop.owner.headers,
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ deliveries: DeliveryView[] }>().deliveries;
  };
  for (const delivery of await list()) await subject.app.services.webhooks.attempt(delivery.id, 'auto');
  return list();
}
