/**
 * The embedded PostgreSQL's life under `qianbao start`, with real processes and real signals:
 * Ctrl-C in a terminal (SIGINT to the whole process group, PostgreSQL included) and SIGTERM to
 * the group end in a clean exit 0 with a notification stream open; a postmaster killed with
 * SIGKILL, idle or under load, ends the server at once with one clear sentence and exit code 3
 * (docs/operations.md), and the next start recovers with the books intact.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { newId } from '@qianbao/ledger';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runQianbao } from '../../apps/cli/src/testing.ts';
import { TEST_ADMIN_TOKEN } from '../../apps/server/src/testing.ts';
import {
  CURRENCY,
  forEachConcurrently,
  openFundedCustomers,
  randomInt,
  randomPair,
  submitTransfers,
} from './ledger-http.ts';
import { freePort } from './server-process.ts';

const START_TIMEOUT_MS = 120_000;
const EXIT_TIMEOUT_MS = 30_000;
const EXIT_DATABASE_LOST = 3;

const dataDir = path.join(REPO_ROOT, 'data', `e2e-lifecycle-${randomBytes(4).toString('hex')}`);
const pgDataDir = path.join(dataDir, 'pg');
let pgPort = 0;
const started = new Set<ChildProcessWithoutNullStreams>();

afterAll(async () => {
  for (const child of started) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const postmaster = postmasterPid();
  if (postmaster !== null) process.kill(postmaster, 'SIGKILL');
  await sleep(200);
  // As root under a closed directory the data lives elsewhere, linked from pgDataDir (ADR 0011).
  const real = existsSync(pgDataDir) ? realpathSync(pgDataDir) : null;
  if (real !== null && real !== pgDataDir) rmSync(path.dirname(real), { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcessWithoutNullStreams;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
  stdout(): string;
}

/** The configuration of every command here: the embedded server on a data directory of its own. */
function environment(): Record<string, string> {
  return {
    QIANBAO_DATA_DIR: dataDir,
    QIANBAO_EMBEDDED_PG_PORT: String(pgPort),
    PORT: '0',
    QIANBAO_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    LOG_LEVEL: 'warn',
    ARGON2_MEMORY_KIB: '64',
    ARGON2_TIME_COST: '1',
    DB_POOL_MAX: '8',
    // These tests are about the database's life; the demo shop's start is apps/cli/src/start.test.ts's.
    QIANBAO_DEMO_SHOP: 'off',
  };
}

/** `qianbao start` on the embedded server, in a process group of its own, as a terminal runs it. */
async function start(): Promise<Started> {
  pgPort ||= await freePort();
  const child = spawn(process.execPath, ['apps/cli/bin/qianbao.js', 'start'], {
    cwd: REPO_ROOT,
    detached: true,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...environment() },
  });
  started.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      started.delete(child);
      resolve({ code, signal });
    }),
  );
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const match = /Qianbao is running at (http:\/\/\S+)/.exec(stdout);
    if (match) {
      return { child, url: match[1]!, exited, stderr: () => stderr, stdout: () => stdout };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`start did not come up (exit ${child.exitCode}):\n${stdout}\n${stderr}`);
    }
    await sleep(100);
  }
}

