/** The transfers module's declaration (modules/kit.ts): listed once, in ../catalog.ts. */
import { defineModule } from '../kit.ts';
import { TRANSFERS_ERRORS } from './errors.ts';
import { transfersMigrations } from './migrations.ts';

export const transfersDeclaration = defineModule({
  name: 'transfers',
  hundred: 8,
  migrations: transfersMigrations,
  errors: TRANSFERS_ERRORS,
});
