/**
 * Red packets (红包, issue 13) in Chromium. A (funded) sends a lucky packet of ¥10.00 in three
 * shares from the home screen's 红包 entry — the form says what the limits refuse while typing,
 * the preview what the packet is, the PIN confirms it — and gets the share screen with the link
 * and its QR code. A keeps the packet's page open: it follows the claims by itself. B opens the
 * link and claims ("開"); C's session has ended, so the link asks C to sign in and comes back to
 * the packet, which C claims; D claims the last share, and a second try says it is claimed
 * already. A's page then shows every claim and the luckiest (手气最佳) with the three shares
 * summing to ¥10.00; B sees the same list. An equal packet of one share: B takes it, and D,
 * too slow, is told so. Then in English: A sends B ¥6.66 one-to-one, B finds
 * it under My red packets, opens it from its notice in the inbox, and A's page says B opened it; B's own ¥100.00 packet is
 * refused by the preview (the balance) before any PIN. A newcomer registers from a packet's link
 * and claims it. Once A's shares have gone to fresh accounts, a rule set that wants such a
 * sender's packets reviewed makes the preview refuse A's next packet, saying why, before any PIN
 * (in English and Chinese). Screenshots in
 * test-results/screenshots/red-packets/.
 *
 * The issue names three holders; the sender cannot claim its own packet, so a fourth (D) takes
 * the third share for the packet to be finished and its luckiest claim shown.
 * Registration goes through the screens; real name, PIN and the top-up through the API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { freePort } from '../e2e/server-process.ts';
import {
  fundByCard,
  idNumber,
  latestSmsCode,
  openPhone,
  randomPhone,
  screenshots,
  startBrowserStack,
  verifiedHolder,
} from './browser.ts';
import type { BrowserStack, PhonePage } from './browser.ts';
import { activateRules, riskOperator } from './operators.ts';

const PASSWORD = 'Lotus-garden-88';
const PIN = '258036';
const CARD = '6222021234567894';

type Holder = PhonePage & { phone: string };

describe('red packets', () => {
  let stack: BrowserStack;
  let a: Holder;
  let b: Holder;
  let c: Holder;
  let d: Holder;

  beforeAll(async () => {
    const port = await freePort();
    stack = await startBrowserStack({
      env: {
        PORT: String(port),
        // The packet's link points at the web app here (the browser's own origin).
        QIANBAO_PUBLIC_URL: `http://localhost:${port}`,
        BANK_SANDBOX_LATENCY_MS: '0',
      },
    });
    const holder = (legalName: string, body17: string) =>
      verifiedHolder(stack, { legalName, idNumber: idNumber(body17), password: PASSWORD, pin: PIN });
    a = await holder('王芳', '11010519900101002');
    b = await holder('李明', '31011519880808003');
    c = await holder('张伟', '44030519920202004');
    d = await holder('赵丽', '51010719950505005');
    await fundByCard(a.page, stack.url, { phone: a.phone, card: CARD, fen: '100000', pin: PIN });
  }, 240_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('a lucky packet shared by link is claimed by three, and a one-to-one packet is opened', async () => {
    const shots = screenshots('red-packets');

    // ---- A: 红包 among the money actions; the top row is as it was ----
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
      .getByRole('link', { name: '红包', exact: true })
      .click();
    await a.page.waitForURL('**/red-packets');
    await a.page.getByText('还没有收到红包').waitFor();
    await shots.take(a.page, 'a-my-red-packets-empty');

    // ---- A fills in a lucky packet: the limits are said while typing ----
    await a.page.getByRole('button', { name: '发红包' }).click();
    await a.page.waitForURL('**/red-packets/new');
    await a.page.getByLabel('红包个数').fill('3');
    await a.page.getByRole('textbox', { name: '金额' }).fill('700');
    await a.page.getByTestId('amount-problem').getByText('单个红包不能超过 ¥200.00').waitFor();
    await shots.take(a.page, 'a-send-over-limit');
    await a.page.getByRole('textbox', { name: '金额' }).fill('10');
    await a.page.getByLabel('祝福语').fill('新年快乐，万事如意');
    await a.page.getByText('福气', { exact: true }).click();
    expect(await a.page.getByTestId('rp-total').textContent()).toBe('¥10.00');
    await shots.take(a.page, 'a-send-lucky-form');
    await a.page.getByRole('button', { name: '塞钱进红包' }).click();
    await expect.poll(() => a.page.getByTestId('rp-preview-total').textContent()).toBe('¥10.00');
    expect(await a.page.getByTestId('rp-preview-count').textContent()).toBe('3 个');
    await shots.take(a.page, 'a-send-lucky-preview');
    await a.page.getByRole('button', { name: '确认发出' }).click();
    await a.page.locator('.adm-passcode-input-focused').waitFor();
    await shots.take(a.page, 'a-send-lucky-pin');
    const sent = a.page.waitForResponse(
      (response) =>
        response.request().method() === 'POST' && new URL(response.url()).pathname === '/v1/me/red-packets',
    );
    await a.page.keyboard.type(PIN);
    const sentResponse = await sent;
    expect(sentResponse.status()).toBe(201);
    expect(sentResponse.request().headers()['idempotency-key']).toMatch(/^[\w-]{16,}$/);
    await a.page.waitForURL('**/red-packets/sent/*?sent=1');
    await a.page.getByRole('img', { name: '红包二维码' }).waitFor();
    const link = (await a.page.getByTestId('rp-share-link').textContent()) ?? '';
    expect(link).toMatch(/^http:\/\/localhost:\d+\/red-packets\/[\w-]{20,}$/);
    const linkPath = new URL(link).pathname;
    await expect
      .poll(() => a.page.getByTestId('rp-progress').textContent())
      .toBe('已领取 0/3 个，共 ¥0.00/¥10.00');
    await shots.take(a.page, 'a-sent-share');
    await expectBalance(a.page, '¥990.00');

    // ---- B scans the packet's code (扫一扫: the link pasted, as a camera reads it) and claims ----
    await b.page.goto('/scan');
    await b.page.getByLabel('粘贴收款码').fill(link);
    await b.page.getByRole('button', { name: '去付款' }).click();
    await b.page.waitForURL((url) => url.pathname === linkPath);
    await expect.poll(() => b.page.getByTestId('rp-from').textContent()).toBe('*芳的红包');
    expect(await b.page.getByTestId('rp-greeting').textContent()).toBe('新年快乐，万事如意');
    await shots.take(b.page, 'b-packet-closed');
    await b.page.getByRole('button', { name: '拆红包' }).click();
    const bAmount = await myAmount(b.page);
    await shots.take(b.page, 'b-packet-claimed');

    // ---- A's open page follows by itself ----
    await expect
      .poll(() => a.page.getByTestId('rp-progress').textContent(), { timeout: 10_000 })
      .toMatch(/^已领取 1\/3 个/);
    await shots.take(a.page, 'a-progress-one-claimed');

    // ---- C's session has ended: the link asks C to sign in, then comes back ----
    expect((await c.page.request.post('/v1/auth/logout', { data: {} })).ok()).toBe(true);
    await c.page.goto(linkPath);
    await c.page.getByText('登录后领取红包').waitFor();
    await shots.take(c.page, 'c-sign-in-first');
    await c.page.getByRole('button', { name: '登录领取' }).click();
    await c.page.waitForURL('**/sign-in?next=*');
    await signIn(c.page, c.phone);
    await c.page.waitForURL((url) => url.pathname === linkPath);
    await expect.poll(() => c.page.getByTestId('rp-from').textContent()).toBe('*芳的红包');
    await c.page.getByRole('button', { name: '拆红包' }).click();
    const cAmount = await myAmount(c.page);
    await shots.take(c.page, 'c-packet-claimed');

    // ---- D takes the last share; opening it again says it is claimed already ----
    await d.page.goto(linkPath);
    await d.page.getByRole('button', { name: '拆红包' }).click();
    const dAmount = await myAmount(d.page);
    expect(bAmount + cAmount + dAmount).toBe(1000);
    await d.page.getByText('3 个红包已被抢光').waitFor();
    await expect.poll(() => d.page.getByTestId('rp-luckiest').count()).toBe(1);
    await shots.take(d.page, 'd-packet-claimed-all-gone');
    const again = await d.page.request.post(`/v1/red-packets/${linkPath.split('/').pop()}/claims`, {
      data: {},
    });
    expect(again.status()).toBe(409);
    expect((await again.json()) as unknown).toMatchObject({ error: { code: 'RED_PACKET_ALREADY_CLAIMED' } });

    // ---- A sees every claim and the luckiest ----
    await expect
      .poll(() => a.page.getByTestId('rp-progress').textContent(), { timeout: 10_000 })
      .toBe('3 个红包已被抢光 · ¥10.00');
    const claims = a.page.getByTestId('rp-claim');
    expect(await claims.count()).toBe(3);
    const names = await a.page.locator('.rp-claim-name').allTextContents();
    expect(names.sort()).toEqual(['*丽', '*伟', '*明'].sort());
    const luckiest = a.page.getByTestId('rp-claim').filter({ has: a.page.getByTestId('rp-luckiest') });
    expect(await luckiest.count()).toBe(1);
    const best = fen((await luckiest.locator('.amount').textContent()) ?? '');
    expect(best).toBe(Math.max(bAmount, cAmount, dAmount));
    expect(await a.page.getByTestId('rp-status').textContent()).toBe('已领完');
    await shots.take(a.page, 'a-result-luckiest');

    // B's packet page shows the finished list too.
    await b.page.reload();
    await b.page.getByText('3 个红包已被抢光').waitFor();
    await shots.take(b.page, 'b-packet-all-gone');

    // ---- An equal packet of one ¥0.88 share: B takes it, D is too slow ----
    await a.page.goto('/red-packets/new');
    await a.page.getByText('普通红包', { exact: true }).click();
    await a.page.getByLabel('红包个数').fill('1');
    await a.page.getByRole('textbox', { name: '金额' }).fill('0.88');
    await a.page.getByText('新春', { exact: true }).click();
    await shots.take(a.page, 'a-send-equal-form');
    await a.page.getByRole('button', { name: '塞钱进红包' }).click();
    await a.page.getByRole('button', { name: '确认发出' }).click();
    await typePin(a.page);
    await a.page.waitForURL('**/red-packets/sent/*?sent=1');
    const equalPath = new URL((await a.page.getByTestId('rp-share-link').textContent()) ?? '').pathname;
    await b.page.goto(equalPath);
    await b.page.getByRole('button', { name: '拆红包' }).click();
    await expect.poll(() => b.page.getByTestId('rp-my-amount').textContent()).toBe('¥0.88');
    await d.page.goto(equalPath);
    await expect.poll(() => d.page.getByTestId('rp-gone').textContent()).toBe('手慢了，红包派完了');
    await shots.take(d.page, 'd-packet-all-gone-too-slow');

    // ---- In English: A sends B ¥6.66 one-to-one; B opens it from My red packets ----
    for (const page of [a.page, b.page]) await page.evaluate("localStorage.setItem('qb_language', 'en')");
    await a.page.goto('/red-packets?box=sent');
    await a.page.getByTestId('rp-list-sent').waitFor();
    await shots.take(a.page, 'a-en-sent-list');
    await a.page.getByRole('button', { name: 'Send a red packet' }).click();
    await a.page.getByText('To one person', { exact: true }).click();
    await a.page.getByLabel('Their mobile number').fill(b.phone);
    await a.page.getByRole('textbox', { name: 'Amount' }).fill('6.66');
    await a.page.getByLabel('Greeting').fill('Happy birthday!');
    await a.page.getByText('Lantern', { exact: true }).click();
    await shots.take(a.page, 'a-en-send-single-form');
    await a.page.getByRole('button', { name: 'Put money in the packet' }).click();
    await expect.poll(() => a.page.getByTestId('rp-preview-to').textContent()).toBe('*明');
    await shots.take(a.page, 'a-en-send-single-preview');
    await a.page.getByRole('button', { name: 'Send it' }).click();
    await typePin(a.page);
    await a.page.waitForURL('**/red-packets/sent/*?sent=1');
    await expect
      .poll(() => a.page.getByTestId('rp-progress').textContent())
      .toBe('Waiting for *明 to open it');
    await shots.take(a.page, 'a-en-sent-single');

    await b.page.goto('/');
    await b.page
      .getByRole('navigation', { name: 'Money' })
      .getByRole('link', { name: 'Red packets' })
      .click();
    await b.page.waitForURL('**/red-packets');
    const unopened = b.page.getByTestId('rp-list-item').filter({ hasText: 'Not opened' });
    await unopened.waitFor();
    await shots.take(b.page, 'b-en-received-list');
    // B's notice of it opens the packet.
    await b.page.goto('/inbox');
    const notice = b.page.getByRole('button', { name: /\*芳 sent you a red packet/ });
    await notice.waitFor();
    await shots.take(b.page, 'b-en-inbox-notice');
    await notice.click();
    await b.page.waitForURL((url) => /^\/red-packets\/[0-9a-f-]{36}$/.test(url.pathname));
    await expect.poll(() => b.page.getByTestId('rp-greeting').textContent()).toBe('Happy birthday!');
    await shots.take(b.page, 'b-en-single-closed');
    await b.page.getByRole('button', { name: 'Open the red packet' }).click();
    await expect.poll(() => b.page.getByTestId('rp-my-amount').textContent()).toBe('¥6.66');
    await shots.take(b.page, 'b-en-single-opened');

    await expect
      .poll(() => a.page.getByTestId('rp-progress').textContent(), { timeout: 10_000 })
      .toBe('*明 opened it');
    await shots.take(a.page, 'a-en-single-opened');
    await a.page.goto('/red-packets?box=sent');
    await a.page.getByTestId('rp-list-item').nth(1).waitFor();
    await shots.take(a.page, 'a-en-sent-list-after');

    // ---- B has less than ¥20: a ¥100.00 packet is refused before any PIN ----
    await b.page.goto('/red-packets/new');
    await b.page.getByLabel('Number of packets').fill('2');
    await b.page.getByRole('textbox', { name: 'Amount' }).fill('100');
    await b.page.getByRole('button', { name: 'Put money in the packet' }).click();
    await b.page
      .getByRole('alert')
      .getByText(/^Not enough money in the wallet/)
      .waitFor();
    expect(await b.page.getByRole('button', { name: 'Send it' }).isDisabled()).toBe(true);
    await shots.take(b.page, 'b-en-refused-balance');

    for (const holder of [a, b, c, d]) expect(holder.problems).toEqual([]);
  }, 180_000);

  it('a newcomer opens a packet’s link, registers there and is brought back to claim it', async () => {
    const shots = screenshots('red-packets-newcomer');
    const sent = await a.page.request.post('/v1/me/red-packets', {
      headers: { 'idempotency-key': crypto.randomUUID() },
      data: {
        kind: 'group',
        split: 'lucky',
        count: 2,
        amount: { amount: '200', currency: 'CNY' },
        confirmation: { pin: PIN },
      },
    });
    expect(sent.status(), await sent.text()).toBe(201);
    const linkPath = new URL(((await sent.json()) as { link: string }).link).pathname;

    const newcomer = await openPhone(stack);
    const page = newcomer.page;
    const phone = randomPhone();
    await page.goto(linkPath);
    await page.getByText('登录后领取红包').waitFor();
    await page.getByRole('link', { name: '没有账户？注册' }).click();
    await page.waitForURL('**/register?next=*');
    await page.getByLabel('手机号', { exact: true }).fill(phone);
    await page.getByRole('button', { name: '获取验证码' }).click();
    await page.getByText(/\d+ 秒后重发/).waitFor();
    await page.getByLabel('验证码', { exact: true }).fill(await latestSmsCode(stack.url, phone));
    await page.getByLabel('登录密码', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: '注册并登录' }).click();
    // Back at the packet, signed in: it can be opened.
    await page.waitForURL((url) => url.pathname === linkPath);
    await expect.poll(() => page.getByTestId('rp-from').textContent()).toBe('*芳的红包');
    await shots.take(page, 'newcomer-back-at-packet');
    await page.getByRole('button', { name: '拆红包' }).click();
    expect(await myAmount(page)).toBeGreaterThan(0);
    await newcomer.context.close();
  }, 180_000);

  it('a packet the risk engine would want reviewed is refused before the PIN, saying why', async () => {
    const shots = screenshots('red-packets-risk');
    // A's shares so far went to B, C, D and the newcomer: all registered today. A rule set that
    // reviews a packet after three such shares (the shipped rule waits for ten) judges A's next
    // packet on what the claims taught the engine.
    const operator = await riskOperator(stack);
    await activateRules(stack, operator, [
      {
        id: 'red_packets_to_new_accounts_3',
        subject: 'payment',
        description: { zh: '红包被 3 个新用户领取', en: 'Packets claimed by three fresh accounts' },
        when: {
          all: [
            { feature: 'kind_is_red_packet', op: '==', value: true },
            { feature: 'holder_red_packet_new_claimers_24h', op: '>=', value: 3 },
          ],
        },
        score: 0,
        decision: 'review',
      },
    ]);
    const before = await a.page.request.get('/v1/me/balance');
    await a.page.goto('/red-packets/new');
    await a.page.getByLabel('Number of packets').fill('2');
    await a.page.getByRole('textbox', { name: 'Amount' }).fill('20');
    await a.page.getByRole('button', { name: 'Put money in the packet' }).click();
    await a.page
      .getByRole('alert')
      .getByText('For your safety this payment would need a manual review, so the red packet cannot be sent')
      .waitFor();
    expect(await a.page.getByRole('button', { name: 'Send it' }).isDisabled()).toBe(true);
    await shots.take(a.page, 'a-en-refused-review');
    await a.page.evaluate("localStorage.setItem('qb_language', 'zh-CN')");
    await a.page.goto('/red-packets/new');
    await a.page.getByLabel('红包个数').fill('2');
    await a.page.getByRole('textbox', { name: '金额' }).fill('20');
    await a.page.getByRole('button', { name: '塞钱进红包' }).click();
    await a.page.getByRole('alert').getByText('为保障资金安全，这笔付款需要人工审核，红包无法发出').waitFor();
    expect(await a.page.getByRole('button', { name: '确认发出' }).isDisabled()).toBe(true);
    await shots.take(a.page, 'a-zh-refused-review');
    const after = await a.page.request.get('/v1/me/balance');
    expect(await after.json()).toEqual(await before.json());
    expect(a.problems).toEqual([]);
  }, 180_000);
});

/** The amount the claim screen shows, in fen. */
async function myAmount(page: Page): Promise<number> {
  const amount = page.getByTestId('rp-my-amount');
  await amount.waitFor();
  return fen((await amount.textContent()) ?? '');
}

function fen(text: string): number {
  const match = /¥(\d+)\.(\d\d)/.exec(text);
  if (!match) throw new Error(`not an amount: ${text}`);
  return Number(match[1]) * 100 + Number(match[2]);
}

async function typePin(page: Page): Promise<void> {
  await page.locator('.adm-passcode-input-focused').waitFor();
  await page.keyboard.type(PIN);
}

async function expectBalance(page: Page, text: string): Promise<void> {
  const response = await page.request.get('/v1/me/balance');
  const { balance } = (await response.json()) as { balance: { amount: string } };
  expect(`¥${(Number(balance.amount) / 100).toFixed(2)}`).toBe(text);
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
    .fill(await latestSmsCode(originOf(page), phone, { after: before }));
  await page.getByRole('button', { name: '验证并登录' }).click();
}

function originOf(page: Page): string {
  return new URL(page.url()).origin;
}
