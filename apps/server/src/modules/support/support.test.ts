import { randomUUID } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, testConfig } from '../../testing.ts';
import type { TestApp } from '../../testing.ts';
import { registerHolder } from '../identity/testing.ts';
import type { TestHolder } from '../identity/testing.ts';
import { readEvents } from '../notifications/testing.ts';
import { SupportService } from './service.ts';
import { SupportStore } from './store.ts';
import { JPEG, PDF, PNG, SettableClock, multipart, operatorSession } from './testing.ts';
import { withAuditRefused } from '../operator/testing.ts';

/** 11:00 in Shanghai: within the default service hours (09–21). */
const DAYTIME = new Date('2026-12-07T03:00:00Z');
/** 22:30 in Shanghai: live chat is closed. */
const NIGHT = new Date('2026-12-07T14:30:00Z');

const clock = new SettableClock();
let subject: TestApp;
let url: string;
let agent: Awaited<ReturnType<typeof operatorSession>>;
let agent2: Awaited<ReturnType<typeof operatorSession>>;
let operators = 0;

beforeAll(async () => {
  clock.set(DAYTIME);
  subject = await createTestApp({ now: clock.now, streamHeartbeatMs: 200 });
  url = await subject.app.listen({ host: '127.0.0.1', port: 0 });
  agent = await operatorSession(subject.app, 'support', 'kefu.wang', clock.now);
  agent2 = await operatorSession(subject.app, 'support', 'kefu.li', clock.now);
  // Operators are listed as support agents (assignable) on their first support request.
  for (const who of [agent, agent2])
    await subject.app.inject({ method: 'GET', url: '/v1/operator/support/agents', headers: who.headers });
});
afterAll(async () => subject.close());

/** The service as other modules get it (app.ts passes `support.service` to them). */
function supportService(): SupportService {
  return new SupportService({
    store: new SupportStore(subject.database.pool),
    settings: testConfig().modules.support,
    history: subject.app.services.history,
    notifications: subject.app.services.notifications,
    live: { publish: () => Promise.resolve(), subscribe: () => Promise.resolve(null) },
    now: clock.now,
    log: { warn: () => {} },
  });
}

const inject = (options: InjectOptions) => subject.app.inject(options);

async function upload(holder: TestHolder, file: { type: string; name: string; content: Buffer }) {
  const body = multipart([{ field: 'file', ...file }]);
  return inject({
    method: 'POST',
    url: '/v1/me/support/attachments',
    headers: { ...holder.headers, 'content-type': body.contentType },
    payload: body.payload,
  });
}

function openTicket(
  holder: TestHolder,
  payload: Record<string, unknown> = { topic: 'payment', text: '付款失败了' },
  key: string = randomUUID(),
) {
  return inject({
    method: 'POST',
    url: '/v1/me/support/tickets',
    headers: { ...holder.headers, 'idempotency-key': key },
    payload,
  });
}

function answer(
  operator: { headers: Record<string, string> },
  ticketId: string,
  payload: Record<string, unknown>,
) {
  return inject({
    method: 'POST',
    url: `/v1/operator/support/tickets/${ticketId}/messages`,
    headers: { ...operator.headers, 'idempotency-key': randomUUID() },
    payload,
  });
}

const op = (operator: { headers: Record<string, string> }, path: string, payload?: Record<string, unknown>) =>
  inject({
    method: 'POST',
    url: `/v1/operator/support/tickets/${path}`,
    headers: operator.headers,
    ...(payload ? { payload } : {}),
  });

async function newAgent() {
  operators++;
  return operatorSession(subject.app, 'support', `kefu.n${operators}`, clock.now);
}

async function auditActions(): Promise<{ action: string; target: string; operator_id: string }[]> {
  const { rows } = await subject.database.pool.query<{ action: string; target: string; operator_id: string }>(
    `SELECT action, target, operator_id FROM operator_audit_log WHERE action LIKE 'support.%'`,
  );
  return rows;
}

