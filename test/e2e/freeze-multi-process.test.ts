/**
 * A freeze stops money at once on every server process (issue 11): the holder freezes the
 * wallet through one `qianbao start` process, and the very next payment, sent to another
 * process on the same database, is refused; after the holder loosens it to receive-only, money
 * still comes in through either process and none goes out. Nothing is cached between the two.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/database.ts';
import type { TestDatabase } from '../support/database.ts';
import { balanceMinor, fundHolder, json, post, registerHolder, setHolderPin } from './holders-http.ts';
import type { HttpHolder } from './holders-http.ts';
import { killAllServers, startServerProcess } from './server-process.ts';
import type { ServerProcess } from './server-process.ts';

const PIN = '258036';

function transfer(url: string, payer: HttpHolder, payee: HttpHolder, amount: string) {
  return post(
    url,
    '/v1/me/transfers',
    { toPhone: payee.phone, amount: { amount, currency: 'CNY' }, confirmation: { pin: PIN } },
    { ...payer.headers, 'idempotency-key': randomUUID() },
  );
}

async function errorCode(response: Response): Promise<string> {
  return (await json<{ error: { code: string } }>(response)).error.code;
}

describe('a freeze on two server processes', () => {
  let db: TestDatabase;
  let servers: ServerProcess[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    killAllServers();
    await Promise.all(servers.map((server) => server.exited));
    await db?.drop();
  });

  it(
    'frozen through one process, refused by the other at once; receive-only lets money in only',
    { timeout: 120_000 },
    async () => {
      servers = await Promise.all([
        startServerProcess({ databaseUrl: db.url }),
        startServerProcess({ databaseUrl: db.url }),
      ]);
      const [a, b] = [servers[0]!.url, servers[1]!.url];
      const holder = await registerHolder(a);
      const friend = await registerHolder(b);
      await setHolderPin(a, holder, PIN);
      await setHolderPin(b, friend, PIN);
      await fundHolder(a, holder, 50_000n);
      await fundHolder(a, friend, 50_000n);

      const before = await transfer(b, holder, friend, '100');
      expect(before.status, await before.clone().text()).toBe(201);

      const frozen = await post(a, '/v1/me/freeze', { mode: 'full' }, holder.headers);
      expect(frozen.status, await frozen.clone().text()).toBe(200);
      const refused = await transfer(b, holder, friend, '100');
      expect(refused.status).toBe(403);
      expect(await errorCode(refused)).toBe('WALLET_FROZEN');
      const cannotReceive = await transfer(b, friend, holder, '100');
      expect(cannotReceive.status).toBe(422);
      expect(await errorCode(cannotReceive)).toBe('PAYEE_WALLET_FROZEN');

      const loosened = await post(b, '/v1/me/freeze', { mode: 'receive_only' }, holder.headers);
      expect(loosened.status, await loosened.clone().text()).toBe(200);
      const incoming = await transfer(a, friend, holder, '300');
      expect(incoming.status, await incoming.clone().text()).toBe(201);
      const outgoing = await transfer(a, holder, friend, '100');
      expect(await errorCode(outgoing)).toBe('WALLET_FROZEN');

      expect(await balanceMinor(b, holder)).toBe(50_000n - 100n + 300n);
      expect(await balanceMinor(a, friend)).toBe(50_000n + 100n - 300n);
    },
  );
});
