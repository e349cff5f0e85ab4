/**
 * Re-checks the books from the stored history alone: the hash chain of every journal record, the
 * trial balance per currency, every account's counters against the sum of its transfers, the
 * accounts' flags, and the references between transfers. Reads in bounded pages.
 */
import type pg from 'pg';
import { GENESIS_HASH, batchHash } from './journal.ts';
import { TRANSFER_COLUMNS, toTransfer } from './store.ts';
import type { TransferRow } from './store.ts';
import type { Transfer, VerifyReport } from './types.ts';

const JOURNAL_PAGE = 500;
const MAX_PROBLEMS = 20;

export async function verifyLedger(pool: pg.Pool): Promise<VerifyReport> {
  const client = await pool.connect();
  try {
    // One consistent snapshot for every query, however long the walk takes.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const report = await verifyInSnapshot(client);
    await client.query('COMMIT');
    return report;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

async function verifyInSnapshot(client: pg.PoolClient): Promise<VerifyReport> {
  const problems: string[] = [];
  const note = (problem: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(problem);
  };

  const chain = await verifyChain(client, note);

  const trialBalance =
    // Sums over many accounts can pass 2^63: add up as numeric, read back as text → bigint.
    (
      await client.query<{ currency: string; dp: string; dpo: string; cp: string; cpo: string }>(
        `SELECT currency, sum(debits_pending)::text AS dp, sum(debits_posted)::text AS dpo,
              sum(credits_pending)::text AS cp, sum(credits_posted)::text AS cpo
         FROM ledger_accounts GROUP BY currency ORDER BY currency`,
      )
    ).rows.map((row) => ({
      currency: row.currency,
      debitsPosted: BigInt(row.dpo),
      creditsPosted: BigInt(row.cpo),
      debitsPending: BigInt(row.dp),
      creditsPending: BigInt(row.cp),
    }));
  for (const line of trialBalance) {
    if (line.debitsPosted !== line.creditsPosted || line.debitsPending !== line.creditsPending) {
      note(
        `trial balance for ${line.currency} does not balance: debits posted ${line.debitsPosted} vs credits posted ` +
          `${line.creditsPosted}, debits pending ${line.debitsPending} vs credits pending ${line.creditsPending}`,
      );
    }
  }

  const counterMismatches = await client.query<{
    id: string;
    stored: string;
    derived: string;
  }>(
    `WITH effects AS (
       SELECT t.debit_account_id AS account_id,
         CASE WHEN t.flags & 2 <> 0 THEN t.amount WHEN t.flags & 12 <> 0 THEN -p.amount ELSE 0 END AS dp,
         CASE WHEN t.flags & 14 = 0 OR t.flags & 4 <> 0 THEN t.amount ELSE 0 END AS dpo,
         0::bigint AS cp, 0::bigint AS cpo
       FROM ledger_transfers t LEFT JOIN ledger_transfers p ON p.id = t.pending_id
       UNION ALL
       SELECT t.credit_account_id, 0, 0,
         CASE WHEN t.flags & 2 <> 0 THEN t.amount WHEN t.flags & 12 <> 0 THEN -p.amount ELSE 0 END,
         CASE WHEN t.flags & 14 = 0 OR t.flags & 4 <> 0 THEN t.amount ELSE 0 END
       FROM ledger_transfers t LEFT JOIN ledger_transfers p ON p.id = t.pending_id
     ), sums AS (
       SELECT account_id, sum(dp) AS dp, sum(dpo) AS dpo, sum(cp) AS cp, sum(cpo) AS cpo
         FROM effects GROUP BY account_id
     )
     SELECT coalesce(a.id, s.account_id)::text AS id,
            concat_ws('/', a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted) AS stored,
            concat_ws('/', coalesce(s.dp, 0), coalesce(s.dpo, 0), coalesce(s.cp, 0), coalesce(s.cpo, 0)) AS derived
       FROM ledger_accounts a FULL JOIN sums s ON s.account_id = a.id
      WHERE a.id IS NULL
         OR a.debits_pending <> coalesce(s.dp, 0) OR a.debits_posted <> coalesce(s.dpo, 0)
         OR a.credits_pending <> coalesce(s.cp, 0) OR a.credits_posted <> coalesce(s.cpo, 0)
      ORDER BY 1 LIMIT 10`,
  );
  for (const row of counterMismatches.rows) {
    note(
      row.stored === ''
        ? `transfers name account ${row.id}, which does not exist`
        : `account ${row.id}: counters (debits pending/posted, credits pending/posted) are ${row.stored} ` +
            `but its transfers add up to ${row.derived}`,
    );
  }

  const flagViolations = await client.query<{ id: string; rule: string }>(
    `SELECT id::text, CASE WHEN flags & 1 <> 0 THEN 'debits exceed credits' ELSE 'credits exceed debits' END AS rule
       FROM ledger_accounts
      WHERE (flags & 1 <> 0 AND debits_pending::numeric + debits_posted > credits_posted)
         OR (flags & 2 <> 0 AND credits_pending::numeric + credits_posted > debits_posted)
      ORDER BY id LIMIT 10`,
  );
  for (const row of flagViolations.rows) note(`account ${row.id} breaks its flags: ${row.rule}`);

  const badReferences = await client.query<{ id: string; problem: string }>(
    `SELECT t.id::text, CASE
        WHEN t.currency <> d.currency OR t.currency <> c.currency THEN 'currency differs from its accounts'
        WHEN t.flags & 12 <> 0 AND p.id IS NULL THEN 'resolves a pending transfer that does not exist'
        WHEN t.flags & 12 <> 0 AND p.flags & 2 = 0 THEN 'resolves a transfer that is not pending'
        WHEN t.flags & 12 <> 0 AND (p.debit_account_id <> t.debit_account_id OR p.credit_account_id <> t.credit_account_id)
          THEN 'resolves a pending transfer between other accounts'
        WHEN t.flags & 12 <> 0 AND t.amount > p.amount THEN 'posts more than its pending transfer held'
        WHEN t.flags & 12 <> 0 AND t.ts <= p.ts THEN 'resolves a pending transfer from its future'
        ELSE 'unknown' END AS problem
       FROM ledger_transfers t
       LEFT JOIN ledger_accounts d ON d.id = t.debit_account_id
       LEFT JOIN ledger_accounts c ON c.id = t.credit_account_id
       LEFT JOIN ledger_transfers p ON p.id = t.pending_id
      WHERE (d.id IS NOT NULL AND c.id IS NOT NULL AND (t.currency <> d.currency OR t.currency <> c.currency))
         OR (t.flags & 12 <> 0 AND (p.id IS NULL OR p.flags & 2 = 0 OR p.debit_account_id <> t.debit_account_id
             OR p.credit_account_id <> t.credit_account_id OR t.amount > p.amount OR t.ts <= p.ts))
      ORDER BY t.ts LIMIT 10`,
  );
  for (const row of badReferences.rows) note(`transfer ${row.id} ${row.problem}`);

  const limitMismatches = await client.query<{ key: string; stored: string; derived: string }>(
    `WITH derived AS (
       SELECT key, sum(t.amount) AS used FROM ledger_transfers t, unnest(t.limit_keys) AS key GROUP BY key
     )
     SELECT c.key, c.used::text AS stored, coalesce(d.used, 0)::text AS derived
       FROM ledger_limit_counters c LEFT JOIN derived d ON d.key = c.key
      WHERE c.used <> coalesce(d.used, 0)
      ORDER BY c.key LIMIT 10`,
  );
  for (const row of limitMismatches.rows) {
    note(`limit counter ${row.key} says ${row.stored} but its transfers add up to ${row.derived}`);
  }

  // The expiry worker's index holds exactly the open holds that have a timeout.
  const expiryMismatches = await client.query<{ id: string; problem: string }>(
    `WITH open_holds AS (
       SELECT h.id, h.expires_at FROM ledger_transfers h
        WHERE h.flags & 2 <> 0 AND h.expires_at IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM ledger_transfers r WHERE r.pending_id = h.id)
     )
     SELECT coalesce(o.id, e.transfer_id)::text AS id,
            CASE WHEN e.transfer_id IS NULL THEN 'is an open hold missing from the expiry index'
                 WHEN o.id IS NULL THEN 'is in the expiry index but is not an open hold'
                 ELSE 'has another expiry time in the expiry index' END AS problem
       FROM open_holds o FULL JOIN ledger_pending_expiries e ON e.transfer_id = o.id
      WHERE o.id IS NULL OR e.transfer_id IS NULL OR e.expires_at <> o.expires_at
      ORDER BY 1 LIMIT 10`,
  );
  for (const row of expiryMismatches.rows) note(`transfer ${row.id} ${row.problem}`);

  const accounts = (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger_accounts'))
    .rows[0]!.n;
  return {
    ok: problems.length === 0,
    batches: chain.batches,
    transfers: chain.transfers,
    accounts,
    trialBalance,
    problems,
  };
}

/** Walk the journal in order, recomputing each record's hash from the transfers it covers. */
async function verifyChain(
  client: pg.PoolClient,
  note: (problem: string) => void,
): Promise<{ batches: number; transfers: number }> {
  let previousHash: Buffer = GENESIS_HASH;
  let previousSeq = 0n;
  let previousLastTs = -1n;
  let transfers = 0;
  let batches = 0;
  let broken = false;
  for (;;) {
    const { rows: records } = await client.query<{
      seq: bigint;
      prev_hash: Buffer;
      hash: Buffer;
      first_ts: bigint;
      last_ts: bigint;
      transfer_count: number;
    }>(
      `SELECT seq, prev_hash, hash, first_ts, last_ts, transfer_count FROM ledger_journal
        WHERE seq > $1 ORDER BY seq LIMIT $2`,
      [previousSeq.toString(), JOURNAL_PAGE],
    );
    if (records.length === 0) break;
    const first = records[0]!.first_ts;
    const last = records[records.length - 1]!.last_ts;
    const { rows } = await client.query<TransferRow>(
      `SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE ts BETWEEN $1 AND $2 ORDER BY ts`,
      [first.toString(), last.toString()],
    );
    const page = rows.map(toTransfer);
    let cursor = 0;
    for (const record of records) {
      batches++;
      const covered: Transfer[] = [];
      while (cursor < page.length && page[cursor]!.timestamp <= record.last_ts) covered.push(page[cursor++]!);
      transfers += covered.length;
      // After the first break keep walking (to count) but report nothing more: later links would
      // only repeat the same damage.
      const problem = broken
        ? null
        : checkRecord(record, covered, { previousSeq, previousHash, previousLastTs });
      if (problem) {
        note(`journal record ${record.seq}: ${problem}`);
        broken = true;
      }
      previousHash = record.hash;
      previousSeq = record.seq;
      previousLastTs = record.last_ts;
    }
  }

  const head = (
    await client.query<{ seq: bigint; hash: Buffer }>('SELECT seq, hash FROM ledger_journal_head')
  ).rows[0];
  if (!head) note('the journal head is missing');
  else if (!broken && (head.seq !== previousSeq || !head.hash.equals(previousHash))) {
    note(`the journal head (record ${head.seq}) does not match the last journal record (${previousSeq})`);
  }
  const total = (await client.query<{ n: bigint }>('SELECT count(*)::bigint AS n FROM ledger_transfers'))
    .rows[0]!.n;
  if (!broken && total !== BigInt(transfers)) {
    note(
      `${total - BigInt(transfers)} transfers lie outside every journal record (inserted behind the ledger's back)`,
    );
  }
  return { batches, transfers };
}

function checkRecord(
  record: { seq: bigint; prev_hash: Buffer; hash: Buffer; first_ts: bigint; transfer_count: number },
  covered: readonly Transfer[],
  previous: { previousSeq: bigint; previousHash: Buffer; previousLastTs: bigint },
): string | null {
  if (record.seq !== previous.previousSeq + 1n)
    return `sequence jumps from ${previous.previousSeq} (a record is missing)`;
  if (!record.prev_hash.equals(previous.previousHash))
    return `previous-hash link does not match record ${previous.previousSeq}`;
  if (record.first_ts <= previous.previousLastTs) return "overlaps the previous record's time range";
  if (covered.length !== record.transfer_count) {
    return `covers ${covered.length} transfers but recorded ${record.transfer_count} (added or removed rows)`;
  }
  if (!batchHash(previous.previousHash, record.seq, covered).equals(record.hash)) {
    return `hash does not match its transfers (a transfer was changed); first transfer ${covered[0]?.id}`;
  }
  return null;
}
