import { randomUUID } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { derivedId } from '@qianbao/ledger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransferCodes } from '../../platform/codes.ts';
import { registerHolder } from '../identity/testing.ts';
import type { TestHolder } from '../identity/testing.ts';
import type { OperatorRole } from '../operator/index.ts';
import { createSecurityTestApp } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import { paidOrderOf, shopOf, verifiedHolder } from '../merchants/testing.ts';
import { balanceOf, expectBooksBalanced, fund, inbox } from '../transfers/testing.ts';
import { adjustmentsAccountId } from './service.ts';
import { withAuditRefused } from '../operator/testing.ts';

let subject: SecurityTestApp;
beforeAll(async () => (subject = await createSecurityTestApp()));
afterAll(async () => subject.close());

interface Session {
  id: string;
  username: string;
  headers: Record<string, string>;
}

let operators = 0;
async function operator(role: OperatorRole): Promise<Session> {
  operators += 1;
  const username = `${role}.${operators}`;
  const created = await subject.app.services.operator.create({
    username,
    displayName: `${role} ${operators}`,
    role,
  });
  const totp = new TOTP({ secret: Secret.fromBase32(created.totpSecret), digits: 6, period: 30 });
  const login = await subject.app.inject({
    method: 'POST',
    url: '/v1/operator/login',
    payload: {
      username,
      password: created.password,
      totpCode: totp.generate({ timestamp: subject.clock.now().getTime() }),
    },
  });
  expect(login.statusCode, login.body).toBe(200);
  return {
    id: created.operator.id,
    username,
    headers: { authorization: `Bearer ${login.json<{ token: string }>().token}` },
  };
}

function post(session: Session, url: string, payload: object, key: string = randomUUID()) {
  return subject.app.inject({
    method: 'POST',
    url,
    headers: { ...session.headers, 'idempotency-key': key },
    payload,
  });
}

const decide = (session: Session, base: string, id: string, decision: 'approve' | 'reject' = 'approve') =>
  post(session, `${base}/${id}/decision`, { decision });

const T0_LIMITS = {
  balanceCap: '100000',
  singlePayment: '30000',
  daily: '100000',
  yearly: '1000000',
  mayWithdraw: false,
  maySendAbroad: false,
};

async function auditOf(target: string) {
  const { rows } = await subject.database.pool.query<{ action: string; operator_id: string | null }>(
    'SELECT action, operator_id FROM operator_audit_log WHERE target = $1 ORDER BY at, action',
    [target],
  );
  return rows;
}

interface Change {
  id: string;
  status: string;
  failureCode: string | null;
  movementId: string | null;
  maker: { id: string };
  checker: { id: string } | null;
  effectiveAt: string;
}

