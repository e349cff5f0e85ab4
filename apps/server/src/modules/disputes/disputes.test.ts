/**
 * Disputes through the HTTP API on a real database: a holder disputes a merchant payment with
 * evidence and an operator refunds it through the merchant's refund path; one open dispute per
 * movement under 30 opens at once; one refund under 30 decisions at once; a crash between the
 * money and the status finished by the retry and by the job, the money moved once; the merchant's
 * own refunds counted; what cannot be disputed; who may decide; every step audited.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransferCodes } from '../../platform/codes.ts';
import { registerHolder } from '../identity/testing.ts';
import type { TestHolder } from '../identity/testing.ts';
import { paidOrderOf, payOrder, shopOf, verifiedHolder } from '../merchants/testing.ts';
import { WebhookReceiver, deliverWebhooks, webhookEndpointOf } from '../developers/testing.ts';
import { operatorSession } from '../risk/testing.ts';
import { createSecurityTestApp } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import {
  PIN,
  balanceOf,
  cny,
  errorCode,
  expectBooksBalanced,
  fund,
  inbox,
  send,
} from '../transfers/testing.ts';
import { withAuditRefused } from '../operator/testing.ts';

let subject: SecurityTestApp;
let support: { authorization: string };
let risk: { authorization: string };
beforeAll(async () => {
  // Sessions outlive the window test's jump of two days.
  subject = await createSecurityTestApp({ DISPUTES_WINDOW_DAYS: '1', SESSION_IDLE_SECONDS: '604800' });
  support = await operatorSession(subject, 'support');
  risk = await operatorSession(subject, 'risk');
});
afterAll(async () => subject.close());

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('a photo of the parcel that never came'),
]);

interface DisputeJson {
  id: string;
  status: string;
  kind: string;
  amount: { amount: string };
  refund: { method: string; amount: { amount: string } } | null;
  lastFailure: string | null;
  merchantOrderId: string | null;
}

/** The holder's newest movement of this ledger code (its history id). */
async function movement(holder: TestHolder, ledgerCode: number): Promise<string> {
  const response = await subject.app.inject({
    method: 'GET',
    url: '/v1/me/transactions?limit=20',
    headers: holder.headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  const found = response
    .json<{ transactions: { id: string; ledgerCode: number }[] }>()
    .transactions.find((t) => t.ledgerCode === ledgerCode);
  expect(found, `a movement of code ${ledgerCode}`).toBeDefined();
  return found!.id;
}

function open(holder: TestHolder, payload: Record<string, unknown>, key = randomUUID()) {
  return subject.app.inject({
    method: 'POST',
    url: '/v1/me/disputes',
    headers: { ...holder.headers, 'idempotency-key': key },
    payload: { reason: 'not_received', text: '东西没收到', ...payload },
  });
}

async function opened(holder: TestHolder, transactionId: string): Promise<DisputeJson> {
  const response = await open(holder, { transactionId });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<DisputeJson>();
}

function operatorStep(
  operator: { authorization: string },
  id: string,
  path: string,
  payload: Record<string, unknown> = {},
  key = randomUUID(),
) {
  return subject.app.inject({
    method: 'POST',
    url: `/v1/operator/disputes/${id}/${path}`,
    headers: { ...operator, 'idempotency-key': key },
    payload,
  });
}

async function taken(id: string): Promise<void> {
  const response = await operatorStep(support, id, 'take');
  expect(response.statusCode, response.body).toBe(200);
}

/** A verified holder with ¥10,000 who sent `amount` to another; answers both and the movement. */
async function transferred(amount: string) {
  const payer = await verifiedHolder(subject, '王小明');
  const payee = await verifiedHolder(subject, '赵六');
  await fund(subject, payer, 10_000_00n);
  const sent = await send(subject, payer, {
    toPhone: payee.phone,
    amount: cny(amount),
    confirmation: { pin: PIN },
  });
  expect(sent.statusCode, sent.body).toBe(201);
  return { payer, payee, transactionId: await movement(payer, TransferCodes.p2p) };
}

async function disputeRefundsOf(disputeId: string): Promise<number> {
  const { rows } = await subject.database.pool.query(
    'SELECT 1 FROM ledger_transfers WHERE code = $1 AND user_data = $2',
    [TransferCodes.disputeRefund, `dispute:${disputeId}`],
  );
  return rows.length;
}

async function auditActions(target: string): Promise<string[]> {
  const { rows } = await subject.database.pool.query<{ action: string }>(
    'SELECT action FROM operator_audit_log WHERE target = $1 ORDER BY at, id',
    [target],
  );
  return rows.map((row) => row.action);
}

describe('disputing a merchant payment', () => {
  it('opens with evidence, tells the merchant, and ends in the merchant’s refund the payer sees in history', async () => {
    const shop = await shopOf(subject);
    const { merchantOrderId, payer } = await paidOrderOf(subject, shop.owner, '8800');
    const transactionId = await movement(payer, TransferCodes.merchantPayment);
    const before = await balanceOf(subject, payer);
    const receiver = new WebhookReceiver();
    await receiver.start();
    const endpoint = await webhookEndpointOf(subject, shop, receiver.url(), [
      'dispute.opened',
      'dispute.closed',
    ]);

    const eligible = await subject.app.inject({
      method: 'GET',
      url: `/v1/me/transactions/${transactionId}/dispute-eligibility`,
      headers: payer.headers,
    });
    expect(eligible.json()).toMatchObject({ disputable: true, kind: 'merchant_payment' });

    const key = randomUUID();
    const first = await open(payer, { transactionId, reason: 'not_as_described', text: '面是凉的' }, key);
    expect(first.statusCode, first.body).toBe(201);
    const dispute = first.json<DisputeJson>();
    expect(dispute).toMatchObject({
      status: 'opened',
      kind: 'merchant_payment',
      amount: { amount: '8800' },
      merchantOrderId,
    });
    // The same request again: the same dispute.
    const again = await open(payer, { transactionId, reason: 'not_as_described', text: '面是凉的' }, key);
    expect(again.statusCode).toBe(201);
    expect(again.json<DisputeJson>().id).toBe(dispute.id);

    const form = new FormData();
    form.append('file', new Blob([PNG], { type: 'image/png' }), '照片.png');
    const upload = new Request('http://x/', { method: 'POST', body: form });
    const evidence = await subject.app.inject({
      method: 'POST',
      url: `/v1/me/disputes/${dispute.id}/evidence`,
      headers: { ...payer.headers, 'content-type': upload.headers.get('content-type')! },
      payload: Buffer.from(await upload.arrayBuffer()),
    });
    expect(evidence.statusCode, evidence.body).toBe(201);
    const evidenceId = evidence.json<{ id: string }>().id;

    // The merchant's webhook event: disputes.opened with its merchant, from the outbox.
    const { rows: events } = await subject.database.pool.query<{ payload: Record<string, unknown> }>(
      `SELECT payload FROM outbox_events WHERE type = 'disputes.opened' AND aggregate_id = $1`,
      [dispute.id],
    );
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toMatchObject({ merchantId: shop.id, merchantOrderId });
    // … and the merchant's endpoint gets `dispute.opened`, signed, once.
    const deliveries = await deliverWebhooks(subject, shop, endpoint);
    expect(deliveries.map((d) => [d.eventType, d.status])).toEqual([['dispute.opened', 'succeeded']]);
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.event).toMatchObject({
      type: 'dispute.opened',
      data: {
        disputeId: dispute.id,
        merchantOrderId,
        reason: 'not_as_described',
        amount: { amount: '8800', currency: 'CNY' },
        status: 'opened',
      },
    });

    await taken(dispute.id);
    const asked = await operatorStep(support, dispute.id, 'ask-merchant', { note: '请商户说明' });
    expect(asked.json()).toMatchObject({ status: 'awaiting_merchant' });
    const answered = await operatorStep(support, dispute.id, 'merchant-answer', {
      accepts: true,
      text: '同意退款',
    });
    expect(answered.json()).toMatchObject({ status: 'investigating' });

    const viewed = await subject.app.inject({
      method: 'GET',
      url: `/v1/operator/disputes/${dispute.id}/evidence/${evidenceId}`,
      headers: support,
    });
    expect(viewed.statusCode).toBe(200);
    expect(viewed.headers['content-type']).toBe('image/png');
    expect(viewed.rawPayload.equals(PNG)).toBe(true);

    const refunded = await operatorStep(support, dispute.id, 'refund', {
      method: 'merchant_refund',
      reason: '商户同意退款',
    });
    expect(refunded.statusCode, refunded.body).toBe(200);
    expect(refunded.json()).toMatchObject({
      status: 'resolved_refunded',
      refund: { method: 'merchant_refund', amount: { amount: '8800' } },
    });
    expect(BigInt(await balanceOf(subject, payer)) - BigInt(before)).toBe(8800n);

    // The merchant's order knows: nothing more can be refunded.
    const order = await subject.app.inject({
      method: 'GET',
      url: `/v1/me/merchant/orders/${merchantOrderId}`,
      headers: shop.owner.headers,
    });
    expect(order.json()).toMatchObject({ refunded: { amount: '8800' } });

    // The payer sees the refund in history and the dispute resolved, with its timeline.
    const history = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/transactions?limit=5',
      headers: payer.headers,
    });
    const newest = history.json<{
      transactions: { ledgerCode: number; direction: string; amount: { amount: string } }[];
    }>().transactions[0]!;
    expect(newest).toMatchObject({
      ledgerCode: TransferCodes.merchantRefund,
      direction: 'in',
      amount: { amount: '8800' },
    });
    const mine = await subject.app.inject({
      method: 'GET',
      url: `/v1/me/disputes/${dispute.id}`,
      headers: payer.headers,
    });
    const detail = mine.json<{ dispute: DisputeJson; timeline: { step: string }[]; evidence: unknown[] }>();
    expect(detail.dispute.status).toBe('resolved_refunded');
    expect(detail.timeline.map((t) => t.step)).toEqual([
      'open',
      'take',
      'ask_merchant',
      'merchant_answered',
      'refund:merchant_refund',
      'refunded',
    ]);
    expect(detail.evidence).toHaveLength(1);
    expect(await auditActions(dispute.id)).toEqual([
      'disputes.taken',
      'disputes.merchant_asked',
      'disputes.merchant_answered',
      'disputes.refund_decided',
      'disputes.refunded',
    ]);
    expect(await auditActions(evidenceId)).toEqual(['disputes.evidence_viewed']);

    const closed = await deliverWebhooks(subject, shop, endpoint);
    expect(closed.map((d) => d.eventType).sort()).toEqual(['dispute.closed', 'dispute.opened']);
    expect(receiver.received.at(-1)!.event).toMatchObject({
      type: 'dispute.closed',
      data: { status: 'resolved_refunded', refundMethod: 'merchant_refund' },
    });
    await receiver.stop();

    // The payer's inbox: the dispute received, then refunded with the amount; each opens the dispute.
    const notices = (await inbox(subject, payer)).filter((notice) => notice.kind.startsWith('disputes.'));
    expect(notices.map((notice) => notice.kind)).toEqual(['disputes.refunded', 'disputes.opened']);
    expect(notices[0]!.body).toContain('¥88.00 已退回您的钱包');
    for (const notice of notices) expect(notice.params).toMatchObject({ disputeId: dispute.id });

    // Refunded once: not again.
    expect(errorCode(await open(payer, { transactionId }))).toBe('DISPUTE_ALREADY_REFUNDED');
    await expectBooksBalanced(subject);
  });

  it('counts the merchant’s own refunds: a refund past what is left is refused, and a smaller one then passes', async () => {
    const shop = await shopOf(subject);
    const { merchantOrderId, payer } = await paidOrderOf(subject, shop.owner, '5000');
    const own = await subject.app.inject({
      method: 'POST',
      url: `/v1/me/merchant/orders/${merchantOrderId}/refunds`,
      headers: shop.owner.headers,
      payload: { merchantRefundId: 'R1', amount: cny('3000') },
    });
    expect(own.statusCode, own.body).toBe(201);
    const dispute = await opened(payer, await movement(payer, TransferCodes.merchantPayment));
    await taken(dispute.id);

    const tooMuch = await operatorStep(risk, dispute.id, 'refund', {
      method: 'chargeback',
      reason: '强制退款',
    });
    expect(errorCode(tooMuch)).toBe('REFUND_EXCEEDS_PAID');
    const back = await subject.app.inject({
      method: 'GET',
      url: `/v1/operator/disputes/${dispute.id}`,
      headers: risk,
    });
    expect(back.json()).toMatchObject({
      dispute: { status: 'investigating', lastFailure: 'REFUND_EXCEEDS_PAID' },
    });
    expect(await auditActions(dispute.id)).toContain('disputes.refunded_failed');

    const rest = await operatorStep(risk, dispute.id, 'refund', {
      method: 'chargeback',
      amount: cny('2000'),
      reason: '余下部分拒付',
    });
    expect(rest.statusCode, rest.body).toBe(200);
    expect(rest.json()).toMatchObject({ status: 'resolved_refunded', refund: { method: 'chargeback' } });
    await expectBooksBalanced(subject);
  });

  it('lets the merchant read its disputes and answer the one it was asked about, and no other', async () => {
    const shop = await shopOf(subject);
    const other = await shopOf(subject, { name: '王记包子' });
    const { merchantOrderId, payer } = await paidOrderOf(subject, shop.owner, '1800');
    const dispute = await opened(payer, await movement(payer, TransferCodes.merchantPayment));
    const answer = (owner: TestHolder) =>
      subject.app.inject({
        method: 'POST',
        url: `/v1/me/merchant/disputes/${dispute.id}/answer`,
        headers: owner.headers,
        payload: { accepts: false, text: '已按时送达，有签收记录' },
      });
    // Not asked yet.
    expect(errorCode(await answer(shop.owner))).toBe('DISPUTE_NOT_ALLOWED_NOW');
    await taken(dispute.id);
    await operatorStep(support, dispute.id, 'ask-merchant', { note: '请提供送达记录' });
    expect(errorCode(await answer(other.owner))).toBe('DISPUTE_NOT_FOUND');
    const answered = await answer(shop.owner);
    expect(answered.statusCode, answered.body).toBe(200);
    expect(answered.json()).toMatchObject({ status: 'investigating', merchantOrderId });
    const list = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/merchant/disputes',
      headers: shop.owner.headers,
    });
    expect(list.json<{ disputes: { id: string }[] }>().disputes.map((d) => d.id)).toEqual([dispute.id]);
    const detail = await subject.app.inject({
      method: 'GET',
      url: `/v1/operator/disputes/${dispute.id}`,
      headers: support,
    });
    expect(
      detail.json<{ timeline: { actor: string; step: string; note: string }[] }>().timeline.at(-1),
    ).toEqual(
      expect.objectContaining({
        actor: 'merchant',
        step: 'merchant_answered',
        note: 'contests: 已按时送达，有签收记录',
      }),
    );
  });

  it('refuses a goodwill refund of a merchant payment: the merchant pays it', async () => {
    const shop = await shopOf(subject);
    const { payer } = await paidOrderOf(subject, shop.owner, '1000');
    const dispute = await opened(payer, await movement(payer, TransferCodes.merchantPayment));
    await taken(dispute.id);
    const refused = await operatorStep(support, dispute.id, 'refund', {
      method: 'goodwill',
      reason: '好意退款',
    });
    expect(errorCode(refused)).toBe('DISPUTE_METHOD_NOT_ALLOWED');
    expect(refused.json()).toMatchObject({
      error: { details: { allowed: ['merchant_refund', 'chargeback'] } },
    });
  });
});

