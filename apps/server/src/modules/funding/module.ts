/** The funding module's declaration (modules/kit.ts): listed once, in ../catalog.ts. */
import { defineModule } from '../kit.ts';
import { FUNDING_ERRORS } from './errors.ts';
import { FUNDING_JOBS } from './jobs.ts';
import { fundingMigrations } from './migrations.ts';

export const fundingDeclaration = defineModule({
  name: 'funding',
  hundred: 7,
  migrations: fundingMigrations,
  errors: FUNDING_ERRORS,
  jobQueues: Object.values(FUNDING_JOBS),
});
