/**
 * The risk module (issue 11): made by app.ts with what it needs (`createRiskModule`); declared
 * in module.ts. Its service is the payments pipeline's risk step and judges sign-ins; other
 * modules use the service, never its tables. docs/risk.md.
 */
import type { FastifyPluginAsync } from 'fastify';
import type pg from 'pg';
import type { PlaceLookup } from '../../adapters/places/index.ts';
import type { JobDefinition } from '../../jobs/index.ts';
import type { OperatorService } from '../operator/index.ts';
import { riskJobs } from './jobs.ts';
import { riskRoutes } from './routes.ts';
import { RiskService } from './service.ts';
import type { RiskServiceDeps } from './service.ts';
import { PgRiskStateStore, RiskStore } from './store.ts';

export { RiskService } from './service.ts';
export { RISK_JOBS } from './jobs.ts';

export function createRiskModule(
  deps: Pick<
    RiskServiceDeps,
    'freeze' | 'security' | 'identity' | 'balanceOf' | 'now' | 'log' | 'observe'
  > & {
    pool: pg.Pool;
    places: PlaceLookup;
    operators: Pick<OperatorService, 'audit'>;
  },
) {
  const state = new PgRiskStateStore(deps.pool, deps.places);
  const service = new RiskService({
    ...deps,
    store: new RiskStore(deps.pool),
    state,
  });
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(riskRoutes, { service, operators: deps.operators });
  };
  const jobs: JobDefinition[] = riskJobs({ state, now: deps.now });
  return { service, routes, jobs };
}
