import type { FastifyRequest } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, signedIn } from '../../auth/index.ts';
import { AppError } from '../../errors.ts';
import { errorResponses } from '../../http/responses.ts';
import { MAX_NOTIFICATIONS_PAGE } from './service.ts';
import type { Notification, NotificationLocale, NotificationsService } from './service.ts';

export interface NotificationsRoutesOptions {
  service: NotificationsService;
}

const TAGS = ['notifications'];
const DEFAULT_PAGE = 20;

const notificationSchema = z.object({
  id: z.string(),
  kind: z.string().meta({ description: 'Stable kind, e.g. security.new_device.' }),
  params: z.record(z.string(), z.unknown()),
  title: z.string(),
  body: z.string(),
  locale: z.enum(['zh-CN', 'en']).meta({ description: 'Language of title and body.' }),
  createdAt: z.string(),
  read: z.boolean(),
  readAt: z.string().nullable(),
});

const langQuery = z
  .enum(['zh-CN', 'en'])
  .optional()
  .meta({ description: 'Language of the texts; otherwise from Accept-Language, zh-CN by default.' });

/** The holder's in-app inbox under `/v1/me/notifications`. */
export const notificationsRoutes: FastifyPluginCallbackZod<NotificationsRoutesOptions> = (
  app,
  { service },
  done,
) => {
  app.get(
    '/v1/me/notifications',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'The inbox, newest first, with the unread count',
          querystring: z.object({
            cursor: z.string().max(200).optional().meta({ description: 'nextCursor of the previous page.' }),
            limit: z.coerce.number().int().min(1).max(MAX_NOTIFICATIONS_PAGE).default(DEFAULT_PAGE),
            lang: langQuery,
          }),
          response: {
            200: z.object({
              notifications: z.array(notificationSchema),
              nextCursor: z.string().nullable(),
              unreadCount: z.number().int(),
            }),
            ...errorResponses(400, 401),
          },
        },
      },
    ),
    async (request) => {
      const { userId } = principalOf(request, 'holder');
      const locale = localeOf(request, request.query.lang);
      const [page, unreadCount] = await Promise.all([
        service.list({ userId, cursor: request.query.cursor ?? null, limit: request.query.limit }),
        service.unreadCount(userId),
      ]);
      return {
        notifications: page.notifications.map((notification) => notificationJson(notification, locale)),
        nextCursor: page.nextCursor,
        unreadCount,
      };
    },
  );

  app.get(
    '/v1/me/notifications/unread-count',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'How many notifications are unread (for a badge)',
          response: { 200: z.object({ unreadCount: z.number().int() }), ...errorResponses(401) },
        },
      },
    ),
    async (request) => ({ unreadCount: await service.unreadCount(principalOf(request, 'holder').userId) }),
  );

  app.post(
    '/v1/me/notifications/:id/read',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Mark one notification read',
          description: "404 for any id that is not one of the holder's notifications.",
          params: z.object({ id: z.string().max(64) }),
          response: { 204: z.null(), ...errorResponses(401, 404) },
        },
      },
    ),
    async (request, reply) => {
      const { userId } = principalOf(request, 'holder');
      const found = await service.markRead({ userId, notificationId: request.params.id });
      if (!found) throw new AppError('NOT_FOUND', { message: 'No such notification.' });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/me/notifications/read-all',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Mark every notification read',
          response: { 200: z.object({ marked: z.number().int() }), ...errorResponses(401) },
        },
      },
    ),
    async (request) => ({ marked: await service.markAllRead(principalOf(request, 'holder').userId) }),
  );
  done();
};

export function localeOf(request: FastifyRequest, lang: NotificationLocale | undefined): NotificationLocale {
  if (lang) return lang;
  const accept = request.headers['accept-language'] ?? '';
  return /^\s*en\b/i.test(accept) ? 'en' : 'zh-CN';
}

export function notificationJson(notification: Notification, locale: NotificationLocale) {
  return {
    id: notification.id,
    kind: notification.kind,
    params: notification.params,
    title: notification.title[locale],
    body: notification.body[locale],
    locale,
    createdAt: notification.createdAt.toISOString(),
    read: notification.readAt !== null,
    readAt: notification.readAt?.toISOString() ?? null,
  };
}
