/**
 * The server survives a database failover (issue 16), reproduced without a cluster: two real
 * `qianbao start` processes reach PostgreSQL through a TCP proxy the test cuts (every connection
 * reset, new ones refused: a leader gone and none elected yet), and every backend is later
 * terminated from the database side (57P01, what a leader's fast shutdown sends). Meanwhile
 * clients move money through the ledger API and holders pay each other over HTTP. Afterwards:
 * every acknowledged (2xx) transfer is in the books exactly as acknowledged, none twice, no
 * balance negative, the books verify, both processes are still alive, and readiness said 503
 * while the database was unreachable and 200 after.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/database.ts';
import type { TestDatabase } from '../support/database.ts';
import { CuttableProxy } from './failover-proxy.ts';
import {
  emptyRecord,
  metricSum,
  missingAcknowledged,
  runLoad,
  sampleReadiness,
  settleUnknown,
} from './failover-load.ts';
import type { LoadRecord, ReadinessSample } from './failover-load.ts';
import { fundHolder, post, registerHolder, setHolderPin } from './holders-http.ts';
import type { HttpHolder } from './holders-http.ts';
import { assertBooksBalance, openFundedCustomers, postedBalances, submitTransfers } from './ledger-http.ts';
import { describeExit, killAllServers, startServerProcess } from './server-process.ts';
import type { Exit, ServerProcess } from './server-process.ts';

const CUSTOMERS = 16;
const FUNDING = 100_000n;
const CLIENTS = 24;
const PIN = '258036';
const HOLDERS = 4;
const HOLDER_FUNDING = 20_000n;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Still running: its exit has not resolved. */
async function alive(server: ServerProcess): Promise<Exit | 'alive'> {
  return Promise.race([server.exited, sleep(50).then(() => 'alive' as const)]);
}

/**
 * Holders paying each other over HTTP, each payment retried with its Idempotency-Key after a 503
 * or no answer, as a client should: a 201 is what the holder was told, and must be in the books.
 */
async function holdersPay(options: {
  urls: readonly string[];
  holders: readonly HttpHolder[];
  signal: AbortSignal;
  told: { payer: number; payee: number; amount: bigint }[];
  problems: string[];
}): Promise<void> {
  const { urls, holders } = options;
  await Promise.all(
    holders.map(async (payer, index) => {
      let n = 0;
      while (!options.signal.aborted) {
        // A ring, each holder paying the next: one payer per payee, so the risk engine's fan-in
        // rule stays quiet (with a payment burst it would block the payer).
        const payee = (index + 1) % holders.length;
        const amount = BigInt(1 + (n % 7));
        const key = randomUUID();
        for (let attempt = 0; ; attempt++) {
          const url = urls[(n + attempt) % urls.length]!;
          const response = await post(
            url,
            '/v1/me/transfers',
            {
              toPhone: holders[payee]!.phone,
              amount: { amount: amount.toString(), currency: 'CNY' },
              confirmation: { pin: PIN },
            },
            { ...payer.headers, 'idempotency-key': key },
          ).catch(() => null);
          const status = response?.status ?? 0;
          const body = response ? await response.text() : '';
          if (status === 201) {
            options.told.push({ payer: index, payee, amount });
            break;
          }
          if (status !== 0 && status !== 503 && status !== 409) {
            options.problems.push(`holder payment: HTTP ${status}: ${body}`);
            break;
          }
          if (attempt > 100) {
            options.problems.push(`holder payment never answered: last ${status} ${body}`);
            break;
          }
          await sleep(250);
        }
        n++;
        await sleep(300);
      }
    }),
  );
}