describe('a ticket from opening to rating', () => {
  it('holder opens with an attachment, an operator answers from a template, resolves; the holder rates once', async () => {
    const holder = await registerHolder(subject.app);
    const uploaded = await upload(holder, { type: 'image/png', name: '截图.png', content: PNG });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    const attachment = uploaded.json<{ id: string; contentType: string; fileName: string }>();
    expect(attachment).toMatchObject({ contentType: 'image/png', fileName: '截图.png' });

    const opened = await openTicket(holder, {
      topic: 'payment',
      text: '  扫码付款失败，但是钱扣了  ',
      attachmentIds: [attachment.id],
    });
    expect(opened.statusCode, opened.body).toBe(201);
    const { ticket, messages } = opened.json<{
      ticket: { id: string; status: string; number: string };
      messages: { body: string; attachments: { id: string }[] }[];
    }>();
    expect(ticket).toMatchObject({ status: 'open', channel: 'ticket', chatState: null, assignee: null });
    expect(messages).toEqual([
      expect.objectContaining({ author: 'holder', body: '扫码付款失败，但是钱扣了' }),
    ]);
    expect(messages[0]!.attachments.map((a) => a.id)).toEqual([attachment.id]);

    // The queue shows it; the operator opens the attachment (audited).
    const queue = await inject({
      method: 'GET',
      url: '/v1/operator/support/tickets?assignee=none',
      headers: agent.headers,
    });
    expect(queue.statusCode, queue.body).toBe(200);
    expect(queue.json<{ tickets: { id: string; userId: string }[] }>().tickets).toContainEqual(
      expect.objectContaining({ id: ticket.id, userId: holder.userId }),
    );
    const file = await inject({
      method: 'GET',
      url: `/v1/operator/support/tickets/${ticket.id}/attachments/${attachment.id}`,
      headers: agent.headers,
    });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('image/png');
    expect(file.rawPayload.equals(PNG)).toBe(true);

    // A template (help:manage), then the answer from it.
    const template = await inject({
      method: 'POST',
      url: '/v1/operator/support/templates',
      headers: agent.headers,
      payload: { title: '扣款未到账', body: '您好，款项会在 24 小时内自动退回原账户，请留意。' },
    });
    expect(template.statusCode, template.body).toBe(201);
    const templateId = template.json<{ id: string }>().id;
    const answered = await answer(agent, ticket.id, { templateId });
    expect(answered.statusCode, answered.body).toBe(201);
    expect(answered.json()).toMatchObject({
      author: 'operator',
      body: '您好，款项会在 24 小时内自动退回原账户，请留意。',
      templateId,
      operatorId: agent.id,
      operatorName: '客服kefu.wang',
    });

    // The holder sees the answer, the status moved, the answer took the ticket; an inbox notice.
    const read = await inject({
      method: 'GET',
      url: `/v1/me/support/tickets/${ticket.id}`,
      headers: holder.headers,
    });
    expect(read.json()).toMatchObject({
      ticket: { status: 'pending_holder', assignee: { id: agent.id, displayName: '客服kefu.wang' } },
      messages: [{ author: 'holder' }, { author: 'operator', operatorName: '客服kefu.wang' }],
    });
    expect(read.json<{ messages: object[] }>().messages[1]).not.toHaveProperty('operatorId');
    const inbox = await inject({ method: 'GET', url: '/v1/me/notifications', headers: holder.headers });
    expect(
      inbox.json<{ notifications: { kind: string; params: { ticketId: string } }[] }>().notifications,
    ).toContainEqual(
      expect.objectContaining({
        kind: 'support.reply',
        params: expect.objectContaining({ ticketId: ticket.id }) as unknown,
      }),
    );

    // The holder writes back: staff's turn.
    const back = await inject({
      method: 'POST',
      url: `/v1/me/support/tickets/${ticket.id}/messages`,
      headers: { ...holder.headers, 'idempotency-key': randomUUID() },
      payload: { text: '好的，谢谢' },
    });
    expect(back.statusCode, back.body).toBe(201);
    expect(
      (
        await inject({ method: 'GET', url: `/v1/me/support/tickets/${ticket.id}`, headers: holder.headers })
      ).json(),
    ).toMatchObject({ ticket: { status: 'pending_staff' } });

    // Not rateable before it is resolved.
    const early = await inject({
      method: 'POST',
      url: `/v1/me/support/tickets/${ticket.id}/rating`,
      headers: holder.headers,
      payload: { score: 5 },
    });
    expect(early.json()).toMatchObject({ error: { code: 'SUPPORT_TICKET_STATE' } });

    const resolved = await op(agent, `${ticket.id}/resolve`);
    expect(resolved.statusCode, resolved.body).toBe(200);
    expect(resolved.json()).toMatchObject({ status: 'resolved' });
    expect((await op(agent, `${ticket.id}/resolve`)).json()).toMatchObject({
      error: { code: 'SUPPORT_TICKET_STATE' },
    });

    // 30 ratings at once: one is kept.
    const ratings = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        inject({
          method: 'POST',
          url: `/v1/me/support/tickets/${ticket.id}/rating`,
          headers: holder.headers,
          payload: { score: (i % 5) + 1, comment: `第${i}次` },
        }),
      ),
    );
    expect(ratings.filter((r) => r.statusCode === 200)).toHaveLength(1);
    expect(
      ratings.filter((r) => r.json<{ error?: { code: string } }>().error?.code === 'SUPPORT_ALREADY_RATED'),
    ).toHaveLength(29);
    const rated = (
      await inject({ method: 'GET', url: '/v1/me/support/tickets', headers: holder.headers })
    ).json<{
      tickets: { id: string; rating: { score: number } | null }[];
    }>();
    expect(rated.tickets.find((t) => t.id === ticket.id)!.rating).not.toBeNull();

    // Every operator action is in the audit log.
    const audit = (await auditActions()).filter(
      (entry) => entry.target === ticket.id || entry.target === attachment.id || entry.target === templateId,
    );
    expect(audit.map((entry) => entry.action).sort()).toEqual(
      [
        'support.answered',
        'support.attachment_viewed',
        'support.resolved',
        'support.template_created',
      ].sort(),
    );
  });

  it('another holder never sees the ticket or its attachment', async () => {
    const holder = await registerHolder(subject.app);
    const other = await registerHolder(subject.app);
    const attachment = (
      await upload(holder, { type: 'application/pdf', name: 'bill.pdf', content: PDF })
    ).json<{ id: string }>();
    const ticket = (
      await openTicket(holder, { topic: 'card', text: '银行卡绑不上', attachmentIds: [attachment.id] })
    ).json<{
      ticket: { id: string };
    }>().ticket;
    for (const path of [
      `/v1/me/support/tickets/${ticket.id}`,
      `/v1/me/support/attachments/${attachment.id}`,
    ]) {
      const theirs = await inject({ method: 'GET', url: path, headers: other.headers });
      expect(theirs.statusCode, path).toBe(404);
    }
    const mine = await inject({
      method: 'GET',
      url: `/v1/me/support/attachments/${attachment.id}`,
      headers: holder.headers,
    });
    expect(mine.statusCode).toBe(200);
    expect(mine.headers['content-type']).toBe('application/pdf');
    const write = await inject({
      method: 'POST',
      url: `/v1/me/support/tickets/${ticket.id}/messages`,
      headers: { ...other.headers, 'idempotency-key': randomUUID() },
      payload: { text: '我也来说两句' },
    });
    expect(write.json()).toMatchObject({ error: { code: 'SUPPORT_TICKET_NOT_FOUND' } });
    // Nor can they attach the holder's upload (or reuse one already attached).
    const stolen = await openTicket(other, { topic: 'other', text: 'x', attachmentIds: [attachment.id] });
    expect(stolen.json()).toMatchObject({ error: { code: 'SUPPORT_ATTACHMENT_UNAVAILABLE' } });
    const reused = await openTicket(holder, {
      topic: 'other',
      text: 'again',
      attachmentIds: [attachment.id],
    });
    expect(reused.json()).toMatchObject({ error: { code: 'SUPPORT_ATTACHMENT_UNAVAILABLE' } });
    // A transaction that is not the holder's.
    const stranger = await openTicket(holder, { topic: 'payment', text: 'x', transactionId: randomUUID() });
    expect(stranger.json()).toMatchObject({ error: { code: 'TRANSACTION_NOT_FOUND' } });
  });

  it('a closed ticket takes no more messages; the holder may close it and still rate it', async () => {
    const holder = await registerHolder(subject.app);
    const ticket = (await openTicket(holder)).json<{ ticket: { id: string } }>().ticket;
    const closed = await inject({
      method: 'POST',
      url: `/v1/me/support/tickets/${ticket.id}/close`,
      headers: holder.headers,
    });
    expect(closed.json()).toMatchObject({ status: 'closed' });
    const write = await inject({
      method: 'POST',
      url: `/v1/me/support/tickets/${ticket.id}/messages`,
      headers: { ...holder.headers, 'idempotency-key': randomUUID() },
      payload: { text: '还有问题' },
    });
    expect(write.json()).toMatchObject({
      error: { code: 'SUPPORT_TICKET_STATE', details: { status: 'closed' } },
    });
    expect((await answer(agent, ticket.id, { text: '在吗' })).json()).toMatchObject({
      error: { code: 'SUPPORT_TICKET_STATE' },
    });
    const rating = await inject({
      method: 'POST',
      url: `/v1/me/support/tickets/${ticket.id}/rating`,
      headers: holder.headers,
      payload: { score: 3 },
    });
    expect(rating.json()).toMatchObject({ rating: { score: 3, comment: null } });
  });
});

