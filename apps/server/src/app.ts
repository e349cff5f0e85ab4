import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type pg from 'pg';
import packageJson from '../package.json' with { type: 'json' };
import { SandboxSmsSender, UnconfiguredSmsSender, sandboxSmsRoutes } from './adapters/sms/index.ts';
import type { SmsSender } from './adapters/sms/index.ts';
import type { Config } from './config.ts';
import { SecretBox } from './crypto/secret-box.ts';
import { appSecretKey } from './crypto/secret-key.ts';
import { RequestDrain } from './drain.ts';
import { AppError, registerErrorHandlers, sendError } from './errors.ts';
import { registerAuthenticators } from './auth/index.ts';
import { idempotencyJobs, registerIdempotency } from './idempotency.ts';
import { Jobs } from './jobs/index.ts';
import { ledgerJobs } from './ledger-expiry.ts';
import { ledgerApi } from './ledger-api/routes.ts';
import type { LedgerPort } from './ledger-thread/index.ts';
import { RequestLogController, loggerOptions } from './logging.ts';
import type { LogStream } from './logging.ts';
import { Metrics } from './metrics.ts';
import { createIdentityModule } from './modules/identity/index.ts';
import type { IdentityService } from './modules/identity/index.ts';
import { createNotificationsModule, inboxSubscriber } from './modules/notifications/index.ts';
import { SECURITY_NOTICES, createSecurityModule, type SecurityService } from './modules/security/index.ts';
import { SandboxIdentityVerifier, UnconfiguredIdentityVerifier } from './adapters/identity-verifier/index.ts';
import type { IdentityVerifier } from './adapters/identity-verifier/index.ts';
import { createKycModule, type KycService } from './modules/kyc/index.ts';
import { walletRoutes } from './modules/wallet/routes.ts';
import { AccountDirectory } from './platform/accounts.ts';
import { createOperatorModule, type OperatorService } from './modules/operator/index.ts';
import type { NotificationsService } from './modules/notifications/index.ts';
import { TRANSFER_NOTICES, createTransfersModule, type TransfersService } from './modules/transfers/index.ts';
import { createHistoryModule, type HistoryService } from './modules/history/index.ts';
import { ReplicaReads } from './replica.ts';
import { SandboxBank, bankSandboxDevRoutes } from './adapters/bank/index.ts';
import type { BankAdapter } from './adapters/bank/index.ts';
import { UnconfiguredBank } from './adapters/bank/unconfigured.ts';
import { createCardsModule, type CardsService } from './modules/cards/index.ts';
import {
  FUNDING_NOTICES,
  createFundingModule,
  type FundingHooks,
  type FundingService,
} from './modules/funding/index.ts';
import { metaRoutes } from './meta.ts';
import { PROBE_ROUTES, operationsRoutes } from './operations.ts';
import { Outbox } from './outbox/index.ts';
import { HeldPayments, PaymentAuthorizer, allowEveryPayment } from './payments/index.ts';
import { SandboxPlaces, type PlaceLookup } from './adapters/places/index.ts';
import { IntentStore } from './payments/intent-store.ts';
import { PaymentIntents } from './payments/intents.ts';
import { paymentIntentRoutes } from './payments/intent-routes.ts';
import { transfersPaymentKinds } from './modules/transfers/payment-kinds.ts';
import { fundingPaymentKinds } from './modules/funding/payment-kinds.ts';
import { createRiskModule, type ReviewCaseService, type RiskService } from './modules/risk/index.ts';
import { FREEZE_NOTICES, createFreezeModule, type FreezeService } from './modules/freeze/index.ts';
import {
  MERCHANT_NOTICES,
  MerchantStaff,
  createMerchantsModule,
  merchantStaffAuthenticator,
  merchantsPaymentKinds,
} from './modules/merchants/index.ts';
import { MerchantHistory } from './modules/merchants/history.ts';
import { twinIdOf } from './modules/merchants/test-mode.ts';
import {
  RED_PACKET_NOTICES,
  createRedPacketsModule,
  type RedPacketsService,
} from './modules/redpackets/index.ts';
import { SPLIT_NOTICES, createSplitsModule, type SplitsService } from './modules/splits/index.ts';
import {
  createDevelopersModule,
  webhookDisabledNotice,
  type WebhooksService,
} from './modules/developers/index.ts';
import { createConsoleModule } from './modules/console/index.ts';
import { APPROVALS_NOTICES, ConfigurationReader, createApprovalsModule } from './modules/approvals/index.ts';
import { createSupportModule } from './modules/support/index.ts';
import { DISPUTE_NOTICES, createDisputesModule } from './modules/disputes/index.ts';
import { createHelpModule } from './modules/help/index.ts';
// new-module: imports
import type { RiskStep } from './payments/index.ts';
import { webApp } from './web.ts';
import { enterRequest } from './http/request-context.ts';
import { traceRequests } from './http/request-tracing.ts';
import { API_VERSION_HEADER, LATEST_API_VERSION, registerApiVersion } from './http/api-version.ts';
import { openapiTransform } from './http/openapi.ts';
import { registerNulRefusal } from './http/nul.ts';

