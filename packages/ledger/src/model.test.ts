/**
 * Model-based property test: random sequences of account creations, transfers, holds, posts,
 * voids, clock ticks, expiry sweeps and retries run against the real ledger (PostgreSQL) and
 * against a deliberately simple in-memory model. Every result and every balance must match, and
 * `verify` must pass after every sequence.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { newId } from './ids.ts';
import { Ledger } from './ledger.ts';
import { AccountFlags, TransferFlags } from './types.ts';
import type { TransferInput, TransferResult } from './types.ts';
import { verifyLedger } from './verify.ts';

const SECOND = 1_000_000n;
/** Every sequence writes the one database's keyed journal with the same key (ADR 0010). */
const journalKey = randomBytes(32);

interface ModelAccount {
  currency: string;
  flags: number;
  dp: bigint;
  dpo: bigint;
  cp: bigint;
  cpo: bigint;
}
interface ModelTransfer {
  input: TransferInput;
  debit: string;
  credit: string;
  amount: bigint;
  pending: boolean;
  expiresAt: bigint | null;
  resolved: boolean;
}

/** The model: the rules stated plainly, one transfer at a time, no batching, no SQL. */
class Model {
  accounts = new Map<string, ModelAccount>();
  transfers = new Map<string, ModelTransfer>();
  failures = new Map<string, TransferResult>();
  limits = new Map<string, bigint>();
  lastTs = 0n;

  /** Applies one request (chains of linked transfers) and returns the expected results. */
  apply(inputs: TransferInput[], now: bigint): TransferResult[] {
    const base = now > this.lastTs ? now : this.lastTs + 1n;
    let created = 0n;
    const results: TransferResult[] = [];
    let start = 0;
    while (start < inputs.length) {
      let end = start;
      while (end < inputs.length - 1 && (inputs[end]!.flags ?? 0) & TransferFlags.linked) end++;
      const chain = inputs.slice(start, end + 1);
      const saved = this.save();
      const createdBefore = created;
      const chainResults: TransferResult[] = [];
      let failedAt = -1;
      for (const [i, input] of chain.entries()) {
        const result = this.one(input, base + created);
        chainResults.push(result);
        if (result === 'ok') created++;
        if (result !== 'ok' && result !== 'exists') {
          failedAt = i;
          break;
        }
      }
      if (failedAt >= 0 && chain.length > 1) {
        this.restore(saved);
        created = createdBefore;
        const cause = chainResults[failedAt]!;
        const remember = cause !== 'idAlreadyFailed' && cause !== 'existsWithDifferentFields';
        chain.forEach((input, i) => {
          const result = i === failedAt ? cause : 'linkedEventFailed';
          results.push(result);
          if (remember && !this.failures.has(input.id) && !this.transfers.has(input.id)) {
            this.failures.set(input.id, result);
          }
        });
      } else {
        results.push(...chainResults);
        const result = chainResults[0]!;
        if (chain.length === 1 && result !== 'ok' && result !== 'exists') {
          if (result !== 'idAlreadyFailed' && result !== 'existsWithDifferentFields') {
            this.failures.set(chain[0]!.id, result);
          }
        }
      }
      start = end + 1;
    }
    if (created > 0n) this.lastTs = base + created - 1n;
    return results;
  }

