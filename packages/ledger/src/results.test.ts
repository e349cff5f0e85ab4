import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openTestLedger, type TestLedger } from '../../../test/support/ledger.ts';
import { newId } from './ids.ts';
import { AccountFlags, TransferFlags } from './types.ts';
import type { TransferInput, TransferResult } from './types.ts';

let t: TestLedger;
beforeAll(async () => (t = await openTestLedger()));
afterEach(async () => t.assertBooks());
afterAll(async () => t.close());

const F = TransferFlags;

async function one(input: TransferInput) {
  const [outcome] = await t.ledger.createTransfers([input]);
  return outcome!;
}

async function results(inputs: TransferInput[]): Promise<TransferResult[]> {
  return (await t.ledger.createTransfers(inputs)).map((o) => o.result);
}

function transfer(
  debit: string,
  credit: string,
  amount: bigint,
  extra: Partial<TransferInput> = {},
): TransferInput {
  return {
    id: newId(),
    debitAccountId: debit,
    creditAccountId: credit,
    amount,
    currency: 'CNY',
    code: 10,
    ...extra,
  };
}

describe('static validation (from the input alone, in precedence order)', () => {
  it('answers each problem with its own code, the first applicable one winning', async () => {
    const a = await t.customer();
    const b = await t.customer();
    const base = transfer(a, b, 1n);
    const cases: [Partial<TransferInput>, TransferResult][] = [
      [{ id: 'not-a-uuid' }, 'invalidId'],
      [{ id: '00000000-0000-0000-0000-000000000000' }, 'invalidId'],
      // invalidId beats invalidFlags
      [{ id: 'x', flags: 1 << 9 }, 'invalidId'],
      [{ flags: 1 << 9 }, 'invalidFlags'],
      [{ flags: F.pending | F.postPending }, 'invalidFlags'],
      [{ flags: F.voidPending | F.expired }, 'invalidFlags'],
      // invalidFlags beats invalidCode
      [{ flags: F.pending | F.voidPending, code: 0 }, 'invalidFlags'],
      [{ code: 0 }, 'invalidCode'],
      [{ code: 70000 }, 'invalidCode'],
      [{ debitAccountId: undefined }, 'accountIdRequired'],
      [{ creditAccountId: 'nope' }, 'invalidId'],
      [{ creditAccountId: a }, 'accountsMustBeDifferent'],
      [{ pendingId: newId() }, 'pendingIdMustBeAbsent'],
      [{ amount: 0n }, 'amountMustBePositive'],
      [{ amount: -5n }, 'amountMustBePositive'],
      [{ amount: undefined }, 'amountMustBePositive'],
      [{ currency: undefined }, 'currencyRequired'],
      [{ timeoutSeconds: 10 }, 'timeoutReservedForPending'],
      [{ flags: F.pending, timeoutSeconds: -1 }, 'invalidTimeout'],
      [{ flags: F.pending, timeoutSeconds: 1.5 }, 'invalidTimeout'],
      [{ userData: 'x'.repeat(513) }, 'userDataTooLong'],
      [{ flags: F.postPending }, 'pendingIdRequired'],
      [{ flags: F.voidPending, pendingId: 'bad' }, 'invalidId'],
      [{ flags: F.postPending, pendingId: newId(), amount: 0n }, 'amountMustBePositive'],
      [{ flags: F.voidPending, pendingId: newId(), timeoutSeconds: 5 }, 'timeoutReservedForPending'],
    ];
    for (const [change, expected] of cases) {
      const outcome = await one({ ...base, id: newId(), ...change });
      expect([change, outcome.result]).toEqual([change, expected]);
    }
    expect((await t.ledger.getBalance(a))!.debitsPosted).toBe(0n);
  });

  it('does not remember static failures: a corrected retry with the same id succeeds', async () => {
    const a = await t.customer();
    const b = await t.customer();
    await t.fund(a, 100n);
    const id = newId();
    expect((await one(transfer(a, b, 0n, { id }))).result).toBe('amountMustBePositive');
    expect((await one(transfer(a, b, 5n, { id }))).result).toBe('ok');
  });

  it('fails an open linked chain (last transfer still linked) as a whole', async () => {
    const a = await t.customer();
    const b = await t.customer();
    await t.fund(a, 100n);
    expect(
      await results([transfer(a, b, 1n, { flags: F.linked }), transfer(a, b, 1n, { flags: F.linked })]),
    ).toEqual(['linkedEventFailed', 'linkedChainOpen']);
  });
});

