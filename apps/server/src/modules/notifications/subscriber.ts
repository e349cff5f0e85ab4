/**
 * The inbox's subscriber to domain events (outbox/, ADR 0015): each module that reports events
 * gives the texts of their notices (`NoticeRenderers`, e.g. transfers' `TRANSFER_NOTICES`), and
 * this subscriber writes them. A redelivered event writes nothing twice: each notice's id is
 * derived from the event's id and the recipient, and a stored id is neither stored, pushed nor
 * texted again.
 */
import { derivedId } from '@qianbao/ledger';
import { defineSubscriber } from '../../outbox/index.ts';
import type { OutboxEvent, Subscriber } from '../../outbox/index.ts';
import type { NotificationInput, NotificationsService } from './service.ts';

/** The subscriber's name; its dispatch queue is `outbox.notifications.inbox` (migrations.ts). */
export const INBOX_SUBSCRIBER = 'notifications.inbox';

/** One notice an event gives: to whom, and what it says. */
export interface EventNotice {
  userId: string;
  notice: NotificationInput;
}

/** Per event type, the notices it gives (none is fine: an event nobody is told about). */
export type NoticeRenderers = Readonly<Record<string, (event: OutboxEvent) => EventNotice[]>>;

/** The id of the notice `event` gives `userId`: the same on every delivery. */
export function noticeIdOf(event: OutboxEvent, userId: string, kind: string): string {
  return derivedId(`notice:${event.id}:${userId}:${kind}`);
}

export function inboxSubscriber(input: {
  notifications: Pick<NotificationsService, 'notify'>;
  renderers: readonly NoticeRenderers[];
}): Subscriber {
  const renderers = new Map<string, (event: OutboxEvent) => EventNotice[]>();
  for (const table of input.renderers) {
    for (const [type, render] of Object.entries(table)) {
      if (renderers.has(type)) throw new Error(`notices of ${type} are given twice`);
      renderers.set(type, render);
    }
  }
  return defineSubscriber({
    name: INBOX_SUBSCRIBER,
    types: [...renderers.keys()],
    async handle(event) {
      const render = renderers.get(event.type);
      if (!render) return;
      // The notices of one event go out together, as the services used to send them.
      await Promise.all(
        render(event).map(({ userId, notice }) =>
          input.notifications.notify(userId, notice, { id: noticeIdOf(event, userId, notice.kind) }),
        ),
      );
    },
  });
}