describe('attachments are checked by their bytes', () => {
  it('refuses other types, a type that lies, and files over the limit', async () => {
    const holder = await registerHolder(subject.app);
    const cases = [
      { type: 'text/plain', name: 'a.txt', content: Buffer.from('hello'), problem: 'unsupportedType' },
      { type: 'image/png', name: 'a.png', content: JPEG, problem: 'typeMismatch' },
      {
        type: 'application/pdf',
        name: 'evil.pdf',
        content: Buffer.from('<html><script>'),
        problem: 'unsupportedType',
      },
      {
        type: 'image/png',
        name: 'big.png',
        content: Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]),
        problem: 'tooLarge',
      },
    ];
    for (const { problem, ...file } of cases) {
      const response = await upload(holder, file);
      expect(response.json(), file.name).toMatchObject({
        error: { code: 'SUPPORT_ATTACHMENT_INVALID', details: { problem } },
      });
    }
    const jpeg = await upload(holder, { type: 'image/jpeg', name: 'ok.jpg', content: JPEG });
    expect(jpeg.statusCode).toBe(201);
    // At most three a message.
    const four = await Promise.all(
      Array.from({ length: 4 }, () => upload(holder, { type: 'image/jpeg', name: 'p.jpg', content: JPEG })),
    );
    const tooMany = await openTicket(holder, {
      topic: 'other',
      text: '四张图',
      attachmentIds: four.map((r) => r.json<{ id: string }>().id),
    });
    expect(tooMany.statusCode).toBe(400);
  });
});