describe('history: exists, existsWithDifferentFields, idAlreadyFailed', () => {
  it('returns the first result for the same id and content, and moves money once', async () => {
    const a = await t.customer();
    const b = await t.customer();
    await t.fund(a, 100n);
    const input = transfer(a, b, 30n);
    const first = await one(input);
    const again = await one(input);
    expect(first.result).toBe('ok');
    expect(again.result).toBe('exists');
    expect(again.transfer).toEqual(first.transfer);
    expect((await t.ledger.getBalance(a))!.postedBalance).toBe(70n);
  });

  it('refuses the same id with different content', async () => {
    const a = await t.customer();
    const b = await t.customer();
    await t.fund(a, 100n);
    const input = transfer(a, b, 30n);
    await one(input);
    for (const change of [
      { amount: 31n },
      { code: 11 },
      { userData: 'x' },
      { creditAccountId: a, debitAccountId: b },
    ]) {
      expect((await one({ ...input, ...change })).result).toBe('existsWithDifferentFields');
    }
  });

  it('remembers a state-dependent failure so a retry can never flip it', async () => {
    const a = await t.customer();
    const b = await t.customer();
    const input = transfer(a, b, 50n);
    expect((await one(input)).result).toBe('insufficientFunds');
    await t.fund(a, 100n); // now it would succeed…
    const retry = await one(input);
    expect(retry.result).toBe('idAlreadyFailed'); // …but the id already failed
    expect(retry.failedWith).toBe('insufficientFunds');
    expect((await t.ledger.getBalance(a))!.postedBalance).toBe(100n);
  });

  it('exists within one batch: two requests with the same id, one transfer', async () => {
    const a = await t.customer();
    const b = await t.customer();
    await t.fund(a, 100n);
    const input = transfer(a, b, 10n);
    const [first, second] = await Promise.all([one(input), one(input)]);
    expect([first.result, second.result].sort()).toEqual(['exists', 'ok']);
    expect((await t.ledger.getBalance(a))!.postedBalance).toBe(90n);
  });
});

describe('references', () => {
  it('accountNotFound for either side, before currencyMismatch', async () => {
    const a = await t.customer();
    const usd = await t.customer('USD');
    expect((await one(transfer(newId(), a, 1n))).result).toBe('accountNotFound');
    expect((await one(transfer(a, newId(), 1n))).result).toBe('accountNotFound');
    expect((await one(transfer(a, usd, 1n))).result).toBe('currencyMismatch');
    const b = await t.customer();
    expect((await one(transfer(a, b, 1n, { currency: 'USD' }))).result).toBe('currencyMismatch');
  });

  it('modeMismatch: test money and live money never meet, in either direction (ADR 0022)', async () => {
    const live = await t.customer();
    await t.fund(live, 100n);
    const test = newId();
    const otherTest = newId();
    for (const id of [test, otherTest]) {
      expect(
        await t.ledger.createAccounts([{ id, currency: 'CNY', code: 100, flags: AccountFlags.test }]),
      ).toEqual([{ id, result: 'ok' }]);
    }
    expect((await one(transfer(live, test, 1n))).result).toBe('modeMismatch');
    expect((await one(transfer(test, live, 1n))).result).toBe('modeMismatch');
    expect((await one(transfer(live, test, 1n, { flags: F.pending }))).result).toBe('modeMismatch');
    // a test account without the overdraft flag is a source of test money; test to test moves
    expect((await one(transfer(test, otherTest, 5n))).result).toBe('ok');
    // currencyMismatch comes first
    const usdTest = newId();
    await t.ledger.createAccounts([{ id: usdTest, currency: 'USD', code: 100, flags: AccountFlags.test }]);
    expect((await one(transfer(live, usdTest, 1n))).result).toBe('currencyMismatch');
    // both overdraft flags at once stay invalid, with or without the test flag
    const both = newId();
    expect(
      (
        await t.ledger.createAccounts([
          { id: both, currency: 'CNY', code: 100, flags: 3 | AccountFlags.test },
        ])
      )[0]!.result,
    ).toBe('invalid');
  });

  it('pendingNotFound, pendingNotPending, pendingAccountsMismatch, currency of a post', async () => {
    const a = await t.customer();
    const b = await t.customer();
    const c = await t.customer();
    await t.fund(a, 100n);
    expect((await one({ id: newId(), code: 1, flags: F.postPending, pendingId: newId() })).result).toBe(
      'pendingNotFound',
    );
    const single = transfer(a, b, 1n);
    await one(single);
    expect((await one({ id: newId(), code: 1, flags: F.voidPending, pendingId: single.id })).result).toBe(
      'pendingNotPending',
    );
    const hold = transfer(a, b, 10n, { flags: F.pending });
    expect((await one(hold)).result).toBe('ok');
    expect(
      (await one({ id: newId(), code: 1, flags: F.postPending, pendingId: hold.id, creditAccountId: c }))
        .result,
    ).toBe('pendingAccountsMismatch');
    expect(
      (await one({ id: newId(), code: 1, flags: F.postPending, pendingId: hold.id, currency: 'USD' })).result,
    ).toBe('currencyMismatch');
    expect((await one({ id: newId(), code: 1, flags: F.voidPending, pendingId: hold.id })).result).toBe('ok');
  });
});

