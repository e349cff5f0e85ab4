/**
 * The security module's events (events.ts): each change the holder is told about is appended in
 * the transaction that records it, the inbox writes its notice from the event with the texts
 * messages.ts has always given, and a redelivered event writes nothing twice.
 */
import { randomBytes } from 'node:crypto';
import { newId } from '@qianbao/ledger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxEvent } from '../../outbox/index.ts';
import { registerHolder } from '../identity/testing.ts';
import { SECURITY_EVENTS, SECURITY_NOTICES } from './events.ts';
import {
  passkeyAdded,
  passkeyRemoved,
  passwordFreeLimitChanged,
  paymentsLocked,
  pinSet,
  totpDisabled,
  totpEnabled,
} from './events.ts';
import {
  passkeyAddedNotice,
  passkeyRemovedNotice,
  passwordFreeChangedNotice,
  paymentsLockedNotice,
  pinSetNotice,
  totpDisabledNotice,
  totpEnabledNotice,
} from './messages.ts';
import { SecurityStore } from './store.ts';
import { createSecurityTestApp, holderWithPin, setPin } from './testing.ts';
import type { SecurityTestApp } from './testing.ts';

let subject: SecurityTestApp;

beforeAll(async () => {
  subject = await createSecurityTestApp();
});
afterAll(async () => {
  await subject.close();
});

const USER = '0190f5c2-7b1e-7000-8000-000000000001';
const AT = new Date('2026-12-06T08:00:00Z');

function render(event: ReturnType<typeof pinSet>) {
  const stored: OutboxEvent = { ...event, id: newId() };
  const renderer = SECURITY_NOTICES[event.type];
  expect(renderer, event.type).toBeDefined();
  return renderer!(stored);
}

/** The holder's security notices as stored (by kind): kind, params and both languages' texts. */
async function securityNotices(userId: string) {
  const { rows } = await subject.database.pool.query<{
    kind: string;
    params: object;
    title_zh: string;
    body_zh: string;
    title_en: string;
    body_en: string;
  }>(
    `SELECT kind, params, title_zh, body_zh, title_en, body_en FROM notifications_inbox
      WHERE user_id = $1 AND kind LIKE 'security.%' ORDER BY kind, body_en`,
    [userId],
  );
  return rows;
}

function stored(notice: ReturnType<typeof pinSetNotice>) {
  return {
    kind: notice.kind,
    params: notice.params ?? {},
    title_zh: notice.title['zh-CN'],
    body_zh: notice.body['zh-CN'],
    title_en: notice.title.en,
    body_en: notice.body.en,
  };
}

async function eventsOf(userId: string) {
  const { rows } = await subject.database.pool.query<{ type: string; payload: object }>(
    `SELECT type, payload FROM outbox_events
      WHERE aggregate_type = 'security_holder' AND aggregate_id = $1 ORDER BY xid, id`,
    [userId],
  );
  return rows;
}

