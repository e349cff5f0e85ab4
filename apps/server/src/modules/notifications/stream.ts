import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, signedIn } from '../../auth/index.ts';
import { errorResponses } from '../../http/responses.ts';
import type { LiveNotifications } from './live.ts';
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
      const raw = reply.raw;
      let open = true;
      const end = () => {
        if (!open) return;
        open = false;
        raw.end();
      };
      const unsubscribe = await live.subscribe(userId, {
        onNotification: (notification) => {
          if (open)
            raw.write(
              `event: notification\ndata: ${JSON.stringify(notificationJson(notification, locale))}\n\n`,
            );
        },
        onClose: end,
      });
      if (!unsubscribe) {
        return reply.code(429).send({
          error: { code: 'RATE_LIMITED', message: 'Too many open notification streams.', details: {} },
        });
      }
      reply.hijack();
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write(`event: ready\ndata: ${JSON.stringify({ unreadCount })}\n\n`);
      const heartbeat = setInterval(() => {
        // The session may have ended (sign-out on any instance, expiry): check it again.
        app.authenticators.holder(request).then(
          () => open && raw.write(': keep-alive\n\n'),
          () => end(),
        );
      }, heartbeatMs);
      raw.on('close', () => {
        open = false;
        clearInterval(heartbeat);
        unsubscribe();
      });
    },
  );
  done();
};
