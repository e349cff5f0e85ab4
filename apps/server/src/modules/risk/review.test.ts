/**
 * Hold for review (issue 11, payments/review.ts), through the HTTP API: a transfer the engine wants
 * a person to look at is confirmed as usual, then held in the ledger while a case waits; an
 * operator approves (posted: the payee is paid) or rejects it (voided: the money is back); a case
 * nobody decides expires and the job voids it. The books are checked after each; races (approve
 * against reject, thirty identical confirms) and a decision cut short by a crash are here too.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestHolder } from '../identity/testing.ts';
import { createSecurityTestApp, holderWithPin } from '../security/testing.ts';
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
  verifyRealName,
} from '../transfers/testing.ts';
import type { Rule } from './engine/types.ts';
import { activateRules, operatorSession } from './testing.ts';
import { withAuditRefused } from '../operator/testing.ts';

/** Any payment of ¥1,000 or more scores 80: above the review threshold (75), below block. */
const REVIEW_LARGE: Rule = {
  id: 'review_large',
  subject: 'payment',
  description: { zh: '大额待审', en: 'Large, to review' },
  when: { feature: 'amount_minor', op: '>=', value: 100_000 },
  score: 80,
};

interface CaseJson {
  id: string;
  status: string;
  movementId: string;
  holderId: string;
  rules: string[];
  outcome: string | null;
  reason: string | null;
}

let subject: SecurityTestApp;
let riskOperator: { authorization: string };
let supportOperator: { authorization: string };

beforeAll(async () => {
  subject = await createSecurityTestApp();
  riskOperator = await operatorSession(subject, 'risk');
  supportOperator = await operatorSession(subject, 'support');
});
afterAll(async () => subject.close());
let reviewVersion: number;
beforeEach(async () => {
  reviewVersion = await activateRules(subject, riskOperator, [REVIEW_LARGE]);
});

async function funded(): Promise<TestHolder> {
  const holder = await holderWithPin(subject);
  await verifyRealName(subject, holder, '王小明');
  await fund(subject, holder, 1_000_000n);
  return holder;
}

async function verifiedPayee(): Promise<TestHolder> {
  const payee = await holderWithPin(subject);
  await verifyRealName(subject, payee, '李四');
  return payee;
}

/** A ¥1,500 transfer from a new payer to a new payee, held: the answer and the case. */
async function held(): Promise<{ payer: TestHolder; payee: TestHolder; transferId: string; kase: CaseJson }> {
  const payer = await funded();
  const payee = await verifiedPayee();
  const response = await send(subject, payer, {
    toPhone: payee.phone,
    amount: cny('150000'),
    confirmation: { pin: PIN },
  });
  expect(response.statusCode, response.body).toBe(202);
  const transfer = response.json<{ id: string; status: string }>();
  expect(transfer.status).toBe('under_review');
  const kase = await caseOf(transfer.id);
  return { payer, payee, transferId: transfer.id, kase };
}

async function caseOf(movementId: string): Promise<CaseJson> {
  const response = await subject.app.inject({
    method: 'GET',
    url: '/v1/operator/risk/cases?status=open&limit=100',
    headers: riskOperator,
  });
  expect(response.statusCode, response.body).toBe(200);
  const found = response.json<{ cases: CaseJson[] }>().cases.find((c) => c.movementId === movementId);
  if (!found) throw new Error(`no open case for ${movementId}`);
  return found;
}

function decide(id: string, action: 'approve' | 'reject', reason?: string) {
  return subject.app.inject({
    method: 'POST',
    url: `/v1/operator/risk/cases/${id}/${action}`,
    headers: riskOperator,
    payload: reason === undefined ? {} : { reason },
  });
}

/** Posted and available (posted less what is held) balance. */
async function wallet(holder: TestHolder): Promise<{ balance: string; available: string }> {
  const response = await subject.app.inject({
    method: 'GET',
    url: '/v1/me/balance',
    headers: holder.headers,
  });
  const body = response.json<{ balance: { amount: string }; available: { amount: string } }>();
  return { balance: body.balance.amount, available: body.available.amount };
}

