import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../testing.ts';
import type { TestApp } from '../../testing.ts';
import { registerHolder } from '../identity/testing.ts';
import type { OperatorRole } from '../operator/index.ts';
import { withAuditRefused } from '../operator/testing.ts';

let subject: TestApp;
beforeAll(async () => (subject = await createTestApp()));
afterAll(async () => subject.close());

const WITHDRAWAL_ARTICLE = '0193a000-0000-7000-8000-000000000004';
const LOST_PHONE_ARTICLE = '0193a000-0000-7000-8000-000000000005';

let operators = 0;
async function operatorSession(role: OperatorRole) {
  operators += 1;
  const username = `help.${role.replace('_', '')}${operators}`;
  const created = await subject.app.services.operator.create({ username, role });
  const totp = new TOTP({ secret: Secret.fromBase32(created.totpSecret), digits: 6, period: 30 });
  const login = await subject.app.inject({
    method: 'POST',
    url: '/v1/operator/login',
    payload: { username, password: created.password, totpCode: totp.generate() },
  });
  expect(login.statusCode, login.body).toBe(200);
  return {
    id: created.operator.id,
    headers: { authorization: `Bearer ${login.json<{ token: string }>().token}` },
  };
}

interface Summary {
  id: string;
  title: string;
  category: string;
  excerpt: string;
}

async function search(query: string): Promise<Summary[]> {
  const response = await subject.app.inject({ method: 'GET', url: `/v1/help/articles?${query}` });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ articles: Summary[] }>().articles;
}

async function auditActions(
  target: string,
): Promise<{ action: string; operatorId: string | null; details: unknown }[]> {
  const { rows } = await subject.database.pool.query<{
    action: string;
    operator_id: string | null;
    details: unknown;
  }>('SELECT action, operator_id, details FROM operator_audit_log WHERE target = $1 ORDER BY at, id', [
    target,
  ]);
  return rows.map((r) => ({ action: r.action, operatorId: r.operator_id, details: r.details }));
}

const TEXTS = {
  'zh-CN': { title: '如何注销钱包？', body: '注销前请先把余额**提现**到银行卡。\n\n- 联系客服\n- 核对身份' },
  en: {
    title: 'How do I close my wallet?',
    body: 'Withdraw your balance first.\n\n- Contact us\n- Prove who you are',
  },
};

describe('help centre: search', () => {
  it('finds the withdrawal article for 提现 in Chinese and for withdraw in English, signed out', async () => {
    const zh = await search(`q=${encodeURIComponent('提现')}`);
    expect(zh[0]).toMatchObject({
      id: WITHDRAWAL_ARTICLE,
      title: '提现多久到账？手续费多少？',
      category: 'cards',
    });
    const en = await search('q=withdraw&lang=en');
    expect(en[0]).toMatchObject({
      id: WITHDRAWAL_ARTICLE,
      title: 'How long does a withdrawal take, and what does it cost?',
    });
    // a longer question in either language still finds it first
    expect((await search(`q=${encodeURIComponent('提现要多久才到账')}`))[0]?.id).toBe(WITHDRAWAL_ARTICLE);
    expect((await search(`q=${encodeURIComponent('how long do withdrawals take')}&lang=en`))[0]?.id).toBe(
      WITHDRAWAL_ARTICLE,
    );
    expect((await search(`q=${encodeURIComponent('手机丢了')}`))[0]?.id).toBe(LOST_PHONE_ARTICLE);
    expect((await search('q=lost%20phone&lang=en'))[0]?.id).toBe(LOST_PHONE_ARTICLE);
    // nothing to do with anything: no result, not every article
    expect(await search(`q=${encodeURIComponent('股票期权')}`)).toEqual([]);
    expect(await search('q=zebra&lang=en')).toEqual([]);
    // the excerpt is plain text
    expect(zh[0]!.excerpt).not.toContain('**');
  });

  it('lists every published article by category without a query, and opens one in either language', async () => {
    const all = await search('');
    expect(all.length).toBeGreaterThanOrEqual(10);
    expect(new Set(all.map((a) => a.category))).toEqual(
      new Set(['account', 'cards', 'payments', 'redpackets', 'security', 'merchants']),
    );
    const security = await search('category=security&lang=en');
    expect(security.map((a) => a.id)).toContain(LOST_PHONE_ARTICLE);
    expect(security.every((a) => a.category === 'security')).toBe(true);
    const article = await subject.app.inject({
      method: 'GET',
      url: `/v1/help/articles/${LOST_PHONE_ARTICLE}?lang=en`,
    });
    expect(article.json()).toMatchObject({ lang: 'en', title: 'I lost my phone. What should I do?' });
    expect(article.json<{ body: string }>().body).toContain('Lost your phone? Report it');
    const missing = await subject.app.inject({ method: 'GET', url: '/v1/help/articles/nope' });
    expect(missing.json()).toMatchObject({ error: { code: 'HELP_ARTICLE_NOT_FOUND' } });
  });
});

