import type pg from 'pg';
import type { Migration } from '@qianbao/db';
import { newId } from '@qianbao/ledger';
import type { SmsMessage, SmsSendResult, SmsSender } from './sender.ts';

/**
 * The sandbox outbox: messages are kept in the database instead of being sent, so a developer
 * reads them at `/dev/sms` or with `npx qianbao sms tail`. It is the only place a one-time code
 * is ever written in clear, and it is used in sandbox mode only.
 */
export const smsSandboxMigrations: Migration[] = [
  {
    name: '0900_sms_sandbox_init',
    sql: `
CREATE TABLE sms_sandbox_outbox (
  id uuid PRIMARY KEY,
  phone text NOT NULL CHECK (length(phone) <= 32),
  text text NOT NULL CHECK (length(text) <= 1000),
  created_at timestamptz NOT NULL
);
CREATE INDEX sms_sandbox_outbox_recent ON sms_sandbox_outbox (created_at DESC, id DESC);
CREATE INDEX sms_sandbox_outbox_phone ON sms_sandbox_outbox (phone, created_at DESC);
`,
  },
];

/** Messages older than this are pruned as new ones arrive: the outbox is a developer's view, not an archive. */
const RETENTION_MS = 7 * 24 * 3600 * 1000;
export const MAX_SANDBOX_MESSAGES_PER_READ = 500;

export interface SandboxMessage {
  id: string;
  phone: string;
  text: string;
  /** The first 6-digit number in the text, for tests and tools; null when there is none. */
  code: string | null;
  createdAt: Date;
}

export class SandboxSmsSender implements SmsSender {
  readonly name = 'sandbox';

  constructor(
    private readonly pool: pg.Pool,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async send(message: SmsMessage): Promise<SmsSendResult> {
    const id = newId();
    const now = this.now();
    await this.pool.query(
      'INSERT INTO sms_sandbox_outbox (id, phone, text, created_at) VALUES ($1, $2, $3, $4)',
      [id, message.phone, message.text, now],
    );
    await this.pool.query('DELETE FROM sms_sandbox_outbox WHERE created_at < $1', [
      new Date(now.getTime() - RETENTION_MS),
    ]);
    return { ok: true, messageId: id };
  }
}

export interface SandboxQuery {
  /** Only messages to this normalised number. */
  phone?: string | null;
  limit: number;
  /** Only messages after this one (created later, or at the same time with a greater id): for `--follow`. */
  after?: { createdAt: Date; id: string } | null;
}

/** Newest first. */
export async function listSandboxMessages(pool: pg.Pool, query: SandboxQuery): Promise<SandboxMessage[]> {
  const limit = Math.min(Math.max(1, Math.trunc(query.limit)), MAX_SANDBOX_MESSAGES_PER_READ);
  const { rows } = await pool.query<{ id: string; phone: string; text: string; created_at: Date }>(
    `SELECT id, phone, text, created_at FROM sms_sandbox_outbox
      WHERE ($1::text IS NULL OR phone = $1)
        AND ($2::timestamptz IS NULL OR (created_at, id) > ($2::timestamptz, $3::uuid))
      ORDER BY created_at DESC, id DESC
      LIMIT $4`,
    [query.phone ?? null, query.after?.createdAt ?? null, query.after?.id ?? null, limit],
  );
  return rows.map((row) => ({
    id: row.id,
    phone: row.phone,
    text: row.text,
    code: /(?<!\d)(\d{6})(?!\d)/.exec(row.text)?.[1] ?? null,
    createdAt: row.created_at,
  }));
}
