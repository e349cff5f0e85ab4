/**
 * Splitting a bill (AA 收款, issue 13) in Chromium. A splits a ¥300.00 dinner equally among A, B
 * and C from the home screen's AA 收款 entry: the form says each one's share while typing, how
 * far custom amounts are from the total, and a wrong number before anything is sent; then the
 * split's page with its link and QR code. B scans it (扫一扫, the link pasted as a camera reads
 * it), sees ¥100.00 to pay to *芳 and pays with the PIN. A's page follows by itself (B paid,
 * ¥100.00 collected, ¥100.00 to come) and reminds C; the button then waits, saying until when
 * (the API refuses a second round sooner: 429). C, asked for its share when the split was made,
 * finds the reminder in the inbox, which opens the share to pay (screen and
 * API). A gives B's share back with the PIN. C, signed out, opens the link, signs in and is
 * brought back to it; C's empty wallet is said before any PIN. In English: A splits a taxi by
 * link among three, B takes a share of it and pays; A stops collecting the dinner and C's page
 * says so. Screenshots in test-results/screenshots/splits/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { freePort } from '../e2e/server-process.ts';
import {
  fundByCard,
  idNumber,
  latestSmsCode,
  screenshots,
  startBrowserStack,
  verifiedHolder,
} from './browser.ts';
import type { BrowserStack, PhonePage } from './browser.ts';

const PASSWORD = 'Lotus-garden-88';
const PIN = '258036';
const CARD = '6222021234567894';

type Holder = PhonePage & { phone: string };

describe('splitting a bill', () => {
  let stack: BrowserStack;
  let a: Holder;
  let b: Holder;
  let c: Holder;

  beforeAll(async () => {
    const port = await freePort();
    stack = await startBrowserStack({
      env: {
        PORT: String(port),
        // The split's link points at the web app here (the browser's own origin).
        QIANBAO_PUBLIC_URL: `http://localhost:${port}`,
        BANK_SANDBOX_LATENCY_MS: '0',
      },
    });
    const holder = (legalName: string, body17: string) =>
      verifiedHolder(stack, { legalName, idNumber: idNumber(body17), password: PASSWORD, pin: PIN });
    a = await holder('王芳', '11010519900101002');
    b = await holder('李明', '31011519880808003');
    c = await holder('张伟', '44030519920202004');
    await fundByCard(b.page, stack.url, { phone: b.phone, card: CARD, fen: '50000', pin: PIN });
  }, 240_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('A splits a dinner with B and C, B pays, A reminds C and gives B’s share back', async () => {
    const shots = screenshots('splits');

    // ---- A: AA 收款 among the money actions; the top row is as it was ----
    await a.page.goto('/');
    const primary = a.page.locator('nav.home-primary');
    await primary.getByRole('link', { name: '扫一扫' }).waitFor();
    expect(await primary.getByRole('link').allTextContents()).toEqual([
      '扫一扫',
      '付款码',
      '收款码',
      '我的小店',
    ]);
    await shots.take(a.page, 'a-home');
    await a.page
      .getByRole('navigation', { name: '资金' })
      .getByRole('link', { name: 'AA 收款', exact: true })
      .click();
    await a.page.waitForURL('**/splits');
    await a.page.getByText('还没有发起过 AA 收款').waitFor();
    await shots.take(a.page, 'a-my-splits-empty');

    // ---- A fills in the dinner: the shares are said while typing ----
    await a.page.getByRole('button', { name: '发起 AA 收款' }).click();
    await a.page.waitForURL('**/splits/new');
    await a.page.getByLabel('收款事由').fill('周五聚餐');
    await a.page.getByRole('textbox', { name: '总金额' }).fill('300');
    await a.page.getByLabel('第 1 位付款人的手机号').fill(b.phone);
    await a.page.getByRole('button', { name: '添加付款人' }).click();
    await a.page.getByLabel('第 2 位付款人的手机号').fill('1380013');
    await expect
      .poll(() => a.page.getByTestId('sp-summary').textContent())
      .toBe('每人 ¥100.00 · 其他人共需付给你 ¥200.00');
    await a.page.getByRole('button', { name: '发起收款' }).click();
    await a.page.getByRole('alert').getByText('第 2 位付款人的手机号不正确').waitFor();
    await shots.take(a.page, 'a-new-wrong-number');
    await a.page.getByLabel('第 2 位付款人的手机号').fill(c.phone);

    // Custom amounts: how far they are from the total, while typing.
    await a.page.getByText('自定义金额', { exact: true }).click();
    await a.page.getByLabel('我的金额').fill('120');
    await a.page.getByLabel('第 1 位付款人的金额').fill('100');
    await a.page.getByLabel('第 2 位付款人的金额').fill('50');
    await expect
      .poll(() => a.page.getByTestId('sp-summary').textContent())
      .toBe('已分配 ¥270.00，还差 ¥30.00');
    await shots.take(a.page, 'a-new-custom-short');
    await a.page.getByText('平均分', { exact: true }).click();
    await expect
      .poll(() => a.page.getByTestId('sp-summary').textContent())
      .toBe('每人 ¥100.00 · 其他人共需付给你 ¥200.00');
    await shots.take(a.page, 'a-new-equal');
    const created = a.page.waitForResponse(
      (response) =>
        response.request().method() === 'POST' && new URL(response.url()).pathname === '/v1/me/splits',
    );
    await a.page.getByRole('button', { name: '发起收款' }).click();
    const createdResponse = await created;
    expect(createdResponse.status()).toBe(201);
    expect(createdResponse.request().headers()['idempotency-key']).toMatch(/^[\w-]{16,}$/);
    await a.page.waitForURL('**/splits/mine/*?created=1');
    await a.page.getByRole('img', { name: 'AA 收款二维码' }).waitFor();
    const link = (await a.page.getByTestId('sp-share-link').textContent()) ?? '';
    expect(link).toMatch(/^http:\/\/localhost:\d+\/splits\/[\w-]{20,}$/);
    const linkPath = new URL(link).pathname;
    const splitPath = new URL(a.page.url()).pathname;
    expect(await a.page.getByTestId('sp-progress').textContent()).toBe('已付 0/2 人');
    expect(await a.page.getByTestId('sp-outstanding').textContent()).toBe('¥200.00');
    await shots.take(a.page, 'a-created-share');

    // ---- B scans the split's code (扫一扫: the link pasted) and pays with the PIN ----
    await b.page.goto('/scan');
    await b.page.getByLabel('粘贴收款码').fill(link);
    await b.page.getByRole('button', { name: '去付款' }).click();
    await b.page.waitForURL((url) => url.pathname === linkPath);
    await expect.poll(() => b.page.getByTestId('sp-organiser').textContent()).toBe('*芳');
    expect(await b.page.getByTestId('sp-my-share').textContent()).toBe('¥100.00');
    const pay = b.page.getByRole('button', { name: '支付我的 ¥100.00' });
    await expect.poll(() => pay.isEnabled()).toBe(true);
    await shots.take(b.page, 'b-split-to-pay');
    await pay.click();
    await typePin(b.page);
    await expect.poll(() => b.page.getByTestId('result-title').textContent()).toBe('已支付');
    await shots.take(b.page, 'b-paid');
    await expectBalance(b.page, '¥400.00');

    // ---- A's page follows by itself; A reminds C, and once an hour only ----
    await expect
      .poll(() => a.page.getByTestId('sp-progress').textContent(), { timeout: 10_000 })
      .toBe('已付 1/2 人');
    expect(await a.page.getByTestId('sp-collected').textContent()).toBe('¥100.00');
    expect(await a.page.getByTestId('sp-outstanding').textContent()).toBe('¥100.00');
    const shares = a.page.getByTestId('sp-share');
    await expect.poll(() => shares.count()).toBe(3);
    expect(
      await a.page.locator('[data-testid="sp-share"][data-state="paid"] .sp-share-name').textContent(),
    ).toBe('*明');
    expect(
      await a.page.locator('[data-testid="sp-share"][data-state="unpaid"] .sp-share-name').textContent(),
    ).toBe('*伟');
    await shots.take(a.page, 'a-b-paid');
    await a.page.getByRole('button', { name: '提醒未付款的人' }).click();
    await expect
      .poll(() => a.page.getByTestId('sp-notice').textContent())
      .toMatch(/^已提醒 1 人。每小时可提醒一次，\d{4}-\d\d-\d\d \d\d:\d\d 后可再次提醒$/);
    await shots.take(a.page, 'a-reminded');
    // Once an hour: the button waits, and says until when (after a reload too).
    const remindButton = a.page.getByRole('button', { name: '提醒未付款的人' });
    expect(await remindButton.isDisabled()).toBe(true);
    await a.page.reload();
    await expect
      .poll(() => a.page.getByTestId('sp-notice').textContent())
      .toMatch(/^每小时可提醒一次，\d{4}-\d\d-\d\d \d\d:\d\d 后可再次提醒$/);
    expect(await remindButton.isDisabled()).toBe(true);
    const tooSoon = await a.page.request.post(`/v1/me/splits/${splitPath.split('/').pop()}/reminders`, {
      data: {},
    });
    expect(tooSoon.status()).toBe(429);
    expect((await tooSoon.json()) as unknown).toMatchObject({ error: { code: 'SPLIT_REMINDER_TOO_SOON' } });
    await shots.take(a.page, 'a-remind-too-soon');

    // ---- C's inbox has the reminder ----
    const notices = await c.page.request.get('/v1/me/notifications?lang=zh-CN&limit=50');
    const { notifications } = (await notices.json()) as {
      notifications: { kind: string; title: string; body: string }[];
    };
    const reminder = notifications.find((notice) => notice.kind === 'splits.reminder');
    expect(reminder).toMatchObject({
      title: '*芳 提醒你 AA 付款',
      body: '「周五聚餐」你的份额 ¥100.00 还未支付',
    });
    // Asked when the split was made, reminded now; the notice opens the share to pay.
    expect(notifications.find((notice) => notice.kind === 'splits.requested')).toMatchObject({
      title: '*芳 发起了 AA 收款',
      body: '「周五聚餐」你的份额 ¥100.00，点开支付',
    });
    await c.page.goto('/inbox');
    await c.page.getByText('*芳 提醒你 AA 付款').waitFor();
    await shots.take(c.page, 'c-inbox-reminder');
    await c.page.getByText('*芳 提醒你 AA 付款').click();
    await c.page.waitForURL(`**/splits/${splitPath.split('/').pop()}`);
    await c.page.getByText('¥100.00').first().waitFor();
    await shots.take(c.page, 'c-reminder-opened');
    await c.page.goto('/splits?role=participant');
    await c.page.getByTestId('sp-list-item').filter({ hasText: '周五聚餐' }).waitFor();
    await shots.take(c.page, 'c-my-splits');

    // ---- A gives B's share back, with the PIN ----
    await a.page.getByRole('button', { name: '退还 *明 的 ¥100.00' }).click();
    await a.page.locator('.adm-dialog').getByRole('button', { name: '退款' }).click();
    await typePin(a.page);
    await expect
      .poll(() => a.page.locator('[data-testid="sp-share"][data-state="refunded"]').count(), {
        timeout: 10_000,
      })
      .toBe(1);
    expect(await a.page.getByTestId('sp-collected').textContent()).toBe('¥0.00');
    await shots.take(a.page, 'a-refunded-b');
    await expectBalance(b.page, '¥500.00');
    await b.page.goto(linkPath);
    await expect.poll(() => b.page.getByTestId('sp-note').textContent()).toBe('发起人已退还你的 ¥100.00');
    await shots.take(b.page, 'b-refunded');

    // ---- C, signed out, opens the link: signs in and comes back to it ----
    expect((await c.page.request.post('/v1/auth/logout', { data: {} })).ok()).toBe(true);
    await c.page.goto(linkPath);
    await c.page.getByText('登录后付款').waitFor();
    await shots.take(c.page, 'c-sign-in-first');
    await c.page.getByRole('button', { name: '登录付款' }).click();
    await c.page.waitForURL('**/sign-in?next=*');
    await signIn(c.page, c.phone);
    await c.page.waitForURL((url) => url.pathname === linkPath);
    await expect.poll(() => c.page.getByTestId('sp-my-share').textContent()).toBe('¥100.00');
    // C has no money: the preview says so before any PIN.
    await c.page
      .getByRole('alert')
      .getByText(/^钱包余额不足/)
      .waitFor();
    expect(await c.page.getByRole('button', { name: '支付我的 ¥100.00' }).isDisabled()).toBe(true);
    await shots.take(c.page, 'c-split-refused-balance');

    // ---- In English: A's page and the form; A stops collecting, and C's page says so ----
    for (const page of [a.page, b.page, c.page])
      await page.evaluate("localStorage.setItem('qb_language', 'en')");
    await a.page.goto('/splits/new');
    await a.page.getByText('Anyone with the link', { exact: true }).click();
    await a.page.getByLabel('What for').fill('Taxi');
    await a.page.getByRole('textbox', { name: 'Total' }).fill('100');
    await a.page.getByLabel('Number of people (me included)').fill('3');
    await expect
      .poll(() => a.page.getByTestId('sp-summary').textContent())
      .toBe('1 pay ¥33.34, the others ¥33.33 · The others pay you ¥66.66 in all');
    await shots.take(a.page, 'a-en-new-by-link');
    await a.page.getByRole('button', { name: 'Ask for the money' }).click();
    await a.page.waitForURL('**/splits/mine/*?created=1');
    const taxiLink = (await a.page.getByTestId('sp-share-link').textContent()) ?? '';
    await shots.take(a.page, 'a-en-created-by-link');
    // B takes a share of the link split: the first free one, ¥33.33 (A's own took the odd fen).
    await b.page.goto(new URL(taxiLink).pathname);
    await expect.poll(() => b.page.getByTestId('sp-my-share').textContent()).toBe('¥33.33');
    await shots.take(b.page, 'b-en-link-split');
    await b.page.getByRole('button', { name: 'Pay my ¥33.33' }).click();
    await typePin(b.page);
    await expect.poll(() => b.page.getByTestId('result-title').textContent()).toBe('Paid');
    await shots.take(b.page, 'b-en-link-paid');
    await expect
      .poll(() => a.page.getByTestId('sp-progress').textContent(), { timeout: 10_000 })
      .toBe('1 of 2 paid');
    expect(
      await a.page.locator('[data-testid="sp-share"][data-state="paid"] .sp-share-name').textContent(),
    ).toBe('*明');
    await shots.take(a.page, 'a-en-link-one-paid');
    await c.page.goto(linkPath);
    await expect.poll(() => c.page.getByTestId('sp-organiser').textContent()).toBe('*芳');
    await shots.take(c.page, 'c-en-split');
    await a.page.goto(splitPath);
    await expect.poll(() => a.page.getByTestId('sp-progress').textContent()).toBe('0 of 2 paid');
    await shots.take(a.page, 'a-en-split');
    await a.page.getByRole('button', { name: 'Stop collecting' }).click();
    await a.page.locator('.adm-dialog').getByRole('button', { name: 'Stop collecting' }).click();
    await expect.poll(() => a.page.getByTestId('sp-status').textContent()).toMatch(/^Closed/);
    await shots.take(a.page, 'a-en-closed');
    await c.page.reload();
    await expect
      .poll(() => c.page.getByTestId('sp-note').textContent())
      .toBe('The organiser stopped collecting: it cannot be paid any more');
    await shots.take(c.page, 'c-en-closed');
    await a.page.goto('/splits');
    await a.page.getByTestId('sp-list-item').first().waitFor();
    await shots.take(a.page, 'a-en-my-splits');

    for (const holder of [a, b, c]) expect(holder.problems).toEqual([]);
  }, 180_000);
});