describe('security events', () => {
  it('each renders the notice messages.ts gives, to the holder', () => {
    const cases = [
      [pinSet({ userId: USER, changed: false, at: AT }), pinSetNotice({ changed: false })],
      [pinSet({ userId: USER, changed: true, at: AT }), pinSetNotice({ changed: true })],
      [
        passwordFreeLimitChanged({ userId: USER, limitMinor: 12_345n, currency: 'CNY', at: AT }),
        passwordFreeChangedNotice({ limitYuan: '123.45' }),
      ],
      [
        passwordFreeLimitChanged({ userId: USER, limitMinor: 0n, currency: 'CNY', at: AT }),
        passwordFreeChangedNotice({ limitYuan: '0.00' }),
      ],
      [
        passkeyAdded({ userId: USER, passkeyId: newId(), name: '我的手机', at: AT }),
        passkeyAddedNotice({ name: '我的手机' }),
      ],
      [
        passkeyRemoved({ userId: USER, passkeyId: newId(), name: 'Laptop', at: AT }),
        passkeyRemovedNotice({ name: 'Laptop' }),
      ],
      [totpEnabled({ userId: USER, at: AT }), totpEnabledNotice()],
      [
        totpDisabled({ userId: USER, withRecoveryCode: false, at: AT }),
        totpDisabledNotice({ withRecoveryCode: false }),
      ],
      [
        totpDisabled({ userId: USER, withRecoveryCode: true, at: AT }),
        totpDisabledNotice({ withRecoveryCode: true }),
      ],
      [
        paymentsLocked({ userId: USER, failures: 5, lockMs: 3 * 3600 * 1000, lockedUntil: AT, at: AT }),
        paymentsLockedNotice({ failures: 5, lockMinutes: 180 }),
      ],
    ] as const;
    for (const [event, notice] of cases) {
      expect(event).toMatchObject({ aggregateType: 'security_holder', aggregateId: USER, createdAt: AT });
      // Through JSON, as the event is stored and read back.
      const roundTripped = {
        ...event,
        payload: JSON.parse(JSON.stringify(event.payload)) as typeof event.payload,
      };
      expect(render(roundTripped)).toEqual([{ userId: USER, notice }]);
    }
    // Every event type of the module has its notice.
    expect(Object.keys(SECURITY_NOTICES).sort()).toEqual(Object.values(SECURITY_EVENTS).sort());
  });

  it('a change writes its event with it; the notice follows from the event, once', async () => {
    const holder = await holderWithPin(subject, '814703');
    expect((await setPin(subject, holder, '369147')).statusCode).toBe(200);
    const limit = await subject.app.inject({
      method: 'PUT',
      url: '/v1/me/password-free',
      headers: holder.headers,
      payload: { limit: { amount: '10000', currency: 'CNY' }, pin: '369147' },
    });
    expect(limit.statusCode, limit.body).toBe(200);
    // A refused change (wrong PIN) writes no event.
    const refused = await subject.app.inject({
      method: 'PUT',
      url: '/v1/me/password-free',
      headers: holder.headers,
      payload: { limit: { amount: '0', currency: 'CNY' }, pin: '000003' },
    });
    expect(refused.json()).toMatchObject({ error: { code: 'PIN_INCORRECT' } });

    expect(await eventsOf(holder.userId)).toEqual([
      { type: 'security.pin_set', payload: { userId: holder.userId, changed: false } },
      { type: 'security.pin_set', payload: { userId: holder.userId, changed: true } },
      {
        type: 'security.password_free_limit_changed',
        payload: { userId: holder.userId, limit: { amount: '10000', currency: 'CNY' } },
      },
    ]);
    // The service no longer writes the notices itself: a test app runs no dispatchers.
    expect(await securityNotices(holder.userId)).toEqual([]);

    await subject.app.outbox.deliverPending();
    const expected = [
      stored(passwordFreeChangedNotice({ limitYuan: '100.00' })),
      stored(pinSetNotice({ changed: true })), // security.pin_changed
      stored(pinSetNotice({ changed: false })), // security.pin_set
    ];
    expect(await securityNotices(holder.userId)).toEqual(expected);

    // Every event handed over again (a crash before the cursor moved): nothing new.
    await subject.database.pool.query(
      `UPDATE outbox_subscriptions SET last_xid = '0', last_id = '00000000-0000-0000-0000-000000000000'
        WHERE subscriber = 'notifications.inbox'`,
    );
    await subject.app.outbox.deliverPending();
    expect(await securityNotices(holder.userId)).toEqual(expected);
  });

  it('an event commits with its change or not at all, and wakes the dispatchers after the commit', async () => {
    const holder = await registerHolder(subject.app);
    const wakes: string[] = [];
    const store = new SecurityStore(subject.database.pool, null, { wake: () => void wakes.push('wake') });
    await store.ensureHolder({ userId: holder.userId, userHandle: randomBytes(32), now: AT });
    const passkey = (name: string) => ({
      id: newId(),
      userId: holder.userId,
      credentialId: randomBytes(16).toString('base64url'),
      publicKey: randomBytes(77),
      signCount: 0,
      transports: ['internal'],
      deviceType: 'singleDevice' as const,
      backedUp: false,
      aaguid: '00000000-0000-0000-0000-000000000000',
      rpId: 'localhost',
      name,
      createdAt: AT,
    });

    // Rolled back: neither the passkey nor its event, and no wake.
    await expect(
      store.transaction(async (tx) => {
        expect(await tx.insertPasskey(passkey('Rolled back'))).toBe(true);
        expect(wakes).toEqual([]); // not before the commit
        throw new Error('the rest of the change failed');
      }),
    ).rejects.toThrow('the rest of the change failed');
    expect(await store.listPasskeys(holder.userId)).toEqual([]);
    expect(await eventsOf(holder.userId)).toEqual([]);
    expect(wakes).toEqual([]);

    // Committed: both, and one wake after the commit.
    const kept = passkey('Kept');
    await store.transaction(async (tx) => {
      await tx.insertPasskey(kept);
      expect(wakes).toEqual([]);
    });
    expect(wakes).toEqual(['wake']);
    // What was not there makes no event: an unknown passkey, two-step verification that is off.
    expect(await store.deletePasskey({ userId: holder.userId, id: newId(), now: AT })).toBeNull();
    expect(await store.deleteTotp({ userId: holder.userId, withRecoveryCode: false, now: AT })).toBe(false);
    expect(await store.deletePasskey({ userId: holder.userId, id: kept.id, now: AT })).toMatchObject({
      name: 'Kept',
    });
    expect(wakes).toEqual(['wake', 'wake']);
    expect(await eventsOf(holder.userId)).toEqual([
      {
        type: 'security.passkey_added',
        payload: { userId: holder.userId, passkeyId: kept.id, name: 'Kept' },
      },
      {
        type: 'security.passkey_removed',
        payload: { userId: holder.userId, passkeyId: kept.id, name: 'Kept' },
      },
    ]);
  });
});
