/**
 * The SDK cannot drift from the server (issue 14): the server's OpenAPI document, as a test app
 * serves it, is cut to the public operations (security lists `apiKey`) and
 *   (a) turned into types by openapi-typescript: the text must be the committed src/openapi.ts
 *       (`UPDATE_SDK=1` rewrites it instead), so a changed schema changes the SDK's types;
 *   (b) compared with the SDK's table of methods both ways: every public operation has exactly
 *       one method, every method's operation exists; and each method, called, sends its
 *       operation's method and path.
 * The webhook event types, which the document does not describe, are compared with the server's.
 */
import { writeFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../../apps/server/src/testing.ts';
import {
  PING_EVENT,
  WEBHOOK_EVENT_TYPES as SERVER_EVENT_TYPES,
} from '../../../apps/server/src/modules/developers/webhook-events.ts';
import { OPERATIONS, Qianbao, WEBHOOK_EVENT_TYPES } from '../src/index.ts';
import type { OperationName } from '../src/index.ts';
import {
  GENERATED_FILE,
  REGENERATE_COMMAND,
  committedTypes,
  firstDifference,
  generatedTypes,
  operationName,
  publicOperations,
} from './public-api.ts';

let document: Parameters<typeof publicOperations>[0];
beforeAll(async () => {
  const subject = await createTestApp();
  try {
    const response = await subject.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    document = response.json();
  } finally {
    await subject.close();
  }
});

describe('the SDK and the OpenAPI document', () => {
  it('the committed types are what openapi-typescript makes of the public operations now', async () => {
    const generated = await generatedTypes(document);
    const committed = await committedTypes();
    if (process.env['UPDATE_SDK']) {
      if (committed !== generated) await writeFile(GENERATED_FILE, generated);
      return;
    }
    const problem =
      committed === null
        ? `${GENERATED_FILE} is missing`
        : `${GENERATED_FILE} no longer matches the server's public API; ${firstDifference(committed, generated)}`;
    expect(
      committed === generated,
      `${problem}\nRegenerate it (then check the SDK still typechecks: npm run typecheck):\n  ${REGENERATE_COMMAND}`,
    ).toBe(true);
  });

  it('every public operation is called by exactly one SDK method, and every method’s operation exists', () => {
    const server = publicOperations(document);
    const methodsOf = new Map<string, string[]>();
    for (const [method, operation] of Object.entries(OPERATIONS)) {
      const name = operationName(operation.method, operation.path);
      methodsOf.set(name, [...(methodsOf.get(name) ?? []), method]);
    }
    const uncalled = server.filter((name) => !methodsOf.has(name));
    const gone = [...methodsOf.keys()].filter((name) => !server.includes(name));
    const twice = [...methodsOf].filter(([, methods]) => methods.length > 1);
    expect(
      uncalled,
      'public operations no SDK method calls: add a method and its row in packages/sdk/src/operations.ts',
    ).toEqual([]);
    expect(
      gone.map((name) => `${methodsOf.get(name)!.join(', ')} → ${name}`),
      'SDK methods whose operation is not public any more (or is gone): remove or change them',
    ).toEqual([]);
    expect(twice, 'operations called by more than one SDK method').toEqual([]);
  });

  it('each SDK method sends its operation’s method and path', async () => {
    const sent: { method: string; path: string; query: string }[] = [];
    const client = new Qianbao({
      apiKey: 'qbk_live_0000000000000000_x',
      baseUrl: 'http://sdk.test',
      maxRetries: 0,
      fetch: (url, init) => {
        const parsed = new URL(url);
        sent.push({ method: init.method ?? 'GET', path: parsed.pathname, query: parsed.search });
        return Promise.resolve(
          new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } }),
        );
      },
    });
    const money = { amount: '100', currency: 'CNY' } as const;
    const calls: Record<OperationName, () => Promise<unknown>> = {
      'orders.create': () => client.orders.create({ merchantOrderId: 'A-1', amount: money }),
      'orders.list': () => client.orders.list({ limit: 1 }),
      'orders.retrieve': () => client.orders.retrieve('A-1'),
      'orders.close': () => client.orders.close('A-1'),
      'refunds.create': () => client.refunds.create('A-1', { merchantRefundId: 'R-1', amount: money }),
      'refunds.retrieve': () => client.refunds.retrieve('A-1', 'R-1'),
      'charges.create': () =>
        client.charges.create({ paymentCode: '281234567890123456', amount: money, merchantOrderId: 'A-1' }),
      'charges.retrieve': () => client.charges.retrieve('c-1'),
      'charges.ofOrder': () => client.charges.ofOrder('A-1'),
      'checkouts.create': () =>
        client.checkouts.create({ merchantOrderId: 'A-1', amount: money, returnUrl: 'https://shop.test/' }),
      'settlements.create': () => client.settlements.create(),
      'settlements.list': () => client.settlements.list(),
      'settlements.retrieve': () => client.settlements.retrieve('s-1'),
      'statements.download': () => client.statements.download('2026-12-01'),
      'webhookDeliveries.list': () => client.webhookDeliveries.list('e-1'),
      'webhookDeliveries.retrieve': () => client.webhookDeliveries.retrieve(`msg_${'0'.repeat(32)}`),
      'webhookDeliveries.resend': () => client.webhookDeliveries.resend(`msg_${'0'.repeat(32)}`),
    };
    const templates = publicOperations(document);
    for (const [method, operation] of Object.entries(OPERATIONS)) {
      const call = calls[method as OperationName] as (() => Promise<unknown>) | undefined;
      expect(call, `no call of ${method} in this test`).toBeDefined();
      sent.length = 0;
      await call!();
      expect(sent, method).toHaveLength(1);
      const [request] = sent;
      const matching = templates.filter((name) => matches(name, request!.method, request!.path));
      expect(matching, `${method} sent ${request!.method} ${request!.path}`).toContain(
        operationName(operation.method, operation.path),
      );
    }
  });

  it('knows every webhook event type the server sends', () => {
    expect([...WEBHOOK_EVENT_TYPES].sort()).toEqual([...SERVER_EVENT_TYPES, PING_EVENT].sort());
  });
});

/** Whether `METHOD /a/{b}` is the operation of a request `method` to `path`. */
function matches(name: string, method: string, path: string): boolean {
  const [templateMethod, template] = name.split(' ') as [string, string];
  if (templateMethod !== method.toUpperCase()) return false;
  const pattern = template
    .split(/\{[^}]+\}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^${pattern}$`).test(path);
}
