/** The disputes module's declaration (modules/kit.ts): listed once, in ../catalog.ts. */
import { defineModule, wholeNumber } from '../kit.ts';
import { DISPUTES_ERRORS } from './errors.ts';
import { disputesMigrations } from './migrations.ts';

/** The module's job queues (jobs.ts defines the jobs). */
export const DISPUTES_JOBS = {
  /** Refunds a crash left between the money and the dispute's status, finished. */
  recover: 'disputes.recover',
} as const;

export const disputesDeclaration = defineModule({
  name: 'disputes',
  hundred: 20,
  migrations: disputesMigrations,
  errors: DISPUTES_ERRORS,
  jobQueues: Object.values(DISPUTES_JOBS),
  settings: {
    variables: {
      // How long after a movement its holder may dispute it (card schemes allow about 120–540 days).
      DISPUTES_WINDOW_DAYS: wholeNumber({ min: 1, max: 730, fallback: 180 }),
    },
    read: (values) => ({ windowDays: values.DISPUTES_WINDOW_DAYS }),
  },
});

export type DisputesSettings = { windowDays: number };
