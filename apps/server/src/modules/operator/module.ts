/** The operator module's declaration (modules/kit.ts): listed once, in ../catalog.ts. */
import { defineModule, wholeNumber } from '../kit.ts';
import { OPERATOR_ERRORS } from './errors.ts';
import { operatorMigrations } from './migrations.ts';

/** The operator settings of the environment; hashing and the try lease are the server's own. */
export interface OperatorSettings {
  sessionHours: number;
  maxFailures: number;
  lockMinutes: number;
}

/** The purpose of the operators' sealed TOTP secrets (SecretBox). */
export const OPERATOR_TOTP_PURPOSE = 'operator:totp';

export const operatorDeclaration = defineModule({
  name: 'operator',
  hundred: 4,
  migrations: operatorMigrations,
  errors: OPERATOR_ERRORS,
  sealed: [{ table: 'operator_accounts', column: 'totp_secret_sealed', purpose: OPERATOR_TOTP_PURPOSE }],
  settings: {
    variables: {
      /** An operator's session ends this long after sign-in (a working day by default). */
      OPERATOR_SESSION_HOURS: wholeNumber({ min: 1, max: 24, fallback: 8 }),
      /** Wrong sign-ins in a row that lock an operator account. */
      OPERATOR_MAX_FAILURES: wholeNumber({ min: 1, max: 20, fallback: 5 }),
      /** How long a locked operator account stays locked. */
      OPERATOR_LOCK_MINUTES: wholeNumber({ min: 1, max: 1440, fallback: 15 }),
    },
    read: (values): OperatorSettings => ({
      sessionHours: values.OPERATOR_SESSION_HOURS,
      maxFailures: values.OPERATOR_MAX_FAILURES,
      lockMinutes: values.OPERATOR_LOCK_MINUTES,
    }),
  },
});
