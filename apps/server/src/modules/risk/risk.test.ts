/**
 * The risk engine in the money path (issue 11), through the HTTP API: rule sets as data,
 * step-up end to end, a block that freezes, decisions kept with their features, backtests, and
 * velocity under 30 payments sent at once. Each test activates the rules it needs, so what it
 * shows does not depend on the tuning of the shipped rules (engine/default-rules.ts).
 */
import { randomUUID } from 'node:crypto';
import { Secret } from 'otpauth';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestHolder } from '../identity/testing.ts';
import { latestSmsCode, loginWithPassword, registerHolder, sendAndReadSmsCode } from '../identity/testing.ts';
import { createSecurityTestApp, holderWithPin } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import {
  PIN,
  balanceOf,
  cny,
  errorCode,
  expectBooksBalanced,
  fund,
  send,
  verifyRealName,
} from '../transfers/testing.ts';
import { totpCodeAt, totpStep } from '../security/totp.ts';
import { DEFAULT_RULE_SET } from './engine/default-rules.ts';
import type { Rule } from './engine/types.ts';
import { activateRules, checkerOf, operatorSession as sharedOperatorSession } from './testing.ts';
import { withAuditRefused } from '../operator/testing.ts';

let subject: SecurityTestApp;
let riskOperator: { authorization: string };
let supportOperator: { authorization: string };
let adminOperator: { authorization: string };

function operatorSession(role: 'risk' | 'support' | 'admin'): Promise<{ authorization: string }> {
  return sharedOperatorSession(subject, role);
}

/** Save `rules` as a draft and activate it; answers its version. */
function activate(rules: Rule[], thresholds = { stepUp: 65, review: 75, block: 90 }): Promise<number> {
  return activateRules(subject, riskOperator, rules, thresholds);
}

const LARGE: Rule = {
  id: 'large_amount',
  subject: 'payment',
  description: { zh: '大额', en: 'Large amount' },
  when: { feature: 'amount_minor', op: '>=', value: 100_000 },
  score: 70,
};

async function funded(amountMinor = 1_000_000n): Promise<TestHolder> {
  const holder = await holderWithPin(subject);
  await verifyRealName(subject, holder, '王小明');
  await fund(subject, holder, amountMinor);
  return holder;
}

/** A payee whose wallet may hold more than T0's ¥1,000. */
async function verifiedPayee(): Promise<TestHolder> {
  const payee = await holderWithPin(subject);
  await verifyRealName(subject, payee, '李四');
  return payee;
}

beforeAll(async () => {
  subject = await createSecurityTestApp();
  riskOperator = await operatorSession('risk');
  supportOperator = await operatorSession('support');
  adminOperator = await operatorSession('admin');
});
afterAll(async () => subject.close());
beforeEach(async () => {
  // Every test starts from rules that allow everything but what it adds.
  await activate([]);
});

describe('rule sets', () => {
  it('starts with the shipped rules as version 1, active, and keeps every version', async () => {
    const response = await subject.app.inject({
      method: 'GET',
      url: '/v1/operator/risk/rule-sets/1',
      headers: riskOperator,
    });
    expect(response.statusCode, response.body).toBe(200);
    const first = response.json<{ rules: { id: string }[]; createdBy: string }>();
    expect(first.createdBy).toBe('system');
    expect(first.rules.map((rule) => rule.id)).toEqual(DEFAULT_RULE_SET.rules.map((rule) => rule.id));
    const all = await subject.app.inject({
      method: 'GET',
      url: '/v1/operator/risk/rule-sets',
      headers: riskOperator,
    });
    const statuses = all.json<{ ruleSets: { status: string }[] }>().ruleSets.map((set) => set.status);
    expect(statuses.filter((status) => status === 'active')).toHaveLength(1);
  });

  it('refuses a rule over an unknown feature, with where it is', async () => {
    const response = await subject.app.inject({
      method: 'POST',
      url: '/v1/operator/risk/rule-sets',
      headers: riskOperator,
      payload: {
        rules: [{ ...LARGE, when: { feature: 'shoe_size', op: '>', value: 42 } }],
        thresholds: { stepUp: 65, review: 75, block: 90 },
      },
    });
    expect(response.statusCode).toBe(400);
    expect(errorCode(response)).toBe('RISK_RULE_SET_INVALID');
    expect(response.body).toContain('shoe_size');
  });

  it('lets only the risk team (and admins) see or change the rules', async () => {
    const response = await subject.app.inject({
      method: 'GET',
      url: '/v1/operator/risk/rule-sets',
      headers: supportOperator,
    });
    expect(response.statusCode).toBe(403);
  });

  it('activates a draft only once', async () => {
    const version = await activate([LARGE]);
    const again = await subject.app.inject({
      method: 'POST',
      url: `/v1/operator/risk/rule-sets/${version}/activate`,
      headers: await checkerOf(subject),
    });
    expect(again.statusCode).toBe(409);
    expect(errorCode(again)).toBe('RISK_RULE_SET_NOT_DRAFT');
  });
});

