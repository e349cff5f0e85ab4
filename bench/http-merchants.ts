/**
 * Merchant payments over HTTP, one hot merchant against the same load spread over many:
 * `npx qianbao bench http-merchants [--payers 1000] [--merchants 1000] [--seconds 20]
 * [--concurrency 64] [--risk on|off]` (issue 12: a merchant that receives thousands of payments a
 * second must not become the bottleneck; target hot ≥ 0.7 × spread).
 *
 * A real server process on a fresh database; payers registered through the API (PIN, password-
 * free payments on), funded through the ledger API; merchants opened by holders who verified
 * their real name. Then clients pay ¥0.01 through merchants' static codes with the payment
 * resource — quote (`POST /v1/payments`) and confirm (password-free) — first all to one merchant
 * (hot), then each to a random one of all (spread), the same payers, in one run. Every payment
 * is two linked ledger transfers (the amount, and the fee out of the merchant's balance: at
 * ¥0.01 the fee rounds to nothing, so the fee rate is set to 100 bp and ¥0.50 paid so each
 * payment takes its ¥0.01 fee, as real ones do). Figures, not a test.
 *
 * `--webhook dead` (issue 14: a dead endpoint must cost a payment nothing) adds a third phase: the
 * hot merchant again, now with a webhook endpoint for payment.succeeded on a receiver that takes
 * the connection and never answers — every delivery waits out its timeout and is retried — and
 * prints it against the hot phase without one.
 */
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { databaseServer, fmt, freshBenchDatabase, machineLine, percentile, positive } from './support.ts';
import {
  backendPids,
  benchRules,
  call,
  failureOf,
  freePort,
  fund,
  load,
  mapBounded,
  post,
  registerHolder,
  startQianbao,
  stop,
} from './http-transfers.ts';
import type { Holder, LoadResult } from './http-transfers.ts';

const DATABASE = 'qianbao_bench_merchants';
/** ¥0.50 at 100 bp: a ¥0.01 fee taken out of the merchant's balance by every payment. */
const AMOUNT = '50';

export default async function run(args: readonly string[] = []): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      payers: { type: 'string', default: '1000' },
      merchants: { type: 'string', default: '1000' },
      seconds: { type: 'string', default: '20' },
      concurrency: { type: 'string', default: '64' },
      risk: { type: 'string', default: 'on' },
      webhook: { type: 'string', default: 'off' },
    },
  });
  if (!['off', 'dead'].includes(values.webhook)) throw new Error('--webhook is off or dead');
  if (!['on', 'off'].includes(values.risk)) throw new Error('--risk is on or off');
  const risk = values.risk as 'on' | 'off';
  const payerCount = positive(values.payers, 'payers');
  const merchantCount = positive(values.merchants, 'merchants');
  const seconds = positive(values.seconds, 'seconds');
  const clients = positive(values.concurrency, 'concurrency');

  const server = await databaseServer();
  let child: ChildProcess | undefined;
  let dead: { url: string; close(): Promise<void> } | undefined;
  try {
    const databaseUrl = await freshBenchDatabase(server.url, DATABASE);
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    child = await startQianbao(databaseUrl, port, risk, undefined, { MERCHANT_FEE_RATES: 'default:100' });
    console.log(
      `${machineLine()}; ${payerCount} payers, ` +
        `${merchantCount} merchants, ${clients} concurrent clients, ${seconds} s each; risk engine ${risk}`,
    );

    const setupStartedAt = performance.now();
    const payers = await mapBounded(
      Array.from({ length: payerCount }, (_, i) => i),
      16,
      (i) => registerHolder(baseUrl, `137${String(10_000_000 + i).slice(-8)}`),
    );
    await fund(baseUrl, payers);
    const merchants = await mapBounded(
      Array.from({ length: merchantCount }, (_, i) => i),
      16,
      (i) => openMerchant(baseUrl, `136${String(10_000_000 + i).slice(-8)}`, i),
    );
    const codes = merchants.map((merchant) => merchant.payload);
    console.log(
      `setup: ${payers.length} payers and ${codes.length} merchants in ${((performance.now() - setupStartedAt) / 1000).toFixed(1)} s`,
    );
    if (risk === 'on') await benchRules(databaseUrl);

    const rows: (LoadResult & { label: string })[] = [];
    const phases: [string, () => string, (() => Promise<void>)?][] = [
      ['hot: every payment to one merchant', () => codes[0]!],
      [`spread: over ${codes.length} merchants`, () => codes[Math.floor(Math.random() * codes.length)]!],
    ];
    if (values.webhook === 'dead') {
      phases.push([
        'hot, with a dead webhook endpoint',
        () => codes[0]!,
        async () => {
          dead = await deadReceiver();
          await call(
            baseUrl,
            'POST',
            '/v1/me/merchant/webhook-endpoints',
            { url: dead.url, events: ['payment.succeeded'] },
            merchants[0]!.token,
          );
        },
      ]);
    }
    for (const [label, codeOf, before] of phases) {
      await before?.();
      const result = await load({
        rate: null,
        clients,
        seconds,
        serverPid: child.pid!,
        backends: () => backendPids(databaseUrl),
        send: (agent) =>
          payStatic(agent, baseUrl, payers[Math.floor(Math.random() * payers.length)]!, codeOf()),
      });
      rows.push({ ...result, label });
      const per = (cpu: number) => `${((cpu / Math.max(result.ok, 1)) * 1000).toFixed(2)} ms`;
      console.log(
        `${label}: ${fmt(result.tps, 0)} payments/s; CPU per payment: server ${per(result.cpu.server)}, ` +
          `PostgreSQL backends ${per(result.cpu.database)}`,
      );
      if (result.failures.size > 0)
        console.log(`  refused: ${JSON.stringify(Object.fromEntries(result.failures))}`);
    }

    console.log('\nworkload                                    payments/s   p50 ms   p99 ms');
    for (const row of rows) {
      console.log(
        `${row.label.padEnd(43)} ${fmt(row.tps, 10)} ${percentile(row.latencies, 0.5).toFixed(1).padStart(8)} ` +
          `${percentile(row.latencies, 0.99).toFixed(1).padStart(8)}`,
      );
    }
    const [hot, spread, withDeadEndpoint] = rows;
    if (hot && spread) {
      console.log(`hot ÷ spread: ${(hot.tps / spread.tps).toFixed(2)} (target ≥ 0.7)`);
    }
    if (hot && withDeadEndpoint) {
      const pending = await backlog(databaseUrl);
      console.log(
        `hot with a dead webhook endpoint ÷ hot without: ${(withDeadEndpoint.tps / hot.tps).toFixed(2)} ` +
          `(deliveries waiting or retrying at the end: ${pending})`,
      );
    }
  } finally {
    await dead?.close();
    if (child) await stop(child);
    await server.stop();
  }
}