describe('two-phase transfers', () => {
  it('holds, then posts in full: pending counters move to posted', async () => {
    const a = await t.customer();
    const b = await t.customer();
    await t.fund(a, 100n);
    const hold = transfer(a, b, 40n, { flags: F.pending });
    expect((await one(hold)).result).toBe('ok');
    let balance = (await t.ledger.getBalance(a))!;
    expect([balance.debitsPending, balance.availableBalance, balance.postedBalance]).toEqual([
      40n,
      60n,
      100n,
    ]);
    // the hold counts against the balance: 61 more cannot be spent
    expect((await one(transfer(a, b, 61n))).result).toBe('insufficientFunds');
    expect((await one({ id: newId(), code: 1, flags: F.postPending, pendingId: hold.id })).result).toBe('ok');
    balance = (await t.ledger.getBalance(a))!;
    expect([balance.debitsPending, balance.postedBalance]).toEqual([0n, 60n]);
    expect((await t.ledger.getBalance(b))!.postedBalance).toBe(40n);
  });

  it('posts part of a hold and releases the rest; a hold resolves exactly once', async () => {
    const a = await t.customer();
    const b = await t.customer();
    await t.fund(a, 100n);
    const hold = transfer(a, b, 40n, { flags: F.pending });
    await one(hold);
    const post = { id: newId(), code: 1, flags: F.postPending, pendingId: hold.id, amount: 41n };
    expect((await one(post)).result).toBe('postAmountExceedsPending');
    expect((await one({ ...post, id: newId(), amount: 25n })).result).toBe('ok');
    expect((await t.ledger.getBalance(a))!.postedBalance).toBe(75n);
    expect((await t.ledger.getBalance(a))!.debitsPending).toBe(0n);
    expect((await one({ id: newId(), code: 1, flags: F.voidPending, pendingId: hold.id })).result).toBe(
      'pendingAlreadyResolved',
    );
    expect((await one({ ...post, id: newId(), amount: 1n })).result).toBe('pendingAlreadyResolved');
  });

  it('a hold past its timeout cannot be posted, and the expiry worker voids it once', async () => {
    const a = await t.customer();
    const b = await t.customer();
    await t.fund(a, 100n);
    const hold = transfer(a, b, 40n, { flags: F.pending, timeoutSeconds: 1 });
    await one(hold);
    expect((await t.ledger.getBalance(a))!.availableBalance).toBe(60n);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await one({ id: newId(), code: 1, flags: F.postPending, pendingId: hold.id })).result).toBe(
      'pendingExpired',
    );
    expect(await t.ledger.expirePending()).toBe(1);
    expect(await t.ledger.expirePending()).toBe(0);
    const balance = (await t.ledger.getBalance(a))!;
    expect([balance.debitsPending, balance.availableBalance]).toEqual([0n, 100n]);
    expect((await one({ id: newId(), code: 1, flags: F.voidPending, pendingId: hold.id })).result).toBe(
      'pendingAlreadyResolved',
    );
  });

  it('callers cannot forge an expiry', async () => {
    const a = await t.customer();
    const b = await t.customer();
    await t.fund(a, 10n);
    const hold = transfer(a, b, 5n, { flags: F.pending });
    await one(hold);
    expect(
      (await one({ id: newId(), code: 1, flags: F.voidPending | F.expired, pendingId: hold.id })).result,
    ).toBe('invalidFlags');
  });
});