describe('one dispute, one refund', () => {
  it('makes one dispute of 30 opened at once; the others are told it is open', async () => {
    const { payer, transactionId } = await transferred('2000');
    const answers = await Promise.all(Array.from({ length: 30 }, () => open(payer, { transactionId })));
    const made = answers.filter((a) => a.statusCode === 201);
    expect(made).toHaveLength(1);
    const id = made[0]!.json<DisputeJson>().id;
    for (const answer of answers.filter((a) => a.statusCode !== 201)) {
      expect(answer.statusCode).toBe(409);
      expect(answer.json()).toMatchObject({
        error: { code: 'DISPUTE_ALREADY_OPEN', details: { disputeId: id } },
      });
    }
  });

  it('of 30 decisions at once (refunds and rejections, two operators) takes one, and refunds at most once', async () => {
    const { payer, transactionId } = await transferred('3000');
    const before = BigInt(await balanceOf(subject, payer));
    const dispute = await opened(payer, transactionId);
    await taken(dispute.id);
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        index % 3 === 2
          ? operatorStep(index % 2 ? risk : support, dispute.id, 'reject', { reason: '证据不足' })
          : operatorStep(index % 2 ? risk : support, dispute.id, 'refund', {
              method: 'goodwill',
              reason: '好意退款',
            }),
      ),
    );
    const won = answers.filter((a) => a.statusCode === 200);
    expect(won).toHaveLength(1);
    for (const lost of answers.filter((a) => a.statusCode !== 200)) {
      expect(errorCode(lost)).toBe('DISPUTE_NOT_ALLOWED_NOW');
    }
    const status = won[0]!.json<DisputeJson>().status;
    const refunds = await disputeRefundsOf(dispute.id);
    const gained = BigInt(await balanceOf(subject, payer)) - before;
    if (status === 'resolved_refunded') {
      expect([refunds, gained]).toEqual([1, 3000n]);
    } else {
      expect(status).toBe('resolved_rejected');
      expect([refunds, gained]).toEqual([0, 0n]);
    }
    // One notice of how it ended, whichever decision won: the refund, or the rejection's reason.
    const endings = (await inbox(subject, payer)).filter((notice) =>
      ['disputes.refunded', 'disputes.rejected'].includes(notice.kind),
    );
    expect(endings).toHaveLength(1);
    expect(endings[0]!.body).toContain(status === 'resolved_refunded' ? '¥30.00 已退回' : '未通过：证据不足');
    await expectBooksBalanced(subject);
  });

  it('of 30 goodwill refunds at once moves the money once', async () => {
    const { payer, transactionId } = await transferred('1500');
    const before = BigInt(await balanceOf(subject, payer));
    const dispute = await opened(payer, transactionId);
    await taken(dispute.id);
    const answers = await Promise.all(
      Array.from({ length: 30 }, () =>
        operatorStep(support, dispute.id, 'refund', { method: 'goodwill', reason: '好意退款' }),
      ),
    );
    expect(answers.filter((a) => a.statusCode === 200)).toHaveLength(1);
    expect(await disputeRefundsOf(dispute.id)).toBe(1);
    expect(BigInt(await balanceOf(subject, payer)) - before).toBe(1500n);
    // The refund is in the payer's history under its own code, and cannot itself be disputed.
    const refundId = await movement(payer, TransferCodes.disputeRefund);
    expect(errorCode(await open(payer, { transactionId: refundId }))).toBe('DISPUTE_NOT_DISPUTABLE');
    await expectBooksBalanced(subject);
  });

  it('finishes a refund whose run died between the money and the status: by the retry, money moved once', async () => {
    const { payer, transactionId } = await transferred('1200');
    const before = BigInt(await balanceOf(subject, payer));
    const dispute = await opened(payer, transactionId);
    await taken(dispute.id);
    await crashAfterMoney(async () => {
      const key = randomUUID();
      const crashed = await operatorStep(
        support,
        dispute.id,
        'refund',
        { method: 'goodwill', reason: '好意退款' },
        key,
      );
      expect(crashed.statusCode).toBe(500);
      expect(await disputeRefundsOf(dispute.id)).toBe(1);
      expect(await statusOf(dispute.id)).toBe('refunding');
      return key;
    }).then(async (key) => {
      const retried = await operatorStep(
        support,
        dispute.id,
        'refund',
        { method: 'goodwill', reason: '好意退款' },
        key,
      );
      expect(retried.statusCode, retried.body).toBe(200);
      expect(retried.json()).toMatchObject({ status: 'resolved_refunded' });
    });
    // Another operator's decision meanwhile was refused, and nothing moved twice.
    expect(
      errorCode(await operatorStep(risk, dispute.id, 'refund', { method: 'goodwill', reason: '再退' })),
    ).toBe('DISPUTE_NOT_ALLOWED_NOW');
    expect(await disputeRefundsOf(dispute.id)).toBe(1);
    expect(BigInt(await balanceOf(subject, payer)) - before).toBe(1200n);
    await expectBooksBalanced(subject);
  });

  it('finishes a refund whose run died between the money and the status: by the job, money moved once', async () => {
    const shop = await shopOf(subject);
    const { payer } = await paidOrderOf(subject, shop.owner, '2500');
    const before = BigInt(await balanceOf(subject, payer));
    const dispute = await opened(payer, await movement(payer, TransferCodes.merchantPayment));
    await taken(dispute.id);
    await crashAfterMoney(async () => {
      const crashed = await operatorStep(support, dispute.id, 'refund', {
        method: 'chargeback',
        reason: '拒付',
      });
      expect(crashed.statusCode).toBe(500);
    });
    expect(await auditActions(dispute.id)).toContain('disputes.refund_decided');
    // Too fresh for the job: it might still be running.
    await subject.app.jobs.run('disputes.recover');
    expect(await statusOf(dispute.id)).toBe('refunding');
    subject.clock.advance(120);
    await Promise.all([subject.app.jobs.run('disputes.recover'), subject.app.jobs.run('disputes.recover')]);
    expect(await statusOf(dispute.id)).toBe('resolved_refunded');
    expect(BigInt(await balanceOf(subject, payer)) - before).toBe(2500n);
    const { rows } = await subject.database.pool.query(
      `SELECT 1 FROM ledger_transfers WHERE code = $1 AND user_data LIKE 'merchant-refund:%' AND credit_account_id = $2`,
      [TransferCodes.merchantRefund, payer.walletAccountId],
    );
    expect(rows).toHaveLength(1);
    await expectBooksBalanced(subject);
  });
});

