/** The developers module's declaration (modules/kit.ts): listed once, in ../catalog.ts. */
import { defineModule, wholeNumber } from '../kit.ts';
import { DEVELOPERS_ERRORS } from './errors.ts';
import { developersMigrations } from './migrations.ts';

/** The module's job queues (jobs.ts defines the jobs). */
export const DEVELOPERS_JOBS = {
  prune: 'developers.prune',
} as const;

export const developersDeclaration = defineModule({
  name: 'developers',
  hundred: 16,
  migrations: developersMigrations,
  errors: DEVELOPERS_ERRORS,
  jobQueues: Object.values(DEVELOPERS_JOBS),
  settings: {
    variables: {
      // Requests per key per window, counted across every server process (ADR 0020).
      API_KEY_RATE_LIMIT: wholeNumber({ min: 1, max: 1_000_000, fallback: 1000 }),
      API_KEY_RATE_WINDOW_SECONDS: wholeNumber({ min: 1, max: 3600, fallback: 10 }),
      // Keys in use (not revoked, not expired) per merchant.
      API_KEYS_PER_MERCHANT: wholeNumber({ min: 1, max: 1000, fallback: 20 }),
      // How long the request log keeps a request.
      API_REQUEST_LOG_DAYS: wholeNumber({ min: 1, max: 365, fallback: 30 }),
    },
    read: (values) => ({
      rateLimit: values.API_KEY_RATE_LIMIT,
      rateWindowSeconds: values.API_KEY_RATE_WINDOW_SECONDS,
      keysPerMerchant: values.API_KEYS_PER_MERCHANT,
      requestLogDays: values.API_REQUEST_LOG_DAYS,
    }),
  },
});

export type DevelopersSettings = {
  rateLimit: number;
  rateWindowSeconds: number;
  keysPerMerchant: number;
  requestLogDays: number;
};
