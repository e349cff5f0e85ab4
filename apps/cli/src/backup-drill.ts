/**
 * `qianbao backup drill`: the restore drill, end to end, with the commands an operator runs.
 *
 * A dedicated PostgreSQL 15 (own data directory and port; as root, run as `postgres`), the WAL
 * streamed by `qianbao backup --wal`, Qianbao's schema migrated by a real `qianbao start`, then:
 * load (HTTP transfers through that server) → `qianbao backup` → more load → a time T and, in one
 * REPEATABLE READ transaction at T, every committed transfer id and every account's counters →
 * more load → `qianbao restore --to T` into a new directory → `qianbao verify` on the restored
 * database, and the restored transfers and counters compared with the snapshot: equal, nothing
 * after T, nothing missing. Prints the figures and a verdict on "no acknowledged transfer lost";
 * the exit code is 1 on FAIL.
 *
 * T is taken while the load is paused (every request answered), and the journal head is read
 * again after a pause: a commit between T and the snapshot would make "the state at T" ambiguous,
 * so such a T is taken again.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createClient } from '@qianbao/db';
import { newId } from '@qianbao/ledger';
import { postgresRunAs, postgresTools, runTool } from './backup-tools.ts';
import type { RunAs, Tools } from './backup-tools.ts';
import { formatBytes, lastArchivedCommit, readBackups } from './backup-store.ts';

const CLI = fileURLToPath(new URL('../bin/qianbao.js', import.meta.url));
const CURRENCY = 'CNY';
const FUNDING_MINOR = 1_000_000n;
const REQUEST_TIMEOUT_MS = 30_000;
const START_TIMEOUT_MS = 120_000;
const ARCHIVE_TIMEOUT_MS = 60_000;
const MAX_T_ATTEMPTS = 5;
const QUIET_MS = 300;

interface DrillSize {
  customers: number;
  /** Transfers per load phase (before the backup, between backup and T, after T). */
  transfersPerPhase: number;
  transfersPerRequest: number;
  concurrency: number;
}

const SHORT: DrillSize = { customers: 20, transfersPerPhase: 400, transfersPerRequest: 4, concurrency: 8 };
const FULL: DrillSize = {
  customers: 500,
  transfersPerPhase: 20_000,
  transfersPerRequest: 8,
  concurrency: 32,
};

interface Snapshot {
  at: string;
  head: string;
  transfers: Set<string>;
  /** id → "debitsPending/debitsPosted/creditsPending/creditsPosted" */
  accounts: Map<string, string>;
}

interface Children {
  all: ChildProcess[];
}

