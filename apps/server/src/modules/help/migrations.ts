import type { Migration } from '@qianbao/db';
import { SEED_ARTICLES } from './seed.ts';

/**
 * The help module's tables (`help_*`). Never edit a released migration: add the next.
 *
 * Search works for Chinese without a Chinese tokenizer (PostgreSQL has none, and pg_trgm extracts
 * no trigrams from Chinese under the C locale the embedded server uses): `help_cjk_tokens` cuts
 * every run of Han characters into overlapping bigrams (提现多久 → 提现 现多 多久), which the
 * `simple` configuration indexes as words; Latin text goes through `english` (stemmed:
 * withdrawal → withdraw). A query is cut the same way (docs/help.md, "Search"). Both work the same
 * under any locale, and the vector is a generated column, so articles written by any path (the
 * seed below, the console) are searchable.
 */
export const helpMigrations: Migration[] = [
  {
    name: '2100_help_init',
    sql: `
CREATE FUNCTION help_cjk_tokens(input text, with_characters boolean) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
DECLARE
  run text;
  tokens text[] := '{}';
BEGIN
  FOR run IN
    SELECT m[1] FROM regexp_matches(normalize(input, NFKC), '([\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff]+)', 'g') AS m
  LOOP
    -- a document keeps each character too (a one-character query finds it); a query of two or
    -- more characters asks for its bigrams only
    IF with_characters OR length(run) = 1 THEN
      tokens := tokens || regexp_split_to_array(run, '');
    END IF;
    FOR i IN 1 .. length(run) - 1 LOOP
      tokens := tokens || substr(run, i, 2);
    END LOOP;
  END LOOP;
  RETURN tokens;
END
$fn$;

-- Title words weigh A, body words B.
CREATE FUNCTION help_search_vector(title text, body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
  SELECT setweight(
           to_tsvector('simple', array_to_string(help_cjk_tokens(title, true), ' '))
             || to_tsvector('english', regexp_replace(normalize(title, NFKC), '[\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff]+', ' ', 'g')),
           'A')
      || setweight(
           to_tsvector('simple', array_to_string(help_cjk_tokens(body, true), ' '))
             || to_tsvector('english', regexp_replace(normalize(body, NFKC), '[\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff]+', ' ', 'g')),
           'B')
$fn$;

-- The terms of a query: its Han bigrams, and each Latin word of two or more letters as the prefix
-- of its English stem (withdraw → 'withdraw':*, which also finds withdrawals). Stop words drop out.
CREATE FUNCTION help_query_terms(q text) RETURNS tsquery[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
  SELECT coalesce(array_agg(term), '{}') FROM (
    SELECT to_tsquery('simple', quote_literal(token)) AS term
      FROM unnest(help_cjk_tokens(q, false)) AS token
    UNION
    SELECT to_tsquery('simple', quote_literal(v.lexeme) || ':*')
      FROM regexp_matches(lower(normalize(q, NFKC)), '([a-z0-9]{2,})', 'g') AS word,
           unnest(to_tsvector('english', word[1])) AS v
  ) AS terms
$fn$;

-- OR of tsqueries, to find candidates through the GIN index.
CREATE AGGREGATE help_any_term(tsquery) (SFUNC = tsquery_or, STYPE = tsquery);

CREATE TABLE help_articles (
  id uuid PRIMARY KEY,
  category text NOT NULL
    CHECK (category IN ('account', 'cards', 'payments', 'redpackets', 'security', 'merchants')),
  position integer NOT NULL CHECK (position BETWEEN 0 AND 9999),
  published boolean NOT NULL DEFAULT false,
  -- each edit moves it on; an edit names the version it started from (HELP_ARTICLE_CHANGED)
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  -- the operator of the last change; null for the articles this migration seeds
  updated_by uuid,
  published_at timestamptz
);
CREATE INDEX help_articles_listing ON help_articles (category, position) WHERE published;

-- Every article is written in both languages (zh-CN first, English complete).
CREATE TABLE help_article_texts (
  article_id uuid NOT NULL REFERENCES help_articles (id),
  lang text NOT NULL CHECK (lang IN ('zh-CN', 'en')),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
  search tsvector GENERATED ALWAYS AS (help_search_vector(title, body)) STORED,
  PRIMARY KEY (article_id, lang)
);
CREATE INDEX help_article_texts_search ON help_article_texts USING gin (search);

-- Holders' feedback on the app: read by staff, never changed.
CREATE TABLE help_feedback (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
  text text NOT NULL CHECK (length(text) <= 1000),
  screen text CHECK (length(screen) BETWEEN 1 AND 100),
  user_agent text CHECK (length(user_agent) <= 300),
  created_at timestamptz NOT NULL
);
CREATE INDEX help_feedback_newest ON help_feedback (created_at DESC, id DESC);
CREATE INDEX help_feedback_user ON help_feedback (user_id, created_at DESC);
`,
  },
  {
    name: '2101_help_seed_articles',
    sql: seedSql(),
  },
];

/** The first articles (seed.ts), published, written as they stood when this migration was released. */
function seedSql(): string {
  const text = (value: string) => `'${value.replaceAll("'", "''")}'`;
  const at = "'2026-12-07T00:00:00Z'";
  return SEED_ARTICLES.map(
    (article) => `
INSERT INTO help_articles (id, category, position, published, version, created_at, updated_at, published_at)
VALUES (${text(article.id)}, ${text(article.category)}, ${article.position}, true, 1, ${at}, ${at}, ${at});
INSERT INTO help_article_texts (article_id, lang, title, body) VALUES
  (${text(article.id)}, 'zh-CN', ${text(article.zh.title)}, ${text(article.zh.body)}),
  (${text(article.id)}, 'en', ${text(article.en.title)}, ${text(article.en.body)});`,
  ).join('\n');
}
