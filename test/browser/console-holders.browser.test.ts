/**
 * The operator console's 用户, 账本 and 仪表盘 pages (issue 15), in Chromium at 1280 × 800.
 *
 * - A risk operator finds a holder by phone, sees the balance and the top-up among the movements,
 *   reveals the full ID number with a reason (the audit log has the reason, never the number),
 *   freezes the wallet with a reason and unfreezes it.
 * - A finance operator verifies the books in 账本 (the check of `npx qianbao verify`) and finds the
 *   holder's wallet account; the dashboard shows today's top-up.
 *
 * Screenshots in test-results/screenshots/console-holders/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fundByCard, idNumber, screenshots, startBrowserStack, verifiedHolder } from './browser.ts';
import type { BrowserStack, PhonePage } from './browser.ts';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { consoleMenu, makeOperator, operatorApi, signInToConsole } from './console.ts';
import type { ConsoleOperator } from './console.ts';
import { openDesktop } from './portal.ts';

const PASSWORD = 'Lotus-garden-88';
const PIN = '258036';
const CARD = '6222021234567894';
const ID_NUMBER = idNumber('11010519900307004');

describe('the operator console: holders, ledger, dashboard', () => {
  let stack: BrowserStack;
  let riskOperator: ConsoleOperator;
  let finance: ConsoleOperator;
  let admin: ConsoleOperator;
  let holder: PhonePage & { phone: string };

  beforeAll(async () => {
    stack = await startBrowserStack({
      env: {
        BANK_SANDBOX_LATENCY_MS: '0',
        // Its own checkpoint file: the e2e servers' shared one holds other databases' journals,
        // which "verify the books" rightly reports as a journal cut back and rewritten.
        LEDGER_CHECKPOINT_FILE: path.join(
          tmpdir(),
          `qianbao-console-holders-${process.pid}-${Date.now()}.jsonl`,
        ),
      },
    });
    riskOperator = await makeOperator(stack, { username: 'zhao.fengkong', role: 'risk', name: '赵风控' });
    finance = await makeOperator(stack, { username: 'qian.caiwu', role: 'finance', name: '钱财务' });
    admin = await makeOperator(stack, { username: 'sun.guanli', role: 'admin', name: '孙管理' });
    holder = await verifiedHolder(stack, {
      legalName: '周晓梅',
      idNumber: ID_NUMBER,
      password: PASSWORD,
      pin: PIN,
    });
    await fundByCard(holder.page, stack.url, { phone: holder.phone, card: CARD, fen: '200000', pin: PIN });
  }, 240_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('finds a holder by phone, sees balances and movements, reveals the ID with a reason, freezes and unfreezes', async () => {
    const shots = screenshots('console-holders');
    const desk = await openDesktop(stack);
    const { page } = desk;
    await signInToConsole(page, riskOperator);

    // ---- The dashboard comes first: today's top-up is in the volume ----
    await consoleMenu(page, '仪表盘');
    await page.getByTestId('console-dashboard').waitFor();
    await expect.poll(() => page.getByTestId('volume-CNY').textContent()).toContain('¥2,000.00');
    await page.getByTestId('dashboard-per-minute').locator('.recharts-bar-rectangle').first().waitFor();
    await shots.take(page, 'dashboard-zh');

    // ---- Search by phone ----
    await consoleMenu(page, '用户');
    await page.getByPlaceholder('手机号、身份证号、姓名或商户').fill(holder.phone);
    await page.getByRole('button', { name: '查找' }).click();
    const masked = `${holder.phone.slice(0, 3)}****${holder.phone.slice(7)}`;
    const row = page.getByRole('row', { name: new RegExp(masked.replace(/\*/g, '\\*')) });
    await row.waitFor();
    await expect.poll(() => row.textContent()).toContain('**梅');
    // Never the full ID number: the masked one.
    await expect
      .poll(() => row.textContent())
      .toContain(`${ID_NUMBER.slice(0, 4)}**********${ID_NUMBER.slice(-4)}`);
    expect(await page.locator('body').innerText()).not.toContain(ID_NUMBER);
    await shots.take(page, 'search-zh');

    // ---- The holder page: balance and the top-up ----
    await row.click();
    await page.getByTestId('holder-page').waitFor();
    await expect
      .poll(() => page.getByTestId('masked-id').textContent())
      .toBe(`${ID_NUMBER.slice(0, 4)}**********${ID_NUMBER.slice(-4)}`);
    await expect.poll(() => page.getByTestId('holder-accounts').textContent()).toContain('¥2,000.00');
    await shots.take(page, 'holder-zh');
    await page.getByRole('tab', { name: '交易' }).click();
    await expect.poll(() => page.getByTestId('holder-movements').textContent()).toContain('+¥2,000.00');
    await expect.poll(() => page.getByTestId('holder-movements').textContent()).toContain('充值');
    await shots.take(page, 'movements-zh');

    // ---- Reveal the full ID number: the reason is asked first ----
    await page.getByRole('button', { name: '查看完整身份证号' }).click();
    const revealDialog = page.getByRole('dialog', { name: '查看完整身份证号' });
    await revealDialog.getByRole('button', { name: '查看' }).click();
    await revealDialog.getByText('请填写原因').waitFor();
    await revealDialog.getByLabel('原因').fill('持卡人来电，核实身份');
    await shots.take(page, 'reveal-reason-zh');
    await revealDialog.getByRole('button', { name: '查看' }).click();
    await expect.poll(() => revealDialog.getByTestId('revealed').textContent()).toContain(ID_NUMBER);
    await shots.take(page, 'revealed-zh');
    await revealDialog.locator('.ant-modal-footer').getByRole('button', { name: '关闭' }).click();
    await revealDialog.waitFor({ state: 'hidden' });
    expect(await page.locator('body').innerText()).not.toContain(ID_NUMBER);

    // The audit log has who, why — and not the number.
    const api = await operatorApi(stack, admin);
    const audit = await getJson<{
      entries: { action: string; details: Record<string, unknown>; operatorUsername: string | null }[];
    }>(stack, '/v1/operator/audit-log?action=console.pii_revealed', api);
    expect(audit.entries).toHaveLength(1);
    expect(audit.entries[0]!.operatorUsername).toBe('zhao.fengkong');
    expect(audit.entries[0]!.details).toMatchObject({ field: 'idNumber', reason: '持卡人来电，核实身份' });
    expect(JSON.stringify(audit)).not.toContain(ID_NUMBER);

    // ---- Freeze with a reason, then unfreeze with a reason ----
    await page.getByRole('button', { name: /冻结$/ }).click();
    const freezeDialog = page.getByRole('dialog', { name: '冻结钱包' });
    await freezeDialog.getByLabel('原因').fill('疑似被骗，用户来电要求冻结');
    await shots.take(page, 'freeze-dialog-zh');
    await freezeDialog.getByRole('button', { name: '冻结', exact: true }).click();
    await expect.poll(() => page.getByTestId('freeze-state').textContent()).toBe('全部冻结');
    await page.getByText('疑似被骗，用户来电要求冻结').first().waitFor();
    await shots.take(page, 'frozen-zh');
    // The holder's wallet really is frozen.
    const frozen = await holder.page.request.get('/v1/me/freeze');
    expect(((await frozen.json()) as { mode: string }).mode).toBe('full');

    await page.getByRole('button', { name: /解冻$/ }).click();
    const liftDialog = page.getByRole('dialog', { name: '解除冻结' });
    await liftDialog.getByLabel('原因').fill('已核实，用户本人操作');
    await liftDialog.getByRole('button', { name: '解冻', exact: true }).click();
    await expect.poll(() => page.getByTestId('freeze-state').textContent()).toBe('正常');
    await page.getByRole('tab', { name: '冻结记录' }).click();
    await page.getByText('已核实，用户本人操作').waitFor();
    await shots.take(page, 'unfrozen-zh');
    const lifted = await holder.page.request.get('/v1/me/freeze');
    expect(((await lifted.json()) as { mode: string }).mode).toBe('none');

    // ---- A note ----
    await page.getByRole('tab', { name: /备注/ }).click();
    await page.getByLabel('添加备注').fill('用户来电咨询冻结原因，已解释');
    await page.getByRole('button', { name: '保存备注' }).click();
    await page.getByText('用户来电咨询冻结原因，已解释').waitFor();
    await expect.poll(() => page.getByText(/赵风控/).count()).toBeGreaterThan(1); // the note says who wrote it
    await shots.take(page, 'notes-zh');

    // ---- In English ----
    await page.getByText('English', { exact: true }).click();
    await page.getByRole('tab', { name: 'Balances' }).click();
    await page.getByRole('button', { name: /Show full ID number/ }).waitFor();
    await shots.take(page, 'holder-en');

    expect(desk.problems).toEqual([]);
    await desk.context.close();
  }, 180_000);

  it('a finance operator verifies the books and finds the wallet account in 账本', async () => {
    const shots = screenshots('console-ledger');
    const desk = await openDesktop(stack);
    const { page } = desk;
    await signInToConsole(page, finance);
    await consoleMenu(page, '账本');
    await page.getByPlaceholder(/账户编号、所有者/).fill(holder.phone);
    await page.getByRole('button', { name: '查找账户' }).click();
    const wallet = page.getByRole('row', { name: /钱包/ });
    await expect.poll(() => wallet.textContent()).toContain('¥2,000.00');
    await shots.take(page, 'accounts-zh');
    await wallet.click();
    await page.getByTestId('ledger-account').waitFor();
    await expect.poll(() => page.getByTestId('ledger-account').textContent()).toContain('¥2,000.00');
    await page.getByRole('row', { name: /充值/ }).first().waitFor();
    await shots.take(page, 'account-zh');

    await page.goto('/console/ledger?tab=journal');
    await page.getByTestId('ledger-journal').getByRole('row').nth(1).waitFor();
    await shots.take(page, 'journal-zh');

    await page.getByRole('tab', { name: '核对账目' }).click();
    await page.getByRole('button', { name: '核对账目' }).click();
    await page.getByText('账目一致').waitFor();
    await shots.take(page, 'verify-zh');

    await page.getByRole('tab', { name: '银行对账' }).click();
    await page.getByTestId('ledger-reconciliation').getByText('不一致').waitFor();
    await shots.take(page, 'reconciliation-zh');

    expect(desk.problems).toEqual([]);
    await desk.context.close();
  }, 120_000);
});

async function getJson<T>(
  stack: BrowserStack,
  route: string,
  headers: { authorization: string },
): Promise<T> {
  const response = await fetch(`${stack.url}${route}`, { headers });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as T;
}
