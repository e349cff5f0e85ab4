/**
 * `qianbao verify --checkpoints FILE` checks the operator audit log against its checkpoints too
 * (ADR 0024): newest entries deleted around the triggers leave a valid, shorter chain that only
 * the checkpoints written by the server (journal-checkpoints.ts, the same file as the journal's)
 * show.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { journalKeyFrom } from '@qianbao/ledger';
import {
  DEFAULT_OPERATOR_CONFIG,
  JournalCheckpoints,
  OperatorService,
  SecretBox,
  auditHead,
  auditKeyFrom,
} from '@qianbao/server';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { runQianbao } from './testing.ts';

const secretKey = randomBytes(32);
const checkpointDir = mkdtempSync(path.join(tmpdir(), 'qianbao-audit-checkpoints-'));
let database: TestDatabase;
const env = () => ({
  DATABASE_URL: database.url,
  QIANBAO_SECRET_KEY: secretKey.toString('base64'),
  // No checkpoint file unless the test names one.
  LEDGER_CHECKPOINT_FILE: path.join(checkpointDir, 'none.jsonl'),
});

beforeAll(async () => (database = await createTestDatabase()));
afterAll(async () => {
  await database.drop();
  rmSync(checkpointDir, { recursive: true, force: true });
});

// Each `qianbao` run starts a process (seconds on a loaded machine): three runs, a longer timeout.
it(
  'exits 1 naming the cut after the newest audit entries are deleted around the triggers',
  { timeout: 240_000 },
  async () => {
    // The server's checkpoints, as start.ts wires them: the service tells the writer after each
    // append, and the writer reads the committed head (at the latest at close).
    const file = path.join(checkpointDir, 'checkpoints.jsonl');
    const checkpoints = await JournalCheckpoints.open({
      file,
      intervalMs: 100,
      journalKey: journalKeyFrom(secretKey),
      audit: { key: auditKeyFrom(new SecretBox(secretKey)), head: () => auditHead(database.pool) },
    });
    checkpoints.start({ info: () => {}, error: () => {} });
    const operators = new OperatorService({
      pool: database.pool,
      secrets: new SecretBox(secretKey),
      config: DEFAULT_OPERATOR_CONFIG,
      now: () => new Date(),
      issuer: 'Qianbao',
      onAuditAppended: () => checkpoints.observeAudit(),
    });
    for (const target of ['one', 'two', 'three'])
      await operators.audit({ operatorId: null, action: 'test.action', target, details: {} });
    await checkpoints.close();
    const line = JSON.parse(readFileSync(file, 'utf8').trim().split('\n').at(-1)!) as {
      chain: string;
      seq: string;
      at: string;
    };
    expect(line).toMatchObject({ chain: 'operator-audit', seq: '3' });

    const sound = await runQianbao(['verify', '--checkpoints', file], env());
    expect(sound.code, sound.stderr + sound.stdout).toBe(0);
    expect(sound.stdout).toContain('operator audit log: ok — 3 entries, chain intact');
    expect(sound.stdout).toMatch(/checkpoints {6}\d of \d audit line\(s\) authentic; newest saw entry 3 at /);
    // The journal's check leaves the audit lines alone.
    expect(sound.stdout).toContain('Ledger verification: OK');

    // Someone with superuser rights turns the triggers off and deletes the two newest entries. The
    // chain left is valid (audit.test.ts shows verify without checkpoints passes it).
    await database.pool.query('ALTER TABLE operator_audit_log DISABLE TRIGGER USER');
    try {
      await database.pool.query('DELETE FROM operator_audit_log WHERE seq > 1');
    } finally {
      await database.pool.query('ALTER TABLE operator_audit_log ENABLE TRIGGER USER');
    }

    // The checkpoint shows it, whether the file is named or is the configured LEDGER_CHECKPOINT_FILE.
    for (const run of [
      () => runQianbao(['verify', '--checkpoints', file], env()),
      () => runQianbao(['verify'], { ...env(), LEDGER_CHECKPOINT_FILE: file }),
    ]) {
      const caught = await run();
      expect(caught.code, caught.stdout).toBe(1);
      expect(caught.stdout).toContain('Ledger verification: OK');
      expect(caught.stdout).toContain('operator audit log: TAMPERED — first broken entry #2');
      expect(caught.stdout).toMatch(
        /entry #2: operator audit log cut off after entry 1: the checkpoint at \S+ saw entry 3\n/,
      );
    }
  },
);
