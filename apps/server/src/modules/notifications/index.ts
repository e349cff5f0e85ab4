/**
 * The notifications module: the holder's in-app inbox. Other modules call
 * `NotificationsService.notify(userId, { kind, params, title, body })`.
 */
import type { FastifyPluginAsync } from 'fastify';
import type pg from 'pg';
import { notificationsRoutes } from './routes.ts';
import { NotificationsService } from './service.ts';
import { NotificationsStore } from './store.ts';

export { notificationsMigrations } from './migrations.ts';
export {
  NotificationsService,
  NOTIFICATION_LOCALES,
  type Notification,
  type NotificationInput,
  type NotificationLocale,
  type NotificationPage,
  type NotificationParams,
  type LocalizedText,
} from './service.ts';

export interface NotificationsModuleDeps {
  pool: pg.Pool;
  now: () => Date;
}

export function createNotificationsModule(deps: NotificationsModuleDeps) {
  const service = new NotificationsService(new NotificationsStore(deps.pool), deps.now);
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(notificationsRoutes, { service });
  };
  return { service, routes };
}
