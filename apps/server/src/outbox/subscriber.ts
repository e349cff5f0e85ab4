/**
 * A subscriber: a named consumer of some event types (notifications now; webhooks, rewards,
 * risk features and history projections later). Each has its own cursor in
 * `outbox_subscriptions`, its own queue `outbox.<name>` on the job queue, and exactly one
 * dispatcher at a time across all server processes (dispatch.ts).
 *
 * Delivery is **at least once**: a process can die after the handler's work and before the
 * cursor moves, and the event comes again. So a handler is idempotent — it derives the ids of
 * what it writes from `event.id` and inserts with ON CONFLICT DO NOTHING, or compares and sets.
 * Events of one aggregate reach it one after another, in the order they were appended; events
 * of different aggregates may be handled side by side.
 */
import type { OutboxEvent } from './events.ts';

/** `module.what`, e.g. `notifications.inbox`. */
const NAME_PATTERN = /^[a-z][a-z0-9-]{0,30}\.[a-z][a-z0-9-]{0,30}$/;

export interface Subscriber {
  readonly name: string;
  /** The event types it is given; the others pass it by. */
  readonly types: readonly string[];
  /** Handle one event; throw to have it (and what follows) retried with backoff. */
  handle(event: OutboxEvent): Promise<void>;
  /**
   * Optional: handle a whole batch (up to `DISPATCH_BATCH_SIZE` events, in order) in one go,
   * instead of `handle` per event — for a subscriber whose work per event is a query that
   * batches (a projection). Throw to have the whole batch retried.
   */
  handleBatch?(events: readonly OutboxEvent[]): Promise<void>;
}

export function defineSubscriber(declaration: Subscriber): Subscriber {
  if (!NAME_PATTERN.test(declaration.name)) {
    throw new Error(`subscriber name ${JSON.stringify(declaration.name)} is not module.what`);
  }
  if (declaration.types.length === 0) throw new Error(`subscriber ${declaration.name} wants no event type`);
  return Object.freeze({
    name: declaration.name,
    types: Object.freeze([...declaration.types]),
    handle: (event: OutboxEvent) => declaration.handle(event),
    ...(declaration.handleBatch
      ? { handleBatch: (events: readonly OutboxEvent[]) => declaration.handleBatch!(events) }
      : {}),
  });
}

/** The job-queue name of a subscriber's dispatcher (listed in `allJobQueues`, migrations.ts). */
export function dispatchJobName(subscriberName: string): string {
  return `outbox.${subscriberName}`;
}
