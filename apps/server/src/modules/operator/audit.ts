/**
 * The operator audit log: append-only (triggers refuse UPDATE, DELETE, TRUNCATE) and hash-chained
 * with a key the database does not hold, like the ledger's journal (ADR 0003, 0010, 0024).
 *
 *   hash(n) = HMAC-SHA256(audit key, "qianbao operator audit v1\n" ‖ hash(n-1) ‖ canonical(entry n))
 *
 * Entries are appended under one transaction-level advisory lock, so the chain stays linear
 * whatever the number of writers; the lock is held until the writer's transaction commits, which
 * is why an action that writes its entry inside its own transaction keeps the lock short.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import { newId } from '@qianbao/ledger';
import type { SecretBox } from '../../crypto/secret-box.ts';
import { auditCheckpointKeyFrom, readAuditCheckpoint } from './audit-checkpoint.ts';
import type { AuditCheckpoint } from './audit-checkpoint.ts';

export const AUDIT_GENESIS_HASH: Buffer = Buffer.alloc(32);
const AUDIT_LOCK = 'qianbao:operator-audit-log';
const VERIFY_PAGE = 1000;
/** Checkpoints looked up in one query. */
const CHECKPOINT_PAGE = 1000;
/** Problems a verify report lists; the count covers all. */
const MAX_PROBLEMS = 20;

/**
 * The chain's key: a keyed derivation of the master key (QIANBAO_SECRET_KEY) under a purpose of
 * its own, through the secret box's index key (HKDF of the master key, then HMAC): never the
 * sealing key, never the journal key, and not computable by someone who holds only the database.
 */
export function auditKeyFrom(secrets: SecretBox): Buffer {
  return secrets.blindIndex('chain key v1', 'qianbao:operator-audit');
}

export interface AuditInput {
  operatorId: string | null;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
}

export interface AuditEntry {
  seq: bigint;
  id: string;
  operatorId: string | null;
  action: string;
  target: string | null;
  details: unknown;
  at: Date;
}

/** JSON with object keys sorted at every depth: the same text however jsonb reordered the keys. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => stableJson(item)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${stableJson(record[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Every stored field of an entry, in a fixed order. */
export function canonicalEntry(entry: AuditEntry): string {
  return stableJson([
    entry.seq.toString(),
    entry.id,
    entry.operatorId,
    entry.action,
    entry.target,
    entry.details,
    entry.at.toISOString(),
  ]);
}

export function entryHash(key: Uint8Array, previousHash: Buffer, entry: AuditEntry): Buffer {
  return createHmac('sha256', key)
    .update('qianbao operator audit v1\n')
    .update(previousHash)
    .update(canonicalEntry(entry))
    .digest();
}

interface Row {
  seq: bigint;
  id: string;
  operator_id: string | null;
  action: string;
  target: string | null;
  details: unknown;
  at: Date;
  prev_hash: Buffer | null;
  hash: Buffer | null;
}

function toEntry(row: Row): AuditEntry {
  return {
    seq: BigInt(row.seq),
    id: row.id,
    operatorId: row.operator_id,
    action: row.action,
    target: row.target,
    details: row.details,
    at: row.at,
  };
}

/**
 * Appends one entry. `db` must be inside a transaction (the advisory lock is the transaction's):
 * the caller's, so the entry commits or rolls back with its action, or one of our own.
 */