describe('configuration changes (maker-checker)', () => {
  it('a tier-limit change: proposed by one admin, refused to them, approved by another, in force, audited', async () => {
    const maker = await operator('admin');
    const checker = await operator('admin');
    const before = await subject.app.services.kyc.tierLimits('T0');
    const proposed = await post(maker, '/v1/operator/configuration/changes', {
      setting: 'tier_limits.T0',
      value: T0_LIMITS,
      reason: '监管要求调整 T0 单笔限额',
    });
    expect(proposed.statusCode, proposed.body).toBe(201);
    const change = proposed.json<Change>();
    expect(change).toMatchObject({ status: 'proposed', maker: { id: maker.id }, checker: null });
    // nothing changes before a checker approves
    expect(await subject.app.services.kyc.tierLimits('T0')).toEqual(before);

    const own = await decide(maker, '/v1/operator/configuration/changes', change.id);
    expect(own.statusCode).toBe(403);
    expect(own.json()).toMatchObject({ error: { code: 'APPROVAL_OWN_CHANGE' } });

    const approved = await decide(checker, '/v1/operator/configuration/changes', change.id);
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'approved', checker: { id: checker.id } });
    expect((await subject.app.services.kyc.tierLimits('T0')).singlePaymentMinor).toBe(30000n);
    const published = await subject.app.inject({ method: 'GET', url: '/v1/kyc/tiers' });
    expect(published.json<{ tiers: { tier: string; singlePayment: string }[] }>().tiers[0]).toMatchObject({
      tier: 'T0',
      singlePayment: '30000',
    });

    const view = await subject.app.inject({
      method: 'GET',
      url: '/v1/operator/configuration',
      headers: maker.headers,
    });
    expect(view.statusCode, view.body).toBe(200);
    const settings = view.json<{ settings: { setting: string; source: string; changeId: string | null }[] }>()
      .settings;
    expect(settings.find((s) => s.setting === 'tier_limits.T0')).toMatchObject({
      source: 'change',
      changeId: change.id,
    });
    expect(settings.find((s) => s.setting === 'tier_limits.T1')).toMatchObject({ source: 'default' });

    expect(await auditOf(change.id)).toEqual([
      { action: 'approvals.configuration_proposed', operator_id: maker.id },
      { action: 'approvals.configuration_decision_refused', operator_id: maker.id },
      { action: 'approvals.configuration_approved', operator_id: checker.id },
    ]);
    // the database refuses a checker who is the maker, whatever the service does
    await expect(
      subject.database.pool.query('UPDATE approvals_changes SET checker_id = maker_id WHERE id = $1', [
        change.id,
      ]),
    ).rejects.toThrow(/approvals_changes_checker_not_maker/);
  });

  it('only operators allowed to configure limits propose or check a change; a bad value is refused', async () => {
    const support = await operator('support');
    const finance = await operator('finance');
    const admin = await operator('admin');
    for (const session of [support, finance]) {
      const refused = await post(session, '/v1/operator/configuration/changes', {
        setting: 'password_free',
        value: { maxPerPayment: '10000', dailyMax: '50000' },
        reason: 'x',
      });
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    }
    const tooHigh = await post(admin, '/v1/operator/configuration/changes', {
      setting: 'password_free',
      value: { maxPerPayment: '200000', dailyMax: '200000' },
      reason: 'more convenient',
    });
    expect(tooHigh.statusCode).toBe(422);
    expect(tooHigh.json()).toMatchObject({ error: { code: 'APPROVAL_INVALID_VALUE' } });
    const unknownSetting = await post(admin, '/v1/operator/configuration/changes', {
      setting: 'interest_rate',
      value: {},
      reason: 'x',
    });
    expect(unknownSetting.statusCode).toBe(400);
  });

  it('a change effective later is in force from then on, not before (password-free limits)', async () => {
    const maker = await operator('admin');
    const checker = await operator('admin');
    const holder = await registerHolder(subject.app);
    const summary = async () => {
      const response = await subject.app.inject({
        method: 'GET',
        url: '/v1/me/security',
        headers: holder.headers,
      });
      expect(response.statusCode, response.body).toBe(200);
      return response.json<{ passwordFree: { maxLimit: { amount: string } } }>().passwordFree.maxLimit.amount;
    };
    const defaultMax = await summary();
    const effectiveAt = new Date(subject.clock.now().getTime() + 120_000);
    const proposed = await post(maker, '/v1/operator/configuration/changes', {
      setting: 'password_free',
      value: { maxPerPayment: '5000', dailyMax: '50000' },
      effectiveAt: effectiveAt.toISOString(),
      reason: '降低免密额度',
    });
    expect(proposed.statusCode, proposed.body).toBe(201);
    const id = proposed.json<Change>().id;
    expect((await decide(checker, '/v1/operator/configuration/changes', id)).statusCode).toBe(200);
    expect(await summary()).toBe(defaultMax);
    const view = await subject.app.inject({
      method: 'GET',
      url: '/v1/operator/configuration',
      headers: maker.headers,
    });
    const entry = view
      .json<{ settings: { setting: string; scheduled: { id: string }[]; source: string }[] }>()
      .settings.find((s) => s.setting === 'password_free');
    expect(entry).toMatchObject({ source: 'default', scheduled: [{ id }] });
    subject.clock.advance(120);
    expect(await summary()).toBe('5000');
    // a fee change proposed for the past is refused
    const past = await post(maker, '/v1/operator/configuration/changes', {
      setting: 'withdrawal_fee',
      value: { freeMonthly: '0', basisPoints: 20, minimum: '10' },
      effectiveAt: new Date(subject.clock.now().getTime() - 86_400_000).toISOString(),
      reason: 'back-dated',
    });
    expect(past.json()).toMatchObject({ error: { code: 'APPROVAL_EFFECTIVE_AT_INVALID' } });
  });

  it('of 30 approvals at once, by five checkers, exactly one decides the change', async () => {
    const maker = await operator('admin');
    const checkers: Session[] = [];
    for (let i = 0; i < 5; i++) checkers.push(await operator('admin'));
    const proposed = await post(maker, '/v1/operator/configuration/changes', {
      setting: 'merchant_rate.mcc.5812',
      value: { basisPoints: 60 },
      reason: '餐饮费率',
    });
    const id = proposed.json<Change>().id;
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        decide(checkers[i % 5]!, '/v1/operator/configuration/changes', id, i % 2 ? 'approve' : 'reject'),
      ),
    );
    const statuses = answers.map((answer) => answer.statusCode).sort();
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(29);
    const decisions = (await auditOf(id)).filter((entry) => /_(approved|rejected)$/.test(entry.action));
    expect(decisions).toHaveLength(1);
  });

  it('the maker may cancel a proposal, nobody else; a cancelled change cannot be approved', async () => {
    const maker = await operator('admin');
    const other = await operator('admin');
    const proposed = await post(maker, '/v1/operator/configuration/changes', {
      setting: 'bank_transfer_fee',
      value: { basisPoints: 5, minimum: '100', maximum: '50' },
      reason: 'x',
    });
    expect(proposed.json()).toMatchObject({ error: { code: 'APPROVAL_INVALID_VALUE' } });
    const good = await post(maker, '/v1/operator/configuration/changes', {
      setting: 'bank_transfer_fee',
      value: { basisPoints: 5, minimum: '10', maximum: '5000' },
      reason: 'x',
    });
    const id = good.json<Change>().id;
    const notMine = await post(other, `/v1/operator/configuration/changes/${id}/cancel`, {});
    expect(notMine.json()).toMatchObject({ error: { code: 'APPROVAL_NOT_MAKER' } });
    const cancelled = await post(maker, `/v1/operator/configuration/changes/${id}/cancel`, {});
    expect(cancelled.json()).toMatchObject({ status: 'cancelled' });
    const late = await decide(other, '/v1/operator/configuration/changes', id);
    expect(late.json()).toMatchObject({
      error: { code: 'APPROVAL_ALREADY_DECIDED', details: { status: 'cancelled' } },
    });
  });
});

