import type { Migration } from '@qianbao/db';

/** The freeze module's tables (`freeze_*`). Never edit a released migration: add the next. */
export const freezeMigrations: Migration[] = [
  {
    name: '1200_freeze_init',
    sql: `
-- A wallet's freezes, one row from the moment it was frozen until it was lifted. A later freeze
-- of the same wallet that is stricter (full after receive-only) or set by someone only an
-- operator can overrule tightens the live row (mode, source, reason, changed_at); every change is
-- in freeze_audit. user_id names a holder of the identity module (no foreign key across modules).
CREATE TABLE freeze_freezes (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  -- full: no money out, no money in; receive_only: money in, none out
  mode text NOT NULL CHECK (mode IN ('full', 'receive_only')),
  -- who set it: the holder, a lost-phone report, the risk engine, an operator
  source text NOT NULL CHECK (source IN ('holder', 'report_loss', 'engine', 'operator')),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  -- the operator who set it (or took it over)
  operator_id uuid,
  set_at timestamptz NOT NULL,
  changed_at timestamptz NOT NULL,
  lifted_at timestamptz,
  lifted_by text CHECK (lifted_by IN ('holder', 'operator')),
  lifted_by_operator_id uuid,
  lift_reason text CHECK (length(lift_reason) BETWEEN 1 AND 500),
  CHECK ((lifted_at IS NULL) = (lifted_by IS NULL)),
  CHECK ((lifted_at IS NULL) = (lift_reason IS NULL)),
  CHECK ((lifted_by = 'operator') = (lifted_by_operator_id IS NOT NULL)),
  CHECK ((source = 'operator') = (operator_id IS NOT NULL)),
  CHECK (changed_at >= set_at AND (lifted_at IS NULL OR lifted_at >= changed_at))
);
-- At most one live freeze per holder; also what stateOf reads, for every payment.
CREATE UNIQUE INDEX freeze_freezes_live ON freeze_freezes (user_id) WHERE lifted_at IS NULL;
CREATE INDEX freeze_freezes_history ON freeze_freezes (user_id, set_at DESC);

-- Devices that had a session when their holder reported the phone lost. Payment codes (issue 12)
-- refuse them; the first report of a device stands.
CREATE TABLE freeze_lost_devices (
  user_id uuid NOT NULL,
  device_id text NOT NULL CHECK (length(device_id) <= 128),
  freeze_id uuid NOT NULL REFERENCES freeze_freezes (id),
  reported_at timestamptz NOT NULL,
  PRIMARY KEY (user_id, device_id)
);

-- Append-only: every freeze, change, lift and lost-phone report — who, when, why, from where.
CREATE TABLE freeze_audit (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  freeze_id uuid REFERENCES freeze_freezes (id),
  action text NOT NULL CHECK (action IN ('frozen', 'changed', 'lifted', 'loss_reported')),
  -- the state after the action (a lift: the state it ended)
  mode text NOT NULL CHECK (mode IN ('full', 'receive_only')),
  source text NOT NULL CHECK (source IN ('holder', 'report_loss', 'engine', 'operator')),
  actor text NOT NULL CHECK (actor IN ('holder', 'report_loss', 'engine', 'operator')),
  operator_id uuid,
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  ip_address text CHECK (length(ip_address) <= 64),
  user_agent text CHECK (length(user_agent) <= 256),
  device_id text CHECK (length(device_id) <= 128),
  details jsonb NOT NULL DEFAULT '{}',
  at timestamptz NOT NULL
);
CREATE INDEX freeze_audit_user ON freeze_audit (user_id, at DESC);
`,
  },
];