  private one(input: TransferInput, ts: bigint): TransferResult {
    if (this.failures.has(input.id)) return 'idAlreadyFailed';
    const existing = this.transfers.get(input.id);
    if (existing)
      return JSON.stringify(existing.input, big) === JSON.stringify(input, big)
        ? 'exists'
        : 'existsWithDifferentFields';
    const flags = input.flags ?? 0;
    if (flags & (TransferFlags.postPending | TransferFlags.voidPending)) {
      const pending = this.transfers.get(input.pendingId!);
      if (!pending) return 'pendingNotFound';
      if (!pending.pending) return 'pendingNotPending';
      if (pending.resolved) return 'pendingAlreadyResolved';
      if (pending.expiresAt !== null && pending.expiresAt <= ts) return 'pendingExpired';
      const posting = (flags & TransferFlags.postPending) !== 0;
      const amount = posting ? (input.amount ?? pending.amount) : pending.amount;
      if (amount > pending.amount) return 'postAmountExceedsPending';
      const d = this.accounts.get(pending.debit)!;
      const c = this.accounts.get(pending.credit)!;
      d.dp -= pending.amount;
      c.cp -= pending.amount;
      if (posting) {
        d.dpo += amount;
        c.cpo += amount;
      }
      pending.resolved = true;
      this.transfers.set(input.id, {
        input,
        debit: pending.debit,
        credit: pending.credit,
        amount,
        pending: false,
        expiresAt: null,
        resolved: false,
      });
      return 'ok';
    }
    const d = this.accounts.get(input.debitAccountId!);
    const c = this.accounts.get(input.creditAccountId!);
    if (!d || !c) return 'accountNotFound';
    if (d.currency !== c.currency || input.currency !== d.currency) return 'currencyMismatch';
    if ((d.flags ^ c.flags) & AccountFlags.test) return 'modeMismatch';
    const amount = input.amount!;
    const pending = (flags & TransferFlags.pending) !== 0;
    if (d.flags & AccountFlags.debitsMustNotExceedCredits && d.dp + d.dpo + amount > d.cpo)
      return 'insufficientFunds';
    for (const limit of input.limits ?? []) {
      if ((this.limits.get(limit.key) ?? 0n) + amount > limit.max) return 'limitExceeded';
    }
    for (const limit of input.limits ?? []) {
      this.limits.set(limit.key, (this.limits.get(limit.key) ?? 0n) + amount);
    }
    if (pending) {
      d.dp += amount;
      c.cp += amount;
    } else {
      d.dpo += amount;
      c.cpo += amount;
    }
    const timeout = BigInt(input.timeoutSeconds ?? 0);
    this.transfers.set(input.id, {
      input,
      debit: input.debitAccountId!,
      credit: input.creditAccountId!,
      amount,
      pending,
      expiresAt: pending && timeout > 0n ? ts + timeout * SECOND : null,
      resolved: false,
    });
    return 'ok';
  }

  expire(now: bigint): number {
    let count = 0;
    for (const t of this.transfers.values()) {
      if (t.pending && !t.resolved && t.expiresAt !== null && t.expiresAt <= now) {
        t.resolved = true;
        this.accounts.get(t.debit)!.dp -= t.amount;
        this.accounts.get(t.credit)!.cp -= t.amount;
        count++;
      }
    }
    if (count > 0) this.lastTs = (now > this.lastTs ? now : this.lastTs + 1n) + BigInt(count) - 1n;
    return count;
  }

  private save() {
    return {
      accounts: new Map([...this.accounts].map(([k, v]) => [k, { ...v }])),
      transfers: new Map([...this.transfers].map(([k, v]) => [k, { ...v }])),
      limits: new Map(this.limits),
    };
  }
  private restore(saved: ReturnType<Model['save']>) {
    this.accounts = saved.accounts;
    this.transfers = saved.transfers;
    this.limits = saved.limits;
  }
}

function big(_key: string, value: unknown) {
  return typeof value === 'bigint' ? `${value}n` : value;
}

/** true with the given percentage */
function chance(percent: number): fc.Arbitrary<boolean> {
  return fc.integer({ min: 0, max: 99 }).map((n) => n < percent);
}

