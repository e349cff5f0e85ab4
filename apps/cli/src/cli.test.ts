import { randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger, AccountFlags, batchHash, journalKeyFrom, verifyLedger } from '@qianbao/ledger';
import type { LedgerOptions, Transfer } from '@qianbao/ledger';
import { JournalCheckpoints } from '@qianbao/server';
import { createTestDatabase } from '../../../test/support/database.ts';
import type { TestDatabase } from '../../../test/support/database.ts';
import { runQianbao as qianbao } from './testing.ts';
import type pg from 'pg';

describe('qianbao command line', () => {
  it('prints usage for help and exits 0', async () => {
    const run = await qianbao(['help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: qianbao <command>');
    expect(run.stdout).toContain('verify');
  });

  it('exits 2 with usage for an unknown command or option', async () => {
    const unknown = await qianbao(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    expect(unknown.stderr).toContain('Usage: qianbao <command>');
    const option = await qianbao(['verify', '--force']);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("'--force'");
  });

  it('exits 2 naming each bad configuration variable', async () => {
    const run = await qianbao(['verify'], { PORT: 'eighty', DB_POOL_MAX: '0' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('PORT: must be a whole number from 0 to 65535 (got "eighty")');
    expect(run.stderr).toContain('DB_POOL_MAX: must be a whole number from 2 to 200 (got "0")');
  });

  it('explains a missing benchmark', async () => {
    const run = await qianbao(['bench', 'no-such-bench']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('No benchmark named "no-such-bench"');
    expect(run.stderr).toContain('bench/no-such-bench.ts');
  });
});

/** Journal checkpoint files of these tests; none at the default path, not the developer's ./data. */
const checkpointDir = mkdtempSync(path.join(tmpdir(), 'qianbao-cli-'));
afterAll(() => rmSync(checkpointDir, { recursive: true, force: true }));

/** The master key the CLI runs with (QIANBAO_SECRET_KEY) and the journal key the ledger derives. */
const secretKey = randomBytes(32);
const journalKey = journalKeyFrom(secretKey);
const keyEnv = {
  QIANBAO_SECRET_KEY: secretKey.toString('base64'),
  LEDGER_CHECKPOINT_FILE: path.join(checkpointDir, 'none.jsonl'),
};

/** A bank account, a wallet, and `count` transfers from one to the other, one journal record each. */
async function books(
  database: TestDatabase,
  count: number,
  key: Buffer | null = journalKey,
  onBatch?: LedgerOptions['onBatch'],
): Promise<{ bank: string; alice: string; transfers: string[] }> {
  const ledger = await Ledger.open(database.pool, {
    ...(key ? { journalKey: key } : {}),
    ...(onBatch ? { onBatch } : {}),
  });
  try {
    const [bank, alice] = [randomUUID(), randomUUID()];
    await ledger.createAccounts([
      { id: bank, currency: 'CNY', code: 1 },
      { id: alice, currency: 'CNY', code: 2, flags: AccountFlags.debitsMustNotExceedCredits },
    ]);
    const transfers: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = randomUUID();
      transfers.push(id);
      const [outcome] = await ledger.createTransfers([
        { id, debitAccountId: bank, creditAccountId: alice, amount: 12_345n, currency: 'CNY', code: 1 },
      ]);
      expect(outcome?.result).toBe('ok');
    }
    return { bank, alice, transfers };
  } finally {
    await ledger.close();
  }
}

/** Statements as someone with superuser rights runs them: around the immutability triggers. */
async function asSuperuser(database: TestDatabase, work: (client: pg.PoolClient) => Promise<void>) {
  const client = await database.pool.connect();
  try {
    await client.query('SET session_replication_role = replica');
    await work(client);
  } finally {
    client.release(true);
  }
}

describe('qianbao migrate and verify on DATABASE_URL', () => {
  let database: TestDatabase;
  let transferId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    transferId = (await books(database, 1)).transfers[0]!;
  });
  afterAll(async () => {
    await database.drop();
  });

  it('migrate reports an up-to-date database', async () => {
    const run = await qianbao(['migrate'], { DATABASE_URL: database.url, ...keyEnv });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Database is up to date/);
  });

  it('verify exits 0 and prints the report when the books are sound', async () => {
    const run = await qianbao(['verify'], { DATABASE_URL: database.url, ...keyEnv });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Ledger verification: OK');
    expect(run.stdout).toMatch(/journal batches\s+1\n/);
    expect(run.stdout).toMatch(/transfers\s+1\n/);
    expect(run.stdout).toMatch(/accounts\s+2\n/);
    expect(run.stdout).toMatch(/journal keying\s+keyed from the first record; keyed hashes checked\n/);
    expect(run.stdout).toMatch(/CNY\s+12345\s+12345\s+0\s+0/);
    expect(run.stdout).not.toContain('Problems found');
  });

  it('verify exits 1 and names the problem after one amount is changed by hand', async () => {
    await asSuperuser(database, async (client) => {
      await client.query('UPDATE ledger_transfers SET amount = amount + 1 WHERE id = $1', [transferId]);
    });
    const expected = await verifyLedger(database.pool, { journalKey });
    expect(expected.ok).toBe(false);

    const run = await qianbao(['verify'], { DATABASE_URL: database.url, ...keyEnv });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Ledger verification: BROKEN');
    expect(run.stdout).toContain(`  - ${expected.problems[0]}`);
    expect(run.stdout).toContain(transferId);
  });
});

describe('qianbao verify names every broken place', () => {
  let database: TestDatabase;
  beforeAll(async () => (database = await createTestDatabase()));
  afterAll(async () => database.drop());

  it('prints the wallet whose credits were raised by ¥1,000 and the journal record whose hash was overwritten', async () => {
    const { alice } = await books(database, 3);
    await asSuperuser(database, async (client) => {
      await client.query(
        'UPDATE ledger_accounts SET credits_posted = credits_posted + 100000 WHERE id = $1',
        [alice],
      );
      await client.query('UPDATE ledger_journal SET hash = $1 WHERE seq = 2', [randomBytes(32)]);
    });
    const run = await qianbao(['verify'], { DATABASE_URL: database.url, ...keyEnv });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Problems found: 3');
    expect(run.stdout).toContain("  - journal record 2's hash was overwritten");
    expect(run.stdout).toMatch(
      new RegExp(
        `  - account ${alice}: counters .* are 0/0/0/137035 but its transfers add up to 0/0/0/37035`,
      ),
    );
    expect(run.stdout).toContain('  - trial balance for CNY does not balance');
  });
});

describe('qianbao verify against someone with superuser rights but not the key', () => {
  let database: TestDatabase;
  beforeAll(async () => (database = await createTestDatabase()));
  afterAll(async () => database.drop());

  it('exits 1 after an amount is raised, both counters follow and the SHA-256 chain is recomputed', async () => {
    const { bank, alice, transfers } = await books(database, 3);
    const raised = transfers[1]!;
    await asSuperuser(database, async (client) => {
      await client.query('UPDATE ledger_transfers SET amount = amount + 900000 WHERE id = $1', [raised]);
      await client.query('UPDATE ledger_accounts SET debits_posted = debits_posted + 900000 WHERE id = $1', [
        bank,
      ]);
      await client.query(
        'UPDATE ledger_accounts SET credits_posted = credits_posted + 900000 WHERE id = $1',
        [alice],
      );
      // The chain as ADR 0003 described it, recomputed from record 2 on, and the head.
      let previous = (await client.query<{ hash: Buffer }>('SELECT hash FROM ledger_journal WHERE seq = 1'))
        .rows[0]!.hash;
      for (const seq of [2n, 3n]) {
        const { rows } = await client.query<{ id: string; amount: bigint; ts: bigint }>(
          `SELECT t.id, t.amount, t.ts FROM ledger_transfers t JOIN ledger_journal j
             ON t.ts BETWEEN j.first_ts AND j.last_ts WHERE j.seq = $1 ORDER BY t.ts`,
          [seq],
        );
        const stored: Transfer[] = rows.map((row) => ({
          id: row.id,
          debitAccountId: bank,
          creditAccountId: alice,
          amount: row.amount,
          currency: 'CNY',
          code: 1,
          flags: 0,
          pendingId: null,
          timeoutSeconds: 0,
          expiresAt: null,
          userData: null,
          timestamp: row.ts,
          limitKeys: [],
        }));
        const hash = batchHash(previous, seq, stored);
        await client.query('UPDATE ledger_journal SET prev_hash = $1, hash = $2 WHERE seq = $3', [
          previous,
          hash,
          seq,
        ]);
        previous = hash;
      }
      await client.query('UPDATE ledger_journal_head SET hash = $1', [previous]);
    });
    const run = await qianbao(['verify'], { DATABASE_URL: database.url, ...keyEnv });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Problems found: 1');
    expect(run.stdout).toContain(
      `  - journal records 2–3 were rewritten by someone without the journal key: the stored hashes are plain ` +
        `SHA-256, not the keyed chain; the first rewritten record holds transfer ${raised}`,
    );
  });
});

describe('qianbao migrate seals a journal written before keyed hashing', () => {
  let database: TestDatabase;
  beforeAll(async () => (database = await createTestDatabase()));
  afterAll(async () => database.drop());

  it('pins the unkeyed records, after which verify checks the keyed chain', async () => {
    await books(database, 2, null); // as a ledger without a key wrote it
    const before = await qianbao(['verify'], { DATABASE_URL: database.url, ...keyEnv });
    expect(before.code).toBe(1);
    expect(before.stdout).toContain('not sealed with the journal key: its 2 record(s) are plain SHA-256');

    const migrate = await qianbao(['migrate'], { DATABASE_URL: database.url, ...keyEnv });
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toContain(
      'Sealed the ledger journal: records 1–2, written before keyed hashing, are pinned by the seal',
    );
    const after = await qianbao(['verify'], { DATABASE_URL: database.url, ...keyEnv });
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(
      /journal keying\s+keyed from record 3 \(records before it predate keyed hashing\)/,
    );
  });
});

describe('qianbao verify against the journal checkpoints', () => {
  let database: TestDatabase;
  beforeAll(async () => (database = await createTestDatabase()));
  afterAll(async () => database.drop());

  it('exits 1 naming the cut after the newest records are removed with their transfers and the counters and head set back', async () => {
    // The server's checkpoints, as it writes them after its batches (apps/server/src/start.ts).
    const file = path.join(checkpointDir, 'journal-checkpoints.jsonl');
    const checkpoints = await JournalCheckpoints.open({ file, intervalMs: 100, journalKey });
    checkpoints.start({ info: () => {}, error: () => {} });
    const { bank, alice } = await books(database, 5, journalKey, (info) =>
      checkpoints.observe(info.journalHead),
    );
    await checkpoints.close(); // a clean shutdown: the last head, record 5, is checkpointed
    const newest = JSON.parse(readFileSync(file, 'utf8').trim().split('\n').at(-1)!) as {
      seq: string;
      at: string;
    };
    expect(newest.seq).toBe('5');

    const sound = await qianbao(['verify', '--checkpoints', file], { DATABASE_URL: database.url, ...keyEnv });
    expect(sound.code).toBe(0);
    expect(sound.stdout).toMatch(
      new RegExp(`checkpoints\\s+\\d+ of \\d+ line\\(s\\) authentic; newest saw record 5 at ${newest.at}\n`),
    );

    // Records 4 and 5 go with their transfers; counters and head are set back to record 3.
    await asSuperuser(database, async (client) => {
      await client.query(
        `DELETE FROM ledger_transfers t USING ledger_journal j
          WHERE j.seq > 3 AND t.ts BETWEEN j.first_ts AND j.last_ts`,
      );
      await client.query('DELETE FROM ledger_journal WHERE seq > 3');
      await client.query('UPDATE ledger_accounts SET debits_posted = debits_posted - 24690 WHERE id = $1', [
        bank,
      ]);
      await client.query('UPDATE ledger_accounts SET credits_posted = credits_posted - 24690 WHERE id = $1', [
        alice,
      ]);
      await client.query(
        `UPDATE ledger_journal_head h SET seq = j.seq, hash = j.hash, last_ts = j.last_ts, version = h.version + 1
           FROM ledger_journal j WHERE j.seq = 3`,
      );
    });
    // The keyed chain alone cannot tell: a shorter chain is a valid one (ADR 0010).
    const blind = await qianbao(['verify'], { DATABASE_URL: database.url, ...keyEnv });
    expect(blind.code).toBe(0);
    expect(blind.stdout).toMatch(/journal batches\s+3\n/);
    expect(blind.stdout).toContain('checkpoints      none checked');

    const cut = `  - journal cut off after record 3: checkpoint at ${newest.at} saw record 5`;
    const caught = await qianbao(['verify', '--checkpoints', file], {
      DATABASE_URL: database.url,
      ...keyEnv,
    });
    expect(caught.stderr).toContain(`Checking the journal against the checkpoints in ${file}`);
    expect(caught.code).toBe(1);
    expect(caught.stdout).toContain('Ledger verification: BROKEN');
    expect(caught.stdout).toContain('Problems found: 1\n');
    expect(caught.stdout).toContain(cut);

    // The configured file is the default; a line whose mac the key does not give is named forged.
    const forged = { ...newest, seq: '3', mac: randomBytes(32).toString('hex') };
    appendFileSync(file, `${JSON.stringify(forged)}\n`);
    const configured = await qianbao(['verify'], {
      DATABASE_URL: database.url,
      ...keyEnv,
      LEDGER_CHECKPOINT_FILE: file,
    });
    expect(configured.code).toBe(1);
    expect(configured.stdout).toContain('Problems found: 2\n');
    expect(configured.stdout).toContain(cut);
    expect(configured.stdout).toMatch(
      / {2}- checkpoint line \d+ is forged: its mac does not match the journal key \(it claims record 3 at /,
    );
  });

  it('exits 2 when the checkpoint file named does not exist', async () => {
    const missing = path.join(checkpointDir, 'missing.jsonl');
    const run = await qianbao(['verify', '--checkpoints', missing], {
      DATABASE_URL: database.url,
      ...keyEnv,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`no checkpoint file at ${missing}`);
  });
});
