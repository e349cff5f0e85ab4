/**
 * The merchants module (issue 12): made by app.ts with what it needs (`createMerchantsModule`);
 * declared in module.ts. Other modules use its service, never its tables. docs/merchants.md.
 */
import type { FastifyBaseLogger, FastifyPluginAsync } from 'fastify';
import type pg from 'pg';
import type { Ledger } from '@qianbao/ledger';
import type { BankAdapter } from '../../adapters/bank/index.ts';
import { defineJob } from '../../jobs/index.ts';
import type { JobDefinition } from '../../jobs/index.ts';
import { NO_WAKE } from '../../outbox/index.ts';
import type { OutboxWake } from '../../outbox/index.ts';
import type { CardsService } from '../cards/index.ts';
import { MERCHANT_JOBS } from './module.ts';
import { PaymentCodes } from './payment-codes.ts';
import type { PaymentCodeDeps } from './payment-codes.ts';
import { merchantsRoutes } from './routes.ts';
import { MerchantsService } from './service.ts';
import type { MerchantsServiceDeps } from './service.ts';
import { MerchantsStore } from './store.ts';
import { settlementRoutes } from './settlement-routes.ts';
import { SettlementStore } from './settlement-store.ts';
import { SettlementService } from './settlements.ts';
import type { SettlementHooks } from './settlements.ts';
import { Statements } from './statements.ts';
import { OrderExpiry } from './expiry.ts';
import { Checkouts } from './checkout.ts';
import { checkoutRoutes } from './checkout-routes.ts';
import { CompanyMerchants } from './company.ts';
import { companyRoutes } from './company-routes.ts';
import type { OperatorService } from '../operator/index.ts';
import type { LiveNotifications } from '../notifications/index.ts';
import { maskPhone } from '../identity/index.ts';
import { merchantLiveSubscriber } from './live.ts';
import { portalRoutes } from './portal-routes.ts';
import { posterPdf } from './poster.ts';
import type { MerchantStaff } from './staff.ts';
import type { OtherBankOperations } from '../funding/index.ts';

export { MerchantsService } from './service.ts';
export { PaymentCodes } from './payment-codes.ts';
export { MERCHANT_EVENTS, MERCHANT_NOTICES } from './events.ts';
export { merchantsPaymentKinds } from './payment-kinds.ts';
export { SettlementService, type SettlementHooks } from './settlements.ts';
export { MERCHANT_JOBS } from './module.ts';
export { MerchantStaff, merchantStaffAuthenticator } from './staff.ts';

