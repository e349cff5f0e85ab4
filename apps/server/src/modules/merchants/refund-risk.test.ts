/**
 * Merchant refunds judged by the risk engine (subject `merchant_refund`, docs/risk.md), through
 * the HTTP API with the shipped rules: an ordinary refund passes and its decision is kept under
 * the merchant's owner; the 31st refund of a merchant in an hour is refused with nothing
 * reserved and no money moved, also when they are sent at once; a repeat of a refund made
 * already is answered, not judged again; a deny-listed payer gets nothing back; a database
 * whose rule sets predate refunds is given the shipped refund rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHolder } from '../identity/testing.ts';
import { createSecurityTestApp } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import { cny, errorCode, expectBooksBalanced } from '../transfers/testing.ts';
import { operatorSession } from '../risk/testing.ts';
import type { Rule } from '../risk/engine/types.ts';
import { paidOrderOf, shopOf } from './testing.ts';

let subject: SecurityTestApp;
let riskOperator: { authorization: string };
beforeAll(async () => {
  subject = await createSecurityTestApp();
  riskOperator = await operatorSession(subject, 'risk');
});
afterAll(async () => subject.close());

async function merchant(): Promise<TestHolder> {
  return (await shopOf(subject)).owner;
}

/** An order of `amount` (minor units) made by the merchant and paid by a new payer. */
const paidOrder = (owner: TestHolder, amount: string) => paidOrderOf(subject, owner, amount);

function refund(owner: TestHolder, merchantOrderId: string, amount: string, merchantRefundId: string) {
  return subject.app.inject({
    method: 'POST',
    url: `/v1/me/merchant/orders/${merchantOrderId}/refunds`,
    headers: owner.headers,
    payload: { merchantRefundId, amount: cny(amount) },
  });
}

