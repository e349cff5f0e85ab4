/**
 * End-to-end transfer benchmark over HTTP: `npx qianbao bench http-transfers [--holders 1000]
 * [--seconds 20] [--concurrency 16,64] [--pgbench-seconds 30] [--risk on|off|both] [--rate N]`.
 *
 * A real server process (the `qianbao start` a deployment runs) on a fresh database; 1,000
 * holders registered through the API, each with a PIN and password-free payments switched on,
 * funded through the ledger API. Then many clients send PIN-free small transfers between random
 * holders, each with its own Idempotency-Key, through the whole stack (session, idempotency,
 * limits, risk, confirmation, ledger, notifications). Prints transfers/s, p50/p99, and the ratio
 * to pgbench TPC-B run on the same PostgreSQL server; with the risk engine on, its decisions per
 * second and the p99 of one decision; `--risk both` runs the same holders with the engine off,
 * then on. `--rate N` paces the clients to N transfers a second in all (each client sends on a
 * schedule instead of as soon as its last answer came): the latency of a load the machine carries,
 * where the closed loop measures the saturated one. Figures, not a test.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import http from 'node:http';
import { parseArgs } from 'node:util';
import { newId } from '@qianbao/ledger';
import pg from 'pg';
import { DEFAULT_RULE_SET } from '../apps/server/src/modules/risk/engine/default-rules.ts';
import {
  cpuSeconds,
  databaseServer,
  fmt,
  freshBenchDatabase,
  machineLine,
  percentile,
  positive,
  runPgbench,
} from './support.ts';

const DATABASE = 'qianbao_bench_http';
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef0123456789';
const PASSWORD = 'Bench-Password-2026';
export const PIN = '803917';

export interface Holder {
  phone: string;
  token: string;
  walletAccountId: string;
}

export default async function run(args: readonly string[] = []): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      holders: { type: 'string', default: '1000' },
      seconds: { type: 'string', default: '20' },
      /** One run per level, e.g. `16,64`. */
      concurrency: { type: 'string', default: '16,64' },
      'pgbench-seconds': { type: 'string', default: '30' },
      /** Write a V8 CPU profile of the server process into this folder (for `--cpu-prof`). */
      profile: { type: 'string' },
      /**
       * The risk engine: `on` (every rule of the shipped set evaluated, none deciding: the
       * benchmark's holders pay each other far faster than people do), `off`, or `both` — the
       * same holders and database, one server after the other (issue 11: engine on vs off).
       */
      risk: { type: 'string', default: 'on' },
      /** Transfers a second in all, paced; unset: every client sends as soon as answered. */
      rate: { type: 'string' },
    },
  });
  if (!['on', 'off', 'both'].includes(values.risk)) throw new Error('--risk is on, off or both');
  const modes: ('on' | 'off')[] = values.risk === 'both' ? ['off', 'on'] : [values.risk as 'on' | 'off'];
  const holderCount = positive(values.holders, 'holders');
  const seconds = positive(values.seconds, 'seconds');
  const concurrencies = values.concurrency.split(',').map((level) => positive(level.trim(), 'concurrency'));
  const pgbenchSeconds = positive(values['pgbench-seconds'], 'pgbench-seconds');
  const rate = values.rate === undefined ? null : positive(values.rate, 'rate');

  const server = await databaseServer();
  let child: ChildProcess | undefined;
  try {
    const databaseUrl = await freshBenchDatabase(server.url, DATABASE);
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    child = await startQianbao(databaseUrl, port, modes[0]!, values.profile);
    console.log(
      `${machineLine()}; ` +
        `${holderCount} holders, ${concurrencies.join(' then ')} concurrent clients, ${seconds} s each` +
        `${rate === null ? ' (closed loop)' : `, paced to ${rate} transfers/s`}; ` +
        `risk engine ${modes.join(' then ')}`,
    );

    const setupStartedAt = performance.now();
    const holders = await mapBounded(
      Array.from({ length: holderCount }, (_, i) => i),
      16,
      (i) => registerHolder(baseUrl, `138${String(10_000_000 + i).slice(-8)}`),
    );
    await fund(baseUrl, holders);
    console.log(
      `setup: ${holders.length} holders registered, PIN set, funded in ${((performance.now() - setupStartedAt) / 1000).toFixed(1)} s`,
    );

    const rows: (LoadResult & { risk: 'on' | 'off' })[] = [];
    for (const [index, mode] of modes.entries()) {
      if (index > 0) {
        await stop(child);
        child = await startQianbao(databaseUrl, port, mode, values.profile);
      }
      if (mode === 'on') await benchRules(databaseUrl);
      for (const clients of concurrencies) {
        // Scraping /metrics also starts the server's event-loop delay histogram afresh (prom-client).
        const decisionsBefore = await riskDecisions(baseUrl);
        const result = await load({
          rate,
          clients,
          seconds,
          serverPid: child.pid!,
          backends: () => backendPids(databaseUrl),
          send: (agent) => sendTransfer(agent, baseUrl, holders),
        });
        rows.push({ ...result, risk: mode });
        if (result.failures.size > 0) {
          console.log(
            `refused at ${clients} clients: ${JSON.stringify(Object.fromEntries(result.failures))}`,
          );
        }
        const per = (cpu: number) =>
          `${((cpu / Math.max(result.ok, 1)) * 1000).toFixed(2)} ms (${((cpu / result.elapsed) * 100).toFixed(0)} % of a core)`;
        console.log(
          `risk ${mode}, ${clients} clients: ${fmt(result.tps, 0)} transfers/s; CPU per transfer: server ${per(result.cpu.server)}, ` +
            `PostgreSQL backends ${per(result.cpu.database)}, this load generator ${per(result.cpu.client)}`,
        );
        const lag = await eventLoopDelayP99(baseUrl);
        console.log(
          `risk ${mode}, ${clients} clients: the server's event-loop delay p99 over the run ${lag} ms ` +
            '(how long a callback that is ready waits before it runs, at the 99th percentile)',
        );
        if (mode === 'on') {
          const decisions = decisionsOfRun(decisionsBefore, await riskDecisions(baseUrl));
          console.log(
            `risk on, ${clients} clients: ${decisions.count} payment decisions (${fmt(decisions.count / result.elapsed, 0)}/s ` +
              `over the run), p99 of the decision itself ≤ ${decisions.p99Ms} ms, ${decisions.within5} % within 5 ms ` +
              `(histogram buckets; target p99 ≤ 5 ms)`,
          );
        }
      }
    }

    await stop(child);
    child = undefined;
    const pgbench = runPgbench(server.url, pgbenchSeconds);
    console.log('\nworkload                                 transfers/s   p50 ms   p99 ms   ÷ pgbench');
    for (const row of rows) {
      const label = `HTTP wallet→wallet, ${row.clients} clients, risk ${row.risk}`.padEnd(40);
      console.log(
        `${label} ${fmt(row.tps, 11)} ${percentile(row.latencies, 0.5).toFixed(1).padStart(8)} ` +
          `${percentile(row.latencies, 0.99).toFixed(1).padStart(8)}   ${pgbench ? `${(row.tps / pgbench.tps).toFixed(2)}×` : 'n/a'}`,
      );
    }
    if (pgbench)
      console.log(
        `pgbench TPC-B                            ${fmt(pgbench.tps, 11)} tps (8 clients, ${pgbenchSeconds} s)`,
      );
  } finally {
    if (child) await stop(child);
    await server.stop();
  }
}

