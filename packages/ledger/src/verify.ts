/**
 * Re-checks the books from the stored history alone: the journal's seal and keyed hash chain,
 * the trial balance per currency, every account's counters against the sum of its transfers, the
 * accounts' flags, and the references between transfers. Reads in bounded pages, and names every
 * broken place it finds (a bounded list, with the count of all found).
 */
import type pg from 'pg';
import { checkpointKeyFrom, readCheckpoint } from './checkpoint.ts';
import type { JournalCheckpoint } from './checkpoint.ts';
import { GENESIS_HASH, batchHash } from './journal.ts';
import { readSeal, sealMatches } from './seal.ts';
import type { JournalSeal } from './seal.ts';
import { TRANSFER_COLUMNS, toTransfer } from './store.ts';
import type { TransferRow } from './store.ts';
import type { Transfer, VerifyReport } from './types.ts';

const JOURNAL_PAGE = 500;
/** Checkpoints looked up in one query. */
const CHECKPOINT_PAGE = 1000;
/** Most problems listed in a report; `problemsFound` counts them all. */
export const MAX_LISTED_PROBLEMS = 50;
/** Most rows each set-based check lists (its total still counts). */
const ROWS_PER_CHECK = 20;

export interface VerifyOptions {
  /**
   * The journal key (`journalKeyFrom(QIANBAO_SECRET_KEY)`). Without it a keyed journal's hashes
   * cannot be checked, and the report says so (not ok).
   */
  journalKey?: Uint8Array;
  /**
   * Lines of journal checkpoints (ADR 0010: a checkpoint file, or the `journal checkpoint` lines
   * of the servers' logs), all written before this call: each is checked against the journal in
   * the same snapshot. Needs `journalKey`.
   */
  checkpoints?: AsyncIterable<string> | Iterable<string>;
}

