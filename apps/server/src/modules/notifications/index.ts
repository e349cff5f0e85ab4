/**
 * The notifications module: the holder's in-app inbox. Notices of domain events come through its
 * outbox subscriber (`inboxSubscriber`, given each module's `NoticeRenderers`); other notices
 * through `NotificationsService.notify(userId, { kind, params, title, body })`.
 */
import type { FastifyPluginAsync } from 'fastify';
import type pg from 'pg';
import { LiveNotifications } from './live.ts';
import { notificationsRoutes } from './routes.ts';
import { notificationStreamRoute } from './stream.ts';
import { NotificationsService } from './service.ts';
import type { LargeAmountSms } from './service.ts';
import { NotificationsStore } from './store.ts';

export { notificationsMigrations } from './migrations.ts';
export { LiveNotifications, type LiveListener } from './live.ts';
export { serveLiveStream, type LiveStream } from './serve-stream.ts';
export {
  INBOX_SUBSCRIBER,
  inboxSubscriber,
  noticeIdOf,
  type EventNotice,
  type NoticeRenderers,
} from './subscriber.ts';
export {
  NotificationsService,
  NOTIFICATION_LOCALES,
  type Notification,
  type NotificationInput,
  type NotificationLocale,
  type NotificationPage,
  type NotificationParams,
  type LocalizedText,
  type LargeAmountSms,
} from './service.ts';

export interface NotificationsModuleDeps {
  pool: pg.Pool;
  now: () => Date;
  log: { warn(object: object, message: string): void };
  /** How often an open stream re-checks its session and sends a keep-alive (default 25 s). */
  streamHeartbeatMs?: number;
  /** Texts money notices at or above its threshold. */
  largeAmountSms?: LargeAmountSms;
}

export function createNotificationsModule(deps: NotificationsModuleDeps) {
  const live = new LiveNotifications(deps.pool, deps.log);
  const service = new NotificationsService(
    new NotificationsStore(deps.pool),
    deps.now,
    live,
    deps.largeAmountSms ?? null,
  );
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(notificationsRoutes, { service });
    await app.register(notificationStreamRoute, {
      service,
      live,
      heartbeatMs: deps.streamHeartbeatMs ?? 25_000,
    });
  };
  return { service, live, routes };
}
