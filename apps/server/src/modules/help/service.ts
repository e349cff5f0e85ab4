import { isUuid, newId } from '@qianbao/ledger';
import { AppError } from '../../errors.ts';
import type { IdentityService } from '../identity/index.ts';
import { maskPhone } from '../identity/index.ts';
import type { OperatorService } from '../operator/index.ts';
import type { HelpSettings } from './module.ts';
import type { ArticleRow, Category, FeedbackRow, FoundRow, HelpStore, Lang, Texts } from './store.ts';

const DAY_MS = 24 * 3600 * 1000;
const EXCERPT_LENGTH = 80;

export interface ArticleSummary {
  id: string;
  category: Category;
  title: string;
  excerpt: string;
  updatedAt: Date;
}

export interface ArticleView extends Omit<ArticleSummary, 'excerpt'> {
  lang: Lang;
  body: string;
}

/** An article as operators see it: both languages, draft or published. */
export interface ManagedArticle {
  id: string;
  category: Category;
  position: number;
  published: boolean;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  updatedBy: string | null;
  publishedAt: Date | null;
  texts: Texts;
}

export interface ArticleInput {
  category: Category;
  position: number;
  texts: Texts;
}

export interface FeedbackView {
  id: string;
  rating: number;
  text: string;
  screen: string | null;
  userAgent: string | null;
  createdAt: Date;
  holder: { id: string; phone: string | null };
}

export interface HelpServiceDeps {
  store: HelpStore;
  operators: Pick<OperatorService, 'audit'>;
  identity: Pick<IdentityService, 'getUser'>;
  settings: HelpSettings;
  now: () => Date;
}

/**
 * The help centre (articles in zh-CN and English, searched by anyone, managed by operators with
 * help:manage, every change audited) and holders' feedback on the app (read by staff with
 * tickets:answer). No HTTP here; time comes from `now`.
 */
export class HelpService {
  constructor(private readonly deps: HelpServiceDeps) {}

  /** Published articles: those matching `q` best first, or all by category when `q` is blank. */
  async search(input: {
    q: string;
    lang: Lang;
    category: Category | null;
    limit: number;
  }): Promise<ArticleSummary[]> {
    const q = input.q.trim();
    const rows = q
      ? await this.deps.store.search({ ...input, q })
      : await this.deps.store.listPublished(input);
    return rows.map(summary);
  }

  async article(input: { id: string; lang: Lang }): Promise<ArticleView> {
    const row = isUuid(input.id) ? await this.deps.store.publishedText(input.id, input.lang) : null;
    if (!row) throw new AppError('HELP_ARTICLE_NOT_FOUND');
    return {
      id: row.id,
      category: row.category,
      title: row.title,
      body: row.body,
      updatedAt: row.updated_at,
      lang: input.lang,
    };
  }

  // ---- operators (help:manage) ---------------------------------------------------------------

  async managedArticles(): Promise<ManagedArticle[]> {
    return (await this.deps.store.listAll(500)).map(managed);
  }

  async managedArticle(id: string): Promise<ManagedArticle> {
    const found = isUuid(id) ? await this.deps.store.get(id) : null;
    if (!found) throw new AppError('HELP_ARTICLE_NOT_FOUND');
    return managed(found);
  }

  /**
   * A new article is a draft: nobody but operators sees it until it is published. Each change
   * below writes its audit entry in its own transaction: no change without its entry.
   */
  async create(input: ArticleInput & { operatorId: string }): Promise<ManagedArticle> {
    const written = await this.deps.store.insert({
      id: newId(),
      category: input.category,
      position: input.position,
      texts: input.texts,
      operatorId: input.operatorId,
      at: this.deps.now(),
      alongside: (client, article) =>
        this.deps.operators.audit(
          {
            operatorId: input.operatorId,
            action: 'help.article_created',
            target: article.id,
            details: { category: input.category, title: input.texts['zh-CN'].title },
          },
          client,
        ),
    });
    return managed(written);
  }

  async update(
    input: ArticleInput & { id: string; version: number; operatorId: string },
  ): Promise<ManagedArticle> {
    const written = isUuid(input.id)
      ? await this.deps.store.update({
          ...input,
          at: this.deps.now(),
          alongside: (client, article) =>
            this.deps.operators.audit(
              {
                operatorId: input.operatorId,
                action: 'help.article_updated',
                target: input.id,
                details: {
                  version: article.version,
                  category: input.category,
                  title: input.texts['zh-CN'].title,
                },
              },
              client,
            ),
        })
      : null;
    if (!written) throw new AppError('HELP_ARTICLE_NOT_FOUND');
    if ('changed' in written)
      throw new AppError('HELP_ARTICLE_CHANGED', { details: { version: written.changed } });
    return managed(written);
  }

