/** The help centre and feedback API (docs/help.md): articles are public, feedback a holder's. */
import { request } from '../../api/client.ts';

export const HELP_CATEGORIES = [
  'account',
  'cards',
  'payments',
  'redpackets',
  'security',
  'merchants',
] as const;
export type HelpCategory = (typeof HELP_CATEGORIES)[number];
export type HelpLang = 'zh-CN' | 'en';

export interface ArticleSummary {
  id: string;
  category: HelpCategory;
  title: string;
  excerpt: string;
  updatedAt: string;
}

export interface Article {
  id: string;
  lang: HelpLang;
  category: HelpCategory;
  title: string;
  body: string;
  updatedAt: string;
}

export const helpKeys = {
  search: (q: string, lang: HelpLang) => ['help', 'search', lang, q] as const,
  article: (id: string, lang: HelpLang) => ['help', 'article', lang, id] as const,
};

export async function searchArticles(q: string, lang: HelpLang): Promise<ArticleSummary[]> {
  const query = new URLSearchParams({ q, lang, limit: '50' });
  // Signed out is fine here: a 401 never comes, and must not send anyone to sign in.
  const answer = await request<{ articles: ArticleSummary[] }>(
    'GET',
    `/v1/help/articles?${query.toString()}`,
    {
      reportUnauthorized: false,
    },
  );
  return answer.articles;
}

export function fetchArticle(id: string, lang: HelpLang): Promise<Article> {
  return request('GET', `/v1/help/articles/${encodeURIComponent(id)}?lang=${lang}`, {
    reportUnauthorized: false,
  });
}

export function sendFeedback(input: {
  rating: number;
  text: string;
  screen?: string;
}): Promise<{ id: string }> {
  return request('POST', '/v1/me/feedback', { body: input });
}