describe('help centre: operators', () => {
  it('support writes a draft (unseen), publishes it (found by search), edits and unpublishes it; every step audited', async () => {
    const support = await operatorSession('support');
    const made = await subject.app.inject({
      method: 'POST',
      url: '/v1/operator/help/articles',
      headers: support.headers,
      payload: { category: 'account', position: 90, texts: TEXTS },
    });
    expect(made.statusCode, made.body).toBe(201);
    const draft = made.json<{ id: string; version: number; published: boolean }>();
    expect(draft).toMatchObject({ version: 1, published: false });
    // a draft is nobody's but the operators'
    expect((await search(`q=${encodeURIComponent('注销')}`)).map((a) => a.id)).not.toContain(draft.id);
    expect(
      (await subject.app.inject({ method: 'GET', url: `/v1/help/articles/${draft.id}` })).json(),
    ).toMatchObject({ error: { code: 'HELP_ARTICLE_NOT_FOUND' } });

    const published = await subject.app.inject({
      method: 'POST',
      url: `/v1/operator/help/articles/${draft.id}/publication`,
      headers: support.headers,
      payload: { published: true },
    });
    expect(published.json()).toMatchObject({ published: true, version: 1 });
    expect((await search(`q=${encodeURIComponent('注销钱包')}`))[0]?.id).toBe(draft.id);
    expect((await search('q=close%20wallet&lang=en'))[0]?.id).toBe(draft.id);

    const edited = await subject.app.inject({
      method: 'PUT',
      url: `/v1/operator/help/articles/${draft.id}`,
      headers: support.headers,
      payload: {
        category: 'account',
        position: 90,
        version: 1,
        texts: { ...TEXTS, 'zh-CN': { ...TEXTS['zh-CN'], title: '怎样销户？' } },
      },
    });
    expect(edited.json()).toMatchObject({ version: 2, texts: { 'zh-CN': { title: '怎样销户？' } } });
    expect((await search(`q=${encodeURIComponent('销户')}`))[0]?.id).toBe(draft.id);

    await subject.app.inject({
      method: 'POST',
      url: `/v1/operator/help/articles/${draft.id}/publication`,
      headers: support.headers,
      payload: { published: false },
    });
    expect((await search(`q=${encodeURIComponent('销户')}`)).map((a) => a.id)).not.toContain(draft.id);

    expect(await auditActions(draft.id)).toEqual([
      expect.objectContaining({ action: 'help.article_created', operatorId: support.id }),
      expect.objectContaining({ action: 'help.article_published', details: { changed: true } }),
      expect.objectContaining({
        action: 'help.article_updated',
        details: expect.objectContaining({ version: 2 }) as unknown,
      }),
      expect.objectContaining({ action: 'help.article_unpublished', details: { changed: true } }),
    ]);
  });

  it('an edit whose audit entry cannot be written is not saved (version and texts as they were)', async () => {
    const support = await operatorSession('support');
    const draft = (
      await subject.app.inject({
        method: 'POST',
        url: '/v1/operator/help/articles',
        headers: support.headers,
        payload: { category: 'account', position: 91, texts: TEXTS },
      })
    ).json<{ id: string }>();
    const edit = () =>
      subject.app.inject({
        method: 'PUT',
        url: `/v1/operator/help/articles/${draft.id}`,
        headers: support.headers,
        payload: {
          category: 'security',
          position: 91,
          version: 1,
          texts: { ...TEXTS, 'zh-CN': { ...TEXTS['zh-CN'], title: '钱包怎么注销？' } },
        },
      });
    await withAuditRefused(
      subject.database.pool,
      { action: 'help.article_updated', target: draft.id },
      async () => {
        expect((await edit()).statusCode).toBe(500);
      },
    );
    const kept = await subject.app.inject({
      method: 'GET',
      url: `/v1/operator/help/articles/${draft.id}`,
      headers: support.headers,
    });
    expect(kept.json()).toMatchObject({
      version: 1,
      category: 'account',
      texts: { 'zh-CN': { title: TEXTS['zh-CN'].title } },
    });
    expect((await auditActions(draft.id)).map((entry) => entry.action)).toEqual(['help.article_created']);

    expect((await edit()).json()).toMatchObject({ version: 2, category: 'security' });
    expect((await auditActions(draft.id)).map((entry) => entry.action)).toEqual([
      'help.article_created',
      'help.article_updated',
    ]);
  });

  it('of 30 edits from the same version at once exactly one is saved; the rest are told HELP_ARTICLE_CHANGED', async () => {
    const support = await operatorSession('support');
    const made = await subject.app.inject({
      method: 'POST',
      url: '/v1/operator/help/articles',
      headers: support.headers,
      payload: { category: 'payments', position: 50, texts: TEXTS },
    });
    const { id } = made.json<{ id: string }>();
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        subject.app.inject({
          method: 'PUT',
          url: `/v1/operator/help/articles/${id}`,
          headers: support.headers,
          payload: {
            category: 'payments',
            position: 50,
            version: 1,
            texts: { ...TEXTS, en: { ...TEXTS.en, title: `Edit ${i}` } },
          },
        }),
      ),
    );
    const saved = answers.filter((a) => a.statusCode === 200);
    expect(saved).toHaveLength(1);
    for (const refused of answers.filter((a) => a.statusCode !== 200)) {
      expect(refused.json()).toMatchObject({
        error: { code: 'HELP_ARTICLE_CHANGED', details: { version: 2 } },
      });
    }
    const now = await subject.app.inject({
      method: 'GET',
      url: `/v1/operator/help/articles/${id}`,
      headers: support.headers,
    });
    expect(now.json()).toMatchObject({
      version: 2,
      texts: { en: { title: saved[0]!.json<{ texts: { en: { title: string } } }>().texts.en.title } },
    });
    expect((await auditActions(id)).filter((a) => a.action === 'help.article_updated')).toHaveLength(1);

    // 30 publications at once: one changes it, every one is audited, saying whether it did
    await Promise.all(
      Array.from({ length: 30 }, () =>
        subject.app.inject({
          method: 'POST',
          url: `/v1/operator/help/articles/${id}/publication`,
          headers: support.headers,
          payload: { published: true },
        }),
      ),
    );
    const publications = (await auditActions(id)).filter((a) => a.action === 'help.article_published');
    expect(publications).toHaveLength(30);
    expect(publications.filter((a) => (a.details as { changed: boolean }).changed)).toHaveLength(1);
  });

  it('only operators with help:manage manage articles; a holder and compliance cannot', async () => {
    const holder = await registerHolder(subject.app);
    const compliance = await operatorSession('kyc_reviewer');
    for (const headers of [holder.headers, compliance.headers]) {
      const answer = await subject.app.inject({
        method: 'POST',
        url: '/v1/operator/help/articles',
        headers,
        payload: { category: 'account', position: 1, texts: TEXTS },
      });
      expect([401, 403]).toContain(answer.statusCode);
    }
    const incomplete = await subject.app.inject({
      method: 'POST',
      url: '/v1/operator/help/articles',
      headers: (await operatorSession('admin')).headers,
      payload: { category: 'account', position: 1, texts: { 'zh-CN': TEXTS['zh-CN'] } },
    });
    expect(incomplete.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });
});

