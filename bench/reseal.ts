/**
 * How long a data-key rotation's reseal takes (ADR 0029): `npx qianbao bench reseal [--rows N]`.
 * A fresh database with the whole schema; N sandbox-bank card numbers sealed with the root's data
 * key (one declared sealed place, the widest kind of row a place has); then `status`'s census and
 * `reseal`'s walk, as `qianbao secrets` runs them, twice: root → K1 in batches of 500 (the
 * default), K1 → K2 in batches of 100. Prints values per second and checks every value opens to
 * what was stored.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { migrate } from '@qianbao/db';
import { SecretBox, allMigrations, allSealedPlaces, resealPlaces, sealedCensus } from '@qianbao/server';
import { checkDurability, databaseServer, fmt, freshDatabase, machineLine, positive } from './support.ts';

const PURPOSE = 'bank:card-number';
const place = allSealedPlaces.filter((candidate) => candidate.table === 'bank_sandbox_accounts');

export default async function run(args: readonly string[] = []): Promise<void> {
  const { values } = parseArgs({ args: [...args], options: { rows: { type: 'string', default: '200000' } } });
  const rows = positive(values.rows, 'rows');
  const server = await databaseServer();
  const pool = await freshDatabase(server.url, 'qianbao_bench_reseal');
  try {
    console.log(machineLine());
    await checkDurability(pool);
    await migrate(pool, allMigrations);
    const root = randomBytes(32);
    const [k1, k2] = [randomBytes(32), randomBytes(32)];
    const before = new SecretBox(root);
    console.log(`sealing ${rows.toLocaleString('en-US')} card numbers with the root's data key …`);
    const CHUNK = 10_000;
    for (let start = 0; start < rows; start += CHUNK) {
      const count = Math.min(CHUNK, rows - start);
      const numbers = Array.from(
        { length: count },
        (_, index) => `62220202${String(start + index).padStart(11, '0')}`,
      );
      await pool.query(
        `INSERT INTO bank_sandbox_accounts
         (account_token, number_index, number_sealed, kind, bin, last4, balance_minor, currency, created_at, updated_at)
       SELECT 'bct_' || replace(gen_random_uuid()::text, '-', ''), idx, sealed, 'card', '622202', right(n, 4), 0, 'CNY', now(), now()
         FROM unnest($1::text[], $2::bytea[], $3::text[]) AS t(n, idx, sealed)`,
        [
          numbers,
          numbers.map((number) => before.blindIndex(number, PURPOSE)),
          numbers.map((number) => before.seal(number, PURPOSE)),
        ],
      );
    }
    const { rows: size } = await pool.query<{ size: string }>(
      "SELECT pg_size_pretty(pg_relation_size('bank_sandbox_accounts')) AS size",
    );
    console.log(`table: ${size[0]!.size}`);

    const runs: [string, SecretBox, number][] = [
      ['root → K1, batches of 500', new SecretBox(root, [k1, 'root']), 500],
      ['K1 → K2,   batches of 100', new SecretBox(root, [k2, k1]), 100],
    ];
    console.log('\n  run                         census ms   reseal s   values/s');
    for (const [name, box, batch] of runs) {
      const censusStart = performance.now();
      await sealedCensus(pool, box, place);
      const censusMs = performance.now() - censusStart;
      const start = performance.now();
      const [report] = await resealPlaces(pool, box, place, { batch });
      const seconds = (performance.now() - start) / 1000;
      if (report!.resealed !== rows || report!.remaining !== 0) {
        throw new Error(`resealed ${report!.resealed} of ${rows}, ${report!.remaining} remaining`);
      }
      console.log(
        `  ${name}  ${fmt(censusMs, 9)}  ${seconds.toFixed(1).padStart(9)}  ${fmt(rows / seconds, 9)}`,
      );
    }
    // Every value opens, under K2, to the number stored.
    const last = new SecretBox(root, [k2]);
    const { rows: stored } = await pool.query<{ number_sealed: string; last4: string }>(
      'SELECT number_sealed, last4 FROM bank_sandbox_accounts',
    );
    const wrong = stored.filter((row) => !last.open(row.number_sealed, PURPOSE).endsWith(row.last4)).length;
    console.log(
      `\nchecked: ${stored.length.toLocaleString('en-US')} values open under K2 alone, ${wrong} wrong`,
    );
    if (wrong > 0) process.exitCode = 1;
  } finally {
    await pool.end();
    await server.stop();
  }
}
