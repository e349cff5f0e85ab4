import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestLedger, type TestLedger } from '../../../test/support/ledger.ts';
import { checkpointKeyFrom, checkpointLine, makeCheckpoint } from './checkpoint.ts';
import { newId } from './ids.ts';
import { GENESIS_HASH, batchHash } from './journal.ts';
import { Ledger } from './ledger.ts';
import { JournalKeyMismatchError, JournalKeyRequiredError, UnsealedJournalError } from './seal.ts';
import { TRANSFER_COLUMNS, toTransfer } from './store.ts';
import type { TransferRow } from './store.ts';
import { TransferFlags } from './types.ts';
import { verifyLedger } from './verify.ts';

let t: TestLedger;
let ids: { wallet: string; shop: string; transfers: string[] };

beforeEach(async () => {
  t = await openTestLedger();
  const wallet = await t.customer();
  const shop = await t.customer();
  await t.fund(wallet, 500n);
  const transfers: string[] = [];
  for (let i = 0; i < 5; i++) {
    const id = newId();
    transfers.push(id);
    const [o] = await t.ledger.createTransfers([
      { id, debitAccountId: wallet, creditAccountId: shop, amount: BigInt(10 + i), currency: 'CNY', code: 2 },
    ]);
    expect(o!.result).toBe('ok');
  }
  const hold = newId();
  await t.ledger.createTransfers([
    {
      id: hold,
      debitAccountId: wallet,
      creditAccountId: shop,
      amount: 7n,
      currency: 'CNY',
      code: 2,
      flags: TransferFlags.pending,
    },
  ]);
  await t.ledger.createTransfers([
    { id: newId(), pendingId: hold, code: 2, flags: TransferFlags.postPending, amount: 3n },
  ]);
  ids = { wallet, shop, transfers };
});
afterEach(async () => t.close());

/** Tampering goes around the immutability triggers, as someone with superuser access could. */
async function tamper(sql: string, values: unknown[] = []) {
  const client = await t.db.pool.connect();
  try {
    await client.query("SET session_replication_role = 'replica'");
    await client.query(sql, values);
  } finally {
    await client.query("SET session_replication_role = 'origin'");
    client.release();
  }
}

async function problems() {
  const report = await verifyLedger(t.db.pool, { journalKey: t.journalKey });
  expect(report.ok).toBe(false);
  return report.problems.join('\n');
}