describe('maker-checker activation', () => {
  async function draft(rules: Rule[], by = riskOperator): Promise<{ version: number; createdBy: string }> {
    const response = await subject.app.inject({
      method: 'POST',
      url: '/v1/operator/risk/rule-sets',
      headers: by,
      payload: { rules, thresholds: { stepUp: 65, review: 75, block: 90 }, note: 'maker-checker' },
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<{ version: number; createdBy: string }>();
  }

  function activateAs(version: number, by: { authorization: string }) {
    return subject.app.inject({
      method: 'POST',
      url: `/v1/operator/risk/rule-sets/${version}/activate`,
      headers: by,
    });
  }

  async function ruleSets(): Promise<{ version: number; status: string; activatedBy: string | null }[]> {
    const response = await subject.app.inject({
      method: 'GET',
      url: '/v1/operator/risk/rule-sets',
      headers: riskOperator,
    });
    return response.json<{ ruleSets: { version: number; status: string; activatedBy: string | null }[] }>()
      .ruleSets;
  }

  /** The audit entries of a version (read from the table: what the log keeps, whoever lists it). */
  async function auditOf(version: number): Promise<{ action: string; details: Record<string, unknown> }[]> {
    const { rows } = await subject.database.pool.query<{ action: string; details: Record<string, unknown> }>(
      `SELECT action, details FROM operator_audit_log WHERE target = $1 AND action LIKE 'risk.rule_set%'`,
      [String(version)],
    );
    return rows;
  }

  it("refuses the draft's author, changes nothing, and lets a second operator activate it (audited)", async () => {
    const before = (await ruleSets()).find((set) => set.status === 'active')!;
    const { version, createdBy } = await draft([LARGE]);
    const own = await activateAs(version, riskOperator);
    expect(own.statusCode, own.body).toBe(403);
    expect(errorCode(own)).toBe('RISK_RULE_SET_OWN_DRAFT');
    expect(own.json()).toMatchObject({ error: { details: { createdBy } } });
    // Nothing changed: the draft is a draft, the active version is still active.
    const sets = await ruleSets();
    expect(sets.find((set) => set.version === version)?.status).toBe('draft');
    expect(sets.find((set) => set.status === 'active')?.version).toBe(before.version);

    const checked = await activateAs(version, await checkerOf(subject));
    expect(checked.statusCode, checked.body).toBe(200);
    const activated = checked.json<{ status: string; createdBy: string; activatedBy: string }>();
    expect(activated).toMatchObject({ status: 'active', createdBy });
    expect(activated.activatedBy).not.toBe(createdBy);
    const audited = await auditOf(version);
    expect(audited.map((entry) => entry.action).sort()).toEqual([
      'risk.rule_set_activated',
      'risk.rule_set_drafted',
    ]);
    expect(audited.find((entry) => entry.action === 'risk.rule_set_activated')?.details).toEqual({
      draftedBy: createdBy,
    });
    // An admin is an operator too: the author's admin colleague may check, the author never.
    const second = await draft([LARGE], adminOperator);
    expect(errorCode(await activateAs(second.version, adminOperator))).toBe('RISK_RULE_SET_OWN_DRAFT');
    expect((await activateAs(second.version, riskOperator)).statusCode).toBe(200);
  });

  it('activates a draft exactly once under 30 activations at once (audited once)', async () => {
    const { version } = await draft([LARGE]);
    const checker = await checkerOf(subject);
    const answers = await Promise.all(Array.from({ length: 30 }, () => activateAs(version, checker)));
    const statuses = answers.map((answer) => answer.statusCode).sort();
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(29);
    expect(new Set(answers.filter((a) => a.statusCode === 409).map(errorCode))).toEqual(
      new Set(['RISK_RULE_SET_NOT_DRAFT']),
    );
    const sets = await ruleSets();
    expect(sets.filter((set) => set.status === 'active').map((set) => set.version)).toEqual([version]);
    expect(
      (await auditOf(version)).filter((entry) => entry.action === 'risk.rule_set_activated'),
    ).toHaveLength(1);
  });

  it('keeps one active version when three drafts are activated at once, ten times each', async () => {
    const drafts = await Promise.all([draft([LARGE]), draft([]), draft([LARGE])]);
    const checker = await checkerOf(subject);
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => activateAs(drafts[i % 3]!.version, checker)),
    );
    // Each draft once (one after another, under the table's lock), never an error of the server.
    expect(answers.filter((answer) => answer.statusCode === 200)).toHaveLength(3);
    expect(answers.filter((answer) => answer.statusCode === 409)).toHaveLength(27);
    const sets = await ruleSets();
    const mine = sets.filter((set) => drafts.some((d) => d.version === set.version));
    expect(sets.filter((set) => set.status === 'active')).toHaveLength(1);
    expect(mine.filter((set) => set.status === 'active')).toHaveLength(1);
    expect(mine.filter((set) => set.status === 'retired')).toHaveLength(2);
  });
});

