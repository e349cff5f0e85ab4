/** The console module's declaration (modules/kit.ts): listed once, in ../catalog.ts. */
import { defineModule } from '../kit.ts';
import { CONSOLE_ERRORS } from './errors.ts';
import { consoleMigrations } from './migrations.ts';

export const consoleDeclaration = defineModule({
  name: 'console',
  hundred: 17,
  migrations: consoleMigrations,
  errors: CONSOLE_ERRORS,
});
