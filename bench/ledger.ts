/**
 * Ledger benchmark: `npx qianbao bench ledger [--seconds 20] [--concurrency 4000] [--pgbench-seconds 30]
 * [--workloads uniform,hot,pairs]`. `--pgbench-seconds 0` skips pgbench (for quick A/B runs).
 *
 * Workloads, each on fresh accounts in one database, driving `Ledger.createTransfers` directly
 * with many concurrent single-transfer requests (as many HTTP handlers would):
 *   (a) uniform   — 10,000 customer accounts, random pairs
 *   (b) hot       — every transfer credits one merchant account
 *   (c) two-phase — a hold then its post (2 transfers per pair)
 * Then, on the same PostgreSQL server, pgbench's TPC-B-like script with 8 clients, and the ratio
 * ledger ÷ pgbench for each workload. Durable commits only: the run stops if fsync or
 * synchronous_commit is off. Figures, not a test: it never fails on timing.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { migrate } from '@qianbao/db';
import { AccountFlags, Ledger, TransferFlags, newId } from '@qianbao/ledger';
import type { TransferInput } from '@qianbao/ledger';
import { allMigrations } from '@qianbao/server/migrations';
import {
  checkDurability,
  databaseServer,
  fmt,
  freshDatabase,
  percentile,
  positive,
  postgresCpu,
  postgresCpuSince,
  runPgbench,
} from './support.ts';

const ACCOUNTS = 10_000;
const BENCH_DATABASE = 'qianbao_bench_ledger';
const WORKLOADS = ['uniform', 'hot', 'pairs'] as const;

interface Figures {
  name: string;
  transfers: number;
  seconds: number;
  transfersPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  averageBatch: number;
  /** CPU µs per transfer: this process (ledger and load generator) and all PostgreSQL processes. */
  cpuMicros: { node: number; postgres: number };
}

export default async function run(args: readonly string[] = []): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      seconds: { type: 'string', default: '20' },
      concurrency: { type: 'string', default: '4000' },
      'pgbench-seconds': { type: 'string', default: '30' },
      'max-batch': { type: 'string', default: '4096' },
      workloads: { type: 'string', default: WORKLOADS.join(',') },
    },
  });
  const workloads = values.workloads.split(',');
  for (const name of workloads) {
    if (!(WORKLOADS as readonly string[]).includes(name)) {
      throw new Error(`--workloads: unknown workload ${name} (known: ${WORKLOADS.join(', ')})`);
    }
  }
  const seconds = positive(values.seconds, 'seconds');
  const concurrency = positive(values.concurrency, 'concurrency');
  const pgbenchSeconds =
    values['pgbench-seconds'] === '0' ? 0 : positive(values['pgbench-seconds'], 'pgbench-seconds');
  const maxBatch = positive(values['max-batch'], 'max-batch');

  const server = await databaseServer();
  try {
    const pool = await freshDatabase(server.url, BENCH_DATABASE);
    await checkDurability(pool);
    await migrate(pool, allMigrations);
    const ledger = await Ledger.open(pool, {
      // Keyed journal chain, as a server writes it (ADR 0010).
      journalKey: randomBytes(32),
      maxBatchTransfers: maxBatch,
      maxQueuedTransfers: concurrency * 2 + maxBatch,
    });
    console.log(
      `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB; ` +
        `node ${process.version}; ${seconds} s per workload, ${concurrency} concurrent requests, batches ≤ ${maxBatch}`,
    );
    const results: Figures[] = [];
    try {
      const load = { seconds, concurrency };
      // Each workload starts from a clean checkpoint, as pgbench does (bench/support.ts).
      const checkpoint = () => pool.query('CHECKPOINT');
      if (workloads.includes('uniform')) results.push(await checkpoint().then(() => uniform(ledger, load)));
      if (workloads.includes('hot')) results.push(await checkpoint().then(() => hotAccount(ledger, load)));
      if (workloads.includes('pairs')) results.push(await checkpoint().then(() => twoPhase(ledger, load)));
    } finally {
      await ledger.close();
      await pool.end();
    }

    const pgbench = pgbenchSeconds > 0 ? runPgbench(server.url, pgbenchSeconds) : null;
    console.log(
      '\nworkload          transfers/s   p50 ms   p99 ms   avg batch   CPU µs: node + PostgreSQL   ÷ pgbench',
    );
    for (const r of results) {
      const ratio = pgbench ? (r.transfersPerSecond / pgbench.tps).toFixed(2) + '×' : 'n/a';
      console.log(
        `${r.name.padEnd(16)} ${fmt(r.transfersPerSecond, 12)} ${r.p50Ms.toFixed(1).padStart(8)} ${r.p99Ms
          .toFixed(1)
          .padStart(8)} ${fmt(r.averageBatch, 11)}   ${cpu(r).padStart(24)}   ${ratio}`,
      );
    }
    if (pgbench) console.log(`pgbench TPC-B    ${fmt(pgbench.tps, 12)} tps (8 clients, ${pgbenchSeconds} s)`);
    const a = results.find((r) => r.name === 'uniform');
    const b = results.find((r) => r.name === 'hot account');
    if (a && b) console.log(`hot ÷ uniform: ${(b.transfersPerSecond / a.transfersPerSecond).toFixed(2)}×`);
  } finally {
    await server.stop();
  }
}