function postmasterPid(): number | null {
  try {
    const pid = Number.parseInt(
      readFileSync(path.join(pgDataDir, 'postmaster.pid'), 'utf8').split('\n')[0]!,
      10,
    );
    return isAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function exitWithin(server: Started, timeoutMs: number) {
  const exit = await Promise.race([server.exited, sleep(timeoutMs, null)]);
  if (exit === null)
    throw new Error(`still running after ${timeoutMs} ms:\n${server.stdout()}\n${server.stderr()}`);
  return exit;
}

/** A signed-up holder with a notification stream open: the server then holds a LISTEN connection. */
async function openNotificationStream(url: string): Promise<AbortController> {
  const phone = `139${String(randomInt(0, 99_999_999)).padStart(8, '0')}`;
  const post = (route: string, body: object) =>
    fetch(`${url}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  expect((await post('/v1/auth/sms-codes', { phone, purpose: 'register' })).status).toBe(200);
  const outbox = (await (await fetch(`${url}/dev/sms.json?phone=${phone}`)).json()) as {
    messages: { code: string | null }[];
  };
  const code = outbox.messages[0]?.code;
  const registered = await post('/v1/auth/register', { phone, code, password: 'lifecycle-Test-2026' });
  expect(registered.status, await registered.clone().text()).toBe(201);
  const { token } = (await registered.json()) as { token: string };
  const abort = new AbortController();
  const stream = await fetch(`${url}/v1/me/notifications/stream`, {
    headers: { authorization: `Bearer ${token}` },
    signal: abort.signal,
  });
  expect(stream.status).toBe(200);
  const reader: ReadableStreamDefaultReader<Uint8Array> = stream.body!.getReader();
  let text = '';
  while (!text.includes('event: ready')) {
    const chunk = await reader.read();
    if (chunk.done) throw new Error(`stream ended before its ready event: ${text}`);
    text += Buffer.from(chunk.value).toString();
  }
  void (async () => {
    for (;;) if ((await reader.read().catch(() => ({ done: true }))).done) return; // drain until the server ends it
  })();
  return abort;
}

describe('qianbao start on the embedded PostgreSQL, under signals', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(
      `stops cleanly on ${signal} to its whole process group, with a notification stream open`,
      async () => {
        const server = await start();
        const postmaster = postmasterPid();
        expect(postmaster).not.toBeNull();
        const stream = await openNotificationStream(server.url);
        process.kill(-server.child.pid!, signal); // what Ctrl-C in a terminal does (or systemd's control group)
        const exit = await exitWithin(server, EXIT_TIMEOUT_MS);
        stream.abort();
        expect({ exit, stderr: server.stderr() }).toEqual({ exit: { code: 0, signal: null }, stderr: '' });
        expect(isAlive(postmaster!)).toBe(false);
        expect(existsSync(path.join(pgDataDir, 'postmaster.pid'))).toBe(false);
      },
      START_TIMEOUT_MS + EXIT_TIMEOUT_MS,
    );
  }

  it(
    'exits with one clear sentence (code 3) when its idle PostgreSQL is killed, and starts again',
    async () => {
      const server = await start();
      const postmaster = postmasterPid()!;
      process.kill(postmaster, 'SIGKILL');
      const exit = await exitWithin(server, EXIT_TIMEOUT_MS);
      expect(exit).toEqual({ code: EXIT_DATABASE_LOST, signal: null });
      expect(server.stderr()).toBe(
        `qianbao: the embedded PostgreSQL (pid ${postmaster}) was killed (SIGKILL); Qianbao stops too (exit code 3). ` +
          'Start it again (npm start): committed data is recovered from the write-ahead log. ' +
          'See docs/operations.md to have a supervisor do that.\n',
      );

      const again = await start();
      expect((await fetch(`${again.url}/readyz`)).status).toBe(200);
      process.kill(-again.child.pid!, 'SIGTERM');
      expect(await exitWithin(again, EXIT_TIMEOUT_MS)).toEqual({ code: 0, signal: null });
    },
    2 * START_TIMEOUT_MS,
  );

  it(
    'exits with the same sentence when its PostgreSQL is killed under load, and the books balance after a restart',
    async () => {
      const server = await start();
      const books = await openFundedCustomers(server.url, 6, 1_000_000n);
      let answered = 0;
      let stop = false;
      const load = forEachConcurrently(Array.from({ length: 16 }), 16, async () => {
        while (!stop) {
          const [debit, credit] = randomPair(books.customers);
          const submission = await submitTransfers(server.url, [
            {
              id: newId(),
              debitAccountId: debit,
              creditAccountId: credit,
              amount: String(randomInt(1, 5000)),
              currency: CURRENCY,
              code: 1,
            },
          ]);
          if (submission.kind === 'answered' && submission.status === 200) answered++;
          else await sleep(20);
        }
      });
      while (answered < 200) await sleep(50);
      const postmaster = postmasterPid()!;
      process.kill(postmaster, 'SIGKILL');
      const exit = await exitWithin(server, EXIT_TIMEOUT_MS);
      stop = true;
      await load;
      expect(exit).toEqual({ code: EXIT_DATABASE_LOST, signal: null });
      expect(server.stderr()).toContain(
        `qianbao: the embedded PostgreSQL (pid ${postmaster}) was killed (SIGKILL); Qianbao stops too (exit code 3).`,
      );
      expect(server.stderr()).not.toMatch(/\n\s+at /); // no stack trace

      const again = await start();
      try {
        // The books as an operator checks them, with the server's own configuration and keys.
        const verify = await runQianbao(['verify'], environment());
        expect(verify.stdout).toContain('Ledger verification: OK');
        expect(verify.code).toBe(0);
      } finally {
        process.kill(-again.child.pid!, 'SIGTERM');
      }
      expect(await exitWithin(again, EXIT_TIMEOUT_MS)).toEqual({ code: 0, signal: null });
    },
    2 * START_TIMEOUT_MS,
  );
});
