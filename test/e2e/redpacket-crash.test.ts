/**
 * Red packets (modules/redpackets) under crashes. A real `qianbao start` process is SIGKILLed at
 * each crash point (crash-gate.ts), then started again:
 *
 *   (a) sending: after the packet's row (`funding`), before its money reached the ledger — the
 *       retry with the same Idempotency-Key makes the packet once and moves the money once;
 *   (b) claiming: after the share was drawn (the claim `pending`, the packet's remainder taken),
 *       before its ledger transfer — the claimer trying again is told it claimed already, with
 *       its share, and is credited exactly once; nobody else can take that share.
 *
 * After each: the sender's escrow holds exactly what the packet still owes, the books balance.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../apps/server/src/testing.ts';
import { TestClock } from '../../apps/server/src/modules/identity/testing.ts';
import type { TestHolder } from '../../apps/server/src/modules/identity/testing.ts';
import { holderWithPin } from '../../apps/server/src/modules/security/testing.ts';
import { fund, verifyRealName } from '../../apps/server/src/modules/transfers/testing.ts';
import { redPacketPaymentId } from '../../apps/server/src/modules/redpackets/index.ts';
import { TransferCodes } from '../../apps/server/src/platform/codes.ts';
import { createTestDatabase } from '../support/database.ts';
import type { TestDatabase } from '../support/database.ts';
import { assertBooksBalance } from './ledger-http.ts';
import {
  CRASH_TEST_ENV,
  ageInFlightKeys,
  callServer,
  countLedgerTransfers,
  crashAndRestart,
} from './crash-harness.ts';
import type { CrashPoint } from './crash-gate.ts';
import { freePort, killAllServers, startServerProcess } from './server-process.ts';
import type { ServerProcess } from './server-process.ts';

const PIN = '258036';
const GATE_LOCK = 939_393;

let db: TestDatabase;
let server: ServerProcess;
let port: number;
let sender: TestHolder;
const claimers: TestHolder[] = [];

function call(
  headers: Record<string, string>,
  method: string,
  path: string,
  body?: unknown,
  key?: string,
): Promise<{ status: number; body: string }> {
  return callServer(server, headers, method, path, body, key);
}

/** A lucky packet of `count` shares, `fen` in all. */
function send(key: string, fen: string, count: number) {
  return call(
    sender.headers,
    'POST',
    '/v1/me/red-packets',
    {
      kind: 'group',
      split: 'lucky',
      count,
      amount: { amount: fen, currency: 'CNY' },
      confirmation: { pin: PIN },
    },
    key,
  );
}

function claim(holder: TestHolder, token: string) {
  return call(holder.headers, 'POST', `/v1/red-packets/${token}/claims`, {});
}

function ledgerTransfers(where: string, params: unknown[]): Promise<number> {
  return countLedgerTransfers(db.pool, where, params);
}

async function balance(holder: TestHolder): Promise<string> {
  const answer = await call(holder.headers, 'GET', '/v1/me/balance');
  return (JSON.parse(answer.body) as { balance: { amount: string } }).balance.amount;
}

/** The escrow's posted balance against what the sender's open packets still owe. */
async function escrowMatchesPackets(): Promise<void> {
  const { rows } = await db.pool.query<{ escrow: string; owed: string }>(
    `SELECT
       (SELECT coalesce(sum(credits_posted - debits_posted), 0)::text FROM ledger_accounts
         WHERE id IN (SELECT DISTINCT escrow_account_id FROM redpackets_packets WHERE sender_user_id = $1)) AS escrow,
       ((SELECT coalesce(sum(remaining_minor), 0) FROM redpackets_packets
          WHERE sender_user_id = $1 AND status IN ('open', 'finished'))
        + (SELECT coalesce(sum(c.amount_minor), 0) FROM redpackets_claims c
            JOIN redpackets_packets p ON p.id = c.packet_id
           WHERE p.sender_user_id = $1 AND c.status = 'pending'))::text AS owed`,
    [sender.userId],
  );
  expect(rows[0]!.escrow).toBe(rows[0]!.owed);
}

function ageKeys(): Promise<void> {
  return ageInFlightKeys(db.pool);
}

async function crashAt(point: CrashPoint): Promise<void> {
  server = await crashAndRestart(db, server, port, GATE_LOCK, point);
}

beforeAll(async () => {
  db = await createTestDatabase();
  const clock = new TestClock();
  const setup = await createTestApp({ database: db, now: clock.now, env: CRASH_TEST_ENV });
  const subject = { ...setup, clock, logs: [] as string[] };
  try {
    sender = await holderWithPin(subject, PIN);
    await verifyRealName(subject, sender, '王芳');
    await fund(subject, sender, 10_000_00n);
    for (let i = 0; i < 3; i++) {
      const claimer = await holderWithPin(subject, PIN);
      await verifyRealName(subject, claimer, '李明');
      claimers.push(claimer);
    }
  } finally {
    await setup.close();
  }
  port = await freePort();
  server = await startServerProcess({ databaseUrl: db.url, port, env: CRASH_TEST_ENV });
}, 180_000);