/** Commands refer to accounts and transfers by index into what exists so far. */
type Command =
  | { kind: 'account'; customer: boolean; usd: boolean; test: boolean }
  | {
      kind: 'transfer';
      limit: number | null;
      from: number;
      to: number;
      amount: bigint;
      pending: boolean;
      timeout: number;
      linkNext: boolean;
      unknownAccount: boolean;
    }
  | { kind: 'post'; pending: number; amount: bigint | null }
  | { kind: 'void'; pending: number }
  | { kind: 'retry'; previous: number; tweak: boolean }
  | { kind: 'tick'; seconds: number }
  | { kind: 'flush' }
  | { kind: 'expire' };

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('account' as const),
      customer: fc.boolean(),
      usd: chance(15),
      test: chance(15),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('transfer' as const),
      from: fc.nat(20),
      to: fc.nat(20),
      amount: fc.bigInt({ min: 1n, max: 500n }),
      pending: fc.boolean(),
      timeout: fc.constantFrom(0, 0, 1, 3),
      linkNext: chance(25),
      unknownAccount: chance(5),
      limit: fc.constantFrom(null, null, 0, 1),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('post' as const),
      pending: fc.nat(30),
      amount: fc.option(fc.bigInt({ min: 1n, max: 500n }), { nil: null }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('void' as const), pending: fc.nat(30) }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('retry' as const), previous: fc.nat(60), tweak: fc.boolean() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('tick' as const), seconds: fc.integer({ min: 1, max: 4 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('flush' as const) }) },
);

const stats = new Map<string, number>();
let db: TestDatabase;
beforeAll(async () => (db = await createTestDatabase()));
afterAll(async () => {
  if (process.env.MODEL_STATS) console.log(Object.fromEntries(stats));
  await db.drop();
});

