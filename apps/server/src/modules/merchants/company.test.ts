/**
 * Company merchants (issue 12): the application with the business licence, waiting without taking
 * payments, an operator's review (the licence viewed and audited, approve or reject with a reason),
 * the owner told; one merchant per holder and per company even when applied for twice at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHolder } from '../identity/testing.ts';
import { createSecurityTestApp, holderWithPin } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import { cny, errorCode, inbox, verifyRealName } from '../transfers/testing.ts';
import { operatorSession } from '../risk/testing.ts';
import { usccCheck } from './uscc.ts';
import { withAuditRefused } from '../operator/testing.ts';

/** A PNG's first bytes: enough for a stored scan. */
const LICENCE = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

let subject: SecurityTestApp;
let reviewer: { authorization: string };
let support: { authorization: string };
let sequence = 0;

beforeAll(async () => {
  subject = await createSecurityTestApp();
  reviewer = await operatorSession(subject, 'kyc_reviewer');
  support = await operatorSession(subject, 'support');
});
afterAll(async () => subject.close());

/** A valid unified social credit code of its own for each test. */
function creditCode(): string {
  sequence += 1;
  const body = `9131000066${String(process.pid % 1000).padStart(3, '0')}${String(sequence).padStart(4, '0')}`;
  return body + usccCheck(body);
}

function multipart(
  fields: Record<string, string>,
  file: { name: string; type: string; content: Buffer } | null,
) {
  const boundary = `----qianbao${Date.now()}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  }
  if (file) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="licence"\r\n` +
          `Content-Type: ${file.type}\r\n\r\n`,
      ),
      file.content,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

function apply(
  holder: TestHolder,
  code: string,
  file: { name: string; type: string; content: Buffer } | null = null,
) {
  const body = multipart(
    {
      name: '上海小笼包有限公司',
      city: '上海',
      mcc: '5812',
      legalName: '上海小笼包餐饮有限公司',
      registrationNumber: code,
      representative: '王建国',
    },
    file ?? { name: 'business_license', type: 'image/png', content: LICENCE },
  );
  return subject.app.inject({
    method: 'POST',
    url: '/v1/me/merchant/company',
    headers: { ...holder.headers, 'content-type': body.contentType },
    payload: body.payload,
  });
}

async function owner(): Promise<TestHolder> {
  const holder = await holderWithPin(subject);
  await verifyRealName(subject, holder, '王建国');
  return holder;
}

