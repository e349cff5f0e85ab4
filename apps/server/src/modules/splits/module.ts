/** The splits module's declaration (modules/kit.ts): listed once, in ../catalog.ts. */
import { defineModule, wholeNumber } from '../kit.ts';
import { SPLITS_ERRORS } from './errors.ts';
import { splitsMigrations } from './migrations.ts';

export const splitsDeclaration = defineModule({
  name: 'splits',
  hundred: 15,
  migrations: splitsMigrations,
  errors: SPLITS_ERRORS,
  settings: {
    variables: {
      // At most 100 people (the organiser counted when included): a dinner, a trip, a class.
      SPLIT_MAX_PEOPLE: wholeNumber({ min: 2, max: 1000, fallback: 100 }),
      // ¥50,000 a split; each payer's own tier limits still apply to their share.
      SPLIT_MAX_TOTAL_MINOR: wholeNumber({ min: 100, max: 1_000_000_000, fallback: 5_000_000 }),
      // One round of reminders per split per hour.
      SPLIT_REMINDER_INTERVAL_MINUTES: wholeNumber({ min: 1, max: 10_080, fallback: 60 }),
    },
    read: (values) => ({
      maxPeople: values.SPLIT_MAX_PEOPLE,
      maxTotalMinor: BigInt(values.SPLIT_MAX_TOTAL_MINOR),
      reminderIntervalMinutes: values.SPLIT_REMINDER_INTERVAL_MINUTES,
    }),
  },
});

export type SplitsSettings = {
  maxPeople: number;
  maxTotalMinor: bigint;
  reminderIntervalMinutes: number;
};
