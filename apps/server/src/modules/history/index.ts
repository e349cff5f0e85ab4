/**
 * Transaction history: every movement of a holder's wallet, read from the ledger and described
 * by the modules that made it (the transfers service for wallet transfers). No tables of its own.
 */
import type { FastifyPluginAsync } from 'fastify';
import { historyRoutes } from './routes.ts';
import { HistoryService } from './service.ts';
import type { HistoryServiceDeps } from './service.ts';

export { HISTORY_ERRORS, type HistoryErrorCode } from './errors.ts';
export { HistoryService, type CodeDescription, type Transaction, type TransactionFilter } from './service.ts';
export { receiptPdf } from './receipt-pdf.ts';

export type HistoryModuleDeps = HistoryServiceDeps;

export function createHistoryModule(deps: HistoryModuleDeps) {
  const service = new HistoryService(deps);
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(historyRoutes, { service });
  };
  return { service, routes };
}
