/**
 * The disputes module (issue 15): made by app.ts with what it needs (`createDisputesModule`);
 * declared in module.ts. Other modules use its service, never its tables. docs/disputes.md.
 */
import type { FastifyPluginAsync } from 'fastify';
import type pg from 'pg';
import type { OutboxWake } from '../../outbox/index.ts';
import type { OperatorService } from '../operator/index.ts';
import { disputesJobs } from './jobs.ts';
import { disputesRoutes } from './routes.ts';
import { DisputesService } from './service.ts';
import type { DisputesServiceDeps } from './service.ts';
import { DisputesStore } from './store.ts';

export { DISPUTES_JOBS } from './module.ts';
export { DISPUTE_EVENTS, DISPUTE_NOTICES } from './events.ts';
export { DisputesService, disputeGoodwillAccountId } from './service.ts';
export type { DisputeView, DisputeDetail, Eligibility } from './service.ts';
export { DISPUTE_STATUSES, OPEN_STATUSES, transition } from './states.ts';
export type { DisputeStatus } from './states.ts';

export function createDisputesModule(
  deps: Omit<DisputesServiceDeps, 'store' | 'audit'> & {
    pool: pg.Pool;
    events: OutboxWake;
    /** Every operator step is audited. */
    operators: Pick<OperatorService, 'audit'>;
  },
) {
  const service = new DisputesService({
    ...deps,
    store: new DisputesStore(deps.pool, deps.events),
    audit: (entry, client) => deps.operators.audit(entry, client),
  });
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(disputesRoutes, { service, operators: deps.operators });
  };
  return { service, routes, jobs: disputesJobs(service) };
}