export async function backupDrill(options: { short: boolean; keepFiles: boolean }): Promise<0 | 1> {
  const size = options.short ? SHORT : FULL;
  const print = (...lines: string[]) => console.log(lines.join('\n'));
  const tools = postgresTools((line) => process.stderr.write(`${line}\n`));
  const runAs = postgresRunAs();
  const work = mkdtempSync(path.join(tmpdir(), 'qianbao-restore-drill-'));
  chmodSync(work, 0o755);
  const children: Children = { all: [] };
  const postgresPids: number[] = [];
  let verdict = false;
  try {
    verdict = await drill({ size, tools, runAs, work, children, postgresPids, print });
  } finally {
    for (const child of children.all)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    await Promise.all(children.all.map((child) => exited(child)));
    for (const pid of postgresPids) await stopPostgres(pid);
    if (options.keepFiles || !verdict) print(`Drill files kept in ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
  return verdict ? 0 : 1;
}

async function drill(context: {
  size: DrillSize;
  tools: Tools;
  runAs: RunAs | null;
  work: string;
  children: Children;
  postgresPids: number[];
  print: (...lines: string[]) => void;
}): Promise<boolean> {
  const { size, tools, runAs, work, children, print } = context;
  const liveData = path.join(work, 'live');
  const backups = path.join(work, 'backups');
  const restored = path.join(work, 'restored');
  const qianbaoData = path.join(work, 'qianbao');
  mkdirSync(qianbaoData, { mode: 0o700 });
  mkdirSync(liveData, { mode: 0o700 });
  if (runAs) chownSync(liveData, runAs.uid, runAs.gid);

  // The dedicated server: trust on 127.0.0.1 only, replication allowed (initdb's default lines).
  const init = await runTool(
    tools.initdb,
    [`--pgdata=${liveData}`, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--locale=C'],
    { runAs, timeoutMs: START_TIMEOUT_MS },
  );
  if (init.code !== 0) throw new Error(`initdb failed:\n${init.stderr}`);
  const pgPort = await freePort();
  const live = spawn(
    tools.postgres,
    [
      '-D',
      liveData,
      '-p',
      String(pgPort),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
    ],
    {
      cwd: work,
      detached: true,
      stdio: 'ignore',
      env: { PATH: process.env.PATH ?? '', TZ: 'UTC' },
      ...(runAs ?? {}),
    },
  );
  context.postgresPids.push(live.pid!);
  const serverUrl = `postgres://postgres@127.0.0.1:${pgPort}/postgres`;
  await waitForPostgres(serverUrl);
  await query(serverUrl, 'CREATE DATABASE qianbao');
  const liveUrl = `postgres://postgres@127.0.0.1:${pgPort}/qianbao`;
  print(`Dedicated PostgreSQL 15 on port ${pgPort} (data in ${liveData})`);

  const adminToken = randomBytes(24).toString('hex');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    DATABASE_URL: liveUrl,
    QIANBAO_DATA_DIR: qianbaoData,
    QIANBAO_SECRET_KEY: randomBytes(32).toString('base64'),
    QIANBAO_ADMIN_TOKEN: adminToken,
    QIANBAO_DEMO_SHOP: 'off',
    LEDGER_CHECKPOINT_INTERVAL_MS: '200',
    LOG_LEVEL: 'warn',
    DB_POOL_MAX: '8',
  };

  // The WAL archive, streaming from the start, as an operator runs it beside the server.
  const receiver = spawnCli(['backup', '--wal', `--dir=${backups}`], env, children);
  await waitFor('the WAL receiver', ARCHIVE_TIMEOUT_MS, receiver, async () => {
    const rows = await query(
      liveUrl,
      "SELECT active FROM pg_replication_slots WHERE slot_name = 'qianbao_backup'",
    );
    return rows[0]?.active === true;
  });

  const server = spawnCli(['start'], { ...env, PORT: String(await freePort()) }, children);
  const baseUrl = await serverUrl_(server);
  print(`Qianbao server at ${baseUrl}, schema migrated by its start`);
  const http = new Http(baseUrl, adminToken);
  const customers = await http.openFundedCustomers(size.customers);

  const beforeBackup = await load(http, customers, size);
  const backupStarted = performance.now();
  const backupRun = await runCli(['backup', `--dir=${backups}`], env);
  const backupMs = performance.now() - backupStarted;
  if (backupRun.code !== 0) throw new Error(`qianbao backup failed:\n${backupRun.stderr}${backupRun.stdout}`);
  const backup = readBackups(backups).at(-1)!;
  const beforeT = await load(http, customers, size);
  const snapshot = await snapshotAtT(liveUrl);
  const afterT = await load(http, customers, size);
  print(
    `T = ${snapshot.at} (journal record ${snapshot.head}); load after T: ${afterT.acknowledged.length} transfers`,
  );

  // Every transfer after T must be archived before the restore can be asked to stop before it.
  await waitFor('the archive to pass T', ARCHIVE_TIMEOUT_MS, receiver, async () => {
    const last = await lastArchivedCommit(backups, tools);
    return last !== null && Date.parse(last) > Date.parse(snapshot.at);
  });
  const liveCounts = await query(liveUrl, 'SELECT count(*)::text AS n FROM ledger_transfers');
  const list = await runCli(['backup', '--list', `--dir=${backups}`], env);
  print('', list.stdout.trim(), '');
  const listedRange = /Restorable: any time from (\S+) to (\S+)/.exec(list.stdout);
  const tooLate = new Date(Date.now() + 3_600_000).toISOString();
  const refused = await runCli(
    ['restore', `--to=${tooLate}`, `--into=${restored}-too-late`, `--dir=${backups}`],
    env,
  );

  const restoreStarted = performance.now();
  const restoreRun = await runCli(
    ['restore', `--to=${snapshot.at}`, `--into=${restored}`, `--dir=${backups}`],
    env,
  );
  const restoreMs = performance.now() - restoreStarted;
  const restoredPid = /\(pid (\d+)\)/.exec(restoreRun.stdout)?.[1];
  if (restoredPid !== undefined) context.postgresPids.push(Number(restoredPid));
  if (restoreRun.code !== 0)
    throw new Error(`qianbao restore failed:\n${restoreRun.stderr}${restoreRun.stdout}`);
  print('', restoreRun.stdout.trim(), '');
  const restoredPort = /runs on port (\d+)/.exec(restoreRun.stdout)![1]!;
  const restoredUrl = `postgres://postgres@127.0.0.1:${restoredPort}/qianbao`;

  const verifyEnv = {
    ...env,
    DATABASE_URL: restoredUrl,
    LEDGER_CHECKPOINT_FILE: path.join(restored, 'journal-checkpoints.jsonl'),
  };
  const verify = await runCli(['verify'], verifyEnv);
  const liveFile = path.join(qianbaoData, 'journal-checkpoints.jsonl');
  const againstLive = await runCli(['verify', `--checkpoints=${liveFile}`], verifyEnv);
  const restoredBooks = await readBooks(restoredUrl);

  const acknowledgedBeforeT = [...customers.funding, ...beforeBackup.acknowledged, ...beforeT.acknowledged];
  const missing = [...snapshot.transfers].filter((id) => !restoredBooks.transfers.has(id));
  const extra = [...restoredBooks.transfers].filter((id) => !snapshot.transfers.has(id));
  const acknowledgedLost = acknowledgedBeforeT.filter((id) => !restoredBooks.transfers.has(id));
  const afterTPresent = afterT.acknowledged.filter((id) => restoredBooks.transfers.has(id));
  const accountDifferences = [
    ...new Set([...snapshot.accounts.keys(), ...restoredBooks.accounts.keys()]),
  ].filter((id) => snapshot.accounts.get(id) !== restoredBooks.accounts.get(id));
  const checks: [string, boolean][] = [
    [
      'backup --list shows a restorable range around T',
      listedRange !== null &&
        Date.parse(listedRange[1]!) <= Date.parse(snapshot.at) &&
        Date.parse(listedRange[2]!) > Date.parse(snapshot.at),
    ],
    [
      'restore refuses a time after the newest archived WAL',
      refused.code === 1 && refused.stderr.includes('after the newest commit in the WAL archive'),
    ],
    ['qianbao verify passes on the restored database (its own checkpoints)', verify.code === 0],
    ['verify names the restore beside its checkpoint file', verify.stdout.includes('rolled back on purpose')],
    [
      'against the live checkpoints the rolled-back tail reads as cut off',
      afterT.acknowledged.length === 0 ||
        (againstLive.code === 1 && againstLive.stdout.includes('journal cut off after record')),
    ],
    [`every transfer committed at T is restored (${missing.length} missing)`, missing.length === 0],
    [`nothing after T is restored (${extra.length} extra)`, extra.length === 0],
    [
      `every transfer acknowledged before T is restored (${acknowledgedLost.length} lost)`,
      acknowledgedLost.length === 0,
    ],
    [
      `no transfer acknowledged after T is restored (${afterTPresent.length} present)`,
      afterTPresent.length === 0,
    ],
    [
      `every account's counters equal the snapshot (${accountDifferences.length} differ)`,
      accountDifferences.length === 0,
    ],
    [
      'the live database moved on after T (the drill can tell the times apart)',
      afterT.acknowledged.length > 0,
    ],
  ];
  const pass = checks.every(([, ok]) => ok);

  const loadMs = beforeBackup.ms + beforeT.ms + afterT.ms;
  const loadTransfers =
    beforeBackup.acknowledged.length + beforeT.acknowledged.length + afterT.acknowledged.length;
  print(
    'Restore drill figures',
    `  load            ${loadTransfers} transfers acknowledged over HTTP in ${(loadMs / 1000).toFixed(1)} s ` +
      `(${Math.round(loadTransfers / (loadMs / 1000))} /s, ${size.concurrency} requests in flight); ` +
      `${refusedIn(beforeBackup, beforeT, afterT)} refused`,
    `  live database   ${String(liveCounts[0]?.n)} transfers at the end; ${snapshot.transfers.size} at T`,
    `  base backup     ${formatBytes(backup.sizeBytes)}, pg_basebackup ${(backup.durationMs / 1000).toFixed(1)} s, ` +
      `whole command (with pg_verifybackup) ${(backupMs / 1000).toFixed(1)} s`,
    `  restore         ${restoreFigures(restoreRun.stdout)}; whole command ${(restoreMs / 1000).toFixed(1)} s`,
    `  restored        ${restoredBooks.transfers.size} transfers, ${restoredBooks.accounts.size} accounts`,
    '',
    ...checks.map(([name, ok]) => `  ${ok ? 'ok  ' : 'FAIL'}  ${name}`),
    '',
    `No acknowledged transfer lost: ${pass ? 'PASS' : 'FAIL'}`,
  );
  if (!pass) {
    print('--- qianbao verify (restored) ---', verify.stdout, verify.stderr);
    print('--- qianbao verify --checkpoints <live file> ---', againstLive.stdout, againstLive.stderr);
  }
  return pass;
}

/** From `qianbao restore`'s first line: PostgreSQL's recovery time and the WAL it replayed. */
function restoreFigures(stdout: string): string {
  const figures = /in ([\d.]+) s: (\d+) WAL segment\(s\) fetched from the archive, (.+) of WAL replayed/.exec(
    stdout,
  );
  if (figures === null) return 'figures not printed';
  return `recovery ${figures[1]} s, ${figures[2]} WAL segment(s) fetched, ${figures[3]} of WAL replayed`;
}

function refusedIn(...phases: LoadResult[]): number {
  return phases.reduce((sum, phase) => sum + phase.refused, 0);
}

/**
 * T and the books at T. The first statement of the REPEATABLE READ transaction takes its
 * snapshot and reads the clock; the load is paused, and the head is read again after a pause: a
 * commit in between (a background job's) would make the state at T ambiguous, so T is taken again.
 */
async function snapshotAtT(url: string): Promise<Snapshot> {
  for (let attempt = 1; attempt <= MAX_T_ATTEMPTS; attempt++) {
    await sleep(QUIET_MS);
    const client = createClient(url, 'qianbao-drill');
    await client.connect();
    let snapshot: Snapshot;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      const { rows } = await client.query<{ at: string; head: string | null }>(
        `SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at,
                (SELECT max(seq)::text FROM ledger_journal) AS head`,
      );
      const books = await readBooksWith(client);
      await client.query('COMMIT');
      snapshot = { at: rows[0]!.at, head: rows[0]!.head ?? '0', ...books };
    } finally {
      await client.end();
    }
    await sleep(QUIET_MS);
    const after = await query(url, 'SELECT max(seq)::text AS head FROM ledger_journal');
    if ((after[0]?.head ?? '0') === snapshot.head) return snapshot;
  }
  throw new Error(`the journal kept moving while the load was paused (${MAX_T_ATTEMPTS} tries)`);
}

