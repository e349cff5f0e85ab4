/**
 * Serving a live stream (server-sent events) of pushes under one key of the live channel
 * (live.ts): the inbox's (`/v1/me/notifications/stream`, the holder's key) and the merchant
 * portal's (`/v1/me/merchant/stream`, `merchant:<id>`). One way to open, beat and end them:
 *
 * - too many streams on this key or instance → 429 RATE_LIMITED, nothing opened;
 * - `ready` first, then one event per push (`toEvent`: its name and data, null to skip);
 * - every heartbeat the caller is checked again (`stillAllowed`): signed out anywhere, or no
 *   longer allowed (a removed cashier), the stream ends within one heartbeat;
 * - a client gone, or the server shutting down (`closeStreams`), unsubscribes it.
 */
import type { FastifyReply } from 'fastify';
import type { LiveNotifications } from './live.ts';
import type { Notification } from './service.ts';

export interface LiveStream {
  live: Pick<LiveNotifications, 'subscribe'>;
  key: string;
  heartbeatMs: number;
  /** The `ready` event's data. */
  ready: unknown;
  /** The event a push becomes; null: not sent. */
  toEvent(push: Notification): { event: string; data: unknown } | null;
  /** Resolves while the caller may still have the stream; rejects to end it. */
  stillAllowed(): Promise<unknown>;
  /** The 429's message. */
  tooMany: string;
}

export async function serveLiveStream(reply: FastifyReply, stream: LiveStream): Promise<FastifyReply | void> {
  const raw = reply.raw;
  let open = true;
  const end = () => {
    if (!open) return;
    open = false;
    raw.end();
  };
  const send = (event: string, data: unknown) =>
    raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const unsubscribe = await stream.live.subscribe(stream.key, {
    onNotification: (push) => {
      const event = open ? stream.toEvent(push) : null;
      if (event) send(event.event, event.data);
    },
    onClose: end,
  });
  if (!unsubscribe) {
    return reply.code(429).send({ error: { code: 'RATE_LIMITED', message: stream.tooMany, details: {} } });
  }
  reply.hijack();
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  send('ready', stream.ready);
  const heartbeat = setInterval(() => {
    stream.stillAllowed().then(
      () => open && raw.write(': keep-alive\n\n'),
      () => end(),
    );
  }, stream.heartbeatMs);
  raw.on('close', () => {
    open = false;
    clearInterval(heartbeat);
    unsubscribe();
  });
}