describe('company merchants', () => {
  it('apply with the licence, wait without taking payments, and are approved by a reviewer', async () => {
    const holder = await owner();
    const code = creditCode();
    const applied = await apply(holder, code);
    expect(applied.statusCode, applied.body).toBe(201);
    const application = applied.json<{
      id: string;
      status: string;
      documents: { id: string; kind: string; contentType: string; bytes: number }[];
    }>();
    expect(application).toMatchObject({ status: 'pending_review', registrationNumber: code });
    expect(application.documents).toHaveLength(1);
    expect(application.documents[0]).toMatchObject({
      kind: 'business_license',
      contentType: 'image/png',
      bytes: LICENCE.length,
    });

    // Pending: no order, no payment.
    const order = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/merchant/orders',
      headers: holder.headers,
      payload: { merchantOrderId: 'C1', amount: cny('100') },
    });
    expect(errorCode(order)).toBe('MERCHANT_NOT_ACTIVE');

    // The queue, the licence (audited); customer service may not review.
    expect(
      (await subject.app.inject({ method: 'GET', url: '/v1/operator/merchants', headers: support }))
        .statusCode,
    ).toBe(403);
    const queue = await subject.app.inject({
      method: 'GET',
      url: '/v1/operator/merchants',
      headers: reviewer,
    });
    expect(queue.json<{ merchants: { id: string }[] }>().merchants.map((m) => m.id)).toContain(
      application.id,
    );
    const licence = await subject.app.inject({
      method: 'GET',
      url: `/v1/operator/merchants/${application.id}/documents/${application.documents[0]!.id}`,
      headers: reviewer,
    });
    expect(licence.statusCode).toBe(200);
    expect(licence.headers['content-type']).toBe('image/png');
    expect(licence.rawPayload.equals(LICENCE)).toBe(true);

    const approved = await subject.app.inject({
      method: 'POST',
      url: `/v1/operator/merchants/${application.id}/decision`,
      headers: reviewer,
      payload: { approve: true },
    });
    expect(approved.json()).toMatchObject({ status: 'active' });
    const again = await subject.app.inject({
      method: 'POST',
      url: `/v1/operator/merchants/${application.id}/decision`,
      headers: reviewer,
      payload: { approve: false, reason: 'late' },
    });
    expect(errorCode(again)).toBe('MERCHANT_NOT_PENDING');
    expect((await inbox(subject, holder)).map((n) => n.kind)).toContain('merchants.approved');

    // Active: it takes orders now.
    const now = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/merchant/orders',
      headers: holder.headers,
      payload: { merchantOrderId: 'C1', amount: cny('100') },
    });
    expect(now.statusCode, now.body).toBe(201);
    const audit = await subject.database.pool.query<{ action: string }>(
      `SELECT action FROM operator_audit_log WHERE target = $1 ORDER BY at`,
      [application.id],
    );
    expect(audit.rows.map((row) => row.action)).toEqual(['merchants.document_viewed', 'merchants.approved']);
  });

  it('is rejected with a reason the owner reads; a rejection without a reason is refused', async () => {
    const holder = await owner();
    const { id } = (await apply(holder, creditCode())).json<{ id: string }>();
    const noReason = await subject.app.inject({
      method: 'POST',
      url: `/v1/operator/merchants/${id}/decision`,
      headers: reviewer,
      payload: { approve: false },
    });
    expect(noReason.statusCode).toBe(400);
    const rejected = await subject.app.inject({
      method: 'POST',
      url: `/v1/operator/merchants/${id}/decision`,
      headers: reviewer,
      payload: { approve: false, reason: '营业执照照片不清晰' },
    });
    expect(rejected.json()).toMatchObject({ status: 'rejected', reason: '营业执照照片不清晰' });
    const notice = (await inbox(subject, holder)).find((n) => n.kind === 'merchants.rejected');
    expect(notice?.body).toContain('营业执照照片不清晰');
  });

  it('a decision whose audit entry cannot be written is not made: still pending, owner not told; then once', async () => {
    const holder = await owner();
    const { id } = (await apply(holder, creditCode())).json<{ id: string }>();
    const decide = () =>
      subject.app.inject({
        method: 'POST',
        url: `/v1/operator/merchants/${id}/decision`,
        headers: reviewer,
        payload: { approve: true },
      });
    const entries = async () =>
      (
        await subject.database.pool.query<{ action: string }>(
          'SELECT action FROM operator_audit_log WHERE target = $1',
          [id],
        )
      ).rows.map((row) => row.action);

    const noticesSql = `SELECT 1 FROM outbox_events WHERE type = 'merchant.reviewed' AND aggregate_id = $1`;

    const refused = await withAuditRefused(
      subject.database.pool,
      { action: 'merchants.approved', target: id },
      () => decide(),
    );
    expect(refused.statusCode).toBe(500);
    const pending = await subject.app.inject({
      method: 'GET',
      url: `/v1/operator/merchants/${id}`,
      headers: reviewer,
    });
    expect(pending.json()).toMatchObject({ status: 'pending_review' });
    expect(await entries()).toEqual([]);
    // The owner's notice is the decision's event: not written either.
    expect((await subject.database.pool.query(noticesSql, [id])).rows).toHaveLength(0);

    const approved = await decide();
    expect(approved.json()).toMatchObject({ status: 'active' });
    expect(errorCode(await decide())).toBe('MERCHANT_NOT_PENDING');
    expect(await entries()).toEqual(['merchants.approved']);
    expect((await subject.database.pool.query(noticesSql, [id])).rows).toHaveLength(1);
  });

  it('refuses a bad credit code, a missing or wrong licence, and a second merchant or company', async () => {
    const holder = await owner();
    const code = creditCode();
    expect(errorCode(await apply(holder, `${code.slice(0, 17)}${code.endsWith('0') ? '1' : '0'}`))).toBe(
      'MERCHANT_REGISTRATION_INVALID',
    );
    expect(
      errorCode(
        await apply(holder, code, { name: 'business_license', type: 'text/plain', content: LICENCE }),
      ),
    ).toBe('MERCHANT_DOCUMENT_INVALID');
    expect(
      errorCode(await apply(holder, code, { name: 'selfie', type: 'image/png', content: LICENCE })),
    ).toBe('MERCHANT_DOCUMENT_INVALID');
    // Twice at once: one application.
    const [first, second] = await Promise.all([apply(holder, code), apply(holder, code)]);
    expect([first.statusCode, second.statusCode].sort()).toEqual([201, 409]);
    // Another holder, the same company.
    const other = await owner();
    expect(errorCode(await apply(other, code))).toBe('MERCHANT_REGISTRATION_TAKEN');
  });
});
