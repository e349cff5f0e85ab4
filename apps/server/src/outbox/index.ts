/**
 * The transactional outbox (ADR 0015): a module appends domain events in the transaction of its
 * record (`appendEvents`), subscribers consume them at least once, in order per aggregate,
 * dispatched by the job queue. How a module uses it: modules/README.md, "Events".
 */
export {
  MAX_EVENTS_PER_APPEND,
  NO_WAKE,
  appendEvents,
  eventsOfWrittenRows,
  moneyPayload,
  type EventPayload,
  type EventValue,
  type NewEvent,
  type OutboxEvent,
  type OutboxWake,
} from './events.ts';
export { defineSubscriber, dispatchJobName, type Subscriber } from './subscriber.ts';
export { DISPATCH_BATCH_SIZE, dispatch, type DispatchResult } from './dispatch.ts';
export { OUTBOX_JOBS, Outbox, type OutboxOptions, type OutboxQueue } from './outbox.ts';
export { outboxMigrations } from './migrations.ts';