async function transactions(holder: TestHolder) {
  const response = await subject.app.inject({
    method: 'GET',
    url: '/v1/me/transactions',
    headers: holder.headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ transactions: { id: string; type: string; status: string; direction: string }[] }>()
    .transactions;
}

describe('hold for review', () => {
  it('holds the money, then pays the payee once approved; both are told; the books balance', async () => {
    const { payer, payee, transferId, kase } = await held();
    expect(kase).toMatchObject({
      status: 'open',
      holderId: payer.userId,
      rules: ['review_large'],
      outcome: null,
    });
    // Held: not the payer's to spend, not the payee's yet.
    expect(await wallet(payer)).toEqual({ balance: '1000000', available: '850000' });
    expect(await wallet(payee)).toEqual({ balance: '0', available: '0' });
    expect((await inbox(subject, payer)).map((n) => n.kind)).toContain('transfers.held');
    expect((await inbox(subject, payee)).map((n) => n.kind)).not.toContain('transfers.received');
    // The payer sees it under review (a pending transfer); the payee sees nothing yet.
    expect((await transactions(payer)).find((t) => t.id === transferId)).toMatchObject({
      type: 'transfer',
      status: 'pending',
      direction: 'out',
    });
    expect((await transactions(payee)).filter((t) => t.type === 'transfer')).toEqual([]);
    await expectBooksBalanced(subject);

    // Only the risk team decides.
    expect(
      (
        await subject.app.inject({
          method: 'POST',
          url: `/v1/operator/risk/cases/${kase.id}/approve`,
          headers: supportOperator,
          payload: {},
        })
      ).statusCode,
    ).toBe(403);

    const approved = await decide(kase.id, 'approve');
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'approved', outcome: 'approve' });
    expect(await balanceOf(subject, payer)).toBe('850000');
    expect(await balanceOf(subject, payee)).toBe('150000');
    expect((await inbox(subject, payer)).map((n) => n.kind)).toContain('transfers.sent');
    expect((await inbox(subject, payee)).map((n) => n.kind)).toContain('transfers.received');
    // One entry each: the payment (the hold is behind it, in its timeline).
    const payerTransfers = (await transactions(payer)).filter((t) => t.type === 'transfer');
    expect(payerTransfers.map((t) => t.status)).toEqual(['succeeded']);
    const detail = await subject.app.inject({
      method: 'GET',
      url: `/v1/me/transactions/${payerTransfers[0]!.id}`,
      headers: payer.headers,
    });
    expect(detail.json<{ timeline: { status: string }[] }>().timeline.map((t) => t.status)).toEqual([
      'pending',
      'succeeded',
    ]);
    expect((await transactions(payee)).filter((t) => t.type === 'transfer').map((t) => t.status)).toEqual([
      'succeeded',
    ]);

    // The same decision again is the case as it is; the other one is refused.
    expect((await decide(kase.id, 'approve')).json()).toMatchObject({ status: 'approved' });
    const late = await decide(kase.id, 'reject', 'too late');
    expect(late.statusCode).toBe(409);
    expect(errorCode(late)).toBe('RISK_CASE_CLOSED');
    await expectBooksBalanced(subject);
  });

  it('an approval whose audit entry cannot be written decides nothing and pays nobody; then once', async () => {
    const { payer, payee, kase } = await held();
    const entries = async () =>
      (
        await subject.database.pool.query<{ action: string }>(
          'SELECT action FROM operator_audit_log WHERE target = $1',
          [kase.id],
        )
      ).rows.map((row) => row.action);
    const pool = subject.database.pool;
    await withAuditRefused(
      subject.database.pool,
      { action: 'risk.case_approved', target: kase.id },
      async () => {
        expect((await decide(kase.id, 'approve')).statusCode).toBe(500);
      },
    );
    const { rows } = await pool.query<{ status: string; outcome: string | null }>(
      'SELECT status, outcome FROM risk_cases WHERE id = $1',
      [kase.id],
    );
    expect(rows).toEqual([{ status: 'open', outcome: null }]);
    expect(await wallet(payee)).toEqual({ balance: '0', available: '0' });
    expect(await entries()).toEqual([]);

    expect((await decide(kase.id, 'approve')).json()).toMatchObject({ status: 'approved' });
    // The same decision again (a retry) answers the case and writes no second entry.
    expect((await decide(kase.id, 'approve')).json()).toMatchObject({ status: 'approved' });
    expect(await balanceOf(subject, payee)).toBe('150000');
    expect(await entries()).toEqual(['risk.case_approved']);
    expect(await balanceOf(subject, payer)).toBe('850000');
    await expectBooksBalanced(subject);
  });

  it("shows a case with the rules that fired, their scores and the holder's recent behaviour", async () => {
    const { payer, payee, kase: first } = await held();
    const small = await send(subject, payer, {
      toPhone: payee.phone,
      amount: cny('100'),
      confirmation: { pin: PIN },
    });
    expect(small.statusCode, small.body).toBe(201);
    const again = await send(subject, payer, {
      toPhone: payee.phone,
      amount: cny('150000'),
      confirmation: { pin: PIN },
    });
    expect(again.statusCode, again.body).toBe(202);
    const kase = await caseOf(again.json<{ id: string }>().id);

    const response = await subject.app.inject({
      method: 'GET',
      url: `/v1/operator/risk/cases/${kase.id}`,
      headers: riskOperator,
    });
    expect(response.statusCode, response.body).toBe(200);
    const { context } = response.json<{
      context: {
        version: number;
        firedRules: unknown[];
        features: Record<string, unknown>;
        recentDecisions: {
          subject: string;
          amount: { amount: string } | null;
          decision: string;
          fired: string[];
        }[];
        devices: { deviceId: string }[];
        previousCases: { id: string; status: string; amount: { amount: string } }[];
      };
    }>();
    expect(context.version).toBe(reviewVersion);
    expect(context.firedRules).toEqual([
      { id: 'review_large', score: 80, decision: null, description: REVIEW_LARGE.description },
    ]);
    expect(context.features).toMatchObject({ amount_minor: 150000 });
    // Newest first: this payment, the small one, the first held one.
    const payments = context.recentDecisions.filter((d) => d.subject === 'payment');
    expect(payments.map((d) => [d.amount?.amount, d.decision, d.fired])).toEqual([
      ['150000', 'review', ['review_large']],
      ['100', 'allow', []],
      ['150000', 'review', ['review_large']],
    ]);
    expect(context.devices.length).toBeGreaterThan(0);
    expect(context.previousCases).toEqual([
      expect.objectContaining({
        id: first.id,
        status: 'open',
        amount: { amount: '150000', currency: 'CNY' },
      }),
    ]);

    // Another holder's cases are not this one's; support reads none of it.
    const forbidden = await subject.app.inject({
      method: 'GET',
      url: `/v1/operator/risk/cases/${kase.id}`,
      headers: supportOperator,
    });
    expect(forbidden.statusCode).toBe(403);
    for (const id of [first.id, kase.id]) expect((await decide(id, 'reject', 'test')).statusCode).toBe(200);
    await expectBooksBalanced(subject);
  });

  it('returns the money when rejected, with the reason kept and the payer told', async () => {
    const { payer, payee, transferId, kase } = await held();
    const noReason = await decide(kase.id, 'reject');
    expect(noReason.statusCode).toBe(400);
    const rejected = await decide(kase.id, 'reject', 'payee reported as a mule');
    expect(rejected.statusCode, rejected.body).toBe(200);
    expect(rejected.json()).toMatchObject({ status: 'rejected', reason: 'payee reported as a mule' });
    expect(await wallet(payer)).toEqual({ balance: '1000000', available: '1000000' });
    expect(await wallet(payee)).toEqual({ balance: '0', available: '0' });
    const notices = await inbox(subject, payer);
    expect(notices.find((n) => n.kind === 'transfers.returned')?.body).toContain('未通过审核');
    const entries = (await transactions(payer)).filter((t) => t.type === 'transfer');
    expect(entries.map((t) => t.status)).toEqual(['released']);
    expect(entries.map((t) => t.id)).not.toContain(transferId);
    await expectBooksBalanced(subject);
  });

  it('voids a case nobody decided by its expiry, by the job', async () => {
    const { payer, payee, kase } = await held();
    expect(await subject.app.services.riskCases.settleDue()).toBe(0);
    await subject.database.pool.query(
      "UPDATE risk_cases SET expires_at = now() - interval '1 second' WHERE id = $1",
      [kase.id],
    );
    expect(await subject.app.services.riskCases.settleDue()).toBeGreaterThanOrEqual(1);
    expect((await subject.app.services.riskCases.get(kase.id)).status).toBe('expired');
    expect(await wallet(payer)).toEqual({ balance: '1000000', available: '1000000' });
    expect(await wallet(payee)).toEqual({ balance: '0', available: '0' });
    const returned = (await inbox(subject, payer)).find((n) => n.kind === 'transfers.returned');
    expect(returned?.params).toMatchObject({ expired: true });
    // Too late to approve.
    expect(errorCode(await decide(kase.id, 'approve'))).toBe('RISK_CASE_CLOSED');
    await expectBooksBalanced(subject);
  });

  it('holds once for thirty identical confirms, and of an approve and a reject at once exactly one wins', async () => {
    const payer = await funded();
    const payee = await verifiedPayee();
    const key = randomUUID();
    const payload = { toPhone: payee.phone, amount: cny('150000'), confirmation: { pin: PIN } };
    const answers = await Promise.all(Array.from({ length: 30 }, () => send(subject, payer, payload, key)));
    const statuses = answers.map((a) => a.statusCode);
    // One runs; the others wait for it or are told it is in progress (409), never a second hold.
    expect(statuses.filter((s) => s === 202).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 202 || s === 409)).toBe(true);
    expect(await wallet(payer)).toEqual({ balance: '1000000', available: '850000' });
    const id = answers.find((a) => a.statusCode === 202)!.json<{ id: string }>().id;
    const kase = await caseOf(id);
    const { rows } = await subject.database.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM risk_cases WHERE holder_id = $1',
      [payer.userId],
    );
    expect(rows[0]!.n).toBe(1);

    const [approve, reject] = await Promise.all([
      decide(kase.id, 'approve'),
      decide(kase.id, 'reject', 'race'),
    ]);
    const winners = [approve, reject].filter((r) => r.statusCode === 200);
    expect(winners).toHaveLength(1);
    const won = winners[0]!.json<CaseJson>();
    expect((await wallet(payee)).available).toBe(won.status === 'approved' ? '150000' : '0');
    expect((await wallet(payer)).available).toBe(won.status === 'approved' ? '850000' : '1000000');
    await expectBooksBalanced(subject);
  });

  it('settles a decision a crash cut short (decided, hold untouched) on the next job run', async () => {
    const { payee, kase } = await held();
    // As if the process died right after writing the decision, before the ledger.
    await subject.database.pool.query(
      "UPDATE risk_cases SET outcome = 'approve', decided_by = 'risk.x', decided_at = now() - interval '2 minutes' WHERE id = $1",
      [kase.id],
    );
    expect(await balanceOf(subject, payee)).toBe('0');
    await subject.app.services.riskCases.settleDue();
    expect((await subject.app.services.riskCases.get(kase.id)).status).toBe('approved');
    expect(await balanceOf(subject, payee)).toBe('150000');
    await expectBooksBalanced(subject);
  });

  it('closes a case whose hold never landed (a crash between the case and the hold) as cancelled', async () => {
    const payer = await funded();
    const opened = await subject.app.services.riskCases.open({
      kind: 'transfer',
      payerUserId: payer.userId,
      movementId: randomUUID(),
      amountMinor: 150_000n,
      currency: 'CNY',
      payee: `user:${randomUUID()}`,
      decisionId: null,
      rules: ['review_large'],
      score: 80,
      now: new Date(),
    });
    const approved = await decide(opened.caseId, 'approve');
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'cancelled' });
    await expectBooksBalanced(subject);
  });

  it('through the payment resource: processing while held, succeeded once approved', async () => {
    const payer = await funded();
    const payee = await verifiedPayee();
    const created = await subject.app.inject({
      method: 'POST',
      url: '/v1/payments',
      headers: payer.headers,
      payload: { kind: 'transfer', toPhone: payee.phone, amount: cny('150000') },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { id } = created.json<{ id: string }>();
    const confirmed = await subject.app.inject({
      method: 'POST',
      url: `/v1/payments/${id}/confirm`,
      headers: { ...payer.headers, 'idempotency-key': randomUUID() },
      payload: { confirmation: { pin: PIN } },
    });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    const body = confirmed.json<{ status: string; result: { id: string; status: string } }>();
    expect(body).toMatchObject({ status: 'processing', result: { status: 'under_review' } });
    const kase = await caseOf(body.result.id);
    expect((await decide(kase.id, 'approve')).statusCode).toBe(200);
    const after = await subject.app.inject({
      method: 'GET',
      url: `/v1/payments/${id}`,
      headers: payer.headers,
    });
    expect(after.json()).toMatchObject({ status: 'succeeded', result: { status: 'succeeded' } });
    await expectBooksBalanced(subject);
  });

  it('still refuses a review for a kind that cannot wait (paying a payment request)', async () => {
    const payer = await funded();
    const requester = await verifiedPayee();
    const request = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/payment-requests',
      headers: requester.headers,
      payload: { amount: cny('150000') },
    });
    expect(request.statusCode, request.body).toBe(201);
    const paid = await subject.app.inject({
      method: 'POST',
      url: `/v1/payment-requests/${request.json<{ id: string }>().id}/pay`,
      headers: { ...payer.headers, 'idempotency-key': randomUUID() },
      payload: { confirmation: { pin: PIN } },
    });
    expect(paid.statusCode).toBe(403);
    expect(errorCode(paid)).toBe('RISK_REVIEW_REQUIRED');
    expect(await wallet(payer)).toEqual({ balance: '1000000', available: '1000000' });
  });
});
