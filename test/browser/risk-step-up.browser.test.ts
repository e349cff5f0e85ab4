/**
 * The risk step-up in Chromium (issue 11). A risk operator activates a rule set that wants one
 * more check for any payment of ¥1,000 or more. Then:
 *
 * - a holder with only a PIN sends ¥1,500: after the PIN, the step-up sheet asks for an SMS code
 *   (a wrong one is said next to the input), and once it is passed the same confirm goes again —
 *   same Idempotency-Key, same PIN — and the transfer is done. In English, the holder leaves the
 *   sheet (nothing is paid), lets a step-up expire (told to pay again), and pays on the next try;
 * - a holder with an authenticator app is told on the confirmation sheet that the payment needs
 *   the authenticator code, and pays with it; the next time they choose the PIN instead and pass
 *   the step-up with the authenticator code.
 *
 * - a transfer the rules want reviewed is held: after the PIN the holder is told it is under review
 *   (the money on hold), sees it "审核中" in the bill list, and — once a risk operator approves
 *   it through the API — sees it paid, and is told in the inbox.
 *
 * Registration goes through the screens; real name, PIN, card, top-up and TOTP through the API in
 * each browser's own session (other browser tests cover those screens). Screenshots go to
 * test-results/screenshots/risk-step-up-{sms,totp}/.
 */
import { Secret, TOTP } from 'otpauth';
import type { Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateRules, riskOperator } from './operators.ts';
import {
  fundByCard,
  idNumber,
  latestSmsCode,
  resendWindowPassed,
  screenshots,
  startBrowserStack,
  verifiedHolder,
} from './browser.ts';
import type { BrowserStack, PhonePage } from './browser.ts';

const PASSWORD = 'Lotus-garden-88';
const PIN = '258036';
/** Sandbox bank: two normal cards (docs/bank-sandbox.md), one per paying holder. */
const CARDS = { a: '6222021234567894', c: '6227008888001234' } as const;

/** Any payment of ¥1,000 or more scores 70: above the step-up threshold, below review. */
const LARGE_AMOUNT_RULE = {
  id: 'large_amount',
  subject: 'payment',
  description: { zh: '大额', en: 'Large amount' },
  when: { feature: 'amount_minor', op: '>=', value: 100_000 },
  score: 70,
};
/** Any payment of ¥500 or more scores 80: above the review threshold. */
const REVIEW_RULE = {
  id: 'review_500',
  subject: 'payment',
  description: { zh: '大额待审', en: 'Large, to review' },
  when: { feature: 'amount_minor', op: '>=', value: 50_000 },
  score: 80,
};

interface Holder extends PhonePage {
  phone: string;
}

interface Confirm {
  status: number;
  key: string | undefined;
  body: string | null;
  json: { error?: { code: string; details: { stepUpId?: string; methods?: string[] } } };
}