export interface LoadResult {
  clients: number;
  ok: number;
  elapsed: number;
  tps: number;
  /** Sorted, ms. */
  latencies: number[];
  failures: Map<string, number>;
  /** CPU seconds used during the run. */
  cpu: { server: number; database: number; client: number };
}

/** `clients` closed-loop clients sending PIN-free ¥0.01 transfers between random holders for `seconds`. */
/** A PIN-free ¥0.01 transfer between two random holders: null when it went through, else why not. */
async function sendTransfer(
  agent: http.Agent,
  baseUrl: string,
  holders: readonly Holder[],
): Promise<string | null> {
  const payer = holders[Math.floor(Math.random() * holders.length)]!;
  let payee = holders[Math.floor(Math.random() * holders.length)]!;
  while (payee === payer) payee = holders[Math.floor(Math.random() * holders.length)]!;
  const response = await post(agent, `${baseUrl}/v1/me/transfers`, {
    authorization: `Bearer ${payer.token}`,
    'idempotency-key': randomUUID(),
    body: JSON.stringify({
      toPhone: payee.phone,
      amount: { amount: '1', currency: 'CNY' },
      confirmation: {},
    }),
  });
  return response.status === 201 ? null : failureOf(response);
}

/** The error code of a refused request, or its status. */
export function failureOf(response: { status: number; body: string }): string {
  return /"code":"([A-Z_]+)"/.exec(response.body)?.[1] ?? String(response.status);
}

