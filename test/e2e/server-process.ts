/**
 * End-to-end helpers: run `qianbao start` as a real child process on a test database, the way an
 * operator would, and stop or kill it. Imported by tests only.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnQianbao } from '../../apps/cli/src/testing.ts';
import { TEST_ADMIN_TOKEN } from '../../apps/server/src/testing.ts';

/**
 * The master key (QIANBAO_SECRET_KEY) of every server these tests start, so that the tests can
 * check the keyed journal those servers write (ADR 0010).
 */
export const TEST_SECRET_KEY = Buffer.alloc(32, 7);

/** Start-up includes tsx compiling the sources; on a loaded 2-core machine that can take a while. */
const START_TIMEOUT_MS = 60_000;
/** Lines of server output kept to explain a failure. */
const OUTPUT_LINES_KEPT = 200;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  /** e.g. `http://127.0.0.1:43211` */
  url: string;
  /** The pid of the node process that serves: the CLI runs the server in its own process. */
  pid: number;
  /** Resolves once the process has exited. */
  exited: Promise<Exit>;
  /** Recent stdout and stderr, for failure messages. */
  output(): string;
  /** SIGTERM (graceful shutdown), then wait for the exit. */
  stop(): Promise<Exit>;
  /** SIGKILL (a crash: nothing gets to run), then wait for the exit. */
  kill(): Promise<Exit>;
}

/** Every child still running, so that a failing test never leaves a server behind. */
const running = new Set<ChildProcessWithoutNullStreams>();

/** SIGKILL every server this file started that is still running. For `afterAll`. */
export function killAllServers(): void {
  for (const child of running) child.kill('SIGKILL');
}
// Last resort if the test worker exits without running its hooks (kill() is synchronous).
process.once('exit', killAllServers);

/** A port nobody listens on right now (a restarted server must come back on the same one). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * `qianbao start` on `databaseUrl`; resolves once it has printed its URL and `/readyz` answers
 * 200. A server that fails to come up is killed and its output is in the error.
 */
export async function startServerProcess(options: {
  databaseUrl: string;
  port?: number;
  env?: Record<string, string>;
}): Promise<ServerProcess> {
  const child = spawnQianbao(['start'], {
    DATABASE_URL: options.databaseUrl,
    PORT: String(options.port ?? 0),
    QIANBAO_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    QIANBAO_SECRET_KEY: TEST_SECRET_KEY.toString('base64'),
    LOG_LEVEL: 'warn',
    // Two servers and the test's own pool share one PostgreSQL (max_connections may be 100 in CI).
    DB_POOL_MAX: '8',
    // Journal checkpoints of these throwaway databases stay out of the developer's ./data, one file
    // per database (shared by its servers): another database's journal in it would read as ours cut back.
    LEDGER_CHECKPOINT_FILE: path.join(
      tmpdir(),
      `qianbao-e2e-journal-checkpoints-${new URL(options.databaseUrl).pathname.slice(1) || 'default'}.jsonl`,
    ),
    // The demo shop would add a holder and a merchant to every test's database; its own tests turn it on.
    QIANBAO_DEMO_SHOP: 'off',
    ...options.env,
  });
  running.add(child);
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    lines.splice(0, lines.length - OUTPUT_LINES_KEPT);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  const output = () => lines.join('\n');

  try {
    const url = await Promise.race([
      waitForUrl(child),
      exited.then((exit) => Promise.reject(new Error(`exited early (${describeExit(exit)})`))),
      sleep(START_TIMEOUT_MS, undefined, { ref: false }).then(() =>
        Promise.reject(new Error(`no URL printed within ${START_TIMEOUT_MS} ms`)),
      ),
    ]);
    await waitUntilReady(url, exited);
    const end = (signal: NodeJS.Signals) => {
      child.kill(signal);
      return exited;
    };
    return { url, pid: child.pid!, exited, output, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw new Error(`qianbao start failed: ${(error as Error).message}\n--- server output ---\n${output()}`);
  }
}

function waitForUrl(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve) => {
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /Qianbao is running at (http:\/\/\S+)/.exec(stdout);
      if (match) resolve(match[1]!);
    });
  });
}

async function waitUntilReady(url: string, exited: Promise<Exit>): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (gone) throw new Error('exited before /readyz answered');
    const status = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5000) }).then(
      async (response) => {
        await response.arrayBuffer(); // read the body, or the connection stays busy
        return response.status;
      },
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`/readyz did not answer 200 (last: ${status})`);
    await sleep(100);
  }
}

export function describeExit(exit: Exit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}
