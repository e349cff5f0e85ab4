import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, signedIn } from '../../auth/index.ts';
import { errorResponses } from '../../http/responses.ts';
import type { ArticleSummary, ArticleView, FeedbackView, HelpService, ManagedArticle } from './service.ts';
import { CATEGORIES, LANGS } from './store.ts';

const PUBLIC_TAGS = ['help'];
const OPERATOR_TAGS = ['operator: help centre and feedback'];

const lang = z.enum(LANGS).default('zh-CN').meta({ description: 'The language: zh-CN (default) or en.' });
const category = z.enum(CATEGORIES).meta({
  description: 'account, cards, payments, redpackets, security or merchants.',
});
const articleId = z.string().max(64).meta({ description: 'The article id.' });

const summarySchema = z.object({
  id: z.string().meta({ description: 'The article id.' }),
  category: category,
  title: z.string().meta({ description: 'Its title in the language asked for.' }),
  excerpt: z.string().meta({ description: 'The first words of its body, as plain text.' }),
  updatedAt: z.string().meta({ description: 'When it was last changed (ISO 8601).' }),
});

const articleSchema = z.object({
  id: z.string().meta({ description: 'The article id.' }),
  lang: z.enum(LANGS).meta({ description: 'The language of title and body.' }),
  category: category,
  title: z.string().meta({ description: 'The title.' }),
  body: z.string().meta({
    description:
      'Paragraphs separated by a blank line; lines starting "- " or "1. " are list items; **bold**.',
  }),
  updatedAt: z.string().meta({ description: 'When it was last changed (ISO 8601).' }),
});

const textInput = z.strictObject({
  title: z.string().trim().min(1).max(100).meta({ description: 'At most 100 characters.' }),
  body: z
    .string()
    .trim()
    .min(1)
    .max(20000)
    .meta({ description: 'At most 20,000 characters (format: see body).' }),
});
const textsInput = z
  .strictObject({ 'zh-CN': textInput, en: textInput })
  .meta({ description: 'The article in both languages (both required).' });
const articleInput = {
  category,
  position: z
    .number()
    .int()
    .min(0)
    .max(9999)
    .meta({ description: 'Order within its category, smallest first.' }),
  texts: textsInput,
};

const managedSchema = z.object({
  id: z.string().meta({ description: 'The article id.' }),
  category: category,
  position: z.number().meta({ description: 'Order within its category.' }),
  published: z.boolean().meta({ description: 'Whether holders see it.' }),
  version: z
    .number()
    .meta({ description: 'Moves on with each edit; an edit names the version it started from.' }),
  createdAt: z.string().meta({ description: 'ISO 8601.' }),
  updatedAt: z.string().meta({ description: 'ISO 8601.' }),
  updatedBy: z.string().nullable().meta({ description: 'The operator of the last change (null: seeded).' }),
  publishedAt: z.string().nullable().meta({ description: 'When it was last published (ISO 8601).' }),
  texts: z
    .object({
      'zh-CN': z.object({ title: z.string(), body: z.string() }),
      en: z.object({ title: z.string(), body: z.string() }),
    })
    .meta({ description: 'Title and body in each language.' }),
});

const feedbackSchema = z.object({
  id: z.string().meta({ description: 'The feedback id.' }),
  rating: z.number().meta({ description: '1 (poor) to 5 (very good).' }),
  text: z.string().meta({ description: 'What the holder wrote (may be empty).' }),
  screen: z.string().nullable().meta({ description: 'The screen it was sent from, if given.' }),
  userAgent: z.string().nullable().meta({ description: "The holder's browser (User-Agent), cut to 300." }),
  createdAt: z.string().meta({ description: 'ISO 8601.' }),
  holder: z
    .object({
      id: z.string().meta({ description: 'The holder (user id).' }),
      phone: z.string().nullable().meta({ description: 'Their number, masked.' }),
    })
    .meta({ description: 'Who sent it.' }),
});

