import { isUuid, newId } from '@qianbao/ledger';
import { AppError } from '../../errors.ts';
import type { LiveNotifications } from './live.ts';
import type { NotificationRow, NotificationsStore } from './store.ts';

export const NOTIFICATION_LOCALES = ['zh-CN', 'en'] as const;
export type NotificationLocale = (typeof NOTIFICATION_LOCALES)[number];

/** A text in every language of the app. */
export type LocalizedText = Record<NotificationLocale, string>;

export type NotificationParams = Record<string, string | number | boolean | null>;

export interface NotificationInput {
  /** Stable machine-readable kind, `<module>.<event>`, e.g. `security.new_device`. */
  kind: string;
  /** The values the texts were rendered from, kept so a client can render its own wording. */
  params?: NotificationParams;
  title: LocalizedText;
  body: LocalizedText;
  /** For a notice about money: its amount in CNY fen. Large amounts also go out by SMS. */
  amountMinor?: bigint;
}

/** Texting a holder about a large amount (the SMS adapter and the holder's number). */
export interface LargeAmountSms {
  thresholdMinor: bigint;
  send(userId: string, text: string): Promise<void>;
}

export interface Notification {
  id: string;
  kind: string;
  params: Record<string, unknown>;
  title: LocalizedText;
  body: LocalizedText;
  createdAt: Date;
  readAt: Date | null;
}

export interface NotificationPage {
  notifications: Notification[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export const MAX_NOTIFICATIONS_PAGE = 100;
const KIND_PATTERN = /^[a-z][a-z0-9_.]{0,63}$/;

/**
 * The in-app inbox. Notices of money movements come from domain events (subscriber.ts); other
 * modules call `notify` after the event they report. The texts are rendered by the module that
 * knows the domain, in every language of the app.
 */
export class NotificationsService {
  constructor(
    private readonly store: NotificationsStore,
    private readonly now: () => Date,
    /** Pushes each new notification to the holder's open streams on every instance. */
    private readonly live: Pick<LiveNotifications, 'publish'> | null = null,
    private readonly largeAmountSms: LargeAmountSms | null = null,
  ) {}

  /**
   * Store a notice in the holder's inbox, push it to their open streams and, for a large amount,
   * text it. With `options.id` (derived from the event it reports, see subscriber.ts) it is
   * idempotent: a notice whose id is stored already is neither stored, pushed nor texted again
   * (`created: false`).
   */
  async notify(
    userId: string,
    input: NotificationInput,
    options: { id?: string } = {},
  ): Promise<{ id: string; created: boolean }> {
    if (!KIND_PATTERN.test(input.kind)) throw new Error(`invalid notification kind ${input.kind}`);
    const id = options.id ?? newId();
    const createdAt = this.now();
    const params = input.params ?? {};
    const created = await this.store.insert({
      id,
      userId,
      kind: input.kind,
      params,
      titleZh: input.title['zh-CN'],
      bodyZh: input.body['zh-CN'],
      titleEn: input.title.en,
      bodyEn: input.body.en,
      createdAt,
    });
    if (!created) return { id, created };
    // Stored first: a push that fails or is missed is still in the inbox.
    await this.live
      ?.publish(userId, {
        id,
        kind: input.kind,
        params,
        title: input.title,
        body: input.body,
        createdAt,
        readAt: null,
      })
      .catch(() => {});
    const sms = this.largeAmountSms;
    if (sms && input.amountMinor !== undefined && input.amountMinor >= sms.thresholdMinor) {
      // Stored in the inbox whatever the SMS gateway says; a failed text is only logged.
      await sms.send(userId, `【钱包】${input.title['zh-CN']}：${input.body['zh-CN']}`).catch(() => {});
    }
    return { id, created };
  }

  /** Newest first. */
  async list(input: { userId: string; cursor?: string | null; limit: number }): Promise<NotificationPage> {
    const limit = Math.min(Math.max(1, Math.trunc(input.limit)), MAX_NOTIFICATIONS_PAGE);
    const rows = await this.store.list({
      userId: input.userId,
      before: decodeCursor(input.cursor ?? null),
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      notifications: page.map(toNotification),
      nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
    };
  }

  unreadCount(userId: string): Promise<number> {
    return this.store.unreadCount(userId);
  }

  /** False when the holder has no such notification. Reading twice keeps the first time. */
  async markRead(input: { userId: string; notificationId: string }): Promise<boolean> {
    if (!isUuid(input.notificationId)) return false;
    return this.store.markRead({ userId: input.userId, id: input.notificationId, now: this.now() });
  }

  markAllRead(userId: string): Promise<number> {
    return this.store.markAllRead({ userId, now: this.now() });
  }
}

function toNotification(row: NotificationRow): Notification {
  return {
    id: row.id,
    kind: row.kind,
    params: row.params,
    title: { 'zh-CN': row.titleZh, en: row.titleEn },
    body: { 'zh-CN': row.bodyZh, en: row.bodyEn },
    createdAt: row.createdAt,
    readAt: row.readAt,
  };
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function encodeCursor(row: NotificationRow): string {
  return Buffer.from(`${row.createdAt.getTime()}.${row.id}`).toString('base64url');
}

function decodeCursor(cursor: string | null): { createdAt: Date; id: string } | null {
  if (!cursor) return null;
  const [millis, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('.');
  const time = Number(millis);
  if (!/^\d{1,15}$/.test(millis ?? '') || !id || !UUID_PATTERN.test(id)) {
    throw new AppError('VALIDATION_FAILED', {
      details: {
        fields: [{ in: 'querystring', path: 'cursor', issue: 'is not a cursor from a previous page' }],
      },
    });
  }
  return { createdAt: new Date(time), id };
}
