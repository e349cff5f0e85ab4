import { randomBytes } from 'node:crypto';
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
