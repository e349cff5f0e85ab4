/**
 * Red packets (capability C8, issue 13): made by app.ts with what it needs
 * (`createRedPacketsModule`); declared in module.ts. docs/redpackets.md, ADR 0019.
 */
import type { FastifyPluginAsync } from 'fastify';
import { RedPacketHistory } from './history.ts';
import { redPacketsJobs } from './jobs.ts';
import { redPacketsRoutes } from './routes.ts';
import { RedPacketsService } from './service.ts';
import type { RedPacketsServiceDeps } from './service.ts';

export { RED_PACKET_EVENTS, RED_PACKET_NOTICES } from './events.ts';
export { RED_PACKET_JOBS, redPacketsDeclaration } from './module.ts';
export { RedPacketsService, claimTransferId, refundTransferId } from './service.ts';
export { redPacketPaymentId } from './routes.ts';

export function createRedPacketsModule(deps: RedPacketsServiceDeps) {
  const service = new RedPacketsService(deps);
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(redPacketsRoutes, { service });
  };
  return {
    service,
    routes,
    jobs: redPacketsJobs(service),
    /** History's description of this module's ledger transfers (history.ts). */
    history: new RedPacketHistory(service.records),
  };
}
