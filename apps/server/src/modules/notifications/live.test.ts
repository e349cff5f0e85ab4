import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing.ts';
import { registerHolder, type TestHolder } from '../identity/testing.ts';
import { readEvents as readStream } from './testing.ts';

/** Two server instances on one database, both listening on real ports (streams need real HTTP). */
let first: TestApp;
let second: TestApp;
let firstUrl: string;

beforeAll(async () => {
  first = await createTestApp({ streamHeartbeatMs: 200 });
  second = await createTestApp({ database: first.database, streamHeartbeatMs: 200 });
  firstUrl = await first.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await second.close();
  await first.close();
});

/** The holder's notification stream on the first instance, read until `until` or the time runs out. */
function readEvents(holder: TestHolder, options: Parameters<typeof readStream>[2]) {
  return readStream(`${firstUrl}/v1/me/notifications/stream?lang=zh-CN`, holder.headers, options);
}

describe('live notifications', () => {
  it('a notification created on another instance reaches the holder’s open stream, and only theirs', async () => {
    const holder = await registerHolder(first.app);
    const other = await registerHolder(first.app);
    const otherStream = readEvents(other, { timeoutMs: 1500, until: () => false });
    const { events } = await readEvents(holder, {
      timeoutMs: 5000,
      until: (seen) => seen.some((e) => e.event === 'notification'),
      onOpen: async () => {
        await second.app.services.notifications.notify(holder.userId, {
          kind: 'test.hello',
          title: { 'zh-CN': '收到转账', en: 'Money received' },
          body: { 'zh-CN': '¥12.34 来自 *明', en: '¥12.34 from *明' },
        });
      },
    });
    expect(events[0]).toMatchObject({ event: 'ready' });
    expect(events.find((e) => e.event === 'notification')).toMatchObject({
      data: { kind: 'test.hello', title: '收到转账', body: '¥12.34 来自 *明', read: false },
    });
    expect((await otherStream).events.filter((e) => e.event === 'notification')).toEqual([]);
  });

  it('signing out on another instance ends the stream within a heartbeat', async () => {
    const holder = await registerHolder(first.app);
    const started = Date.now();
    const { endedByServer } = await readEvents(holder, {
      timeoutMs: 5000,
      until: () => false,
      onOpen: async () => {
        const logout = await second.app.inject({
          method: 'POST',
          url: '/v1/auth/logout',
          headers: holder.headers,
        });
        expect(logout.statusCode).toBe(204);
      },
    });
    expect(endedByServer).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('refuses a sixth stream of one holder', async () => {
    const holder = await registerHolder(first.app);
    const controllers = Array.from({ length: 5 }, () => new AbortController());
    try {
      const opened = await Promise.all(
        controllers.map((c) =>
          fetch(`${firstUrl}/v1/me/notifications/stream`, { headers: holder.headers, signal: c.signal }),
        ),
      );
      expect(opened.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      const sixth = await fetch(`${firstUrl}/v1/me/notifications/stream`, { headers: holder.headers });
      expect(sixth.status).toBe(429);
    } finally {
      for (const c of controllers) c.abort();
    }
  });
});
