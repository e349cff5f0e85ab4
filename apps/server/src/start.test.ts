import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointKeyFrom, journalKeyFrom, readCheckpoint } from '@qianbao/ledger';
import type { CheckpointReading } from '@qianbao/ledger';
import { createTestDatabase } from '../../../test/support/database.ts';
import type { TestDatabase } from '../../../test/support/database.ts';
import { loadConfig } from './config.ts';
import { SecretBox } from './crypto/secret-box.ts';
import { auditKeyFrom } from './modules/operator/audit.ts';
import { auditCheckpointKeyFrom, readAuditCheckpoint } from './modules/operator/audit-checkpoint.ts';
import { startServer } from './start.ts';

/** Journal checkpoints of these test databases stay out of the developer's ./data. */
const checkpointDir = mkdtempSync(path.join(tmpdir(), 'qianbao-start-'));
afterAll(() => rmSync(checkpointDir, { recursive: true, force: true }));

/**
 * A server configuration on a database of its own that checkpoints every 100 ms into `name` in
 * the test's folder, with the file's lines.
 */
async function checkpointingServer(name: string) {
  const own = await createTestDatabase();
  const secretKey = randomBytes(32);
  const file = path.join(checkpointDir, name);
  const config = loadConfig({
    DATABASE_URL: own.url,
    PORT: '0',
    LOG_LEVEL: 'silent',
    QIANBAO_SECRET_KEY: secretKey.toString('base64'),
    LEDGER_CHECKPOINT_FILE: file,
    LEDGER_CHECKPOINT_INTERVAL_MS: '100',
  });
  const lines = () => (existsSync(file) ? readFileSync(file, 'utf8') : '').split('\n').filter(Boolean);
  return { own, secretKey, config, lines };
}

describe('startServer', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('listens, serves real HTTP, prints where, and shuts down gracefully', async () => {
    const lines: string[] = [];
    const config = loadConfig({
      DATABASE_URL: database.url,
      PORT: '0',
      LOG_LEVEL: 'silent',
      LEDGER_CHECKPOINT_FILE: path.join(checkpointDir, 'listens.jsonl'),
    });
    const server = await startServer(config, { print: (line) => lines.push(line) });
    try {
      // Shown as localhost: browsers refuse passkeys on an IP address.
      expect(server.url).toMatch(/^http:\/\/localhost:\d+$/);
      expect(lines[0]).toBe(
        `Qianbao is running at ${server.url}  (API docs: ${server.url}/docs; data: PostgreSQL at 127.0.0.1:${new URL(database.url).port}${new URL(database.url).pathname})`,
      );
      // The generated token is printed once, on its own line, to be copied.
      expect(lines).toContain(`  ${config.adminToken}`);

      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      const account = randomUUID();
      const created = await fetch(`${server.url}/v1/ledger/accounts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${config.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify([{ id: account, currency: 'CNY', code: 1 }]),
      });
      expect(await created.json()).toEqual({ results: [{ id: account, result: 'ok' }] });
    } finally {
      await server.shutdown();
    }
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('anchors the journal head outside the database: a checkpoint after transfers, the last one on shutdown', async () => {
    const { own, secretKey, config, lines } = await checkpointingServer('journal-checkpoints.jsonl');
    const key = checkpointKeyFrom(journalKeyFrom(secretKey));
    const checkpoints = () => lines().map((line) => readCheckpoint(line, key));
    /** The journal record the checkpoint names, as the database holds it. */
    const stored = async (reading: CheckpointReading | undefined) => {
      if (reading?.kind !== 'authentic') throw new Error(`not an authentic checkpoint: ${reading?.kind}`);
      const { rows } = await own.pool.query<{ hash: Buffer }>(
        'SELECT hash FROM ledger_journal WHERE seq = $1',
        [reading.checkpoint.seq.toString()],
      );
      return rows[0]?.hash.equals(reading.checkpoint.hash) ?? false;
    };
    const server = await startServer(config, { print: () => {} });
    try {
      const headers = { authorization: `Bearer ${config.adminToken}`, 'content-type': 'application/json' };
      const [from, to] = [randomUUID(), randomUUID()];
      await fetch(`${server.url}/v1/ledger/accounts`, {
        method: 'POST',
        headers,
        body: JSON.stringify([
          { id: from, currency: 'CNY', code: 1 },
          { id: to, currency: 'CNY', code: 1 },
        ]),
      });
      const transfer = async () => {
        const response = await fetch(`${server.url}/v1/ledger/transfers`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            transfers: [
              {
                id: randomUUID(),
                debitAccountId: from,
                creditAccountId: to,
                amount: '100',
                currency: 'CNY',
                code: 1,
              },
            ],
          }),
        });
        expect(((await response.json()) as { results: { result: string }[] }).results[0]?.result).toBe('ok');
      };
      expect(checkpoints()).toEqual([]); // nothing moved yet
      await transfer();
      await expect.poll(() => checkpoints().length, { timeout: 5000 }).toBe(1);
      expect(checkpoints()[0]).toMatchObject({ kind: 'authentic', checkpoint: { seq: 1n } });
      expect(await stored(checkpoints()[0])).toBe(true);
      for (let i = 0; i < 3; i++) await transfer();
    } finally {
      await server.shutdown();
    }
    try {
      // Shutdown checkpoints the last head, whether or not its interval had come.
      const last = checkpoints().at(-1);
      expect(last).toMatchObject({ kind: 'authentic', checkpoint: { seq: 4n } });
      expect(await stored(last)).toBe(true);
      expect(checkpoints().every((reading) => reading.kind === 'authentic')).toBe(true);
    } finally {
      await own.drop();
    }
  });

  it('anchors the operator audit head in the same file after audit entries (ADR 0024)', async () => {
    const { own, secretKey, config, lines } = await checkpointingServer('audit-checkpoints.jsonl');
    const key = auditCheckpointKeyFrom(auditKeyFrom(new SecretBox(secretKey)));
    const auditCheckpoints = () =>
      lines()
        .map((line) => readAuditCheckpoint(line, key))
        .filter((reading) => reading.kind !== 'other');
    const server = await startServer(config, { print: () => {} });
    try {
      const entry = { operatorId: null, action: 'test.action', target: null, details: {} };
      await server.app.services.operator.audit(entry);
      await expect.poll(() => auditCheckpoints().length, { timeout: 5000 }).toBe(1);
      expect(auditCheckpoints()[0]).toMatchObject({ kind: 'authentic', checkpoint: { seq: 1n } });
      await server.app.services.operator.audit(entry);
    } finally {
      await server.shutdown();
    }
    try {
      // At the latest on shutdown, the last entry is anchored.
      expect(auditCheckpoints().at(-1)).toMatchObject({ kind: 'authentic', checkpoint: { seq: 2n } });
    } finally {
      await own.drop();
    }
  });
});
