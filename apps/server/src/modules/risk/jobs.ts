import { defineJob } from '../../jobs/index.ts';
import type { JobDefinition } from '../../jobs/index.ts';
import type { PgRiskStateStore } from './store.ts';
import type { ReviewCaseService } from './cases.ts';

export const RISK_JOBS = { prune: 'risk.prune', cases: 'risk.cases' } as const;

/**
 * `risk.prune`, every ten minutes: the velocity buckets no window reads any more.
 * `risk.cases`, every minute: review cases past their expiry are voided (the money returns), and
 * decided cases a crash left unsettled are settled again.
 */
export function riskJobs(deps: {
  state: PgRiskStateStore;
  cases: ReviewCaseService;
  now: () => Date;
}): JobDefinition[] {
  return [
    defineJob({
      name: RISK_JOBS.cases,
      schedule: { cron: '* * * * *' },
      retry: { limit: 2, delaySeconds: 30, backoff: true },
      timeoutSeconds: 300,
      handler: async () => ({ settled: await deps.cases.settleDue() }),
    }),
    defineJob({
      name: RISK_JOBS.prune,
      schedule: { cron: '*/10 * * * *' },
      retry: { limit: 2, delaySeconds: 60, backoff: true },
      timeoutSeconds: 600,
      handler: async () => ({ deleted: await deps.state.prune(deps.now()) }),
    }),
  ];
}