export async function appendAuditEntry(
  db: pg.ClientBase,
  options: { key: Uint8Array; at: Date },
  input: AuditInput,
): Promise<AuditEntry> {
  await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [AUDIT_LOCK]);
  const head = await newestEntry(db);
  let previousHash = AUDIT_GENESIS_HASH;
  if (head) previousHash = head.hash ?? (await chainLegacyEntries(db, options.key));
  // Through JSON once: what is hashed is exactly what jsonb stores and gives back.
  const details = JSON.parse(JSON.stringify(input.details)) as unknown;
  const entry: AuditEntry = {
    seq: head ? BigInt(head.seq) + 1n : 1n,
    id: newId(),
    operatorId: input.operatorId,
    action: input.action,
    target: input.target,
    details,
    at: options.at,
  };
  await db.query(
    `INSERT INTO operator_audit_log (id, seq, operator_id, action, target, details, at, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      entry.id,
      entry.seq.toString(),
      entry.operatorId,
      entry.action,
      entry.target,
      JSON.stringify(details),
      entry.at,
      previousHash,
      entryHash(options.key, previousHash, entry),
    ],
  );
  return entry;
}

/** The newest entry's number and hash (null hash: written before the chain, not chained yet). */
async function newestEntry(db: pg.Pool | pg.ClientBase): Promise<Pick<Row, 'seq' | 'hash'> | undefined> {
  const { rows } = await db.query<Pick<Row, 'seq' | 'hash'>>(
    'SELECT seq, hash FROM operator_audit_log ORDER BY seq DESC LIMIT 1',
  );
  return rows[0];
}

/**
 * The committed head of the chain, as an audit checkpoint names it (audit-checkpoint.ts); null
 * when the log is empty or its newest entry is not chained yet (nothing a checkpoint could pin).
 */
export async function auditHead(pool: pg.Pool): Promise<{ seq: bigint; hash: Buffer } | null> {
  const head = await newestEntry(pool);
  return head?.hash ? { seq: BigInt(head.seq), hash: head.hash } : null;
}

/**
 * Entries written before the chain existed (migration 0402) have no hash: the first append after
 * it chains them, in order, under the lock. The trigger allows exactly this update (a null hash
 * set, nothing else changed), once per entry. Answers the last one's hash.
 */
async function chainLegacyEntries(db: pg.ClientBase, key: Uint8Array): Promise<Buffer> {
  const { rows } = await db.query<Row>(
    `SELECT seq, id, operator_id, action, target, details, at, prev_hash, hash
       FROM operator_audit_log ORDER BY seq`,
  );
  let previousHash = AUDIT_GENESIS_HASH;
  for (const row of rows) {
    if (row.hash !== null) {
      previousHash = row.hash;
      continue;
    }
    const hash = entryHash(key, previousHash, toEntry(row));
    await db.query(
      'UPDATE operator_audit_log SET prev_hash = $2, hash = $3 WHERE seq = $1 AND hash IS NULL',
      [row.seq.toString(), previousHash, hash],
    );
    previousHash = hash;
  }
  return previousHash;
}

export interface AuditProblem {
  /** The entry concerned; null for a checkpoint line that proves nothing (forged, unreadable). */
  seq: string | null;
  problem: string;
}

/** What the audit checkpoints given to verify came to. */
export interface AuditCheckpointSummary {
  /** Lines of the audit chain read (the journal's lines in the same file are its own check's). */
  lines: number;
  /** Audit checkpoints whose mac the key gives. */
  authentic: number;
  /** The authentic checkpoint of the newest entry. */
  newest: { seq: string; at: string } | null;
}

export interface AuditVerifyOptions {
  /**
   * Lines of a checkpoint file (or the `audit checkpoint` lines of the servers' logs), all
   * written before this call: each audit checkpoint is checked in the chain's snapshot.
   */
  checkpoints?: AsyncIterable<string> | Iterable<string> | undefined;
}

export interface AuditVerifyReport {
  ok: boolean;
  /** Entries read. */
  entries: number;
  /** Entries written before the chain and not chained yet (the next append chains them). */
  unchained: number;
  headSeq: string | null;
  /** The first entry that is missing, changed or out of the chain; null when the chain holds. */
  firstBrokenSeq: string | null;
  problems: AuditProblem[];
  problemCount: number;
  /** Null when no checkpoints were given. */
  checkpoints: AuditCheckpointSummary | null;
}

/**
 * Recomputes the chain from the first entry, in pages, in one repeatable-read snapshot. Names
 * every entry whose content no longer gives its hash, every broken link, every gap in the
 * numbering (a deleted entry), every entry left out of the chain; with checkpoints, also a log
 * cut back behind the newest one (its newest entries deleted: a shorter chain that is valid,
 * which only a head kept outside the database shows).
 */
export async function verifyAuditChain(
  pool: pg.Pool,
  key: Uint8Array,
  options: AuditVerifyOptions = {},
): Promise<AuditVerifyReport> {
  const client = await pool.connect();
  const problems: AuditProblem[] = [];
  let problemCount = 0;
  // Declared wide: it is set in `report`, which the compiler's narrowing does not follow.
  let firstBrokenSeq = null as bigint | null;
  const report = (seq: bigint | null, problem: string) => {
    problemCount += 1;
    // The lowest broken entry, whichever check found it (checkpoints are checked after the walk).
    if (seq !== null && (firstBrokenSeq === null || seq < firstBrokenSeq)) firstBrokenSeq = seq;
    if (problems.length < MAX_PROBLEMS) problems.push({ seq: seq?.toString() ?? null, problem });
  };
  let checkpoints: AuditCheckpointSummary | null = null;
  let entries = 0;
  let unchained = 0;
  let chained = 0;
  let expectedSeq = 1n;
  let previousHash = AUDIT_GENESIS_HASH;
  let previousChained = true; // genesis
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    for (;;) {
      const { rows } = await client.query<Row>(
        `SELECT seq, id, operator_id, action, target, details, at, prev_hash, hash
           FROM operator_audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2`,
        [expectedSeq.toString(), VERIFY_PAGE],
      );
      for (const row of rows) {
        const entry = toEntry(row);
        entries += 1;
        if (entry.seq !== expectedSeq)
          report(expectedSeq, `entries ${expectedSeq}–${entry.seq - 1n} are missing (deleted)`);
        if (row.hash === null || row.prev_hash === null) {
          unchained += 1;
          if (chained > 0) report(entry.seq, 'taken out of the chain: its hash was removed');
          previousChained = false;
        } else {
          chained += 1;
          if (!previousChained) report(entry.seq, 'follows an entry that is not in the chain');
          else if (!row.prev_hash.equals(previousHash))
            report(
              entry.seq,
              'does not link to the entry before it (an entry before it was removed or replaced)',
            );
          const expected = entryHash(key, row.prev_hash, entry);
          if (!safeEqual(expected, row.hash))
            report(entry.seq, 'changed after it was written: its content does not give its hash');
          previousHash = row.hash;
          previousChained = true;
        }
        expectedSeq = entry.seq + 1n;
      }
      if (rows.length < VERIFY_PAGE) break;
    }
    if (options.checkpoints !== undefined)
      checkpoints = await verifyAuditCheckpoints(client, report, {
        lines: options.checkpoints,
        key: auditCheckpointKeyFrom(key),
        lastSeq: expectedSeq - 1n,
      });
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
  return {
    ok: problemCount === 0,
    entries,
    // Unchained entries are only sound as the whole log, before its first append since 0402.
    unchained: chained > 0 ? 0 : unchained,
    headSeq: entries === 0 ? null : (expectedSeq - 1n).toString(),
    firstBrokenSeq: firstBrokenSeq?.toString() ?? null,
    problems,
    problemCount,
    checkpoints,
  };
}

/**
 * Every authentic audit checkpoint must name an entry the log still holds, with the hash it had
 * (a lookup per page of checkpoints); a log ending before the newest checkpoint's entry was cut
 * off. A checkpoint whose mac the key does not give was forged or edited and proves nothing.
 * The journal's lines in the same file are the journal's check (packages/ledger verify.ts).
 */
async function verifyAuditCheckpoints(
  client: pg.PoolClient,
  report: (seq: bigint | null, problem: string) => void,
  options: { lines: AsyncIterable<string> | Iterable<string>; key: Buffer; lastSeq: bigint },
): Promise<AuditCheckpointSummary> {
  let lines = 0;
  let authentic = 0;
  let newest: AuditCheckpoint | null = null;
  let page: AuditCheckpoint[] = [];
  const lookUp = async () => {
    const seqs = [...new Set(page.filter((c) => c.seq <= options.lastSeq).map((c) => c.seq.toString()))];
    const { rows } = await client.query<{ seq: bigint; hash: Buffer | null }>(
      'SELECT seq, hash FROM operator_audit_log WHERE seq = ANY($1::bigint[])',
      [seqs],
    );
    const stored = new Map(rows.map((row) => [BigInt(row.seq), row.hash]));
    for (const checkpoint of page) {
      if (checkpoint.seq > options.lastSeq) continue; // past the end: the cut is named once, below
      const hash = stored.get(checkpoint.seq);
      if (hash === undefined) {
        report(checkpoint.seq, `is missing (deleted): the checkpoint at ${checkpoint.at} saw it`);
      } else if (hash === null || !hash.equals(checkpoint.hash)) {
        report(
          checkpoint.seq,
          `is not the entry the checkpoint at ${checkpoint.at} saw: its hash differs ` +
            '(the log was cut back and written again since)',
        );
      }
    }
    page = [];
  };
  let lineNumber = 0;
  for await (const line of options.lines) {
    lineNumber += 1;
    const reading = readAuditCheckpoint(line, options.key);
    if (reading.kind === 'other') continue;
    lines += 1;
    if (reading.kind === 'malformed') {
      report(null, `checkpoint line ${lineNumber} names the audit chain but is not a checkpoint`);
    } else if (reading.kind === 'forged') {
      report(
        null,
        `checkpoint line ${lineNumber} is forged: its mac does not match the audit key (it claims entry ` +
          `${reading.checkpoint.seq} at ${reading.checkpoint.at})`,
      );
    } else {
      const { checkpoint } = reading;
      authentic += 1;
      if (newest === null || checkpoint.seq > newest.seq) newest = checkpoint;
      page.push(checkpoint);
      if (page.length >= CHECKPOINT_PAGE) await lookUp();
    }
  }
  if (page.length > 0) await lookUp();
  if (newest !== null && newest.seq > options.lastSeq) {
    report(
      options.lastSeq + 1n,
      `operator audit log cut off after entry ${options.lastSeq}: the checkpoint at ${newest.at} saw ` +
        `entry ${newest.seq}`,
    );
  }
  return {
    lines,
    authentic,
    newest: newest === null ? null : { seq: newest.seq.toString(), at: newest.at },
  };
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface AuditSearch {
  /** An operator's id or username. */
  operator?: string | undefined;
  /** An action, or a prefix ending with `*` (`kyc.*`). */
  action?: string | undefined;
  target?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Entries older than this sequence number (the previous page's `nextCursor`). */
  cursor?: bigint | undefined;
  limit: number;
}

export interface AuditListEntry extends AuditEntry {
  operatorUsername: string | null;
}

/** Newest first; `nextCursor` pages on (null: no more). */
export async function searchAuditLog(
  pool: pg.Pool,
  search: AuditSearch,
): Promise<{ entries: AuditListEntry[]; nextCursor: string | null }> {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (sql: (placeholder: string) => string, value: unknown) => {
    values.push(value);
    where.push(sql(`$${values.length}`));
  };
  if (search.operator) {
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(search.operator))
      add((p) => `l.operator_id = ${p}`, search.operator);
    else add((p) => `a.username = ${p}`, search.operator.trim().toLowerCase());
  }
  if (search.action) {
    if (search.action.endsWith('*')) add((p) => `starts_with(l.action, ${p})`, search.action.slice(0, -1));
    else add((p) => `l.action = ${p}`, search.action);
  }
  if (search.target) add((p) => `l.target = ${p}`, search.target);
  if (search.from) add((p) => `l.at >= ${p}`, search.from);
  if (search.to) add((p) => `l.at < ${p}`, search.to);
  if (search.cursor !== undefined) add((p) => `l.seq < ${p}`, search.cursor.toString());
  const limit = Math.min(Math.max(search.limit, 1), 200);
  values.push(limit + 1);
  const { rows } = await pool.query<Row & { username: string | null }>(
    `SELECT l.seq, l.id, l.operator_id, l.action, l.target, l.details, l.at, l.prev_hash, l.hash, a.username
       FROM operator_audit_log l LEFT JOIN operator_accounts a ON a.id = l.operator_id
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY l.seq DESC LIMIT $${values.length}`,
    values,
  );
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    entries: page.map((row) => ({ ...toEntry(row), operatorUsername: row.username })),
    nextCursor: rows.length > limit && last ? BigInt(last.seq).toString() : null,
  };
}
