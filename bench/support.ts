/** Pieces every benchmark shares: a PostgreSQL server, fresh databases, pgbench, figures. */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { createClient, createPool, quoteIdent, startEmbeddedPostgres, withDatabase } from '@qianbao/db';

const PGBENCH_DATABASE = 'qianbao_pgbench';
/** USER_HZ: the unit of /proc/<pid>/stat times on Linux. */
const CLOCK_TICKS_PER_SECOND = 100;

/** pgbench's TPC-B-like script, 8 clients, on its own database of the same server. */
export function runPgbench(serverUrl: string, seconds: number): { tps: number } | null {
  const binary = ['/usr/bin/pgbench', '/usr/lib/postgresql/15/bin/pgbench'].find((p) => existsSync(p));
  if (!binary) {
    console.log('pgbench not found (Debian package postgresql-client): no comparison');
    return null;
  }
  const url = new URL(withDatabase(serverUrl, PGBENCH_DATABASE));
  const env = { ...process.env, PGPASSWORD: decodeURIComponent(url.password) };
  const connection = ['-h', url.hostname, '-p', url.port || '5432', '-U', decodeURIComponent(url.username)];
  const createdb = spawnSync(
    'psql',
    [
      ...connection,
      '-d',
      'postgres',
      '-qc',
      `DROP DATABASE IF EXISTS ${PGBENCH_DATABASE}`,
      '-c',
      `CREATE DATABASE ${PGBENCH_DATABASE}`,
    ],
    { env, encoding: 'utf8' },
  );
  if (createdb.status !== 0) throw new Error(`could not create the pgbench database: ${createdb.stderr}`);
  const init = spawnSync(binary, [...connection, '-i', '-q', '-s', '8', PGBENCH_DATABASE], {
    env,
    encoding: 'utf8',
  });
  if (init.status !== 0) throw new Error(`pgbench -i failed: ${init.stderr}`);
  // Start from a clean checkpoint, as each ledger workload does: otherwise pgbench would pay for
  // flushing what the workloads before it wrote.
  const checkpoint = spawnSync('psql', [...connection, '-d', 'postgres', '-qc', 'CHECKPOINT'], {
    env,
    encoding: 'utf8',
  });
  if (checkpoint.status !== 0) throw new Error(`CHECKPOINT failed: ${checkpoint.stderr}`);
  console.log(`pgbench: TPC-B-like, 8 clients, 2 threads, ${seconds} s …`);
  const bench = spawnSync(
    binary,
    [...connection, '-c', '8', '-j', '2', '-T', String(seconds), PGBENCH_DATABASE],
    {
      env,
      encoding: 'utf8',
    },
  );
  const match = /tps = ([\d.]+)/.exec(bench.stdout);
  if (bench.status !== 0 || !match) throw new Error(`pgbench failed: ${bench.stderr}`);
  return { tps: Number.parseFloat(match[1]!) };
}

export async function databaseServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => {} };
  const port = Number.parseInt(process.env.QIANBAO_BENCH_PG_PORT ?? '54331', 10);
  const server = await startEmbeddedPostgres({
    dataDir: path.resolve('data/bench-pg'),
    port,
    reuseRunning: true,
  });
  console.log(`embedded PostgreSQL on port ${port} (data/bench-pg)`);
  return { url: server.connectionString, stop: () => server.stop() };
}

export async function freshDatabase(serverUrl: string, name: string): Promise<pg.Pool> {
  const admin = createClient(withDatabase(serverUrl, 'postgres'), 'qianbao-bench');
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
  await admin.end();
  return createPool({
    connectionString: withDatabase(serverUrl, name),
    max: 4,
    applicationName: 'qianbao-bench',
  });
}

export async function checkDurability(pool: pg.Pool): Promise<void> {
  const settings: Record<string, string> = {};
  for (const name of ['fsync', 'synchronous_commit', 'full_page_writes']) {
    settings[name] = (
      await pool.query<{ value: string }>(`SELECT current_setting($1) AS value`, [name])
    ).rows[0]!.value;
  }
  console.log(`durability: fsync=${settings.fsync}, synchronous_commit=${settings.synchronous_commit}`);
  if (settings.fsync !== 'on' || settings.synchronous_commit !== 'on') {
    throw new Error('the benchmark only measures durable commits: turn fsync and synchronous_commit on');
  }
}

export function percentile(sorted: readonly number[], q: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
}

export function fmt(value: number, width: number): string {
  return Math.round(value).toLocaleString('en-US').padStart(width);
}

export function positive(text: string | undefined, name: string): number {
  const value = Number.parseInt(text ?? '', 10);
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new Error(`--${name} must be a positive whole number`);
  return value;
}

/** User + system CPU seconds of these processes so far (Linux /proc; 0 for any gone or unreadable). */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const fields = statFields(pid);
    if (fields) ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  }
  return ticks / CLOCK_TICKS_PER_SECOND;
}

/**
 * CPU seconds of every `postgres` process on this machine so far, by pid: backends and the
 * server's own writers (WAL writer, checkpointer, background writer) alike. Meant for the
 * benchmarks' embedded server, which nothing else uses while they run.
 */
export function postgresCpu(): Map<number, number> {
  const cpu = new Map<number, number>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return cpu; // not Linux
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
    } catch {
      continue;
    }
    cpu.set(pid, cpuSeconds([pid]));
  }
  return cpu;
}

/** CPU seconds the `postgres` processes used since `before` (processes that ended are lost). */
export function postgresCpuSince(before: ReadonlyMap<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of postgresCpu()) total += seconds - (before.get(pid) ?? 0);
  return total;
}

function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null; // not Linux, or the process is gone
  }
}

/** The machine, as every benchmark's first line names it: cores, CPU model, Node. */
export function machineLine(): string {
  return `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}; node ${process.version}`;
}

/**
 * A fresh database `name` on the benchmark's server, its durability checked (benchmarks measure
 * fsync'd commits): the URL the Qianbao server under test is started with.
 */
export async function freshBenchDatabase(serverUrl: string, name: string): Promise<string> {
  const pool = await freshDatabase(serverUrl, name);
  try {
    await checkDurability(pool);
  } finally {
    await pool.end();
  }
  return withDatabase(serverUrl, name);
}