describe('a database failover under load (a cut proxy, terminated backends)', () => {
  let db: TestDatabase;
  let proxy: CuttableProxy;
  let servers: ServerProcess[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
    proxy = await CuttableProxy.start(db.url);
  });
  afterAll(async () => {
    killAllServers();
    await Promise.all(servers.map((server) => server.exited));
    await proxy?.close();
    await db?.drop();
  });

  it(
    'every acknowledged transfer is in the books once, the processes live, readiness is honest',
    { timeout: 240_000 },
    async () => {
      const databaseUrl = proxy.urlFor(db.url);
      servers = await Promise.all([startServerProcess({ databaseUrl }), startServerProcess({ databaseUrl })]);
      const urls = servers.map((server) => server.url);
      const books = await openFundedCustomers(urls[0]!, CUSTOMERS, FUNDING);
      const holders: HttpHolder[] = [];
      for (let i = 0; i < HOLDERS; i++) holders.push(await registerHolder(urls[i % 2]!));
      for (const holder of holders) {
        await setHolderPin(urls[0]!, holder, PIN);
        await fundHolder(urls[0]!, holder, HOLDER_FUNDING);
      }

      const record: LoadRecord = emptyRecord();
      const readiness: ReadinessSample[] = [];
      const told: { payer: number; payee: number; amount: bigint }[] = [];
      const stop = new AbortController();
      const sampling = sampleReadiness(urls, stop.signal, readiness);
      const load = runLoad({
        urls,
        customers: books.customers,
        clients: CLIENTS,
        maxAmount: Number(FUNDING / 4n),
        signal: stop.signal,
        record,
      });
      const paying = holdersPay({ urls, holders, signal: stop.signal, told, problems: record.problems });

      // A failover window: the leader is gone and no other is elected for 3 s.
      await sleep(2000);
      const cutAt = Date.now();
      await proxy.cutFor(3000);
      const restoredAt = Date.now();
      await sleep(3000);
      // A leader's fast shutdown: every backend terminated (57P01), the server answering again at once.
      await db.pool.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );
      await sleep(3000);
      stop.abort();
      await Promise.all([load, paying, sampling]);

      // Both processes lived through it.
      for (const server of servers) expect(await alive(server), server.output()).toBe('alive');
      expect(record.problems.slice(0, 10)).toEqual([]);
      // The load really ran on both sides of the cut.
      expect(record.results.get('ok') ?? 0).toBeGreaterThan(200);
      expect(told.length).toBeGreaterThan(HOLDERS);

      await settleUnknown(urls[1]!, record);
      expect(await missingAcknowledged(db.pool, record)).toEqual([]);
      const balances = await postedBalances(db.pool);
      for (const id of books.customers) expect(balances.get(id)!).toBeGreaterThanOrEqual(0n);
      const customersTotal = books.customers.reduce((sum, id) => sum + balances.get(id)!, 0n);
      expect(customersTotal).toBe(FUNDING * BigInt(CUSTOMERS));
      // Each holder's balance is exactly what the 201s they were told add up to: none lost, none twice.
      const expected = holders.map(() => HOLDER_FUNDING);
      for (const payment of told) {
        expected[payment.payer]! -= payment.amount;
        expected[payment.payee]! += payment.amount;
      }
      expect(holders.map((holder) => balances.get(holder.walletAccountId))).toEqual(expected);
      await assertBooksBalance(db.pool);

      // Readiness: 503 while the proxy refused connections, 200 again afterwards.
      const during = readiness.filter((s) => s.at > cutAt + 500 && s.at < restoredAt);
      expect(during.length).toBeGreaterThan(0);
      for (const server of [0, 1]) {
        expect(during.filter((s) => s.server === server).map((s) => s.status)).toContain(503);
        expect(during.filter((s) => s.server === server && s.status === 200)).toEqual([]);
      }
      for (const url of urls) {
        await expect.poll(async () => (await fetch(`${url}/readyz`)).status, { timeout: 20_000 }).toBe(200);
      }
      // Each process lost its connections and replaced them; the counters say so.
      const lost = await Promise.all(
        urls.map((url) => metricSum(url, 'qianbao_database_connections_lost_total', 'pool="ledger"')),
      );
      const recovered = await Promise.all(
        urls.map((url) => metricSum(url, 'qianbao_ledger_batches_recovered_total')),
      );
      for (const count of lost) expect(count).toBeGreaterThan(0);
      console.log(
        `failover (cut proxy): ledger connections lost ${JSON.stringify(lost)}, batches recovered ${JSON.stringify(recovered)}, ` +
          `statuses ${JSON.stringify(Object.fromEntries(record.statuses))}, ` +
          `results ${JSON.stringify(Object.fromEntries(record.results))}, ` +
          `${record.unknown.length} transfers of unknown outcome settled, ${told.length} holder payments`,
      );

      const exits = await Promise.all(servers.map((server) => server.stop()));
      expect(exits.map(describeExit), servers.map((server) => server.output()).join('\n---\n')).toEqual([
        'code 0',
        'code 0',
      ]);
    },
  );
});

