import type { Migration } from '@qianbao/db';

/** The support module's tables (`support_*`). Never edit a released migration: add the next. */
export const supportMigrations: Migration[] = [
  {
    name: '1900_support_init',
    sql: `
CREATE TABLE support_tickets (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  -- A short number people read out (工单号), from a sequence.
  number bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  topic text NOT NULL CHECK (topic IN ('account', 'payment', 'card', 'transfer', 'merchant', 'other')),
  channel text NOT NULL CHECK (channel IN ('ticket', 'chat')),
  -- A chat: waiting for an operator, live (picked up), fell_back (became a ticket), ended.
  chat_state text CHECK (chat_state IN ('waiting', 'live', 'fell_back', 'ended')),
  status text NOT NULL CHECK (status IN ('open', 'pending_staff', 'pending_holder', 'resolved', 'closed')),
  transaction_id uuid,
  transaction_summary jsonb,
  assignee_id uuid,
  rating smallint CHECK (rating BETWEEN 1 AND 5),
  rating_comment text CHECK (length(rating_comment) <= 500),
  rated_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  resolved_at timestamptz,
  closed_at timestamptz,
  CHECK ((channel = 'chat') = (chat_state IS NOT NULL)),
  CHECK ((rating IS NULL) = (rated_at IS NULL))
);
CREATE INDEX support_tickets_user ON support_tickets (user_id, updated_at DESC);
CREATE INDEX support_tickets_queue ON support_tickets (status, updated_at);
CREATE INDEX support_tickets_waiting_chats ON support_tickets (created_at) WHERE chat_state = 'waiting';
CREATE INDEX support_tickets_resolved ON support_tickets (resolved_at) WHERE status = 'resolved';

CREATE TABLE support_messages (
  id uuid PRIMARY KEY,
  ticket_id uuid NOT NULL REFERENCES support_tickets (id),
  author text NOT NULL CHECK (author IN ('holder', 'operator', 'system')),
  operator_id uuid,
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
  template_id uuid,
  created_at timestamptz NOT NULL,
  CHECK ((author = 'operator') = (operator_id IS NOT NULL))
);
CREATE INDEX support_messages_ticket ON support_messages (ticket_id, created_at, id);

-- Uploaded first (multipart), then attached to the message that names them (ADR 0006: bytes in
-- PostgreSQL, the type checked against the magic bytes).
CREATE TABLE support_attachments (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  message_id uuid REFERENCES support_messages (id),
  file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 120),
  content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'application/pdf')),
  size_bytes integer NOT NULL CHECK (size_bytes > 0),
  sha256 bytea NOT NULL,
  content bytea NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX support_attachments_message ON support_attachments (message_id);
CREATE INDEX support_attachments_loose ON support_attachments (created_at) WHERE message_id IS NULL;

CREATE TABLE support_templates (
  id uuid PRIMARY KEY,
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 80),
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
  deleted boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

-- Operators who answer tickets, as this module last saw them: the assignee picker and the
-- console streams to push to (an operator is listed on the first support request they make).
CREATE TABLE support_agents (
  operator_id uuid PRIMARY KEY,
  username text NOT NULL,
  display_name text NOT NULL,
  seen_at timestamptz NOT NULL,
  streaming_until timestamptz
);
`,
  },
];