describe('a step and its audit entry commit together', () => {
  it('a refund whose decision cannot be audited is not decided and moves nothing; then once', async () => {
    const { payer, transactionId } = await transferred('1500');
    const before = BigInt(await balanceOf(subject, payer));
    const dispute = await opened(payer, transactionId);
    await taken(dispute.id);
    await withAuditRefused(
      subject.database.pool,
      { action: 'disputes.refund_decided', target: dispute.id },
      async () => {
        const refused = await operatorStep(risk, dispute.id, 'refund', {
          method: 'goodwill',
          reason: '好意退款',
        });
        expect(refused.statusCode).toBe(500);
      },
    );
    expect(await statusOf(dispute.id)).toBe('investigating');
    expect(await disputeRefundsOf(dispute.id)).toBe(0);
    expect(await auditActions(dispute.id)).toEqual(['disputes.taken']);

    const refunded = await operatorStep(risk, dispute.id, 'refund', {
      method: 'goodwill',
      reason: '好意退款',
    });
    expect(refunded.json()).toMatchObject({ status: 'resolved_refunded' });
    expect(await disputeRefundsOf(dispute.id)).toBe(1);
    expect(BigInt(await balanceOf(subject, payer)) - before).toBe(1500n);
    expect(await auditActions(dispute.id)).toEqual([
      'disputes.taken',
      'disputes.refund_decided',
      'disputes.refunded',
    ]);
    await expectBooksBalanced(subject);
  });
});

