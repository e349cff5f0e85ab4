/**
 * The inbox's outbox subscriber: an event's notices are written once however often the event is
 * delivered (at least once); a stored notice is not pushed or texted again.
 */
import { withTransaction } from '@qianbao/db';
import { newId } from '@qianbao/ledger';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { appendEvents } from '../../outbox/index.ts';
import { createTestApp, type TestApp } from '../../testing.ts';
import { registerHolder } from '../identity/testing.ts';
import { TRANSFER_NOTICES, transferSucceeded } from '../transfers/index.ts';
import { inboxSubscriber } from './subscriber.ts';

let subject: TestApp;
beforeAll(async () => (subject = await createTestApp({ env: { LARGE_AMOUNT_SMS_MINOR: '100000' } })));
afterAll(async () => subject.close());

async function inboxOf(headers: Record<string, string>) {
  const response = await subject.app.inject({
    method: 'GET',
    url: '/v1/me/notifications?limit=100&lang=zh-CN',
    headers,
  });
  return response.json<{ notifications: { id: string; kind: string; body: string }[] }>().notifications;
}

async function textsTo(phone: string): Promise<string[]> {
  const response = await subject.app.inject({ method: 'GET', url: `/dev/sms.json?phone=${phone}&limit=20` });
  return response.json<{ messages: { text: string }[] }>().messages.map((m) => m.text);
}

it('a redelivered transfer.succeeded writes and texts each notice once', async () => {
  const payer = await registerHolder(subject.app);
  const payee = await registerHolder(subject.app);
  const payeeTextsBefore = (await textsTo(payee.phone)).length;
  const transferId = newId();
  const [event] = await withTransaction(subject.database.pool, (client) =>
    appendEvents(client, [
      transferSucceeded({
        id: newId(),
        ledger_transfer_id: transferId,
        kind: 'phone',
        status: 'succeeded',
        payer_user_id: payer.userId,
        payee_user_id: payee.userId,
        payer_display: '*明',
        payee_display: '*娜',
        amount_minor: 1_234_00n,
        currency: 'CNY',
        note: '房租',
        payment_request_id: null,
        created_at: new Date(),
      }),
    ]),
  );
  // Delivered by the dispatcher, then twice more by hand (as after a crash before the cursor moved).
  expect(await subject.app.outbox.deliverPending()).toBeGreaterThanOrEqual(1);
  const subscriber = inboxSubscriber({
    notifications: subject.app.services.notifications,
    renderers: [TRANSFER_NOTICES],
  });
  await subscriber.handle(event!);
  await subscriber.handle(event!);

  const received = (await inboxOf(payee.headers)).filter((n) => n.kind === 'transfers.received');
  const sent = (await inboxOf(payer.headers)).filter((n) => n.kind === 'transfers.sent');
  expect(received).toHaveLength(1);
  expect(sent).toHaveLength(1);
  expect(received[0]!.body).toBe('收到转账 ¥1,234.00 来自 *明：房租');
  // ¥1,234.00 is at the SMS threshold: texted once.
  expect((await textsTo(payee.phone)).length - payeeTextsBefore).toBe(1);
});
