/**
 * Red packets (capability C8, issue 13): made by app.ts with what it needs
 * (`createRedPacketsModule`); declared in module.ts. docs/redpackets.md, ADR 0019.
 */
import type { FastifyPluginAsync } from 'fastify';
import { RedPacketHistory } from './history.ts';
import { redPacketsJobs } from './jobs.ts';
import { redPacketsRoutes } from './routes.ts';
import { redPacketLiveSubscriber } from './live.ts';
import { redPacketLiveRoutes } from './live-routes.ts';
import type { LiveNotifications } from '../notifications/index.ts';
import { RedPacketsService } from './service.ts';
import type { RedPacketsServiceDeps } from './service.ts';

export { RED_PACKET_EVENTS, RED_PACKET_NOTICES } from './events.ts';
export { RED_PACKET_JOBS, redPacketsDeclaration } from './module.ts';
export { RedPacketsService, claimTransferId, refundTransferId } from './service.ts';
export { redPacketPaymentId } from './routes.ts';

export function createRedPacketsModule(
  deps: RedPacketsServiceDeps & {
    /** The sender's live view rides the notifications' LISTEN/NOTIFY channel (live.ts). */
    live: Pick<LiveNotifications, 'publish' | 'subscribe'>;
    /** How often a live stream checks its session again (default 25 s). */
    streamHeartbeatMs?: number;
  },
) {
  const service = new RedPacketsService(deps);
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(redPacketsRoutes, { service });
    await app.register(redPacketLiveRoutes, {
      service,
      live: deps.live,
      heartbeatMs: deps.streamHeartbeatMs ?? 25_000,
    });
  };
  return {
    service,
    routes,
    jobs: redPacketsJobs(service),
    /** History's description of this module's ledger transfers (history.ts). */
    history: new RedPacketHistory(service.records),
    /** Pushes each claim and the refund to the sender's open page (live.ts). */
    liveSubscriber: redPacketLiveSubscriber(deps.live),
  };
}