async function order(owner: TestHolder, merchantOrderId: string) {
  const response = await subject.app.inject({
    method: 'GET',
    url: `/v1/me/merchant/orders/${merchantOrderId}`,
    headers: owner.headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ refunded: { amount: string }; refunds: { merchantRefundId: string }[] }>();
}

async function walletBalance(holder: TestHolder): Promise<string> {
  const response = await subject.app.inject({
    method: 'GET',
    url: '/v1/me/balance',
    headers: holder.headers,
  });
  return response.json<{ balance: { amount: string } }>().balance.amount;
}

async function merchantBalance(owner: TestHolder): Promise<string> {
  const response = await subject.app.inject({
    method: 'GET',
    url: '/v1/me/merchant',
    headers: owner.headers,
  });
  return response.json<{ balance: { amount: string } }>().balance.amount;
}

interface DecisionJson {
  subject: string;
  kind: string;
  movementId: string | null;
  payee: string | null;
  decision: string;
  fired: string[];
  amount: { amount: string } | null;
  features: Record<string, number | boolean | null>;
}

async function decisionsOf(holder: TestHolder): Promise<DecisionJson[]> {
  const response = await subject.app.inject({
    method: 'GET',
    url: `/v1/operator/holders/${holder.userId}/risk-decisions?limit=200`,
    headers: riskOperator,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ decisions: DecisionJson[] }>().decisions;
}

describe('refunds judged by the risk engine', () => {
  it('lets an ordinary partial refund through and keeps its decision, with its features, under the owner', async () => {
    const owner = await merchant();
    const { merchantOrderId, payer } = await paidOrder(owner, '10000');
    const answer = await refund(owner, merchantOrderId, '3000', 'r1');
    expect(answer.statusCode, answer.body).toBe(201);
    const { id } = answer.json<{ id: string; status: string }>();
    expect(answer.json()).toMatchObject({ status: 'succeeded' });
    const decisions = (await decisionsOf(owner)).filter((d) => d.subject === 'merchant_refund');
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({
      kind: 'merchant_refund',
      movementId: id,
      payee: `user:${payer.userId}`,
      decision: 'allow',
      fired: [],
      amount: { amount: '3000' },
      features: {
        refund_amount_minor: 3000,
        order_paid_minor: 10000,
        refund_share_of_order: 0.3,
        order_fully_refunded_after: false,
        merchant_refunds_1h: 1,
        merchant_refunds_24h_minor: 3000,
        // Recorded when the payment moved (the pipeline's `moved`): the merchant's takings.
        merchant_takings_24h_minor: 10000,
        merchant_refund_to_takings_24h: 0.3,
      },
    });
    // Neither the owner's nor the payer's own history gained a payment from it.
    expect((await decisionsOf(payer)).filter((d) => d.subject === 'merchant_refund')).toEqual([]);
    await expectBooksBalanced(subject);
  });

  it('refuses the 31st refund in an hour with the rule in details, reserving nothing and moving nothing', async () => {
    const owner = await merchant();
    const { merchantOrderId, payer } = await paidOrder(owner, '10000');
    for (let i = 1; i <= 30; i += 1) {
      const answer = await refund(owner, merchantOrderId, '100', `burst${i}`);
      expect(answer.statusCode, answer.body).toBe(201);
    }
    const payerBefore = await walletBalance(payer);
    const merchantBefore = await merchantBalance(owner);
    const refused = await refund(owner, merchantOrderId, '100', 'burst31');
    expect(refused.statusCode, refused.body).toBe(403);
    expect(errorCode(refused)).toBe('RISK_REVIEW_REQUIRED');
    expect(refused.json()).toMatchObject({ error: { details: { rules: ['refund_burst'] } } });
    // No refund row, nothing reserved on the order, no money moved.
    const query = await subject.app.inject({
      method: 'GET',
      url: `/v1/me/merchant/orders/${merchantOrderId}/refunds/burst31`,
      headers: owner.headers,
    });
    expect(errorCode(query)).toBe('REFUND_NOT_FOUND');
    const after = await order(owner, merchantOrderId);
    expect(after.refunded.amount).toBe('3000');
    expect(after.refunds).toHaveLength(30);
    expect(await walletBalance(payer)).toBe(payerBefore);
    expect(await merchantBalance(owner)).toBe(merchantBefore);
    // A repeat of a refund made already is answered as it was, not judged (nor refused) again.
    const repeat = await refund(owner, merchantOrderId, '100', 'burst1');
    expect(repeat.statusCode, repeat.body).toBe(201);
    expect(repeat.json()).toMatchObject({ merchantRefundId: 'burst1', status: 'succeeded' });
    // The decisions: 30 let through, the refused one kept with its rule (movement: no refund).
    const decisions = (await decisionsOf(owner)).filter((d) => d.subject === 'merchant_refund');
    expect(decisions).toHaveLength(31);
    expect(decisions.filter((d) => d.decision === 'review')).toMatchObject([
      { fired: ['refund_burst'], features: { merchant_refunds_1h: 31 } },
    ]);
    await expectBooksBalanced(subject);
  });

  it('of 34 refunds sent at once, lets exactly 30 through', async () => {
    const owner = await merchant();
    const { merchantOrderId, payer } = await paidOrder(owner, '10000');
    const payerBefore = BigInt(await walletBalance(payer));
    const answers = await Promise.all(
      Array.from({ length: 34 }, (_, i) => refund(owner, merchantOrderId, '100', `race${i}`)),
    );
    expect(answers.filter((a) => a.statusCode === 201)).toHaveLength(30);
    expect(answers.filter((a) => a.statusCode !== 201).map(errorCode)).toEqual(
      Array(4).fill('RISK_REVIEW_REQUIRED'),
    );
    expect((await order(owner, merchantOrderId)).refunded.amount).toBe('3000');
    expect(BigInt(await walletBalance(payer))).toBe(payerBefore + 3000n);
    await expectBooksBalanced(subject);
  });

  it('blocks a refund to a deny-listed payer, and freezes nothing', async () => {
    const owner = await merchant();
    const { merchantOrderId, payer } = await paidOrder(owner, '10000');
    const listed = await subject.app.inject({
      method: 'PUT',
      url: `/v1/operator/risk/lists/payee/user:${payer.userId}`,
      headers: riskOperator,
      payload: { kind: 'deny', note: 'test' },
    });
    expect(listed.statusCode, listed.body).toBeLessThan(300);
    const payerBefore = await walletBalance(payer);
    const refused = await refund(owner, merchantOrderId, '5000', 'denied');
    expect(errorCode(refused)).toBe('RISK_BLOCKED');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: { details: { rules: ['deny_listed_refund_payee'] } } });
    expect((await order(owner, merchantOrderId)).refunds).toEqual([]);
    expect(await walletBalance(payer)).toBe(payerBefore);
    // A refund's block freezes no wallet: neither the owner's nor the payer's.
    const freeze = await subject.app.services.freeze.stateOf(owner.userId);
    expect(freeze).toMatchObject({ mode: 'none' });
    expect(await subject.app.services.freeze.stateOf(payer.userId)).toMatchObject({ mode: 'none' });
    await expectBooksBalanced(subject);
  });
});

describe('a database whose rule sets predate refunds', () => {
  it('gets the shipped refund rules as a new active version, once, with its other rules unchanged', async () => {
    const pool = subject.database.pool;
    // Make every version look as it did before refunds were judged.
    const { rows } = await pool.query<{ version: number; rules: Rule[] }>(
      'SELECT version, rules FROM risk_rule_sets ORDER BY version',
    );
    for (const row of rows) {
      await pool.query('UPDATE risk_rule_sets SET rules = $2 WHERE version = $1', [
        row.version,
        JSON.stringify(row.rules.filter((rule) => rule.subject !== 'merchant_refund')),
      ]);
    }
    const before = await pool.query<{ version: number; rules: Rule[] }>(
      `SELECT version, rules FROM risk_rule_sets WHERE status = 'active'`,
    );
    await subject.app.services.risk.seedDefaultRules();
    await subject.app.services.risk.seedDefaultRules();
    const sets = await pool.query<{ version: number; rules: Rule[]; status: string; created_by: string }>(
      'SELECT version, rules, status, created_by FROM risk_rule_sets ORDER BY version',
    );
    const added = sets.rows.at(-1)!;
    expect(sets.rows).toHaveLength(rows.length + 1);
    expect(added).toMatchObject({ status: 'active', created_by: 'system' });
    expect(added.rules.filter((rule) => rule.subject !== 'merchant_refund')).toEqual(before.rows[0]!.rules);
    expect(added.rules.filter((rule) => rule.subject === 'merchant_refund').map((rule) => rule.id)).toEqual([
      'deny_listed_refund_payee',
      'refund_burst',
      'refunds_near_takings',
      'late_full_refund_large',
    ]);
  });
});