describe('a decision and its audit entry commit together', () => {
  it('an approval whose entry cannot be written is not made: the change stays proposed; then once', async () => {
    const maker = await operator('admin');
    const checker = await operator('admin');
    const proposed = await post(maker, '/v1/operator/configuration/changes', {
      setting: 'bank_transfer_fee',
      value: { basisPoints: 7, minimum: '10', maximum: '5000' },
      effectiveAt: new Date(subject.clock.now().getTime() + 3_600_000).toISOString(),
      reason: 'atomic',
    });
    expect(proposed.statusCode, proposed.body).toBe(201);
    const id = proposed.json<Change>().id;
    const statusOf = async () =>
      (
        await subject.database.pool.query<{ status: string }>(
          'SELECT status FROM approvals_changes WHERE id = $1',
          [id],
        )
      ).rows[0]!.status;
    await withAuditRefused(
      subject.database.pool,
      { action: 'approvals.configuration_approved', target: id },
      async () => {
        expect((await decide(checker, '/v1/operator/configuration/changes', id)).statusCode).toBe(500);
      },
    );
    expect(await statusOf()).toBe('proposed');
    expect((await auditOf(id)).map((row) => row.action)).toEqual(['approvals.configuration_proposed']);

    const approved = await decide(checker, '/v1/operator/configuration/changes', id);
    expect(approved.json()).toMatchObject({ status: 'approved' });
    expect((await auditOf(id)).map((row) => row.action).sort()).toEqual([
      'approvals.configuration_approved',
      'approvals.configuration_proposed',
    ]);
  });
});