describe('step-up', () => {
  it('asks for a step-up, keeps the key open, and lets the same request through once passed by SMS', async () => {
    await activate([LARGE]);
    const payer = await funded();
    const payee = await verifiedPayee();
    const key = randomUUID();
    const payload = { toPhone: payee.phone, amount: cny('150000'), confirmation: { pin: PIN } };

    const first = await send(subject, payer, payload, key);
    expect(first.statusCode, first.body).toBe(403);
    expect(errorCode(first)).toBe('STEP_UP_REQUIRED');
    const { stepUpId, methods } = first.json<{
      error: { details: { stepUpId: string; methods: string[] } };
    }>().error.details;
    expect(methods).toEqual(['sms']);

    // A wrong PIN is answered as such, before any step-up.
    const wrongPin = await send(subject, payer, { ...payload, confirmation: { pin: '000000' } });
    expect(errorCode(wrongPin)).toBe('PIN_INCORRECT');

    // Not passed yet: the same request is asked again (the answer was not kept for the key).
    const early = await send(subject, payer, payload, key);
    expect(errorCode(early)).toBe('STEP_UP_REQUIRED');

    // A wrong code does not pass it.
    await subject.app.inject({ method: 'POST', url: '/v1/me/sms-codes', headers: payer.headers });
    const wrong = await subject.app.inject({
      method: 'POST',
      url: `/v1/me/step-ups/${stepUpId}/pass`,
      headers: payer.headers,
      payload: { smsCode: '000000' },
    });
    expect(wrong.statusCode).toBeGreaterThanOrEqual(400);

    await subject.app.inject({ method: 'POST', url: '/v1/me/sms-codes', headers: payer.headers });
    const passed = await subject.app.inject({
      method: 'POST',
      url: `/v1/me/step-ups/${stepUpId}/pass`,
      headers: payer.headers,
      payload: { smsCode: await latestSmsCode(subject.app, payer.phone) },
    });
    expect(passed.statusCode, passed.body).toBe(200);
    expect(passed.json<{ state: string }>().state).toBe('passed');

    const retried = await send(subject, payer, payload, key);
    expect(retried.statusCode, retried.body).toBe(201);
    expect(await balanceOf(subject, payee)).toBe('150000');

    // The pass is for that payment only: another large payment asks again.
    const other = await send(subject, payer, payload);
    expect(errorCode(other)).toBe('STEP_UP_REQUIRED');
    await expectBooksBalanced(subject);
  });

  it('through the payment resource: a step-up keeps the attempt, so the same confirm then succeeds', async () => {
    await activate([LARGE]);
    const payer = await funded();
    const payee = await verifiedPayee();
    const created = await subject.app.inject({
      method: 'POST',
      url: '/v1/payments',
      headers: payer.headers,
      payload: { kind: 'transfer', toPhone: payee.phone, amount: cny('150000') },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { id, payment } = created.json<{ id: string; payment: { id: string } }>();
    const key = randomUUID();
    const confirm = () =>
      subject.app.inject({
        method: 'POST',
        url: `/v1/payments/${id}/confirm`,
        headers: { ...payer.headers, 'idempotency-key': key },
        payload: { confirmation: { pin: PIN } },
      });
    const first = await confirm();
    expect(errorCode(first)).toBe('STEP_UP_REQUIRED');
    const { stepUpId } = first.json<{ error: { details: { stepUpId: string } } }>().error.details;
    const waiting = await subject.app.inject({
      method: 'GET',
      url: `/v1/payments/${id}`,
      headers: payer.headers,
    });
    expect(waiting.json()).toMatchObject({ status: 'requires_confirmation', payment: { id: payment.id } });

    await subject.app.inject({ method: 'POST', url: '/v1/me/sms-codes', headers: payer.headers });
    const passed = await subject.app.inject({
      method: 'POST',
      url: `/v1/me/step-ups/${stepUpId}/pass`,
      headers: payer.headers,
      payload: { smsCode: await latestSmsCode(subject.app, payer.phone) },
    });
    expect(passed.statusCode, passed.body).toBe(200);
    const done = await confirm();
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ status: 'succeeded' });
    expect(await balanceOf(subject, payee)).toBe('150000');
    await expectBooksBalanced(subject);
  });

  it('takes a TOTP code as the confirmation itself when the holder has one', async () => {
    await activate([LARGE]);
    const payer = await funded();
    const secret = await enableTotp(payer);
    const payee = await verifiedPayee();
    const response = await send(subject, payer, {
      toPhone: payee.phone,
      amount: cny('120000'),
      confirmation: { totpCode: codeFor(secret, 1) },
    });
    expect(response.statusCode, response.body).toBe(201);
    // With the PIN instead, the step-up offers the TOTP and SMS.
    const withPin = await send(subject, payer, {
      toPhone: payee.phone,
      amount: cny('120000'),
      confirmation: { pin: PIN },
    });
    expect(errorCode(withPin)).toBe('STEP_UP_REQUIRED');
    expect(withPin.json<{ error: { details: { methods: string[] } } }>().error.details.methods).toEqual([
      'totp',
      'sms',
    ]);
  });

  it('shows a quote that would need a step-up before the PIN is asked', async () => {
    await activate([LARGE]);
    const payer = await funded();
    const payee = await verifiedPayee();
    const response = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/transfers/preview',
      headers: payer.headers,
      payload: { toPhone: payee.phone, amount: cny('150000') },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.body).toContain('stepUp');
  });
});

