import { defineJob } from '../../jobs/index.ts';
import type { JobDefinition } from '../../jobs/index.ts';
import { SUPPORT_JOBS } from './module.ts';
import type { SupportService } from './service.ts';

export { SUPPORT_JOBS };

export function supportJobs(service: SupportService): JobDefinition[] {
  return [
    // Every minute: unanswered chats become tickets, old resolved tickets close, loose uploads go.
    defineJob({
      name: SUPPORT_JOBS.sweep,
      schedule: { cron: '* * * * *' },
      timeoutSeconds: 120,
      handler: () => service.sweep(),
    }),
  ];
}