/**
 * `clients` loops calling `send` for `seconds` (paced to `rate` a second in all when given),
 * with the latency of each call and the CPU of the server, its PostgreSQL backends and this
 * process over the run.
 */
export async function load(input: {
  /** Payments a second in all, paced; null: closed loop. */
  rate: number | null;
  /** One payment: null when it went through, else the reason (an error code). */
  send: (agent: http.Agent) => Promise<string | null>;
  clients: number;
  seconds: number;
  serverPid: number;
  /** The PostgreSQL backends serving the server now (its pools open connections as needed). */
  backends: () => Promise<number[]>;
}): Promise<LoadResult> {
  const backendsBefore = await input.backends();
  const databaseCpuBefore = new Map(backendsBefore.map((pid) => [pid, cpuSeconds([pid])]));
  const serverCpuBefore = cpuSeconds([input.serverPid]);
  const clientCpuBefore = process.cpuUsage();
  const latencies: number[] = [];
  let ok = 0;
  const failures = new Map<string, number>();
  // node:http with keep-alive costs the load generator about half of what fetch does, and the
  // load generator shares the machine's two cores with the server and PostgreSQL.
  const agent = new http.Agent({ keepAlive: true, maxSockets: input.clients });
  const startedAt = performance.now();
  const endAt = startedAt + input.seconds * 1000;
  // Paced: client i sends at startedAt + (i + k × clients) / rate seconds, k = 0, 1, 2 …
  const interval = input.rate === null ? 0 : (1000 * input.clients) / input.rate;
  await Promise.all(
    Array.from({ length: input.clients }, async (_, client) => {
      let next = startedAt + (input.rate === null ? 0 : (client * 1000) / input.rate);
      while (performance.now() < endAt) {
        if (interval > 0) {
          const wait = next - performance.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          next += interval;
          if (performance.now() >= endAt) break;
        }
        const sentAt = performance.now();
        const failure = await input.send(agent);
        latencies.push(performance.now() - sentAt);
        if (failure === null) ok++;
        else failures.set(failure, (failures.get(failure) ?? 0) + 1);
      }
    }),
  );
  const elapsed = (performance.now() - startedAt) / 1000;
  const clientUsage = process.cpuUsage(clientCpuBefore);
  agent.destroy();
  const serverCpu = cpuSeconds([input.serverPid]) - serverCpuBefore;
  // A backend that appeared during the run spent all its CPU in it; one that ended is lost.
  const backendsAfter = new Set([...backendsBefore, ...(await input.backends())]);
  let databaseCpu = 0;
  for (const pid of backendsAfter) databaseCpu += cpuSeconds([pid]) - (databaseCpuBefore.get(pid) ?? 0);
  latencies.sort((a, b) => a - b);
  return {
    clients: input.clients,
    ok,
    elapsed,
    tps: ok / elapsed,
    latencies,
    failures,
    cpu: {
      server: serverCpu,
      database: databaseCpu,
      client: (clientUsage.user + clientUsage.system) / 1e6,
    },
  };
}

