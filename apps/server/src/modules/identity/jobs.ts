import { defineJob } from '../../jobs/index.ts';
import type { JobDefinition } from '../../jobs/index.ts';
import type { IdentityService } from './service.ts';

export const IDENTITY_JOBS = { sweep: 'identity.sweep' } as const;

/** Hourly housekeeping (`IdentityService.sweep`: expired codes, idle rate-limit rows); idempotent deletes. */
export function identityJobs(service: Pick<IdentityService, 'sweep'>): JobDefinition[] {
  return [
    defineJob({
      name: IDENTITY_JOBS.sweep,
      schedule: { cron: '0 * * * *' },
      retry: { limit: 3, delaySeconds: 60, backoff: true },
      handler: () => service.sweep(),
    }),
  ];
}
