/**
 * A bank transfer's entries (hold, post, fee hold and post) projected while funding's record was
 * not visible are described again by the operation's `funding.succeeded` event.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OutboxEvent } from '../../outbox/index.ts';
import {
  TEST_PIN,
  cardNumber,
  cny,
  createFundingTestApp,
  fund,
  holderWithCard,
  newKey,
} from '../funding/testing.ts';
import type { FundingTestApp } from '../funding/testing.ts';
import { HistoryProjector } from './projector.ts';
import { HistoryStore } from './store.ts';
import { historySubscriber } from './subscriber.ts';

let subject: FundingTestApp;
beforeAll(async () => (subject = await createFundingTestApp()));
afterAll(async () => subject.close());

it('describes a bank transfer again from its funding event', async () => {
  const { holder, cardId } = await holderWithCard(subject);
  expect((await fund(subject, holder, { kind: 'top-ups', cardId, amount: '100000' })).statusCode).toBe(201);
  const sent = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/bank-transfers',
    headers: { ...holder.headers, 'idempotency-key': newKey() },
    payload: {
      bankCode: 'ICBC',
      accountNumber: cardNumber(),
      accountName: '李明',
      amount: cny('20000'),
      note: '学费',
      confirmation: { pin: TEST_PIN },
    },
  });
  expect(sent.statusCode, sent.body).toBe(201);
  const fundingId = sent.json<{ id: string }>().id;

  // Project everything again as if funding's records were not there yet.
  const pool = subject.database.pool;
  const store = new HistoryStore(pool);
  await pool.query('DELETE FROM history_entries');
  await pool.query('UPDATE history_cursor SET last_ts = 0');
  const blind = new HistoryProjector({
    pool,
    store,
    transfers: subject.app.services.transfers,
    funding: { describeLedgerTransfers: () => Promise.resolve(new Map()) },
  });
  await blind.catchUp();
  const entries = () => store.ofUserData(holder.userId, `funding:${fundingId}`);
  // The hold and its post, the fee's hold and its post.
  expect((await entries()).map((entry) => [entry.described, entry.fundingId])).toEqual([
    [false, null],
    [false, null],
    [false, null],
    [false, null],
  ]);

  const { rows } = await pool.query<OutboxEvent>(
    `SELECT id, type, aggregate_type AS "aggregateType", aggregate_id AS "aggregateId", payload,
            created_at AS "createdAt"
       FROM outbox_events WHERE type = 'funding.succeeded' AND aggregate_id = $1`,
    [fundingId],
  );
  const seeing = new HistoryProjector({
    pool,
    store,
    transfers: subject.app.services.transfers,
    funding: subject.app.services.funding,
  });
  const subscriber = historySubscriber({ store, projector: seeing });
  expect(subscriber.types).toEqual([
    'transfer.succeeded',
    'transfer.held',
    'funding.succeeded',
    'funding.failed',
  ]);
  await subscriber.handle(rows[0]!);
  const described = await entries();
  expect(described.every((entry) => entry.described && entry.fundingId === fundingId)).toBe(true);
  expect(described.map((entry) => entry.note)).toEqual(['学费', '学费', '学费', '学费']);
  // Delivered again: nothing changes.
  await subscriber.handle(rows[0]!);
  expect(await entries()).toEqual(described);

  // The API shows it with its account and note.
  const page = await subject.app.inject({
    method: 'GET',
    url: '/v1/me/transactions?type=bank_transfer',
    headers: holder.headers,
  });
  expect(page.json<{ transactions: { fundingId: string; note: string }[] }>().transactions[0]).toMatchObject({
    fundingId,
    note: '学费',
  });
});
