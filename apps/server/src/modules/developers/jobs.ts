/**
 * The developers module's jobs: one webhook delivery's attempt (sent by webhooks.ts, retried by
 * its own schedule), the sweep of deliveries whose job was lost, and forgetting old request-log
 * lines and rate windows.
 */
import { defineJob } from '../../jobs/index.ts';
import type { JobDefinition } from '../../jobs/index.ts';
import { DEVELOPERS_JOBS } from './module.ts';
import type { DevelopersService } from './service.ts';
import type { WebhooksService } from './webhooks.ts';

export function developersJobs(
  service: Pick<DevelopersService, 'prune'>,
  webhooks: Pick<WebhooksService, 'attempt' | 'exists' | 'sweep'>,
  options: { sweepSeconds: number },
): JobDefinition[] {
  return [
    defineJob({
      name: DEVELOPERS_JOBS.prune,
      schedule: { cron: '17 * * * *' },
      retry: { limit: 2, delaySeconds: 60, backoff: true },
      timeoutSeconds: 300,
      handler: () => service.prune(),
    }),
    // The schedule of a delivery's attempts is the delivery's own (webhook-schedule.ts); the
    // queue's retries are only for this job failing (the database away), not for the receiver.
    defineJob<{ deliveryId: string }>({
      name: DEVELOPERS_JOBS.deliver,
      schedule: null,
      retry: { limit: 3, delaySeconds: 10, backoff: true },
      timeoutSeconds: 120,
      handler: async ({ deliveryId }) => {
        // A delivery removed with its endpoint since it was queued: nothing to send.
        if (typeof deliveryId !== 'string' || !(await webhooks.exists(deliveryId))) return { status: 'gone' };
        const delivery = await webhooks.attempt(deliveryId, 'auto');
        return { status: delivery.status, attempts: delivery.attempts };
      },
    }),
    // Every minute (`WEBHOOK_SWEEP_SECONDS`, 60); another setting (the crash tests' seconds) runs
    // it as a chain every that many seconds, whose next run is its retry.
    defineJob({
      name: DEVELOPERS_JOBS.sweep,
      ...(options.sweepSeconds === 60
        ? { schedule: { cron: '* * * * *' }, retry: { limit: 1, delaySeconds: 30, backoff: false } }
        : { schedule: { everyMs: options.sweepSeconds * 1000 } }),
      timeoutSeconds: 120,
      handler: () => webhooks.sweep(),
    }),
  ];
}
