/** The risk module's declaration (modules/kit.ts): listed once, in ../catalog.ts. */
import { defineModule, oneOf } from '../kit.ts';
import { RISK_ERRORS } from './errors.ts';
import { RISK_JOBS } from './jobs.ts';
import { riskMigrations } from './migrations.ts';

export const riskDeclaration = defineModule({
  name: 'risk',
  hundred: 11,
  migrations: riskMigrations,
  errors: RISK_ERRORS,
  settings: {
    variables: {
      // `off` judges nothing (every payment and sign-in allowed; freezes still hold): for an
      // emergency or a benchmark without the engine (bench/http-transfers.ts --risk off).
      RISK_ENGINE: oneOf(['on', 'off'], 'on'),
    },
    read: (values) => ({ engine: values.RISK_ENGINE }),
  },
  jobQueues: Object.values(RISK_JOBS),
});