describe('configuration changes reach the modules that read them', () => {
  it('bank transfer fees: the quote follows an approved change at once', async () => {
    const maker = await operator('admin');
    const checker = await operator('admin');
    const holder = await verifiedHolder(subject, '王芳');
    const feeOf = async () => {
      const quoted = await subject.app.inject({
        method: 'POST',
        url: '/v1/me/bank-transfers/quote',
        headers: holder.headers,
        payload: {
          bankCode: 'ICBC',
          accountName: '李明',
          accountNumber: '6222021234567894',
          amount: { amount: '50000', currency: 'CNY' },
        },
      });
      expect(quoted.statusCode, quoted.body).toBe(200);
      return quoted.json<{ fee: { amount: string } }>().fee.amount;
    };
    expect(await feeOf()).toBe('50'); // the configured 0.1 %
    const proposed = await post(maker, '/v1/operator/configuration/changes', {
      setting: 'bank_transfer_fee',
      value: { basisPoints: 20, minimum: '10', maximum: '2500' },
      reason: '转账手续费调整为 0.2%',
    });
    expect(await feeOf()).toBe('50'); // proposed is not approved
    expect(
      (await decide(checker, '/v1/operator/configuration/changes', proposed.json<Change>().id)).statusCode,
    ).toBe(200);
    expect(await feeOf()).toBe('100');
  });

  it("merchant rates: the category's, then one merchant's own; the fee of a payment follows", async () => {
    const maker = await operator('admin');
    const checker = await operator('admin');
    const shop = await shopOf(subject, { mcc: '5411' });
    const mine = async () =>
      (
        await subject.app.inject({ method: 'GET', url: '/v1/me/merchant', headers: shop.owner.headers })
      ).json<{ feeRateBp: number; balance: { amount: string } }>();
    expect((await mine()).feeRateBp).toBe(38);
    const approve = async (setting: string, basisPoints: number) => {
      const proposed = await post(maker, '/v1/operator/configuration/changes', {
        setting,
        value: { basisPoints },
        reason: '费率调整',
      });
      expect(proposed.statusCode, proposed.body).toBe(201);
      const decided = await decide(checker, '/v1/operator/configuration/changes', proposed.json<Change>().id);
      expect(decided.statusCode, decided.body).toBe(200);
    };
    await approve('merchant_rate.mcc.5411', 60);
    expect((await mine()).feeRateBp).toBe(60);
    await approve(`merchant_rate.merchant.${shop.id}`, 100);
    expect((await mine()).feeRateBp).toBe(100);
    // ¥100.00 at 1 %: ¥1.00 kept as the fee.
    await paidOrderOf(subject, shop.owner, '10000');
    expect((await mine()).balance.amount).toBe('9900');
    await expectBooksBalanced(subject);
  });
});