describe('creation under races', () => {
  it('30 identical creates (one Idempotency-Key) at once make one ticket', async () => {
    const holder = await registerHolder(subject.app);
    const key = randomUUID();
    const responses = await Promise.all(Array.from({ length: 30 }, () => openTicket(holder, undefined, key)));
    expect(responses.map((r) => r.statusCode)).toEqual(Array.from({ length: 30 }, () => 201));
    expect(new Set(responses.map((r) => r.json<{ ticket: { id: string } }>().ticket.id)).size).toBe(1);
    const list = await inject({ method: 'GET', url: '/v1/me/support/tickets', headers: holder.headers });
    expect(list.json<{ tickets: unknown[] }>().tickets).toHaveLength(1);
  });

  it('30 different creates at once: the limit of open tickets holds (5)', async () => {
    const holder = await registerHolder(subject.app);
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => openTicket(holder, { topic: 'other', text: `问题${i}` })),
    );
    expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(5);
    const refused = responses.filter((r) => r.statusCode !== 201);
    expect(
      refused.every(
        (r) => r.json<{ error: { code: string } }>().error.code === 'SUPPORT_TOO_MANY_OPEN_TICKETS',
      ),
    ).toBe(true);
    expect(await supportService().ticketsOfHolder(holder.userId)).toHaveLength(5);
    // Resolving one makes room for one more.
    const first = responses.find((r) => r.statusCode === 201)!.json<{ ticket: { id: string } }>().ticket.id;
    await op(agent, `${first}/resolve`);
    expect((await openTicket(holder)).statusCode).toBe(201);
    expect((await openTicket(holder)).json()).toMatchObject({
      error: { code: 'SUPPORT_TOO_MANY_OPEN_TICKETS', details: { max: 5 } },
    });
  });

  it('30 operators claim one ticket at once: one has it, the others are told it is taken', async () => {
    const holder = await registerHolder(subject.app);
    const ticket = (await openTicket(holder)).json<{ ticket: { id: string } }>().ticket;
    const claimants = await Promise.all(Array.from({ length: 30 }, () => newAgent()));
    const claims = await Promise.all(claimants.map((claimant) => op(claimant, `${ticket.id}/claim`)));
    const winners = claims.filter((r) => r.statusCode === 200);
    expect(winners).toHaveLength(1);
    expect(
      claims.filter((r) => r.json<{ error?: { code: string } }>().error?.code === 'SUPPORT_TICKET_TAKEN'),
    ).toHaveLength(29);
    const owner = winners[0]!.json<{ assignee: { id: string } }>().assignee.id;
    expect(claimants.map((c) => c.id)).toContain(owner);
    // The owner claiming again is fine (a repeat: no second entry); assigning to another
    // operator moves it (audited).
    expect(
      (
        await op(
          claimants.find((c) => c.id === owner)!,
          `${ticket.id}/claim`,
        )
      ).statusCode,
    ).toBe(200);
    const assigned = await op(agent, `${ticket.id}/assign`, { operatorId: agent2.id });
    expect(assigned.json()).toMatchObject({ assignee: { id: agent2.id } });
    const mine = await inject({
      method: 'GET',
      url: '/v1/operator/support/tickets?assignee=me',
      headers: agent2.headers,
    });
    expect(mine.json<{ tickets: { id: string }[] }>().tickets.map((t) => t.id)).toContain(ticket.id);
    expect((await op(agent, `${ticket.id}/assign`, { operatorId: randomUUID() })).json()).toMatchObject({
      error: { code: 'SUPPORT_AGENT_NOT_FOUND' },
    });
    const audit = (await auditActions()).filter((e) => e.target === ticket.id);
    expect(audit.filter((e) => e.action === 'support.claimed')).toHaveLength(1);
    expect(audit.filter((e) => e.action === 'support.assigned')).toHaveLength(1);
  });
});