async function readBooks(url: string): Promise<Omit<Snapshot, 'at' | 'head'>> {
  const client = createClient(url, 'qianbao-drill');
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const books = await readBooksWith(client);
    await client.query('COMMIT');
    return books;
  } finally {
    await client.end();
  }
}

async function readBooksWith(
  client: ReturnType<typeof createClient>,
): Promise<Omit<Snapshot, 'at' | 'head'>> {
  const transfers = await client.query<{ id: string }>('SELECT id::text FROM ledger_transfers');
  const accounts = await client.query<{ id: string; counters: string }>(
    `SELECT id::text, concat_ws('/', debits_pending, debits_posted, credits_pending, credits_posted) AS counters
       FROM ledger_accounts`,
  );
  return {
    transfers: new Set(transfers.rows.map((row) => row.id)),
    accounts: new Map(accounts.rows.map((row) => [row.id, row.counters])),
  };
}

interface LoadResult {
  acknowledged: string[];
  refused: number;
  ms: number;
}

/** Random transfers between customers, a few per request, `concurrency` requests in flight. */
async function load(http: Http, customers: { ids: string[] }, size: DrillSize): Promise<LoadResult> {
  const requests = Math.ceil(size.transfersPerPhase / size.transfersPerRequest);
  const acknowledged: string[] = [];
  let refused = 0;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < requests) {
      next++;
      const transfers = Array.from({ length: size.transfersPerRequest }, () => {
        const debit = Math.floor(Math.random() * customers.ids.length);
        const credit =
          (debit + 1 + Math.floor(Math.random() * (customers.ids.length - 1))) % customers.ids.length;
        return {
          id: newId(),
          debitAccountId: customers.ids[debit]!,
          creditAccountId: customers.ids[credit]!,
          amount: String(1 + Math.floor(Math.random() * 100)),
          currency: CURRENCY,
          code: 1,
        };
      });
      const results = await http.transfers(transfers);
      for (const result of results) {
        if (result.result === 'ok') acknowledged.push(result.id);
        else refused++;
      }
    }
  };
  await Promise.all(Array.from({ length: size.concurrency }, worker));
  return { acknowledged, refused, ms: performance.now() - started };
}

