import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing.ts';
import { registerHolder, type TestHolder } from '../identity/testing.ts';
import { withAuditRefused } from '../operator/testing.ts';

// Sandbox verifier magic values (docs/kyc.md)
const MATCHING_ID = '110105199001010010';
const MISMATCH_ID = '110105199001019998';
const UNAVAILABLE_ID = '11010519900101998X';

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 1)]);
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(64, 2),
]);

let subject: TestApp;
beforeAll(async () => (subject = await createTestApp()));
afterAll(async () => subject.close());

async function realName(holder: TestHolder, legalName: string, idNumber: string) {
  return subject.app.inject({
    method: 'POST',
    url: '/v1/me/kyc/real-name',
    headers: holder.headers,
    payload: { legalName, idNumber },
  });
}

function multipart(files: { field: string; type: string; content: Buffer }[]) {
  const boundary = '----qianbao-test-boundary';
  const chunks: Buffer[] = [];
  for (const file of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.field}.bin"\r\n` +
          `Content-Type: ${file.type}\r\n\r\n`,
      ),
      file.content,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

const DOCUMENTS = [
  { field: 'id_front', type: 'image/jpeg', content: JPEG },
  { field: 'id_back', type: 'image/jpeg', content: JPEG },
  { field: 'selfie', type: 'image/png', content: PNG },
];

async function uploadDocuments(holder: TestHolder, files = DOCUMENTS) {
  const body = multipart(files);
  return subject.app.inject({
    method: 'POST',
    url: '/v1/me/kyc/documents',
    headers: { ...holder.headers, 'content-type': body.contentType },
    payload: body.payload,
  });
}

async function operatorSession(role: 'kyc_reviewer' | 'admin' | 'support', username: string) {
  const created = await subject.app.services.operator.create({ username, role });
  const totp = new TOTP({ secret: Secret.fromBase32(created.totpSecret), digits: 6, period: 30 });
  const login = await subject.app.inject({
    method: 'POST',
    url: '/v1/operator/login',
    payload: { username, password: created.password, totpCode: totp.generate() },
  });
  expect(login.statusCode, login.body).toBe(200);
  return { headers: { authorization: `Bearer ${login.json<{ token: string }>().token}` }, created, totp };
}

describe('tiers', () => {
  it('a new holder is T0 with the T0 limits, shown in fen', async () => {
    const holder = await registerHolder(subject.app);
    const response = await subject.app.inject({ method: 'GET', url: '/v1/me/kyc', headers: holder.headers });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      tier: 'T0',
      realName: null,
      limits: {
        balanceCap: '100000',
        singlePayment: '50000',
        daily: '100000',
        yearly: '1000000',
        mayWithdraw: false,
      },
    });
    const tiers = await subject.app.inject({ method: 'GET', url: '/v1/kyc/tiers' });
    expect(
      tiers.json<{ tiers: { tier: string; yearly: string | null }[] }>().tiers.map((t) => [t.tier, t.yearly]),
    ).toEqual([
      ['T0', '1000000'],
      ['T1', '20000000'],
      ['T2', '100000000'],
      ['T3', null],
    ]);
  });
});

describe('real name (T1)', () => {
  it('validates the ID number before calling the verifier, naming the problem', async () => {
    const holder = await registerHolder(subject.app);
    for (const [idNumber, problem] of [
      ['513101198201130015', 'checksum'],
      ['12345', 'format'],
      ['110105194902300010', 'birthDate'],
    ]) {
      const response = await realName(holder, '李明', idNumber!);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'INVALID_ID_NUMBER', details: { problem } } });
    }
    const badName = await realName(holder, '<b>x</b>', MATCHING_ID);
    expect(badName.json()).toMatchObject({ error: { code: 'INVALID_LEGAL_NAME' } });
    // none of these reached the verifier: the attempts budget is untouched
    const count = await subject.database.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM kyc_verification_attempts WHERE user_id = $1',
      [holder.userId],
    );
    expect(count.rows[0]!.n).toBe(0);
  });

  it('MISMATCH and UNAVAILABLE are clear errors; MATCH raises the holder to T1 with masked data', async () => {
    const holder = await registerHolder(subject.app);
    expect((await realName(holder, '李明', MISMATCH_ID)).json()).toMatchObject({
      error: { code: 'REAL_NAME_MISMATCH' },
    });
    const unavailable = await realName(holder, '李明', UNAVAILABLE_ID);
    expect(unavailable.statusCode).toBe(503);
    expect(unavailable.headers['retry-after']).toBeDefined();
    const matched = await realName(holder, '李明', MATCHING_ID);
    expect(matched.statusCode, matched.body).toBe(200);
    expect(matched.json()).toMatchObject({
      tier: 'T1',
      realName: { name: '*明', idNumber: '1101**********0010' },
      limits: { balanceCap: '1000000' },
    });
    expect(matched.body).not.toContain('李明');
    expect(matched.body).not.toContain(MATCHING_ID);
    // stored sealed, never in clear
    const stored = await subject.database.pool.query('SELECT * FROM kyc_profiles WHERE user_id = $1', [
      holder.userId,
    ]);
    expect(JSON.stringify(stored.rows[0])).not.toContain(MATCHING_ID);
    // and the holder is told
    const inbox = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/notifications',
      headers: holder.headers,
    });
    expect(inbox.body).toContain('kyc.tier_raised');
    expect((await realName(holder, '李明', MATCHING_ID)).json()).toMatchObject({
      error: { code: 'REAL_NAME_ALREADY_VERIFIED' },
    });
  });

  it('one ID number verifies one wallet', async () => {
    const first = await registerHolder(subject.app);
    const second = await registerHolder(subject.app);
    expect((await realName(first, '王芳', '440306199506150020')).statusCode).toBe(200);
    expect((await realName(second, '王芳', '440306199506150020')).json()).toMatchObject({
      error: { code: 'ID_NUMBER_ALREADY_USED' },
    });
  });

  it('at most five checks a day', async () => {
    const holder = await registerHolder(subject.app);
    for (let i = 0; i < 5; i++) expect((await realName(holder, '李明', MISMATCH_ID)).statusCode).toBe(422);
    const refused = await realName(holder, '李明', MISMATCH_ID);
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ error: { code: 'VERIFICATION_ATTEMPTS_EXCEEDED' } });
  });

  it('the card hook raises T1 to T2 only for the same name', async () => {
    const holder = await registerHolder(subject.app);
    await realName(holder, '张伟', '310101198808081239');
    const kyc = subject.app.services.kyc;
    expect(await kyc.onSameNameCardBound({ userId: holder.userId, cardHolderName: '张三' })).toBe('T1');
    expect(await kyc.onSameNameCardBound({ userId: holder.userId, cardHolderName: '张伟' })).toBe('T2');
    expect(await kyc.birthDateOf(holder.userId)).toBe('19880808');
  });
});