describe('balances and chains', () => {
  it('insufficientFunds on a customer account; system accounts may go negative', async () => {
    const a = await t.customer();
    const bank = await t.system();
    const b = await t.customer();
    expect((await one(transfer(a, b, 1n))).result).toBe('insufficientFunds');
    expect((await one(transfer(bank, b, 1000n))).result).toBe('ok');
    expect((await t.ledger.getBalance(bank))!.postedBalance).toBe(-1000n);
  });

  it('exceedsDebits on an account whose credits must not exceed its debits', async () => {
    const limit = newId();
    await t.ledger.createAccounts([
      { id: limit, currency: 'CNY', code: 900, flags: AccountFlags.creditsMustNotExceedDebits },
    ]);
    const source = await t.system();
    expect((await one(transfer(limit, source, 500n))).result).toBe('ok'); // limit account: debits 500
    expect((await one(transfer(source, limit, 400n))).result).toBe('ok'); // credits 400 ≤ 500
    expect((await one(transfer(source, limit, 101n))).result).toBe('exceedsDebits');
  });

  it('overflow when a counter would pass the 64-bit range', async () => {
    const bank = await t.system();
    const b = await t.system();
    const max = (1n << 63n) - 1n;
    expect((await one(transfer(bank, b, max))).result).toBe('ok');
    expect((await one(transfer(bank, b, 1n))).result).toBe('overflow');
  });

  it('a linked chain succeeds or fails as a whole; members are remembered as failed', async () => {
    const a = await t.customer();
    const merchant = await t.customer();
    const fees = await t.system();
    await t.fund(a, 100n);
    const payment = transfer(a, merchant, 95n, { flags: F.linked });
    const fee = transfer(a, fees, 10n);
    expect(await results([payment, fee])).toEqual(['linkedEventFailed', 'insufficientFunds']);
    expect((await t.ledger.getBalance(a))!.postedBalance).toBe(100n);
    expect(await t.ledger.getTransfer(payment.id)).toBeNull();
    expect((await one({ ...payment, flags: 0 })).result).toBe('idAlreadyFailed');
    // a fresh chain that fits goes through whole
    expect(await results([transfer(a, merchant, 90n, { flags: F.linked }), transfer(a, fees, 10n)])).toEqual([
      'ok',
      'ok',
    ]);
    expect((await t.ledger.getBalance(a))!.postedBalance).toBe(0n);
  });

  it('chains in one request are independent of each other, and of other requests in the batch', async () => {
    const a = await t.customer();
    const b = await t.customer();
    await t.fund(a, 10n);
    const outcome = await results([
      transfer(a, b, 6n, { flags: F.linked }),
      transfer(a, b, 6n), // fails: 12 > 10 → the whole first chain fails
      transfer(a, b, 4n), // its own chain: fits
    ]);
    expect(outcome).toEqual(['linkedEventFailed', 'insufficientFunds', 'ok']);
    expect((await t.ledger.getBalance(b))!.postedBalance).toBe(4n);
  });

  it('a hold created and posted in the same chain', async () => {
    const a = await t.customer();
    const b = await t.customer();
    await t.fund(a, 50n);
    const hold = transfer(a, b, 50n, { flags: F.pending | F.linked });
    expect(
      await results([hold, { id: newId(), code: 1, flags: F.postPending, pendingId: hold.id, amount: 20n }]),
    ).toEqual(['ok', 'ok']);
    expect((await t.ledger.getBalance(a))!.postedBalance).toBe(30n);
  });

  it('a hold with a timeout posted in the same batch never enters the expiry index', async () => {
    const a = await t.customer();
    const b = await t.customer();
    await t.fund(a, 60n);
    const hold = transfer(a, b, 50n, { flags: F.pending, timeoutSeconds: 60 });
    const later = transfer(a, b, 10n, { flags: F.pending, timeoutSeconds: 60 });
    // One request, so one batch: the post's batch also created the hold.
    expect(
      await results([
        hold,
        later,
        { id: newId(), code: 1, flags: F.postPending, pendingId: hold.id, amount: 20n },
      ]),
    ).toEqual(['ok', 'ok', 'ok']);
    const expiries = async () =>
      (
        await t.db.pool.query<{ id: string }>(
          'SELECT transfer_id AS id FROM ledger_pending_expiries WHERE transfer_id IN ($1, $2)',
          [hold.id, later.id],
        )
      ).rows.map((r) => r.id);
    expect(await expiries()).toEqual([later.id]);
    // Resolved in a later batch, it leaves the index.
    expect(await results([{ id: newId(), code: 1, flags: F.voidPending, pendingId: later.id }])).toEqual([
      'ok',
    ]);
    expect(await expiries()).toEqual([]);
  });
});