describe('feedback', () => {
  it('a holder sends feedback; customer service sees it with filters; others cannot', async () => {
    const holder = await registerHolder(subject.app);
    const sent = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/feedback',
      headers: { ...holder.headers, 'user-agent': 'QianbaoTest/1.0' },
      payload: { rating: 2, text: '转账页面找不到最近联系人', screen: '/transfer' },
    });
    expect(sent.statusCode, sent.body).toBe(201);
    const support = await operatorSession('support');
    const list = await subject.app.inject({
      method: 'GET',
      url: '/v1/operator/feedback?rating=2&screen=%2Ftransfer',
      headers: support.headers,
    });
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json()).toMatchObject({
      feedback: [
        {
          id: sent.json<{ id: string }>().id,
          rating: 2,
          text: '转账页面找不到最近联系人',
          screen: '/transfer',
          userAgent: 'QianbaoTest/1.0',
          holder: { phone: expect.stringMatching(/^\d{3}\*{4}\d{4}$/) as unknown },
        },
      ],
      summary: { count: 1, average: 2, ratings: [0, 1, 0, 0, 0] },
    });
    const byText = await subject.app.inject({
      method: 'GET',
      url: `/v1/operator/feedback?q=${encodeURIComponent('联系人')}`,
      headers: support.headers,
    });
    expect(byText.json<{ feedback: unknown[] }>().feedback).toHaveLength(1);
    const none = await subject.app.inject({
      method: 'GET',
      url: '/v1/operator/feedback?rating=5',
      headers: support.headers,
    });
    expect(none.json<{ feedback: unknown[] }>().feedback).toEqual([]);
    const finance = await operatorSession('finance');
    expect(
      (await subject.app.inject({ method: 'GET', url: '/v1/operator/feedback', headers: finance.headers }))
        .statusCode,
    ).toBe(403);
    const bad = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/feedback',
      headers: holder.headers,
      payload: { rating: 6, text: 'x' },
    });
    expect(bad.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });

  it('30 at once from one holder: exactly the day allowance (5) gets through, the rest are HELP_FEEDBACK_LIMITED', async () => {
    const holder = await registerHolder(subject.app);
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        subject.app.inject({
          method: 'POST',
          url: '/v1/me/feedback',
          headers: holder.headers,
          payload: { rating: 5, text: `很好用 ${i}` },
        }),
      ),
    );
    expect(answers.filter((a) => a.statusCode === 201)).toHaveLength(5);
    const limited = answers.filter((a) => a.statusCode === 429);
    expect(limited).toHaveLength(25);
    expect(limited[0]!.json()).toMatchObject({
      error: { code: 'HELP_FEEDBACK_LIMITED', details: { perDay: 5 } },
    });
    expect(Number(limited[0]!.headers['retry-after'])).toBeGreaterThan(23 * 3600);
    const { rows } = await subject.database.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM help_feedback WHERE user_id = $1',
      [holder.userId],
    );
    expect(rows[0]!.n).toBe(5);
    // another holder is not limited by this one
    const other = await registerHolder(subject.app);
    const theirs = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/feedback',
      headers: other.headers,
      payload: { rating: 4 },
    });
    expect(theirs.statusCode).toBe(201);
  });

  it('staff page through feedback newest first', async () => {
    const holder = await registerHolder(subject.app);
    for (const rating of [1, 3]) {
      await subject.app.inject({
        method: 'POST',
        url: '/v1/me/feedback',
        headers: holder.headers,
        payload: { rating, text: `page-test ${rating}` },
      });
    }
    const support = await operatorSession('support');
    const first = await subject.app.inject({
      method: 'GET',
      url: '/v1/operator/feedback?q=page-test&limit=1',
      headers: support.headers,
    });
    const page1 = first.json<{ feedback: { text: string }[]; next: string | null }>();
    expect(page1.feedback.map((f) => f.text)).toEqual(['page-test 3']);
    const second = await subject.app.inject({
      method: 'GET',
      url: `/v1/operator/feedback?q=page-test&limit=1&before=${page1.next}`,
      headers: support.headers,
    });
    expect(second.json()).toMatchObject({ feedback: [{ text: 'page-test 1' }], next: null });
  });
});