describe('documents and operator review (T3)', () => {
  it('needs T1 first, checks types and sizes, and takes one pending review at a time', async () => {
    const holder = await registerHolder(subject.app);
    expect((await uploadDocuments(holder)).json()).toMatchObject({ error: { code: 'REAL_NAME_REQUIRED' } });
    await realName(holder, '赵丽', '110105199001010037');
    const profile = await subject.app.inject({ method: 'GET', url: '/v1/me/kyc', headers: holder.headers });
    if (profile.json<{ tier: string }>().tier !== 'T1') throw new Error(`setup: ${profile.body}`);
    const wrongType = await uploadDocuments(holder, [
      ...DOCUMENTS.slice(0, 2),
      { field: 'selfie', type: 'image/png', content: JPEG },
    ]);
    expect(wrongType.json()).toMatchObject({
      error: { code: 'DOCUMENT_INVALID', details: { problem: 'notJpegOrPng' } },
    });
    const missing = await uploadDocuments(holder, DOCUMENTS.slice(0, 2));
    expect(missing.json()).toMatchObject({ error: { code: 'DOCUMENT_INVALID' } });
    const tooLarge = await uploadDocuments(holder, [
      ...DOCUMENTS.slice(0, 2),
      { field: 'selfie', type: 'image/png', content: Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]) },
    ]);
    expect(tooLarge.statusCode).toBe(400);
    const ok = await uploadDocuments(holder);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ review: { status: 'pending' } });
    expect((await uploadDocuments(holder)).json()).toMatchObject({
      error: { code: 'REVIEW_ALREADY_PENDING' },
    });
  });

  it('an operator signs in with password and TOTP, reviews, approves (T3), and every step is audited', async () => {
    const holder = await registerHolder(subject.app);
    await realName(holder, '陈静', '110105199001010053');
    expect((await uploadDocuments(holder)).statusCode).toBe(200);

    // holders' tokens never work on operator routes
    const asHolder = await subject.app.inject({
      method: 'GET',
      url: '/v1/operator/kyc/reviews',
      headers: holder.headers,
    });
    expect(asHolder.statusCode).toBe(401);

    const reviewer = await operatorSession('kyc_reviewer', 'reviewer.chen');
    const queue = await subject.app.inject({
      method: 'GET',
      url: '/v1/operator/kyc/reviews',
      headers: reviewer.headers,
    });
    const review = queue
      .json<{
        reviews: { id: string; userId: string; realName: { name: string }; documents: { id: string }[] }[];
      }>()
      .reviews.find((r) => r.userId === holder.userId)!;
    expect(review.realName.name).toBe('*静');
    expect(review.documents).toHaveLength(3);
    const image = await subject.app.inject({
      method: 'GET',
      url: `/v1/operator/kyc/reviews/${review.id}/documents/${review.documents[0]!.id}`,
      headers: reviewer.headers,
    });
    expect(image.statusCode).toBe(200);
    expect(image.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]).subarray(0, 3));

    const approve = await subject.app.inject({
      method: 'POST',
      url: `/v1/operator/kyc/reviews/${review.id}/decision`,
      headers: reviewer.headers,
      payload: { decision: 'approve' },
    });
    expect(approve.statusCode, approve.body).toBe(200);
    const twice = await subject.app.inject({
      method: 'POST',
      url: `/v1/operator/kyc/reviews/${review.id}/decision`,
      headers: reviewer.headers,
      payload: { decision: 'reject', reason: 'blurry' },
    });
    expect(twice.json()).toMatchObject({ error: { code: 'REVIEW_ALREADY_DECIDED' } });
    const profile = await subject.app.inject({ method: 'GET', url: '/v1/me/kyc', headers: holder.headers });
    expect(profile.json()).toMatchObject({
      tier: 'T3',
      limits: { balanceCap: null, singlePayment: '20000000' },
    });

    // the reviewer may not read the audit log or change limits; an admin may
    expect(
      (await subject.app.inject({ method: 'GET', url: '/v1/operator/audit-log', headers: reviewer.headers }))
        .statusCode,
    ).toBe(403);
    const admin = await operatorSession('admin', 'admin.li');
    const log = await subject.app.inject({
      method: 'GET',
      url: '/v1/operator/audit-log',
      headers: admin.headers,
    });
    const actions = log.json<{ entries: { action: string }[] }>().entries.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['operator.login', 'kyc.document_viewed', 'kyc.review_approved']),
    );
  });

  it('a rejection carries its reason to the holder', async () => {
    const holder = await registerHolder(subject.app);
    await realName(holder, '刘洋', '110105199001010061');
    await uploadDocuments(holder);
    const reviewer = await operatorSession('kyc_reviewer', 'reviewer.liu');
    const review = (await subject.app.services.kyc.listReviews({ status: 'pending', limit: 100 })).find(
      (r) => r.userId === holder.userId,
    )!;
    const rejected = await subject.app.inject({
      method: 'POST',
      url: `/v1/operator/kyc/reviews/${review.id}/decision`,
      headers: reviewer.headers,
      payload: { decision: 'reject', reason: '照片模糊' },
    });
    expect(rejected.statusCode).toBe(200);
    const profile = await subject.app.inject({ method: 'GET', url: '/v1/me/kyc', headers: holder.headers });
    expect(profile.json()).toMatchObject({ tier: 'T1', review: { status: 'rejected', reason: '照片模糊' } });
  });
});

