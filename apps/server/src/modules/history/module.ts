/** The history module's declaration (modules/kit.ts): listed once, in ../catalog.ts. */
import { dispatchJobName } from '../../outbox/subscriber.ts';
import { defineModule } from '../kit.ts';
import { HISTORY_ERRORS } from './errors.ts';
import { historyMigrations } from './migrations.ts';
import { HISTORY_JOBS, HISTORY_SUBSCRIBER } from './names.ts';

export const historyDeclaration = defineModule({
  name: 'history',
  hundred: 10,
  migrations: historyMigrations,
  errors: HISTORY_ERRORS,
  // The projector's job, and the outbox subscriber's dispatcher on its own queue.
  jobQueues: [...Object.values(HISTORY_JOBS), dispatchJobName(HISTORY_SUBSCRIBER)],
});