export function createMerchantsModule(
  deps: Omit<MerchantsServiceDeps, 'store' | 'codes' | 'identity'> &
    Pick<PaymentCodeDeps, 'secrets' | 'security' | 'freeze'> & {
      pool: pg.Pool;
      events: OutboxWake;
      /** The step of new payment-code secrets, in seconds (default 60). */
      paymentCodeStepSeconds?: number;
      /** Settlement: the merchant's balance paid out to a card through the bank. */
      ledger: Pick<Ledger, 'getTransfer' | 'getBalance' | 'listTransfers'>;
      bank: BankAdapter;
      cards: Pick<CardsService, 'list' | 'cardForFunding'>;
      log: FastifyBaseLogger;
      /** Crash points of settlements, for tests (settlements.ts). */
      settlementHooks?: SettlementHooks;
      /** `QIANBAO_PUBLIC_URL`: hosted checkout links point at the web app there. */
      publicUrl: string;
      /** Company merchants' reviews are audited. */
      operators: Pick<OperatorService, 'audit'>;
      /** Who acts for which merchant (staff.ts): made in app.ts with the authenticators. */
      staff: MerchantStaff;
      identity: {
        getUser(
          userId: string,
        ): Promise<{ realNameVerified: boolean; walletAccountId: string; phone: string } | null>;
      };
      /** The portal's live feed rides the notifications' LISTEN/NOTIFY channel (live.ts). */
      live: Pick<LiveNotifications, 'publish' | 'subscribe'>;
      /** How often a live stream checks its session again (default 25 s). */
      streamHeartbeatMs?: number;
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
  const companies = new CompanyMerchants({
    pool: deps.pool,
    accounts: deps.accounts,
    identity: deps.identity,
    events: deps.events,
    now: deps.now,
  });
  const checkouts = new Checkouts({
    pool: deps.pool,
    merchants: service,
    publicUrl: deps.publicUrl,
    now: deps.now,
  });
  const settlementStore = new SettlementStore(deps.pool, deps.events);
  const settlements = new SettlementService({
    store: settlementStore,
    ledger: deps.ledger,
    bank: deps.bank,
    cards: deps.cards,
    payments: deps.payments,
    now: deps.now,
    log: deps.log,
    ...(deps.settlementHooks ? { hooks: deps.settlementHooks } : {}),
  });
  const statements = new Statements({ store: settlementStore, ledger: deps.ledger, now: deps.now });
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(merchantsRoutes, { service, codes });
    await app.register(settlementRoutes, { settlements, statements });
    await app.register(checkoutRoutes, { checkouts });
    await app.register(companyRoutes, { companies, operators: deps.operators });
    await app.register(portalRoutes, {
      service,
      staff: deps.staff,
      async describe(userId) {
        const user = await deps.identity.getUser(userId);
        return { name: await deps.displayNameOf(userId), phone: user ? maskPhone(user.phone) : '***' };
      },
      live: deps.live,
      heartbeatMs: deps.streamHeartbeatMs ?? 25_000,
      posterPdf,
      staticCode: (merchantId) => service.staticCode(merchantId),
    });
  };
  /** Settlements as the bank sees them, for funding's daily reconciliation. */
  const bankOperations = settlementBankOperations(deps.pool);
  return {
    service,
    codes,
    settlements,
    statements,
    bankOperations,
    routes,
    jobs: merchantsJobs(
      settlements,
      new OrderExpiry({ pool: deps.pool, store, events: deps.events, now: deps.now }),
    ),
    /** Pushes payments and refunds to the merchant's open portals (live.ts). */
    liveSubscriber: merchantLiveSubscriber(deps.live),
  };
}

/**
 * `merchants.settle-daily`: T+1 — at 02:00 Asia/Shanghai every merchant with a settlement card
 * and a balance is settled for yesterday; the hourly runs after it until 23:00 find those
 * settlements made (their ids derive from merchant and day) and catch up whoever a server down at
 * 02:00 missed. `merchants.settle-recover`, every minute: settlements a crash or a lost bank answer
 * left unfinished (settlements.ts `recover`). `merchants.expire`, every minute: open orders past
 * their time told expired, charges left waiting for their payer timed out (expiry.ts).
 */
function merchantsJobs(settlements: SettlementService, expiry: OrderExpiry): JobDefinition[] {
  return [
    defineJob({
      name: MERCHANT_JOBS.settleDaily,
      schedule: { cron: '0 2-23 * * *' },
      retry: { limit: 3, delaySeconds: 300, backoff: true },
      timeoutSeconds: 3 * 3600, // up to 10,000 merchants a run, one bank call each
      handler: () => settlements.settleDaily(),
    }),
    defineJob({
      name: MERCHANT_JOBS.settleRecover,
      schedule: { cron: '* * * * *' },
      retry: { limit: 2, delaySeconds: 30, backoff: true },
      timeoutSeconds: 300, // 50 settlements a run, each a bank call of at most a few seconds
      handler: () => settlements.recover(),
    }),
    defineJob({
      name: MERCHANT_JOBS.expire,
      schedule: { cron: '* * * * *' },
      retry: { limit: 2, delaySeconds: 30, backoff: true },
      timeoutSeconds: 300, // up to 10,000 orders and 500 charges a run
      handler: () => expiry.run(),
    }),
  ];
}

/**
 * Merchants' settlements as the bank sees them, on a pool of its own (the `qianbao reconcile`
 * command, which builds no app): what funding's reconciliation compares besides its operations.
 */
export function settlementBankOperations(pool: pg.Pool): OtherBankOperations {
  const store = new SettlementStore(pool, NO_WAKE);
  return {
    find: (ids) => store.byBankOperationIds(ids),
    completedBetween: (from, to, limit) => store.completedBetween(from, to, limit),
  };
}
