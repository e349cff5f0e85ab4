/**
 * The sender's live view of a packet (live.ts): over real HTTP, each claim reaches the sender's
 * open stream once its event is delivered, and nothing of another packet; nobody but the sender
 * may open it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHolder } from '../identity/testing.ts';
import { verifiedHolder } from '../merchants/testing.ts';
import { createSecurityTestApp } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import { readEvents } from '../notifications/testing.ts';
import { PIN, fund } from '../transfers/testing.ts';

let subject: SecurityTestApp;
let url: string;
beforeAll(async () => {
  subject = await createSecurityTestApp();
  url = await subject.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => subject.close());

interface Packet {
  id: string;
  link: string;
}

async function sent(holder: TestHolder, count: number): Promise<Packet> {
  const response = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/red-packets',
    headers: { ...holder.headers, 'idempotency-key': randomUUID() },
    payload: {
      kind: 'group',
      split: 'lucky',
      count,
      amount: { amount: '1000', currency: 'CNY' },
      confirmation: { pin: PIN },
    },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<Packet>();
}

async function claim(holder: TestHolder, packet: Packet): Promise<void> {
  const response = await subject.app.inject({
    method: 'POST',
    url: `/v1/red-packets/${packet.link.split('/').pop()!}/claims`,
    headers: holder.headers,
  });
  expect(response.statusCode, response.body).toBe(201);
}

describe("the sender's live view", () => {
  it('pushes each claim of the packet, the last marked, and nothing of another packet', async () => {
    const sender = await verifiedHolder(subject, '王芳');
    await fund(subject, sender, 1_000_00n);
    const packet = await sent(sender, 2);
    const other = await sent(sender, 1);
    const [b, c, d] = [
      await verifiedHolder(subject, '李明'),
      await verifiedHolder(subject, '张伟'),
      await verifiedHolder(subject, '赵丽'),
    ];

    const { events } = await readEvents(`${url}/v1/me/red-packets/${packet.id}/stream`, sender.headers, {
      timeoutMs: 5000,
      until: (seen) => seen.filter((e) => e.event === 'claim').length >= 2,
      onOpen: async () => {
        await claim(d, other); // another packet: not pushed here
        await claim(b, packet);
        await claim(c, packet);
        // A test app runs no job workers: deliver the events the claims appended.
        await subject.app.outbox.deliverPending();
      },
    });
    const claims = events.filter((e) => e.event === 'claim').map((e) => e.data as Record<string, unknown>);
    expect(claims).toHaveLength(2);
    expect(claims.map((e) => e.claimer)).toEqual(['*明', '*伟']);
    expect(claims.map((e) => e.last)).toEqual([false, true]);
    const total = claims.reduce((sum, e) => sum + Number((e.amount as { amount: string }).amount), 0);
    expect(total).toBe(1000);
  });

  it('is the sender’s only: anyone else is told the packet does not exist', async () => {
    const sender = await verifiedHolder(subject, '王芳');
    await fund(subject, sender, 1_000_00n);
    const packet = await sent(sender, 2);
    const stranger = await verifiedHolder(subject, '李明');
    const response = await fetch(`${url}/v1/me/red-packets/${packet.id}/stream`, {
      headers: stranger.headers,
    });
    expect(response.status).toBe(404);
    expect((await response.json()) as object).toMatchObject({ error: { code: 'RED_PACKET_NOT_FOUND' } });
  });
});