describe('verify', () => {
  it('passes on honest books and reports the trial balance per currency', async () => {
    const report = await verifyLedger(t.db.pool, { journalKey: t.journalKey });
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, transfers: 8, accounts: 3 });
    expect(report.trialBalance).toEqual([
      { currency: 'CNY', debitsPosted: 563n, creditsPosted: 563n, debitsPending: 0n, creditsPending: 0n },
    ]);
  });

  it('refuses UPDATE and DELETE of history through the triggers', async () => {
    await expect(t.db.pool.query('UPDATE ledger_transfers SET amount = amount + 1')).rejects.toThrow(
      /immutable/,
    );
    await expect(t.db.pool.query('DELETE FROM ledger_journal')).rejects.toThrow(/immutable/);
  });

  it('fails when one amount is changed by hand, naming the journal record', async () => {
    await tamper('UPDATE ledger_transfers SET amount = amount + 1 WHERE id = $1', [ids.transfers[2]]);
    expect(await problems()).toMatch(/journal record \d+: hash does not match/);
  });

  it('fails when the amount and both account counters are changed consistently', async () => {
    await tamper('UPDATE ledger_transfers SET amount = 1 WHERE id = $1', [ids.transfers[0]]);
    await tamper('UPDATE ledger_accounts SET debits_posted = debits_posted - 9 WHERE id = $1', [ids.wallet]);
    await tamper('UPDATE ledger_accounts SET credits_posted = credits_posted - 9 WHERE id = $1', [ids.shop]);
    expect(await problems()).toMatch(/hash does not match/);
  });

  it('fails when a counter is changed by hand', async () => {
    await tamper('UPDATE ledger_accounts SET credits_posted = credits_posted + 100 WHERE id = $1', [
      ids.wallet,
    ]);
    const text = await problems();
    expect(text).toMatch(new RegExp(`account ${ids.wallet}: counters`));
    expect(text).toMatch(/trial balance for CNY does not balance/);
  });

  it('fails when a transfer is deleted, or one is inserted behind the ledger’s back', async () => {
    await tamper('DELETE FROM ledger_transfers WHERE id = $1', [ids.transfers[1]]);
    expect(await problems()).toMatch(/covers \d+ transfers but recorded/);
  });

  it('fails when a journal record is removed', async () => {
    await tamper('DELETE FROM ledger_journal WHERE seq = 2');
    expect(await problems()).toMatch(/sequence jumps|previous-hash/);
  });

  it('fails when a transfer is inserted outside every journal record', async () => {
    await tamper(
      `INSERT INTO ledger_transfers (id, debit_account_id, credit_account_id, amount, currency, code, flags, ts)
       VALUES ($1, $2, $3, 1, 'CNY', 2, 0, 1)`,
      [newId(), ids.shop, ids.wallet],
    );
    expect(await problems()).toMatch(/outside every journal record/);
  });

  it('fails when the expiry index misses an open hold, or keeps one that resolved', async () => {
    const hold = newId();
    const [o] = await t.ledger.createTransfers([
      {
        id: hold,
        debitAccountId: ids.wallet,
        creditAccountId: ids.shop,
        amount: 5n,
        currency: 'CNY',
        code: 2,
        flags: TransferFlags.pending,
        timeoutSeconds: 600,
      },
    ]);
    expect(o!.result).toBe('ok');
    expect((await verifyLedger(t.db.pool, { journalKey: t.journalKey })).ok).toBe(true);
    await tamper('DELETE FROM ledger_pending_expiries WHERE transfer_id = $1', [hold]);
    expect(await problems()).toContain(`transfer ${hold} is an open hold missing from the expiry index`);
    const stray = ids.transfers[0]!;
    await tamper('INSERT INTO ledger_pending_expiries (transfer_id, expires_at) VALUES ($1, 1)', [stray]);
    expect(await problems()).toContain(`transfer ${stray} is in the expiry index but is not an open hold`);
  });
});

/** The journal record that holds a transfer. */
async function recordOf(transferId: string): Promise<bigint> {
  const { rows } = await t.db.pool.query<{ seq: bigint }>(
    `SELECT j.seq FROM ledger_journal j JOIN ledger_transfers x ON x.ts BETWEEN j.first_ts AND j.last_ts
      WHERE x.id = $1`,
    [transferId],
  );
  return rows[0]!.seq;
}

/**
 * What someone with superuser rights but without the journal key does after editing history:
 * recompute the chain, as documented in ADR 0003 (SHA-256), from record `fromSeq` to the head.
 */
async function recomputeChainWithoutKey(fromSeq: bigint): Promise<void> {
  const pool = t.db.pool;
  let previous =
    (await pool.query<{ hash: Buffer }>('SELECT hash FROM ledger_journal WHERE seq = $1', [fromSeq - 1n]))
      .rows[0]?.hash ?? GENESIS_HASH;
  const { rows: records } = await pool.query<{ seq: bigint; first_ts: bigint; last_ts: bigint }>(
    'SELECT seq, first_ts, last_ts FROM ledger_journal WHERE seq >= $1 ORDER BY seq',
    [fromSeq],
  );
  for (const record of records) {
    const { rows } = await pool.query<TransferRow>(
      `SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE ts BETWEEN $1 AND $2 ORDER BY ts`,
      [record.first_ts, record.last_ts],
    );
    const hash = batchHash(previous, record.seq, rows.map(toTransfer));
    await tamper('UPDATE ledger_journal SET prev_hash = $1, hash = $2 WHERE seq = $3', [
      previous,
      hash,
      record.seq,
    ]);
    previous = hash;
  }
  await tamper('UPDATE ledger_journal_head SET hash = $1', [previous]);
}