  /** Publish or unpublish; asking for the state it is in changes nothing (and says so in the audit). */
  async setPublished(input: { id: string; published: boolean; operatorId: string }): Promise<ManagedArticle> {
    const outcome = isUuid(input.id)
      ? await this.deps.store.setPublished({
          ...input,
          at: this.deps.now(),
          alongside: (client, { changed }) =>
            this.deps.operators.audit(
              {
                operatorId: input.operatorId,
                action: input.published ? 'help.article_published' : 'help.article_unpublished',
                target: input.id,
                details: { changed },
              },
              client,
            ),
        })
      : null;
    if (!outcome) throw new AppError('HELP_ARTICLE_NOT_FOUND');
    return this.managedArticle(input.id);
  }

  // ---- feedback -------------------------------------------------------------------------------

  async sendFeedback(input: {
    userId: string;
    rating: number;
    text: string;
    screen: string | null;
    userAgent: string | null;
  }): Promise<{ id: string; createdAt: Date }> {
    const now = this.deps.now();
    const outcome = await this.deps.store.insertFeedback(
      {
        id: newId(),
        user_id: input.userId,
        rating: input.rating,
        text: input.text,
        screen: input.screen,
        user_agent: input.userAgent?.slice(0, 300) ?? null,
        created_at: now,
      },
      { max: this.deps.settings.feedbackPerDay, since: new Date(now.getTime() - DAY_MS) },
    );
    if ('limited' in outcome) {
      const retryAfterSeconds = Math.max(
        1,
        Math.ceil((outcome.limited.getTime() + DAY_MS - now.getTime()) / 1000),
      );
      throw new AppError('HELP_FEEDBACK_LIMITED', {
        retryAfterSeconds,
        details: { perDay: this.deps.settings.feedbackPerDay },
      });
    }
    return { id: outcome.row.id, createdAt: outcome.row.created_at };
  }

  async listFeedback(input: {
    rating: number | null;
    screen: string | null;
    text: string | null;
    before: string | null;
    limit: number;
  }): Promise<{
    feedback: FeedbackView[];
    next: string | null;
    summary: { count: number; ratings: number[]; average: number | null };
  }> {
    let before: { createdAt: Date; id: string } | null = null;
    if (input.before) {
      const row = isUuid(input.before) ? await this.deps.store.feedbackRow(input.before) : null;
      if (!row) throw new AppError('VALIDATION_FAILED', { details: { fields: ['before'] } });
      before = { createdAt: row.created_at, id: row.id };
    }
    const filter = { rating: input.rating, screen: input.screen, text: input.text };
    const [rows, summary] = await Promise.all([
      this.deps.store.listFeedback({ ...filter, before, limit: input.limit + 1 }),
      this.deps.store.feedbackSummary(filter),
    ]);
    const page = rows.slice(0, input.limit);
    const phones = new Map<string, string | null>();
    for (const userId of new Set(page.map((row) => row.user_id))) {
      const user = await this.deps.identity.getUser(userId);
      phones.set(userId, user ? maskPhone(user.phone) : null);
    }
    const total = summary.ratings.reduce((sum, n, i) => sum + n * (i + 1), 0);
    return {
      feedback: page.map((row) => feedbackView(row, phones.get(row.user_id) ?? null)),
      next: rows.length > input.limit ? page[page.length - 1]!.id : null,
      summary: {
        ...summary,
        average: summary.count === 0 ? null : Math.round((total / summary.count) * 100) / 100,
      },
    };
  }
}

function summary(row: FoundRow): ArticleSummary {
  return {
    id: row.id,
    category: row.category,
    title: row.title,
    excerpt: excerptOf(row.body),
    updatedAt: row.updated_at,
  };
}

/** The body's first words as plain text (no list marks, no bold). */
export function excerptOf(body: string): string {
  const plain = body
    .replace(/\*\*/g, '')
    .replace(/^\s*(?:[-*]|\d+\.)\s+/gm, '')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > EXCERPT_LENGTH ? `${plain.slice(0, EXCERPT_LENGTH)}…` : plain;
}

function managed(found: { article: ArticleRow; texts: Texts }): ManagedArticle {
  const { article, texts } = found;
  return {
    id: article.id,
    category: article.category,
    position: article.position,
    published: article.published,
    version: article.version,
    createdAt: article.created_at,
    updatedAt: article.updated_at,
    updatedBy: article.updated_by,
    publishedAt: article.published_at,
    texts,
  };
}

function feedbackView(row: FeedbackRow, phone: string | null): FeedbackView {
  return {
    id: row.id,
    rating: row.rating,
    text: row.text,
    screen: row.screen,
    userAgent: row.user_agent,
    createdAt: row.created_at,
    holder: { id: row.user_id, phone },
  };
}