const BODY_LIMIT_BYTES = 256 * 1024;
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Graceful shutdown, HTTP and jobs part: refuse new requests with 503, let the admitted ones
     * finish, stop fetching jobs and let the running ones finish, stop listening. The caller then
     * closes the ledger and the pool it created.
     */
    drain(): Promise<void>;
    /** The module services of this app, for tests and tools (modules get theirs by injection). */
    services: AppServices;
    /**
     * The background jobs of every module (jobs/, ADR 0013): `startServer` starts them, `drain`
     * stops them; tests run one with `app.jobs.run(name)`.
     */
    jobs: Jobs;
    /**
     * Domain events and their subscribers (outbox/, ADR 0015): `startServer` wakes the
     * dispatchers once the jobs run; tests deliver with `app.outbox.deliverPending()`.
     */
    outbox: Outbox;
  }
}

export interface AppServices {
  identity: IdentityService;
  notifications: NotificationsService;
  security: SecurityService;
  kyc: KycService;
  operator: OperatorService;
  transfers: TransfersService;
  history: HistoryService;
  cards: CardsService;
  funding: FundingService;
  risk: RiskService;
  riskCases: ReviewCaseService;
  freeze: FreezeService;
  redPackets: RedPacketsService;
  splits: SplitsService;
  webhooks: WebhooksService;
}

export interface BuildAppOptions {
  config: Pick<
    Config,
    | 'adminToken'
    | 'logLevel'
    | 'mode'
    | 'identity'
    | 'publicUrl'
    | 'secretKey'
    | 'dataKeys'
    | 'security'
    | 'funding'
    | 'largeAmountSmsMinor'
    | 'idempotencyRetentionHours'
    | 'outboxRetentionDays'
    | 'modules'
    | 'ledger'
    | 'shutdownGraceMs'
    | 'journalCheckpoints'
    | 'http'
  >;
  pool: pg.Pool;
  /** A streaming replica for holders' history reads (DATABASE_REPLICA_URL, ADR 0027). */
  replicaPool?: pg.Pool | null;
  ledger: LedgerPort;
  /** Pass the instance whose `observeLedgerBatch` the ledger reports to; a fresh one otherwise. */
  metrics?: Metrics;
  /** Where JSON log lines go; stdout by default. */
  logStream?: LogStream;
  /** The modules' clock; tests move it instead of sleeping. */
  now?: () => Date;
  /** How often notification streams re-check their session (tests use a short one). */
  streamHeartbeatMs?: number;
  /** The identity verifier; by default the sandbox one (docs/kyc.md) in sandbox mode and none in production. */
  verifier?: IdentityVerifier;
  /** The SMS adapter; by default the sandbox outbox in sandbox mode and none in production. */
  sms?: SmsSender;
  /** Master key of secrets at rest, as `startServer` resolved it (crypto/secret-key.ts). */
  secretKey?: Buffer;
  /** The bank; by default the sandbox bank in sandbox mode (docs/bank-sandbox.md). The caller closes one it passes. */
  bank?: BankAdapter;
  /** Crash points of top-ups and withdrawals, for tests (modules/funding/service.ts). */
  fundingHooks?: FundingHooks;
  /** The risk step of every payment; by default the risk engine (modules/risk). */
  risk?: RiskStep;
  /** Where an IP address is (the risk engine's travel speed); by default the sandbox's ranges. */
  places?: PlaceLookup;
  /** Told after each operator audit entry (start.ts: the audit checkpoints, ADR 0024). */
  onAuditAppended?: () => void;
}