describe('an action and its audit entry commit together', () => {
  it('a claim whose entry cannot be written does not take the ticket; then once', async () => {
    const holder = await registerHolder(subject.app);
    const ticket = (await openTicket(holder)).json<{ ticket: { id: string } }>().ticket;
    const claimant = await newAgent();
    const assignee = async () =>
      (
        await inject({
          method: 'GET',
          url: `/v1/operator/support/tickets/${ticket.id}`,
          headers: agent.headers,
        })
      ).json<{ ticket: { assignee: { id: string } | null } }>().ticket.assignee;
    const claims = async () =>
      (await auditActions()).filter((e) => e.target === ticket.id && e.action === 'support.claimed');

    const refused = await withAuditRefused(
      subject.database.pool,
      { action: 'support.claimed', target: ticket.id },
      () => op(claimant, `${ticket.id}/claim`),
    );
    expect(refused.statusCode).toBe(500);
    expect(await assignee()).toBeNull();
    expect(await claims()).toEqual([]);

    expect((await op(claimant, `${ticket.id}/claim`)).statusCode).toBe(200);
    expect(await assignee()).toMatchObject({ id: claimant.id });
    expect(await claims()).toEqual([expect.objectContaining({ operator_id: claimant.id })]);
  });

  it('a template whose entry cannot be written is not kept', async () => {
    const admin = await operatorSession(subject.app, 'admin', 'admin.audit', clock.now);
    const title = `退款说明 ${randomUUID().slice(0, 8)}`;
    const pool = subject.database.pool;
    // The template's id is not known before: refuse every template_created for the moment.
    await withAuditRefused(pool, { action: 'support.template_created' }, async () => {
      const created = await inject({
        method: 'POST',
        url: '/v1/operator/support/templates',
        headers: admin.headers,
        payload: { title, body: '退款会在三个工作日内到账。' },
      });
      expect(created.statusCode).toBe(500);
    });
    const { rows } = await pool.query('SELECT id FROM support_templates WHERE title = $1', [title]);
    expect(rows).toEqual([]);
  });
});