/**
 * The bounds: a database away longer than LEDGER_UNAVAILABLE_AFTER_MS answers 503 (never a hang,
 * never a 500), and the retries with the same ids and Idempotency-Key move the money once; a
 * database that answers but takes no writes (a demoted leader, a standby) is not ready.
 */
describe('a database away longer than the ledger waits, and one that takes no writes', () => {
  let db: TestDatabase;
  let proxy: CuttableProxy;
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
    proxy = await CuttableProxy.start(db.url);
  });
  afterAll(async () => {
    killAllServers();
    await server?.exited;
    await proxy?.close();
    await db?.drop();
  });

  it(
    '503 within the bound while it is away, then the same ids and key answer once; read-only is not ready',
    { timeout: 180_000 },
    async () => {
      server = await startServerProcess({
        databaseUrl: proxy.urlFor(db.url),
        env: { LEDGER_UNAVAILABLE_AFTER_MS: '1500' },
      });
      const url = server.url;
      const books = await openFundedCustomers(url, 2, 10_000n);
      const [payer, payee] = await Promise.all([registerHolder(url), registerHolder(url)]);
      await setHolderPin(url, payer, PIN);
      await fundHolder(url, payer, 10_000n);

      // Away for 6 s: requests made meanwhile are answered 503 SERVICE_UNAVAILABLE, in bounded time.
      const transfer = {
        id: randomUUID(),
        debitAccountId: books.customers[0]!,
        creditAccountId: books.customers[1]!,
        amount: '700',
        currency: 'CNY',
        code: 10,
      };
      const key = randomUUID();
      const pay = () =>
        post(
          url,
          '/v1/me/transfers',
          { toPhone: payee.phone, amount: { amount: '300', currency: 'CNY' }, confirmation: { pin: PIN } },
          { ...payer.headers, 'idempotency-key': key },
        );
      await proxy.cut();
      const startedAt = Date.now();
      const [during, paidDuring] = await Promise.all([submitTransfers(url, [transfer]), pay()]);
      const tookMs = Date.now() - startedAt;
      expect(during.kind === 'answered' && during.status, JSON.stringify(during)).toBe(503);
      const code =
        during.kind === 'answered' ? (JSON.parse(during.body) as { error: { code: string } }).error.code : '';
      expect(code).toBe('SERVICE_UNAVAILABLE');
      expect(paidDuring.status, await paidDuring.clone().text()).toBe(503);
      expect(tookMs).toBeLessThan(5000);
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(503);
      await proxy.restore();

      // Back: the same transfer id is applied once; the same key pays once.
      await expect.poll(async () => (await fetch(`${url}/readyz`)).status).toBe(200);
      const again = await submitTransfers(url, [transfer]);
      expect(again.kind === 'answered' && again.results.map((r) => r.result)).toEqual(['ok']);
      const paid = await pay();
      expect(paid.status, await paid.clone().text()).toBe(201);
      const replayed = await pay();
      expect(replayed.status).toBe(201);
      const balances = await postedBalances(db.pool);
      expect(balances.get(books.customers[1]!)).toBe(10_700n);
      expect(balances.get(payee.walletAccountId)).toBe(300n);

      // A database that answers but takes no writes (a leader demoted under us, a standby).
      const name = new URL(db.url).pathname.slice(1);
      await db.pool.query(`ALTER DATABASE "${name}" SET default_transaction_read_only = on`);
      await db.pool.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name <> 'qianbao-test'`,
      );
      await expect.poll(async () => (await fetch(`${url}/readyz`)).status).toBe(503);
      const body = (await (await fetch(`${url}/readyz`)).json()) as {
        error: { details: { reason: string } };
      };
      expect(['databaseReadOnly', 'databaseUnavailable']).toContain(body.error.details.reason);
      const refused = await submitTransfers(url, [{ ...transfer, id: randomUUID() }]);
      expect(refused.kind === 'answered' && refused.status).toBe(503);
      await db.pool.query(`ALTER DATABASE "${name}" RESET default_transaction_read_only`);
      await expect.poll(async () => (await fetch(`${url}/readyz`)).status, { timeout: 15_000 }).toBe(200);
      const after = await submitTransfers(url, [{ ...transfer, id: randomUUID() }]);
      expect(after.kind === 'answered' && after.results.map((r) => r.result)).toEqual(['ok']);

      await assertBooksBalance(db.pool);
      expect(await alive(server), server.output()).toBe('alive');
      expect(describeExit(await server.stop())).toBe('code 0');
    },
  );
});