describe('block and freeze', () => {
  it('refuses a payment to a denied payee, freezes the wallet, and keeps the decision with its features', async () => {
    const version = await activate([
      {
        id: 'denied_payee',
        subject: 'payment',
        description: { zh: '黑名单收款人', en: 'Denied payee' },
        when: { feature: 'denied_payee', op: '==', value: true },
        score: 0,
        decision: 'block',
      },
    ]);
    const payer = await funded();
    const payee = await holderWithPin(subject);
    const listed = await subject.app.inject({
      method: 'PUT',
      url: `/v1/operator/risk/lists/payee/${encodeURIComponent(`user:${payee.userId}`)}`,
      headers: riskOperator,
      payload: { kind: 'deny', note: 'mule' },
    });
    expect(listed.statusCode, listed.body).toBe(204);

    const response = await send(subject, payer, {
      toPhone: payee.phone,
      amount: cny('100'),
      confirmation: { pin: PIN },
    });
    expect(response.statusCode).toBe(403);
    expect(errorCode(response)).toBe('RISK_BLOCKED');
    expect((await subject.app.services.freeze.stateOf(payer.userId)).mode).toBe('full');

    const decisions = await subject.app.inject({
      method: 'GET',
      url: `/v1/operator/holders/${payer.userId}/risk-decisions`,
      headers: riskOperator,
    });
    const [decision] = decisions.json<{
      decisions: { decision: string; fired: string[]; version: number; features: Record<string, unknown> }[];
    }>().decisions;
    expect(decision).toMatchObject({ decision: 'block', fired: ['denied_payee'], version });
    expect(decision!.features).toMatchObject({ denied_payee: true, amount_minor: 100 });

    // Frozen: nothing more leaves, whatever the rules now say.
    await activate([]);
    const after = await send(subject, payer, {
      toPhone: payee.phone,
      amount: cny('100'),
      confirmation: { pin: PIN },
    });
    expect(after.statusCode).toBe(403);
    expect(errorCode(after)).not.toBe('RISK_BLOCKED');
    await expectBooksBalanced(subject);
  });
});

