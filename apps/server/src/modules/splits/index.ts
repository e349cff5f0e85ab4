/**
 * Splitting a bill (AA 收款, capability C8, issue 13): made by app.ts with what it needs
 * (`createSplitsModule`); declared in module.ts. docs/splits.md.
 */
import type { FastifyPluginAsync } from 'fastify';
import { SplitHistory } from './history.ts';
import { splitsRoutes } from './routes.ts';
import { SplitsService } from './service.ts';
import type { SplitsServiceDeps } from './service.ts';

export { SPLIT_EVENTS, SPLIT_NOTICES } from './events.ts';
export { splitsDeclaration } from './module.ts';
export { SplitsService, refundTransferId, shareTransferId } from './service.ts';

export function createSplitsModule(deps: SplitsServiceDeps) {
  const service = new SplitsService(deps);
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(splitsRoutes, { service });
  };
  return {
    service,
    routes,
    /** History's description of this module's ledger transfers (history.ts). */
    history: new SplitHistory(service.records),
  };
}
