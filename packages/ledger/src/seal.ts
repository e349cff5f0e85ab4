/**
 * The seal of a keyed journal (ADR 0010): one row, written once with the key, naming the first
 * journal record hashed with it. The ledger writes it when it first opens a database with a
 * key; `verify` checks it before anything else.
 */
import type pg from 'pg';
import { journalSeal } from './journal.ts';

export interface JournalSeal {
  keyedFromSeq: bigint;
  boundaryHash: Buffer;
  seal: Buffer;
  sealedAt: Date;
}

export async function readSeal(client: pg.ClientBase | pg.Pool): Promise<JournalSeal | null> {
  const { rows } = await client.query<{
    keyed_from_seq: bigint;
    boundary_hash: Buffer;
    seal: Buffer;
    sealed_at: Date;
  }>('SELECT keyed_from_seq, boundary_hash, seal, sealed_at FROM ledger_journal_seal');
  const row = rows[0];
  return row
    ? {
        keyedFromSeq: row.keyed_from_seq,
        boundaryHash: row.boundary_hash,
        seal: row.seal,
        sealedAt: row.sealed_at,
      }
    : null;
}

export function sealMatches(seal: JournalSeal, key: Uint8Array): boolean {
  return journalSeal(key, seal.keyedFromSeq, seal.boundaryHash).equals(seal.seal);
}

/** The journal was sealed with another key than the one given (or its seal was edited). */
export class JournalKeyMismatchError extends Error {
  constructor() {
    super(
      "the ledger journal's seal does not match the journal key: QIANBAO_SECRET_KEY is not the key " +
        'this ledger was written with (or the seal was edited); refusing to write with it',
    );
    this.name = 'JournalKeyMismatchError';
  }
}

/** The journal holds records written before keyed hashing, and sealing them was not allowed. */
export class UnsealedJournalError extends Error {
  constructor(readonly records: bigint) {
    super(
      `the ledger journal holds ${records} record(s) hashed without a key (written before keyed hashing, ` +
        'or rewritten by someone without the key) and is not sealed: check it with `qianbao verify`, ' +
        'then seal it with `qianbao migrate`. A journal that was sealed before and is not any more ' +
        'has been tampered with (ADR 0010)',
    );
    this.name = 'UnsealedJournalError';
  }
}

/** A ledger without a key was opened on a keyed journal. */
export class JournalKeyRequiredError extends Error {
  constructor() {
    super('the ledger journal is keyed: open the ledger with its journal key (from QIANBAO_SECRET_KEY)');
    this.name = 'JournalKeyRequiredError';
  }
}

export interface SealOutcome {
  /** What the journal's seal is now. */
  seal: JournalSeal;
  /** Whether this call wrote it. */
  created: boolean;
}

/**
 * Make sure the journal is sealed with `key`. An empty journal is sealed at once (keyed from its
 * first record: nothing before it could be passed off as legacy). A journal that already has
 * records is sealed only with `allowLegacy`: its records become a plain SHA-256 prefix whose
 * head the seal pins. That is an operator's decision (`qianbao migrate`), because a database
 * whose seal was removed looks exactly like one that was never sealed.
 */
export async function ensureSealed(
  pool: pg.Pool,
  key: Uint8Array,
  options: { allowLegacy: boolean },
): Promise<SealOutcome> {
  const client = await pool.connect();
  try {
    // The head lock orders this against every batch: no record is appended while we decide.
    await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
    const head = (
      await client.query<{ seq: bigint; hash: Buffer }>(
        'SELECT seq, hash FROM ledger_journal_head FOR UPDATE',
      )
    ).rows[0]!;
    const existing = await readSeal(client);
    if (existing !== null) {
      await client.query('COMMIT');
      if (!sealMatches(existing, key)) throw new JournalKeyMismatchError();
      return { seal: existing, created: false };
    }
    if (head.seq > 0n && !options.allowLegacy) throw new UnsealedJournalError(head.seq);
    const keyedFromSeq = head.seq + 1n;
    const seal = journalSeal(key, keyedFromSeq, head.hash);
    const { rows } = await client.query<{ sealed_at: Date }>(
      `INSERT INTO ledger_journal_seal (keyed_from_seq, boundary_hash, seal) VALUES ($1, $2, $3)
       RETURNING sealed_at`,
      [keyedFromSeq.toString(), head.hash, seal],
    );
    await client.query('COMMIT');
    return {
      seal: { keyedFromSeq, boundaryHash: head.hash, seal, sealedAt: rows[0]!.sealed_at },
      created: true,
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
