/** The history module's declaration (modules/kit.ts): listed once, in ../catalog.ts. No tables yet. */
import { defineModule } from '../kit.ts';
import { HISTORY_ERRORS } from './errors.ts';

export const historyDeclaration = defineModule({
  name: 'history',
  hundred: 10,
  migrations: [],
  errors: HISTORY_ERRORS,
});
