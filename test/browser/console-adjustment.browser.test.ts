/**
 * Maker-checker in the operator console (issue 15), in Chromium at 1280 × 800.
 *
 * - 调账: finance operator A finds a holder by phone and proposes a goodwill credit of ¥12.34; A's
 *   own approve button is disabled (and the API refuses A too); finance operator B approves it;
 *   the holder's balance rises by ¥12.34, their history says 调账入账, and the audit log has A's
 *   proposal and B's approval.
 * - 配置: admin C proposes new T1 limits; admin D approves them; the value in force changes.
 *
 * Screenshots in test-results/screenshots/console-adjustment/ and console-configuration/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPhone, randomPhone, registerOnScreens, screenshots, startBrowserStack } from './browser.ts';
import type { BrowserStack, PhonePage } from './browser.ts';
import { consoleMenu, makeOperator, operatorApi, signInToConsole } from './console.ts';
import type { ConsoleOperator } from './console.ts';
import { openDesktop } from './portal.ts';

describe('the operator console: maker-checker adjustments and configuration', () => {
  let stack: BrowserStack;
  let makerA: ConsoleOperator;
  let checkerB: ConsoleOperator;
  let adminC: ConsoleOperator;
  let adminD: ConsoleOperator;
  let holder: PhonePage & { phone: string };

  beforeAll(async () => {
    stack = await startBrowserStack();
    makerA = await makeOperator(stack, { username: 'zhou.caiwu', role: 'finance', name: '周财务' });
    checkerB = await makeOperator(stack, { username: 'wu.fuhe', role: 'finance', name: '吴复核' });
    adminC = await makeOperator(stack, { username: 'zheng.admin', role: 'admin', name: '郑管理' });
    adminD = await makeOperator(stack, { username: 'qian.admin', role: 'admin', name: '钱管理' });
    const phone = randomPhone();
    const opened = await openPhone(stack);
    await registerOnScreens(opened.page, stack.url, { phone, password: 'Lotus-garden-88' });
    holder = { ...opened, phone };
  }, 240_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('A proposes a goodwill credit, cannot approve it; B approves; the holder sees ¥12.34; both are audited', async () => {
    const shots = screenshots('console-adjustment');
    const balanceOf = async () => {
      const response = await holder.page.request.get('/v1/me/balance');
      return ((await response.json()) as { balance: { amount: string } }).balance.amount;
    };
    const before = BigInt(await balanceOf());

    // ---- A: find the holder, propose ----
    const a = await openDesktop(stack);
    await signInToConsole(a.page, makerA);
    await consoleMenu(a.page, '调账');
    await a.page.getByLabel('手机号').fill(holder.phone);
    await a.page.getByRole('button', { name: '查找', exact: true }).click();
    const found = a.page.getByTestId('adjustment-holder');
    await expect.poll(() => found.textContent()).toContain(holder.phone.slice(-4));
    await a.page.getByLabel('金额（元）').fill('12.34');
    await a.page.getByLabel('说明').fill('工单 #2048：到账延误补偿');
    await shots.take(a.page, 'a-propose-zh');
    await a.page.getByRole('button', { name: '提交审批' }).click();
    await a.page.getByText('已提交，等待另一位同事审批').waitFor();

    // ---- A's own proposal: shown with A's name, approve disabled ----
    const list = a.page.getByTestId('adjustment-changes');
    const row = list.getByRole('row', { name: /¥12\.34/ });
    await row.waitFor();
    await expect.poll(() => row.textContent()).toContain('周财务');
    await expect.poll(() => row.textContent()).toContain('待审批');
    expect(await row.getByTestId('approve-change').isDisabled()).toBe(true);
    await shots.take(a.page, 'a-own-change-disabled');
    // The server refuses A as well, whatever a client sends.
    const changes = (await (await a.page.request.get('/v1/operator/adjustments?status=proposed')).json()) as {
      changes: { id: string }[];
    };
    const changeId = changes.changes[0]!.id;
    const own = await a.page.request.post(`/v1/operator/adjustments/${changeId}/decision`, {
      headers: { 'idempotency-key': crypto.randomUUID() },
      data: { decision: 'approve' },
    });
    expect(own.status()).toBe(403);
    expect(((await own.json()) as { error: { code: string } }).error.code).toBe('APPROVAL_OWN_CHANGE');
    expect(await balanceOf()).toBe(before.toString());

    // ---- B approves ----
    const b = await openDesktop(stack);
    await signInToConsole(b.page, checkerB);
    await consoleMenu(b.page, '调账');
    const bRow = b.page.getByTestId('adjustment-changes').getByRole('row', { name: /¥12\.34/ });
    await bRow.waitFor();
    await expect.poll(() => bRow.textContent()).toContain('周财务');
    await shots.take(b.page, 'b-pending-zh');
    await bRow.getByTestId('approve-change').click();
    await b.page.locator('.ant-popconfirm').getByRole('button', { name: '批准', exact: true }).click();
    await b.page.getByText('已批准并执行').waitFor();
    await b.page.locator('.ant-segmented-item', { hasText: '全部' }).click();
    const done = b.page.getByTestId('adjustment-changes').getByRole('row', { name: /¥12\.34/ });
    await expect.poll(() => done.textContent()).toContain('已执行');
    await expect.poll(() => done.textContent()).toContain('吴复核');
    await shots.take(b.page, 'b-applied-zh');

    // ---- The holder: +¥12.34, labelled in history ----
    expect(await balanceOf()).toBe((before + 1234n).toString());
    await holder.page.goto('/history');
    await expect.poll(() => holder.page.getByTestId('history-list').textContent()).toContain('调账入账');
    await expect.poll(() => holder.page.getByTestId('history-list').textContent()).toContain('+¥12.34');
    await shots.take(holder.page, 'holder-history-zh');

    // ---- The audit log: A proposed, A was refused, B approved, the money moved ----
    const auditor = await operatorApi(stack, adminC);
    const audit = (await (
      await fetch(`${stack.url}/v1/operator/audit-log?target=${changeId}`, { headers: auditor })
    ).json()) as { entries: { action: string; operatorUsername: string | null }[] };
    const actions = audit.entries.map((entry) => `${entry.action}:${entry.operatorUsername ?? 'system'}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        'approvals.adjustment_proposed:zhou.caiwu',
        'approvals.adjustment_decision_refused:zhou.caiwu',
        'approvals.adjustment_approved:wu.fuhe',
        'approvals.adjustment_applied:system',
      ]),
    );
    expect(a.problems).toEqual([]);
    expect(b.problems).toEqual([]);
    await a.context.close();
    await b.context.close();
  }, 240_000);

  it('C proposes new T1 limits, D approves them, the value in force changes', async () => {
    const shots = screenshots('console-configuration');
    const c = await openDesktop(stack);
    await signInToConsole(c.page, adminC);
    await consoleMenu(c.page, '配置');
    const values = c.page.getByTestId('configuration-values');
    const t1 = values.getByRole('row', { name: /T1 级限额/ });
    await expect.poll(() => t1.textContent()).toContain('默认配置');
    await shots.take(c.page, 'c-values-zh');
    await t1.getByRole('button', { name: '提议修改' }).click();
    const dialog = c.page.getByRole('dialog', { name: /提议修改：T1 级限额/ });
    await dialog.getByLabel('单笔').fill('3000');
    await dialog.getByLabel('修改理由').fill('T1 单笔限额下调至 3000 元');
    await shots.take(c.page, 'c-propose-dialog');
    await dialog.getByRole('button', { name: '提交审批' }).click();
    await c.page.getByText('已提交，等待另一位同事审批').waitFor();
    const pending = c.page.getByTestId('configuration-changes').getByRole('row', { name: /T1 级限额/ });
    await expect.poll(() => pending.textContent()).toContain('郑管理');
    expect(await pending.getByTestId('approve-change').isDisabled()).toBe(true);
    await shots.take(c.page, 'c-pending-own');

    const d = await openDesktop(stack);
    await signInToConsole(d.page, adminD);
    await consoleMenu(d.page, '配置');
    const dRow = d.page.getByTestId('configuration-changes').getByRole('row', { name: /T1 级限额/ });
    await expect.poll(() => dRow.textContent()).toContain('单笔 ¥5,000.00 → ¥3,000.00');
    await dRow.getByTestId('approve-change').click();
    await d.page.locator('.ant-popconfirm').getByRole('button', { name: '批准', exact: true }).click();
    await d.page.getByText('已批准', { exact: true }).first().waitFor();
    const inForce = d.page.getByTestId('configuration-values').getByRole('row', { name: /T1 级限额/ });
    await expect.poll(() => inForce.textContent()).toContain('已批准的变更');
    await expect.poll(() => inForce.textContent()).toContain('单笔¥3,000.00');
    await shots.take(d.page, 'd-in-force-zh');
    // The same page in English.
    await d.page.getByText('English', { exact: true }).first().click();
    const english = d.page.getByTestId('configuration-values').getByRole('row', { name: /T1 limits/ });
    await expect.poll(() => english.textContent()).toContain('Approved change');
    await shots.take(d.page, 'd-in-force-en');

    const tiers = (await (await fetch(`${stack.url}/v1/kyc/tiers`)).json()) as {
      tiers: { tier: string; singlePayment: string }[];
    };
    expect(tiers.tiers.find((tier) => tier.tier === 'T1')?.singlePayment).toBe('300000');
    expect(c.problems).toEqual([]);
    expect(d.problems).toEqual([]);
    await c.context.close();
    await d.context.close();
  }, 240_000);
});
