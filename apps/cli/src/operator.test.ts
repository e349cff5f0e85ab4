import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { runQianbao } from './testing.ts';

let database: TestDatabase;
const env = () => ({
  DATABASE_URL: database.url,
  QIANBAO_SECRET_KEY: SECRET_KEY,
  ARGON2_MEMORY_KIB: '64',
  ARGON2_TIME_COST: '1',
});
const SECRET_KEY = randomBytes(32).toString('base64');

beforeAll(async () => (database = await createTestDatabase()));
afterAll(async () => database.drop());

it('operator create prints a password and TOTP secret once, stores only a hash, and refuses a duplicate or bad input', async () => {
  const run = await runQianbao(['operator', 'create', '--username', 'first.admin', '--role', 'admin'], env());
  expect(run.code, run.stderr).toBe(0);
  const password = /password: +(\S+)/.exec(run.stdout)?.[1];
  const secret = /TOTP secret: +(\S+)/.exec(run.stdout)?.[1];
  expect(run.stdout).toMatch(/otpauth:\/\/totp\/Qianbao:first\.admin\?/);
  expect(password).toBeDefined();
  expect(secret).toBeDefined();

  // stored in the same database, the password only as a hash
  const { rows } = await database.pool.query<{ role: string; password_hash: string }>(
    "SELECT role, password_hash FROM operator_accounts WHERE username = 'first.admin'",
  );
  expect(rows[0]?.role).toBe('admin');
  expect(rows[0]?.password_hash).not.toContain(password!);
  expect(new TOTP({ secret: Secret.fromBase32(secret!) }).generate()).toMatch(/^\d{6}$/);

  const again = await runQianbao(['operator', 'create', '--username', 'first.admin'], env());
  expect(again.code).toBe(1);
  expect(again.stderr).toContain('already exists');

  const bad = await runQianbao(['operator', 'create', '--username', 'X'], env());
  expect(bad.code).toBe(2);
  const badRole = await runQianbao(['operator', 'create', '--username', 'someone', '--role', 'god'], env());
  expect(badRole.code).toBe(2);
  expect(badRole.stderr).toContain('--role must be one of');
});

it('verify checks the operator audit log too and names the first tampered entry (exit 1)', async () => {
  const verifyEnv = {
    ...env(),
    LEDGER_CHECKPOINT_FILE: path.join(tmpdir(), `qianbao-none-${process.pid}.jsonl`),
  };
  await runQianbao(['operator', 'create', '--username', 'audit.one', '--role', 'support'], env());
  const sound = await runQianbao(['verify'], verifyEnv);
  expect(sound.code, sound.stderr + sound.stdout).toBe(0);
  expect(sound.stdout).toMatch(/operator audit log: ok — \d+ entries, chain intact/);

  const { rows } = await database.pool.query<{ seq: string }>(
    `SELECT seq::text AS seq FROM operator_audit_log WHERE target = (SELECT id::text FROM operator_accounts WHERE username = 'audit.one')`,
  );
  const seq = rows[0]!.seq;
  // a superuser, around the append-only trigger
  const client = await database.pool.connect();
  try {
    await client.query('SET session_replication_role = replica');
    await client.query(`UPDATE operator_audit_log SET details = '{"role": "admin"}' WHERE seq = $1`, [seq]);
  } finally {
    client.release(true);
  }
  const tampered = await runQianbao(['verify'], verifyEnv);
  expect(tampered.code).toBe(1);
  expect(tampered.stdout).toContain(`operator audit log: TAMPERED — first broken entry #${seq}`);
  expect(tampered.stdout).toContain(`entry #${seq}: changed after it was written`);
});
