/** The developers module's declaration (modules/kit.ts): listed once, in ../catalog.ts. */
import { defineModule, wholeNumber } from '../kit.ts';
import { DEVELOPERS_ERRORS } from './errors.ts';
import { developersMigrations } from './migrations.ts';

import { dispatchJobName } from '../../outbox/index.ts';

/** The module's job queues (jobs.ts defines the jobs). */
export const DEVELOPERS_JOBS = {
  prune: 'developers.prune',
  /** One attempt of one webhook delivery (webhooks.ts). */
  deliver: 'developers.webhook',
  /** Deliveries whose job was lost, queued again. */
  sweep: 'developers.webhook-sweep',
} as const;

/** The outbox subscriber that turns a merchant's events into webhook deliveries. */
export const WEBHOOK_SUBSCRIBER = 'developers.webhooks';

/** The purpose of the sealed webhook signing secrets (SecretBox). */
export const WEBHOOK_SECRET_PURPOSE = 'developers:webhook-secret';

export const developersDeclaration = defineModule({
  name: 'developers',
  hundred: 16,
  migrations: developersMigrations,
  errors: DEVELOPERS_ERRORS,
  sealed: [
    { table: 'developers_webhook_endpoints', column: 'secret_sealed', purpose: WEBHOOK_SECRET_PURPOSE },
    {
      table: 'developers_webhook_endpoints',
      column: 'previous_secret_sealed',
      purpose: WEBHOOK_SECRET_PURPOSE,
    },
  ],
  jobQueues: [...Object.values(DEVELOPERS_JOBS), dispatchJobName(WEBHOOK_SUBSCRIBER)],
  settings: {
    variables: {
      // Requests per key per window, counted across every server process (ADR 0020).
      API_KEY_RATE_LIMIT: wholeNumber({ min: 1, max: 1_000_000, fallback: 1000 }),
      API_KEY_RATE_WINDOW_SECONDS: wholeNumber({ min: 1, max: 3600, fallback: 10 }),
      // Keys in use (not revoked, not expired) per merchant.
      API_KEYS_PER_MERCHANT: wholeNumber({ min: 1, max: 1000, fallback: 20 }),
      // How long the request log keeps a request.
      API_REQUEST_LOG_DAYS: wholeNumber({ min: 1, max: 365, fallback: 30 }),
      // Webhooks: endpoints per merchant, how long a receiver has to answer, and how many days
      // of failing deliveries disable an endpoint.
      WEBHOOK_ENDPOINTS_PER_MERCHANT: wholeNumber({ min: 1, max: 100, fallback: 10 }),
      WEBHOOK_TIMEOUT_MS: wholeNumber({ min: 100, max: 60_000, fallback: 10_000 }),
      WEBHOOK_DISABLE_AFTER_DAYS: wholeNumber({ min: 1, max: 30, fallback: 3 }),
      // How long one attempt holds its delivery (never less than the receiver's timeout and a
      // second: a slow receiver must not see a second sender meanwhile), and how often the sweep
      // looks for pending deliveries overdue by as much (their job lost). The crash tests shorten
      // both; in production a minute each.
      WEBHOOK_LEASE_SECONDS: wholeNumber({ min: 1, max: 3600, fallback: 60 }),
      WEBHOOK_SWEEP_SECONDS: wholeNumber({ min: 1, max: 3600, fallback: 60 }),
    },
    read: (values) => ({
      rateLimit: values.API_KEY_RATE_LIMIT,
      rateWindowSeconds: values.API_KEY_RATE_WINDOW_SECONDS,
      keysPerMerchant: values.API_KEYS_PER_MERCHANT,
      requestLogDays: values.API_REQUEST_LOG_DAYS,
      webhookEndpointsPerMerchant: values.WEBHOOK_ENDPOINTS_PER_MERCHANT,
      webhookTimeoutMs: values.WEBHOOK_TIMEOUT_MS,
      webhookDisableAfterDays: values.WEBHOOK_DISABLE_AFTER_DAYS,
      webhookLeaseSeconds: Math.max(
        values.WEBHOOK_LEASE_SECONDS,
        Math.ceil(values.WEBHOOK_TIMEOUT_MS / 1000) + 1,
      ),
      webhookSweepSeconds: values.WEBHOOK_SWEEP_SECONDS,
    }),
  },
});

export type DevelopersSettings = {
  rateLimit: number;
  rateWindowSeconds: number;
  keysPerMerchant: number;
  requestLogDays: number;
  webhookEndpointsPerMerchant: number;
  webhookTimeoutMs: number;
  webhookDisableAfterDays: number;
  webhookLeaseSeconds: number;
  webhookSweepSeconds: number;
};
