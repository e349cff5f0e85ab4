/**
 * The risk pages of the operator console (issue 15), in Chromium at 1280 × 800.
 *
 * - A risky transfer is held: the rules (drafted by one risk operator, activated by another) send
 *   transfers of ¥500 or more to review; a holder sends ¥600 on the wallet's screens and is told it
 *   is under review; the risk operator opens 风控案件, reads the case — the rule that fired with its
 *   score, the holder's recent decisions — approves it, and the holder sees the transfer paid.
 * - The rule editor, maker-checker: operator A writes a draft (a rule over an unknown feature is
 *   refused, said at the rules field, then fixed), backtests it — the held transfer is listed as
 *   decided differently (人工审核 → 加强验证, the rules that fired before and after) — and cannot
 *   activate it (the screen says so; the API refuses too); operator B, in English, activates it.
 *
 * Screenshots in test-results/screenshots/console-risk-{case,rules}/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fundByCard, idNumber, screenshots, startBrowserStack, verifiedHolder } from './browser.ts';
import type { BrowserStack, PhonePage } from './browser.ts';
import { consoleMenu, makeOperator, operatorApi, signInToConsole } from './console.ts';
import type { ConsoleOperator } from './console.ts';
import { activateRules } from './operators.ts';
import { openDesktop } from './portal.ts';

const PASSWORD = 'Lotus-garden-88';
const PIN = '258036';
const CARD = '6222021234567894';

/** Any payment of ¥500 or more scores 80: above the review threshold (75). */
const REVIEW_RULE = {
  id: 'review_500',
  subject: 'payment',
  description: { zh: '五百元以上人工审核', en: '¥500 or more: review' },
  when: { feature: 'amount_minor', op: '>=', value: 50_000 },
  score: 80,
};
/** The draft's replacement: ¥500 or more scores 70 — a step-up instead of a review. */
const STEP_UP_RULE = {
  id: 'step_up_500',
  subject: 'payment',
  description: { zh: '五百元以上加强验证', en: '¥500 or more: step-up' },
  when: { feature: 'amount_minor', op: '>=', value: 50_000 },
  score: 70,
};