const iso = (date: Date | null) => date?.toISOString() ?? null;
const summaryJson = (a: ArticleSummary) => ({ ...a, updatedAt: a.updatedAt.toISOString() });
const articleJson = (a: ArticleView) => ({ ...a, updatedAt: a.updatedAt.toISOString() });
const managedJson = (a: ManagedArticle) => ({
  ...a,
  createdAt: a.createdAt.toISOString(),
  updatedAt: a.updatedAt.toISOString(),
  publishedAt: iso(a.publishedAt),
});
const feedbackJson = (f: FeedbackView) => ({ ...f, createdAt: f.createdAt.toISOString() });

export const helpRoutes: FastifyPluginCallbackZod<{ service: HelpService }> = (app, { service }, done) => {
  // ---- anyone, signed in or not ---------------------------------------------------------------

  app.get(
    '/v1/help/articles',
    {
      schema: {
        tags: PUBLIC_TAGS,
        summary: 'Search the help centre (published articles); all of them by category without q',
        description:
          'Works for Chinese (bigrams of Han characters) and English (stemmed words, as prefixes): docs/help.md.',
        querystring: z.object({
          q: z
            .string()
            .max(100)
            .default('')
            .meta({ description: 'What to look for; blank lists every article.' }),
          lang,
          category: category.optional(),
          limit: z.coerce
            .number()
            .int()
            .min(1)
            .max(50)
            .default(20)
            .meta({ description: 'At most this many.' }),
        }),
        response: { 200: z.object({ articles: z.array(summarySchema) }), ...errorResponses(400) },
      },
    },
    async (request) => {
      const { q, lang, limit } = request.query;
      const articles = await service.search({ q, lang, limit, category: request.query.category ?? null });
      return { articles: articles.map(summaryJson) };
    },
  );

  app.get(
    '/v1/help/articles/:id',
    {
      schema: {
        tags: PUBLIC_TAGS,
        summary: 'A published article',
        params: z.object({ id: articleId }),
        querystring: z.object({ lang }),
        response: { 200: articleSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) =>
      articleJson(await service.article({ id: request.params.id, lang: request.query.lang })),
  );

  // ---- holders --------------------------------------------------------------------------------

  app.post(
    '/v1/me/feedback',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: PUBLIC_TAGS,
          summary: 'Send feedback on the app (HELP_FEEDBACK_PER_DAY per 24 hours)',
          body: z.strictObject({
            rating: z.number().int().min(1).max(5).meta({ description: '1 (poor) to 5 (very good).' }),
            text: z.string().trim().max(1000).default('').meta({ description: 'At most 1,000 characters.' }),
            screen: z
              .string()
              .trim()
              .min(1)
              .max(100)
              .optional()
              .meta({ description: 'The screen it is about (a path of the app), if any.' }),
          }),
          response: {
            201: z.object({
              id: z.string().meta({ description: 'The feedback id.' }),
              createdAt: z.string().meta({ description: 'ISO 8601.' }),
            }),
            ...errorResponses(400, 429),
          },
        },
      },
    ),
    async (request, reply) => {
      const { userId } = principalOf(request, 'holder');
      const sent = await service.sendFeedback({
        userId,
        rating: request.body.rating,
        text: request.body.text,
        screen: request.body.screen ?? null,
        userAgent: request.headers['user-agent'] ?? null,
      });
      return reply.code(201).send({ id: sent.id, createdAt: sent.createdAt.toISOString() });
    },
  );

  // ---- operators: articles (help:manage, audited) ---------------------------------------------

  const manage = { principal: 'operator', permission: 'help:manage' } as const;

  app.get(
    '/v1/operator/help/articles',
    signedIn(app, manage, {
      schema: {
        tags: OPERATOR_TAGS,
        summary: 'Every article, drafts too, by category and position',
        response: { 200: z.object({ articles: z.array(managedSchema) }), ...errorResponses(400) },
      },
    }),
    async () => ({ articles: (await service.managedArticles()).map(managedJson) }),
  );

  app.get(
    '/v1/operator/help/articles/:id',
    signedIn(app, manage, {
      schema: {
        tags: OPERATOR_TAGS,
        summary: 'One article in both languages',
        params: z.object({ id: articleId }),
        response: { 200: managedSchema, ...errorResponses(400, 404) },
      },
    }),
    async (request) => managedJson(await service.managedArticle(request.params.id)),
  );

  app.post(
    '/v1/operator/help/articles',
    signedIn(app, manage, {
      schema: {
        tags: OPERATOR_TAGS,
        summary: 'Write a new article (a draft until published)',
        body: z.strictObject(articleInput),
        response: { 201: managedSchema, ...errorResponses(400) },
      },
    }),
    async (request, reply) => {
      const operator = principalOf(request, 'operator');
      const article = await service.create({ ...request.body, operatorId: operator.id });
      return reply.code(201).send(managedJson(article));
    },
  );

  app.put(
    '/v1/operator/help/articles/:id',
    signedIn(app, manage, {
      schema: {
        tags: OPERATOR_TAGS,
        summary: 'Change an article (both languages); HELP_ARTICLE_CHANGED if someone saved it meanwhile',
        params: z.object({ id: articleId }),
        body: z.strictObject({
          ...articleInput,
          version: z.number().int().min(1).meta({ description: 'The version the edit started from.' }),
        }),
        response: { 200: managedSchema, ...errorResponses(400, 404, 409) },
      },
    }),
    async (request) => {
      const operator = principalOf(request, 'operator');
      return managedJson(
        await service.update({ ...request.body, id: request.params.id, operatorId: operator.id }),
      );
    },
  );

  app.post(
    '/v1/operator/help/articles/:id/publication',
    signedIn(app, manage, {
      schema: {
        tags: OPERATOR_TAGS,
        summary: 'Publish (holders see it) or unpublish an article',
        params: z.object({ id: articleId }),
        body: z.strictObject({
          published: z.boolean().meta({ description: 'true: publish; false: take it down.' }),
        }),
        response: { 200: managedSchema, ...errorResponses(400, 404) },
      },
    }),
    async (request) => {
      const operator = principalOf(request, 'operator');
      return managedJson(
        await service.setPublished({
          id: request.params.id,
          published: request.body.published,
          operatorId: operator.id,
        }),
      );
    },
  );

  // ---- operators: feedback (tickets:answer) ---------------------------------------------------

  app.get(
    '/v1/operator/feedback',
    signedIn(
      app,
      { principal: 'operator', permission: 'tickets:answer' },
      {
        schema: {
          tags: OPERATOR_TAGS,
          summary: "Holders' feedback on the app, newest first, with the filters' count and average rating",
          querystring: z.object({
            rating: z.coerce
              .number()
              .int()
              .min(1)
              .max(5)
              .optional()
              .meta({ description: 'Only this rating.' }),
            screen: z
              .string()
              .trim()
              .min(1)
              .max(100)
              .optional()
              .meta({ description: 'Only from this screen.' }),
            q: z
              .string()
              .trim()
              .min(1)
              .max(100)
              .optional()
              .meta({ description: 'Only texts containing this.' }),
            before: z.string().max(64).optional().meta({ description: 'The `next` of the previous page.' }),
            limit: z.coerce
              .number()
              .int()
              .min(1)
              .max(100)
              .default(50)
              .meta({ description: 'At most this many.' }),
          }),
          response: {
            200: z.object({
              feedback: z.array(feedbackSchema),
              next: z
                .string()
                .nullable()
                .meta({ description: 'Pass as `before` for the next page; null at the end.' }),
              summary: z
                .object({
                  count: z.number().meta({ description: 'How many match the filters.' }),
                  ratings: z.array(z.number()).meta({ description: 'How many of each rating, 1 to 5.' }),
                  average: z.number().nullable().meta({ description: 'Their average rating (2 decimals).' }),
                })
                .meta({ description: 'Over everything the filters select, not just this page.' }),
            }),
            ...errorResponses(400),
          },
        },
      },
    ),
    async (request) => {
      const { rating, screen, q, before, limit } = request.query;
      const page = await service.listFeedback({
        rating: rating ?? null,
        screen: screen ?? null,
        text: q ?? null,
        before: before ?? null,
        limit,
      });
      return { ...page, feedback: page.feedback.map(feedbackJson) };
    },
  );

  done();
};
