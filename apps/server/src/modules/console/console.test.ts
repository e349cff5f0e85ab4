import type { VerifyReport } from '@qianbao/ledger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleService } from './service.ts';
import type { ConsoleServiceDeps } from './service.ts';
import { maskIdNumber } from '../kyc/index.ts';
import { registerHolder } from '../identity/testing.ts';
import type { TestHolder } from '../identity/testing.ts';
import { Secret, TOTP } from 'otpauth';
import type { OperatorRole } from '../operator/index.ts';
import { createSecurityTestApp, holderWithPin } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import { PIN, cny, fund, send, uniqueIdNumber } from '../transfers/testing.ts';

let subject: SecurityTestApp;
let payer: TestHolder;
let payee: TestHolder;
let payerIdNumber: string;
let support: SignedInOperator;
let finance: SignedInOperator;
let admin: SignedInOperator;

beforeAll(async () => {
  subject = await createSecurityTestApp();
  payer = await holderWithPin(subject);
  payee = await registerHolder(subject.app);
  payerIdNumber = uniqueIdNumber();
  const verified = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/kyc/real-name',
    headers: payer.headers,
    payload: { legalName: '欧阳明月', idNumber: payerIdNumber },
  });
  expect(verified.statusCode, verified.body).toBe(200);
  await fund(subject, payer, 100_000n);
  const sent = await send(subject, payer, {
    toPhone: payee.phone,
    amount: cny('1234'),
    confirmation: { pin: PIN },
  });
  expect(sent.statusCode, sent.body).toBe(201);
  support = await signedInOperator(subject, 'support');
  finance = await signedInOperator(subject, 'finance');
  admin = await signedInOperator(subject, 'admin');
});
afterAll(async () => subject.close());

interface SignedInOperator {
  id: string;
  headers: { authorization: string };
}

/** An operator of `role`, signed in with password and TOTP at the app's clock (which the holders' SMS codes move). */
async function signedInOperator(app: SecurityTestApp, role: OperatorRole): Promise<SignedInOperator> {
  const username = `console-${role.replace('_', '-')}-${Math.random().toString(36).slice(2, 10)}`;
  const created = await app.app.services.operator.create({ username, role });
  const totp = new TOTP({ secret: Secret.fromBase32(created.totpSecret), digits: 6, period: 30 });
  const login = await app.app.inject({
    method: 'POST',
    url: '/v1/operator/login',
    payload: {
      username,
      password: created.password,
      totpCode: totp.generate({ timestamp: app.clock.now().getTime() }),
    },
  });
  expect(login.statusCode, login.body).toBe(200);
  return {
    id: created.operator.id,
    headers: { authorization: `Bearer ${login.json<{ token: string }>().token}` },
  };
}

function get(operator: SignedInOperator, url: string) {
  return subject.app.inject({ method: 'GET', url, headers: operator.headers });
}
function post(operator: SignedInOperator, url: string, payload: Record<string, unknown> = {}) {
  return subject.app.inject({ method: 'POST', url, headers: operator.headers, payload });
}

