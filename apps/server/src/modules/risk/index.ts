/**
 * The risk module (issue 11): made by app.ts with what it needs (`createRiskModule`); declared
 * in module.ts. Its service is the payments pipeline's risk step and judges sign-ins; other
 * modules use the service, never its tables. docs/risk.md.
 */
import type { FastifyPluginAsync } from 'fastify';
import type pg from 'pg';
import type { PlaceLookup } from '../../adapters/places/index.ts';
import type { JobDefinition } from '../../jobs/index.ts';
import type { HeldPayments, RiskStep } from '../../payments/index.ts';
import type { OperatorService } from '../operator/index.ts';
import { riskJobs } from './jobs.ts';
import { riskRoutes } from './routes.ts';
import { RiskService } from './service.ts';
import type { RiskServiceDeps } from './service.ts';
import { PgRiskStateStore, RiskStore } from './store.ts';
import { CaseStore } from './case-store.ts';
import { ReviewCaseService } from './cases.ts';
import { caseRoutes } from './case-routes.ts';

export { RiskService } from './service.ts';
export { ReviewCaseService } from './cases.ts';
export { RISK_JOBS } from './jobs.ts';

export function createRiskModule(
  deps: Pick<
    RiskServiceDeps,
    'freeze' | 'security' | 'identity' | 'balanceOf' | 'now' | 'log' | 'observe'
  > & {
    pool: pg.Pool;
    places: PlaceLookup;
    operators: Pick<OperatorService, 'audit'>;
    /** Who settles a held payment of each kind (the modules that hold register there). */
    held: HeldPayments;
    reviewHours: number;
  },
) {
  const state = new PgRiskStateStore(deps.pool, deps.places);
  const service = new RiskService({
    ...deps,
    store: new RiskStore(deps.pool),
    state,
  });
  const cases = new ReviewCaseService({
    store: new CaseStore(deps.pool),
    held: deps.held,
    reviewHours: deps.reviewHours,
    recordSuccess: (input) => service.moved(input),
    now: deps.now,
    log: deps.log,
  });
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(riskRoutes, { service, operators: deps.operators });
    await app.register(caseRoutes, {
      cases,
      operators: deps.operators,
      context: (input) => service.caseContext(input),
    });
  };
  const jobs: JobDefinition[] = riskJobs({ state, cases, now: deps.now });
  /** The payments pipeline's risk step: the engine's judgement, step-ups and review cases. */
  const step: RiskStep = {
    judge: (input) => service.judge(input),
    moved: (input) => service.moved(input),
    received: (input) => service.received(input),
    judgeRefund: (input) => service.judgeRefund(input),
    stepUps: service.stepUps,
    reviews: cases,
  };
  return { service, cases, step, routes, jobs };
}
