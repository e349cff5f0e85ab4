import type { Migration } from '@qianbao/db';

/**
 * The risk module's tables (`risk_*`, issue 11). Never edit a released migration: add the next.
 *
 * - Rule sets are data: each version is stored whole (its rules and thresholds as JSON) and never
 *   changed once activated; at most one is active (a partial unique index), and every decision
 *   names the version that made it.
 * - The state the features read is kept incrementally (engine/features.ts says what each event
 *   adds): velocity counters in time buckets per window (`risk_counters`: a window of W seconds
 *   in buckets of W/12, so reading one is at most 13 rows of an index range), the holder's
 *   decayed amount histogram, the payees a holder has paid, the devices seen, the last sign-in.
 * - Decisions are stored with the features they were made on, so a backtest can judge past
 *   movements again under another rule set without recomputing history.
 */
export const riskMigrations: Migration[] = [
  {
    name: '1100_risk_engine',
    sql: `
CREATE TABLE risk_rule_sets (
  version integer PRIMARY KEY CHECK (version > 0),
  rules json NOT NULL,
  thresholds json NOT NULL,
  note text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
  status text NOT NULL CHECK (status IN ('draft', 'active', 'retired')),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  activated_by text,
  activated_at timestamptz
);
CREATE UNIQUE INDEX risk_rule_sets_one_active ON risk_rule_sets ((true)) WHERE status = 'active';

-- A bucket is split in up to 16 rows (shard = the writing holder's hash): a counter every holder
-- writes (an IP's, a payee's) is not one row all payments wait on; a holder's own counters stay
-- one row a bucket. Reads sum the shards.
CREATE TABLE risk_counters (
  key text NOT NULL,
  window_seconds integer NOT NULL,
  bucket bigint NOT NULL,
  shard smallint NOT NULL CHECK (shard BETWEEN 0 AND 15),
  count integer NOT NULL,
  sum bigint NOT NULL,
  PRIMARY KEY (key, window_seconds, bucket, shard)
);

-- The holder's amounts of successful outgoing payments: a log-scale histogram with forward
-- decay (engine/features.ts: a payment's weight grows with its time, so adding one is adding to
-- one bin, and older ones count less without ever being rescaled).
CREATE TABLE risk_amounts (
  holder_id uuid PRIMARY KEY,
  bins float8[] NOT NULL
);

CREATE TABLE risk_payees (
  holder_id uuid NOT NULL,
  payee text NOT NULL,
  first_paid_at timestamptz NOT NULL,
  PRIMARY KEY (holder_id, payee)
);

CREATE TABLE risk_devices (
  holder_id uuid NOT NULL,
  device_id text NOT NULL,
  first_seen_at timestamptz NOT NULL,
  PRIMARY KEY (holder_id, device_id)
);

CREATE TABLE risk_holders (
  holder_id uuid PRIMARY KEY,
  last_sign_in_at timestamptz,
  last_sign_in_city text,
  last_sign_in_latitude float8,
  last_sign_in_longitude float8,
  credential_reset_at timestamptz
);

CREATE TABLE risk_lists (
  list text NOT NULL CHECK (list IN ('payee', 'device', 'ip', 'card_bin')),
  value text NOT NULL CHECK (length(value) BETWEEN 1 AND 200),
  kind text NOT NULL CHECK (kind IN ('deny', 'allow')),
  note text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (list, value)
);

CREATE TABLE risk_decisions (
  id uuid PRIMARY KEY,
  subject text NOT NULL CHECK (subject IN ('payment', 'sign_in')),
  kind text NOT NULL,
  holder_id uuid NOT NULL,
  movement_id text,
  amount_minor bigint,
  currency text,
  payee text,
  features json NOT NULL,
  score integer NOT NULL CHECK (score BETWEEN 0 AND 100),
  decision text NOT NULL CHECK (decision IN ('allow', 'step_up', 'review', 'block')),
  fired text[] NOT NULL,
  version integer NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX risk_decisions_holder ON risk_decisions (holder_id, at DESC);
CREATE INDEX risk_decisions_at ON risk_decisions (at);
CREATE INDEX risk_decisions_movement ON risk_decisions (movement_id) WHERE movement_id IS NOT NULL;

-- A step-up asked of one payment (STEP_UP_REQUIRED): passed once the holder proves it with a
-- passkey, a TOTP code or an SMS code; the same payment (id, amount, currency, payee) then goes
-- through with its ordinary factor.
CREATE TABLE risk_step_ups (
  id uuid PRIMARY KEY,
  holder_id uuid NOT NULL,
  payment_id text NOT NULL,
  payment_hash bytea NOT NULL,
  amount_minor bigint NOT NULL,
  currency text NOT NULL,
  payee text NOT NULL,
  decision_id uuid NOT NULL,
  state text NOT NULL CHECK (state IN ('pending', 'passed')),
  method text CHECK (method IN ('passkey', 'totp', 'sms')),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  passed_at timestamptz
);
CREATE INDEX risk_step_ups_payment ON risk_step_ups (holder_id, payment_id);
`,
  },
];
