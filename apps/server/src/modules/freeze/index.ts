/**
 * The freeze module (capability C15, issue 11): a holder's wallet frozen in full or to
 * receive-only — by the holder, a lost-phone report, the risk engine or an operator — and lifted
 * by the holder after an identity check or by an operator. Made by app.ts (`createFreezeModule`);
 * declared in module.ts. Other modules use its service, never its tables. See docs/freeze.md.
 */
import type { FastifyPluginAsync } from 'fastify';
import type pg from 'pg';
import type { JobDefinition } from '../../jobs/index.ts';
import type { OutboxWake } from '../../outbox/index.ts';
import type { OperatorService } from '../operator/index.ts';
import { freezeRoutes } from './routes.ts';
import { FreezeService } from './service.ts';
import type { FreezeServiceDeps } from './service.ts';
import { FreezeStore } from './store.ts';

export { freezeMigrations } from './migrations.ts';
export { FREEZE_ERRORS, type FreezeErrorCode } from './errors.ts';
export {
  FREEZE_EVENTS,
  FREEZE_NOTICES,
  type FrozenPayload,
  type LiftedPayload,
  type LossReportedPayload,
} from './events.ts';
export {
  FreezeService,
  type FreezeMode,
  type FreezeSource,
  type FreezeState,
  type RequestContext,
} from './service.ts';

export interface FreezeModuleDeps {
  pool: pg.Pool;
  identity: FreezeServiceDeps['identity'];
  security: FreezeServiceDeps['security'];
  /** The operator audit log (operators' freezes and lifts are in it as well as in freeze_audit). */
  operators: Pick<OperatorService, 'audit'>;
  /** Woken after a freeze, a lift or a lost-phone report commits with its event (outbox/). */
  events: OutboxWake;
  now: () => Date;
}

export function createFreezeModule(deps: FreezeModuleDeps) {
  const service = new FreezeService({
    store: new FreezeStore(deps.pool, deps.events),
    identity: deps.identity,
    security: deps.security,
    now: deps.now,
  });
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(freezeRoutes, { service, operators: deps.operators });
  };
  const jobs: JobDefinition[] = [];
  return { service, routes, jobs };
}
