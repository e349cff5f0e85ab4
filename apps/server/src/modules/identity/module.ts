/** The identity module's declaration (modules/kit.ts): listed once, in ../catalog.ts. */
import { defineModule } from '../kit.ts';
import { IDENTITY_ERRORS } from './errors.ts';
import { IDENTITY_JOBS } from './jobs.ts';
import { identityMigrations } from './migrations.ts';

export const identityDeclaration = defineModule({
  name: 'identity',
  hundred: 1,
  migrations: identityMigrations,
  errors: IDENTITY_ERRORS,
  jobQueues: Object.values(IDENTITY_JOBS),
});