/** The internal ledger API (ADR 0004) over HTTP, as the admin. */
class Http {
  constructor(
    private readonly baseUrl: string,
    private readonly adminToken: string,
  ) {}

  private async post(route: string, body: unknown): Promise<unknown> {
    const response = await fetch(`${this.baseUrl}${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`POST ${route}: ${response.status} ${text}`);
    return JSON.parse(text);
  }

  async transfers(transfers: readonly object[]): Promise<{ id: string; result: string }[]> {
    return (
      (await this.post('/v1/ledger/transfers', { transfers })) as {
        results: { id: string; result: string }[];
      }
    ).results;
  }

  /** A settlement account and `count` customers funded from it. */
  async openFundedCustomers(count: number): Promise<{ ids: string[]; funding: string[] }> {
    const system = newId();
    const ids = Array.from({ length: count }, () => newId());
    await this.post('/v1/ledger/accounts', [
      { id: system, currency: CURRENCY, code: 1, ownerRef: 'system:settlement' },
      ...ids.map((id) => ({
        id,
        currency: CURRENCY,
        code: 100,
        ownerRef: `user:${id}`,
        flags: ['debitsMustNotExceedCredits'],
      })),
    ]);
    const results = await this.transfers(
      ids.map((id) => ({
        id: newId(),
        debitAccountId: system,
        creditAccountId: id,
        amount: FUNDING_MINOR.toString(),
        currency: CURRENCY,
        code: 1,
      })),
    );
    if (results.some((result) => result.result !== 'ok')) throw new Error('funding the customers failed');
    return { ids, funding: results.map((result) => result.id) };
  }
}

/** The last output of each long-lived child, to explain its failure. */
const recentOutputs = new WeakMap<ChildProcess, () => string>();

function spawnCli(args: readonly string[], env: Record<string, string>, children: Children): ChildProcess {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.all.push(child);
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    output.splice(0, output.length - 50);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  recentOutputs.set(child, () => output.join(''));
  return child;
}

function recentOutput(child: ChildProcess): string {
  return recentOutputs.get(child)?.() ?? '';
}

function runCli(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function serverUrl_(child: ChildProcess): Promise<string> {
  let url: string | null = null;
  await waitFor('qianbao start', START_TIMEOUT_MS, child, () => {
    url = /Qianbao is running at (http:\/\/\S+)/.exec(recentOutput(child))?.[1] ?? null;
    return Promise.resolve(url !== null);
  });
  return url!;
}

async function waitFor(
  what: string,
  timeoutMs: number,
  child: ChildProcess | null,
  check: () => Promise<boolean>,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (child !== null && (child.exitCode !== null || child.signalCode !== null))
      throw new Error(`${what}: the process exited\n${recentOutput(child)}`);
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${timeoutMs / 1000} s\n${child ? recentOutput(child) : ''}`);
    await sleep(200);
  }
}

async function waitForPostgres(url: string): Promise<void> {
  await waitFor('PostgreSQL', START_TIMEOUT_MS, null, async () => {
    await query(url, 'SELECT 1');
    return true;
  });
}

async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = createClient(url, 'qianbao-drill');
  await client.connect();
  try {
    return (await client.query(sql)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('close', () => resolve()));
}

/** A fast shutdown of a server this drill started, by its pid; SIGKILL if it hangs. */
async function stopPostgres(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return; // already gone
  }
  for (let waited = 0; waited < 60_000; waited += 100) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(100);
  }
  spawnSync('kill', ['-KILL', String(pid)]);
}

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
