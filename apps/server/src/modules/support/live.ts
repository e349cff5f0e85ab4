/**
 * Live updates of tickets, both ways, through the notifications module's live channel (its
 * LISTEN/NOTIFY, every server process):
 *
 * - the holder: pushes under their own key, so the inbox stream they already have open
 *   (`GET /v1/me/notifications/stream`) carries them as `notification` events of kind
 *   `support.*` with `params.ticketId`. A reply to a ticket is also an inbox notice (stored,
 *   pushed by the inbox); chat messages and status moves are pushes only, without a title.
 * - the console: `GET /v1/operator/support/stream`, one key per operator (`support-console:<id>`);
 *   a change is pushed to every operator whose console stream was open lately
 *   (`support_agents.streaming_until`, refreshed on every heartbeat).
 *
 * A push is transient: a stream that missed one finds everything by reading the ticket again.
 */
import { newId } from '@qianbao/ledger';
import type { LiveNotifications, Notification } from '../notifications/index.ts';

export const consoleLiveKey = (operatorId: string): string => `support-console:${operatorId}`;

export type ConsoleChange = 'created' | 'message' | 'status' | 'assigned';

export interface ConsolePush {
  ticketId: string;
  change: ConsoleChange;
  status: string;
  chatState: string | null;
}

const EMPTY = { 'zh-CN': '', en: '' };

export function push(kind: string, params: Record<string, unknown>, at: Date): Notification {
  return { id: newId(), kind, params, title: EMPTY, body: EMPTY, createdAt: at, readAt: null };
}

export type SupportLive = Pick<LiveNotifications, 'publish' | 'subscribe'>;
