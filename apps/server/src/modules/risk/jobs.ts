import { defineJob } from '../../jobs/index.ts';
import type { JobDefinition } from '../../jobs/index.ts';
import type { PgRiskStateStore } from './store.ts';

export const RISK_JOBS = { prune: 'risk.prune' } as const;

/** `risk.prune`, every ten minutes: the velocity buckets no window reads any more. */
export function riskJobs(deps: { state: PgRiskStateStore; now: () => Date }): JobDefinition[] {
  return [
    defineJob({
      name: RISK_JOBS.prune,
      schedule: { cron: '*/10 * * * *' },
      retry: { limit: 2, delaySeconds: 60, backoff: true },
      timeoutSeconds: 600,
      handler: async () => ({ deleted: await deps.state.prune(deps.now()) }),
    }),
  ];
}
