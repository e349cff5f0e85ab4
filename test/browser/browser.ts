/**
 * Browser tests: a real `qianbao start` on its own test database serving the built web app, and
 * Debian's Chromium driven by playwright-core on a phone-sized screen. Imported by
 * `*.browser.test.ts` files only.
 */
import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { REPO_ROOT } from '../../apps/cli/src/testing.ts';
import { createTestDatabase } from '../support/database.ts';
import type { TestDatabase } from '../support/database.ts';
import { assertBooksBalance } from '../e2e/ledger-http.ts';
import { killAllServers, startServerProcess } from '../e2e/server-process.ts';
import type { ServerProcess } from '../e2e/server-process.ts';

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];
const SCREENSHOTS = path.join(REPO_ROOT, 'test-results/screenshots');
/** antd-mobile's transitions take about 300 ms. */
const SETTLE_MS = 350;

let webBuild: Promise<void> | undefined;

/**
 * Builds apps/web when its sources changed (once per test worker; the script's lock lets
 * parallel workers share one build).
 */
export function ensureWebBuilt(): Promise<void> {
  webBuild ??= promisify(execFile)(process.execPath, ['scripts/build-web.mjs'], {
    cwd: REPO_ROOT,
    timeout: 300_000,
  }).then(
    () => undefined,
    (error: Error & { stderr?: string; stdout?: string }) => {
      throw new Error(
        `building the web app failed: ${error.message}\n${error.stdout ?? ''}${error.stderr ?? ''}`,
      );
    },
  );
  return webBuild;
}

export interface BrowserStack {
  server: ServerProcess;
  database: TestDatabase;
  browser: Browser;
  /** The server's base URL, e.g. `http://127.0.0.1:43211`. */
  url: string;
  close(): Promise<void>;
}

/** The web app built, a server on a fresh database, and Chromium. For `beforeAll`. */
export async function startBrowserStack(
  options: { env?: Record<string, string> } = {},
): Promise<BrowserStack> {
  await ensureWebBuilt();
  const database = await createTestDatabase(4);
  let server: ServerProcess | undefined;
  try {
    server = await startServerProcess({
      databaseUrl: database.url,
      ...(options.env ? { env: options.env } : {}),
    });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const running = server;
    return {
      server: running,
      database,
      browser,
      url: running.url,
      /** Stops everything; the books must balance after whatever the test clicked through. */
      async close() {
        try {
          await browser.close();
          await running.stop();
          await assertBooksBalance(database.pool);
        } finally {
          await database.drop();
        }
      },
    };
  } catch (error) {
    if (server) await server.kill();
    killAllServers();
    await database.drop();
    throw error;
  }
}

export interface PhonePage {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions and console errors seen so far (failed-resource lines excluded). */
  problems: string[];
}

/** A fresh browser profile on a phone-sized screen, in Chinese. */
export async function openPhone(stack: BrowserStack, options: { locale?: string } = {}): Promise<PhonePage> {
  const context = await stack.browser.newContext({
    baseURL: stack.url,
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: options.locale ?? 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  return pageIn(context);
}

/** A new page of `context`, its uncaught errors and console errors collected as `problems`. */
export async function pageIn(context: BrowserContext): Promise<PhonePage> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // A 4xx answer is logged by Chromium as "Failed to load resource"; the app handles those.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      problems.push(`console error: ${message.text()}`);
    }
  });
  return { context, page, problems };
}

/**
 * Screenshots of one test, numbered in order: `test-results/screenshots/<test>/<nn>-<name>.png`.
 * The folder is emptied first, so it holds exactly the last run's screens.
 */
export function screenshots(testName: string) {
  const folder = path.join(SCREENSHOTS, testName);
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  let count = 0;
  const taken: string[] = [];
  return {
    folder,
    taken,
    async take(page: Page, name: string): Promise<string> {
      count += 1;
      const file = path.join(folder, `${String(count).padStart(2, '0')}-${name}.png`);
      // Let requests, toasts and dialogs settle, so the picture shows the screen as a person sees
      // it (antd-mobile animates in JavaScript, which `animations: 'disabled'` does not stop).
      await page.waitForLoadState('networkidle');
      await page
        .locator('.adm-toast-mask')
        .waitFor({ state: 'detached', timeout: 5000 })
        .catch(() => undefined);
      await page.waitForTimeout(SETTLE_MS);
      await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
      taken.push(path.relative(REPO_ROOT, file));
      return file;
    },
  };
}

