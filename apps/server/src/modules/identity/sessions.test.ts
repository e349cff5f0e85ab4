import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../testing.ts';
import type { TestApp } from '../../testing.ts';
import { TestClock, bearer, loginWithPassword, registerHolder } from './testing.ts';

interface SessionJson {
  id: string;
  deviceId: string;
  deviceName: string | null;
  place: string;
  ipAddress: string | null;
  userAgent: string | null;
  lastUsedAt: string;
  createdAt: string;
  current: boolean;
}

describe('sessions', () => {
  const clock = new TestClock();
  let subject: TestApp;
  beforeAll(async () => {
    subject = await createTestApp({ now: clock.now });
  });
  afterAll(async () => {
    await subject.close();
  });

  function me(headers: Record<string, string>) {
    return subject.app.inject({ method: 'GET', url: '/v1/me', headers });
  }
  async function signIn(holder: { phone: string; password: string; deviceId: string }): Promise<string> {
    const response = await loginWithPassword(subject.app, holder);
    expect(response.statusCode).toBe(200);
    return response.json<{ token: string }>().token;
  }

  it('accept the bearer token or the cookie, and refuse anything else with 401 UNAUTHORIZED', async () => {
    const holder = await registerHolder(subject.app);
    const viaBearer = await me(holder.headers);
    expect(viaBearer.statusCode).toBe(200);
    expect(viaBearer.json()).toEqual({
      id: holder.userId,
      phone: `${holder.phone.slice(0, 3)}****${holder.phone.slice(7)}`,
      walletAccountId: holder.walletAccountId,
      realNameVerified: false,
      createdAt: expect.any(String) as string,
    });
    expect((await me({ cookie: `qb_session=${holder.token}` })).statusCode).toBe(200);
    const refusedHeaders: Record<string, string>[] = [
      {},
      bearer('x'.repeat(43)),
      bearer('short'),
      { cookie: 'qb_session=nope' },
    ];
    for (const headers of refusedHeaders) {
      const refused = await me(headers);
      expect(refused.statusCode).toBe(401);
      expect(refused.headers['www-authenticate']).toBe('Bearer');
      expect(refused.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    }
  });

  it('end at sign-out: the same token is refused on the very next request', async () => {
    const holder = await registerHolder(subject.app);
    const logout = await subject.app.inject({
      method: 'POST',
      url: '/v1/auth/logout',
      headers: holder.headers,
    });
    expect(logout.statusCode).toBe(204);
    expect(String(logout.headers['set-cookie'])).toMatch(/qb_session=;.*Expires=Thu, 01 Jan 1970/);
    expect((await me(holder.headers)).json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    // Signing out again is harmless.
    expect(
      (await subject.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: holder.headers }))
        .statusCode,
    ).toBe(204);
  });

  it('sign out of all devices ends every session of the holder and no one else’s', async () => {
    const holder = await registerHolder(subject.app);
    const other = await registerHolder(subject.app);
    const second = await signIn(holder);
    const response = await subject.app.inject({
      method: 'POST',
      url: '/v1/auth/logout-all',
      headers: bearer(second),
    });
    expect(response.statusCode).toBe(204);
    expect((await me(holder.headers)).statusCode).toBe(401);
    expect((await me(bearer(second))).statusCode).toBe(401);
    expect((await me(other.headers)).statusCode).toBe(200);
  });

  it('end after 30 minutes idle, stay alive while used, and expire with SESSION_EXPIRED', async () => {
    const holder = await registerHolder(subject.app);
    const idle = await signIn(holder);
    clock.advance(20 * 60);
    expect((await me(holder.headers)).statusCode).toBe(200); // the holder's token is used …
    clock.advance(20 * 60);
    expect((await me(holder.headers)).statusCode).toBe(200); // … so it lives on,
    const expired = await me(bearer(idle)); // while the other one sat idle for 40 minutes.
    expect(expired.statusCode).toBe(401);
    expect(expired.headers['www-authenticate']).toBe('Bearer');
    expect(expired.json()).toMatchObject({ error: { code: 'SESSION_EXPIRED', details: { reason: 'idle' } } });
  });

  it('end 7 days after sign-in however busy', async () => {
    const holder = await registerHolder(subject.app);
    for (let hours = 0; hours < 7 * 24; hours += 0.4) {
      clock.advance(0.4 * 3600);
      if ((await me(holder.headers)).statusCode !== 200) break;
    }
    const expired = await me(holder.headers);
    expect(expired.json()).toMatchObject({
      error: { code: 'SESSION_EXPIRED', details: { reason: 'maxAge' } },
    });
  });

  it('record activity at most once a minute', async () => {
    const holder = await registerHolder(subject.app);
    const lastSeen = async () =>
      (
        await subject.database.pool.query<{ last_seen_at: Date }>(
          'SELECT last_seen_at FROM identity_sessions WHERE user_id = $1',
          [holder.userId],
        )
      ).rows[0]!.last_seen_at.getTime();
    const created = await lastSeen();
    clock.advance(30);
    await me(holder.headers);
    expect(await lastSeen()).toBe(created);
    clock.advance(31);
    await me(holder.headers);
    expect(await lastSeen()).toBeGreaterThan(created + 60_000);
  });

  it('are listed with device, place and times, the current one marked', async () => {
    const holder = await registerHolder(subject.app, { ip: '192.168.1.20' });
    const second = await loginWithPassword(subject.app, { ...holder, ip: '127.0.0.1' });
    const secondToken = second.json<{ token: string }>().token;
    await subject.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(secondToken) });
    await loginWithPassword(subject.app, { ...holder, ip: '203.0.113.9' });
    const response = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/sessions',
      headers: { ...holder.headers, 'user-agent': 'Mozilla/5.0 Test' },
    });
    expect(response.statusCode).toBe(200);
    const sessions = response.json<{ sessions: SessionJson[] }>().sessions;
    expect(sessions).toHaveLength(2); // the signed-out one is gone
    const current = sessions.find((session) => session.current)!;
    expect(current).toMatchObject({
      deviceId: holder.deviceId,
      deviceName: 'Test phone',
      ipAddress: '192.168.1.20',
      place: 'Local network',
    });
    expect(sessions.find((session) => !session.current)).toMatchObject({ place: '203.0.113.9' });
    expect(Date.parse(current.lastUsedAt)).toBeGreaterThanOrEqual(Date.parse(current.createdAt));
  });

  it('can be ended one by one; another holder’s session id is 404 and stays untouched', async () => {
    const holder = await registerHolder(subject.app);
    const other = await registerHolder(subject.app);
    const second = await signIn(holder);
    const list = await subject.app.inject({ method: 'GET', url: '/v1/me/sessions', headers: bearer(second) });
    const secondId = list.json<{ sessions: SessionJson[] }>().sessions.find((session) => session.current)!.id;
    const otherList = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/sessions',
      headers: other.headers,
    });
    const otherId = otherList.json<{ sessions: SessionJson[] }>().sessions[0]!.id;

    const foreign = await subject.app.inject({
      method: 'DELETE',
      url: `/v1/me/sessions/${otherId}`,
      headers: holder.headers,
    });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'No such session.', details: {} },
    });
    expect((await me(other.headers)).statusCode).toBe(200);
    for (const id of ['not-a-uuid', '0192f0c4-8f3a-7b2c-9d1e-0242ac120002']) {
      const missing = await subject.app.inject({
        method: 'DELETE',
        url: `/v1/me/sessions/${id}`,
        headers: holder.headers,
      });
      expect(missing.statusCode).toBe(404);
    }

    const ended = await subject.app.inject({
      method: 'DELETE',
      url: `/v1/me/sessions/${secondId}`,
      headers: holder.headers,
    });
    expect(ended.statusCode).toBe(204);
    expect((await me(bearer(second))).statusCode).toBe(401);
    expect((await me(holder.headers)).statusCode).toBe(200);
  });
});

describe('sign-out across server instances', () => {
  it('takes effect at once on every instance sharing the database', async () => {
    const first = await createTestApp();
    const second = await createTestApp({ database: first.database });
    try {
      const holder = await registerHolder(first.app);
      expect(
        (await second.app.inject({ method: 'GET', url: '/v1/me', headers: holder.headers })).statusCode,
      ).toBe(200);
      const logout = await first.app.inject({
        method: 'POST',
        url: '/v1/auth/logout',
        headers: holder.headers,
      });
      expect(logout.statusCode).toBe(204);
      const refused = await second.app.inject({ method: 'GET', url: '/v1/me', headers: holder.headers });
      expect(refused.statusCode).toBe(401);
      expect(refused.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    } finally {
      await second.close();
      await first.close();
    }
  });
});