/** POST a JSON body; resolves with the status and the whole response body. */
export function post(
  agent: http.Agent,
  url: string,
  input: { authorization: string; 'idempotency-key': string; body: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: input.authorization,
          'idempotency-key': input['idempotency-key'],
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(input.body),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(input.body);
  });
}

/** The PostgreSQL backends connected to the benchmark's database (the server's pools). */
export async function backendPids(databaseUrl: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    return rows.map((row) => row.pid);
  } finally {
    await client.end();
  }
}

export async function registerHolder(baseUrl: string, phone: string): Promise<Holder> {
  await call(baseUrl, 'POST', '/v1/auth/sms-codes', { phone, purpose: 'register' });
  const code = await latestCode(baseUrl, phone);
  const registered = await call<{ token: string; holder: { walletAccountId: string } }>(
    baseUrl,
    'POST',
    '/v1/auth/register',
    {
      phone,
      code,
      password: PASSWORD,
      deviceId: `bench-${phone}`,
    },
  );
  const holder = { phone, token: registered.token, walletAccountId: registered.holder.walletAccountId };
  await call(baseUrl, 'POST', '/v1/me/sms-codes', {}, holder.token);
  const smsCode = await latestCode(baseUrl, phone);
  await call(baseUrl, 'POST', '/v1/me/pin', { password: PASSWORD, smsCode, pin: PIN }, holder.token);
  await call(
    baseUrl,
    'PUT',
    '/v1/me/password-free',
    { limit: { amount: '20000', currency: 'CNY' }, pin: PIN },
    holder.token,
  );
  return holder;
}

/** ¥500 each from a system account, through the internal ledger API (with `adminToken`'s server). */
export async function fund(
  baseUrl: string,
  holders: readonly Holder[],
  adminToken: string = ADMIN_TOKEN,
): Promise<void> {
  const bank = newId();
  await call(baseUrl, 'POST', '/v1/ledger/accounts', [{ id: bank, currency: 'CNY', code: 900 }], adminToken);
  for (let i = 0; i < holders.length; i += 1000) {
    const transfers = holders.slice(i, i + 1000).map((holder) => ({
      id: newId(),
      debitAccountId: bank,
      creditAccountId: holder.walletAccountId,
      amount: '50000',
      currency: 'CNY',
      code: 1,
    }));
    const { results } = await call<{ results: { result: string }[] }>(
      baseUrl,
      'POST',
      '/v1/ledger/transfers',
      { transfers },
      adminToken,
    );
    const failed = results.filter((r) => r.result !== 'ok');
    if (failed.length > 0) throw new Error(`funding failed: ${failed[0]!.result}`);
  }
}

export async function latestCode(baseUrl: string, phone: string): Promise<string> {
  const { messages } = await call<{ messages: { code: string | null }[] }>(
    baseUrl,
    'GET',
    `/dev/sms.json?phone=${phone}&limit=1`,
  );
  const code = messages[0]?.code;
  if (!code) throw new Error(`no SMS code for ${phone}`);
  return code;
}

export async function call<T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
  headers: Record<string, string> = {},
): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

/**
 * The engine-on runs judge with every rule of the shipped set, each made to decide nothing
 * (score 0, no decision): the same state read, features and writes as in production, without
 * refusing the benchmark's holders, who pay each other every second.
 */
