/**
 * Transaction history: every movement of a holder's wallet, from the module's projection of the
 * ledger (`history_entries`, fed by projector.ts), described by the modules that made them (the
 * transfers service for wallet transfers, funding for bank transfers).
 */
import type { FastifyPluginAsync } from 'fastify';
import type pg from 'pg';
import type { ReplicaReads } from '../../replica.ts';
import type { IdentityService } from '../identity/index.ts';
import type { TransfersService } from '../transfers/index.ts';
import { historyJobs } from './jobs.ts';
import { HistoryProjector } from './projector.ts';
import type { FundingDescriber } from './projector.ts';
import { historyRoutes } from './routes.ts';
import { HistoryService } from './service.ts';
import { HistoryStore } from './store.ts';
import { historySubscriber } from './subscriber.ts';

export { HISTORY_ERRORS, type HistoryErrorCode } from './errors.ts';
export { HISTORY_JOBS } from './jobs.ts';
export { HISTORY_SUBSCRIBER } from './subscriber.ts';
export { HistoryProjector, PROJECTION_CHUNK, type CatchUpResult } from './projector.ts';
export { HistoryService, type CodeDescription, type Transaction, type TransactionFilter } from './service.ts';
export { receiptPdf } from './receipt-pdf.ts';

export interface HistoryModuleDeps {
  /** The module's tables, and the ledger's feed (`listTransfersAfter`) on the same database. */
  pool: pg.Pool;
  transfers: Pick<TransfersService, 'describeMany'>;
  /** The funding module's records of its bank transfers (the account, the note). */
  funding?: FundingDescriber;
  identity: Pick<IdentityService, 'findUserByPhone'>;
  /** Pages and entries from a caught-up replica when one is configured (ADR 0027). */
  reads?: ReplicaReads;
}

export function createHistoryModule(deps: HistoryModuleDeps) {
  const store = new HistoryStore(deps.pool);
  const projector = new HistoryProjector({
    pool: deps.pool,
    store,
    transfers: deps.transfers,
    funding: deps.funding,
  });
  const service = new HistoryService({ store, projector, identity: deps.identity, reads: deps.reads });
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(historyRoutes, { service });
  };
  return {
    service,
    projector,
    routes,
    jobs: historyJobs(projector),
    subscriber: historySubscriber({ store, projector }),
  };
}