interface Hit {
  userId: string;
  phone: string;
  idNumber: string | null;
  matchedBy: string[];
}
async function search(q: string): Promise<Hit[]> {
  const response = await get(support, `/v1/operator/holders?q=${encodeURIComponent(q)}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ holders: Hit[] }>().holders;
}

async function auditEntries(action: string) {
  const response = await get(admin, `/v1/operator/audit-log?action=${encodeURIComponent(action)}&limit=100`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{
    entries: { action: string; target: string | null; details: Record<string, unknown> }[];
  }>().entries;
}

describe('holder search', () => {
  it('finds a holder by phone, last 4 of the phone, ID number (full, masked, last 4) and exact legal name', async () => {
    const ids = (hits: Hit[]) => hits.map((hit) => hit.userId);
    expect(ids(await search(payer.phone))).toEqual([payer.userId]);
    expect(ids(await search(payer.phone.slice(-4)))).toContain(payer.userId);
    expect(ids(await search(payerIdNumber))).toEqual([payer.userId]);
    const masked = maskIdNumber(payerIdNumber);
    expect(ids(await search(masked))).toEqual([payer.userId]);
    expect(ids(await search(payerIdNumber.slice(-4)))).toContain(payer.userId);
    expect(ids(await search('欧阳明月'))).toEqual([payer.userId]);
    expect(await search('欧阳明')).toEqual([]); // exact names only: the name itself is never kept
    expect(ids(await search(payer.userId))).toEqual([payer.userId]);
  });

  it('never answers a full ID number or phone', async () => {
    const response = await get(support, `/v1/operator/holders?q=${payerIdNumber}`);
    expect(response.body).not.toContain(payerIdNumber);
    expect(response.body).not.toContain(payer.phone);
    const [hit] = response.json<{ holders: Hit[] }>().holders;
    expect(hit!.idNumber).toBe(maskIdNumber(payerIdNumber));
    expect(hit!.matchedBy).toEqual(['idNumber']);
  });

  it('30 searches at once while the index catches up give the same answer and one index entry', async () => {
    const holder = await holderWithPin(subject);
    const idNumber = uniqueIdNumber();
    const verified = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/kyc/real-name',
      headers: holder.headers,
      payload: { legalName: '司马光', idNumber },
    });
    expect(verified.statusCode, verified.body).toBe(200);
    const answers = await Promise.all(Array.from({ length: 30 }, () => search('司马光')));
    for (const hits of answers) expect(hits.map((hit) => hit.userId)).toEqual([holder.userId]);
    const { rows } = await subject.database.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM console_holder_index WHERE user_id = $1',
      [holder.userId],
    );
    expect(rows[0]!.n).toBe(1);
  });

  it('a finance operator may search (holders:read); a signed-out caller may not', async () => {
    expect((await get(finance, `/v1/operator/holders?q=${payer.phone}`)).statusCode).toBe(200);
    const anonymous = await subject.app.inject({
      method: 'GET',
      url: `/v1/operator/holders?q=${payer.phone}`,
    });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('holder page', () => {
  it('shows profile, tier and limits with what was used today, balances, movements and freezes; ID masked', async () => {
    const response = await get(support, `/v1/operator/holders/${payer.userId}`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.body).not.toContain(payerIdNumber);
    const page = response.json<{
      profile: { realName: { idNumber: string; name: string } };
      tier: string;
      limits: { usedToday: { amount: string } };
      accounts: { id: string; currency: string; kind: string; balance: { amount: string } }[];
      movements: { direction: string; amount: { amount: string } }[];
      freeze: { mode: string };
      sessions: unknown[];
      devices: unknown[];
      tickets: unknown;
    }>();
    expect(page.profile.realName.idNumber).toBe(maskIdNumber(payerIdNumber));
    expect(page.profile.realName.name).toBe('***月');
    expect(page.tier).toBe('T1');
    expect(page.limits.usedToday.amount).toBe('1234');
    const wallet = page.accounts.find((account) => account.id === payer.walletAccountId);
    expect(wallet).toMatchObject({
      currency: 'CNY',
      kind: 'wallet',
      balance: { amount: String(100_000 - 1234) },
    });
    expect(page.movements[0]).toMatchObject({ direction: 'out', amount: { amount: '1234' } });
    expect(page.freeze.mode).toBe('none');
    expect(page.sessions.length).toBeGreaterThan(0);
    expect(page.devices.length).toBeGreaterThan(0);
    expect(page.tickets).toEqual([]); // the support module's, wired in app.ts
  });

  it('an unknown holder is CONSOLE_HOLDER_NOT_FOUND', async () => {
    const response = await get(support, '/v1/operator/holders/01890000-0000-7000-8000-000000000000');
    expect(response.json()).toMatchObject({ error: { code: 'CONSOLE_HOLDER_NOT_FOUND' } });
  });
});

describe('notes', () => {
  it('an operator adds notes, audited; 30 at once are 30 notes and 30 audit entries', async () => {
    const holder = await registerHolder(subject.app);
    const made = await post(support, `/v1/operator/holders/${holder.userId}/notes`, { text: '来电询问限额' });
    expect(made.statusCode, made.body).toBe(201);
    const note = made.json<{ operatorId: string; operatorName: string; text: string }>();
    expect(note).toMatchObject({ operatorId: support.id, text: '来电询问限额' });
    expect(note.operatorName).toMatch(/^console-support-/);
    const parallel = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        post(support, `/v1/operator/holders/${holder.userId}/notes`, { text: `note ${index}` }),
      ),
    );
    expect(parallel.map((response) => response.statusCode)).toEqual(parallel.map(() => 201));
    const notes = await get(support, `/v1/operator/holders/${holder.userId}/notes`);
    expect(notes.json<{ notes: unknown[] }>().notes).toHaveLength(31);
    const audited = (await auditEntries('console.note_added')).filter(
      (entry) => entry.target === holder.userId,
    );
    expect(audited).toHaveLength(31);
    const empty = await post(support, `/v1/operator/holders/${holder.userId}/notes`, { text: '   ' });
    expect(empty.statusCode).toBe(400);
  });
});

describe('reveal', () => {
  it('answers the full ID number with a reason, and audits the reason but never the value', async () => {
    const noReason = await post(support, `/v1/operator/holders/${payer.userId}/reveal`, {
      field: 'idNumber',
    });
    expect(noReason.statusCode).toBe(400);
    const short = await post(support, `/v1/operator/holders/${payer.userId}/reveal`, {
      field: 'idNumber',
      reason: 'abc',
    });
    expect(short.statusCode).toBe(400);
    const revealed = await post(support, `/v1/operator/holders/${payer.userId}/reveal`, {
      field: 'idNumber',
      reason: '持卡人来电核实身份',
    });
    expect(revealed.statusCode, revealed.body).toBe(200);
    expect(revealed.json()).toEqual({ field: 'idNumber', value: payerIdNumber, complete: true });
    const entries = (await auditEntries('console.pii_revealed')).filter(
      (entry) => entry.target === payer.userId,
    );
    expect(entries[0]!.details).toMatchObject({ field: 'idNumber', reason: '持卡人来电核实身份' });
    expect(JSON.stringify(entries)).not.toContain(payerIdNumber);
  });

  it('needs pii:reveal (finance has not), a verified holder, and a card of the holder', async () => {
    const refused = await post(finance, `/v1/operator/holders/${payer.userId}/reveal`, {
      field: 'idNumber',
      reason: 'just looking',
    });
    expect(refused.statusCode).toBe(403);
    const unverified = await post(support, `/v1/operator/holders/${payee.userId}/reveal`, {
      field: 'idNumber',
      reason: 'verify identity',
    });
    expect(unverified.json()).toMatchObject({ error: { code: 'CONSOLE_NOTHING_TO_REVEAL' } });
    const noCard = await post(support, `/v1/operator/holders/${payer.userId}/reveal`, {
      field: 'cardNumber',
      cardId: '01890000-0000-7000-8000-000000000000',
      reason: 'verify card',
    });
    expect(noCard.json()).toMatchObject({ error: { code: 'CONSOLE_NOTHING_TO_REVEAL' } });
  });
});

describe('ledger explorer', () => {
  it('finds accounts by owner and phone, lists their transfers, and reads a transfer and the journal', async () => {
    const byPhone = await get(finance, `/v1/operator/ledger/accounts?q=${payer.phone}`);
    expect(byPhone.statusCode, byPhone.body).toBe(200);
    const accounts = byPhone.json<{ accounts: { id: string }[] }>().accounts;
    expect(accounts.map((account) => account.id)).toContain(payer.walletAccountId);
    const byOwner = await get(finance, `/v1/operator/ledger/accounts?q=user:${payer.userId}`);
    expect(byOwner.json<{ accounts: unknown[] }>().accounts).toEqual(accounts);
    const transfers = await get(
      finance,
      `/v1/operator/ledger/accounts/${payer.walletAccountId}/transfers?limit=10`,
    );
    expect(transfers.statusCode, transfers.body).toBe(200);
    const list = transfers.json<{ transfers: { id: string; amount: { amount: string } }[] }>().transfers;
    expect(list.length).toBeGreaterThanOrEqual(2);
    const one = await get(finance, `/v1/operator/ledger/transfers/${list[0]!.id}`);
    expect(one.json()).toMatchObject({ id: list[0]!.id });
    const journal = await get(finance, '/v1/operator/ledger/journal?limit=2');
    const records = journal.json<{ records: { seq: string; prevHash: string; hash: string }[] }>().records;
    expect(records).toHaveLength(2);
    expect(records[0]!.prevHash).toBe(records[1]!.hash); // the chain, newest first
    const missing = await get(finance, '/v1/operator/ledger/transfers/01890000-0000-7000-8000-000000000000');
    expect(missing.json()).toMatchObject({ error: { code: 'CONSOLE_TRANSFER_NOT_FOUND' } });
    expect((await get(support, `/v1/operator/ledger/accounts?q=${payer.phone}`)).statusCode).toBe(403);
  });

  it('verify runs the check of `npx qianbao verify`: 30 at once share it; a broken book shows', async () => {
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => post(finance, '/v1/operator/ledger/verify')),
    );
    for (const answer of answers) {
      expect(answer.statusCode, answer.body).toBe(200);
      expect(answer.json()).toMatchObject({
        ok: true,
        books: { ok: true },
        auditLog: { ok: true },
        problemsFound: 0,
      });
    }
    const audited = await auditEntries('console.ledger_verified');
    expect(audited.length).toBeGreaterThanOrEqual(30);
    // Break the books behind the ledger's back (a counter no transfer explains), then put it back.
    await subject.database.pool.query(
      'UPDATE ledger_accounts SET credits_posted = credits_posted + 1 WHERE id = $1',
      [payee.walletAccountId],
    );
    try {
      const broken = await post(finance, '/v1/operator/ledger/verify');
      expect(broken.json()).toMatchObject({ ok: false, books: { ok: false } });
      expect(broken.json<{ problemsFound: number }>().problemsFound).toBeGreaterThan(0);
    } finally {
      await subject.database.pool.query(
        'UPDATE ledger_accounts SET credits_posted = credits_posted - 1 WHERE id = $1',
        [payee.walletAccountId],
      );
    }
  });
});

describe('dashboard', () => {
  it("shows today's volume, payments this minute, open KYC reviews; needs dashboard:read", async () => {
    const response = await get(support, '/v1/operator/dashboard');
    expect(response.statusCode, response.body).toBe(200);
    const dashboard = response.json<{
      volume: { amount: { amount: string; currency: string }; count: number }[];
      paymentsPerMinute: { minute: string; count: number }[];
      open: Record<string, number | null>;
    }>();
    // The transfer of 12.34 (test funding is not a payment).
    expect(dashboard.volume).toEqual([{ amount: { amount: '1234', currency: 'CNY' }, count: 1 }]);
    expect(dashboard.paymentsPerMinute).toHaveLength(60);
    expect(dashboard.paymentsPerMinute.reduce((sum, point) => sum + point.count, 0)).toBe(1);
    expect(dashboard.open).toEqual({
      riskCases: 0,
      kycReviews: 0,
      merchantReviews: 0,
      tickets: 0,
      disputes: 0,
    });
  });
});

describe('verify, alone', () => {
  it('30 requests while one verification runs share it: one run of the check', async () => {
    let runs = 0;
    let finish: (report: VerifyReport) => void = () => {};
    const audits: unknown[] = [];
    const service = new ConsoleService({
      verifyBooks: () => {
        runs++;
        return new Promise<VerifyReport>((resolve) => (finish = resolve));
      },
      operators: {
        audit: (entry: unknown) => Promise.resolve(void audits.push(entry)),
        verifyAuditLog: () =>
          Promise.resolve({
            ok: true,
            entries: 0,
            unchained: 0,
            headSeq: null,
            firstBrokenSeq: null,
            problems: [],
            problemCount: 0,
          }),
      },
    } as unknown as ConsoleServiceDeps);
    const answers = Promise.all(Array.from({ length: 30 }, () => service.verifyBooks('operator')));
    await new Promise((resolve) => setTimeout(resolve, 10));
    finish({
      ok: true,
      batches: 0,
      transfers: 0,
      accounts: 0,
      journal: { keyedFromSeq: null, keyChecked: false },
      checkpoints: null,
      trialBalance: [],
      problemsFound: 0,
      problems: [],
    } as unknown as VerifyReport);
    expect((await answers).every((answer) => answer.ok)).toBe(true);
    expect(runs).toBe(1);
    expect(audits).toHaveLength(30);
    // The next request after it ended runs the check again.
    const again = service.verifyBooks('operator');
    await new Promise((resolve) => setTimeout(resolve, 10));
    finish({
      ok: false,
      problemsFound: 1,
      problems: ['x'],
      trialBalance: [],
      journal: { keyedFromSeq: null, keyChecked: false },
      checkpoints: null,
    } as unknown as VerifyReport);
    expect((await again).ok).toBe(false);
    expect(runs).toBe(2);
  });
});
