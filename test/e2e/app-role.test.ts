/**
 * The server needs no superuser (docs/ledger.md, "Database roles"): a real `qianbao start` whose
 * DATABASE_URL names the application role — no CREATE on the schema, no UPDATE or DELETE on the
 * ledger's history, no CREATE on the job queue's schema — starts on a database the owner migrated
 * (job queue included), holders register, set a PIN and pay each other through it, and its jobs
 * run. The books are then verified with the journal key.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, quoteIdent } from '@qianbao/db';
import { createTestDatabase } from '../support/database.ts';
import type { TestDatabase } from '../support/database.ts';
import { balanceMinor, fundHolder, post, registerHolder, setHolderPin } from './holders-http.ts';
import { assertBooksBalance } from './ledger-http.ts';
import { killAllServers, startServerProcess } from './server-process.ts';
import type { ServerProcess } from './server-process.ts';

const PIN = '258036';

describe('the server as the application role', () => {
  let db: TestDatabase;
  let role: string;
  let server: ServerProcess | null = null;

  beforeAll(async () => {
    db = await createTestDatabase(4); // migrated by the owner (the template's)
    role = `qianbao_app_${randomBytes(4).toString('hex')}`;
    const name = (await db.pool.query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db;
    // Exactly the grants docs/ledger.md gives the application role.
    await db.pool.query(`
      CREATE ROLE ${quoteIdent(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD 'app-role-test';
      REVOKE CREATE ON SCHEMA public FROM PUBLIC;
      GRANT CONNECT, TEMPORARY ON DATABASE ${quoteIdent(name)} TO ${quoteIdent(role)};
      GRANT USAGE ON SCHEMA public TO ${quoteIdent(role)};
      GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${quoteIdent(role)};
      REVOKE UPDATE, DELETE, TRUNCATE ON ledger_transfers, ledger_journal, ledger_journal_seal FROM ${quoteIdent(role)};
      REVOKE DELETE, TRUNCATE ON ledger_accounts, ledger_journal_head, ledger_transfer_failures,
        ledger_limit_counters FROM ${quoteIdent(role)};
      GRANT USAGE ON SCHEMA pgboss TO ${quoteIdent(role)};
      GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA pgboss TO ${quoteIdent(role)};
    `);
  });

  afterAll(async () => {
    killAllServers();
    await server?.exited;
    await db.pool.query(`DROP OWNED BY ${quoteIdent(role)}`);
    await db.drop();
    const admin = createPool({ connectionString: db.url.replace(/\/[^/?]+(\?|$)/, '/postgres$1'), max: 1 });
    await admin.query(`DROP ROLE IF EXISTS ${quoteIdent(role)}`).finally(() => admin.end());
  });

  it('starts without changing the schema and moves money', { timeout: 120_000 }, async () => {
    const url = new URL(db.url);
    url.username = role;
    url.password = 'app-role-test';
    const check = createPool({ connectionString: url.toString(), max: 1 });
    try {
      const who = await check.query<{ super: boolean; create: boolean; createJobs: boolean }>(
        `SELECT rolsuper AS super, has_schema_privilege('public', 'CREATE') AS create,
                has_schema_privilege('pgboss', 'CREATE') AS "createJobs"
           FROM pg_roles WHERE rolname = current_user`,
      );
      expect(who.rows[0]).toEqual({ super: false, create: false, createJobs: false });
    } finally {
      await check.end();
    }

    server = await startServerProcess({ databaseUrl: url.toString() });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);

    const payer = await registerHolder(server.url);
    const payee = await registerHolder(server.url);
    await setHolderPin(server.url, payer, PIN);
    await fundHolder(server.url, payer, 10_000n);
    const paid = await post(
      server.url,
      '/v1/me/transfers',
      { toPhone: payee.phone, amount: { amount: '1234', currency: 'CNY' }, confirmation: { pin: PIN } },
      { ...payer.headers, 'idempotency-key': randomUUID() },
    );
    expect(paid.status, await paid.clone().text()).toBe(201);
    expect(await balanceMinor(server.url, payee)).toBe(1234n);
    expect(await balanceMinor(server.url, payer)).toBe(10_000n - 1234n);
    // Its jobs run as that role too: the hold expiry ticks every second (jobs/, ADR 0013).
    await expect
      .poll(
        async () =>
          (
            await db.pool.query(
              `SELECT 1 FROM pgboss.job WHERE name = 'ledger.expire-holds' AND state = 'completed'`,
            )
          ).rowCount,
        { timeout: 10_000, interval: 200 },
      )
      .toBeGreaterThan(0);

    await server.stop();
    server = null;
    await assertBooksBalance(db.pool);
  });
});
