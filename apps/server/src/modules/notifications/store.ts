import type pg from 'pg';
import { Coalescer } from '@qianbao/db';

export interface NotificationRow {
  id: string;
  userId: string;
  kind: string;
  params: Record<string, unknown>;
  titleZh: string;
  bodyZh: string;
  titleEn: string;
  bodyEn: string;
  createdAt: Date;
  readAt: Date | null;
}

interface NotificationRecord {
  id: string;
  user_id: string;
  kind: string;
  params: Record<string, unknown>;
  title_zh: string;
  body_zh: string;
  title_en: string;
  body_en: string;
  created_at: Date;
  read_at: Date | null;
}

const COLUMNS = 'id, user_id, kind, params, title_zh, body_zh, title_en, body_en, created_at, read_at';

function toRow(record: NotificationRecord): NotificationRow {
  return {
    id: record.id,
    userId: record.user_id,
    kind: record.kind,
    params: record.params,
    titleZh: record.title_zh,
    bodyZh: record.body_zh,
    titleEn: record.title_en,
    bodyEn: record.body_en,
    createdAt: record.created_at,
    readAt: record.read_at,
  };
}

/** SQL of the notifications module; nothing else touches `notifications_*`. */
export class NotificationsStore {
  constructor(private readonly pool: pg.Pool) {}

  /** Concurrent inserts share one statement (packages/db Coalescer); an id stored already is skipped. */
  private readonly inserts = new Coalescer<Omit<NotificationRow, 'readAt'>, boolean>(async (rows) => {
    const inserted = await this.pool.query<{ id: string }>(
      `INSERT INTO notifications_inbox (id, user_id, kind, params, title_zh, body_zh, title_en, body_en, created_at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[], $5::text[], $6::text[], $7::text[],
                            $8::text[], $9::timestamptz[])
       ON CONFLICT (id) DO NOTHING
       RETURNING id`,
      [
        rows.map((row) => row.id),
        rows.map((row) => row.userId),
        rows.map((row) => row.kind),
        rows.map((row) => JSON.stringify(row.params)),
        rows.map((row) => row.titleZh),
        rows.map((row) => row.bodyZh),
        rows.map((row) => row.titleEn),
        rows.map((row) => row.bodyEn),
        rows.map((row) => row.createdAt),
      ],
    );
    const stored = new Set(inserted.rows.map((row) => row.id));
    // The same id twice in one statement (two deliveries at once) is stored once: the first wins.
    const seen = new Set<string>();
    return rows.map((row) => {
      const first = stored.has(row.id) && !seen.has(row.id);
      seen.add(row.id);
      return first;
    });
  });

  /** True when stored now; false when a notice with this id was there already. */
  insert(row: Omit<NotificationRow, 'readAt'>): Promise<boolean> {
    return this.inserts.call(row);
  }

  /** Newest first; `before` is the position of the last item of the previous page. */
  async list(input: {
    userId: string;
    before: { createdAt: Date; id: string } | null;
    limit: number;
  }): Promise<NotificationRow[]> {
    const { rows } = await this.pool.query<NotificationRecord>(
      `SELECT ${COLUMNS} FROM notifications_inbox
        WHERE user_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
        ORDER BY created_at DESC, id DESC
        LIMIT $4`,
      [input.userId, input.before?.createdAt ?? null, input.before?.id ?? null, input.limit],
    );
    return rows.map(toRow);
  }

  async unreadCount(userId: string): Promise<number> {
    const { rows } = await this.pool.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM notifications_inbox WHERE user_id = $1 AND read_at IS NULL',
      [userId],
    );
    return rows[0]?.count ?? 0;
  }

  /** False when the holder has no such notification (someone else's id included). */
  async markRead(input: { userId: string; id: string; now: Date }): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE notifications_inbox SET read_at = coalesce(read_at, $3) WHERE id = $1 AND user_id = $2`,
      [input.id, input.userId, input.now],
    );
    return result.rowCount === 1;
  }

  async markAllRead(input: { userId: string; now: Date }): Promise<number> {
    const result = await this.pool.query(
      'UPDATE notifications_inbox SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL',
      [input.userId, input.now],
    );
    return result.rowCount ?? 0;
  }
}
