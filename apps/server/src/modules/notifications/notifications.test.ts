import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../testing.ts';
import type { TestApp } from '../../testing.ts';
import { TestClock, registerHolder } from '../identity/testing.ts';
import type { TestHolder } from '../identity/testing.ts';

interface Page {
  notifications: {
    id: string;
    kind: string;
    params: Record<string, unknown>;
    title: string;
    body: string;
    locale: string;
    read: boolean;
    readAt: string | null;
  }[];
  nextCursor: string | null;
  unreadCount: number;
}

describe('notifications inbox', () => {
  const clock = new TestClock();
  let subject: TestApp;
  let holder: TestHolder;
  let other: TestHolder;
  beforeAll(async () => {
    subject = await createTestApp({ now: clock.now });
    holder = await registerHolder(subject.app);
    other = await registerHolder(subject.app);
    for (let index = 1; index <= 5; index++) {
      clock.advance(1);
      await subject.app.services.notifications.notify(holder.userId, {
        kind: 'test.message',
        params: { index },
        title: { 'zh-CN': `消息 ${index}`, en: `Message ${index}` },
        body: { 'zh-CN': `正文 ${index}`, en: `Body ${index}` },
      });
    }
  });
  afterAll(async () => {
    await subject.close();
  });

  function get(url: string, headers: Record<string, string> = holder.headers) {
    return subject.app.inject({ method: 'GET', url, headers });
  }

  it('lists newest first in pages, in the language asked for', async () => {
    const first = await get('/v1/me/notifications?limit=2');
    expect(first.statusCode).toBe(200);
    const page1 = first.json<Page>();
    expect(page1.notifications.map((n) => n.title)).toEqual(['消息 5', '消息 4']);
    expect(page1.notifications[0]).toMatchObject({
      kind: 'test.message',
      params: { index: 5 },
      locale: 'zh-CN',
      read: false,
    });
    expect(page1.unreadCount).toBe(5);
    const page2 = (await get(`/v1/me/notifications?limit=2&cursor=${page1.nextCursor}`)).json<Page>();
    expect(page2.notifications.map((n) => n.body)).toEqual(['正文 3', '正文 2']);
    const page3 = (await get(`/v1/me/notifications?limit=2&cursor=${page2.nextCursor}`)).json<Page>();
    expect(page3.notifications).toHaveLength(1);
    expect(page3.nextCursor).toBeNull();

    const english = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/notifications?limit=1',
      headers: { ...holder.headers, 'accept-language': 'en-GB,en;q=0.9' },
    });
    expect(english.json<Page>().notifications[0]).toMatchObject({ title: 'Message 5', locale: 'en' });
    expect((await get('/v1/me/notifications?cursor=garbage')).statusCode).toBe(400);
  });

  it('marks one or all read, and never touches another holder’s', async () => {
    const page = (await get('/v1/me/notifications?limit=1')).json<Page>();
    const id = page.notifications[0]!.id;
    const foreign = await subject.app.inject({
      method: 'POST',
      url: `/v1/me/notifications/${id}/read`,
      headers: other.headers,
    });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const read = await subject.app.inject({
      method: 'POST',
      url: `/v1/me/notifications/${id}/read`,
      headers: holder.headers,
    });
    expect(read.statusCode).toBe(204);
    expect((await get('/v1/me/notifications/unread-count')).json()).toEqual({ unreadCount: 4 });
    const again = (await get('/v1/me/notifications?limit=1')).json<Page>();
    expect(again.notifications[0]).toMatchObject({ read: true, readAt: expect.any(String) as string });

    const all = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/notifications/read-all',
      headers: holder.headers,
    });
    expect(all.json()).toEqual({ marked: 4 });
    expect((await get('/v1/me/notifications/unread-count')).json()).toEqual({ unreadCount: 0 });
    expect((await get('/v1/me/notifications', other.headers)).json<Page>().notifications).toEqual([]);
  });

  it('needs a session', async () => {
    const response = await subject.app.inject({ method: 'GET', url: '/v1/me/notifications' });
    expect(response.statusCode).toBe(401);
  });

  it('refuses a malformed kind (a programmer error)', async () => {
    await expect(
      subject.app.services.notifications.notify(holder.userId, {
        kind: 'Not A Kind',
        title: { 'zh-CN': 'x', en: 'x' },
        body: { 'zh-CN': 'x', en: 'x' },
      }),
    ).rejects.toThrow('invalid notification kind');
  });
});
