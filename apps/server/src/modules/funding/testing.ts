/** Test helpers of the cards and funding modules. Imported by tests only. */
import { expect } from 'vitest';
import { Ledger, verifyLedger } from '@qianbao/ledger';
import { createTestDatabase } from '../../../../../test/support/database.ts';
import type { TestDatabase } from '../../../../../test/support/database.ts';
import { SandboxBank } from '../../adapters/bank/index.ts';
import { sandboxCardNumber } from '../../adapters/bank/testing.ts';
import { buildApp } from '../../app.ts';
import type { App } from '../../app.ts';
import { SecretBox } from '../../crypto/secret-box.ts';
import { testConfig } from '../../testing.ts';
import { TestClock } from '../identity/testing.ts';
import type { TestHolder } from '../identity/testing.ts';
import { PUBLIC_ORIGIN, holderWithPin } from '../security/testing.ts';
import type { FundingHooks } from './service.ts';

export const TEST_PIN = '258036';
export const LEGAL_NAME = '王小明';

export interface FundingTestApp {
  app: App;
  ledger: Ledger;
  database: TestDatabase;
  bank: SandboxBank;
  clock: TestClock;
  logs: string[];
  /** Set a hook to throw at a crash point; reset to {} after the test. */
  hooks: FundingHooks;
  close(): Promise<void>;
}

/**
 * An app on its own database with the sandbox bank at zero latency, a clock the test moves, no
 * background worker (tests run `recover()` themselves) and mutable crash hooks.
 */
export async function createFundingTestApp(env: Record<string, string> = {}): Promise<FundingTestApp> {
  const clock = new TestClock();
  const logs: string[] = [];
  const database = await createTestDatabase();
  const ledger = await Ledger.open(database.pool);
  const bank = new SandboxBank({
    pool: database.pool,
    secretBox: new SecretBox(Buffer.alloc(32, 9)),
    now: clock.now,
    latencyMs: { min: 0, max: 0 },
    timeoutAfterMs: 0,
    pendingDelayMs: 60_000,
  });
  const hooks: FundingHooks = {};
  const app = await buildApp({
    config: testConfig({
      LOG_LEVEL: 'info',
      SESSION_IDLE_SECONDS: '86400',
      SESSION_MAX_AGE_SECONDS: '2592000',
      QIANBAO_PUBLIC_URL: PUBLIC_ORIGIN,
      FUNDING_RECOVERY_INTERVAL_MS: '0',
      ...env,
    }),
    pool: database.pool,
    ledger,
    now: clock.now,
    logStream: { write: (line) => void logs.push(line) },
    bank,
    // Delegate to the mutable object so a test can set a crash point after the app is built.
    fundingHooks: {
      afterHold: (id) => hooks.afterHold?.(id),
      beforeBankCall: (id) => hooks.beforeBankCall?.(id),
      afterBankCall: (id, outcome) => hooks.afterBankCall?.(id, outcome),
      beforePost: (id) => hooks.beforePost?.(id),
      afterWithdrawnRead: (id) => hooks.afterWithdrawnRead?.(id),
    },
  });
  return {
    app,
    ledger,
    database,
    bank,
    clock,
    logs,
    hooks,
    async close() {
      await app.drain();
      await bank.close();
      await ledger.close();
      await database.drop();
    },
  };
}

let idSequence = 0;