describe('a decision and its audit entry commit together', () => {
  it('an approval whose entry cannot be written is not made: still pending, still T1; then once', async () => {
    const holder = await registerHolder(subject.app);
    await realName(holder, '吴敏', '110105199001010088');
    expect((await uploadDocuments(holder)).statusCode).toBe(200);
    const reviewer = await operatorSession('kyc_reviewer', 'reviewer.wu');
    const review = (await subject.app.services.kyc.listReviews({ status: 'pending', limit: 100 })).find(
      (r) => r.userId === holder.userId,
    )!;
    const decide = () =>
      subject.app.inject({
        method: 'POST',
        url: `/v1/operator/kyc/reviews/${review.id}/decision`,
        headers: reviewer.headers,
        payload: { decision: 'approve' },
      });
    const entries = async () =>
      (
        await subject.database.pool.query<{ action: string }>(
          'SELECT action FROM operator_audit_log WHERE target = $1',
          [review.id],
        )
      ).rows.map((row) => row.action);

    const refused = await withAuditRefused(
      subject.database.pool,
      { action: 'kyc.review_approved', target: review.id },
      () => decide(),
    );
    expect(refused.statusCode).toBe(500);
    const profile = await subject.app.inject({ method: 'GET', url: '/v1/me/kyc', headers: holder.headers });
    expect(profile.json()).toMatchObject({ tier: 'T1', review: { status: 'pending' } });
    expect(await entries()).toEqual([]);

    const approved = await decide();
    expect(approved.statusCode, approved.body).toBe(200);
    expect((await decide()).json()).toMatchObject({ error: { code: 'REVIEW_ALREADY_DECIDED' } });
    const after = await subject.app.inject({ method: 'GET', url: '/v1/me/kyc', headers: holder.headers });
    expect(after.json()).toMatchObject({ tier: 'T3', review: { status: 'approved' } });
    expect(await entries()).toEqual(['kyc.review_approved']);
  });
});

describe('operator sign-in', () => {
  it('refuses a wrong or replayed code and locks after five failures', async () => {
    const { created, totp } = await operatorSession('support', 'support.wang');
    // the code just used to sign in cannot be replayed
    const replay = await subject.app.inject({
      method: 'POST',
      url: '/v1/operator/login',
      payload: { username: 'support.wang', password: created.password, totpCode: totp.generate() },
    });
    expect(replay.json()).toMatchObject({ error: { code: 'OPERATOR_LOGIN_FAILED' } });
    for (let i = 0; i < 4; i++) {
      const wrong = await subject.app.inject({
        method: 'POST',
        url: '/v1/operator/login',
        payload: { username: 'support.wang', password: 'wrong-password', totpCode: '000000' },
      });
      expect(wrong.statusCode).toBe(401);
    }
    const locked = await subject.app.inject({
      method: 'POST',
      url: '/v1/operator/login',
      payload: { username: 'support.wang', password: created.password, totpCode: '123456' },
    });
    expect(locked.statusCode).toBe(423);
  });
});
