import type { Migration } from '@qianbao/db';

/**
 * The outbox's tables, owned by core (numbered in the core range, after idempotency's 005x).
 *
 * - `outbox_events`: one row per domain event, written in the transaction of the record it
 *   reports. Its order is `(xid, id)`: the writing transaction's id (`pg_current_xact_id()`),
 *   then the event's UUIDv7 (monotonic within a process, so within a transaction). No global
 *   sequence: ids come from the application, like every other hot table.
 * - `outbox_subscriptions`: each subscriber's cursor — the last `(xid, id)` it has handled —
 *   and its failures, so progress survives any process.
 */
export const outboxMigrations: Migration[] = [
  {
    name: '0060_outbox_init',
    sql: `
CREATE TABLE outbox_events (
  id uuid PRIMARY KEY,
  xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  type text NOT NULL CHECK (type ~ '^[a-z][a-z0-9_]{0,30}\\.[a-z][a-z0-9_.]{0,62}$'),
  aggregate_type text NOT NULL CHECK (length(aggregate_type) BETWEEN 1 AND 64),
  aggregate_id text NOT NULL CHECK (length(aggregate_id) BETWEEN 1 AND 200),
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX outbox_events_order ON outbox_events (xid, id);
CREATE INDEX outbox_events_created ON outbox_events (created_at);

CREATE TABLE outbox_subscriptions (
  subscriber text PRIMARY KEY CHECK (length(subscriber) BETWEEN 1 AND 100),
  last_xid xid8 NOT NULL DEFAULT '0',
  last_id uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000',
  delivered bigint NOT NULL DEFAULT 0,
  failures integer NOT NULL DEFAULT 0,
  retry_at timestamptz,
  last_error text,
  claimed_by text,
  claimed_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`,
  },
];