afterAll(async () => {
  killAllServers();
  await server?.exited;
  await db?.drop();
});

describe('red packets survive a SIGKILL at each crash point', () => {
  it(
    '(a) sending, after the packet row, before the money: the retry makes it once',
    { timeout: 120_000 },
    async () => {
      const key = randomUUID();
      const packetId = redPacketPaymentId(sender.userId, key);
      const before = await balance(sender);
      await crashAt({
        gate: { table: 'ledger_transfers', event: 'INSERT', when: `NEW.id = '${packetId}'` },
        stuck: '%COPY ledger_transfers%',
        act: () => send(key, '1000', 2),
        reached: async () =>
          (await db.pool.query('SELECT 1 FROM redpackets_packets WHERE id = $1', [packetId])).rows.length ===
          1,
        whileDown: async () => {
          const { rows } = await db.pool.query<{ status: string }>(
            'SELECT status FROM redpackets_packets WHERE id = $1',
            [packetId],
          );
          expect(rows[0]?.status).toBe('funding');
          expect(await ledgerTransfers('id = $1', [packetId])).toBe(0);
        },
      });
      await ageKeys();
      const retried = await send(key, '1000', 2);
      expect(retried.status, retried.body).toBe(201);
      expect(JSON.parse(retried.body)).toMatchObject({ id: packetId });
      expect(await ledgerTransfers('id = $1', [packetId])).toBe(1);
      expect(Number(await balance(sender))).toBe(Number(before) - 1000);
      // Claimable, once per holder.
      const token = (JSON.parse(retried.body) as { link: string }).link.split('/').pop()!;
      expect((await claim(claimers[0]!, token)).status).toBe(201);
      await escrowMatchesPackets();
      await assertBooksBalance(db.pool);
    },
  );

  it(
    '(b) claiming, after the draw, before the transfer: the claimer is credited once, nobody else takes it',
    { timeout: 120_000 },
    async () => {
      const sent = await send(randomUUID(), '500', 2);
      expect(sent.status, sent.body).toBe(201);
      const packet = JSON.parse(sent.body) as { id: string; link: string };
      const token = packet.link.split('/').pop()!;
      const [first, second, third] = claimers as [TestHolder, TestHolder, TestHolder];
      const before = await balance(first);
      await crashAt({
        gate: {
          table: 'ledger_transfers',
          event: 'INSERT',
          when: `NEW.code = ${TransferCodes.redPacketClaim} AND NEW.credit_account_id = '${first.walletAccountId}'`,
        },
        stuck: '%COPY ledger_transfers%',
        act: () => claim(first, token),
        reached: async () =>
          (
            await db.pool.query(
              `SELECT 1 FROM redpackets_claims WHERE packet_id = $1 AND claimer_user_id = $2 AND status = 'pending'`,
              [packet.id, first.userId],
            )
          ).rows.length === 1,
        whileDown: async () => {
          const { rows } = await db.pool.query<{ remaining_count: number }>(
            'SELECT remaining_count FROM redpackets_packets WHERE id = $1',
            [packet.id],
          );
          expect(rows[0]?.remaining_count).toBe(1);
          expect(
            await ledgerTransfers('code = $1 AND credit_account_id = $2', [
              TransferCodes.redPacketClaim,
              first.walletAccountId,
            ]),
          ).toBe(1); // only packet (a)'s share: this one's never reached the ledger
        },
      });
      // The other share is still there for someone else; this one is nobody else's.
      expect((await claim(second, token)).status).toBe(201);
      const late = await claim(third, token);
      expect(JSON.parse(late.body)).toMatchObject({ error: { code: 'RED_PACKET_EMPTY' } });
      // The claimer tries again: told it claimed already, with its share — credited once.
      const again = await claim(first, token);
      const body = JSON.parse(again.body) as {
        error: { code: string; details: { amount: { amount: string } } };
      };
      expect(body.error.code).toBe('RED_PACKET_ALREADY_CLAIMED');
      const share = Number(body.error.details.amount.amount);
      expect(Number(await balance(first))).toBe(Number(before) + share);
      expect(
        await ledgerTransfers('code = $1 AND credit_account_id = $2 AND user_data LIKE $3', [
          TransferCodes.redPacketClaim,
          first.walletAccountId,
          'red-packet-claim:%',
        ]),
      ).toBe(2); // this packet's share and packet (a)'s
      expect((await claim(first, token)).status).toBe(409);
      expect(Number(await balance(first))).toBe(Number(before) + share);
      await escrowMatchesPackets();
      await assertBooksBalance(db.pool);
    },
  );
});
