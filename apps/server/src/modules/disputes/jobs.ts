/** The module's jobs (modules/README.md "Jobs"): idempotent — a refund's money has ids derived from its dispute. */
import { defineJob } from '../../jobs/index.ts';
import type { JobDefinition } from '../../jobs/index.ts';
import { DISPUTES_JOBS } from './module.ts';
import type { DisputesService } from './service.ts';

export function disputesJobs(service: Pick<DisputesService, 'recover'>): JobDefinition[] {
  return [
    // A refund whose run died between the money and the dispute's status: finished.
    defineJob({
      name: DISPUTES_JOBS.recover,
      schedule: { cron: '* * * * *' },
      retry: { limit: 2, delaySeconds: 20, backoff: true },
      timeoutSeconds: 300, // 50 disputes a run, one ledger or refund request each
      handler: () => service.recover(),
    }),
  ];
}