export async function benchRules(databaseUrl: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const rules = DEFAULT_RULE_SET.rules.map(({ decision: _decision, ...rule }) => ({ ...rule, score: 0 }));
    await pool.query('BEGIN');
    await pool.query(`UPDATE risk_rule_sets SET status = 'retired' WHERE status = 'active'`);
    await pool.query(
      `INSERT INTO risk_rule_sets (version, rules, thresholds, note, status, created_by, created_at, activated_by, activated_at)
       SELECT coalesce(max(version), 0) + 1, $1, $2, 'bench: every shipped rule evaluated, none deciding', 'active',
              'bench', now(), 'bench', now()
         FROM risk_rule_sets`,
      [JSON.stringify(rules), JSON.stringify(DEFAULT_RULE_SET.thresholds)],
    );
    await pool.query('COMMIT');
  } finally {
    await pool.end();
  }
  await new Promise((resolve) => setTimeout(resolve, 1100)); // the servers read the active set once a second
}

/** Payment decisions so far and the p99 of their duration, from the server's /metrics histogram. */
/** The server's event-loop delay p99 since the last scrape, in ms (prom-client's default metric). */
async function eventLoopDelayP99(baseUrl: string): Promise<string> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const match = /^nodejs_eventloop_lag_p99_seconds\s+([0-9.e+-]+)$/m.exec(text);
  return match ? (Number(match[1]) * 1000).toFixed(1) : '?';
}

/** The decision histogram's cumulative buckets (upper bound in seconds → count), summed over decisions. */
async function riskDecisions(baseUrl: string): Promise<Map<number, number>> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const buckets = new Map<number, number>();
  for (const line of text.split('\n')) {
    const match = /^qianbao_risk_decision_seconds_bucket\{(.*)\} (\d+)$/.exec(line);
    if (!match || !match[1]!.includes('subject="payment"')) continue;
    const le = /le="([^"]+)"/.exec(match[1]!)![1]!;
    const bound = le === '+Inf' ? Infinity : Number(le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + Number(match[2]));
  }
  return buckets;
}

/** The decisions of one run (the histogram after, less before): count, p99 bucket, share within 5 ms. */
function decisionsOfRun(
  before: Map<number, number>,
  after: Map<number, number>,
): { count: number; p99Ms: string; within5: string } {
  const sorted = [...after.entries()]
    .map(([bound, cumulative]) => [bound, cumulative - (before.get(bound) ?? 0)] as const)
    .sort((a, b) => a[0] - b[0]);
  const count = sorted.at(-1)?.[1] ?? 0;
  const p99 = sorted.find(([, cumulative]) => cumulative >= count * 0.99)?.[0] ?? Infinity;
  const within5 = sorted.find(([bound]) => bound === 0.005)?.[1] ?? 0;
  return {
    count,
    p99Ms: p99 === Infinity ? '∞' : String(p99 * 1000),
    within5: count === 0 ? '—' : ((within5 / count) * 100).toFixed(1),
  };
}

export async function startQianbao(
  databaseUrl: string,
  port: number,
  risk: 'on' | 'off',
  profileDir?: string,
  /** More settings of the server (a benchmark's own). */
  env: Record<string, string> = {},
): Promise<ChildProcess> {
  const profile = profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir];
  const child = spawn(process.execPath, [...profile, 'apps/cli/bin/qianbao.js', 'start'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      QIANBAO_ADMIN_TOKEN: ADMIN_TOKEN,
      QIANBAO_DATA_DIR: 'data/bench-http',
      LOG_LEVEL: 'warn',
      DB_POOL_MAX: '40',
      RISK_ENGINE: risk,
      // The demo shop would be one more client of the server under measurement.
      QIANBAO_DEMO_SHOP: 'off',
      // Setup registers many holders from one address in a minute: lift the anti-abuse limits
      // (and the password hashing cost) that exist for real people, not for the benchmark.
      SMS_MAX_PER_IP_PER_HOUR: '100000',
      SMS_MAX_PER_PHONE_PER_HOUR: '100',
      SMS_RESEND_SECONDS: '10',
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Qianbao is running at')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`qianbao start exited with ${code}: ${output}`)));
  });
  child.stdout.resume();
  return child;
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Like Promise.all over `items`, with at most `limit` running at once. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!);
      }
    }),
  );
  return results;
}
