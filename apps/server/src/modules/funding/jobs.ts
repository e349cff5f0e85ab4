import { defineJob } from '../../jobs/index.ts';
import type { JobDefinition } from '../../jobs/index.ts';
import type { FundingService } from './service.ts';

export const FUNDING_JOBS = { recover: 'funding.recover', reconcile: 'funding.reconcile' } as const;

export function fundingJobs(deps: {
  service: Pick<FundingService, 'recover'>;
  /** Yesterday's reconciliation unless already saved (the report's row is the claim). */
  reconcileYesterday: () => Promise<unknown>;
  /** `FUNDING_RECOVERY_INTERVAL_MS`; 0 turns the recovery job off. */
  recoveryIntervalMs: number;
}): JobDefinition[] {
  return [
    // Unfinished top-ups, withdrawals and bank transfers (service.ts `recover`): each row is
    // claimed with a lease and backs off by itself, so the job's next run is its retry.
    defineJob({
      name: FUNDING_JOBS.recover,
      schedule: deps.recoveryIntervalMs === 0 ? null : { everyMs: deps.recoveryIntervalMs },
      timeoutSeconds: 120, // 50 operations a run, each a bank call of at most a few seconds
      handler: () => deps.service.recover(),
    }),
    // Hourly rather than once at 00:05: the first run after midnight (Asia/Shanghai) reconciles
    // yesterday, the others find its report saved, and a server down at midnight catches up.
    defineJob({
      name: FUNDING_JOBS.reconcile,
      schedule: { cron: '5 * * * *' },
      retry: { limit: 5, delaySeconds: 60, backoff: true },
      timeoutSeconds: 900,
      handler: () => deps.reconcileYesterday(),
    }),
  ];
}