it('the ledger matches a simple model over random command sequences, and verify passes', async () => {
  let round = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(commandArb, { minLength: 5, maxLength: 45 }), async (commands) => {
      round++;
      // Each sequence gets its own clock far ahead of the previous one, and fresh accounts.
      let now = BigInt(round) * 100_000n * SECOND + 1_700_000_000n * SECOND;
      // Tiny batches, so a group of concurrent requests spans several batches that read ahead
      // while the previous one commits.
      const ledger = await Ledger.open(db.pool, {
        journalKey,
        clock: () => now,
        maxBatchTransfers: 5,
      });
      const model = new Model();
      model.lastTs = (
        await db.pool.query<{ last_ts: bigint }>('SELECT last_ts FROM ledger_journal_head')
      ).rows[0]!.last_ts;
      const accounts: string[] = [];
      const sent: TransferInput[][] = [];
      const pendings: string[] = [];
      const settlement = { CNY: newId(), USD: newId() };
      await ledger.createAccounts([
        { id: settlement.CNY, currency: 'CNY', code: 1 },
        { id: settlement.USD, currency: 'USD', code: 1 },
      ]);
      model.accounts.set(settlement.CNY, { currency: 'CNY', flags: 0, dp: 0n, dpo: 0n, cp: 0n, cpo: 0n });
      model.accounts.set(settlement.USD, { currency: 'USD', flags: 0, dp: 0n, dpo: 0n, cp: 0n, cpo: 0n });
      accounts.push(settlement.CNY);
      // A few funded customers so that most transfers can succeed and balances get tight.
      for (let i = 0; i < 3; i++) {
        const id = newId();
        await ledger.createAccounts([
          { id, currency: 'CNY', code: 100, flags: AccountFlags.debitsMustNotExceedCredits },
        ]);
        model.accounts.set(id, {
          currency: 'CNY',
          flags: AccountFlags.debitsMustNotExceedCredits,
          dp: 0n,
          dpo: 0n,
          cp: 0n,
          cpo: 0n,
        });
        accounts.push(id);
        const funding = [
          {
            id: newId(),
            debitAccountId: settlement.CNY,
            creditAccountId: id,
            amount: 1000n,
            currency: 'CNY',
            code: 1,
          },
        ];
        expect(model.apply(funding, now)).toEqual(['ok']);
        expect((await ledger.createTransfers(funding)).map((o) => o.result)).toEqual(['ok']);
      }

      /**
       * Requests gathered since the last flush are submitted all at once, in order; the ledger
       * must apply them in arrival order, exactly as the model does one after the other.
       */
      let group: TransferInput[][] = [];
      async function flush() {
        if (group.length === 0) return;
        const requests = group;
        group = [];
        const expected = requests.map((request) => model.apply(request, now));
        const actual = (await Promise.all(requests.map((request) => ledger.createTransfers(request)))).map(
          (outcomes) => outcomes.map((o) => o.result),
        );
        if (process.env.MODEL_STATS) for (const r of actual.flat()) stats.set(r, (stats.get(r) ?? 0) + 1);
        expect(actual).toEqual(expected);
      }

      try {
        let carried: TransferInput[] = [];
        for (const command of commands) {
          let request: TransferInput[] | null = null;
          if (
            command.kind !== 'transfer' &&
            command.kind !== 'post' &&
            command.kind !== 'void' &&
            command.kind !== 'retry'
          ) {
            await flush();
          }
          switch (command.kind) {
            case 'flush':
              break;
            case 'account': {
              const id = newId();
              const currency = command.usd ? 'USD' : 'CNY';
              const flags =
                (command.customer ? AccountFlags.debitsMustNotExceedCredits : 0) |
                (command.test ? AccountFlags.test : 0);
              await ledger.createAccounts([{ id, currency, code: 100, flags }]);
              model.accounts.set(id, { currency, flags, dp: 0n, dpo: 0n, cp: 0n, cpo: 0n });
              accounts.push(id);
              break;
            }
            case 'transfer': {
              const from = accounts[command.from % accounts.length]!;
              let to = accounts[command.to % accounts.length]!;
              if (to === from)
                to =
                  settlement.USD === from
                    ? settlement.CNY
                    : settlement.CNY === from
                      ? accounts[accounts.length - 1]!
                      : settlement.CNY;
              if (to === from) break;
              // Chains stay within one batch (≤ 5 transfers).
              const linkNext = command.linkNext && carried.length < 4;
              const input: TransferInput = {
                id: newId(),
                debitAccountId: command.unknownAccount ? newId() : from,
                creditAccountId: to,
                amount: command.amount,
                currency: model.accounts.get(from)!.currency,
                code: 7,
                flags: (command.pending ? TransferFlags.pending : 0) | (linkNext ? TransferFlags.linked : 0),
                ...(command.pending && command.timeout > 0 ? { timeoutSeconds: command.timeout } : {}),
                // Two small limits per sequence, shared by all its transfers.
                ...(command.limit === null
                  ? {}
                  : { limits: [{ key: `model:${round}:${command.limit}`, max: 600n }] }),
              };
              carried.push(input);
              // Posts and voids may name a hold of the same group, before anyone knows its result.
              if (command.pending) pendings.push(input.id);
              if (!linkNext) request = carried;
              break;
            }
            case 'post':
            case 'void': {
              if (pendings.length === 0) break;
              const pendingId = pendings[command.pending % pendings.length]!;
              request = [
                {
                  id: newId(),
                  pendingId,
                  code: 8,
                  flags: command.kind === 'post' ? TransferFlags.postPending : TransferFlags.voidPending,
                  ...(command.kind === 'post' && command.amount !== null ? { amount: command.amount } : {}),
                },
              ];
              break;
            }
            case 'retry': {
              if (sent.length === 0) break;
              const previous = sent[command.previous % sent.length]!;
              request = command.tweak
                ? previous.map((input, i) => (i === 0 ? { ...input, code: input.code + 1 } : input))
                : previous;
              break;
            }
            case 'tick':
              now += BigInt(command.seconds) * SECOND;
              break;
            case 'expire': {
              const expected = model.expire(now);
              expect(await ledger.expirePending()).toBe(expected);
              break;
            }
          }
          if (request) {
            carried = [];
            sent.push(request);
            group.push(request);
          }
        }
        await flush();
        // Let every timed hold of this sequence run out, so none is left for the next sequence.
        now += 86_400n * SECOND;
        expect(await ledger.expirePending()).toBe(model.expire(now));
        for (const [id, account] of model.accounts) {
          const stored = (await ledger.getAccount(id))!;
          expect([
            stored.debitsPending,
            stored.debitsPosted,
            stored.creditsPending,
            stored.creditsPosted,
          ]).toEqual([account.dp, account.dpo, account.cp, account.cpo]);
        }
        const report = await verifyLedger(db.pool, { journalKey });
        expect(report.problems).toEqual([]);
      } finally {
        await ledger.close();
      }
    }),
    { numRuns: 150 },
  );
});
