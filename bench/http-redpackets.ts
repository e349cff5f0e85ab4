/**
 * Claims on one hot red packet over HTTP (issue 13: "claims per second on one hot packet with 100
 * shares and 10,000 claimers"): `npx qianbao bench http-redpackets [--claimers 10000]
 * [--shares 100] [--concurrency 64] [--packets 3] [--risk on|off]`.
 *
 * A real server process on a fresh database. A sender (PIN set, funded through the ledger API)
 * sends a lucky packet of `shares` shares, ¥1 a share on average; `claimers` holders, registered
 * through the API, each claim it once, `concurrency` at a time — the first `shares` claims get a
 * share (drawn under the packet's row lock, credited at once from the sender's escrow), the rest
 * are told RED_PACKET_EMPTY. Repeated for `packets` packets, the same claimers. Printed per
 * packet: attempts a second over all claimers, the time until the packet was empty, latencies of
 * the claims that got a share and of those told it was gone, CPU per attempt, and the check that
 * the packet paid out exactly its total in exactly `shares` claims. Figures, not a test.
 */
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  cpuSeconds,
  databaseServer,
  fmt,
  freshBenchDatabase,
  machineLine,
  percentile,
  positive,
  postgresCpu,
  postgresCpuSince,
} from './support.ts';
import {
  PIN,
  call,
  failureOf,
  freePort,
  fund,
  latestCode,
  mapBounded,
  post,
  registerHolder,
  startQianbao,
  stop,
} from './http-transfers.ts';

const DATABASE = 'qianbao_bench_redpackets';
const PASSWORD = 'Bench-password-1';

interface Claimer {
  phone: string;
  token: string;
}

interface PacketJson {
  id: string;
  link: string | null;
  claims: { amount: { amount: string } }[] | null;
  total: { amount: string };
}

export default async function run(args: readonly string[] = []): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      claimers: { type: 'string', default: '10000' },
      shares: { type: 'string', default: '100' },
      concurrency: { type: 'string', default: '64' },
      packets: { type: 'string', default: '3' },
      risk: { type: 'string', default: 'on' },
    },
  });
  if (!['on', 'off'].includes(values.risk)) throw new Error('--risk is on or off');
  const claimerCount = positive(values.claimers, 'claimers');
  const shares = positive(values.shares, 'shares');
  const clients = positive(values.concurrency, 'concurrency');
  const packets = positive(values.packets, 'packets');

  const server = await databaseServer();
  let child: ChildProcess | undefined;
  try {
    const databaseUrl = await freshBenchDatabase(server.url, DATABASE);
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    child = await startQianbao(databaseUrl, port, values.risk as 'on' | 'off');
    console.log(
      `${machineLine()}; ` +
        `${claimerCount} claimers, ${shares} shares a packet, ${clients} concurrent clients, ` +
        `${packets} packets; risk engine ${values.risk}`,
    );

    const setupStartedAt = performance.now();
    const sender = await registerHolder(baseUrl, '13500000000');
    await fund(baseUrl, [sender]);
    const claimers = await mapBounded(
      Array.from({ length: claimerCount }, (_, i) => i),
      16,
      (i) => registerClaimer(baseUrl, `138${String(10_000_000 + i).slice(-8)}`),
    );
    console.log(
      `setup: ${claimers.length} claimers registered in ${((performance.now() - setupStartedAt) / 1000).toFixed(1)} s`,
    );

    console.log(
      '\npacket  attempts/s  empty after s  got a share: p50 / p99 ms  told empty: p50 / p99 ms  CPU per attempt server / PG ms',
    );
    for (let round = 1; round <= packets; round++) {
      const packet = await call<PacketJson>(
        baseUrl,
        'POST',
        '/v1/me/red-packets',
        {
          kind: 'group',
          split: 'lucky',
          count: shares,
          amount: { amount: String(shares * 100), currency: 'CNY' },
          greeting: `第 ${round} 个`,
          confirmation: { pin: PIN },
        },
        sender.token,
        { 'idempotency-key': randomUUID() },
      );
      const ref = new URL(packet.link!, baseUrl).pathname.split('/').pop()!;
      const result = await claimAll(baseUrl, ref, claimers, clients, child.pid!);
      const after = await call<PacketJson>(
        baseUrl,
        'GET',
        `/v1/me/red-packets/${packet.id}`,
        undefined,
        sender.token,
      );
      const paid = (after.claims ?? []).reduce((sum, claim) => sum + BigInt(claim.amount.amount), 0n);
      const exact = (after.claims ?? []).length === shares && paid === BigInt(packet.total.amount);
      const per = (cpu: number) => ((cpu / claimers.length) * 1000).toFixed(2);
      console.log(
        `${String(round).padStart(6)}  ${fmt(result.attemptsPerSecond, 10)}  ${result.emptyAfter.toFixed(2).padStart(13)}  ` +
          `${percentile(result.won, 0.5).toFixed(1).padStart(13)} / ${percentile(result.won, 0.99).toFixed(1).padEnd(9)}  ` +
          `${percentile(result.lost, 0.5).toFixed(1).padStart(12)} / ${percentile(result.lost, 0.99).toFixed(1).padEnd(9)}  ` +
          `${per(result.cpu.server)} / ${per(result.cpu.database)}`,
      );
      if (!exact || result.won.length !== shares) {
        throw new Error(
          `packet ${round}: ${result.won.length} claims got a share, ${(after.claims ?? []).length} recorded, ` +
            `${paid} of ${packet.total.amount} paid`,
        );
      }
      if (result.failures.size > 1 || !result.failures.has('RED_PACKET_EMPTY'))
        console.log(`  refused: ${JSON.stringify(Object.fromEntries(result.failures))}`);
    }
    console.log(`each packet: exactly ${shares} shares paid, summing to its total (checked)`);
  } finally {
    if (child) await stop(child);
    await server.stop();
  }
}

