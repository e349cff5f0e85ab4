/**
 * The census and the reseal on scratch tables of every shape a place can have: a text column,
 * a purpose that names another column, a jsonb member with a filter. The real places are
 * tested in ../sealed-places.test.ts; the reseal killed mid-way in apps/cli/src/secrets.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';
import { dataKeyId } from './data-keys.ts';
import { SecretBox } from './secret-box.ts';
import { type SealedPlace, checkSealedPlace, resealPlaces, sealedCensus } from './sealed-places.ts';

const root = Buffer.alloc(32, 3);
const k1 = Buffer.alloc(32, 4);
const before = new SecretBox(root);
const rotated = new SecretBox(root, [k1, 'root']);
const k1Id = dataKeyId(k1);

const NOTES: SealedPlace = { table: 'scratch_notes', column: 'note_sealed', purpose: 'scratch:note:{owner}' };
const NUMBER: SealedPlace = {
  table: 'scratch_requests',
  column: 'request',
  jsonKey: 'accountNumber',
  purpose: 'scratch:number',
  where: "kind = 'bank'",
};

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await database.pool.query(`
    CREATE TABLE scratch_notes (id int PRIMARY KEY, owner text NOT NULL, note_sealed text, filler text);
    CREATE TABLE scratch_requests (id int PRIMARY KEY, kind text NOT NULL, request jsonb NOT NULL);
  `);
});

afterAll(async () => {
  await database.drop();
});

async function notes(): Promise<Map<number, string | null>> {
  const { rows } = await database.pool.query<{ id: number; owner: string; note_sealed: string | null }>(
    'SELECT id, owner, note_sealed FROM scratch_notes ORDER BY id',
  );
  return new Map(
    rows.map((row) => [
      row.id,
      row.note_sealed === null ? null : rotated.open(row.note_sealed, `scratch:note:${row.owner}`),
    ]),
  );
}

describe('the census and the reseal of sealed places', () => {
  it('refuses a place whose names are not plain identifiers', () => {
    expect(() => checkSealedPlace({ ...NOTES, table: 'x; DROP TABLE y' })).toThrow('bad identifier');
    expect(() => checkSealedPlace({ ...NOTES, purpose: 'p:{a b}' })).not.toThrow(); // not a column reference
    expect(() => checkSealedPlace({ ...NUMBER, jsonKey: "a'b" })).toThrow('bad json key');
  });

  it('counts values by key and seals every one again with the current key, across many blocks', async () => {
    // 2,000 rows with padding so the table spans many blocks; v1 (legacy), root and a null.
    const rows = Array.from({ length: 2000 }, (_, index) => {
      const owner = `u${index % 7}`;
      const sealed = before.seal(`note ${index}`, `scratch:note:${owner}`);
      // Every third value in the legacy format, as sealed before the ring (same cipher, no key id).
      const stored = index % 3 === 0 ? sealed.replace(`v2.${before.rootKeyId}.`, 'v1.') : sealed;
      return { id: index, owner, note: index === 5 ? null : stored };
    });
    await database.pool.query(
      `INSERT INTO scratch_notes (id, owner, note_sealed, filler)
       SELECT * , repeat('x', 600) FROM unnest($1::int[], $2::text[], $3::text[])`,
      [rows.map((row) => row.id), rows.map((row) => row.owner), rows.map((row) => row.note)],
    );
    await database.pool.query(
      `INSERT INTO scratch_requests (id, kind, request) VALUES
         (1, 'bank', jsonb_build_object('accountNumber', $1::text, 'amount', 5)),
         (2, 'card', jsonb_build_object('accountNumber', '6222020200112233')),
         (3, 'bank', jsonb_build_object('accountNumber', $2::text))`,
      [before.seal('6222020200114455', 'scratch:number'), rotated.seal('6222020200117788', 'scratch:number')],
    );

    const census = await sealedCensus(database.pool, rotated, [NOTES, NUMBER]);
    expect(census.map((place) => [place.place, Object.fromEntries(place.byKey)])).toEqual([
      ['scratch_notes.note_sealed', { [before.rootKeyId]: 1999 }],
      ['scratch_requests.request->accountNumber', { [before.rootKeyId]: 1, [k1Id]: 1 }],
    ]);

    const batches: number[] = [];
    const report = await resealPlaces(database.pool, rotated, [NOTES, NUMBER], {
      batch: 300,
      blocksPerStep: 20,
      onBatch: (_, count) => batches.push(count),
    });
    expect(report).toEqual([
      { place: 'scratch_notes.note_sealed', resealed: 1999, failed: 0, remaining: 0 },
      { place: 'scratch_requests.request->accountNumber', resealed: 1, failed: 0, remaining: 0 },
    ]);
    expect(batches.length).toBeGreaterThan(10); // many block ranges, each its own statements
    expect(Math.max(...batches)).toBeLessThanOrEqual(300);

    const opened = await notes();
    for (const row of rows) expect(opened.get(row.id)).toBe(row.note === null ? null : `note ${row.id}`);
    const requests = await database.pool.query<{
      id: number;
      request: { accountNumber: string; amount?: number };
    }>('SELECT id, request FROM scratch_requests ORDER BY id');
    const [first, card, third] = requests.rows.map((row) => row.request);
    expect(first!.accountNumber.startsWith(`v2.${k1Id}.`)).toBe(true);
    expect(first!.amount).toBe(5); // the other members are kept
    expect(card).toEqual({ accountNumber: '6222020200112233' }); // not a bank request: untouched
    expect(third!.accountNumber.startsWith(`v2.${k1Id}.`)).toBe(true);
    expect(rotated.open(requests.rows[0]!.request.accountNumber, 'scratch:number')).toBe('6222020200114455');

    // Everything is under the new key: the old one can go, and a second run changes nothing.
    const after = new SecretBox(root, [k1]);
    const census2 = await sealedCensus(database.pool, after, [NOTES, NUMBER]);
    expect(census2.map((place) => [...place.byKey.keys()])).toEqual([[k1Id], [k1Id]]);
    expect(
      (await resealPlaces(database.pool, after, [NOTES, NUMBER])).map((place) => place.resealed),
    ).toEqual([0, 0]);
  });

  it('never overwrites a value a server wrote meanwhile: 2 reseals and a writer at once', async () => {
    await database.pool.query('TRUNCATE scratch_notes');
    const count = 1500;
    await database.pool.query(
      `INSERT INTO scratch_notes (id, owner, note_sealed, filler)
       SELECT id, 'u', v, repeat('x', 300) FROM unnest($1::int[], $2::text[]) AS t(id, v)`,
      [
        Array.from({ length: count }, (_, index) => index),
        Array.from({ length: count }, (_, index) => before.seal(`v0 ${index}`, 'scratch:note:u')),
      ],
    );
    // A server still on the old ring (as in a rolling restart) rewrites rows while two reseals run.
    const latest = new Map<number, string>();
    let writing = true;
    const writer = (async () => {
      for (let round = 1; writing || round < 3; round += 1) {
        for (let id = round % 5; id < count; id += 37) {
          const text = `v${round} ${id}`;
          await database.pool.query('UPDATE scratch_notes SET note_sealed = $2 WHERE id = $1', [
            id,
            before.seal(text, 'scratch:note:u'),
          ]);
          latest.set(id, text);
        }
      }
    })();
    const options = { batch: 50, blocksPerStep: 4 };
    const [a, b] = await Promise.all([
      resealPlaces(database.pool, rotated, [NOTES], options),
      resealPlaces(database.pool, rotated, [NOTES], options),
    ]);
    writing = false;
    await writer;
    // Between them the two runs sealed each row once at least; neither failed.
    expect(a[0]!.failed + b[0]!.failed).toBe(0);
    expect(a[0]!.resealed + b[0]!.resealed).toBeGreaterThanOrEqual(count);
    // The writer's last word stands for every row it touched; the others keep their first text.
    const opened = await notes();
    for (let id = 0; id < count; id += 1) expect(opened.get(id)).toBe(latest.get(id) ?? `v0 ${id}`);
    // Whatever the writer put back under the old key after the runs, a last run moves.
    await resealPlaces(database.pool, rotated, [NOTES]);
    const census = await sealedCensus(database.pool, rotated, [NOTES]);
    expect(Object.fromEntries(census[0]!.byKey)).toEqual({ [k1Id]: count });
  });

  it('writes a row back only while it holds the value read, even when its slot was reused', async () => {
    // A row read by the reseal is deleted, VACUUM frees its slot, and a new row takes the same
    // ctid before the reseal writes: matching on ctid alone would give the new row the old
    // row's text (sealed again); matching the value too leaves the new row alone.
    await database.pool.query('TRUNCATE scratch_notes');
    await database.pool.query(
      `INSERT INTO scratch_notes (id, owner, note_sealed) VALUES (1, 'u', $1), (2, 'u', $2), (3, 'u', $3)`,
      ['one', 'two', 'three'].map((text) => before.seal(text, 'scratch:note:u')),
    );
    const slot = async (id: number) =>
      (
        await database.pool.query<{ ctid: string }>('SELECT ctid::text FROM scratch_notes WHERE id = $1', [
          id,
        ])
      ).rows[0]?.ctid;
    const taken = await slot(2);
    let reused: string | undefined;
    const report = await resealPlaces(database.pool, rotated, [NOTES], {
      afterRead: async () => {
        if (reused !== undefined) return; // once, in the first sweep
        await database.pool.query('DELETE FROM scratch_notes WHERE id = 2');
        await database.pool.query('VACUUM scratch_notes');
        await database.pool.query(`INSERT INTO scratch_notes (id, owner, note_sealed) VALUES (4, 'u', $1)`, [
          before.seal('four', 'scratch:note:u'),
        ]);
        reused = await slot(4);
      },
    });
    expect(reused).toBe(taken); // the new row did take the old one's place
    expect(await notes()).toEqual(
      new Map([
        [1, 'one'],
        [3, 'three'],
        [4, 'four'],
      ]),
    );
    // Row 4 was not written by the first sweep; the next sweep found it under the old key.
    expect(report[0]).toMatchObject({ failed: 0, remaining: 0 });
  });

  it('finishes on a database from before the ring while root still seals: v1 values become v2', async () => {
    await database.pool.query('TRUNCATE scratch_notes');
    const legacy = before.seal('old', 'scratch:note:u').replace(`v2.${before.rootKeyId}.`, 'v1.');
    await database.pool.query(`INSERT INTO scratch_notes (id, owner, note_sealed) VALUES (1, 'u', $1)`, [
      legacy,
    ]);
    const report = await resealPlaces(database.pool, before, [NOTES]);
    expect(report).toEqual([{ place: 'scratch_notes.note_sealed', resealed: 1, failed: 0, remaining: 0 }]);
    const { rows } = await database.pool.query<{ note_sealed: string }>(
      'SELECT note_sealed FROM scratch_notes',
    );
    expect(rows[0]!.note_sealed.startsWith(`v2.${before.rootKeyId}.`)).toBe(true);
    expect(before.open(rows[0]!.note_sealed, 'scratch:note:u')).toBe('old');
  });

  it('leaves a value it cannot open as it is, and says so', async () => {
    await database.pool.query('TRUNCATE scratch_notes');
    const stranger = new SecretBox(Buffer.alloc(32, 9), [Buffer.alloc(32, 8)]);
    const foreign = stranger.seal('not ours', 'scratch:note:u');
    await database.pool.query(
      `INSERT INTO scratch_notes (id, owner, note_sealed) VALUES (1, 'u', $1), (2, 'u', $2), (3, 'u', 'v2.garbage')`,
      [foreign, before.seal('ours', 'scratch:note:u')],
    );
    const report = await resealPlaces(database.pool, rotated, [NOTES]);
    expect(report).toEqual([{ place: 'scratch_notes.note_sealed', resealed: 1, failed: 2, remaining: 2 }]);
    const { rows } = await database.pool.query<{ note_sealed: string }>(
      'SELECT note_sealed FROM scratch_notes WHERE id = 1',
    );
    expect(rows[0]!.note_sealed).toBe(foreign);
    const census = await sealedCensus(database.pool, rotated, [NOTES]);
    expect(Object.fromEntries(census[0]!.byKey)).toEqual({
      [k1Id]: 1,
      [stranger.currentKeyId]: 1,
      unreadable: 1,
    });
  });
});