describe('the operator console: risk cases and rules', () => {
  let stack: BrowserStack;
  /** Drafts rules and decides cases. */
  let maker: ConsoleOperator;
  /** Checks and activates the maker's draft. */
  let checker: ConsoleOperator;
  let payer: PhonePage & { phone: string };
  let payee: PhonePage & { phone: string };

  beforeAll(async () => {
    stack = await startBrowserStack({ env: { BANK_SANDBOX_LATENCY_MS: '0' } });
    maker = await makeOperator(stack, { username: 'zhang.fengkong', role: 'risk', name: '张风控' });
    checker = await makeOperator(stack, { username: 'li.fuhe', role: 'risk', name: '李复核' });
    payer = await verifiedHolder(stack, {
      legalName: '王芳',
      idNumber: idNumber('11010519900101002'),
      password: PASSWORD,
      pin: PIN,
    });
    payee = await verifiedHolder(stack, {
      legalName: '李明',
      idNumber: idNumber('31011519880808003'),
      password: PASSWORD,
      pin: PIN,
    });
    await fundByCard(payer.page, stack.url, { phone: payer.phone, card: CARD, fen: '200000', pin: PIN });
    // Drafted by the maker, activated by a second operator (operators.ts): maker-checker.
    await activateRules(stack, await operatorApi(stack, maker), [REVIEW_RULE]);
  }, 240_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('holds a risky transfer; a risk operator approves it in the console; the holder sees it paid', async () => {
    const shots = screenshots('console-risk-case');
    const { page } = payer;

    // ---- The holder sends ¥600: confirmed with the PIN, then held for review ----
    await page.goto('/transfer');
    await page.locator('input[type="tel"]').fill(payee.phone);
    await page.locator('input[inputmode="decimal"]').fill('600');
    await page.getByRole('button', { name: '下一步', exact: true }).click();
    await page.getByTestId('preview-amount').waitFor();
    await page.getByRole('button', { name: '确认转账' }).click();
    await page.locator('.adm-passcode-input-focused').waitFor();
    await page.keyboard.type(PIN);
    await expect.poll(() => page.getByTestId('result-title').textContent()).toBe('转账审核中');
    await shots.take(page, 'holder-held-zh');

    // ---- The risk operator: the queue ----
    const desk = await openDesktop(stack);
    await signInToConsole(desk.page, maker);
    await consoleMenu(desk.page, '风控案件');
    const queue = desk.page.getByTestId('risk-cases-table');
    const row = queue.getByRole('row', { name: /¥600\.00/ });
    await row.waitFor();
    await expect.poll(() => row.textContent()).toContain('review_500');
    await expect.poll(() => row.textContent()).toContain('待审核');
    await shots.take(desk.page, 'queue-zh');

    // ---- One case: the rule that fired with its score, the holder's recent behaviour ----
    await row.click();
    await desk.page.getByRole('heading', { name: /案件：¥600\.00/ }).waitFor();
    const fired = desk.page.getByTestId('risk-fired-rules');
    await expect.poll(() => fired.textContent()).toContain('五百元以上人工审核');
    await expect.poll(() => fired.textContent()).toContain('+80');
    const recent = desk.page.getByTestId('risk-recent-decisions');
    // This transfer (人工审核, marked) and the top-up before it (放行).
    await expect.poll(() => recent.getByRole('row', { name: /本笔/ }).textContent()).toContain('人工审核');
    await expect.poll(() => recent.textContent()).toContain('放行');
    await shots.take(desk.page, 'case-zh');

    // ---- Approve, with a reason ----
    await desk.page.getByRole('button', { name: '批准付款' }).click();
    const dialog = desk.page.getByRole('dialog', { name: '批准这笔付款？' });
    await dialog.getByLabel('理由').fill('已电话联系付款人，确认本人操作');
    await shots.take(desk.page, 'approve-dialog-zh');
    await dialog.getByRole('button', { name: '批准', exact: true }).click();
    await desk.page.getByText('已批准，付款已完成').waitFor();
    await expect
      .poll(() => desk.page.getByRole('heading', { name: /案件：¥600\.00/ }).textContent())
      .toContain('已批准');
    await shots.take(desk.page, 'approved-zh');

    // The case keeps who decided and why (the API's word, not only the screen's).
    const api = await operatorApi(stack, checker);
    const cases = await getJson<{ cases: { status: string; decidedBy: string; reason: string }[] }>(
      '/v1/operator/risk/cases?status=approved',
      api,
    );
    expect(cases.cases).toEqual([
      expect.objectContaining({ decidedBy: 'zhang.fengkong', reason: '已电话联系付款人，确认本人操作' }),
    ]);

    // ---- The holder: paid, no longer under review ----
    await page.goto('/history');
    const bill = page.getByTestId('history-list').getByRole('link', { name: /转账.*−¥600\.00/ });
    await expect.poll(() => bill.count()).toBe(1);
    await expect.poll(() => bill.first().textContent()).not.toContain('审核中');
    await shots.take(page, 'holder-history-paid-zh');
    await page.goto('/');
    await expect.poll(() => page.getByTestId('balance').textContent(), { timeout: 10_000 }).toBe('¥1,400.00');
    await shots.take(page, 'holder-paid-zh');

    expect(desk.problems).toEqual([]);
    expect(payer.problems).toEqual([]);
    await desk.context.close();
  }, 180_000);

  it('rule editor: A drafts and backtests, cannot activate; B activates (maker-checker)', async () => {
    const shots = screenshots('console-risk-rules');
    const desk = await openDesktop(stack);
    const { page } = desk;
    await signInToConsole(page, maker);
    await consoleMenu(page, '风控规则');
    const versions = page.getByTestId('risk-rule-sets');
    // The active version: drafted by one operator, activated by another (operators.ts's checker).
    await expect
      .poll(() => versions.getByRole('row', { name: /生效中/ }).textContent())
      .toContain('risk.checker');
    await shots.take(page, 'versions-zh');

    // ---- A new draft: a rule over an unknown feature is refused at the rules field ----
    await page.getByRole('button', { name: '新建草稿' }).click();
    await page.getByRole('heading', { name: '新建规则集草稿' }).waitFor();
    const rules = page.getByRole('textbox', { name: '规则（JSON 数组）' });
    // Prefilled with the active version's rules.
    await expect.poll(() => rules.inputValue()).toContain('review_500');
    await page.getByLabel('备注').fill('五百元以上改为加强验证，不再人工审核');
    const review = page.getByRole('spinbutton', { name: '人工审核阈值' });
    // A threshold out of range is said at its own field, before anything is sent.
    await review.fill('0');
    await page.getByRole('button', { name: '保存草稿' }).click();
    await page.getByText('请输入 1 到 100 的整数').waitFor();
    // What only the server knows (an unknown feature, thresholds not rising): each at its field.
    await review.fill('60');
    await rules.fill(
      JSON.stringify([{ ...STEP_UP_RULE, when: { feature: 'shoe_size', op: '>', value: 42 } }], null, 2),
    );
    await page.getByRole('button', { name: '保存草稿' }).click();
    await expect
      .poll(() => page.locator('.risk-editor .ant-form-item-explain').textContent())
      .toMatch(/第 1 条规则（step_up_500）when.*shoe_size/);
    await page.getByText('阈值须满足：加强验证 < 人工审核 < 拦截').waitFor();
    await shots.take(page, 'draft-refused-zh');
    await review.fill('75');
    await rules.fill(JSON.stringify([STEP_UP_RULE], null, 2));
    await page.getByRole('button', { name: '保存草稿' }).click();
    await page.getByRole('heading', { name: /规则集 v\d+/ }).waitFor();
    const heading = (await page.getByRole('heading', { name: /规则集 v\d+/ }).textContent()) ?? '';
    const version = Number(/v(\d+)/.exec(heading)?.[1]);
    expect(heading).toContain('草稿');
    await expect.poll(() => page.getByTestId('risk-rules-table').textContent()).toContain('step_up_500');

    // ---- The backtest lists the held transfer: review → step-up, with the rules before and after ----
    const backtest = page.getByTestId('risk-backtest');
    await backtest.getByRole('button', { name: '运行回测' }).click();
    const differences = page.getByTestId('risk-backtest-differences');
    const changed = differences.getByRole('row', { name: /¥600\.00/ });
    await changed.waitFor();
    const text = (await changed.textContent()) ?? '';
    expect(text).toMatch(/人工审核.*review_500.*加强验证.*step_up_500/);
    await expect.poll(() => backtest.textContent()).toContain('人工审核 → 加强验证: 1');

    // ---- A cannot activate their own draft: said on the screen, refused by the server ----
    const activation = page.getByTestId('risk-activation');
    await expect.poll(() => activation.textContent()).toContain('制单人：zhang.fengkong');
    await expect.poll(() => activation.textContent()).toContain('不能由你启用');
    expect(await activation.getByRole('button', { name: '复核并启用' }).isDisabled()).toBe(true);
    await shots.take(page, 'draft-backtest-zh');
    const own = await fetch(`${stack.url}/v1/operator/risk/rule-sets/${version}/activate`, {
      method: 'POST',
      headers: await operatorApi(stack, maker),
    });
    expect(own.status).toBe(403);
    expect(((await own.json()) as { error: { code: string } }).error.code).toBe('RISK_RULE_SET_OWN_DRAFT');

    // ---- B, in English, checks and activates it ----
    const second = await openDesktop(stack);
    await signInToConsole(second.page, checker);
    // In English (the language toggle's choice, remembered in the browser).
    await second.page.evaluate("localStorage.setItem('qb_language', 'en')");
    await second.page.goto(`/console/risk-rules/${version}`);
    await second.page.getByRole('heading', { name: `Rule set v${version}` }).waitFor();
    const checking = second.page.getByTestId('risk-activation');
    await expect.poll(() => checking.textContent()).toContain('Made by: zhang.fengkong');
    await second.page.getByTestId('risk-backtest').getByRole('button', { name: 'Run the backtest' }).click();
    await second.page
      .getByTestId('risk-backtest-differences')
      .getByRole('row', { name: /¥600\.00/ })
      .waitFor();
    await checking.getByRole('button', { name: 'Check and activate' }).click();
    await shots.take(second.page, 'checker-confirm-en');
    await popconfirm(second.page).getByRole('button', { name: 'Check and activate' }).click();
    await second.page.getByText(`v${version} is active`).waitFor();
    await expect
      .poll(() => second.page.getByRole('heading', { name: `Rule set v${version}` }).textContent())
      .toContain('Active');
    await expect
      .poll(() => second.page.getByTestId('risk-rule-set-summary').textContent())
      .toContain('li.fuhe');
    await shots.take(second.page, 'activated-en');

    const active = await getJson<{
      ruleSets: { version: number; status: string; createdBy: string; activatedBy: string }[];
    }>('/v1/operator/risk/rule-sets', await operatorApi(stack, checker));
    expect(active.ruleSets.filter((set) => set.status === 'active')).toEqual([
      expect.objectContaining({ version, createdBy: 'zhang.fengkong', activatedBy: 'li.fuhe' }),
    ]);

    // A's screen, reloaded: the version is active, checked by B.
    await page.reload();
    await expect
      .poll(() => page.getByRole('heading', { name: /规则集 v\d+/ }).textContent())
      .toContain('生效中');
    await shots.take(page, 'activated-zh');

    expect(desk.problems).toEqual([]);
    expect(second.problems).toEqual([]);
    await desk.context.close();
    await second.context.close();
  }, 180_000);

  async function getJson<T>(route: string, headers: { authorization: string }): Promise<T> {
    const response = await fetch(`${stack.url}${route}`, { headers });
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as T;
  }
});

function popconfirm(page: Page) {
  return page.locator('.ant-popconfirm');
}
