/** The developers module's job: forgetting old request-log lines and rate windows, hourly. */
import { defineJob } from '../../jobs/index.ts';
import type { JobDefinition } from '../../jobs/index.ts';
import { DEVELOPERS_JOBS } from './module.ts';
import type { DevelopersService } from './service.ts';

export function developersJobs(service: Pick<DevelopersService, 'prune'>): JobDefinition[] {
  return [
    defineJob({
      name: DEVELOPERS_JOBS.prune,
      schedule: { cron: '17 * * * *' },
      retry: { limit: 2, delaySeconds: 60, backoff: true },
      timeoutSeconds: 300,
      handler: () => service.prune(),
    }),
  ];
}
