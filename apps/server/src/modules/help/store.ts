import type pg from 'pg';
import { withTransaction } from '@qianbao/db';

export const LANGS = ['zh-CN', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export const CATEGORIES = ['account', 'cards', 'payments', 'redpackets', 'security', 'merchants'] as const;
export type Category = (typeof CATEGORIES)[number];

/** Work done in a change's own transaction (the operator's audit entry): commits with it or not at all. */
export type Alongside<T> = (client: pg.PoolClient, written: T) => Promise<void>;

export interface ArticleRow {
  id: string;
  category: Category;
  position: number;
  published: boolean;
  version: number;
  created_at: Date;
  updated_at: Date;
  updated_by: string | null;
  published_at: Date | null;
}

export interface TextRow {
  article_id: string;
  lang: Lang;
  title: string;
  body: string;
}

export interface FoundRow {
  id: string;
  category: Category;
  updated_at: Date;
  title: string;
  body: string;
}

export interface FeedbackRow {
  id: string;
  user_id: string;
  rating: number;
  text: string;
  screen: string | null;
  user_agent: string | null;
  created_at: Date;
}

export type Texts = Record<Lang, { title: string; body: string }>;

const ARTICLE_COLUMNS =
  'id, category, position, published, version, created_at, updated_at, updated_by, published_at';

/** SQL of the `help_*` tables; only this module's service calls it. */
export class HelpStore {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Published articles in `lang` matching `q` (migration 2100: Han bigrams, English stems as
   * prefixes). Candidates come from the GIN index (any term); an article must match at least a
   * third of the query's terms, and those matching more come first, then by weight (title over body).
   */
  async search(input: {
    lang: Lang;
    q: string;
    category: Category | null;
    limit: number;
  }): Promise<FoundRow[]> {
    const { rows } = await this.pool.query<FoundRow>(
      `WITH terms AS (SELECT help_query_terms($2) AS terms),
            query AS (SELECT terms, (SELECT help_any_term(term) FROM unnest(terms) AS term) AS any_term FROM terms)
       SELECT a.id, a.category, a.updated_at, x.title, x.body
         FROM query
         JOIN help_article_texts x ON x.search @@ query.any_term
         JOIN help_articles a ON a.id = x.article_id
         CROSS JOIN LATERAL (SELECT count(*) AS matched FROM unnest(query.terms) AS term WHERE x.search @@ term) m
        WHERE x.lang = $1 AND a.published
          AND m.matched * 3 >= cardinality(query.terms)
          AND ($3::text IS NULL OR a.category = $3)
        ORDER BY m.matched DESC, ts_rank(x.search, query.any_term) DESC, a.position, a.id
        LIMIT $4`,
      [input.lang, input.q, input.category, input.limit],
    );
    return rows;
  }

  /** Published articles in `lang`, by category and position. */
  async listPublished(input: { lang: Lang; category: Category | null; limit: number }): Promise<FoundRow[]> {
    const { rows } = await this.pool.query<FoundRow>(
      `SELECT a.id, a.category, a.updated_at, x.title, x.body
         FROM help_articles a JOIN help_article_texts x ON x.article_id = a.id AND x.lang = $1
        WHERE a.published AND ($2::text IS NULL OR a.category = $2)
        ORDER BY a.category, a.position, a.id
        LIMIT $3`,
      [input.lang, input.category, input.limit],
    );
    return rows;
  }

  async publishedText(id: string, lang: Lang): Promise<FoundRow | null> {
    const { rows } = await this.pool.query<FoundRow>(
      `SELECT a.id, a.category, a.updated_at, x.title, x.body
         FROM help_articles a JOIN help_article_texts x ON x.article_id = a.id AND x.lang = $2
        WHERE a.id = $1 AND a.published`,
      [id, lang],
    );
    return rows[0] ?? null;
  }

  async listAll(limit: number): Promise<{ article: ArticleRow; texts: Texts }[]> {
    const { rows } = await this.pool.query<ArticleRow>(
      `SELECT ${ARTICLE_COLUMNS} FROM help_articles ORDER BY category, position, id LIMIT $1`,
      [limit],
    );
    return this.withTexts(this.pool, rows);
  }

  async get(id: string): Promise<{ article: ArticleRow; texts: Texts } | null> {
    const { rows } = await this.pool.query<ArticleRow>(
      `SELECT ${ARTICLE_COLUMNS} FROM help_articles WHERE id = $1`,
      [id],
    );
    return (await this.withTexts(this.pool, rows))[0] ?? null;
  }

  async insert(input: {
    id: string;
    category: Category;
    position: number;
    texts: Texts;
    operatorId: string;
    at: Date;
    alongside: Alongside<ArticleRow>;
  }): Promise<{ article: ArticleRow; texts: Texts }> {
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<ArticleRow>(
        `INSERT INTO help_articles (id, category, position, published, version, created_at, updated_at, updated_by)
         VALUES ($1, $2, $3, false, 1, $4, $4, $5) RETURNING ${ARTICLE_COLUMNS}`,
        [input.id, input.category, input.position, input.at, input.operatorId],
      );
      await writeTexts(client, input.id, input.texts, false);
      await input.alongside(client, rows[0]!);
      return { article: rows[0]!, texts: input.texts };
    });
  }

  /**
   * Compare-and-set on the version: of edits started from the same version, one is written and
   * the others answer `changed` with the version now.
   */
  async update(input: {
    id: string;
    version: number;
    category: Category;
    position: number;
    texts: Texts;
    operatorId: string;
    at: Date;
    alongside: Alongside<ArticleRow>;
  }): Promise<{ article: ArticleRow; texts: Texts } | { changed: number } | null> {
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<ArticleRow>(
        `UPDATE help_articles
            SET category = $3, position = $4, version = version + 1, updated_at = $5, updated_by = $6
          WHERE id = $1 AND version = $2
          RETURNING ${ARTICLE_COLUMNS}`,
        [input.id, input.version, input.category, input.position, input.at, input.operatorId],
      );
      const article = rows[0];
      if (!article) {
        const current = await client.query<{ version: number }>(
          'SELECT version FROM help_articles WHERE id = $1',
          [input.id],
        );
        return current.rows[0] ? { changed: current.rows[0].version } : null;
      }
      await writeTexts(client, input.id, input.texts, true);
      await input.alongside(client, article);
      return { article, texts: input.texts };
    });
  }

  /**
   * `changed`: this call moved it (a compare-and-set: of identical calls at once, one moves it).
   * `alongside` runs in the same transaction either way (the audit entry says which).
   */
  async setPublished(input: {
    id: string;
    published: boolean;
    operatorId: string;
    at: Date;
    alongside: Alongside<{ changed: boolean }>;
  }): Promise<{ changed: boolean } | null> {
    return withTransaction(this.pool, async (client) => {
      const moved = await client.query(
        `UPDATE help_articles
            SET published = $2, published_at = CASE WHEN $2 THEN $3 ELSE published_at END, updated_by = $4
          WHERE id = $1 AND published <> $2`,
        [input.id, input.published, input.at, input.operatorId],
      );
      let outcome: { changed: boolean } | null = { changed: true };
      if (moved.rowCount !== 1) {
        const exists = await client.query('SELECT 1 FROM help_articles WHERE id = $1', [input.id]);
        outcome = exists.rowCount === 1 ? { changed: false } : null;
      }
      if (outcome) await input.alongside(client, outcome);
      return outcome;
    });
  }

  /**
   * Insert unless the holder has sent `max` since `since`, counted under the holder's advisory
   * lock so that feedback sent at once cannot pass the limit. `limited`: the oldest one counted.
   */
  async insertFeedback(
    row: FeedbackRow,
    limit: { max: number; since: Date },
  ): Promise<{ row: FeedbackRow } | { limited: Date }> {
    return withTransaction(this.pool, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('help:feedback:' || $1, 0))`, [
        row.user_id,
      ]);
      const { rows } = await client.query<{ sent: number; oldest: Date | null }>(
        `SELECT count(*)::int AS sent, min(created_at) AS oldest
           FROM help_feedback WHERE user_id = $1 AND created_at > $2`,
        [row.user_id, limit.since],
      );
      const { sent, oldest } = rows[0]!;
      if (sent >= limit.max && oldest) return { limited: oldest };
      const inserted = await client.query<FeedbackRow>(
        `INSERT INTO help_feedback (id, user_id, rating, text, screen, user_agent, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
        [row.id, row.user_id, row.rating, row.text, row.screen, row.user_agent, row.created_at],
      );
      return { row: inserted.rows[0]! };
    });
  }

  /** Newest first; `before` is the last row of the previous page. */
  async listFeedback(filter: {
    rating: number | null;
    screen: string | null;
    text: string | null;
    before: { createdAt: Date; id: string } | null;
    limit: number;
  }): Promise<FeedbackRow[]> {
    const { rows } = await this.pool.query<FeedbackRow>(
      `SELECT * FROM help_feedback
        WHERE ($1::smallint IS NULL OR rating = $1)
          AND ($2::text IS NULL OR screen = $2)
          AND ($3::text IS NULL OR text ILIKE '%' || $3 || '%')
          AND ($4::timestamptz IS NULL OR (created_at, id) < ($4, $5::uuid))
        ORDER BY created_at DESC, id DESC
        LIMIT $6`,
      [
        filter.rating,
        filter.screen,
        filter.text === null ? null : escapeLike(filter.text),
        filter.before?.createdAt ?? null,
        filter.before?.id ?? null,
        filter.limit,
      ],
    );
    return rows;
  }

  async feedbackRow(id: string): Promise<FeedbackRow | null> {
    const { rows } = await this.pool.query<FeedbackRow>('SELECT * FROM help_feedback WHERE id = $1', [id]);
    return rows[0] ?? null;
  }

  /** Count and average rating of what the filter (without paging) selects. */
  async feedbackSummary(filter: {
    rating: number | null;
    screen: string | null;
    text: string | null;
  }): Promise<{ count: number; ratings: number[] }> {
    const { rows } = await this.pool.query<{ rating: number; count: number }>(
      `SELECT rating, count(*)::int AS count FROM help_feedback
        WHERE ($1::smallint IS NULL OR rating = $1)
          AND ($2::text IS NULL OR screen = $2)
          AND ($3::text IS NULL OR text ILIKE '%' || $3 || '%')
        GROUP BY rating`,
      [filter.rating, filter.screen, filter.text === null ? null : escapeLike(filter.text)],
    );
    const ratings = [0, 0, 0, 0, 0];
    for (const row of rows) ratings[row.rating - 1] = row.count;
    return { count: ratings.reduce((sum, n) => sum + n, 0), ratings };
  }

  private async withTexts(
    db: pg.Pool | pg.PoolClient,
    articles: ArticleRow[],
  ): Promise<{ article: ArticleRow; texts: Texts }[]> {
    if (articles.length === 0) return [];
    const { rows } = await db.query<TextRow>(
      'SELECT article_id, lang, title, body FROM help_article_texts WHERE article_id = ANY($1::uuid[])',
      [articles.map((a) => a.id)],
    );
    return articles.map((article) => {
      const texts = Object.fromEntries(
        rows
          .filter((t) => t.article_id === article.id)
          .map((t) => [t.lang, { title: t.title, body: t.body }]),
      ) as Texts;
      return { article, texts };
    });
  }
}

async function writeTexts(client: pg.PoolClient, id: string, texts: Texts, replace: boolean): Promise<void> {
  await client.query(
    `INSERT INTO help_article_texts (article_id, lang, title, body)
     SELECT $1, t.lang, t.title, t.body FROM unnest($2::text[], $3::text[], $4::text[]) AS t(lang, title, body)
     ${replace ? 'ON CONFLICT (article_id, lang) DO UPDATE SET title = excluded.title, body = excluded.body' : ''}`,
    [id, [...LANGS], LANGS.map((lang) => texts[lang].title), LANGS.map((lang) => texts[lang].body)],
  );
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
