/** The help module's declaration (modules/kit.ts): listed once, in ../catalog.ts. */
import { defineModule, wholeNumber } from '../kit.ts';
import { HELP_ERRORS } from './errors.ts';
import { helpMigrations } from './migrations.ts';

export const helpDeclaration = defineModule({
  name: 'help',
  hundred: 21,
  migrations: helpMigrations,
  errors: HELP_ERRORS,
  settings: {
    variables: {
      // Feedback a holder may send per rolling 24 hours (HELP_FEEDBACK_LIMITED beyond).
      HELP_FEEDBACK_PER_DAY: wholeNumber({ min: 1, max: 1000, fallback: 5 }),
    },
    read: (values) => ({ feedbackPerDay: values.HELP_FEEDBACK_PER_DAY }),
  },
});

export interface HelpSettings {
  feedbackPerDay: number;
}
