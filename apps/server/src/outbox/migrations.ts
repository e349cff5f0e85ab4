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
  {
    name: '0061_outbox_horizon',
    // See outbox_horizon's comment: the read horizon of this database, not of the whole server.
    sql: `
CREATE FUNCTION outbox_horizon() RETURNS xid8 LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT least(
    pg_snapshot_xmax(pg_current_snapshot()),
    (SELECT min(x) FROM pg_snapshot_xip(pg_current_snapshot()) AS x
      WHERE NOT EXISTS (
        SELECT 1 FROM pg_stat_activity AS a
         WHERE a.backend_xid = xid(x)
           AND a.datid <> (SELECT oid FROM pg_database WHERE datname = current_database()))))
$$;
COMMENT ON FUNCTION outbox_horizon() IS
  'Every transaction of this database with an id below this one has ended and is visible to the '
  'calling statement. Like pg_snapshot_xmin of the statement''s snapshot, but skipping the '
  'transactions known to run in another database (they cannot write this outbox). An id still '
  'running and not found in pg_stat_activity counts as ours. STABLE: it reads the caller''s snapshot.';
`,
  },
  {
    // Every event insert paid for a second B-tree that nothing reads: pruning walks the
    // `(xid, id)` order from its start (the oldest events), where `created_at` filters.
    name: '0062_outbox_drop_created_index',
    sql: `DROP INDEX outbox_events_created;`,
  },
  {
    // Payloads are written once and read whole, never queried inside: json keeps the text as
    // given, without jsonb's parse on insert and its rendering on every read (measured on the
    // transfer path, bench/RESULTS.md 2026-12-06).
    name: '0063_outbox_payload_json',
    sql: `ALTER TABLE outbox_events ALTER COLUMN payload TYPE json USING payload::json;`,
  },
  {
    // The same horizon as 0061, in PL/pgSQL: a SQL function with subqueries is not inlined, so
    // every statement calling it planned its body again (≈ 0.6 ms a call, ten times the
    // execution); PL/pgSQL keeps the plan per connection (bench/RESULTS.md 2026-12-06, evening).
    name: '0064_outbox_horizon_plpgsql',
    sql: `
CREATE OR REPLACE FUNCTION outbox_horizon() RETURNS xid8 LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
  RETURN least(
    pg_snapshot_xmax(pg_current_snapshot()),
    (SELECT min(x) FROM pg_snapshot_xip(pg_current_snapshot()) AS x
      WHERE NOT EXISTS (
        SELECT 1 FROM pg_stat_activity AS a
         WHERE a.backend_xid = xid(x)
           AND a.datid <> (SELECT oid FROM pg_database WHERE datname = current_database()))));
END
$$;
`,
  },
  {
    // The request that wrote an event (its `x-request-id`), logged when the event is handled, so
    // an operator follows one request into the work it caused (docs/observability.md#logs).
    // Nullable, no default: adding it rewrites nothing.
    name: '0065_outbox_request_id',
    sql: `ALTER TABLE outbox_events ADD COLUMN request_id text CHECK (length(request_id) <= 128);`,
  },
];
