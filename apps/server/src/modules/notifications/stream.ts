import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, signedIn } from '../../auth/index.ts';
import { errorResponses } from '../../http/responses.ts';
import type { LiveNotifications } from './live.ts';
import { serveLiveStream } from './serve-stream.ts';
import { localeOf, notificationJson } from './routes.ts';
import type { NotificationsService } from './service.ts';

export interface NotificationStreamOptions {
  service: Pick<NotificationsService, 'unreadCount'>;
  live: LiveNotifications;
  heartbeatMs: number;
}

/**
 * `GET /v1/me/notifications/stream`: server-sent events. `ready` (with the unread count) on
 * connect, then `notification` for each new one, as the inbox renders it. Every heartbeat the
 * session is checked again, so signing out (anywhere) ends the stream within one heartbeat.
 */
export const notificationStreamRoute: FastifyPluginCallbackZod<NotificationStreamOptions> = (
  app,
  { service, live, heartbeatMs },
  done,
) => {
  app.get(
    '/v1/me/notifications/stream',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: ['notifications'],
          summary: 'New notifications as they arrive (server-sent events)',
          description:
            'text/event-stream. Events: `ready` {unreadCount}, `notification` (same shape as the inbox items). ' +
            'Comment lines keep the connection alive. At most 5 streams per holder.',
          querystring: z.object({ lang: z.enum(['zh-CN', 'en']).optional() }),
          response: errorResponses(429),
        },
      },
    ),
    async (request, reply) => {
      const { userId } = principalOf(request, 'holder');
      const locale = localeOf(request, request.query.lang);
      const unreadCount = await service.unreadCount(userId);
      return serveLiveStream(reply, {
        live,
        key: userId,
        heartbeatMs,
        ready: { unreadCount },
        toEvent: (notification) => ({ event: 'notification', data: notificationJson(notification, locale) }),
        // The session may have ended (sign-out on any instance, expiry): checked every heartbeat.
        stillAllowed: () => app.authenticators.holder(request),
        tooMany: 'Too many open notification streams.',
      });
    },
  );
  done();
};