export async function verifyLedger(pool: pg.Pool, options: VerifyOptions = {}): Promise<VerifyReport> {
  const client = await pool.connect();
  try {
    // One consistent snapshot for every query, however long the walk takes.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const report = await verifyInSnapshot(client, options.journalKey ?? null, options.checkpoints ?? null);
    await client.query('COMMIT');
    return report;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

class Problems {
  readonly listed: string[] = [];
  found = 0;

  note(problem: string): void {
    this.found++;
    if (this.listed.length < MAX_LISTED_PROBLEMS) this.listed.push(problem);
  }

  /** Rows of a check limited to ROWS_PER_CHECK, each carrying the check's total. */
  noteRows<T extends { total: number }>(rows: readonly T[], describe: (row: T) => string): void {
    for (const row of rows) this.note(describe(row));
    const total = rows[0]?.total ?? 0;
    // The rows beyond the listed ones are found too.
    this.found += Math.max(0, total - rows.length);
  }
}

async function verifyInSnapshot(
  client: pg.PoolClient,
  key: Uint8Array | null,
  checkpointLines: AsyncIterable<string> | Iterable<string> | null,
): Promise<VerifyReport> {
  const problems = new Problems();

  const chain = await verifyChain(client, problems, key);
  const checkpoints =
    checkpointLines === null
      ? null
      : await verifyCheckpoints(client, problems, { lines: checkpointLines, key, lastSeq: chain.lastSeq });

  // Account by account first: a trial balance that is off is always explained by them.
  const counterMismatches = await client.query<{
    id: string;
    stored: string;
    derived: string;
    total: number;
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
            concat_ws('/', coalesce(s.dp, 0), coalesce(s.dpo, 0), coalesce(s.cp, 0), coalesce(s.cpo, 0)) AS derived,
            (count(*) OVER ())::int AS total
       FROM ledger_accounts a FULL JOIN sums s ON s.account_id = a.id
      WHERE a.id IS NULL
         OR a.debits_pending <> coalesce(s.dp, 0) OR a.debits_posted <> coalesce(s.dpo, 0)
         OR a.credits_pending <> coalesce(s.cp, 0) OR a.credits_posted <> coalesce(s.cpo, 0)
      ORDER BY 1 LIMIT ${ROWS_PER_CHECK}`,
  );
  problems.noteRows(counterMismatches.rows, (row) =>
    row.stored === ''
      ? `transfers name account ${row.id}, which does not exist`
      : `account ${row.id}: counters (debits pending/posted, credits pending/posted) are ${row.stored} ` +
        `but its transfers add up to ${row.derived}`,
  );

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
      problems.note(
        `trial balance for ${line.currency} does not balance: debits posted ${line.debitsPosted} vs credits posted ` +
          `${line.creditsPosted}, debits pending ${line.debitsPending} vs credits pending ${line.creditsPending}`,
      );
    }
  }

  const flagViolations = await client.query<{ id: string; rule: string; total: number }>(
    `SELECT id::text, CASE WHEN flags & 1 <> 0 THEN 'debits exceed credits' ELSE 'credits exceed debits' END AS rule,
            (count(*) OVER ())::int AS total
       FROM ledger_accounts
      WHERE (flags & 1 <> 0 AND debits_pending::numeric + debits_posted > credits_posted)
         OR (flags & 2 <> 0 AND credits_pending::numeric + credits_posted > debits_posted)
      ORDER BY id LIMIT ${ROWS_PER_CHECK}`,
  );
  problems.noteRows(flagViolations.rows, (row) => `account ${row.id} breaks its flags: ${row.rule}`);

  const badReferences = await client.query<{ id: string; problem: string; total: number }>(
    `SELECT t.id::text, CASE
        WHEN t.currency <> d.currency OR t.currency <> c.currency THEN 'currency differs from its accounts'
        WHEN t.flags & 12 <> 0 AND p.id IS NULL THEN 'resolves a pending transfer that does not exist'
        WHEN t.flags & 12 <> 0 AND p.flags & 2 = 0 THEN 'resolves a transfer that is not pending'
        WHEN t.flags & 12 <> 0 AND (p.debit_account_id <> t.debit_account_id OR p.credit_account_id <> t.credit_account_id)
          THEN 'resolves a pending transfer between other accounts'
        WHEN t.flags & 12 <> 0 AND t.amount > p.amount THEN 'posts more than its pending transfer held'
        WHEN t.flags & 12 <> 0 AND t.ts <= p.ts THEN 'resolves a pending transfer from its future'
        ELSE 'unknown' END AS problem,
        (count(*) OVER ())::int AS total
       FROM ledger_transfers t
       LEFT JOIN ledger_accounts d ON d.id = t.debit_account_id
       LEFT JOIN ledger_accounts c ON c.id = t.credit_account_id
       LEFT JOIN ledger_transfers p ON p.id = t.pending_id
      WHERE (d.id IS NOT NULL AND c.id IS NOT NULL AND (t.currency <> d.currency OR t.currency <> c.currency))
         OR (t.flags & 12 <> 0 AND (p.id IS NULL OR p.flags & 2 = 0 OR p.debit_account_id <> t.debit_account_id
             OR p.credit_account_id <> t.credit_account_id OR t.amount > p.amount OR t.ts <= p.ts))
      ORDER BY t.ts LIMIT ${ROWS_PER_CHECK}`,
  );
  problems.noteRows(badReferences.rows, (row) => `transfer ${row.id} ${row.problem}`);

  const limitMismatches = await client.query<{ key: string; stored: string; derived: string; total: number }>(
    `WITH derived AS (
       SELECT key, sum(t.amount) AS used FROM ledger_transfers t, unnest(t.limit_keys) AS key GROUP BY key
     )
     SELECT c.key, c.used::text AS stored, coalesce(d.used, 0)::text AS derived, (count(*) OVER ())::int AS total
       FROM ledger_limit_counters c LEFT JOIN derived d ON d.key = c.key
      WHERE c.used <> coalesce(d.used, 0)
      ORDER BY c.key LIMIT ${ROWS_PER_CHECK}`,
  );
  problems.noteRows(
    limitMismatches.rows,
    (row) => `limit counter ${row.key} says ${row.stored} but its transfers add up to ${row.derived}`,
  );

  // The expiry worker's index holds exactly the open holds that have a timeout.
  const expiryMismatches = await client.query<{ id: string; problem: string; total: number }>(
    `WITH open_holds AS (
       SELECT h.id, h.expires_at FROM ledger_transfers h
        WHERE h.flags & 2 <> 0 AND h.expires_at IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM ledger_transfers r WHERE r.pending_id = h.id)
     )
     SELECT coalesce(o.id, e.transfer_id)::text AS id,
            CASE WHEN e.transfer_id IS NULL THEN 'is an open hold missing from the expiry index'
                 WHEN o.id IS NULL THEN 'is in the expiry index but is not an open hold'
                 ELSE 'has another expiry time in the expiry index' END AS problem,
            (count(*) OVER ())::int AS total
       FROM open_holds o FULL JOIN ledger_pending_expiries e ON e.transfer_id = o.id
      WHERE o.id IS NULL OR e.transfer_id IS NULL OR e.expires_at <> o.expires_at
      ORDER BY 1 LIMIT ${ROWS_PER_CHECK}`,
  );
  problems.noteRows(expiryMismatches.rows, (row) => `transfer ${row.id} ${row.problem}`);

  const accounts = (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger_accounts'))
    .rows[0]!.n;
  return {
    ok: problems.found === 0,
    batches: chain.batches,
    transfers: chain.transfers,
    accounts,
    journal: chain.journal,
    checkpoints,
    trialBalance,
    problems: problems.listed,
    problemsFound: problems.found,
  };
}

interface JournalRecordRow {
  seq: bigint;
  prev_hash: Buffer;
  hash: Buffer;
  first_ts: bigint;
  last_ts: bigint;
  transfer_count: number;
}

/** One record, checked on its own; what its hash means is settled once the next link is seen. */
interface Checked {
  seq: bigint;
  storedHash: Buffer;
  /** The hash its stored transfers and previous-hash give; null when it cannot be computed. */
  trueHash: Buffer | null;
  /** Keyed record whose stored hash is the plain SHA-256 of its content: written without the key. */
  plainRewrite: boolean;
  transferIds: string[];
  transferCount: number;
}

/**
 * Walk the journal in order. Each record is checked on its own (its hash from its previous-hash
 * and its transfers) and against its neighbour (the link), so that every broken record is named
 * and a hash overwritten in place is told apart from a transfer changed under it.
 */
async function verifyChain(
  client: pg.PoolClient,
  problems: Problems,
  key: Uint8Array | null,
): Promise<{ batches: number; transfers: number; lastSeq: bigint; journal: VerifyReport['journal'] }> {
  const seal = await readSeal(client);
  const keyedFromSeq = seal?.keyedFromSeq ?? null;
  let canCheckKeyed = true;
  if (seal !== null && key === null) {
    canCheckKeyed = false;
    problems.note(
      `the journal is keyed from record ${seal.keyedFromSeq} on, and no journal key was given: its hashes ` +
        'cannot be checked (set QIANBAO_SECRET_KEY to the key the ledger writes with)',
    );
  } else if (seal !== null && key !== null && !sealMatches(seal, key)) {
    canCheckKeyed = false;
    problems.note(
      "the journal's seal does not match the journal key: QIANBAO_SECRET_KEY is not the key this ledger " +
        'was written with, or the seal was edited',
    );
  }

  let previousStoredHash: Buffer = GENESIS_HASH;
  let previousSeq = 0n;
  let previousLastTs = -1n;
  let transfers = 0;
  let batches = 0;
  let chainBroken = false;
  let pending: Checked | null = null;
  /** The next record's link was explained by the previous record's overwritten hash. */
  let linkExplained = false;
  const rewrites: Checked[] = [];

  const flushRewrites = () => {
    if (rewrites.length === 0) return;
    const first = rewrites[0]!;
    const last = rewrites[rewrites.length - 1]!;
    const range =
      first === last ? `journal record ${first.seq} was` : `journal records ${first.seq}–${last.seq} were`;
    problems.note(
      `${range} rewritten by someone without the journal key: the stored hashes are plain SHA-256, not the ` +
        `keyed chain; the first rewritten record holds ${describeTransfers(first)}`,
    );
    rewrites.length = 0;
  };

  /** Settle what a self-inconsistent record means, given the hash the next link carries. */
  const settle = (record: Checked, nextPreviousHash: Buffer | null): void => {
    if (record.trueHash === null || record.trueHash.equals(record.storedHash)) return flushRewrites();
    chainBroken = true;
    if (nextPreviousHash !== null && nextPreviousHash.equals(record.trueHash)) {
      flushRewrites();
      problems.note(
        `journal record ${record.seq}'s hash was overwritten: its transfers are intact, and the next link ` +
          'still carries the true hash',
      );
      linkExplained = true;
      return;
    }
    if (record.plainRewrite) {
      rewrites.push(record);
      return;
    }
    flushRewrites();
    problems.note(
      `journal record ${record.seq}: hash does not match its transfers (a transfer was changed); it holds ` +
        describeTransfers(record),
    );
  };

  for (;;) {
    const { rows: records } = await client.query<JournalRecordRow>(
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

      if (pending !== null) settle(pending, record.prev_hash);
      const explained = linkExplained;
      linkExplained = false;

      const note = (problem: string) => {
        chainBroken = true;
        flushRewrites();
        problems.note(`journal record ${record.seq}: ${problem}`);
      };
      const keyed = keyedFromSeq !== null && record.seq >= keyedFromSeq;
      if (record.seq !== previousSeq + 1n) {
        note(`sequence jumps from ${previousSeq} (a record is missing)`);
      } else if (!explained && !record.prev_hash.equals(previousStoredHash)) {
        note(`previous-hash link does not match record ${previousSeq}`);
      }
      if (seal !== null && record.seq === seal.keyedFromSeq)
        checkBoundary(seal, record, previousStoredHash, note);
      if (record.first_ts <= previousLastTs) note("overlaps the previous record's time range");

      let trueHash: Buffer | null = null;
      let plainRewrite = false;
      if (covered.length !== record.transfer_count) {
        note(
          `covers ${covered.length} transfers but recorded ${record.transfer_count} (added or removed rows)`,
        );
      } else if (!keyed) {
        trueHash = batchHash(record.prev_hash, record.seq, covered);
      } else if (canCheckKeyed && key !== null) {
        trueHash = batchHash(record.prev_hash, record.seq, covered, key);
        plainRewrite =
          !trueHash.equals(record.hash) &&
          batchHash(record.prev_hash, record.seq, covered).equals(record.hash);
      }
      pending = {
        seq: record.seq,
        storedHash: record.hash,
        trueHash,
        plainRewrite,
        transferIds: covered.slice(0, 3).map((t) => t.id),
        transferCount: covered.length,
      };
      previousStoredHash = record.hash;
      previousSeq = record.seq;
      previousLastTs = record.last_ts;
    }
  }

  const head = (
    await client.query<{ seq: bigint; hash: Buffer }>('SELECT seq, hash FROM ledger_journal_head')
  ).rows[0];
  if (pending !== null) settle(pending, head?.hash ?? null);
  flushRewrites();
  if (!head) {
    chainBroken = true;
    problems.note('the journal head is missing');
  } else if (head.seq !== previousSeq || (!linkExplained && !head.hash.equals(previousStoredHash))) {
    chainBroken = true;
    problems.note(
      `the journal head (record ${head.seq}) does not match the last journal record (${previousSeq})`,
    );
  }
  if (seal !== null && previousSeq < seal.keyedFromSeq - 1n) {
    chainBroken = true;
    problems.note(
      `the journal ends at record ${previousSeq}, but its seal covers ${seal.keyedFromSeq - 1n} records written ` +
        'before keyed hashing: records were removed',
    );
  }
  if (seal === null && key !== null && previousSeq > 0n) {
    chainBroken = true;
    problems.note(
      `the journal is not sealed with the journal key: its ${previousSeq} record(s) are plain SHA-256, which ` +
        'anyone who can write the database can recompute (a journal written before keyed hashing is sealed ' +
        'by `qianbao migrate`; one that was sealed before and is not any more has been tampered with)',
    );
  }

  const total = (await client.query<{ n: bigint }>('SELECT count(*)::bigint AS n FROM ledger_transfers'))
    .rows[0]!.n;
  // Rows removed from a record are reported with it; only rows outside every record are left.
  if (!chainBroken && total !== BigInt(transfers)) {
    problems.note(
      `${total - BigInt(transfers)} transfers lie outside every journal record (inserted behind the ledger's back)`,
    );
  }
  return {
    batches,
    transfers,
    lastSeq: previousSeq,
    journal: {
      keyedFromSeq: keyedFromSeq,
      sealedAt: seal?.sealedAt ?? null,
      keyChecked: seal !== null && canCheckKeyed && key !== null,
    },
  };
}