/** A fresh valid resident ID number (GB 11643) that the sandbox verifier matches. */
export function uniqueIdNumber(): string {
  idSequence += 1;
  const sequence = String(100 + ((process.pid + idSequence * 2) % 800)).padStart(3, '0');
  const day = String(1 + (idSequence % 28)).padStart(2, '0');
  const month = String(1 + (Math.floor(idSequence / 28) % 12)).padStart(2, '0');
  const body = `110105${1960 + (process.pid % 40)}${month}${day}${sequence}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((total, digit, i) => total + Number(digit) * weights[i]!, 0);
  return body + '10X98765432'[sum % 11]!;
}

export async function verifyRealName(app: App, holder: TestHolder, legalName = LEGAL_NAME): Promise<void> {
  const response = await app.inject({
    method: 'POST',
    url: '/v1/me/kyc/real-name',
    headers: holder.headers,
    payload: { legalName, idNumber: uniqueIdNumber() },
  });
  expect(response.statusCode, response.body).toBe(200);
}

/** A fresh debit card number of the bank in `example` (a magic card's), ending in `last4`. */
export function cardNumber(last4?: string, bin = '622202'): string {
  return sandboxCardNumber(bin, last4);
}

export function startVerification(subject: { app: App }, holder: TestHolder, number: string) {
  return subject.app.inject({
    method: 'POST',
    url: '/v1/me/cards/verification',
    headers: holder.headers,
    payload: { cardNumber: number, phone: holder.phone },
  });
}

/** The code the sandbox bank texted for a verification of a card ending in `last4`. */
export async function bankSmsCode(subject: FundingTestApp, last4: string): Promise<string> {
  const [latest] = await subject.bank.listSmsCodes({ cardLast4: last4, limit: 1 });
  if (!latest) throw new Error(`no bank SMS code for a card ending ${last4}`);
  return latest.code;
}

/**
 * Verify and bind a card; returns its id. On a FundingTestApp the code comes from its own sandbox
 * bank; on any other app (createTestApp's, whose bank is built inside), from the bank's dev route.
 */
export async function bindCard(
  subject: FundingTestApp | { app: App },
  holder: TestHolder,
  number: string,
): Promise<string> {
  const started = await startVerification(subject, holder, number);
  expect(started.statusCode, started.body).toBe(200);
  const { verificationId } = started.json<{ verificationId: string }>();
  const smsCode =
    'bank' in subject
      ? await bankSmsCode(subject, number.slice(-4))
      : (
          await subject.app.inject({
            method: 'GET',
            url: `/dev/bank/sms.json?cardLast4=${number.slice(-4)}&limit=1`,
          })
        ).json<{ codes: { code: string }[] }>().codes[0]!.code;
  const bound = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/cards',
    headers: holder.headers,
    payload: { verificationId, smsCode },
  });
  expect(bound.statusCode, bound.body).toBe(201);
  return bound.json<{ id: string }>().id;
}

/** A T1 holder with a PIN and a bound card (so T2), ready to top up and withdraw. */
export async function holderWithCard(
  subject: FundingTestApp,
  number = cardNumber(),
): Promise<{ holder: TestHolder; cardId: string; cardNumber: string }> {
  const holder = await holderWithPin({ ...subject, logs: subject.logs }, TEST_PIN);
  await verifyRealName(subject.app, holder);
  const cardId = await bindCard(subject, holder, number);
  return { holder, cardId, cardNumber: number };
}

let keys = 0;
export function newKey(): string {
  keys += 1;
  return `key-${process.pid}-${keys}-${Date.now()}`;
}

/** Money in CNY as the API takes it: `cny('10000')` is ¥100.00. */
export function cny(amount: string): { amount: string; currency: 'CNY' } {
  return { amount, currency: 'CNY' };
}

export function fund(
  subject: FundingTestApp,
  holder: TestHolder,
  input: {
    kind: 'top-ups' | 'withdrawals';
    cardId: string;
    /** Fen of CNY, e.g. '10000' for ¥100.00. */
    amount: string;
    key?: string;
    pin?: string | null;
  },
) {
  const pin = input.pin === undefined ? TEST_PIN : input.pin;
  return subject.app.inject({
    method: 'POST',
    url: `/v1/me/${input.kind}`,
    headers: { ...holder.headers, 'idempotency-key': input.key ?? newKey() },
    payload: {
      cardId: input.cardId,
      amount: cny(input.amount),
      ...(pin === null ? {} : { confirmation: { pin } }),
    },
  });
}

export async function walletBalance(
  subject: FundingTestApp,
  holder: TestHolder,
): Promise<{ balance: string; available: string }> {
  const response = await subject.app.inject({
    method: 'GET',
    url: '/v1/me/balance',
    headers: holder.headers,
  });
  expect(response.statusCode).toBe(200);
  const body = response.json<{ balance: { amount: string }; available: { amount: string } }>();
  return { balance: body.balance.amount, available: body.available.amount };
}

export async function expectBooksBalance(subject: FundingTestApp): Promise<void> {
  const report = await verifyLedger(subject.database.pool);
  expect(report.problems).toEqual([]);
}

/** Move past the recovery grace period and run one recovery pass. */
export async function recoverNow(subject: FundingTestApp) {
  subject.clock.advance(3600);
  return subject.app.services.funding.recover();
}