describe('verify against someone with superuser rights (ADR 0010)', () => {
  it('catches a raised amount with both counters, the limit counter and the whole chain redone without the key', async () => {
    const limited = newId();
    const [o] = await t.ledger.createTransfers([
      {
        id: limited,
        debitAccountId: ids.wallet,
        creditAccountId: ids.shop,
        amount: 20n,
        currency: 'CNY',
        code: 2,
        limits: [{ key: 'pay:day:wallet:2026-12-05', max: 1000n }],
      },
    ]);
    expect(o!.result).toBe('ok');
    // More history after it, so that the chain has to be recomputed past the edited record.
    await t.ledger.createTransfers([
      {
        id: newId(),
        debitAccountId: ids.wallet,
        creditAccountId: ids.shop,
        amount: 1n,
        currency: 'CNY',
        code: 2,
      },
    ]);
    expect((await verifyLedger(t.db.pool, { journalKey: t.journalKey })).ok).toBe(true);

    const raise = 100n;
    await tamper('UPDATE ledger_transfers SET amount = amount + $2 WHERE id = $1', [limited, raise]);
    await tamper('UPDATE ledger_accounts SET debits_posted = debits_posted + $2 WHERE id = $1', [
      ids.wallet,
      raise,
    ]);
    await tamper('UPDATE ledger_accounts SET credits_posted = credits_posted + $2 WHERE id = $1', [
      ids.shop,
      raise,
    ]);
    await tamper('UPDATE ledger_limit_counters SET used = used + $1', [raise]);
    const edited = await recordOf(limited);
    await recomputeChainWithoutKey(edited);

    const report = await verifyLedger(t.db.pool, { journalKey: t.journalKey });
    expect(report.ok).toBe(false);
    // Counters, limits and the trial balance were made to agree: only the keyed chain tells.
    expect(report.problems).toEqual([
      `journal records ${edited}–${edited + 1n} were rewritten by someone without the journal key: the stored ` +
        `hashes are plain SHA-256, not the keyed chain; the first rewritten record holds transfer ${limited}`,
    ]);
  });

  it('refuses to let a journal be passed off as unkeyed: removed or moved seal, keyless or wrong-key ledger', async () => {
    // The seal pins where the keyed records start; moving it needs the key.
    await tamper('UPDATE ledger_journal_seal SET keyed_from_seq = 100');
    expect(await problems()).toMatch(/seal does not match the journal key/);
    await tamper('UPDATE ledger_journal_seal SET keyed_from_seq = 1');
    expect((await verifyLedger(t.db.pool, { journalKey: t.journalKey })).ok).toBe(true);

    await expect(Ledger.open(t.db.pool)).rejects.toThrow(JournalKeyRequiredError);
    await expect(Ledger.open(t.db.pool, { journalKey: randomBytes(32) })).rejects.toThrow(
      JournalKeyMismatchError,
    );
    const wrongKey = await verifyLedger(t.db.pool, { journalKey: randomBytes(32) });
    expect(wrongKey.problems.join('\n')).toMatch(/seal does not match the journal key/);
    const noKey = await verifyLedger(t.db.pool);
    expect(noKey.problems.join('\n')).toMatch(/no journal key was given/);

    // Without its seal the journal reads as plain SHA-256: verify says so, the ledger will not write.
    await tamper('DELETE FROM ledger_journal_seal');
    await recomputeChainWithoutKey(1n);
    expect(await problems()).toMatch(
      /not sealed with the journal key: its \d+ record\(s\) are plain SHA-256/,
    );
    await expect(Ledger.open(t.db.pool, { journalKey: t.journalKey })).rejects.toThrow(UnsealedJournalError);
  });

  it('keeps a journal written before keyed hashing as a sealed prefix that cannot be rewritten', async () => {
    // A database written by a ledger without a key (as every ledger was before ADR 0010).
    await tamper('DELETE FROM ledger_journal_seal');
    await recomputeChainWithoutKey(1n);
    const legacyRecords = (await t.db.pool.query<{ seq: bigint }>('SELECT seq FROM ledger_journal_head'))
      .rows[0]!.seq;
    const upgraded = await Ledger.open(t.db.pool, {
      journalKey: t.journalKey,
      sealLegacyJournal: true,
    });
    try {
      const [o] = await upgraded.createTransfers([
        {
          id: newId(),
          debitAccountId: ids.wallet,
          creditAccountId: ids.shop,
          amount: 2n,
          currency: 'CNY',
          code: 2,
        },
      ]);
      expect(o!.result).toBe('ok');
    } finally {
      await upgraded.close();
    }
    const report = await verifyLedger(t.db.pool, { journalKey: t.journalKey });
    expect(report.problems).toEqual([]);
    expect(report.journal).toMatchObject({ keyedFromSeq: legacyRecords + 1n, keyChecked: true });

    // Rewriting the unkeyed prefix consistently is still caught: its head is pinned by the seal.
    await tamper('UPDATE ledger_transfers SET amount = amount + 1 WHERE id = $1', [ids.transfers[1]]);
    await tamper('UPDATE ledger_accounts SET debits_posted = debits_posted + 1 WHERE id = $1', [ids.wallet]);
    await tamper('UPDATE ledger_accounts SET credits_posted = credits_posted + 1 WHERE id = $1', [ids.shop]);
    await recomputeChainWithoutKey(await recordOf(ids.transfers[1]!));
    const text = await problems();
    expect(text).toContain(`record(s) written before keyed hashing were rewritten`);
    expect(text).toMatch(
      new RegExp(`journal record ${legacyRecords + 1n} was rewritten by someone without the journal key`),
    );
  });
});

