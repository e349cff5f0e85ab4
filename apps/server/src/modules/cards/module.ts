/** The cards module's declaration (modules/kit.ts): listed once, in ../catalog.ts. */
import { defineModule } from '../kit.ts';
import { CARDS_ERRORS } from './errors.ts';
import { cardsMigrations } from './migrations.ts';

export const cardsDeclaration = defineModule({
  name: 'cards',
  hundred: 6,
  migrations: cardsMigrations,
  errors: CARDS_ERRORS,
});
