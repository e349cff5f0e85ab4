/**
 * The operator audit log is append-only and tamper-evident (ADR 0024): PostgreSQL refuses UPDATE,
 * DELETE and TRUNCATE even to the table's owner; an entry changed, deleted or re-hashed around the
 * triggers (as a superuser can) is named by verify with its sequence number; entries written by
 * many writers at once form one linear chain; the search pages newest first.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { withTransaction } from '@qianbao/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database.ts';
import { createTestApp, type TestApp } from '../../testing.ts';
import { auditCheckpointKeyFrom, auditCheckpointLine, makeAuditCheckpoint } from './audit-checkpoint.ts';
import { AUDIT_GENESIS_HASH, appendAuditEntry, auditHead, entryHash, verifyAuditChain } from './audit.ts';
import type { AuditEntry } from './audit.ts';
import { signedInOperator, type SignedInOperator } from './testing.ts';

let subject: TestApp;
let admin: SignedInOperator;

beforeAll(async () => {
  subject = await createTestApp();
  admin = await signedInOperator(subject, 'admin');
});
afterAll(async () => {
  await subject.close();
});

/** Statements as a superuser runs them: around the triggers (session_replication_role = replica). */
async function asSuperuser(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SET session_replication_role = replica');
    await work(client);
  } finally {
    client.release(true);
  }
}

async function verifyOverApi(headers = admin.headers) {
  const response = await subject.app.inject({
    method: 'POST',
    url: '/v1/operator/audit-log/verify',
    headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{
    ok: boolean;
    firstBrokenSeq: string | null;
    problems: { seq: string | null; problem: string }[];
    checkpoints: unknown;
  }>();
}

describe('append-only in PostgreSQL', () => {
  it('refuses UPDATE, DELETE and TRUNCATE, even to the table owner', async () => {
    const pool = subject.database.pool;
    const { rows } = await pool.query<{ owner: string; me: string }>(
      `SELECT tableowner AS owner, current_user AS me FROM pg_tables WHERE tablename = 'operator_audit_log'`,
    );
    expect(rows[0]?.owner).toBe(rows[0]?.me); // the test connects as the owner (and a superuser)
    await expect(pool.query(`UPDATE operator_audit_log SET action = 'nothing.happened'`)).rejects.toThrow(
      /append-only: UPDATE refused/,
    );
    await expect(pool.query(`UPDATE operator_audit_log SET hash = NULL, prev_hash = NULL`)).rejects.toThrow(
      /append-only/,
    );
    await expect(pool.query('DELETE FROM operator_audit_log')).rejects.toThrow(/append-only: DELETE refused/);
    await expect(pool.query('TRUNCATE operator_audit_log')).rejects.toThrow(/append-only: TRUNCATE refused/);
    expect((await verifyOverApi()).ok).toBe(true);
  });

  it('30 operator actions at once make one linear chain', async () => {
    const before = await subject.database.pool.query<{ max: string | null }>(
      'SELECT max(seq)::text AS max FROM operator_audit_log',
    );
    // 30 real requests at once, of independent actions (no lock of their own): 15 role edits of
    // five different roles and 15 runs of verify, each writing its entry
    const roles = ['support', 'risk', 'finance', 'kyc_reviewer', 'support'] as const;
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        index % 2 === 0
          ? subject.app.inject({
              method: 'POST',
              url: '/v1/operator/audit-log/verify',
              headers: admin.headers,
            })
          : subject.app.inject({
              method: 'PUT',
              url: `/v1/operator/roles/${roles[index % roles.length]}`,
              headers: admin.headers,
              payload: { actions: ['holders:read', 'dashboard:read'], reason: `concurrent ${index}` },
            }),
      ),
    );
    for (const response of responses) expect(response.statusCode, response.body).toBe(200);
    const { rows } = await subject.database.pool.query<{ seq: string; prev_hash: Buffer; hash: Buffer }>(
      'SELECT seq::text, prev_hash, hash FROM operator_audit_log WHERE seq > $1 ORDER BY operator_audit_log.seq',
      [before.rows[0]?.max ?? '0'],
    );
    expect(rows).toHaveLength(30);
    rows.forEach((row, index) => {
      expect(BigInt(row.seq)).toBe(BigInt(before.rows[0]?.max ?? '0') + BigInt(index) + 1n);
      if (index > 0) expect(row.prev_hash.equals(rows[index - 1]!.hash)).toBe(true);
    });
    const report = await verifyOverApi();
    expect(report).toMatchObject({ ok: true, firstBrokenSeq: null });
  });

  it('operators made at once each get their account and their entry, in one chain', async () => {
    // The account's row is written before the entry's lock is taken: a later entry must still see
    // the earlier ones (a helper saw OPERATOR_EXISTS here once; this pins that it does not happen).
    const made = await Promise.allSettled(
      Array.from({ length: 12 }, (_, index) =>
        subject.app.services.operator.create({
          username: `parallel.${process.pid}.${index}`,
          role: 'support',
        }),
      ),
    );
    expect(made.filter((one) => one.status === 'rejected')).toEqual([]);
    expect(await verifyOverApi()).toMatchObject({ ok: true, firstBrokenSeq: null });
  });
});