describe('verify names every broken place', () => {
  it('lists the account whose counters were raised, before the trial balance it unbalances', async () => {
    await tamper('UPDATE ledger_accounts SET credits_posted = credits_posted + 100000 WHERE id = $1', [
      ids.wallet,
    ]);
    const report = await verifyLedger(t.db.pool, { journalKey: t.journalKey });
    expect(report.problems[0]).toMatch(new RegExp(`^account ${ids.wallet}: counters`));
    expect(report.problems[1]).toMatch(/^trial balance for CNY does not balance/);
    expect(report.problemsFound).toBe(2);
  });

  it('reports an overwritten journal hash as such, not as a changed transfer', async () => {
    const seq = await recordOf(ids.transfers[2]!);
    await tamper('UPDATE ledger_journal SET hash = $1 WHERE seq = $2', [randomBytes(32), seq]);
    const report = await verifyLedger(t.db.pool, { journalKey: t.journalKey });
    expect(report.problems).toEqual([
      `journal record ${seq}'s hash was overwritten: its transfers are intact, and the next link still carries the true hash`,
    ]);
  });

  it('names each record whose transfers were changed, not only the first', async () => {
    const first = await recordOf(ids.transfers[1]!);
    const second = await recordOf(ids.transfers[3]!);
    await tamper('UPDATE ledger_transfers SET user_data = $2 WHERE id = $1', [ids.transfers[1], 'edited']);
    await tamper('UPDATE ledger_transfers SET user_data = $2 WHERE id = $1', [ids.transfers[3], 'edited']);
    const report = await verifyLedger(t.db.pool, { journalKey: t.journalKey });
    expect(report.problems).toEqual([
      `journal record ${first}: hash does not match its transfers (a transfer was changed); it holds transfer ${ids.transfers[1]}`,
      `journal record ${second}: hash does not match its transfers (a transfer was changed); it holds transfer ${ids.transfers[3]}`,
    ]);
  });
});