describe('manual adjustments (maker-checker, through the payments pipeline)', () => {
  const BASE = '/v1/operator/adjustments';

  async function propose(
    maker: Session,
    holder: TestHolder,
    input: { direction: 'credit' | 'debit'; amount: string; reasonCode?: string },
  ) {
    const response = await post(maker, BASE, {
      userId: holder.userId,
      direction: input.direction,
      amount: { amount: input.amount, currency: 'CNY' },
      reasonCode: input.reasonCode ?? 'goodwill',
      note: '工单 #1024：补偿延误',
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<Change>();
  }

  it('a goodwill credit: the maker cannot approve it, another finance operator does; the holder sees it', async () => {
    const maker = await operator('finance');
    const checker = await operator('finance');
    const holder = await registerHolder(subject.app);
    const found = await subject.app.inject({
      method: 'GET',
      url: `${BASE}/holder?phone=${holder.phone}`,
      headers: maker.headers,
    });
    expect(found.json()).toMatchObject({ userId: holder.userId, balance: { amount: '0', currency: 'CNY' } });
    const change = await propose(maker, holder, { direction: 'credit', amount: '1234' });
    expect(await balanceOf(subject, holder)).toBe('0');

    const own = await decide(maker, BASE, change.id);
    expect(own.json()).toMatchObject({ error: { code: 'APPROVAL_OWN_CHANGE' } });
    const approved = await decide(checker, BASE, change.id);
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'applied', failureCode: null });
    expect(await balanceOf(subject, holder)).toBe('1234');

    const history = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/transactions',
      headers: holder.headers,
    });
    expect(history.body).toContain('调账入账');
    expect(
      history.json<{ transactions: { ledgerCode: number; direction: string }[] }>().transactions[0],
    ).toMatchObject({
      ledgerCode: TransferCodes.adjustmentCredit,
      direction: 'in',
    });
    const notices = await inbox(subject, holder);
    expect(JSON.stringify(notices)).toContain('¥12.34');
    expect((await auditOf(change.id)).map((entry) => entry.action)).toEqual(
      expect.arrayContaining([
        'approvals.adjustment_proposed',
        'approvals.adjustment_decision_refused',
        'approvals.adjustment_approved',
        'approvals.adjustment_applied',
      ]),
    );
    await expectBooksBalanced(subject);
  });

  it('customer service and compliance cannot adjust a balance', async () => {
    const holder = await registerHolder(subject.app);
    for (const role of ['support', 'kyc_reviewer', 'risk'] as const) {
      const session = await operator(role);
      const refused = await post(session, BASE, {
        userId: holder.userId,
        direction: 'credit',
        amount: { amount: '100', currency: 'CNY' },
        reasonCode: 'goodwill',
        note: 'x',
      });
      expect(refused.statusCode, role).toBe(403);
    }
  });

  it('30 approvals at once move the money exactly once', async () => {
    const maker = await operator('finance');
    const checkers: Session[] = [];
    for (let i = 0; i < 5; i++) checkers.push(await operator(i % 2 ? 'finance' : 'admin'));
    const holder = await registerHolder(subject.app);
    const change = await propose(maker, holder, { direction: 'credit', amount: '500' });
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => decide(checkers[i % 5]!, BASE, change.id)),
    );
    // One checker's approval counts; that checker's duplicates answer the same applied change
    // (a retry of one's own approval finishes it), every other checker is told it was decided.
    const succeeded = answers.filter((answer) => answer.statusCode === 200);
    expect(succeeded.length).toBeGreaterThanOrEqual(1);
    expect(new Set(succeeded.map((answer) => answer.json<Change>().checker?.id)).size).toBe(1);
    expect(succeeded.every((answer) => answer.json<Change>().status === 'applied')).toBe(true);
    expect(answers.filter((answer) => answer.statusCode === 409)).toHaveLength(30 - succeeded.length);
    const approvals = (await auditOf(change.id)).filter(
      (entry) => entry.action === 'approvals.adjustment_approved',
    );
    expect(approvals).toHaveLength(1);
    expect(await balanceOf(subject, holder)).toBe('500');
    await expectBooksBalanced(subject);
  });

  it('a debit the wallet cannot cover is refused by the ledger and shows failed with the reason', async () => {
    const maker = await operator('finance');
    const checker = await operator('admin');
    const holder = await registerHolder(subject.app);
    await fund(subject, holder, 1000n);
    const change = await propose(maker, holder, {
      direction: 'debit',
      amount: '1001',
      reasonCode: 'correction',
    });
    const decided = await decide(checker, BASE, change.id);
    expect(decided.json()).toMatchObject({ status: 'failed', failureCode: 'INSUFFICIENT_FUNDS' });
    expect(await balanceOf(subject, holder)).toBe('1000');
    const covered = await propose(maker, holder, {
      direction: 'debit',
      amount: '1000',
      reasonCode: 'correction',
    });
    expect((await decide(checker, BASE, covered.id)).json()).toMatchObject({ status: 'applied' });
    expect(await balanceOf(subject, holder)).toBe('0');
    await expectBooksBalanced(subject);
  });

  /** The state a crash leaves: the decision committed, the ledger transfer made (with the id the
   * service derives), the outcome never written. */
  async function crashedAfterLedger(checker: Session, change: Change, amountMinor: bigint) {
    await subject.ledger.createAccounts([
      { id: adjustmentsAccountId('CNY'), currency: 'CNY', code: 930, ownerRef: 'system:adjustments' },
    ]);
    const { rows } = await subject.database.pool.query<{ payload: { walletAccountId: string } }>(
      `UPDATE approvals_changes SET status = 'approved', checker_id = $2, checker_name = 'x', decided_at = $3
        WHERE id = $1 RETURNING payload`,
      [change.id, checker.id, new Date(subject.clock.now().getTime() - 60_000)],
    );
    const [moved] = await subject.ledger.createTransfers([
      {
        id: derivedId(`approvals:adjustment:${change.id}`),
        debitAccountId: adjustmentsAccountId('CNY'),
        creditAccountId: rows[0]!.payload.walletAccountId,
        amount: amountMinor,
        currency: 'CNY',
        code: TransferCodes.adjustmentCredit,
        userData: `approvals:${change.id}`,
      },
    ]);
    expect(moved!.result).toBe('ok');
    return moved!.id;
  }

  it('after a crash between the ledger and the status, the job finishes it without moving money again', async () => {
    const maker = await operator('finance');
    const checker = await operator('finance');
    const other = await operator('finance');
    const holder = await registerHolder(subject.app);
    const change = await propose(maker, holder, { direction: 'credit', amount: '777' });
    const movementId = await crashedAfterLedger(checker, change, 777n);
    expect(await balanceOf(subject, holder)).toBe('777');
    // another checker finds it decided; the job finishes it, twice is the same as once
    expect((await decide(other, BASE, change.id)).statusCode).toBe(409);
    await subject.app.jobs.run('approvals.finish');
    await subject.app.jobs.run('approvals.finish');
    const read = await subject.app.inject({
      method: 'GET',
      url: `${BASE}/${change.id}`,
      headers: maker.headers,
    });
    expect(read.json()).toMatchObject({ status: 'applied', movementId });
    expect(await balanceOf(subject, holder)).toBe('777');
    const notices = await inbox(subject, holder);
    expect(notices.filter((notice) => notice.kind === 'approvals.adjustment')).toHaveLength(1);
    await expectBooksBalanced(subject);
  });

  it("the checker's own approval, retried after a crash, finishes it once", async () => {
    const maker = await operator('finance');
    const checker = await operator('finance');
    const holder = await registerHolder(subject.app);
    const change = await propose(maker, holder, { direction: 'credit', amount: '321' });
    const movementId = await crashedAfterLedger(checker, change, 321n);
    const retried = await decide(checker, BASE, change.id);
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.json()).toMatchObject({ status: 'applied', movementId });
    expect(await balanceOf(subject, holder)).toBe('321');
    await expectBooksBalanced(subject);
  });

  it('lists pending adjustments for the checkers', async () => {
    const maker = await operator('finance');
    const holder = await registerHolder(subject.app);
    const change = await propose(maker, holder, { direction: 'credit', amount: '1' });
    const listed = await subject.app.inject({
      method: 'GET',
      url: `${BASE}?status=proposed`,
      headers: maker.headers,
    });
    expect(listed.statusCode, listed.body).toBe(200);
    const ids = listed.json<{ changes: Change[] }>().changes.map((c) => c.id);
    expect(ids).toContain(change.id);
    expect(listed.json<{ changes: Change[] }>().changes.every((c) => c.status === 'proposed')).toBe(true);
  });
});