describe('permissions', () => {
  it('only operators who answer tickets see the queue; templates are managed with help:manage', async () => {
    const holder = await registerHolder(subject.app);
    const reviewer = await operatorSession(subject.app, 'kyc_reviewer', 'kyc.zhao', clock.now);
    const finance = await operatorSession(subject.app, 'finance', 'finance.qian', clock.now);
    for (const who of [reviewer, finance]) {
      const queue = await inject({
        method: 'GET',
        url: '/v1/operator/support/tickets',
        headers: who.headers,
      });
      expect(queue.statusCode).toBe(403);
      const template = await inject({
        method: 'POST',
        url: '/v1/operator/support/templates',
        headers: who.headers,
        payload: { title: 't', body: 'b' },
      });
      expect(template.statusCode).toBe(403);
    }
    // A holder's session is no operator's.
    const asHolder = await inject({
      method: 'GET',
      url: '/v1/operator/support/tickets',
      headers: holder.headers,
    });
    expect(asHolder.statusCode).toBe(401);
  });
});

describe('live updates', () => {
  it('a holder’s message reaches the console stream; an operator’s answer reaches the holder’s inbox stream', async () => {
    const holder = await registerHolder(subject.app);
    const ticket = (await openTicket(holder)).json<{ ticket: { id: string } }>().ticket;

    const consoleSide = await readEvents(`${url}/v1/operator/support/stream`, agent.headers, {
      timeoutMs: 5000,
      until: (events) =>
        events.some((e) => e.event === 'ticket' && (e.data as { change: string }).change === 'message'),
      onOpen: async () => {
        const write = await inject({
          method: 'POST',
          url: `/v1/me/support/tickets/${ticket.id}/messages`,
          headers: { ...holder.headers, 'idempotency-key': randomUUID() },
          payload: { text: '补充一下：是昨天下午' },
        });
        expect(write.statusCode).toBe(201);
      },
    });
    expect(consoleSide.events.find((e) => e.event === 'ticket')).toMatchObject({
      data: { ticketId: ticket.id, change: 'message', status: 'open' },
    });

    const holderSide = await readEvents(`${url}/v1/me/notifications/stream?lang=zh-CN`, holder.headers, {
      timeoutMs: 5000,
      until: (events) => events.some((e) => e.event === 'notification'),
      onOpen: async () => {
        expect((await answer(agent, ticket.id, { text: '收到，正在核实' })).statusCode).toBe(201);
      },
    });
    expect(holderSide.events.find((e) => e.event === 'notification')).toMatchObject({
      data: { kind: 'support.reply', params: { ticketId: ticket.id } },
    });
  });

  it('a new ticket reaches every open console stream, and only support operators may open one', async () => {
    const holder = await registerHolder(subject.app);
    const seen = await readEvents(`${url}/v1/operator/support/stream`, agent2.headers, {
      timeoutMs: 5000,
      until: (events) => events.some((e) => e.event === 'ticket'),
      onOpen: async () => {
        expect((await openTicket(holder, { topic: 'account', text: '账户被冻结了' })).statusCode).toBe(201);
      },
    });
    expect(seen.events.find((e) => e.event === 'ticket')).toMatchObject({
      data: { change: 'created', status: 'open' },
    });
    const reviewer = await operatorSession(subject.app, 'kyc_reviewer', 'kyc.sun', clock.now);
    expect((await fetch(`${url}/v1/operator/support/stream`, { headers: reviewer.headers })).status).toBe(
      403,
    );
  });
});