/** The HTTP application, ready for `listen` or `inject`. */
export async function buildApp(options: BuildAppOptions) {
  const { config, pool, ledger } = options;
  const metrics = options.metrics ?? new Metrics();
  metrics.watchLedger(ledger);
  const requestDrain = new RequestDrain();

  const app = Fastify({
    logger: loggerOptions(config.logLevel, options.logStream),
    bodyLimit: BODY_LIMIT_BYTES,
    // TLS ends at a proxy: the client's address is the one its X-Forwarded-For names (production.md).
    trustProxy: config.http.trustProxy.length > 0 ? [...config.http.trustProxy] : false,
    genReqId: requestIdOf,
    logController: new RequestLogController({
      requestIdLogLabel: 'requestId',
      // In sandbox mode (a terminal) one line per request buries the start-up banner.
      requestLevel: config.mode === 'sandbox' ? 'debug' : 'info',
    }),
    // Our drain refuses requests in the standard error shape instead.
    return503OnClosing: false,
    // The router's own refusals too, before any hook: a URL that cannot be decoded, a path segment
    // longer than the router reads (100 characters; no id of ours is).
    frameworkErrors: (error, request, reply) => {
      void reply.header('x-request-id', request.id).header(API_VERSION_HEADER, LATEST_API_VERSION);
      void sendError(reply, new AppError('BAD_REQUEST', { details: { reason: routerRefusal(error.code) } }));
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandlers(app);
  // The API speaks JSON only: anything else is refused with 415 rather than half-parsed.
  app.removeContentTypeParser('text/plain');

  // Tracing (off unless configured): each request's span is current for the rest of it.
  traceRequests(app);
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    enterRequest(request, done);
  });
  requestDrain.install(app, PROBE_ROUTES);
  metrics.instrument(app);
  // Qianbao-Version: asked for or the newest, answered on every reply (docs/api/versioning.md).
  registerApiVersion(app);
  // No U+0000 in any text of a request: PostgreSQL cannot store it (http/nul.ts).
  registerNulRefusal(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Qianbao API',
        version: packageJson.version,
        description:
          'Amounts are strings of integer minor units (`"1234"` CNY is ¥12.34). ' +
          'Every error is `{"error": {"code", "message", "details"}}` with a stable code. ' +
          `Send \`Qianbao-Version: ${LATEST_API_VERSION}\` to stay on this version; every answer names its ` +
          'version in the same header (docs/api/versioning.md).',
      },
      components: {
        securitySchemes: {
          adminToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'The QIANBAO_ADMIN_TOKEN of the server.',
          },
          holderSession: {
            type: 'http',
            scheme: 'bearer',
            description: "A holder's session token from sign-up or sign-in.",
          },
          sessionCookie: { type: 'apiKey', in: 'cookie', name: 'qb_session' },
          merchantSelector: {
            type: 'apiKey',
            in: 'header',
            name: 'Qianbao-Merchant',
            description:
              'The merchant a staff member acts for (its id; query parameter `merchant` where a header ' +
              'cannot be sent: downloads, event streams). Optional for a holder who owns a merchant.',
          },
          apiKey: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'qbk_live_<id>_<secret> | qbk_test_<id>_<secret> | qbo_<id>_<secret>',
            description:
              "A merchant's API key (POST /v1/me/merchant/api-keys): the merchant's own servers call the " +
              'merchant API with it, within its scopes — `qbk_test_…` in test mode — or an OAuth 2 access ' +
              'token of one (`qbo_…`, POST /v1/oauth/token), which acts as its key. A partner’s key acts for a ' +
              'merchant that granted it access when the request names that merchant in `Qianbao-Merchant`.',
          },
          operatorSession: {
            type: 'http',
            scheme: 'bearer',
            description: "An operator's session token from POST /v1/operator/login (or cookie qb_operator).",
          },
        },
      },
    },
    transform: openapiTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());

  await app.register(operationsRoutes, { pool, drain: requestDrain, metrics });
  await app.register(metaRoutes, {
    mode: config.mode,
    publicUrl: config.publicUrl,
    version: packageJson.version,
  });
  await app.register(ledgerApi, { prefix: '/v1/ledger', ledger, adminToken: config.adminToken });

  // ---- domain modules (modules/README.md): create each with its dependencies, then its routes ----
  const now = options.now ?? (() => new Date());
  const sms =
    options.sms ??
    (config.mode === 'sandbox' ? new SandboxSmsSender(pool, now) : new UnconfiguredSmsSender());
  await app.register(cookie);
  registerIdempotency(app, { pool, now });
  // Background jobs: each module's are registered where the module is made.
  const jobs = new Jobs({ pool, log: app.log, observer: metrics, stopTimeoutMs: config.shutdownGraceMs });
  metrics.watchJobs(jobs);
  metrics.watchDatabase(pool);
  app.decorate('jobs', jobs);
  // Domain events: modules append them with their records and wake it; subscribers are added below.
  const outbox = new Outbox({
    pool,
    queue: jobs,
    log: app.log,
    retentionDays: config.outboxRetentionDays,
    now,
    observer: metrics,
  });
  metrics.watchOutbox(outbox);
  app.decorate('outbox', outbox);
  jobs.register(...ledgerJobs({ ledger, expiryIntervalMs: config.ledger.expiryIntervalMs }));
  jobs.register(...idempotencyJobs({ pool, now, retentionHours: config.idempotencyRetentionHours }));
  // Identity needs notifications and the large-amount SMS needs the holder's number from
  // identity: resolved when the first such text goes out, long after both exist.
  let identityForSms: IdentityService | null = null;
  const notifications = createNotificationsModule({
    pool,
    now,
    log: app.log,
    largeAmountSms: {
      thresholdMinor: config.largeAmountSmsMinor,
      async send(userId, text) {
        const user = await identityForSms?.getUser(userId);
        if (!user) return;
        const result = await sms.send({ phone: user.phone, text });
        if (!result.ok) app.log.warn({ userId }, 'large-amount SMS not delivered');
      },
    },
    ...(options.streamHeartbeatMs ? { streamHeartbeatMs: options.streamHeartbeatMs } : {}),
  });
  app.addHook('onClose', () => notifications.live.close());
  const identity = createIdentityModule({
    pool,
    ledger,
    sms,
    notifications: notifications.service,
    config: config.identity,
    secureCookies: config.mode === 'production',
    now,
    log: app.log,
  });
  identityForSms = identity.service;
  const secrets = new SecretBox(appSecretKey(options.secretKey, config), config.dataKeys);
  const operator = createOperatorModule({
    pool,
    secrets,
    config: {
      ...config.modules.operator,
      hashing: config.identity.password.hashing,
      tryLeaseSeconds: config.security.tryLeaseSeconds,
    },
    secureCookies: config.mode === 'production',
    // Operators' passkeys: the same relying party (the public URL) and challenge lifetime as the holders'.
    webauthn: {
      publicUrl: config.publicUrl,
      sandbox: config.mode === 'sandbox',
      challengeTtlSeconds: config.security.webauthn.challengeTtlSeconds,
    },
    now,
    onAuditAppended: options.onAuditAppended,
    // The audit log's verify reads its checkpoints from the journal's file (ADR 0024).
    checkpointFile: config.journalCheckpoints.file,
  });
  // The configuration operators change through maker-checker (modules/approvals, ADR 0025), read
  // by the modules it configures: tier limits, password-free limits, fees, discount rates.
  const configuration = new ConfigurationReader({ pool });
  const kyc = createKycModule({
    pool,
    settings: configuration,
    // A real verifier is one file implementing IdentityVerifier; production wiring comes with it.
    verifier:
      options.verifier ??
      (config.mode === 'sandbox' ? new SandboxIdentityVerifier() : new UnconfiguredIdentityVerifier()),
    secrets,
    identity: identity.service,
    notifications: notifications.service,
    operators: operator.service,
    config: config.modules.kyc,
    now,
  });
  // One authenticator per kind of principal (auth/signed-in.ts). Merchant staff are holders acting
  // for a merchant they own or work at (modules/merchants/staff.ts); the merchant API also takes
  // the merchant's API keys (modules/developers, ADR 0020), told apart by the key's prefix.
  const merchantStaff = new MerchantStaff({ pool, identity: identity.service, now });
  const developers = createDevelopersModule({
    pool,
    settings: config.modules.developers,
    sandbox: config.mode === 'sandbox',
    secrets,
    jobs,
    observeWebhookAttempt: metrics.observeWebhookAttempt,
    // An endpoint disabled for failing: its merchant's owner is told in the inbox.
    tellOwner: async (merchantId, endpoint) => {
      await notifications.service.notify(
        await merchants.service.ownerOf(merchantId),
        webhookDisabledNotice(endpoint),
      );
    },
    twins: {
      twinOf: async (liveMerchantId) => (await merchants.service.testTwin(liveMerchantId)).id,
      twinIfAny: async (liveMerchantId) =>
        (await merchants.service.testTwinIfAny(liveMerchantId))?.id ?? null,
      twinIdOf,
    },
    // A partner is granted access by its merchant id (ADR 0023): a live merchant's, never a twin's.
    merchantNameOf: async (merchantId) => {
      const found = await merchants.service.get(merchantId).catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'MERCHANT_NOT_FOUND') return null;
        throw error;
      });
      return found && !(await merchants.service.isTestMode(merchantId)) ? found.name : null;
    },
    now,
    log: app.log,
  });
  const staffAuthenticator = merchantStaffAuthenticator(identity.authenticate, merchantStaff);
  registerAuthenticators(app, {
    holder: identity.authenticate,
    operator: operator.authenticate,
    merchantStaff: staffAuthenticator,
    merchant: (request) =>
      developers.service.presentsKey(request)
        ? developers.service.authenticate(request)
        : staffAuthenticator(request),
  });
  developers.hooks(app);
  jobs.register(...developers.jobs);
  const security = createSecurityModule({
    pool,
    config,
    identity: identity.service,
    events: outbox,
    secrets,
    now,
    birthDateOf: (userId) => kyc.service.birthDateOf(userId),
    idNumberOf: (userId) => kyc.service.idNumberOf(userId),
    settings: configuration,
  });
  // The wallet's freeze state (freeze module), which the pipeline and the risk engine act on.
  const freeze = createFreezeModule({
    pool,
    identity: identity.service,
    security: security.service,
    operators: operator.service,
    events: outbox,
    now,
  });
  jobs.register(...freeze.jobs);
  await app.register(freeze.routes);
  // The risk engine: the pipeline's risk step, and the judge of sign-ins (issue 11). A payment it
  // holds for review is settled by the module that made it (registered below).
  const held = new HeldPayments();
  const risk = createRiskModule({
    held,
    reviewHours: config.modules.risk.reviewHours,
    pool,
    places: options.places ?? new SandboxPlaces(),
    freeze: freeze.service,
    security: security.service,
    identity: identity.service,
    balanceOf: async (walletAccountId) =>
      (await ledger.getBalance(walletAccountId))?.availableBalance ?? null,
    operators: operator.service,
    now,
    log: app.log,
    observe: metrics.observeRiskDecision,
  });
  jobs.register(...risk.jobs);
  await app.register(risk.routes);
  // A database with no rule set yet gets the shipped rules as version 1, active (idempotent).
  await risk.service.seedDefaultRules();
  if (config.modules.risk.engine === 'on') {
    // Sign-ins, password and PIN resets and wrong PINs reach the engine (identity and security
    // do not depend on the risk module: they are given it).
    identity.service.watchSignIns(risk.service);
    security.service.watchFactors(risk.service);
  }
  // Every money movement runs the same steps before the ledger (payments/authorize.ts).
  const payments = new PaymentAuthorizer({
    ledger,
    kyc: kyc.service,
    security: security.service,
    risk: options.risk ?? (config.modules.risk.engine === 'on' ? risk.step : allowEveryPayment),
    freeze: freeze.service,
    now,
    log: app.log,
    observe: metrics.observePayment,
  });
  const transfers = createTransfersModule({
    held,
    pool,
    ledger,
    identity: identity.service,
    kyc: kyc.service,
    security: security.service,
    payments,
    events: outbox,
    publicUrl: config.publicUrl,
    now,
    log: app.log,
  });
  // Ledger transfers the merchants module marked (payments and refunds) described in history.
  const merchantHistory = new MerchantHistory(pool);
  const history = createHistoryModule({
    pool,
    reads: new ReplicaReads(pool, options.replicaPool ?? null),
    transfers: transfers.service,
    identity: identity.service,
    // Made below; asked only when a request reads history, long after both exist.
    funding: {
      describeLedgerTransfers: async (input) =>
        new Map([
          ...(await funding.service.describeLedgerTransfers(input)),
          ...(await merchantHistory.describeLedgerTransfers(input)),
          ...(await redPackets.history.describeLedgerTransfers(input)),
          ...(await splits.history.describeLedgerTransfers(input)),
        ]),
    },
  });
  const ownBank =
    options.bank === undefined && config.mode === 'sandbox'
      ? new SandboxBank({
          pool,
          secretBox: secrets,
          now,
          latencyMs: {
            min: Math.min(50, config.funding.bankSandboxLatencyMs),
            max: config.funding.bankSandboxLatencyMs,
          },
          onError: (error) => app.log.error({ err: error }, 'sandbox bank completion failed'),
        })
      : null;
  const bank: BankAdapter = options.bank ?? ownBank ?? new UnconfiguredBank();
  const cards = createCardsModule({
    pool,
    bank,
    kyc: kyc.service,
    notifications: notifications.service,
    isCardBusy: (cardId) => funding.service.isCardBusy(cardId),
    now,
  });
  const funding = await createFundingModule({
    pool,
    // Merchants' payouts to cards go through the same bank account (made below; asked daily).
    otherBankOperations: () => [merchants.bankOperations],
    ledger,
    bank,
    cards: cards.service,
    kyc: kyc.service,
    security: security.service,
    payments,
    events: outbox,
    operators: operator.service,
    secrets,
    config: config.funding,
    settings: configuration,
    now,
    log: app.log,
    ...(options.fundingHooks ? { hooks: options.fundingHooks } : {}),
  });
  jobs.register(...identity.jobs, ...funding.jobs);
  // The inbox's notices of money movements follow from the modules' events.
  outbox.subscribe(
    inboxSubscriber({
      notifications: notifications.service,
      renderers: [
        TRANSFER_NOTICES,
        FUNDING_NOTICES,
        SECURITY_NOTICES,
        FREEZE_NOTICES,
        MERCHANT_NOTICES,
        RED_PACKET_NOTICES,
        SPLIT_NOTICES,
        APPROVALS_NOTICES,
        DISPUTE_NOTICES,
      ],
    }),
  );
  // History's projection: entries described again when a record follows its ledger batch.
  outbox.subscribe(history.subscriber);
  jobs.register(...history.jobs);
  app.addHook('onClose', async () => {
    await ownBank?.close();
  });
  app.decorate('services', {
    identity: identity.service,
    notifications: notifications.service,
    security: security.service,
    kyc: kyc.service,
    operator: operator.service,
    transfers: transfers.service,
    history: history.service,
    cards: cards.service,
    funding: funding.service,
    risk: risk.service,
    riskCases: risk.cases,
    freeze: freeze.service,
    // Made below; a test reads escrow balances through it.
    get redPackets() {
      return redPackets.service;
    },
    get splits() {
      return splits.service;
    },
    webhooks: developers.webhooks,
  });
  await app.register(identity.routes);
  await app.register(notifications.routes);
  await app.register(security.routes);
  await app.register(kyc.routes);
  await app.register(operator.routes);
  const accounts = new AccountDirectory({
    createAccounts: (inputs) => ledger.createAccounts(inputs),
    findAccounts: (query) => ledger.findAccounts(query),
  });
  await app.register(walletRoutes, { ledger, accounts });
  await app.register(transfers.routes);
  await app.register(history.routes);
  await app.register(cards.routes);
  await app.register(funding.routes);
  // Merchants (issue 12): codes, orders, payments through the pipeline, refunds.
  const merchants = createMerchantsModule({
    pool,
    ledger,
    accounts,
    identity: identity.service,
    displayNameOf: async (userId) => {
      const user = await identity.service.getUser(userId);
      return user ? transfers.service.displayNameOf(user) : '***';
    },
    payments,
    events: outbox,
    feePolicy: config.modules.merchants.feePolicy,
    settings: configuration,
    // Payment codes: device secrets sealed, issuing confirmed, lost phones' codes refused.
    secrets,
    security: security.service,
    freeze: freeze.service,
    publicUrl: config.publicUrl,
    operators: operator.service,
    paymentCodeStepSeconds: config.modules.merchants.paymentCodeStepSeconds,
    staff: merchantStaff,
    live: notifications.live,
    ...(options.streamHeartbeatMs ? { streamHeartbeatMs: options.streamHeartbeatMs } : {}),
    now,
    // Settlement to the merchant's card, through the bank; its daily and recovery jobs.
    bank,
    cards: cards.service,
    log: app.log,
  });
  jobs.register(...merchants.jobs);
  // The merchant portal's live feed follows from the merchants' events.
  outbox.subscribe(merchants.liveSubscriber);
  // The merchants' webhooks (issue 14): their events become signed deliveries on the job queue.
  outbox.subscribe(developers.webhookSubscriber);
  await app.register(merchants.routes);
  // Red packets (issue 13): sent through the pipeline into the sender's escrow, claimed, refunded.
  const redPackets = createRedPacketsModule({
    pool,
    ledger,
    accounts,
    payments,
    kyc: kyc.service,
    identity: identity.service,
    transfers: transfers.service,
    freeze: freeze.service,
    events: outbox,
    settings: config.modules.redpackets,
    publicUrl: config.publicUrl,
    live: notifications.live,
    ...(options.streamHeartbeatMs ? { streamHeartbeatMs: options.streamHeartbeatMs } : {}),
    now,
    log: app.log,
  });
  jobs.register(...redPackets.jobs);
  // The sender's live view of a packet follows from its events.
  outbox.subscribe(redPackets.liveSubscriber);
  await app.register(redPackets.routes);
  // Splitting a bill (issue 13, AA 收款): shares paid through the pipeline to the organiser, refunds back.
  const splits = createSplitsModule({
    pool,
    ledger,
    payments,
    kyc: kyc.service,
    identity: identity.service,
    transfers: transfers.service,
    events: outbox,
    settings: config.modules.splits,
    publicUrl: config.publicUrl,
    now,
    log: app.log,
  });
  await app.register(splits.routes);
  // Every subscriber is in: their dispatchers, the sweep and the pruning.
  jobs.register(...outbox.jobs());
  // The payment resource: one shape (create → confirm → final state) over every module's kinds.
  const intents = new PaymentIntents({ store: new IntentStore(pool), now });
  intents.register(
    ...transfersPaymentKinds(transfers.service),
    ...fundingPaymentKinds(funding.service, secrets),
    ...merchantsPaymentKinds(merchants.service),
  );
  jobs.register(...intents.jobs());
  await app.register(paymentIntentRoutes, { intents });
  // The merchants' API keys (issue 14): the owner's routes; the authenticator is made above.
  await app.register(developers.routes);
  // Modules made by `qianbao new-module` are mounted here (move one up if others need its service).
  // The operator console's read model (issue 15): holder search and page, ledger explorer, dashboard.
  const consoleModule = createConsoleModule({
    pool,
    identity: identity.service,
    kyc: kyc.service,
    cards: cards.service,
    freeze: freeze.service,
    history: history.service,
    risk: risk.service,
    merchants: merchants.service,
    ledger,
    operators: operator.service,
    secrets,
    books: {
      secretKey: options.secretKey ?? config.secretKey,
      checkpointFile: config.journalCheckpoints.file,
    },
    onBooksVerified: metrics.observeBooksVerified,
    openCounts: {
      // At most 100 (the case list's page); an exact count wants ReviewCaseService.openCount().
      riskCases: async () => (await risk.cases.list({ status: 'open', holderId: null, limit: 100 })).length,
      kycReviews: () => kyc.service.pendingReviewCount(),
      merchantReviews: () => merchants.service.pendingReviewCount(),
      // Made below; asked only when a request reads the dashboard or a holder page.
      tickets: () => support.service.openCount(),
      disputes: () => disputes.service.openCount(),
    },
    tickets: { ticketsOfHolder: (userId) => support.service.ticketsOfHolder(userId) },
    now,
  });
  jobs.register(...consoleModule.jobs);
  await app.register(consoleModule.routes);
  // Maker-checker (issue 15): configuration changes and manual adjustments, each by two operators.
  const approvals = createApprovalsModule({
    pool,
    configuration,
    defaults: {
      tierLimits: () => kyc.service.defaultTierLimits(),
      withdrawalFee: config.funding.withdrawalFee,
      bankTransferFee: config.funding.bankTransferFee,
      passwordFree: config.security.passwordFree,
      merchantRates: config.modules.merchants.feePolicy,
    },
    operators: operator.service,
    identity: identity.service,
    accounts,
    ledger,
    payments,
    events: outbox,
    now,
  });
  jobs.register(...approvals.jobs);
  await app.register(approvals.routes);
  const support = createSupportModule({
    pool,
    settings: config.modules.support,
    history: history.service,
    notifications: notifications.service,
    live: notifications.live,
    operators: operator.service,
    ...(options.streamHeartbeatMs ? { streamHeartbeatMs: options.streamHeartbeatMs } : {}),
    now,
    log: app.log,
  });
  jobs.register(...support.jobs);
  await app.register(support.routes);
  const disputes = createDisputesModule({
    pool,
    events: outbox,
    operators: operator.service,
    settings: config.modules.disputes,
    history: history.service,
    ledger,
    merchants: merchants.service,
    payments,
    now,
  });
  jobs.register(...disputes.jobs);
  await app.register(disputes.routes);
  const help = createHelpModule({
    pool,
    operators: operator.service,
    identity: identity.service,
    settings: config.modules.help,
    now,
  });
  jobs.register(...help.jobs);
  await app.register(help.routes);
  // What an operator watches (/metrics, read at each scrape): work waiting for people, freezes.
  metrics.watchBacklogs({
    kyc_reviews: () => kyc.service.pendingReviewCount(),
    risk_cases: () => risk.cases.openCount(),
    tickets: () => support.service.openCount(),
    disputes: () => disputes.service.openCount(),
    merchant_reviews: () => merchants.service.pendingReviewCount(),
  });
  metrics.watchFreezes(() => freeze.service.frozenCounts());
  // new-module: mount here
  if (config.mode === 'sandbox' && bank instanceof SandboxBank)
    await app.register(bankSandboxDevRoutes, { bank });
  if (config.mode === 'sandbox') await app.register(sandboxSmsRoutes, { pool });
  // Last: the web app answers GET paths that no API route claims.
  await app.register(webApp);

  let drained: Promise<void> | undefined;
  app.decorate('drain', () => {
    // Streams never end by themselves: end them, then wait for the other requests.
    notifications.live.closeStreams();
    // Jobs stop with the requests: both may use the bank and the ledger, which close after.
    drained ??= Promise.all([requestDrain.drain(), jobs.stop()]).then(() => app.close());
    return drained;
  });
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;

/** Why the router refused a URL, without echoing it (it may be 100 KB). */
function routerRefusal(code: string): string {
  if (code === 'FST_ERR_MAX_PARAM_LENGTH') return 'A path segment is longer than 100 characters.';
  if (code === 'FST_ERR_BAD_URL') return 'The URL is not valid percent-encoding.';
  return 'The URL cannot be routed.';
}

/** Keep a caller's (load balancer's) request id when it is safe to log; otherwise make one. */
function requestIdOf(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
}
