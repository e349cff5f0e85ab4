/**
 * The open platform (issue 14): API keys of merchants (ADR 0020) — made by the owner, the
 * authenticator of the `apiClient` principal, rate limits and the request log — partners acting
 * for the merchants that granted them access (ADR 0023), and webhooks:
 * endpoints, signed deliveries fed from the outbox, retries, the delivery log. Made by
 * app.ts with what it needs (`createDevelopersModule`); declared in module.ts. docs/developers.md.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type pg from 'pg';
import { developersJobs } from './jobs.ts';
import type { DevelopersSettings } from './module.ts';
import { developersRoutes } from './routes.ts';
import { oauthRoutes } from './oauth-routes.ts';
import type { TestTwins } from './routes.ts';
import { DevelopersService } from './service.ts';
import { DevelopersStore } from './store.ts';
import { partnerRoutes } from './partner-routes.ts';
import { PartnerStore } from './partner-store.ts';
import { Partners } from './partners.ts';
import { webhookRoutes } from './webhook-routes.ts';
import { WebhookStore } from './webhook-store.ts';
import { WebhooksService } from './webhooks.ts';
import type { WebhooksDeps } from './webhooks.ts';

export { developersDeclaration } from './module.ts';
export { DevelopersService } from './service.ts';
export { WebhooksService } from './webhooks.ts';
export { webhookDisabledNotice } from './webhook-notices.ts';

export function createDevelopersModule(deps: {
  pool: pg.Pool;
  settings: DevelopersSettings;
  /** Sandbox mode: webhook endpoints may be http:// (a developer's machine). */
  sandbox: boolean;
  secrets: WebhooksDeps['secrets'];
  jobs: WebhooksDeps['jobs'];
  tellOwner: WebhooksDeps['tellOwner'];
  /** The merchants' test twins: test keys act for them (ADR 0022). */
  twins: TestTwins;
  /** A live merchant's name; null when there is none with this id (partner grants, ADR 0023). */
  merchantNameOf: (merchantId: string) => Promise<string | null>;
  now: () => Date;
  log: { warn(object: object, message: string): void };
  observeWebhookAttempt?: WebhooksDeps['observe'];
}) {
  const partners = new Partners({
    store: new PartnerStore(deps.pool),
    twins: deps.twins,
    merchantNameOf: deps.merchantNameOf,
    now: deps.now,
  });
  const service = new DevelopersService({
    store: new DevelopersStore(deps.pool),
    partners,
    settings: deps.settings,
    now: deps.now,
    log: deps.log,
  });
  const webhooks = new WebhooksService({
    store: new WebhookStore(deps.pool),
    secrets: deps.secrets,
    jobs: deps.jobs,
    tellOwner: deps.tellOwner,
    ...(deps.observeWebhookAttempt ? { observe: deps.observeWebhookAttempt } : {}),
    settings: {
      endpointsPerMerchant: deps.settings.webhookEndpointsPerMerchant,
      timeoutMs: deps.settings.webhookTimeoutMs,
      disableAfterDays: deps.settings.webhookDisableAfterDays,
      leaseSeconds: deps.settings.webhookLeaseSeconds,
      sweepSeconds: deps.settings.webhookSweepSeconds,
      allowHttp: deps.sandbox,
    },
    now: deps.now,
    log: deps.log,
  });
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(developersRoutes, { service, twins: deps.twins });
    await app.register(oauthRoutes, { service });
    await app.register(partnerRoutes, { partners });
    await app.register(webhookRoutes, { webhooks, twins: deps.twins });
  };
  /** Every request's hooks, added at the root: rate-limit headers and the request log of API keys. */
  const hooks = (app: FastifyInstance) => {
    app.addHook('onSend', async (request, reply, payload) => {
      service.addRateLimitHeaders(request, reply);
      return payload;
    });
    app.addHook('onResponse', async (request, reply) => {
      service.logRequest(request, reply);
    });
  };
  return {
    service,
    partners,
    webhooks,
    routes,
    hooks,
    jobs: developersJobs(service, webhooks, { sweepSeconds: deps.settings.webhookSweepSeconds }),
    /** The outbox subscriber that turns the merchants' events into deliveries. */
    webhookSubscriber: webhooks.subscriber(),
  };
}
