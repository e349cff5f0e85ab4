import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { textArray, uuidArray } from './binary.ts';
import { newId } from './ids.ts';
import { runScript } from './script.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(4);
  await db.pool.query('CREATE TABLE script_probe (n integer PRIMARY KEY)');
});
afterAll(async () => db.drop());

/** Binary COPY data for `script_probe (n)`: header, one int4 field per row, trailer. */
function probeRows(values: readonly number[]): Buffer {
  const rows = values.map((n) => {
    const row = Buffer.alloc(10);
    row.writeInt16BE(1, 0);
    row.writeInt32BE(4, 2);
    row.writeInt32BE(n, 6);
    return row;
  });
  const header = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
  const trailer = Buffer.from([0xff, 0xff]);
  return Buffer.concat([header, ...rows, trailer]);
}

async function probeCount(): Promise<number> {
  return (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM script_probe')).rows[0]!.n;
}

describe('one-round-trip scripts', () => {
  it('runs every statement, feeding each COPY its own data, and commits', async () => {
    const client = await db.pool.connect();
    try {
      const { commands, rows } = await runScript(
        client,
        `BEGIN; COPY script_probe (n) FROM STDIN (FORMAT binary); COPY script_probe (n) FROM STDIN (FORMAT binary);
         SELECT count(*) FROM script_probe; COMMIT`,
        [probeRows([1, 2, 3]), probeRows([4])],
      );
      expect(commands).toEqual(['BEGIN', 'COPY 3', 'COPY 1', 'SELECT 1', 'COMMIT']);
      expect(rows).toEqual([['4']]);
    } finally {
      client.release();
    }
    expect(await probeCount()).toBe(4);
  });

  it('a failing statement writes nothing: the rest is skipped, the COPY data still to come is dropped', async () => {
    const before = await probeCount();
    const client = await db.pool.connect();
    try {
      // The first COPY fails on a duplicate key; the second COPY, the SELECT and the COMMIT never run.
      await expect(
        runScript(
          client,
          `BEGIN; COPY script_probe (n) FROM STDIN (FORMAT binary); COPY script_probe (n) FROM STDIN (FORMAT binary);
           SELECT 1; COMMIT`,
          [probeRows([100, 1]), probeRows([101])],
        ),
      ).rejects.toMatchObject({ code: '23505' });
      await client.query('ROLLBACK');
      // The connection is in step again: the dropped data was not read as commands.
      expect((await client.query<{ x: number }>('SELECT 42 AS x')).rows).toEqual([{ x: 42 }]);
      // A failure before the first COPY drops all of its data too.
      await expect(
        runScript(client, 'BEGIN; SELECT 1/0; COPY script_probe (n) FROM STDIN (FORMAT binary); COMMIT', [
          probeRows([200]),
        ]),
      ).rejects.toMatchObject({ code: '22012' });
      await client.query('ROLLBACK');
      expect((await client.query<{ x: number }>('SELECT 43 AS x')).rows).toEqual([{ x: 43 }]);
    } finally {
      client.release();
    }
    expect(await probeCount()).toBe(before);
  });
});

describe('ledger_lock_head', () => {
  it('refuses with QL001 when the head moved and QL002 when it changed under the same version', async () => {
    const head = (
      await db.pool.query<{ seq: bigint; hash: Buffer; last_ts: bigint; version: bigint }>(
        'SELECT seq, hash, last_ts, version FROM ledger_journal_head',
      )
    ).rows[0]!;
    const lock = async (version: bigint, hash: Buffer) => {
      const client = await db.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT ledger_lock_head($1, $2, $3, $4)', [
          version,
          head.seq,
          head.last_ts,
          hash,
        ]);
        return 'locked';
      } catch (error) {
        return (error as { code?: string }).code;
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
    };
    expect(await lock(head.version, head.hash)).toBe('locked');
    expect(await lock(head.version + 1n, head.hash)).toBe('QL001');
    expect(await lock(head.version, Buffer.alloc(32, 7))).toBe('QL002');
  });
});

describe('binary array parameters', () => {
  it('round-trip uuid[] and text[] of any size and script, the empty array included', async () => {
    const ids = Array.from({ length: 1000 }, () => newId());
    const texts = ['', 'plain', 'quote " and \\ backslash', '付款 🧧', 'comma, {brace}', 'NULL'];
    for (const [values, type, encode] of [
      [ids, 'uuid[]', uuidArray],
      [[], 'uuid[]', uuidArray],
      [texts, 'text[]', textArray],
      [[], 'text[]', textArray],
    ] as const) {
      const { rows } = await db.pool.query<{ v: string[] }>(`SELECT $1::${type}::text[] AS v`, [
        encode(values),
      ]);
      expect(rows[0]!.v).toEqual(values);
    }
    expect(() => uuidArray(['not-a-uuid'])).toThrow(/not a UUID/);
  });
});

describe('ledger_accounts constraints', () => {
  it('still refuse a bad currency, code, flags or owner reference written by hand (domains since 0003)', async () => {
    const insert = (currency: string, code: number, flags: number, ownerRef: string | null) =>
      db.pool
        .query(
          'INSERT INTO ledger_accounts (id, currency, code, flags, owner_ref) VALUES ($1, $2, $3, $4, $5)',
          [newId(), currency, code, flags, ownerRef],
        )
        .then(
          () => 'ok',
          (error: { code?: string }) => error.code,
        );
    expect(await insert('CNY', 1, 0, null)).toBe('ok');
    expect(await insert('cny', 1, 0, null)).toBe('23514');
    expect(await insert('CNY', 0, 0, null)).toBe('23514');
    expect(await insert('CNY', 1, 8, null)).toBe('23514');
    // both overdraft rules at once (3), with or without the test flag (4), since 0006
    expect(await insert('CNY', 1, 3, null)).toBe('23514');
    expect(await insert('CNY', 1, 7, null)).toBe('23514');
    expect(await insert('CNY', 1, 5, null)).toBe('ok');
    expect(await insert('CNY', 1, 0, 'x'.repeat(129))).toBe('23514');
    // Counters are still checked on every update.
    await expect(db.pool.query('UPDATE ledger_accounts SET debits_posted = -1')).rejects.toMatchObject({
      code: '23514',
    });
  });
});