describe('queries', () => {
  it('pages an account’s transfers newest first, and answers balances as of a past time', async () => {
    const a = await t.customer();
    const b = await t.customer();
    await t.fund(a, 1000n);
    const stamps: bigint[] = [];
    for (let i = 1n; i <= 7n; i++) {
      const outcome = await one(transfer(a, b, i));
      stamps.push(outcome.transfer!.timestamp);
    }
    const seen: bigint[] = [];
    let cursor: string | null = null;
    do {
      const page = await t.ledger.listTransfers(a, { limit: 3, cursor });
      seen.push(...page.transfers.map((x) => x.amount));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([7n, 6n, 5n, 4n, 3n, 2n, 1n, 1000n]);
    // after the third transfer: 1000 − (1 + 2 + 3)
    expect((await t.ledger.getBalance(a, stamps[2]))!.postedBalance).toBe(994n);
    expect((await t.ledger.getBalance(a, stamps[2]! - 1n))!.postedBalance).toBe(997n);
    expect((await t.ledger.getBalance(a))!.postedBalance).toBe(1000n - 28n);
  });

  it('createAccounts reports ok, exists, existsWithDifferentFields and invalid', async () => {
    const id = newId();
    const input = { id, currency: 'CNY', code: 100, flags: AccountFlags.debitsMustNotExceedCredits };
    expect(await t.ledger.createAccounts([input, input])).toEqual([
      { id, result: 'ok' },
      { id, result: 'exists' },
    ]);
    expect(await t.ledger.createAccounts([{ ...input, code: 101 }])).toEqual([
      { id, result: 'existsWithDifferentFields' },
    ]);
    const bad = await t.ledger.createAccounts([
      { id: newId(), currency: 'XXX1', code: 1 },
      { id: 'nope', currency: 'CNY', code: 1 },
      { id: newId(), currency: 'CNY', code: 1, flags: 3 },
    ]);
    expect(bad.map((r) => r.result)).toEqual(['invalid', 'invalid', 'invalid']);
  });
});

describe('storage', () => {
  it('stores every field as given: user data in any script, several limit keys, a hold and its post', async () => {
    const a = await t.customer();
    const b = await t.customer();
    await t.fund(a, 10_000n);
    const userData = '付款 "quoted" \\ back\\slash, tab\t, emoji 🧧, 𝒳 — €';
    const limits = [
      { key: `pay:day:${a}:2026-11-21`, max: 5_000n },
      { key: `pay:year:${a}:2026`, max: 50_000n },
    ];
    const inputs = [
      transfer(a, b, 1_234n, { userData, limits }),
      transfer(a, b, 99n, { flags: F.pending, timeoutSeconds: 3600, userData: '' }),
    ];
    const created = await t.ledger.createTransfers(inputs);
    expect(created.map((o) => o.result)).toEqual(['ok', 'ok']);
    const post = await one({
      id: newId(),
      pendingId: inputs[1]!.id,
      code: 10,
      flags: F.postPending,
      amount: 50n,
    });
    expect(post.result).toBe('ok');
    for (const outcome of [...created, post]) {
      expect(await t.ledger.getTransfer(outcome.id)).toEqual(outcome.transfer);
    }
    expect(created[0]!.transfer).toMatchObject({ userData, limitKeys: limits.map((l) => l.key) });
    expect(created[1]!.transfer!.expiresAt).toBe(created[1]!.transfer!.timestamp + 3_600_000_000n);
  });
});

describe('limits and balance caps, counted inside the batch', () => {
  it('counts a limit, refuses the transfer that would pass it and says how much is left', async () => {
    const a = await t.customer();
    const b = await t.customer();
    await t.fund(a, 10_000n);
    const limits = [{ key: `day:${a}:2026-11-21`, max: 1_000n }];
    expect((await one(transfer(a, b, 600n, { limits }))).result).toBe('ok');
    const refused = await one(transfer(a, b, 500n, { limits }));
    expect(refused.result).toBe('limitExceeded');
    expect(refused.limit).toEqual({ key: `day:${a}:2026-11-21`, max: 1_000n, remaining: 400n });
    expect((await one(transfer(a, b, 400n, { limits }))).result).toBe('ok');
    // another day's key starts from zero
    expect(
      (await one(transfer(a, b, 900n, { limits: [{ key: `day:${a}:2026-11-22`, max: 1_000n }] }))).result,
    ).toBe('ok');
  });

  it('concurrent payments that together pass a daily limit: exactly the ones that fit succeed', async () => {
    const a = await t.customer();
    const b = await t.customer();
    await t.fund(a, 100_000n);
    const limits = [{ key: `day:${a}:race`, max: 1_000n }];
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, () => t.ledger.createTransfers([transfer(a, b, 100n, { limits })])),
    );
    const results = outcomes.map(([o]) => o!.result);
    expect(results.filter((r) => r === 'ok')).toHaveLength(10);
    expect(results.filter((r) => r === 'limitExceeded')).toHaveLength(20);
    expect((await t.ledger.getBalance(b))!.postedBalance).toBe(1_000n);
  });

  it('refuses a transfer that would lift the receiver past its balance cap, holds included', async () => {
    const a = await t.customer();
    const b = await t.customer();
    await t.fund(a, 10_000n);
    await t.fund(b, 800n);
    expect((await one(transfer(a, b, 150n, { flags: F.pending, creditBalanceCap: 1_000n }))).result).toBe(
      'ok',
    );
    const refused = await one(transfer(a, b, 100n, { creditBalanceCap: 1_000n }));
    expect(refused.result).toBe('exceedsBalanceCap');
    expect(refused.balanceCapRemaining).toBe(50n);
    expect((await one(transfer(a, b, 50n, { creditBalanceCap: 1_000n }))).result).toBe('ok');
  });

  it('a failed chain gives its limit usage back; limits are refused on posts and voids', async () => {
    const a = await t.customer();
    const b = await t.customer();
    await t.fund(a, 500n);
    const limits = [{ key: `day:${a}:chain`, max: 1_000n }];
    expect(
      await results([transfer(a, b, 400n, { limits, flags: F.linked }), transfer(a, b, 400n, { limits })]),
    ).toEqual(['linkedEventFailed', 'insufficientFunds']);
    const fits = await one(transfer(a, b, 500n, { limits }));
    expect(fits.result).toBe('ok'); // nothing of the failed chain was counted
    const bad = await one({ id: newId(), code: 1, flags: F.voidPending, pendingId: fits.id, limits });
    expect(bad.result).toBe('invalidLimits');
    expect((await one(transfer(a, b, 1n, { limits: [{ key: 'has space', max: 5n }] }))).result).toBe(
      'invalidLimits',
    );
  });
});
