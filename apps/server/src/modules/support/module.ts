/** The support module's declaration (modules/kit.ts): listed once, in ../catalog.ts. */
import { defineModule, wholeNumber } from '../kit.ts';
import { SUPPORT_ERRORS } from './errors.ts';
import { supportMigrations } from './migrations.ts';

/** The module's job queues (jobs.ts defines the jobs). */
export const SUPPORT_JOBS = { sweep: 'support.sweep' } as const;

export const supportDeclaration = defineModule({
  name: 'support',
  hundred: 19,
  migrations: supportMigrations,
  errors: SUPPORT_ERRORS,
  jobQueues: Object.values(SUPPORT_JOBS),
  settings: {
    variables: {
      SUPPORT_MAX_OPEN_TICKETS: wholeNumber({ min: 1, max: 100, fallback: 5 }),
      SUPPORT_MAX_MESSAGE_CHARS: wholeNumber({ min: 100, max: 10_000, fallback: 2000 }),
      SUPPORT_ATTACHMENT_MAX_BYTES: wholeNumber({
        min: 1024,
        max: 10 * 1024 * 1024,
        fallback: 5 * 1024 * 1024,
      }),
      SUPPORT_CHAT_OPENS_AT_HOUR: wholeNumber({ min: 0, max: 23, fallback: 9 }),
      SUPPORT_CHAT_CLOSES_AT_HOUR: wholeNumber({ min: 1, max: 24, fallback: 21 }),
      SUPPORT_CHAT_PICKUP_MINUTES: wholeNumber({ min: 1, max: 120, fallback: 5 }),
      SUPPORT_AUTO_CLOSE_DAYS: wholeNumber({ min: 1, max: 90, fallback: 7 }),
    },
    read: (values) => ({
      maxOpenTickets: values.SUPPORT_MAX_OPEN_TICKETS,
      maxMessageChars: values.SUPPORT_MAX_MESSAGE_CHARS,
      attachmentMaxBytes: values.SUPPORT_ATTACHMENT_MAX_BYTES,
      chatOpensAtHour: values.SUPPORT_CHAT_OPENS_AT_HOUR,
      chatClosesAtHour: values.SUPPORT_CHAT_CLOSES_AT_HOUR,
      chatPickupMinutes: values.SUPPORT_CHAT_PICKUP_MINUTES,
      autoCloseDays: values.SUPPORT_AUTO_CLOSE_DAYS,
    }),
  },
});

export interface SupportSettings {
  maxOpenTickets: number;
  maxMessageChars: number;
  attachmentMaxBytes: number;
  chatOpensAtHour: number;
  chatClosesAtHour: number;
  chatPickupMinutes: number;
  autoCloseDays: number;
}
