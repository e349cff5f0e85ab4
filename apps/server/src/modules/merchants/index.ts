/**
 * The merchants module (issue 12): made by app.ts with what it needs (`createMerchantsModule`);
 * declared in module.ts. Other modules use its service, never its tables. docs/merchants.md.
 */
import type { FastifyPluginAsync } from 'fastify';
import type pg from 'pg';
import type { OutboxWake } from '../../outbox/index.ts';
import { merchantsRoutes } from './routes.ts';
import { MerchantsService } from './service.ts';
import type { MerchantsServiceDeps } from './service.ts';
import { MerchantsStore } from './store.ts';

export { MerchantsService } from './service.ts';
export { MERCHANT_EVENTS, MERCHANT_NOTICES } from './events.ts';
export { merchantsPaymentKinds } from './payment-kinds.ts';

export function createMerchantsModule(
  deps: Omit<MerchantsServiceDeps, 'store'> & { pool: pg.Pool; events: OutboxWake },
) {
  const service = new MerchantsService({ ...deps, store: new MerchantsStore(deps.pool, deps.events) });
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(merchantsRoutes, { service });
  };
  return { service, routes };
}