describe('velocity', () => {
  it('judges 30 payments sent at once one after another: exactly five pass a five-a-minute rule', async () => {
    await activate([
      {
        id: 'velocity_1m',
        subject: 'payment',
        description: { zh: '1 分钟内多次付款', en: 'Many payments in a minute' },
        when: { feature: 'holder_payments_1m', op: '>', value: 5 },
        score: 0,
        decision: 'review',
      },
    ]);
    const payer = await funded();
    const payee = await holderWithPin(subject);
    const responses = await Promise.all(
      Array.from({ length: 30 }, () =>
        send(subject, payer, { toPhone: payee.phone, amount: cny('100'), confirmation: { pin: PIN } }),
      ),
    );
    // The rule's review holds a transfer (hold for review): 202, the money held, not paid.
    const codes = responses.map((response) =>
      response.statusCode === 201 ? 'ok' : response.statusCode === 202 ? 'held' : errorCode(response),
    );
    expect(codes.filter((code) => code === 'ok')).toHaveLength(5);
    expect(codes.filter((code) => code === 'held')).toHaveLength(25);
    expect(await balanceOf(subject, payee)).toBe('500');
    await expectBooksBalanced(subject);
  });
});

describe("the holder's history", () => {
  it("keeps each payment that moved money, so later judgements know the holder's median amount", async () => {
    const payer = await funded();
    const payee = await verifiedPayee();
    for (let i = 0; i < 6; i += 1) {
      const response = await send(subject, payer, {
        toPhone: payee.phone,
        amount: cny('2000'),
        confirmation: { pin: PIN },
      });
      expect(response.statusCode, response.body).toBe(201);
    }
    const decisions = await subject.app.inject({
      method: 'GET',
      url: `/v1/operator/holders/${payer.userId}/risk-decisions?limit=1`,
      headers: riskOperator,
    });
    const [latest] = decisions.json<{ decisions: { features: Record<string, unknown> }[] }>().decisions;
    // Five earlier payments of ¥20: the median is ¥20, within one histogram bin (a factor of 1.43).
    const median = latest!.features.holder_amount_median as number;
    expect(median).toBeGreaterThan(2000 / 1.5);
    expect(median).toBeLessThan(2000 * 1.5);
  });
});

describe('sign-ins', () => {
  it('asks for the phone when a sign-in implies an impossible journey, and keeps each judgement', async () => {
    await activate([
      {
        id: 'impossible_travel',
        subject: 'sign_in',
        description: { zh: '不可能的行程', en: 'Impossible travel' },
        when: {
          all: [
            { feature: 'geo_speed_kmh', op: '>', value: 900 },
            { feature: 'geo_distance_km', op: '>', value: 100 },
          ],
        },
        score: 0,
        decision: 'step_up',
      },
    ]);
    const holder = await registerHolder(subject.app, { ip: '192.0.2.10' }); // Shanghai
    const fromShanghai = await loginWithPassword(subject.app, { ...holder, ip: '192.0.2.11' });
    expect(fromShanghai.statusCode, fromShanghai.body).toBe(200);

    subject.clock.advance(600); // ten minutes later, London: 9,000 km in ten minutes
    const fromLondon = await loginWithPassword(subject.app, { ...holder, ip: '203.0.113.7' });
    expect(fromLondon.statusCode).toBe(403);
    expect(fromLondon.json()).toMatchObject({
      error: {
        code: 'NEW_DEVICE_VERIFICATION_REQUIRED',
        details: { smsPurpose: 'new_device', reason: 'risk' },
      },
    });
    const smsCode = await sendAndReadSmsCode(subject.app, { phone: holder.phone, purpose: 'new_device' });
    const proven = await loginWithPassword(subject.app, { ...holder, ip: '203.0.113.7', smsCode });
    expect(proven.statusCode, proven.body).toBe(200);

    const decisions = await subject.app.inject({
      method: 'GET',
      url: `/v1/operator/holders/${holder.userId}/risk-decisions`,
      headers: riskOperator,
    });
    const signIns = decisions
      .json<{ decisions: { subject: string; decision: string; features: Record<string, unknown> }[] }>()
      .decisions.filter((d) => d.subject === 'sign_in');
    expect(signIns.map((d) => d.decision)).toEqual(['step_up', 'step_up', 'allow']);
    expect(signIns[1]!.features.geo_distance_km as number).toBeGreaterThan(9000);
    expect(signIns[1]!.features.geo_speed_kmh as number).toBeGreaterThan(900);
  });
});

