/**
 * The module's jobs (modules/README.md "Jobs"): both idempotent — every movement they make has
 * an id derived from its claim or packet, every record change is a compare-and-set.
 */
import { defineJob } from '../../jobs/index.ts';
import type { JobDefinition } from '../../jobs/index.ts';
import { RED_PACKET_JOBS } from './module.ts';
import type { RedPacketsService } from './service.ts';

export function redPacketsJobs(service: Pick<RedPacketsService, 'expireDue' | 'recover'>): JobDefinition[] {
  return [
    // Unclaimed money back to the sender once the packet expires (24 h by default).
    defineJob({
      name: RED_PACKET_JOBS.expire,
      schedule: { cron: '* * * * *' },
      retry: { limit: 2, delaySeconds: 20, backoff: true },
      timeoutSeconds: 300, // 200 packets a run, a few ledger requests each
      handler: () => service.expireDue(),
    }),
    // What a crash left half-way: claims drawn and not credited, packets not funded or refunded.
    defineJob({
      name: RED_PACKET_JOBS.recover,
      schedule: { cron: '* * * * *' },
      retry: { limit: 2, delaySeconds: 20, backoff: true },
      timeoutSeconds: 300,
      handler: () => service.recover(),
    }),
  ];
}
