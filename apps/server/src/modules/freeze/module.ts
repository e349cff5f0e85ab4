/** The freeze module's declaration (modules/kit.ts): listed once, in ../catalog.ts. */
import { defineModule } from '../kit.ts';
import { FREEZE_ERRORS } from './errors.ts';
import { freezeMigrations } from './migrations.ts';

export const freezeDeclaration = defineModule({
  name: 'freeze',
  hundred: 12,
  migrations: freezeMigrations,
  errors: FREEZE_ERRORS,
});