describe('search', () => {
  it('filters by operator, action, target and time, newest first, in cursor pages', async () => {
    const other = await signedInOperator(subject, 'admin');
    for (let index = 0; index < 5; index += 1)
      await subject.app.services.operator.audit({
        operatorId: other.id,
        action: 'test.searched',
        target: `target-${index % 2}`,
        details: { index },
      });
    const search = async (query: string) => {
      const response = await subject.app.inject({
        method: 'GET',
        url: `/v1/operator/audit-log?${query}`,
        headers: admin.headers,
      });
      expect(response.statusCode, response.body).toBe(200);
      return response.json<{
        entries: {
          seq: string;
          action: string;
          target: string;
          operatorUsername: string;
          details: { index: number };
        }[];
        nextCursor: string | null;
      }>();
    };
    const first = await search(`operator=${other.username}&action=test.searched&limit=2`);
    expect(first.entries.map((entry) => entry.details.index)).toEqual([4, 3]);
    expect(first.entries[0]?.operatorUsername).toBe(other.username);
    const second = await search(`operator=${other.id}&action=test.*&limit=2&cursor=${first.nextCursor}`);
    expect(second.entries.map((entry) => entry.details.index)).toEqual([2, 1]);
    const last = await search(
      `operator=${other.id}&action=test.searched&limit=2&cursor=${second.nextCursor}`,
    );
    expect(last.entries.map((entry) => entry.details.index)).toEqual([0]);
    expect(last.nextCursor).toBeNull();
    const byTarget = await search(`action=test.searched&target=target-1`);
    expect(byTarget.entries.map((entry) => entry.details.index)).toEqual([3, 1]);
    const future = new Date(Date.now() + 3600_000).toISOString();
    expect((await search(`action=test.searched&from=${encodeURIComponent(future)}`)).entries).toEqual([]);
    expect((await search(`action=test.searched&to=${encodeURIComponent(future)}`)).entries).toHaveLength(5);
  });

  it('is for audit:read only', async () => {
    const finance = await signedInOperator(subject, 'finance');
    for (const [method, url] of [
      ['GET', '/v1/operator/audit-log'],
      ['POST', '/v1/operator/audit-log/verify'],
    ] as const) {
      const response = await subject.app.inject({ method, url, headers: finance.headers });
      expect(response.statusCode).toBe(403);
    }
  });
});

