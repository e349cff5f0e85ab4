import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing.ts';
import { registerHolder } from '../identity/testing.ts';

let subject: TestApp;
beforeAll(async () => (subject = await createTestApp({ env: { LARGE_AMOUNT_SMS_MINOR: '100000' } })));
afterAll(async () => subject.close());

async function textsTo(phone: string): Promise<string[]> {
  const response = await subject.app.inject({ method: 'GET', url: `/dev/sms.json?phone=${phone}&limit=20` });
  return response.json<{ messages: { text: string }[] }>().messages.map((m) => m.text);
}

it('a money notice at or above the configured amount is also texted; a smaller one only lands in the inbox', async () => {
  const holder = await registerHolder(subject.app);
  const before = (await textsTo(holder.phone)).length; // the sign-up code
  const notice = (amountMinor: bigint, body: string) =>
    subject.app.services.notifications.notify(holder.userId, {
      kind: 'transfers.received',
      title: { 'zh-CN': '收到转账', en: 'Money received' },
      body: { 'zh-CN': body, en: body },
      amountMinor,
    });
  await notice(99_999n, '¥999.99 来自 *明');
  await notice(100_000n, '¥1,000.00 来自 *明');
  const texts = await textsTo(holder.phone);
  expect(texts.length - before).toBe(1);
  expect(texts[0]).toBe('【钱包】收到转账：¥1,000.00 来自 *明');
  const inbox = await subject.app.inject({
    method: 'GET',
    url: '/v1/me/notifications',
    headers: holder.headers,
  });
  expect(inbox.json<{ notifications: unknown[] }>().notifications).toHaveLength(2);
});
