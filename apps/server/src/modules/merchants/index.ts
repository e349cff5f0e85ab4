/**
 * The merchants module (issue 12): made by app.ts with what it needs (`createMerchantsModule`);
 * declared in module.ts. Other modules use its service, never its tables. docs/merchants.md.
 */
import type { FastifyPluginAsync } from 'fastify';
import type pg from 'pg';
import type { OutboxWake } from '../../outbox/index.ts';
import { PaymentCodes } from './payment-codes.ts';
import type { PaymentCodeDeps } from './payment-codes.ts';
import { merchantsRoutes } from './routes.ts';
import { MerchantsService } from './service.ts';
import type { MerchantsServiceDeps } from './service.ts';
import { MerchantsStore } from './store.ts';

export { MerchantsService } from './service.ts';
export { PaymentCodes } from './payment-codes.ts';
export { MERCHANT_EVENTS, MERCHANT_NOTICES } from './events.ts';
export { merchantsPaymentKinds } from './payment-kinds.ts';

export function createMerchantsModule(
  deps: Omit<MerchantsServiceDeps, 'store' | 'codes'> &
    Pick<PaymentCodeDeps, 'secrets' | 'security' | 'freeze'> & {
      pool: pg.Pool;
      events: OutboxWake;
      /** The step of new payment-code secrets, in seconds (default 60). */
      paymentCodeStepSeconds?: number;
    },
) {
  const store = new MerchantsStore(deps.pool, deps.events);
  const codes = new PaymentCodes({
    store,
    secrets: deps.secrets,
    security: deps.security,
    freeze: deps.freeze,
    now: deps.now,
    ...(deps.paymentCodeStepSeconds === undefined ? {} : { stepSeconds: deps.paymentCodeStepSeconds }),
  });
  const service = new MerchantsService({ ...deps, store, codes });
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(merchantsRoutes, { service, codes });
  };
  return { service, codes, routes };
}
