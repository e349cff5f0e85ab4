/**
 * Live push of new notifications to open streams (server-sent events), across every server
 * instance: `notify` publishes with PostgreSQL NOTIFY; each instance LISTENs on one dedicated
 * connection and hands the notification to the streams of that holder it serves. No Redis
 * needed; a stream that misses a push (reconnecting) still finds everything in the inbox.
 */
import type pg from 'pg';
import { withTransaction } from '@qianbao/db';
import type { Notification } from './service.ts';

export const NOTIFICATIONS_CHANNEL = 'qianbao_notifications';
/** NOTIFY payloads must stay under 8000 bytes; ours are far smaller, but never risk a failure. */
const MAX_PAYLOAD_BYTES = 7000;
const RECONNECT_DELAY_MS = 1000;
/** Pushes waiting to be sent; beyond this, new ones are dropped (they are in the inbox anyway). */
const MAX_OUTBOX = 100_000;
const MAX_PER_FLUSH = 1000;

export interface LiveListener {
  onNotification(notification: Notification): void;
  /** The server is shutting down or the holder has too many streams: end the stream. */
  onClose(): void;
}

export interface LiveLimits {
  streamsPerHolder: number;
  streamsTotal: number;
}

interface Payload {
  u: string;
  n: {
    id: string;
    kind: string;
    params: Record<string, unknown>;
    title: Notification['title'];
    body: Notification['body'];
    createdAt: string;
  };
}

export class LiveNotifications {
  private client: pg.PoolClient | null = null;
  /** Gives `client` back to the pool once, whoever asks first (an error or `close`). */
  private releaseClient: ((error?: Error) => boolean) | null = null;
  private readonly listeners = new Map<string, Set<LiveListener>>();
  private total = 0;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readonly outbox: string[] = [];
  private flushing: Promise<void> | null = null;
  /** The `listen()` under way: concurrent first streams share it (else each opened a connection). */
  private listening: Promise<void> | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: { warn(object: object, message: string): void },
    private readonly limits: LiveLimits = { streamsPerHolder: 5, streamsTotal: 10_000 },
  ) {}

  /**
   * Starts listening (lazily, with the first stream): an instance nobody streams from holds no
   * connection. Streams opened at once share one start: two LISTEN connections would leave one
   * untracked, never released — and the pool's end at shutdown waiting for it for ever.
   */
  private listen(): Promise<void> {
    if (this.client || this.closed) return Promise.resolve();
    this.listening ??= this.startListening().finally(() => (this.listening = null));
    return this.listening;
  }

  private async startListening(): Promise<void> {
    const client = await this.pool.connect();
    if (this.closed) {
      client.release();
      return;
    }
    let released = false;
    // Exactly once per connection: a lost connection may report more than one error (the
    // socket's, then the protocol's), and `close()` may have released it already.
    const release = (error?: Error) => {
      if (released) return false;
      released = true;
      if (this.client === client) this.client = null;
      client.release(error);
      return true;
    };
    client.on('notification', (message) => this.deliver(message.payload));
    client.on('error', (error) => {
      if (!release(error) || this.closed) return;
      this.log.warn({ err: error }, 'live notifications: listening connection lost; reconnecting');
      this.reconnectTimer ??= setTimeout(() => {
        this.reconnectTimer = null;
        if (this.total > 0) void this.listen().catch(() => {});
      }, RECONNECT_DELAY_MS);
    });
    try {
      await client.query(`LISTEN ${NOTIFICATIONS_CHANNEL}`);
    } catch (error) {
      release(error as Error);
      throw error;
    }
    if (released) return; // lost while LISTEN was on its way
    if (this.closed) {
      // Closed while LISTEN was on its way: nobody will close it again.
      release();
      return;
    }
    this.client = client;
    this.releaseClient = release;
  }

  /**
   * Publish a stored notification to every instance (called by the service after the insert).
   * Pushes are queued and sent together: a transaction that NOTIFYs holds PostgreSQL's global
   * notify lock through its commit, so one NOTIFY per notification would serialise every
   * payment on it. One statement per flush, committed without waiting for the disk — a push is
   * a transient message (the inbox row is already durable), so nothing is lost that matters.
   */
  publish(userId: string, notification: Notification): Promise<void> {
    const payload: Payload = {
      u: userId,
      n: { ...notification, createdAt: notification.createdAt.toISOString() },
    };
    let text = JSON.stringify(payload);
    if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES) {
      // Too long to push whole: push a stub; the client refreshes its inbox.
      text = JSON.stringify({ u: userId, n: { ...payload.n, params: {}, body: { 'zh-CN': '', en: '' } } });
    }
    if (this.outbox.length >= MAX_OUTBOX) return Promise.resolve(); // a push may be dropped, never block a payment
    this.outbox.push(text);
    this.flushing ??= this.flush().finally(() => (this.flushing = null));
    return Promise.resolve();
  }

  /** Wait until everything queued so far has been sent (tests, shutdown). */
  async flushed(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flush(): Promise<void> {
    while (this.outbox.length > 0) {
      const batch = this.outbox.splice(0, MAX_PER_FLUSH);
      try {
        await withTransaction(this.pool, async (client) => {
          await client.query('SET LOCAL synchronous_commit = off');
          await client.query('SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload', [
            NOTIFICATIONS_CHANNEL,
            batch,
          ]);
        });
      } catch (error) {
        this.log.warn(
          { err: error },
          'live notifications: a batch of pushes failed (they stay in the inbox)',
        );
      }
    }
  }

  /** Null when this holder (or the instance) already has the most streams allowed. */
  async subscribe(userId: string, listener: LiveListener): Promise<(() => void) | null> {
    const mine = this.listeners.get(userId) ?? new Set<LiveListener>();
    if (this.closed || mine.size >= this.limits.streamsPerHolder || this.total >= this.limits.streamsTotal) {
      return null;
    }
    await this.listen();
    mine.add(listener);
    this.listeners.set(userId, mine);
    this.total++;
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      mine.delete(listener);
      if (mine.size === 0) this.listeners.delete(userId);
      this.total--;
    };
  }

  /** End every open stream (the start of a graceful shutdown: streams never end by themselves). */
  closeStreams(): void {
    for (const set of this.listeners.values()) for (const listener of set) listener.onClose();
  }

  async close(): Promise<void> {
    await this.flushed();
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.closeStreams();
    const client = this.client;
    const release = this.releaseClient;
    this.client = null;
    this.releaseClient = null;
    if (client && release) {
      // UNLISTEN first: the connection goes back to the pool for other work.
      const unlistened = await client.query(`UNLISTEN ${NOTIFICATIONS_CHANNEL}`).then(
        () => true,
        () => false,
      );
      release(unlistened ? undefined : new Error('UNLISTEN failed'));
    }
  }

  private deliver(text: string | undefined): void {
    if (!text) return;
    let payload: Payload;
    try {
      payload = JSON.parse(text) as Payload;
    } catch {
      return;
    }
    const listeners = this.listeners.get(payload.u);
    if (!listeners) return;
    const notification: Notification = {
      ...payload.n,
      createdAt: new Date(payload.n.createdAt),
      readAt: null,
    };
    for (const listener of listeners) listener.onNotification(notification);
  }
}