describe('verify against journal checkpoints (the head kept outside the database)', () => {
  const at = new Date('2026-12-05T08:00:00.000Z');

  /** A checkpoint of every record the journal holds now, as servers would have written them. */
  async function checkpointsOfEveryRecord(): Promise<string[]> {
    const key = checkpointKeyFrom(t.journalKey);
    const { rows } = await t.db.pool.query<{ seq: bigint; hash: Buffer }>(
      'SELECT seq, hash FROM ledger_journal ORDER BY seq',
    );
    return rows.map((row) => checkpointLine(makeCheckpoint(key, row, at)));
  }

  /** Remove the newest records with their transfers, counters and head set back, as a superuser can. */
  async function cutAfter(seq: bigint) {
    const { rows } = await t.db.pool.query<{ id: string; amount: bigint; flags: number }>(
      `SELECT t.id, t.amount, t.flags FROM ledger_transfers t JOIN ledger_journal j
         ON t.ts BETWEEN j.first_ts AND j.last_ts WHERE j.seq > $1`,
      [seq.toString()],
    );
    // The setup's last records: a hold and its partial post (posts 3 of the 7 held).
    expect(rows.map((row) => row.flags).sort()).toEqual([TransferFlags.pending, TransferFlags.postPending]);
    await tamper(
      `DELETE FROM ledger_transfers t USING ledger_journal j WHERE j.seq > $1 AND t.ts BETWEEN j.first_ts AND j.last_ts`,
      [seq.toString()],
    );
    await tamper('DELETE FROM ledger_journal WHERE seq > $1', [seq.toString()]);
    await tamper('UPDATE ledger_accounts SET debits_posted = debits_posted - 3 WHERE id = $1', [ids.wallet]);
    await tamper('UPDATE ledger_accounts SET credits_posted = credits_posted - 3 WHERE id = $1', [ids.shop]);
    await tamper(
      `UPDATE ledger_journal_head h SET seq = j.seq, hash = j.hash, last_ts = j.last_ts, version = h.version + 1
         FROM ledger_journal j WHERE j.seq = $1`,
      [seq.toString()],
    );
  }

  it('passes when every checkpoint names a record the journal holds, and sums them up', async () => {
    const checkpoints = [...(await checkpointsOfEveryRecord()), ''];
    const report = await verifyLedger(t.db.pool, { journalKey: t.journalKey, checkpoints });
    expect(report.problems).toEqual([]);
    expect(report.checkpoints).toEqual({ lines: 9, authentic: 8, newest: { seq: 8n, at: at.toISOString() } });
    expect((await verifyLedger(t.db.pool, { journalKey: t.journalKey })).checkpoints).toBeNull();
  });

  it('names a journal cut off after the newest checkpoint, and records rewritten since', async () => {
    const checkpoints = await checkpointsOfEveryRecord();
    await cutAfter(6n);
    // The shorter chain is valid: only the checkpoints show the cut (ADR 0010).
    expect((await verifyLedger(t.db.pool, { journalKey: t.journalKey })).problems).toEqual([]);
    const cut = await verifyLedger(t.db.pool, { journalKey: t.journalKey, checkpoints });
    expect(cut.problems).toEqual([
      `journal cut off after record 6: checkpoint at ${at.toISOString()} saw record 8`,
    ]);

    // New money since: record 7 exists again, with another hash than the checkpoint saw.
    await t.fund(ids.wallet, 1n);
    const rewritten = await verifyLedger(t.db.pool, { journalKey: t.journalKey, checkpoints });
    expect(rewritten.problems).toEqual([
      `journal record 7 is not the record the checkpoint at ${at.toISOString()} saw: its hash differs ` +
        '(the journal was cut back and rewritten since)',
      `journal cut off after record 7: checkpoint at ${at.toISOString()} saw record 8`,
    ]);
  });

  it("skips the checkpoints of another chain sharing the file (the operator audit log's)", async () => {
    const checkpoints = await checkpointsOfEveryRecord();
    // Audit checkpoints name entries of another log: their seq 99 is no journal record, and
    // their mac is under another key; the journal's check neither counts nor judges them.
    const audit = JSON.stringify({
      chain: 'operator-audit',
      ...(JSON.parse(checkpoints[0]!) as object),
      seq: '99',
    });
    const logged = JSON.stringify({
      level: 30,
      msg: 'audit checkpoint',
      checkpoint: JSON.parse(audit) as object,
    });
    const report = await verifyLedger(t.db.pool, {
      journalKey: t.journalKey,
      checkpoints: [audit, ...checkpoints, logged, 'not a checkpoint'],
    });
    // Line numbers are the file's: the unreadable line is the last.
    expect(report.problems).toEqual([
      `checkpoint line ${checkpoints.length + 3} is not a journal checkpoint`,
    ]);
    expect(report.checkpoints).toEqual({
      lines: checkpoints.length + 1, // the audit log's lines are its own check's
      authentic: checkpoints.length,
      newest: { seq: BigInt(checkpoints.length), at: at.toISOString() },
    });
  });

  it('names forged and unreadable checkpoints, and needs the key to check them', async () => {
    const [first] = await checkpointsOfEveryRecord();
    const forged = JSON.stringify({ ...JSON.parse(first!), seq: '99' });
    const report = await verifyLedger(t.db.pool, {
      journalKey: t.journalKey,
      checkpoints: [first!, 'not a checkpoint', forged],
    });
    expect(report.problems).toEqual([
      'checkpoint line 2 is not a journal checkpoint',
      `checkpoint line 3 is forged: its mac does not match the journal key (it claims record 99 at ${at.toISOString()})`,
    ]);
    expect(report.checkpoints).toMatchObject({ lines: 3, authentic: 1, newest: { seq: 1n } });

    const withoutKey = await verifyLedger(t.db.pool, { checkpoints: [first!] });
    expect(withoutKey.problems).toContain(
      'journal checkpoints were given but no journal key: they cannot be checked',
    );
  });
});
