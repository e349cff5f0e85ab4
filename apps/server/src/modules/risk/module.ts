/** The risk module's declaration (modules/kit.ts): listed once, in ../catalog.ts. */
import { defineModule, oneOf, wholeNumber } from '../kit.ts';
import { riskCaseMigrations } from './case-migrations.ts';
import { RISK_ERRORS } from './errors.ts';
import { RISK_JOBS } from './jobs.ts';
import { riskMigrations } from './migrations.ts';

export const riskDeclaration = defineModule({
  name: 'risk',
  hundred: 11,
  migrations: [...riskMigrations, ...riskCaseMigrations],
  errors: RISK_ERRORS,
  settings: {
    variables: {
      // `off` judges nothing (every payment and sign-in allowed; freezes still hold): for an
      // emergency or a benchmark without the engine (bench/http-transfers.ts --risk off).
      RISK_ENGINE: oneOf(['on', 'off'], 'on'),
      // How long a payment held for review waits for an operator before it is returned.
      RISK_REVIEW_HOURS: wholeNumber({ min: 1, max: 168, fallback: 24 }),
    },
    read: (values) => ({ engine: values.RISK_ENGINE, reviewHours: values.RISK_REVIEW_HOURS }),
  },
  jobQueues: Object.values(RISK_JOBS),
});