describe('risk step-up', () => {
  let stack: BrowserStack;
  let operator: { authorization: string };
  /** Pays with the PIN only. */
  let a: Holder;
  /** Receives. */
  let b: Holder;
  /** Has an authenticator app. */
  let c: Holder;
  let authenticator: Authenticator;

  beforeAll(async () => {
    stack = await startBrowserStack({
      env: {
        BANK_SANDBOX_LATENCY_MS: '0',
        // A second step-up code follows the first within the minute.
        SMS_RESEND_SECONDS: '10',
      },
    });
    operator = await riskOperator(stack);
    // Funding first, judged by rules that allow everything: the tests add only what they need.
    await activateRules(stack, operator, []);
    a = await holder(stack, '王芳', idNumber('11010519900101002'));
    b = await holder(stack, '李明', idNumber('31011519880808003'));
    c = await holder(stack, '张伟', idNumber('44030519920202004'));
    await fundByCard(a.page, stack.url, { phone: a.phone, card: CARDS.a, fen: '400000', pin: PIN });
    await fundByCard(c.page, stack.url, { phone: c.phone, card: CARDS.c, fen: '400000', pin: PIN });
    authenticator = await enableTotp(c.page);
    await activateRules(stack, operator, [LARGE_AMOUNT_RULE]);
  }, 240_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('a holder with only a PIN passes the step-up with an SMS code, and the transfer completes', async () => {
    const shots = screenshots('risk-step-up-sms');
    const { page } = a;
    await page.goto('/');
    await expectBalance(page, '¥4,000.00');

    // ---- ¥1,500 to B: the quote, then the PIN ----
    await startTransfer(page, { phone: b.phone, amount: '1500', next: '下一步' });
    await expect.poll(() => page.getByTestId('payee-name').textContent()).toBe('*明');
    await page.getByRole('button', { name: '确认转账' }).click();
    // A holder without passkey or authenticator: the PIN, as always (the check comes after).
    await page.locator('.adm-passcode-input-focused').waitFor();
    expect(await page.getByTestId('confirm-step-up').count()).toBe(0);
    const refused = waitForConfirm(page);
    await page.keyboard.type(PIN);
    const first = await readConfirm(await refused);
    expect(first.status).toBe(403);
    expect(first.json.error).toMatchObject({ code: 'STEP_UP_REQUIRED', details: { methods: ['sms'] } });

    // ---- The step-up sheet: why, the amount, the SMS code ----
    const sheet = page.getByRole('dialog', { name: '再验证一次' });
    await sheet.getByText('为保护您的资金安全，这笔付款需要再验证一次').waitFor();
    await expect.poll(() => sheet.getByTestId('step-up-amount').textContent()).toBe('¥1,500.00');
    // Only SMS is possible: no choice of methods is shown; the PIN sheet has stepped aside.
    expect(await sheet.getByRole('radiogroup').count()).toBe(0);
    await expect.poll(() => page.getByRole('dialog', { name: '请输入支付密码' }).count()).toBe(0);
    await shots.take(page, 'step-up-sheet-zh');

    const before = new Date().toISOString();
    // The real-name step sent this phone a code moments ago: past the resend wait, a new one is sent.
    await resendWindowPassed(stack.url, a.phone);
    await sheet.getByRole('button', { name: '获取验证码' }).click();
    await sheet.getByText(/\d+ 秒后重发/).waitFor();
    const code = await latestSmsCode(stack.url, a.phone, { after: before });
    const codeInput = sheet.getByRole('textbox', { name: '短信验证码' });

    // A wrong code: the server's word next to the input, and the sheet stays.
    await codeInput.fill(wrong(code));
    await sheet.getByRole('button', { name: '验证并付款' }).click();
    await sheet.getByRole('alert').getByText('验证码错误，请重新输入').waitFor();
    await shots.take(page, 'step-up-wrong-code-zh');

    // The right one: passed, and the same confirm goes again by itself.
    const resent = waitForConfirm(page);
    await codeInput.fill(code);
    await sheet.getByRole('button', { name: '验证并付款' }).click();
    const second = await readConfirm(await resent);
    expect(second.status).toBe(200);
    expect(second.key).toBe(first.key);
    expect(second.body).toBe(first.body);
    expect(JSON.parse(second.body ?? '{}')).toEqual({ confirmation: { pin: PIN } });
    await expect.poll(() => page.getByTestId('result-title').textContent()).toBe('转账成功');
    expect(await page.getByTestId('receipt-payee').textContent()).toBe('*明');
    await expect.poll(() => sheet.count()).toBe(0);
    await shots.take(page, 'transfer-done-zh');
    await page.goto('/');
    await expectBalance(page, '¥2,500.00');
    await shots.take(page, 'home-after-zh');

    // ---- In English: leave the sheet, let one expire, pay on the next try ----
    await page.evaluate("localStorage.setItem('qb_language', 'en')");
    await startTransfer(page, { phone: b.phone, amount: '1500', next: 'Next' });
    const send = page.getByRole('button', { name: 'Send', exact: true });
    await send.click();
    await page.locator('.adm-passcode-input-focused').waitFor();
    await page.keyboard.type(PIN);
    const sheetEn = page.getByRole('dialog', { name: 'One more check' });
    await sheetEn.getByText('To protect your money, this payment needs one more check').waitFor();
    await expect.poll(() => sheetEn.getByTestId('step-up-amount').textContent()).toBe('¥1,500.00');
    await shots.take(page, 'step-up-sheet-en');

    // Left: nothing paid, and the preview says so.
    await sheetEn.getByRole('button', { name: 'Cancel the check' }).click();
    await page
      .getByRole('alert')
      .getByText('This payment needs one more check; it was not completed, so nothing was paid')
      .waitFor();
    await expect.poll(() => sheetEn.count()).toBe(0);
    await shots.take(page, 'step-up-left-en');

    // Expired: ten minutes pass (the step-up's row says so), then the code is typed.
    const again = waitForConfirm(page);
    await send.click();
    await page.locator('.adm-passcode-input-focused').waitFor();
    await page.keyboard.type(PIN);
    const challenge = await readConfirm(await again);
    expect(challenge.json.error?.code).toBe('STEP_UP_REQUIRED');
    const sentAt = new Date().toISOString();
    await resendWindowPassed(stack.url, a.phone);
    await sheetEn.getByRole('button', { name: 'Get code' }).click();
    await sheetEn.getByText(/Resend in \d+s/).waitFor();
    const codeEn = await latestSmsCode(stack.url, a.phone, { after: sentAt });
    await stack.database.pool.query(
      "UPDATE risk_step_ups SET expires_at = now() - interval '1 second' WHERE id = $1",
      [challenge.json.error?.details.stepUpId],
    );
    await sheetEn.getByRole('textbox', { name: 'SMS code' }).fill(codeEn);
    await sheetEn.getByRole('button', { name: 'Verify and pay' }).click();
    await sheetEn
      .getByText('The check timed out, so this payment was not made. Please go back and pay again.')
      .waitFor();
    await shots.take(page, 'step-up-expired-en');
    await sheetEn.getByRole('button', { name: 'Back to pay again' }).click();
    await page
      .getByRole('alert')
      .getByText('The check timed out, so this payment was not made; please pay again')
      .waitFor();

    // Again: a new step-up; the code (not spent on the expired one) passes it.
    await send.click();
    await page.locator('.adm-passcode-input-focused').waitFor();
    await page.keyboard.type(PIN);
    await sheetEn.getByTestId('step-up-amount').waitFor();
    await sheetEn.getByRole('textbox', { name: 'SMS code' }).fill(codeEn);
    await sheetEn.getByRole('button', { name: 'Verify and pay' }).click();
    await expect.poll(() => page.getByTestId('result-title').textContent()).toBe('Sent');
    await shots.take(page, 'transfer-done-en');
    await page.goto('/');
    await expectBalance(page, '¥1,000.00');

    expect(a.problems).toEqual([]);
  }, 180_000);

  it('a holder with an authenticator pays with its code, or with the PIN and then the code', async () => {
    const shots = screenshots('risk-step-up-totp');
    const { page } = c;
    await page.goto('/');
    await expectBalance(page, '¥4,000.00');

    // ---- The confirmation sheet says what the payment needs, before asking ----
    await startTransfer(page, { phone: b.phone, amount: '1500', next: '下一步' });
    await page.getByRole('button', { name: '确认转账' }).click();
    const note = page.getByTestId('confirm-step-up');
    await expect.poll(() => note.textContent()).toBe('为保护您的资金安全，这笔付款需要使用验证器验证码确认');
    await page.getByRole('dialog', { name: '请输入验证器中的 6 位验证码' }).waitFor();
    await page.locator('.adm-passcode-input-focused').waitFor();
    await shots.take(page, 'confirm-sheet-step-up-zh');
    // The authenticator's code is the strong factor itself: one confirm, no step-up.
    const direct = waitForConfirm(page);
    await page.keyboard.type(authenticator.next());
    expect((await readConfirm(await direct)).status).toBe(200);
    await expect.poll(() => page.getByTestId('result-title').textContent()).toBe('转账成功');
    await shots.take(page, 'transfer-done-totp-zh');

    // ---- In English: the PIN instead, then the step-up with the authenticator's code ----
    await page.evaluate("localStorage.setItem('qb_language', 'en')");
    await startTransfer(page, { phone: b.phone, amount: '1500', next: 'Next' });
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect
      .poll(() => note.textContent())
      .toBe('To protect your money, this payment needs your authenticator code');
    await page.locator('.adm-passcode-input-focused').waitFor();
    await shots.take(page, 'confirm-sheet-step-up-en');
    await page.getByRole('button', { name: 'Use my PIN instead' }).click();
    await expect.poll(() => note.textContent()).toBe('After your PIN, one more check follows');
    await page.getByRole('dialog', { name: 'Enter your payment PIN' }).waitFor();
    await page.locator('.adm-passcode-input-focused').waitFor();
    const refused = waitForConfirm(page);
    await page.keyboard.type(PIN);
    const first = await readConfirm(await refused);
    expect(first.json.error).toMatchObject({
      code: 'STEP_UP_REQUIRED',
      details: { methods: ['totp', 'sms'] },
    });

    const sheet = page.getByRole('dialog', { name: 'One more check' });
    const methods = sheet.getByRole('radiogroup', { name: 'Verify with' });
    await expect
      .poll(() => methods.getByRole('radio', { name: 'Authenticator' }).getAttribute('aria-checked'))
      .toBe('true');
    await methods.getByRole('radio', { name: 'SMS code' }).waitFor();
    await expect.poll(() => sheet.getByTestId('step-up-amount').textContent()).toBe('¥1,500.00');
    // The PIN sheet (and its number pad) has stepped aside.
    await expect.poll(() => page.getByRole('dialog', { name: 'Enter your payment PIN' }).count()).toBe(0);
    await shots.take(page, 'step-up-sheet-totp-en');
    const resent = waitForConfirm(page);
    await sheet.getByRole('textbox', { name: 'Authenticator code' }).fill(authenticator.next());
    await sheet.getByRole('button', { name: 'Verify and pay' }).click();
    const second = await readConfirm(await resent);
    expect(second.status).toBe(200);
    expect(second.key).toBe(first.key);
    expect(second.body).toBe(first.body);
    await expect.poll(() => page.getByTestId('result-title').textContent()).toBe('Sent');
    await shots.take(page, 'transfer-done-totp-en');
    await page.goto('/');
    await expectBalance(page, '¥1,000.00');

    expect(c.problems).toEqual([]);
  }, 180_000);
  it('a transfer held for review: the holder sees it under review, then paid once approved', async () => {
    const shots = screenshots('risk-review');
    const { page } = a;
    await activateRules(stack, operator, [REVIEW_RULE]);
    await page.evaluate("localStorage.setItem('qb_language', 'zh-CN')");
    await page.goto('/');
    // What the earlier tests left (¥1,000.00 when they pass): this test counts from it.
    await expect.poll(() => page.getByTestId('balance').textContent()).toMatch(/^¥[\d,]+\.\d\d$/);
    const start = yuan((await page.getByTestId('balance').textContent()) ?? '');
    expect(start).toBeGreaterThanOrEqual(600);

    // ---- ¥600 to B: confirmed with the PIN as always, then held ----
    await startTransfer(page, { phone: b.phone, amount: '600', next: '下一步' });
    await page.getByRole('button', { name: '确认转账' }).click();
    await page.locator('.adm-passcode-input-focused').waitFor();
    const confirmed = waitForConfirm(page);
    await page.keyboard.type(PIN);
    const held = await readConfirm(await confirmed);
    expect(held.status).toBe(200);
    await expect.poll(() => page.getByTestId('result-title').textContent()).toBe('转账审核中');
    await page.getByText('为保护您的资金安全，向 *明 的这笔转账需要审核').waitFor();
    await shots.take(page, 'held-zh');

    // ---- The bill list says it is under review; the money is on hold ----
    await page.goto('/history');
    const list = page.getByTestId('history-list');
    const row = list.getByRole('link', { name: /转账.*−¥600\.00/ });
    await expect.poll(() => row.first().textContent()).toContain('审核中');
    await shots.take(page, 'history-under-review-zh');
    await page.goto('/');
    await expectBalance(page, cny(start));
    await expect.poll(() => page.locator('.balance-available').textContent()).toContain(cny(start - 600));
    await shots.take(page, 'home-on-hold-zh');

    // ---- A risk operator approves it (API now; the console later) ----
    const headers = { 'content-type': 'application/json', ...operator };
    const queue = await fetch(`${stack.url}/v1/operator/risk/cases?status=open`, { headers });
    const { cases } = (await queue.json()) as { cases: { id: string; holderId: string; rules: string[] }[] };
    const mine = cases.find((c) => c.rules.includes('review_500'));
    expect(mine).toBeDefined();
    const approved = await fetch(`${stack.url}/v1/operator/risk/cases/${mine!.id}/approve`, {
      method: 'POST',
      headers,
      body: JSON.stringify({}),
    });
    expect(approved.status, await approved.clone().text()).toBe(200);

    // ---- Paid: the balance, the bill list (one row, no tag), the inbox ----
    await page.goto('/');
    await expectBalance(page, cny(start - 600));
    await page.goto('/history');
    await expect.poll(() => row.count()).toBe(1);
    await expect.poll(() => row.first().textContent()).not.toContain('审核中');
    await shots.take(page, 'history-paid-zh');
    await page.evaluate("localStorage.setItem('qb_language', 'en')");
    await page.reload();
    await expect.poll(() => list.getByRole('link', { name: /Transfer.*−¥600\.00/ }).count()).toBe(1);
    await shots.take(page, 'history-paid-en');

    expect(a.problems).toEqual([]);
  }, 180_000);
});

async function post<T>(page: Page, route: string, data: unknown) {
  const response = await page.request.post(route, { data });
  if (!response.ok()) throw new Error(`${route} answered ${response.status()}: ${await response.text()}`);
  return (await response.json()) as T;
}

interface Authenticator {
  /** A code of a 30-second step no earlier code used (the server takes each step once). */
  next(): string;
}

/** Two-step verification on, through the API; answers the holder's authenticator app. */
async function enableTotp(page: Page): Promise<Authenticator> {
  const { secret } = await post<{ secret: string }>(page, '/v1/me/totp/setup', {});
  const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
  let lastStep = -1;
  const next = () => {
    // The server accepts one step either side of its own: the next step is fine to use now.
    const step = Math.max(Math.floor(Date.now() / 30_000), lastStep + 1);
    lastStep = step;
    return totp.generate({ timestamp: step * 30_000 });
  };
  await post(page, '/v1/me/totp/enable', { code: next() });
  return { next };
}

/** The form of 转账 / Send, filled and sent on to the preview. */
async function startTransfer(page: Page, input: { phone: string; amount: string; next: string }) {
  await page.goto('/transfer');
  await page.locator('input[type="tel"]').fill(input.phone);
  await page.locator('input[inputmode="decimal"]').fill(input.amount);
  await page.getByRole('button', { name: input.next, exact: true }).click();
  await page.getByTestId('preview-amount').waitFor();
}

function waitForConfirm(page: Page): Promise<Response> {
  return page.waitForResponse(
    (response) =>
      response.request().method() === 'POST' &&
      /^\/v1\/payments\/[\w-]+\/confirm$/.test(new URL(response.url()).pathname),
  );
}

async function readConfirm(response: Response): Promise<Confirm> {
  return {
    status: response.status(),
    key: response.request().headers()['idempotency-key'],
    body: response.request().postData(),
    json: (await response.json()) as Confirm['json'],
  };
}

/** A code that is surely not `code`. */
function wrong(code: string): string {
  return code.slice(0, 5) + String((Number(code.at(-1)) + 1) % 10);
}

async function expectBalance(page: Page, text: string): Promise<void> {
  await expect.poll(() => page.getByTestId('balance').textContent(), { timeout: 10_000 }).toBe(text);
}

/** '¥1,000.00' → 1000 (whole yuan are enough here). */
function yuan(text: string): number {
  return Number(text.replace(/[¥,]/g, ''));
}

function cny(value: number): string {
  return `¥${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

function holder(stack: BrowserStack, name: string, id: string): Promise<Holder> {
  return verifiedHolder(stack, { legalName: name, idNumber: id, password: PASSWORD, pin: PIN });
}
