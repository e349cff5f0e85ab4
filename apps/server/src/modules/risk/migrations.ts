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
  {
    // A payment's judgement in two round trips instead of eight (store.ts `readLocked`,
    // `recordJudged`): the holder's lock and the state read in one call, the decision and the
    // holder's own changes, their commit and the unlock in another. Both are server-side code
    // for one reason each: a read that waited for the lock must see the commit it waited for (a
    // single statement's snapshot is taken before it waits; a VOLATILE function's statements each
    // take a fresh one), and the lock must be released only after the writes are committed (only
    // a procedure can commit and then go on). The state read is STATE_SQL of 1100's store.ts,
    // moved here unchanged; change it with a new migration (CREATE OR REPLACE).
    name: '1101_risk_judgement_round_trips',
    sql: `
CREATE FUNCTION risk_state(
  p_keys text[], p_seconds integer[], p_from bigint[], p_holder uuid, p_payee text, p_device text,
  p_lists text[], p_lock text)
RETURNS TABLE (
  windows json, bins float8[], payee_first_paid_at timestamptz, device_first_seen_at timestamptz,
  holder_first_seen_at timestamptz, last_sign_in_at timestamptz, last_sign_in_city text,
  last_sign_in_latitude float8, last_sign_in_longitude float8, credential_reset_at timestamptz,
  deny text[], allow text[])
LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_column
BEGIN
  -- A session lock (the caller unlocks, through risk_judged or by closing the connection);
  -- the same key as the transaction-scoped lock it replaces, so both exclude each other.
  IF p_lock IS NOT NULL THEN
    PERFORM pg_advisory_lock(hashtextextended(p_lock, 0));
  END IF;
  -- A new statement: a new snapshot, taken after the lock (READ COMMITTED, VOLATILE).
  RETURN QUERY
  SELECT
    (SELECT json_agg(CASE WHEN t.count IS NULL THEN NULL ELSE json_build_object('count', t.count, 'sum', t.sum) END ORDER BY w.i)
       FROM unnest(p_keys, p_seconds, p_from) WITH ORDINALITY AS w(k, s, b, i)
       LEFT JOIN LATERAL (
         SELECT sum(c.count)::text AS count, sum(c.sum)::text AS sum
           FROM risk_counters c
          WHERE c.key = w.k AND c.window_seconds = w.s AND c.bucket >= w.b
         HAVING count(*) > 0) AS t ON true),
    a.bins,
    (SELECT p.first_paid_at FROM risk_payees p WHERE p.holder_id = p_holder AND p.payee = p_payee),
    (SELECT d.first_seen_at FROM risk_devices d WHERE d.holder_id = p_holder AND d.device_id = p_device),
    (SELECT min(d.first_seen_at) FROM risk_devices d WHERE d.holder_id = p_holder),
    h.last_sign_in_at, h.last_sign_in_city, h.last_sign_in_latitude, h.last_sign_in_longitude,
    h.credential_reset_at,
    (SELECT array_agg(l.list) FROM risk_lists l JOIN unnest(p_lists) AS v(x) ON l.list || ':' || l.value = v.x WHERE l.kind = 'deny'),
    (SELECT array_agg(l.list) FROM risk_lists l JOIN unnest(p_lists) AS v(x) ON l.list || ':' || l.value = v.x WHERE l.kind = 'allow')
  FROM (SELECT 1) AS one
  LEFT JOIN risk_amounts a ON a.holder_id = p_holder
  LEFT JOIN risk_holders h ON h.holder_id = p_holder;
END
$fn$;

-- The decision, the device seen and the holder's own counters; committed (without waiting for
-- the WAL flush: store.ts says why that is enough); then the lock risk_state took is released —
-- after the commit, so the next judgement of the holder reads these writes.
CREATE PROCEDURE risk_judged(
  p_lock text,
  p_id uuid, p_subject text, p_kind text, p_holder uuid, p_movement text, p_amount bigint,
  p_currency text, p_payee text, p_features json, p_score integer, p_decision text, p_fired text[],
  p_version integer, p_at timestamptz,
  p_device text, p_device_at timestamptz,
  p_keys text[], p_windows integer[], p_buckets bigint[], p_shard smallint, p_sums bigint[])
LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  INSERT INTO risk_decisions (id, subject, kind, holder_id, movement_id, amount_minor, currency, payee,
                              features, score, decision, fired, version, at)
  VALUES (p_id, p_subject, p_kind, p_holder, p_movement, p_amount, p_currency, p_payee,
          p_features, p_score, p_decision, p_fired, p_version, p_at);
  IF p_device IS NOT NULL THEN
    INSERT INTO risk_devices AS d (holder_id, device_id, first_seen_at) VALUES (p_holder, p_device, p_device_at)
    ON CONFLICT (holder_id, device_id) DO UPDATE SET first_seen_at = excluded.first_seen_at
    WHERE excluded.first_seen_at < d.first_seen_at;
  END IF;
  -- As store.ts addCounters: the same row twice summed first, rows in key order.
  INSERT INTO risk_counters AS c (key, window_seconds, bucket, shard, count, sum)
  SELECT t.k, t.w, t.b, p_shard, count(*), sum(t.s)
    FROM unnest(p_keys, p_windows, p_buckets, p_sums) AS t(k, w, b, s)
   GROUP BY t.k, t.w, t.b ORDER BY t.k, t.w, t.b
  ON CONFLICT (key, window_seconds, bucket, shard)
  DO UPDATE SET count = c.count + excluded.count, sum = c.sum + excluded.sum;
  COMMIT;
  PERFORM pg_advisory_unlock(hashtextextended(p_lock, 0));
END
$fn$;
`,
  },
  {
    // Merchant refunds are judged too (subject `merchant_refund`, docs/risk.md). Their state
    // needs no table of its own: the merchant's refund and takings counters are risk_counters
    // rows (keys `merchant:<id>:refund`, `merchant:<id>:takings`), read by risk_state with no
    // holder, written by risk_judged and the successes' statement. Their decisions are kept as
    // a payment's, under the merchant's owner.
    name: '1102_risk_merchant_refunds',
    sql: `
ALTER TABLE risk_decisions DROP CONSTRAINT risk_decisions_subject_check;
ALTER TABLE risk_decisions ADD CONSTRAINT risk_decisions_subject_check
  CHECK (subject IN ('payment', 'sign_in', 'merchant_refund'));
`,
  },
];
