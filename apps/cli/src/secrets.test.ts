/**
 * `qianbao secrets status|reseal` as an operator runs them during a data-key rotation, including
 * a reseal killed (SIGKILL) half-way and run again (docs/production.md, "Rotation"; ADR 0029).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox, dataKeyId } from '@qianbao/server';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { runQianbao, spawnQianbao } from './testing.ts';

const ROWS = 3000;
const root = randomBytes(32);
const k1 = randomBytes(32);
const before = new SecretBox(root);
const rotated = new SecretBox(root, [k1, 'root']);
const k1Id = dataKeyId(k1);

let database: TestDatabase;
const env = (dataKeys: string) => ({
  DATABASE_URL: database.url,
  QIANBAO_SECRET_KEY: root.toString('base64'),
  QIANBAO_DATA_KEYS: dataKeys,
});
const RING_ROTATED = `${k1.toString('base64')},root`;

/** The numbers stored in the sandbox bank (a declared sealed place), opened with the rotated ring. */
async function storedNumbers(): Promise<{ byKey: Map<string, number>; numbers: Map<string, string> }> {
  const { rows } = await database.pool.query<{ account_token: string; number_sealed: string }>(
    'SELECT account_token, number_sealed FROM bank_sandbox_accounts',
  );
  const byKey = new Map<string, number>();
  const numbers = new Map<string, string>();
  for (const row of rows) {
    const key = rotated.keyIdOf(row.number_sealed);
    byKey.set(key, (byKey.get(key) ?? 0) + 1);
    numbers.set(row.account_token, rotated.open(row.number_sealed, 'bank:card-number'));
  }
  return { byKey, numbers };
}

const expected = new Map<string, string>();

beforeAll(async () => {
  database = await createTestDatabase();
  const tokens: string[] = [];
  const sealed: string[] = [];
  const indexes: Buffer[] = [];
  for (let index = 0; index < ROWS; index += 1) {
    const token = `bct_${randomBytes(24).toString('base64url')}`;
    const number = `62220202${String(index).padStart(11, '0')}`;
    tokens.push(token);
    sealed.push(before.seal(number, 'bank:card-number'));
    indexes.push(before.blindIndex(number, 'bank:card-number'));
    expected.set(token, number);
  }
  await database.pool.query(
    `INSERT INTO bank_sandbox_accounts
       (account_token, number_index, number_sealed, kind, bin, last4, balance_minor, currency, created_at, updated_at)
     SELECT token, idx, sealed, 'card', '622202', '0000', 0, 'CNY', now(), now()
       FROM unnest($1::text[], $2::bytea[], $3::text[]) AS t(token, idx, sealed)`,
    [tokens, indexes, sealed],
  );
});

const dataDir = mkdtempSync(path.join(tmpdir(), 'qianbao-secrets-'));

afterAll(async () => {
  await database.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('qianbao secrets', () => {
  it('status: every value needs the root key; the rotated ring can open them all', async () => {
    const run = await runQianbao(['secrets', 'status'], env(RING_ROTATED));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`${k1Id} — seals new values`);
    expect(run.stdout).toContain(`${before.rootKeyId} (root)`);
    expect(run.stdout).toMatch(
      new RegExp(`bank_sandbox_accounts\\.number_sealed\\s+${ROWS} × ${before.rootKeyId}`),
    );
    expect(run.stdout).toContain(`0 of ${ROWS} sealed value(s) are under the current key ${k1Id}.`);
    expect(run.stdout).toContain('Run `qianbao secrets reseal`');
  });

  it('reseal killed half-way leaves every value openable; run again, it finishes', async () => {
    // One value per statement, so the run is still going when it is killed.
    const child = spawnQianbao(['secrets', 'reseal', '--batch', '1'], env(RING_ROTATED));
    await new Promise<void>((resolve, reject) => {
      let seen = 0;
      child.stderr.on('data', (chunk: Buffer) => {
        seen += chunk.toString().split('sealed again').length - 1;
        if (seen >= 50 && child.exitCode === null) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('close', () => reject(new Error('the reseal ended before it was killed')));
    });
    await new Promise((resolve) => child.on('close', resolve));

    const half = await storedNumbers();
    expect(half.byKey.get(k1Id)).toBeGreaterThanOrEqual(50);
    expect(half.byKey.get(before.rootKeyId)).toBeGreaterThan(0);
    expect(half.numbers).toEqual(expected); // nothing lost, nothing swapped

    const again = await runQianbao(['secrets', 'reseal'], env(RING_ROTATED));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`${ROWS} of ${ROWS} sealed value(s) are under the current key ${k1Id}.`);
    expect(again.stdout).toContain(`No stored value needs ${before.rootKeyId}`);
    const done = await storedNumbers();
    expect(done.byKey).toEqual(new Map([[k1Id, ROWS]]));
    expect(done.numbers).toEqual(expected);
  });

  it('status after the old key left the ring: fine; a ring without the new key: MISSING, exit 1', async () => {
    const after = await runQianbao(['secrets', 'status'], env(k1.toString('base64')));
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toContain(`${ROWS} of ${ROWS} sealed value(s) are under the current key ${k1Id}.`);

    const wrong = await runQianbao(['secrets', 'status'], env('root'));
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain(`MISSING: values sealed with ${k1Id}`);
    const reseal = await runQianbao(['secrets', 'reseal'], env('root'));
    expect(reseal.code).toBe(1);
    expect(reseal.stdout).toContain(`${ROWS} could not be opened`);
    expect((await storedNumbers()).byKey).toEqual(new Map([[k1Id, ROWS]])); // untouched
  });

  it('refuses a bad ring naming the variable, never echoing a key', async () => {
    const run = await runQianbao(['secrets', 'status'], env(`${k1.toString('base64')},notakey`));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('QIANBAO_DATA_KEYS: entry 2 is neither "root" nor base64 of 32 bytes');
    expect(run.stderr).not.toContain(k1.toString('base64'));
    // No key at all: refused, and no sandbox key file is made up.
    const keyless = await runQianbao(['secrets', 'status'], {
      DATABASE_URL: database.url,
      QIANBAO_DATA_DIR: dataDir,
    });
    expect(keyless.code).toBe(2);
    expect(keyless.stderr).toContain('QIANBAO_SECRET_KEY is not set and there is no sandbox key');
    expect(existsSync(path.join(dataDir, 'secret-key'))).toBe(false);
    const usage = await runQianbao(['secrets', 'rotate'], env('root'));
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('Usage: qianbao secrets status');
  });
});
