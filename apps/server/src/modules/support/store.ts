import type pg from 'pg';
import { withTransaction } from '@qianbao/db';
import type { AttachmentType } from './attachments.ts';
import type { TicketStatus } from './machine.ts';

export type Topic = 'account' | 'payment' | 'card' | 'transfer' | 'merchant' | 'other';
export type Channel = 'ticket' | 'chat';
export type ChatState = 'waiting' | 'live' | 'fell_back' | 'ended';
export type Author = 'holder' | 'operator' | 'system';

export interface TicketRow {
  id: string;
  user_id: string;
  number: bigint;
  topic: Topic;
  channel: Channel;
  chat_state: ChatState | null;
  status: TicketStatus;
  transaction_id: string | null;
  transaction_summary: Record<string, unknown> | null;
  assignee_id: string | null;
  assignee_name: string | null;
  rating: number | null;
  rating_comment: string | null;
  rated_at: Date | null;
  created_at: Date;
  updated_at: Date;
  resolved_at: Date | null;
  closed_at: Date | null;
  last_author: Author | null;
  last_body: string | null;
  last_at: Date | null;
}

export interface MessageRow {
  id: string;
  ticket_id: string;
  author: Author;
  operator_id: string | null;
  operator_name: string | null;
  body: string;
  template_id: string | null;
  created_at: Date;
}

export interface AttachmentRow {
  id: string;
  user_id: string;
  message_id: string | null;
  file_name: string;
  content_type: AttachmentType;
  size_bytes: number;
  created_at: Date;
}

export interface TemplateRow {
  id: string;
  title: string;
  body: string;
  created_at: Date;
  updated_at: Date;
}

export interface AgentRow {
  operator_id: string;
  username: string;
  display_name: string;
  seen_at: Date;
}

/** A ticket with its assignee's name and its last message (one statement for lists). */
const TICKET_SELECT = `
SELECT t.*, a.display_name AS assignee_name, m.author AS last_author, m.body AS last_body, m.created_at AS last_at
  FROM support_tickets t
  LEFT JOIN support_agents a ON a.operator_id = t.assignee_id
  LEFT JOIN LATERAL (
    SELECT author, body, created_at FROM support_messages
     WHERE ticket_id = t.id ORDER BY created_at DESC, id DESC LIMIT 1
  ) m ON true`;

const OPEN_STATUSES = `('open', 'pending_staff', 'pending_holder')`;

export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/** SQL of the `support_*` tables; only this module's service calls it. */
export class SupportStore {
  constructor(readonly pool: pg.Pool) {}

  transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return withTransaction(this.pool, work);
  }

  // ---- tickets ---------------------------------------------------------------------------------

  /** Serialises a holder's ticket creations (the limit of open tickets holds under races). */
  async lockHolder(client: pg.PoolClient, userId: string): Promise<void> {
    await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('support.holder:' || $1, 0))`, [
      userId,
    ]);
  }

  async countOpenOfHolder(client: Queryable, userId: string): Promise<number> {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM support_tickets WHERE user_id = $1 AND status IN ${OPEN_STATUSES}`,
      [userId],
    );
    return rows[0]!.n;
  }

  async countOpen(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM support_tickets WHERE status IN ${OPEN_STATUSES}`,
    );
    return rows[0]!.n;
  }

  async insertTicket(
    client: pg.PoolClient,
    row: {
      id: string;
      user_id: string;
      topic: Topic;
      channel: Channel;
      chat_state: ChatState | null;
      transaction_id: string | null;
      transaction_summary: Record<string, unknown> | null;
      created_at: Date;
    },
  ): Promise<boolean> {
    const { rowCount } = await client.query(
      `INSERT INTO support_tickets
         (id, user_id, topic, channel, chat_state, status, transaction_id, transaction_summary, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8, $8)
       ON CONFLICT (id) DO NOTHING`,
      [
        row.id,
        row.user_id,
        row.topic,
        row.channel,
        row.chat_state,
        row.transaction_id,
        row.transaction_summary === null ? null : JSON.stringify(row.transaction_summary),
        row.created_at,
      ],
    );
    return rowCount === 1;
  }

  async getTicket(client: Queryable, id: string, userId?: string): Promise<TicketRow | null> {
    const { rows } = await client.query<TicketRow>(
      `${TICKET_SELECT} WHERE t.id = $1 AND ($2::uuid IS NULL OR t.user_id = $2)`,
      [id, userId ?? null],
    );
    return rows[0] ?? null;
  }

  /** The ticket's row locked for this transaction (every change goes through here). */
  async lockTicket(client: pg.PoolClient, id: string, userId?: string): Promise<boolean> {
    const { rowCount } = await client.query(
      'SELECT 1 FROM support_tickets WHERE id = $1 AND ($2::uuid IS NULL OR user_id = $2) FOR UPDATE',
      [id, userId ?? null],
    );
    return rowCount === 1;
  }

  async updateTicket(
    client: pg.PoolClient,
    id: string,
    changes: Partial<{
      status: TicketStatus;
      chat_state: ChatState | null;
      assignee_id: string | null;
      rating: number;
      rating_comment: string | null;
      rated_at: Date;
      resolved_at: Date | null;
      closed_at: Date;
    }>,
    at: Date,
  ): Promise<void> {
    const entries = Object.entries(changes);
    const sets = entries.map(([column], index) => `${column} = $${index + 3}`);
    await client.query(
      `UPDATE support_tickets SET updated_at = $2${sets.map((set) => `, ${set}`).join('')} WHERE id = $1`,
      [id, at, ...entries.map(([, value]) => value)],
    );
  }

  async listOfHolder(userId: string, limit: number): Promise<TicketRow[]> {
    const { rows } = await this.pool.query<TicketRow>(
      `${TICKET_SELECT} WHERE t.user_id = $1 ORDER BY t.updated_at DESC, t.id LIMIT $2`,
      [userId, limit],
    );
    return rows;
  }

  async queue(filter: {
    statuses: TicketStatus[] | null;
    assignee: { kind: 'any' } | { kind: 'none' } | { kind: 'operator'; id: string };
    channel: Channel | null;
    userId: string | null;
    limit: number;
  }): Promise<TicketRow[]> {
    const { rows } = await this.pool.query<TicketRow>(
      `${TICKET_SELECT}
        WHERE ($1::text[] IS NULL OR t.status = ANY($1))
          AND ($2 = 'any' OR ($2 = 'none' AND t.assignee_id IS NULL) OR ($2 = 'operator' AND t.assignee_id = $3::uuid))
          AND ($4::text IS NULL OR t.channel = $4)
          AND ($5::uuid IS NULL OR t.user_id = $5)
        ORDER BY (t.chat_state = 'waiting') IS TRUE DESC, t.updated_at ASC, t.id
        LIMIT $6`,
      [
        filter.statuses,
        filter.assignee.kind,
        filter.assignee.kind === 'operator' ? filter.assignee.id : null,
        filter.channel,
        filter.userId,
        filter.limit,
      ],
    );
    return rows;
  }

  /** Chats still waiting for an operator that were started before `before`, oldest first. */
  async waitingChats(before: Date, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT id FROM support_tickets WHERE chat_state = 'waiting' AND created_at <= $1 ORDER BY created_at LIMIT $2`,
      [before, limit],
    );
    return rows.map((row) => row.id);
  }

  /** Resolved before `before` and never reopened: closed now (compare-and-set). */
  async closeResolvedBefore(before: Date, at: Date): Promise<{ id: string; user_id: string }[]> {
    const { rows } = await this.pool.query<{ id: string; user_id: string }>(
      `UPDATE support_tickets SET status = 'closed', closed_at = $2, updated_at = $2
        WHERE status = 'resolved' AND resolved_at <= $1 RETURNING id, user_id`,
      [before, at],
    );
    return rows;
  }

  // ---- messages --------------------------------------------------------------------------------

  async insertMessage(
    client: pg.PoolClient,
    row: {
      id: string;
      ticket_id: string;
      author: Author;
      operator_id: string | null;
      body: string;
      template_id: string | null;
      created_at: Date;
    },
  ): Promise<boolean> {
    const { rowCount } = await client.query(
      `INSERT INTO support_messages (id, ticket_id, author, operator_id, body, template_id, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
      [row.id, row.ticket_id, row.author, row.operator_id, row.body, row.template_id, row.created_at],
    );
    return rowCount === 1;
  }

  async getMessage(client: Queryable, id: string): Promise<MessageRow | null> {
    const { rows } = await client.query<MessageRow>(
      `SELECT m.*, a.display_name AS operator_name FROM support_messages m
         LEFT JOIN support_agents a ON a.operator_id = m.operator_id WHERE m.id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async messagesOf(client: Queryable, ticketId: string): Promise<MessageRow[]> {
    const { rows } = await client.query<MessageRow>(
      `SELECT m.*, a.display_name AS operator_name FROM support_messages m
         LEFT JOIN support_agents a ON a.operator_id = m.operator_id
        WHERE m.ticket_id = $1 ORDER BY m.created_at, m.id LIMIT 1000`,
      [ticketId],
    );
    return rows;
  }

  // ---- attachments -----------------------------------------------------------------------------

  async insertAttachment(row: AttachmentRow & { sha256: Buffer; content: Buffer }): Promise<void> {
    await this.pool.query(
      `INSERT INTO support_attachments (id, user_id, message_id, file_name, content_type, size_bytes, sha256, content, created_at)
       VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8)`,
      [
        row.id,
        row.user_id,
        row.file_name,
        row.content_type,
        row.size_bytes,
        row.sha256,
        row.content,
        row.created_at,
      ],
    );
  }

  /** Attach the holder's loose uploads to a message: all of them, or none (false). */
  async attach(
    client: pg.PoolClient,
    input: { userId: string; messageId: string; ids: string[] },
  ): Promise<boolean> {
    if (input.ids.length === 0) return true;
    const { rowCount } = await client.query(
      `UPDATE support_attachments SET message_id = $3
        WHERE id = ANY($1::uuid[]) AND user_id = $2 AND message_id IS NULL`,
      [input.ids, input.userId, input.messageId],
    );
    return rowCount === new Set(input.ids).size;
  }

  async attachmentsOfTicket(client: Queryable, ticketId: string): Promise<AttachmentRow[]> {
    const { rows } = await client.query<AttachmentRow>(
      `SELECT a.id, a.user_id, a.message_id, a.file_name, a.content_type, a.size_bytes, a.created_at
         FROM support_attachments a JOIN support_messages m ON m.id = a.message_id
        WHERE m.ticket_id = $1 ORDER BY a.created_at, a.id`,
      [ticketId],
    );
    return rows;
  }

  /** An attachment's bytes: a holder's own upload, or (operators) one of this ticket's. */
  async attachmentContent(input: {
    id: string;
    userId?: string;
    ticketId?: string;
  }): Promise<(AttachmentRow & { content: Buffer }) | null> {
    const { rows } = await this.pool.query<AttachmentRow & { content: Buffer }>(
      `SELECT a.id, a.user_id, a.message_id, a.file_name, a.content_type, a.size_bytes, a.created_at, a.content
         FROM support_attachments a LEFT JOIN support_messages m ON m.id = a.message_id
        WHERE a.id = $1 AND ($2::uuid IS NULL OR a.user_id = $2) AND ($3::uuid IS NULL OR m.ticket_id = $3)`,
      [input.id, input.userId ?? null, input.ticketId ?? null],
    );
    return rows[0] ?? null;
  }

  async deleteLooseAttachments(before: Date): Promise<number> {
    const { rowCount } = await this.pool.query(
      'DELETE FROM support_attachments WHERE message_id IS NULL AND created_at < $1',
      [before],
    );
    return rowCount ?? 0;
  }

  // ---- templates -------------------------------------------------------------------------------

  async templates(): Promise<TemplateRow[]> {
    const { rows } = await this.pool.query<TemplateRow>(
      'SELECT id, title, body, created_at, updated_at FROM support_templates WHERE NOT deleted ORDER BY title, id',
    );
    return rows;
  }

  async template(id: string): Promise<TemplateRow | null> {
    const { rows } = await this.pool.query<TemplateRow>(
      'SELECT id, title, body, created_at, updated_at FROM support_templates WHERE id = $1 AND NOT deleted',
      [id],
    );
    return rows[0] ?? null;
  }

  /**
   * The template changes take `alongside` (the operator's audit entry), run in the change's
   * transaction: no change without its entry, and none for a change that did not happen.
   */
  async insertTemplate(
    row: { id: string; title: string; body: string; at: Date },
    alongside: (client: pg.PoolClient, written: TemplateRow) => Promise<void>,
  ): Promise<TemplateRow> {
    return this.transaction(async (client) => {
      const { rows } = await client.query<TemplateRow>(
        `INSERT INTO support_templates (id, title, body, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
         RETURNING id, title, body, created_at, updated_at`,
        [row.id, row.title, row.body, row.at],
      );
      await alongside(client, rows[0]!);
      return rows[0]!;
    });
  }

  async updateTemplate(
    row: { id: string; title: string; body: string; at: Date },
    alongside: (client: pg.PoolClient, written: TemplateRow) => Promise<void>,
  ): Promise<TemplateRow | null> {
    return this.transaction(async (client) => {
      const { rows } = await client.query<TemplateRow>(
        `UPDATE support_templates SET title = $2, body = $3, updated_at = $4 WHERE id = $1 AND NOT deleted
         RETURNING id, title, body, created_at, updated_at`,
        [row.id, row.title, row.body, row.at],
      );
      if (rows[0]) await alongside(client, rows[0]);
      return rows[0] ?? null;
    });
  }

  async deleteTemplate(
    id: string,
    at: Date,
    alongside: (client: pg.PoolClient) => Promise<void>,
  ): Promise<boolean> {
    return this.transaction(async (client) => {
      const { rowCount } = await client.query(
        'UPDATE support_templates SET deleted = true, updated_at = $2 WHERE id = $1 AND NOT deleted',
        [id, at],
      );
      if (rowCount === 1) await alongside(client);
      return rowCount === 1;
    });
  }

  // ---- agents ----------------------------------------------------------------------------------

  async seeAgent(agent: { id: string; username: string; displayName: string }, at: Date): Promise<void> {
    await this.pool.query(
      `INSERT INTO support_agents (operator_id, username, display_name, seen_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (operator_id) DO UPDATE SET username = $2, display_name = $3, seen_at = $4`,
      [agent.id, agent.username, agent.displayName, at],
    );
  }

  async markStreaming(operatorId: string, until: Date): Promise<void> {
    await this.pool.query(
      'UPDATE support_agents SET streaming_until = GREATEST(streaming_until, $2) WHERE operator_id = $1',
      [operatorId, until],
    );
  }

  async streamingAgents(at: Date): Promise<string[]> {
    const { rows } = await this.pool.query<{ operator_id: string }>(
      'SELECT operator_id FROM support_agents WHERE streaming_until > $1',
      [at],
    );
    return rows.map((row) => row.operator_id);
  }

  async agents(): Promise<AgentRow[]> {
    const { rows } = await this.pool.query<AgentRow>(
      'SELECT operator_id, username, display_name, seen_at FROM support_agents ORDER BY display_name, operator_id',
    );
    return rows;
  }

  async agent(id: string): Promise<AgentRow | null> {
    const { rows } = await this.pool.query<AgentRow>(
      'SELECT operator_id, username, display_name, seen_at FROM support_agents WHERE operator_id = $1',
      [id],
    );
    return rows[0] ?? null;
  }
}