describe('what may be disputed, by whom', () => {
  it('refuses money received, a chargeback of a transfer, another holder’s dispute and a finance operator', async () => {
    const { payer, payee, transactionId } = await transferred('800');
    // The payee's side of the same movement is money received.
    expect(await movement(payee, TransferCodes.p2p)).toBe(transactionId);
    expect(errorCode(await open(payee, { transactionId }))).toBe('DISPUTE_NOT_DISPUTABLE');
    const stranger = await registerHolder(subject.app);
    expect(errorCode(await open(stranger, { transactionId }))).toBe('TRANSACTION_NOT_FOUND');
    expect(errorCode(await open(payer, { transactionId, amount: cny('801') }))).toBe(
      'DISPUTE_AMOUNT_INVALID',
    );

    const dispute = await opened(payer, transactionId);
    const theirs = await subject.app.inject({
      method: 'GET',
      url: `/v1/me/disputes/${dispute.id}`,
      headers: payee.headers,
    });
    expect(errorCode(theirs)).toBe('DISPUTE_NOT_FOUND');
    // Deciding before anyone took it: not yet.
    expect(errorCode(await operatorStep(support, dispute.id, 'reject', { reason: '不成立' }))).toBe(
      'DISPUTE_NOT_ALLOWED_NOW',
    );
    await taken(dispute.id);
    expect(errorCode(await operatorStep(support, dispute.id, 'ask-merchant', { note: '问商户' }))).toBe(
      'DISPUTE_NOT_ALLOWED_NOW',
    );
    expect(
      errorCode(await operatorStep(support, dispute.id, 'refund', { method: 'chargeback', reason: '拒付' })),
    ).toBe('DISPUTE_METHOD_NOT_ALLOWED');
    const finance = await operatorSession(subject, 'finance');
    const forbidden = await operatorStep(finance, dispute.id, 'refund', {
      method: 'goodwill',
      reason: '退款',
    });
    expect(forbidden.statusCode).toBe(403);
    const queue = await subject.app.inject({ method: 'GET', url: '/v1/operator/disputes', headers: finance });
    expect(queue.statusCode).toBe(403);
    const seen = await subject.app.inject({ method: 'GET', url: '/v1/operator/disputes', headers: support });
    expect(seen.json<{ disputes: { id: string }[] }>().disputes.map((d) => d.id)).toContain(dispute.id);
  });

  it('lets the holder withdraw and dispute again; rejects evidence that is not what it says; at most 5 files', async () => {
    const { payer, transactionId } = await transferred('900');
    const first = await opened(payer, transactionId);
    const withdrawn = await subject.app.inject({
      method: 'POST',
      url: `/v1/me/disputes/${first.id}/withdraw`,
      headers: payer.headers,
      payload: {},
    });
    expect(withdrawn.json()).toMatchObject({ status: 'withdrawn' });
    const second = await opened(payer, transactionId);
    expect(second.id).not.toBe(first.id);

    const upload = async (bytes: Buffer, type: string) => {
      const form = new FormData();
      form.append('file', new Blob([bytes], { type }), 'x');
      const request = new Request('http://x/', { method: 'POST', body: form });
      return subject.app.inject({
        method: 'POST',
        url: `/v1/me/disputes/${second.id}/evidence`,
        headers: { ...payer.headers, 'content-type': request.headers.get('content-type')! },
        payload: Buffer.from(await request.arrayBuffer()),
      });
    };
    expect(errorCode(await upload(Buffer.from('not a png'), 'image/png'))).toBe('DISPUTE_EVIDENCE_INVALID');
    const files = Array.from({ length: 10 }, (_, i) =>
      Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(`page ${i}`)]),
    );
    const answers = await Promise.all(files.map((file) => upload(file, 'application/pdf')));
    expect(answers.filter((a) => a.statusCode === 201)).toHaveLength(5);
    for (const refused of answers.filter((a) => a.statusCode !== 201)) {
      expect(errorCode(refused)).toBe('DISPUTE_EVIDENCE_LIMIT');
    }
    const { rows } = await subject.database.pool.query(
      'SELECT 1 FROM disputes_evidence WHERE dispute_id = $1',
      [second.id],
    );
    expect(rows).toHaveLength(5);
    const mine = await subject.app.inject({
      method: 'GET',
      url: `/v1/me/disputes?transactionId=${transactionId}`,
      headers: payer.headers,
    });
    expect(mine.json<{ disputes: DisputeJson[] }>().disputes.map((d) => d.status)).toEqual([
      'opened',
      'withdrawn',
    ]);
  });

  // Last: it moves the clock two days.
  it('refuses a movement older than the window', async () => {
    const shop = await shopOf(subject);
    const payer = await verifiedHolder(subject, '张伟');
    await fund(subject, payer, 1_000_00n);
    await payOrder(subject, { owner: shop.owner, payer, amount: '100' });
    const transactionId = await movement(payer, TransferCodes.merchantPayment);
    subject.clock.advance(2 * 86_400);
    expect(errorCode(await open(payer, { transactionId }))).toBe('DISPUTE_WINDOW_CLOSED');
  });
});

async function statusOf(id: string): Promise<string> {
  const { rows } = await subject.database.pool.query<{ status: string }>(
    'SELECT status FROM disputes_disputes WHERE id = $1',
    [id],
  );
  return rows[0]!.status;
}

/**
 * Runs `work` while the dispute's last write fails — the timeline row of its `refunded` step is
 * refused by a trigger, so the money has moved and the status cannot say so: a process that died
 * between the two.
 */
async function crashAfterMoney<T>(work: () => Promise<T>): Promise<T> {
  const pool = subject.database.pool;
  await pool.query(`
    CREATE OR REPLACE FUNCTION disputes_test_crash() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.step = 'refunded' THEN RAISE EXCEPTION 'the process died'; END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER disputes_test_crash BEFORE INSERT ON disputes_events
      FOR EACH ROW EXECUTE FUNCTION disputes_test_crash();`);
  try {
    return await work();
  } finally {
    await pool.query('DROP TRIGGER disputes_test_crash ON disputes_events');
  }
}