describe('tampering is detected', () => {
  // Each case on a database of its own: a tampered log stays tampered.
  let database: TestDatabase;
  const key = randomBytes(32);
  const at = new Date('2026-12-01T08:00:00Z');

  async function appendSome(count: number): Promise<void> {
    for (let index = 0; index < count; index += 1)
      await withTransaction(database.pool, (client) =>
        appendAuditEntry(
          client,
          { key, at: new Date(at.getTime() + index * 1000) },
          {
            operatorId: null,
            action: 'test.action',
            target: `t${index}`,
            details: { index, nested: { b: 1, a: 2 } },
          },
        ),
      );
  }

  beforeAll(async () => {
    database = await createTestDatabase(4);
  });
  afterAll(async () => {
    await database.drop();
  });

  it('an entry edited around the trigger is named by its sequence number', async () => {
    await appendSome(6);
    expect(await verifyAuditChain(database.pool, key)).toMatchObject({ ok: true, entries: 6, headSeq: '6' });
    await asSuperuser(database.pool, async (client) => {
      await client.query(`UPDATE operator_audit_log SET details = '{"index": 99}' WHERE seq = 4`);
    });
    const report = await verifyAuditChain(database.pool, key);
    expect(report.ok).toBe(false);
    expect(report.firstBrokenSeq).toBe('4');
    expect(report.problems).toEqual([
      { seq: '4', problem: expect.stringContaining('changed after it was written') as string },
    ]);
    // without the key, the check cannot be passed: another key sees every entry as changed
    expect((await verifyAuditChain(database.pool, randomBytes(32))).firstBrokenSeq).toBe('1');
  });

  it('so is an entry re-hashed by someone without the key, and a deleted one', async () => {
    // Recomputing entry 4's hash with a guessed key and relinking the next one still fails at 4.
    await asSuperuser(database.pool, async (client) => {
      const { rows } = await client.query<{
        seq: string;
        id: string;
        operator_id: string | null;
        action: string;
        target: string;
        details: unknown;
        at: Date;
        prev_hash: Buffer;
      }>(
        'SELECT seq::text, id, operator_id, action, target, details, at, prev_hash FROM operator_audit_log WHERE seq = 4',
      );
      const row = rows[0]!;
      const entry: AuditEntry = { ...row, seq: BigInt(row.seq), operatorId: row.operator_id };
      const forged = entryHash(randomBytes(32), row.prev_hash, entry);
      await client.query('UPDATE operator_audit_log SET hash = $1 WHERE seq = 4', [forged]);
      await client.query('UPDATE operator_audit_log SET prev_hash = $1 WHERE seq = 5', [forged]);
      await client.query('DELETE FROM operator_audit_log WHERE seq = 2');
    });
    const report = await verifyAuditChain(database.pool, key);
    expect(report.ok).toBe(false);
    expect(report.firstBrokenSeq).toBe('2');
    expect(report.problems.map((problem) => problem.seq)).toEqual(['2', '3', '4', '5']);
    expect(report.problems[0]?.problem).toContain('missing (deleted)');
  });

  it('entries written before the chain are chained by the next append, once', async () => {
    const fresh = await createTestDatabase(2);
    try {
      // as migration 0402 leaves entries written before it: numbered, no hash
      await fresh.pool.query(
        `INSERT INTO operator_audit_log (id, seq, operator_id, action, target, details, at)
         VALUES (gen_random_uuid(), 1, NULL, 'operator.create', 'a', '{"role": "admin"}', now()),
                (gen_random_uuid(), 2, NULL, 'operator.login', 'a', '{}', now())`,
      );
      expect(await verifyAuditChain(fresh.pool, key)).toMatchObject({ ok: true, entries: 2, unchained: 2 });
      await withTransaction(fresh.pool, (client) =>
        appendAuditEntry(client, { key, at }, { operatorId: null, action: 'x', target: null, details: {} }),
      );
      expect(await verifyAuditChain(fresh.pool, key)).toMatchObject({ ok: true, entries: 3, unchained: 0 });
      const { rows } = await fresh.pool.query<{ prev_hash: Buffer }>(
        'SELECT prev_hash FROM operator_audit_log WHERE seq = 1',
      );
      expect(rows[0]?.prev_hash.equals(AUDIT_GENESIS_HASH)).toBe(true);
      // once chained, a hash cannot be taken away again
      await expect(
        fresh.pool.query('UPDATE operator_audit_log SET hash = NULL, prev_hash = NULL WHERE seq = 1'),
      ).rejects.toThrow(/append-only/);
    } finally {
      await fresh.drop();
    }
  });
});

describe('checkpoints kept outside the database (ADR 0024)', () => {
  let database: TestDatabase;
  const key = randomBytes(32);
  const at = new Date('2026-12-07T10:00:00.000Z');

  async function append(target: string): Promise<void> {
    await withTransaction(database.pool, (client) =>
      appendAuditEntry(client, { key, at }, { operatorId: null, action: 'test.action', target, details: {} }),
    );
  }

  /** The line a server's checkpoint writer would write for the head as it stands. */
  async function checkpointOfHead(): Promise<string> {
    const head = await auditHead(database.pool);
    return auditCheckpointLine(makeAuditCheckpoint(auditCheckpointKeyFrom(key), head!, at));
  }

  beforeAll(async () => {
    database = await createTestDatabase(2);
  });
  afterAll(async () => {
    await database.drop();
  });

  it('show newest entries deleted around the triggers, which the chain alone cannot', async () => {
    expect(await auditHead(database.pool)).toBeNull();
    const checkpoints: string[] = [];
    for (const target of ['a', 'b', 'c']) await append(target);
    checkpoints.push(await checkpointOfHead());
    await append('d');
    checkpoints.push(await checkpointOfHead());
    await append('e');
    checkpoints.push(await checkpointOfHead());
    // The journal's checkpoints share the file: not the audit log's to judge.
    checkpoints.push(
      JSON.stringify({ seq: '1', hash: '00'.repeat(32), at: at.toISOString(), mac: '00'.repeat(32) }),
    );

    const sound = await verifyAuditChain(database.pool, key, { checkpoints });
    expect(sound).toMatchObject({ ok: true, entries: 5, problems: [] });
    expect(sound.checkpoints).toEqual({ lines: 3, authentic: 3, newest: { seq: '5', at: at.toISOString() } });
    expect((await verifyAuditChain(database.pool, key)).checkpoints).toBeNull();

    // A superuser turns the triggers off, deletes the two newest entries, turns them back on.
    await database.pool.query('ALTER TABLE operator_audit_log DISABLE TRIGGER USER');
    try {
      await database.pool.query('DELETE FROM operator_audit_log WHERE seq > 3');
    } finally {
      await database.pool.query('ALTER TABLE operator_audit_log ENABLE TRIGGER USER');
    }
    // Without checkpoints the shorter chain is valid: nothing shows the cut.
    expect(await verifyAuditChain(database.pool, key)).toMatchObject({ ok: true, entries: 3, problems: [] });
    const cut = await verifyAuditChain(database.pool, key, { checkpoints });
    expect(cut).toMatchObject({ ok: false, entries: 3, firstBrokenSeq: '4' });
    expect(cut.problems).toEqual([
      {
        seq: '4',
        problem: `operator audit log cut off after entry 3: the checkpoint at ${at.toISOString()} saw entry 5`,
      },
    ]);

    // Actions since: entry 4 exists again, but it is not the entry 4 a checkpoint saw.
    await append('x');
    const rewritten = await verifyAuditChain(database.pool, key, { checkpoints });
    expect(rewritten.problems).toEqual([
      {
        seq: '4',
        problem:
          `is not the entry the checkpoint at ${at.toISOString()} saw: its hash differs ` +
          '(the log was cut back and written again since)',
      },
      {
        seq: '5',
        problem: `operator audit log cut off after entry 4: the checkpoint at ${at.toISOString()} saw entry 5`,
      },
    ]);
    expect(rewritten.firstBrokenSeq).toBe('4');
  });

  it('made or edited without the key prove nothing, and are named', async () => {
    const line = await checkpointOfHead();
    const forged = JSON.stringify({ ...(JSON.parse(line) as object), seq: '99' });
    const unreadable = JSON.stringify({ chain: 'operator-audit', seq: 'soon' });
    const report = await verifyAuditChain(database.pool, key, { checkpoints: [line, forged, unreadable] });
    expect(report.problems).toEqual([
      {
        seq: null,
        problem:
          'checkpoint line 2 is forged: its mac does not match the audit key (it claims entry 99 at ' +
          `${at.toISOString()})`,
      },
      { seq: null, problem: 'checkpoint line 3 names the audit chain but is not a checkpoint' },
    ]);
    expect(report).toMatchObject({ ok: false, firstBrokenSeq: null });
    expect(report.checkpoints).toMatchObject({ lines: 3, authentic: 1 });
  });
});