/** A holder who only claims: registered, nothing else (no PIN needed to receive). */
async function registerClaimer(baseUrl: string, phone: string): Promise<Claimer> {
  await call(baseUrl, 'POST', '/v1/auth/sms-codes', { phone, purpose: 'register' });
  const code = await latestCode(baseUrl, phone);
  const registered = await call<{ token: string }>(baseUrl, 'POST', '/v1/auth/register', {
    phone,
    code,
    password: PASSWORD,
    deviceId: `bench-${phone}`,
  });
  return { phone, token: registered.token };
}

/** Every claimer claims once, `clients` at a time, in a random order. */
async function claimAll(
  baseUrl: string,
  ref: string,
  claimers: readonly Claimer[],
  clients: number,
  serverPid: number,
): Promise<{
  attemptsPerSecond: number;
  emptyAfter: number;
  won: number[];
  lost: number[];
  failures: Map<string, number>;
  cpu: { server: number; database: number };
}> {
  const order = [...claimers].sort(() => Math.random() - 0.5);
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const won: number[] = [];
  const lost: number[] = [];
  const failures = new Map<string, number>();
  let next = 0;
  let lastWin = 0;
  const serverBefore = cpuSeconds([serverPid]);
  const databaseBefore = postgresCpu();
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < order.length) {
        const claimer = order[next++]!;
        const sent = performance.now();
        const response = await post(agent, `${baseUrl}/v1/red-packets/${ref}/claims`, {
          authorization: `Bearer ${claimer.token}`,
          'idempotency-key': randomUUID(),
          body: '{}',
        });
        const took = performance.now() - sent;
        if (response.status === 201) {
          won.push(took);
          lastWin = performance.now();
        } else {
          lost.push(took);
          const code = failureOf(response);
          failures.set(code, (failures.get(code) ?? 0) + 1);
        }
      }
    }),
  );
  const elapsed = (performance.now() - startedAt) / 1000;
  agent.destroy();
  won.sort((a, b) => a - b);
  lost.sort((a, b) => a - b);
  return {
    attemptsPerSecond: order.length / elapsed,
    emptyAfter: (lastWin - startedAt) / 1000,
    won,
    lost,
    failures,
    cpu: { server: cpuSeconds([serverPid]) - serverBefore, database: postgresCpuSince(databaseBefore) },
  };
}
