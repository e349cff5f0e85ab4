/**
 * As root, the embedded PostgreSQL runs as the `postgres` user, which cannot enter a 0700
 * directory such as /root: a data directory under one is kept where that user can reach it, linked
 * from where it was asked for (ADR 0011). Runs only as root (CI and a fresh server are root).
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient } from './pool.ts';
import { startEmbeddedPostgres } from './embedded.ts';

const root = process.getuid?.() === 0;
const scratch = path.join(tmpdir(), `qianbao-embedded-${randomBytes(4).toString('hex')}`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe.skipIf(!root)('embedded PostgreSQL started by root', () => {
  it('runs with its data directory inside a 0700 directory, kept where the postgres user can reach it', async () => {
    const home = path.join(scratch, 'home'); // like /root
    mkdirSync(home, { recursive: true });
    chmodSync(home, 0o700);
    chmodSync(scratch, 0o755);
    const sharedDir = path.join(scratch, 'shared'); // like /var/lib/qianbao
    const dataDir = path.join(home, 'clone', 'data', 'pg');
    const lines: string[] = [];
    const server = await startEmbeddedPostgres({
      dataDir,
      port: await freePort(),
      sharedDir,
      onLog: (line) => lines.push(line),
    });
    try {
      const client = createClient(server.connectionString, 'qianbao-embedded-test');
      await client.connect();
      try {
        const { rows } = await client.query<{ user: string }>('SELECT current_user AS user');
        expect(rows).toEqual([{ user: 'postgres' }]);
      } finally {
        await client.end();
      }
      expect(lstatSync(dataDir).isSymbolicLink()).toBe(true);
      const target = readlinkSync(dataDir);
      expect(target.startsWith(path.join(sharedDir, 'data') + path.sep)).toBe(true);
      expect(existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(true);
      expect(lines).toContain(
        `the "postgres" user cannot enter ${path.dirname(dataDir)}: the data lives in ${target} (linked from ${dataDir})`,
      );
    } finally {
      await server.stop();
    }
    expect(existsSync(path.join(realpathSync(dataDir), 'postmaster.pid'))).toBe(false);

    // A second start finds the same data through the link.
    const again = await startEmbeddedPostgres({ dataDir, port: await freePort(), sharedDir });
    await again.stop();
    expect(existsSync(path.join(realpathSync(dataDir), 'PG_VERSION'))).toBe(true);

    // The copy is deleted and cloned again at the same path (its secret key went with it): the
    // new copy gets a new database; the old one is kept aside, not adopted.
    const target = readlinkSync(dataDir);
    rmSync(path.join(home, 'clone'), { recursive: true, force: true });
    const marker = path.join(target, 'left-by-the-first-copy');
    writeFileSync(marker, '');
    const fresh: string[] = [];
    const reclone = await startEmbeddedPostgres({
      dataDir,
      port: await freePort(),
      sharedDir,
      onLog: (line) => fresh.push(line),
    });
    await reclone.stop();
    expect(readlinkSync(dataDir)).toBe(target);
    expect(existsSync(path.join(target, 'left-by-the-first-copy'))).toBe(false);
    expect(existsSync(path.join(target, 'PG_VERSION'))).toBe(true);
    const kept = readdirSync(path.dirname(target)).filter((name) => name.startsWith('pg.orphaned-'));
    expect(kept).toHaveLength(1);
    expect(existsSync(path.join(path.dirname(target), kept[0]!, 'left-by-the-first-copy'))).toBe(true);
    expect(fresh.some((line) => line.includes('held the data of an earlier copy'))).toBe(true);
  }, 240_000);
});
