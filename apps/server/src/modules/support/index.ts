/**
 * The support module (issue 15, C16): holders' tickets and live chat with customer service, the
 * console's queue, answers from templates, live updates both ways (docs/support.md). Made by
 * app.ts (`createSupportModule`); declared in module.ts. Other modules use its service.
 */
import type { FastifyPluginAsync } from 'fastify';
import type pg from 'pg';
import type { JobDefinition } from '../../jobs/index.ts';
import type { HistoryService } from '../history/index.ts';
import type { NotificationsService } from '../notifications/index.ts';
import type { OperatorService } from '../operator/index.ts';
import { supportJobs } from './jobs.ts';
import type { SupportLive } from './live.ts';
import type { SupportSettings } from './module.ts';
import { supportOperatorRoutes } from './operator-routes.ts';
import { supportRoutes } from './routes.ts';
import { SupportService } from './service.ts';
import { SupportStore } from './store.ts';

export { SupportService, type TicketView, type MessageView, type Conversation } from './service.ts';
export { SUPPORT_JOBS, type SupportSettings } from './module.ts';

export interface SupportModuleDeps {
  pool: pg.Pool;
  settings: SupportSettings;
  history: Pick<HistoryService, 'get'>;
  notifications: Pick<NotificationsService, 'notify'>;
  /** The notifications module's live channel (notifications.live). */
  live: SupportLive;
  operators: Pick<OperatorService, 'audit'>;
  /** How often an open console stream re-checks its session (default 25 s). */
  streamHeartbeatMs?: number;
  now: () => Date;
  log: { warn(object: object, message: string): void };
}

export function createSupportModule(deps: SupportModuleDeps) {
  const service = new SupportService({
    store: new SupportStore(deps.pool),
    settings: deps.settings,
    history: deps.history,
    notifications: deps.notifications,
    live: deps.live,
    now: deps.now,
    log: deps.log,
  });
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(supportRoutes, { service, attachmentMaxBytes: deps.settings.attachmentMaxBytes });
    await app.register(supportOperatorRoutes, {
      service,
      operators: deps.operators,
      live: deps.live,
      heartbeatMs: deps.streamHeartbeatMs ?? 25_000,
    });
  };
  const jobs: JobDefinition[] = supportJobs(service);
  return { service, routes, jobs };
}