export interface VirtualAuthenticator {
  session: CDPSession;
  authenticatorId: string;
  /** The passkeys the authenticator holds. */
  credentials(): Promise<{ credentialId: string; isResidentCredential: boolean; rpId?: string }[]>;
  remove(): Promise<void>;
}

/**
 * A platform authenticator (the phone's fingerprint or face) through Chrome DevTools' WebAuthn
 * domain: resident keys, user verification that always succeeds.
 */
export async function addVirtualAuthenticator(page: Page): Promise<VirtualAuthenticator> {
  const session = await page.context().newCDPSession(page);
  await session.send('WebAuthn.enable');
  const { authenticatorId } = await session.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    session,
    authenticatorId,
    async credentials() {
      const { credentials } = await session.send('WebAuthn.getCredentials', { authenticatorId });
      return credentials;
    },
    async remove() {
      await session.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
    },
  };
}

interface SandboxSms {
  phone: string;
  code: string | null;
  createdAt: string;
}

/**
 * The newest SMS code sent to `phone`, from the sandbox outbox (`/dev/sms.json`). Waits briefly:
 * the code is sent while the page shows its countdown.
 */
export async function latestSmsCode(
  baseUrl: string,
  phone: string,
  options: { after?: string } = {},
): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const response = await fetch(`${baseUrl}/dev/sms.json?phone=${encodeURIComponent(phone)}`);
    if (!response.ok) throw new Error(`/dev/sms.json answered ${response.status}: ${await response.text()}`);
    const { messages } = (await response.json()) as { messages: SandboxSms[] };
    const newest = messages.find(
      (message) => message.code && (!options.after || message.createdAt > options.after),
    );
    if (newest?.code) return newest.code;
    if (Date.now() > deadline) throw new Error(`no SMS code for ${phone} in the sandbox outbox`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A mainland mobile number nobody in this run has used: 139 + 8 random digits. */
export function randomPhone(): string {
  return `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
}

/** A holder made through the API (not the UI), signed in on a device other than the browser's. */
/** Register on the screens (phone, the outbox's SMS code, password) and land on Home. */
export async function registerOnScreens(
  page: Page,
  baseUrl: string,
  holder: { phone: string; password: string },
): Promise<void> {
  await page.goto('/register');
  await page.getByLabel('手机号', { exact: true }).fill(holder.phone);
  await page.getByRole('button', { name: '获取验证码' }).click();
  await page.getByText(/\d+ 秒后重发/).waitFor();
  await page.getByLabel('验证码', { exact: true }).fill(await latestSmsCode(baseUrl, holder.phone));
  await page.getByLabel('登录密码', { exact: true }).fill(holder.password);
  await page.getByRole('button', { name: '注册并登录' }).click();
  await page.waitForURL((url) => url.pathname === '/');
}

/** As the signed-in page's holder, through the API: real name (tier T1), then the payment PIN. */
export async function verifyAndSetPin(
  page: Page,
  baseUrl: string,
  holder: { phone: string; password: string; legalName: string; idNumber: string; pin: string },
): Promise<void> {
  const post = async (route: string, data: unknown) => {
    const response = await page.request.post(route, { data });
    if (!response.ok()) throw new Error(`${route} answered ${response.status()}: ${await response.text()}`);
  };
  await post('/v1/me/kyc/real-name', { legalName: holder.legalName, idNumber: holder.idNumber });
  const before = new Date().toISOString();
  await post('/v1/me/sms-codes', {});
  await post('/v1/me/pin', {
    password: holder.password,
    smsCode: await latestSmsCode(baseUrl, holder.phone, { after: before }),
    pin: holder.pin,
  });
}

export async function registerThroughApi(
  baseUrl: string,
  holder: { phone: string; password: string },
): Promise<void> {
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  };
  await post('/v1/auth/sms-codes', { phone: holder.phone, purpose: 'register' });
  const code = await latestSmsCode(baseUrl, holder.phone);
  await post('/v1/auth/register', {
    phone: holder.phone,
    code,
    password: holder.password,
    deviceId: 'browser-test-other-device',
    deviceName: 'Test phone',
  });
}

/**
 * As the signed-in page's holder, through the API: bind `card` (the sandbox bank's SMS code) and
 * top up `fen` from it with the PIN; waits until the balance shows it (at most 10 s).
 */
export async function fundByCard(
  page: Page,
  baseUrl: string,
  holder: { phone: string; card: string; fen: string; pin: string },
): Promise<void> {
  const post = async <T>(route: string, data: unknown, headers: Record<string, string> = {}): Promise<T> => {
    const response = await page.request.post(route, { data, headers });
    if (!response.ok()) throw new Error(`${route} answered ${response.status()}: ${await response.text()}`);
    return (await response.json()) as T;
  };
  const { verificationId } = await post<{ verificationId: string }>('/v1/me/cards/verification', {
    cardNumber: holder.card,
    phone: holder.phone,
  });
  const bound = await post<{ id: string }>('/v1/me/cards', {
    verificationId,
    smsCode: await bankSmsCode(baseUrl, holder.card.slice(-4)),
  });
  const quoted = await post<{ id: string }>('/v1/payments', {
    kind: 'top_up',
    cardId: bound.id,
    amount: { amount: holder.fen, currency: 'CNY' },
  });
  await post(
    `/v1/payments/${quoted.id}/confirm`,
    { confirmation: { pin: holder.pin } },
    {
      'Idempotency-Key': randomUUID(),
    },
  );
  const deadline = Date.now() + 10_000;
  for (;;) {
    const response = await page.request.get('/v1/me/balance');
    const { balance } = (await response.json()) as { balance: { amount: string } };
    if (BigInt(balance.amount) >= BigInt(holder.fen)) return;
    if (Date.now() > deadline)
      throw new Error(`the top-up of ${holder.fen} fen did not arrive: ${balance.amount}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The sandbox bank's latest SMS code for a card (its last four digits). */
export async function bankSmsCode(baseUrl: string, last4: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const response = await fetch(`${baseUrl}/dev/bank/sms.json?cardLast4=${last4}`);
    const { codes } = (await response.json()) as { codes: { code: string }[] };
    if (codes[0]?.code) return codes[0].code;
    if (Date.now() > deadline) throw new Error(`no bank SMS code for card ${last4}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A resident ID number with a valid check digit (the sandbox verifier matches unless sequence 999). */
export function idNumber(body17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body17].reduce((total, digit, index) => total + Number(digit) * (weights[index] ?? 0), 0);
  return body17 + '10X98765432'.charAt(sum % 11);
}

/** A holder in a browser profile of its own: registered through the screens, real name and PIN by API. */
export async function verifiedHolder(
  stack: BrowserStack,
  holder: { legalName: string; idNumber: string; password: string; pin: string },
): Promise<PhonePage & { phone: string }> {
  const phone = randomPhone();
  const opened = await openPhone(stack);
  await registerOnScreens(opened.page, stack.url, { phone, password: holder.password });
  await verifyAndSetPin(opened.page, stack.url, { phone, ...holder });
  return { ...opened, phone };
}

/**
 * Wait until the phone's last SMS is older than the stack's resend wait (SMS_RESEND_SECONDS: 10 in
 * the tests that call this): a code asked for sooner is not sent again (the one sent is still
 * good), which a test reading "the code sent after I clicked" would not find.
 */
export async function resendWindowPassed(baseUrl: string, phone: string, resendSeconds = 10): Promise<void> {
  const response = await fetch(`${baseUrl}/dev/sms.json?phone=${encodeURIComponent(phone)}`);
  const { messages } = (await response.json()) as { messages: { createdAt: string }[] };
  const last = Math.max(0, ...messages.map((message) => Date.parse(message.createdAt)));
  const wait = last + resendSeconds * 1000 + 500 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}