describe('backtest', () => {
  it('judges stored decisions again under a draft and lists what would change', async () => {
    subject.clock.advance(3600); // past the other tests' decisions
    const from = new Date(subject.clock.now().getTime() - 1000).toISOString();
    const payer = await funded();
    const payee = await verifiedPayee();
    for (const amount of ['100', '150000', '200']) {
      const response = await send(subject, payer, {
        toPhone: payee.phone,
        amount: cny(amount),
        confirmation: { pin: PIN },
      });
      expect(response.statusCode, response.body).toBe(201);
    }
    const draft = await subject.app.inject({
      method: 'POST',
      url: '/v1/operator/risk/rule-sets',
      headers: riskOperator,
      payload: { rules: [LARGE], thresholds: { stepUp: 65, review: 75, block: 90 } },
    });
    const { version } = draft.json<{ version: number }>();
    const backtest = await subject.app.inject({
      method: 'POST',
      url: `/v1/operator/risk/rule-sets/${version}/backtest`,
      headers: riskOperator,
      payload: { from, to: new Date(subject.clock.now().getTime() + 1000).toISOString() },
    });
    expect(backtest.statusCode, backtest.body).toBe(200);
    const result = backtest.json<{
      judged: number;
      changed: number;
      byChange: Record<string, number>;
      differences: Record<string, unknown>[];
    }>();
    expect(result.judged).toBeGreaterThanOrEqual(3);
    expect(result.byChange).toEqual({ 'allow→step_up': 1 });
    // The differences list each movement: what was decided, what would be, and the rules that fire.
    expect(result.differences).toHaveLength(1);
    expect(result.differences[0]).toMatchObject({
      subject: 'payment',
      kind: 'transfer',
      holderId: payer.userId,
      amount: { amount: '150000', currency: 'CNY' },
      was: { decision: 'allow', fired: [] },
      now: { decision: 'step_up', score: 70, fired: ['large_amount'] },
    });
  });
});

/** The code an authenticator app shows `offsetSteps` from the server's (test) clock. */
function codeFor(secret: string, offsetSteps = 0): string {
  return totpCodeAt({
    secret: Secret.fromBase32(secret),
    step: totpStep(subject.clock.now().getTime()) + offsetSteps,
  });
}

async function enableTotp(holder: TestHolder): Promise<string> {
  const setup = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/totp/setup',
    headers: holder.headers,
    payload: {},
  });
  expect(setup.statusCode, setup.body).toBe(200);
  const { secret } = setup.json<{ secret: string }>();
  const code = codeFor(secret);
  const enabled = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/totp/enable',
    headers: holder.headers,
    payload: { code },
  });
  expect(enabled.statusCode, enabled.body).toBe(200);
  return secret;
}

describe('list changes and their audit entries commit together', () => {
  it('the same entry again writes no second entry; a removal whose entry cannot be written removes nothing', async () => {
    const value = `device-${randomUUID()}`;
    const target = `device:${value}`;
    const put = (note: string) =>
      subject.app.inject({
        method: 'PUT',
        url: `/v1/operator/risk/lists/device/${value}`,
        headers: riskOperator,
        payload: { kind: 'deny', note },
      });
    const remove = () =>
      subject.app.inject({
        method: 'DELETE',
        url: `/v1/operator/risk/lists/device/${value}`,
        headers: riskOperator,
      });
    const entries = async () =>
      (
        await subject.database.pool.query<{ action: string }>(
          'SELECT action FROM operator_audit_log WHERE target = $1 ORDER BY seq',
          [target],
        )
      ).rows.map((row) => row.action);
    const listed = async () =>
      (await subject.app.inject({ method: 'GET', url: '/v1/operator/risk/lists', headers: riskOperator }))
        .json<{ entries: { value: string; note: string }[] }>()
        .entries.filter((entry) => entry.value === value);

    expect((await put('stolen phone')).statusCode).toBe(204);
    expect((await put('stolen phone')).statusCode).toBe(204); // a retry: nothing changes
    expect(await entries()).toEqual(['risk.list_entry_set']);
    expect((await put('stolen phone, ticket 12')).statusCode).toBe(204);
    expect(await entries()).toEqual(['risk.list_entry_set', 'risk.list_entry_set']);

    const refused = await withAuditRefused(
      subject.database.pool,
      { action: 'risk.list_entry_removed' },
      remove,
    );
    expect(refused.statusCode).toBe(500);
    expect(await listed()).toEqual([expect.objectContaining({ note: 'stolen phone, ticket 12' })]);

    expect((await remove()).statusCode).toBe(204);
    expect(await listed()).toEqual([]);
    expect(await entries()).toEqual([
      'risk.list_entry_set',
      'risk.list_entry_set',
      'risk.list_entry_removed',
    ]);
  });
});
