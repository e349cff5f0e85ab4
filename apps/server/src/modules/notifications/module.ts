/** The notifications module's declaration (modules/kit.ts): listed once, in ../catalog.ts. */
import { dispatchJobName } from '../../outbox/subscriber.ts';
import { defineModule } from '../kit.ts';
import { notificationsMigrations } from './migrations.ts';
import { INBOX_SUBSCRIBER } from './subscriber.ts';

export const notificationsDeclaration = defineModule({
  name: 'notifications',
  hundred: 5,
  migrations: notificationsMigrations,
  errors: {},
  // The inbox's outbox subscriber is dispatched on its own queue.
  jobQueues: [dispatchJobName(INBOX_SUBSCRIBER)],
});