async function typePin(page: Page): Promise<void> {
  await page.locator('.adm-passcode-input-focused').waitFor();
  await page.keyboard.type(PIN);
}

async function expectBalance(page: Page, text: string): Promise<void> {
  await expect
    .poll(async () => {
      const response = await page.request.get('/v1/me/balance');
      const { balance } = (await response.json()) as { balance: { amount: string } };
      return `¥${(Number(balance.amount) / 100).toFixed(2)}`;
    })
    .toBe(text);
}

/** Password sign-in; a browser the server does not know yet asks for the new-device SMS code too. */
async function signIn(page: Page, phone: string): Promise<void> {
  await page.getByLabel('手机号', { exact: true }).fill(phone);
  await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
  const before = new Date().toISOString();
  await page.getByRole('button', { name: '登录', exact: true }).click();
  const asked = await Promise.race([
    page.waitForURL((url) => !url.pathname.startsWith('/sign-in')).then(() => false),
    page
      .getByRole('button', { name: '验证并登录' })
      .waitFor()
      .then(() => true),
  ]);
  if (!asked) return;
  await page.getByRole('button', { name: '获取验证码' }).click();
  await page
    .getByLabel('验证码', { exact: true })
    .fill(await latestSmsCode(new URL(page.url()).origin, phone, { after: before }));
  await page.getByRole('button', { name: '验证并登录' }).click();
}