/**
 * Every checkpoint must name a record the journal still holds, with the hash it had: a lookup of
 * `seq` → hash per page of checkpoints. A journal ending before the newest checkpoint's record
 * was cut off (its newest records removed and the head set back: a shorter chain that is valid,
 * which only a head kept outside the database shows). A checkpoint whose mac the key does not
 * give was forged (or edited) and proves nothing.
 */
async function verifyCheckpoints(
  client: pg.PoolClient,
  problems: Problems,
  options: { lines: AsyncIterable<string> | Iterable<string>; key: Uint8Array | null; lastSeq: bigint },
): Promise<NonNullable<VerifyReport['checkpoints']>> {
  const summary: NonNullable<VerifyReport['checkpoints']> = { lines: 0, authentic: 0, newest: null };
  if (options.key === null) {
    problems.note('journal checkpoints were given but no journal key: they cannot be checked');
    return summary;
  }
  const key = checkpointKeyFrom(options.key);
  let newest: JournalCheckpoint | null = null;
  let page: JournalCheckpoint[] = [];
  const lookUp = async () => {
    const seqs = [...new Set(page.filter((c) => c.seq <= options.lastSeq).map((c) => c.seq.toString()))];
    const { rows } = await client.query<{ seq: bigint; hash: Buffer }>(
      'SELECT seq, hash FROM ledger_journal WHERE seq = ANY($1::bigint[])',
      [seqs],
    );
    const stored = new Map(rows.map((row) => [row.seq, row.hash]));
    for (const checkpoint of page) {
      if (checkpoint.seq > options.lastSeq) continue; // past the end: the cut is named once, below
      const hash = stored.get(checkpoint.seq);
      if (hash === undefined) {
        problems.note(
          `journal record ${checkpoint.seq}, which the checkpoint at ${checkpoint.at} saw, is missing`,
        );
      } else if (!hash.equals(checkpoint.hash)) {
        problems.note(
          `journal record ${checkpoint.seq} is not the record the checkpoint at ${checkpoint.at} saw: ` +
            'its hash differs (the journal was cut back and rewritten since)',
        );
      }
    }
    page = [];
  };
  let lineNumber = 0;
  for await (const line of options.lines) {
    lineNumber++;
    const reading = line.trim() === '' ? null : readCheckpoint(line, key);
    // Another chain's checkpoint in the same file (the operator audit log's): checked there.
    if (reading?.kind === 'other') continue;
    summary.lines++;
    if (reading === null) continue;
    if (reading.kind === 'malformed') {
      problems.note(`checkpoint line ${lineNumber} is not a journal checkpoint`);
    } else if (reading.kind === 'forged') {
      problems.note(
        `checkpoint line ${lineNumber} is forged: its mac does not match the journal key (it claims ` +
          `record ${reading.checkpoint.seq} at ${reading.checkpoint.at})`,
      );
    } else {
      const { checkpoint } = reading;
      summary.authentic++;
      if (newest === null || checkpoint.seq > newest.seq) newest = checkpoint;
      page.push(checkpoint);
      if (page.length >= CHECKPOINT_PAGE) await lookUp();
    }
  }
  if (page.length > 0) await lookUp();
  if (newest !== null) {
    summary.newest = { seq: newest.seq, at: newest.at };
    if (newest.seq > options.lastSeq) {
      problems.note(
        `journal cut off after record ${options.lastSeq}: checkpoint at ${newest.at} saw record ${newest.seq}`,
      );
    }
  }
  return summary;
}

/**
 * The first keyed record continues from the head the seal pins: the unkeyed records before it
 * (written before keyed hashing) cannot be rewritten, even consistently, without breaking this.
 */
function checkBoundary(
  seal: JournalSeal,
  record: JournalRecordRow,
  previousStoredHash: Buffer,
  note: (problem: string) => void,
): void {
  if (!previousStoredHash.equals(seal.boundaryHash) || !record.prev_hash.equals(seal.boundaryHash)) {
    note(
      `the ${seal.keyedFromSeq - 1n} record(s) written before keyed hashing were rewritten: their head no longer ` +
        'has the hash the seal pins',
    );
  }
}

function describeTransfers(record: Checked): string {
  if (record.transferCount === 0) return 'no transfers';
  const more = record.transferCount - record.transferIds.length;
  return `transfer${record.transferCount === 1 ? '' : 's'} ${record.transferIds.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}