/** A holder who verifies a real name and opens a shop; answers its static code and the owner's session. */
async function openMerchant(
  baseUrl: string,
  phone: string,
  index: number,
): Promise<{ payload: string; token: string }> {
  const holder = await registerHolder(baseUrl, phone);
  await call(
    baseUrl,
    'POST',
    '/v1/me/kyc/real-name',
    { legalName: '王小明', idNumber: idNumber(`110105${birthDate(index)}001`) },
    holder.token,
  );
  await call(
    baseUrl,
    'POST',
    '/v1/me/merchant',
    { name: `商户${index}`, city: '上海', mcc: '5812' },
    holder.token,
  );
  const { payload } = await call<{ payload: string }>(
    baseUrl,
    'GET',
    '/v1/me/merchant/qr',
    undefined,
    holder.token,
  );
  return { payload, token: holder.token };
}

/** A webhook receiver that takes every connection and never answers (a hung server). */
async function deadReceiver(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Webhook deliveries not yet delivered or given up. */
async function backlog(databaseUrl: string): Promise<number> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM developers_webhook_deliveries WHERE status = 'pending'`,
    );
    return rows[0]!.n;
  } finally {
    await client.end();
  }
}

/** Quote and confirm (password-free) a ¥0.50 payment of a static code: null when paid, else why not. */
async function payStatic(
  agent: http.Agent,
  baseUrl: string,
  payer: Holder,
  qr: string,
): Promise<string | null> {
  const created = await post(agent, `${baseUrl}/v1/payments`, {
    authorization: `Bearer ${payer.token}`,
    'idempotency-key': randomUUID(),
    body: JSON.stringify({ kind: 'merchant_static', qr, amount: { amount: AMOUNT, currency: 'CNY' } }),
  });
  if (created.status !== 201) return failureOf(created);
  const { id } = JSON.parse(created.body) as { id: string };
  const confirmed = await post(agent, `${baseUrl}/v1/payments/${id}/confirm`, {
    authorization: `Bearer ${payer.token}`,
    'idempotency-key': randomUUID(),
    body: JSON.stringify({ confirmation: {} }),
  });
  if (confirmed.status !== 200) return failureOf(confirmed);
  const { status } = JSON.parse(confirmed.body) as { status: string };
  return status === 'succeeded' ? null : status;
}

/** YYYYMMDD of 1970-01-01 plus `days`: a distinct birth date, so a distinct ID number, per merchant. */
function birthDate(days: number): string {
  return new Date(days * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
}

/** A resident ID number with its check digit (the sandbox verifier matches unless sequence 999). */
function idNumber(body17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body17].reduce((total, digit, i) => total + Number(digit) * (weights[i] ?? 0), 0);
  return body17 + '10X98765432'.charAt(sum % 11);
}