describe('live chat', () => {
  it('within service hours a chat waits, an operator picks it up, messages are pushed live both ways', async () => {
    clock.set(DAYTIME);
    const holder = await registerHolder(subject.app);
    const hours = await inject({ method: 'GET', url: '/v1/me/support/chat-hours', headers: holder.headers });
    expect(hours.json()).toEqual({ open: true, opensAtHour: 9, closesAtHour: 21, pickupMinutes: 5 });
    const started = await inject({
      method: 'POST',
      url: '/v1/me/support/chats',
      headers: { ...holder.headers, 'idempotency-key': randomUUID() },
      payload: { text: '你好，在吗？' },
    });
    expect(started.statusCode, started.body).toBe(201);
    const chat = started.json<{ ticket: { id: string; channel: string; chatState: string; topic: string } }>()
      .ticket;
    expect(chat).toMatchObject({ channel: 'chat', chatState: 'waiting', topic: 'other' });
    // Waiting chats come first in the queue.
    const queue = await inject({
      method: 'GET',
      url: '/v1/operator/support/tickets',
      headers: agent.headers,
    });
    expect(queue.json<{ tickets: { id: string }[] }>().tickets[0]!.id).toBe(chat.id);

    const holderSide = await readEvents(`${url}/v1/me/notifications/stream?lang=zh-CN`, holder.headers, {
      timeoutMs: 5000,
      until: (events) => events.some((e) => (e.data as { kind?: string }).kind === 'support.chat_message'),
      onOpen: async () => {
        expect((await op(agent, `${chat.id}/claim`)).json()).toMatchObject({
          chatState: 'live',
          assignee: { id: agent.id },
        });
        expect((await answer(agent, chat.id, { text: '您好，我是客服小王' })).statusCode).toBe(201);
      },
    });
    const kinds = holderSide.events
      .filter((e) => e.event === 'notification')
      .map((e) => (e.data as { kind: string }).kind);
    expect(kinds).toEqual(['support.chat_live', 'support.chat_message']);
    // A chat message is a push, not an inbox notice.
    const inbox = await inject({ method: 'GET', url: '/v1/me/notifications', headers: holder.headers });
    expect(
      inbox
        .json<{ notifications: { kind: string }[] }>()
        .notifications.filter((n) => n.kind.startsWith('support.')),
    ).toEqual([]);
    // Picked up: the sweep leaves it alone, however late.
    clock.advance(10 * 60);
    await subject.app.jobs.run('support.sweep');
    expect(
      (
        await inject({
          method: 'GET',
          url: `/v1/operator/support/tickets/${chat.id}`,
          headers: agent.headers,
        })
      ).json(),
    ).toMatchObject({ ticket: { chatState: 'live' } });
    // Resolving ends the chat.
    expect((await op(agent, `${chat.id}/resolve`)).json()).toMatchObject({
      status: 'resolved',
      chatState: 'ended',
    });
  });

  it('nobody picks it up within the pickup minutes: it becomes a ticket once, and the holder is told', async () => {
    clock.set(DAYTIME);
    const holder = await registerHolder(subject.app);
    const chat = (
      await inject({
        method: 'POST',
        url: '/v1/me/support/chats',
        headers: { ...holder.headers, 'idempotency-key': randomUUID() },
        payload: { topic: 'transfer', text: '转账一直在处理中' },
      })
    ).json<{ ticket: { id: string } }>().ticket;
    clock.advance(4 * 60);
    await subject.app.jobs.run('support.sweep');
    const early = await inject({
      method: 'GET',
      url: `/v1/me/support/tickets/${chat.id}`,
      headers: holder.headers,
    });
    expect(early.json()).toMatchObject({ ticket: { chatState: 'waiting' } });
    clock.advance(2 * 60);
    await Promise.all([subject.app.jobs.run('support.sweep'), subject.app.jobs.run('support.sweep')]);
    await subject.app.jobs.run('support.sweep');
    const read = await inject({
      method: 'GET',
      url: `/v1/me/support/tickets/${chat.id}`,
      headers: holder.headers,
    });
    expect(read.json()).toMatchObject({
      ticket: { chatState: 'fell_back', status: 'open', channel: 'chat' },
      messages: [{ author: 'holder' }, { author: 'system', body: 'chat_no_pickup' }],
    });
    expect(read.json<{ messages: unknown[] }>().messages).toHaveLength(2);
    const inbox = await inject({ method: 'GET', url: '/v1/me/notifications', headers: holder.headers });
    const notices = inbox
      .json<{ notifications: { kind: string; title: string }[] }>()
      .notifications.filter((n) => n.kind === 'support.chat_fell_back');
    expect(notices).toEqual([expect.objectContaining({ title: '在线咨询已转为工单' })]);
    // Still answerable as a ticket: the answer is an inbox notice now.
    expect((await answer(agent, chat.id, { text: '已为您查询' })).statusCode).toBe(201);
    const after = await inject({ method: 'GET', url: '/v1/me/notifications', headers: holder.headers });
    expect(after.json<{ notifications: { kind: string }[] }>().notifications.map((n) => n.kind)).toContain(
      'support.reply',
    );
  });

  it('outside service hours a chat is a ticket at once, and the holder is told', async () => {
    clock.set(NIGHT);
    try {
      const holder = await registerHolder(subject.app);
      expect(
        (await inject({ method: 'GET', url: '/v1/me/support/chat-hours', headers: holder.headers })).json(),
      ).toMatchObject({
        open: false,
      });
      const started = await inject({
        method: 'POST',
        url: '/v1/me/support/chats',
        headers: { ...holder.headers, 'idempotency-key': randomUUID() },
        payload: { text: '半夜打扰了' },
      });
      expect(started.json()).toMatchObject({
        ticket: { chatState: 'fell_back', status: 'open' },
        messages: [{ author: 'holder' }, { author: 'system', body: 'chat_outside_hours' }],
      });
      const inbox = await inject({ method: 'GET', url: '/v1/me/notifications', headers: holder.headers });
      expect(inbox.json<{ notifications: { kind: string; body: string }[] }>().notifications).toContainEqual(
        expect.objectContaining({
          kind: 'support.chat_fell_back',
          body: expect.stringContaining('09:00–21:00') as unknown,
        }),
      );
    } finally {
      clock.set(DAYTIME);
    }
  });
});

describe('for other modules', () => {
  it('openCount counts open, pending_staff and pending_holder tickets', async () => {
    const before = await supportService().openCount();
    const holder = await registerHolder(subject.app);
    const ticket = (await openTicket(holder)).json<{ ticket: { id: string } }>().ticket;
    expect(await supportService().openCount()).toBe(before + 1);
    await answer(agent, ticket.id, { text: '您好' });
    expect(await supportService().openCount()).toBe(before + 1);
    await op(agent, `${ticket.id}/resolve`);
    expect(await supportService().openCount()).toBe(before);
  });

  it('resolved tickets nobody reopens close after the auto-close days', async () => {
    const holder = await registerHolder(subject.app);
    const ticket = (await openTicket(holder)).json<{ ticket: { id: string } }>().ticket;
    await op(agent, `${ticket.id}/resolve`);
    clock.advance(8 * 86_400);
    try {
      await subject.app.jobs.run('support.sweep');
      const [view] = await supportService().ticketsOfHolder(holder.userId);
      expect(view).toMatchObject({ id: ticket.id, status: 'closed' });
    } finally {
      clock.set(DAYTIME);
    }
  });
});