describe("the verify route's checkpoints", () => {
  it('come from the configured LEDGER_CHECKPOINT_FILE when it exists, as the console reads them', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'qianbao-audit-checkpoints-'));
    const file = path.join(dir, 'checkpoints.jsonl');
    // A line made without the key: read through the service, named, proving nothing.
    const forged = { chain: 'operator-audit', seq: '1', hash: '00'.repeat(32), at: new Date().toISOString() };
    writeFileSync(file, `${JSON.stringify({ ...forged, mac: '00'.repeat(32) })}\n`);
    // An app of its own: its master key, and so its audit key, is its own.
    const configured = await createTestApp({ env: { LEDGER_CHECKPOINT_FILE: file } });
    try {
      const { headers } = await signedInOperator(configured, 'admin');
      const response = await configured.app.inject({
        method: 'POST',
        url: '/v1/operator/audit-log/verify',
        headers,
      });
      expect(response.statusCode, response.body).toBe(200);
      const report = response.json<{ ok: boolean; problems: unknown[]; checkpoints: unknown }>();
      expect(report.ok).toBe(false);
      expect(report.problems).toEqual([
        { seq: null, problem: expect.stringMatching(/^checkpoint line 1 is forged/) as string },
      ]);
      expect(report.checkpoints).toEqual({ lines: 1, authentic: 0, newest: null });
    } finally {
      await configured.close();
      rmSync(dir, { recursive: true, force: true });
    }
    // The test apps' own file does not exist: no checkpoints checked.
    expect((await verifyOverApi()).checkpoints).toBeNull();
  });
});

describe('the verify route', () => {
  it('names the first tampered entry, and records that it ran', async () => {
    const { rows } = await subject.database.pool.query<{ seq: string }>(
      `SELECT seq::text FROM operator_audit_log WHERE action = 'test.searched' ORDER BY operator_audit_log.seq LIMIT 1`,
    );
    const seq = rows[0]!.seq;
    await asSuperuser(subject.database.pool, async (client) => {
      await client.query(`UPDATE operator_audit_log SET target = 'someone-else' WHERE seq = $1`, [seq]);
    });
    const report = await verifyOverApi();
    expect(report.ok).toBe(false);
    expect(report.firstBrokenSeq).toBe(seq);
    const { rows: runs } = await subject.database.pool.query<{
      details: { ok: boolean; firstBrokenSeq: string };
    }>(`SELECT details FROM operator_audit_log WHERE action = 'audit.verify' ORDER BY seq DESC LIMIT 1`);
    expect(runs[0]?.details).toMatchObject({ ok: false, firstBrokenSeq: seq });
  });
});