function cpu(r: Figures): string {
  const { node, postgres } = r.cpuMicros;
  return `${node.toFixed(1)} + ${postgres.toFixed(1)} = ${(node + postgres).toFixed(1)}`;
}

interface Load {
  seconds: number;
  concurrency: number;
}

async function uniform(ledger: Ledger, load: Load): Promise<Figures> {
  const customers = await fundedCustomers(ledger, ACCOUNTS, 'CNY');
  return drive('uniform', ledger, load, () => {
    const from = pick(customers);
    let to = pick(customers);
    while (to === from) to = pick(customers);
    return [transfer(from, to, 1n)];
  });
}

async function hotAccount(ledger: Ledger, load: Load): Promise<Figures> {
  const customers = await fundedCustomers(ledger, ACCOUNTS, 'CNY');
  const merchant = newId();
  await ledger.createAccounts([
    { id: merchant, currency: 'CNY', code: 200, flags: AccountFlags.debitsMustNotExceedCredits },
  ]);
  return drive('hot account', ledger, load, () => [transfer(pick(customers), merchant, 1n)]);
}

async function twoPhase(ledger: Ledger, load: Load): Promise<Figures> {
  const customers = await fundedCustomers(ledger, ACCOUNTS, 'CNY');
  // One pair = two requests (hold, then post), timed together; counts as two transfers.
  return drive(
    'pending + post',
    ledger,
    load,
    () => {
      const from = pick(customers);
      let to = pick(customers);
      while (to === from) to = pick(customers);
      return [{ ...transfer(from, to, 1n), flags: TransferFlags.pending, timeoutSeconds: 600 }];
    },
    (hold) => [{ id: newId(), pendingId: hold.id, code: 3, flags: TransferFlags.postPending }],
  );
}

async function drive(
  name: string,
  ledger: Ledger,
  load: Load,
  next: () => TransferInput[],
  followUp?: (first: TransferInput) => TransferInput[],
): Promise<Figures> {
  const latencies: number[] = [];
  let transfers = 0;
  const batchesBefore = ledger.stats().batches;
  const aheadBefore = ledger.stats().batchesAppliedAhead;
  const createdBefore = ledger.stats().transfers;
  const postgresBefore = postgresCpu();
  const nodeBefore = process.cpuUsage();
  const startedAt = performance.now();
  const endAt = startedAt + load.seconds * 1000;
  async function worker() {
    while (performance.now() < endAt) {
      const requestStartedAt = performance.now();
      const first = next();
      const outcomes = await ledger.createTransfers(first);
      expectOk(outcomes);
      transfers += first.length;
      if (followUp) {
        const second = followUp(first[0]!);
        expectOk(await ledger.createTransfers(second));
        transfers += second.length;
      }
      latencies.push(performance.now() - requestStartedAt);
    }
  }
  await Promise.all(Array.from({ length: load.concurrency }, worker));
  const elapsedSeconds = (performance.now() - startedAt) / 1000;
  const nodeUsage = process.cpuUsage(nodeBefore);
  const postgresSeconds = postgresCpuSince(postgresBefore);
  latencies.sort((x, y) => x - y);
  const batches = ledger.stats().batches - batchesBefore;
  const figures: Figures = {
    name,
    transfers,
    seconds: elapsedSeconds,
    transfersPerSecond: transfers / elapsedSeconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    averageBatch: (ledger.stats().transfers - createdBefore) / Math.max(1, batches),
    cpuMicros: {
      node: (nodeUsage.user + nodeUsage.system) / Math.max(1, transfers),
      postgres: (postgresSeconds * 1e6) / Math.max(1, transfers),
    },
  };
  const ahead = (ledger.stats().batchesAppliedAhead - aheadBefore) / Math.max(1, batches);
  console.log(
    `${name}: ${fmt(figures.transfersPerSecond, 0)} transfers/s, p50 ${figures.p50Ms.toFixed(1)} ms, ` +
      `p99 ${figures.p99Ms.toFixed(1)} ms, ${batches} batches (${Math.round(ahead * 100)} % applied ahead of the lock); ` +
      `CPU per transfer: node ${figures.cpuMicros.node.toFixed(1)} µs, PostgreSQL ${figures.cpuMicros.postgres.toFixed(1)} µs`,
  );
  return figures;
}

async function fundedCustomers(ledger: Ledger, count: number, currency: string): Promise<string[]> {
  const bank = newId();
  await ledger.createAccounts([{ id: bank, currency, code: 1 }]);
  const ids = Array.from({ length: count }, () => newId());
  for (let i = 0; i < ids.length; i += 4000) {
    const slice = ids.slice(i, i + 4000);
    await ledger.createAccounts(
      slice.map((id) => ({ id, currency, code: 100, flags: AccountFlags.debitsMustNotExceedCredits })),
    );
    expectOk(await ledger.createTransfers(slice.map((id) => transfer(bank, id, 1_000_000_00n))));
  }
  return ids;
}

function transfer(debitAccountId: string, creditAccountId: string, amount: bigint): TransferInput {
  return { id: newId(), debitAccountId, creditAccountId, amount, currency: 'CNY', code: 2 };
}

function expectOk(outcomes: readonly { result: string }[]): void {
  for (const outcome of outcomes) {
    if (outcome.result !== 'ok') throw new Error(`benchmark transfer failed: ${outcome.result}`);
  }
}

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}
