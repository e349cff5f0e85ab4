/** The module's job (modules/README.md "Jobs"): idempotent, the movement's id is the change's. */
import { defineJob } from '../../jobs/index.ts';
import type { JobDefinition } from '../../jobs/index.ts';
import { APPROVALS_JOBS } from './module.ts';
import type { ApprovalsService } from './service.ts';

export function approvalsJobs(service: Pick<ApprovalsService, 'finishUnfinished'>): JobDefinition[] {
  return [
    // Approved adjustments a crash left between the approval and the outcome: moved (or found
    // moved) and marked, at most 100 a run.
    defineJob({
      name: APPROVALS_JOBS.finish,
      schedule: { cron: '* * * * *' },
      retry: { limit: 2, delaySeconds: 20, backoff: true },
      timeoutSeconds: 300,
      handler: () => service.finishUnfinished(),
    }),
  ];
}
