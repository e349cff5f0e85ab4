import type { Migration } from '@qianbao/db';

/**
 * The identity module's tables. Only this module reads or writes them; other modules call
 * IdentityService. Ids are application-made UUIDv7s; every time comes from the service's clock
 * (never the database's `now()`), so tests can move time.
 */
export const identityMigrations: Migration[] = [
  {
    name: '0100_identity_init',
    sql: `
CREATE TABLE identity_users (
  id uuid PRIMARY KEY,
  phone text NOT NULL UNIQUE CHECK (phone ~ '^1[3-9][0-9]{9}$'),
  -- pending: registration started but its ledger account is not confirmed yet (see service.ts)
  status text NOT NULL CHECK (status IN ('pending', 'active', 'closed')),
  password_hash text NOT NULL,
  password_changed_at timestamptz NOT NULL,
  password_failures integer NOT NULL DEFAULT 0 CHECK (password_failures >= 0),
  password_failed_at timestamptz,
  password_locked_until timestamptz,
  wallet_account_id uuid NOT NULL UNIQUE,
  real_name_verified_at timestamptz,
  -- argon2id of the ID number once real-name verified; the number itself is never stored here
  id_number_hash text,
  created_at timestamptz NOT NULL,
  CHECK ((real_name_verified_at IS NULL) = (id_number_hash IS NULL))
);

CREATE TABLE identity_devices (
  user_id uuid NOT NULL REFERENCES identity_users (id),
  device_id text NOT NULL CHECK (length(device_id) <= 128),
  name text CHECK (length(name) <= 100),
  first_seen_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  trusted_at timestamptz,
  PRIMARY KEY (user_id, device_id)
);

CREATE TABLE identity_sessions (
  id uuid PRIMARY KEY,
  -- SHA-256 of the bearer token: the token itself is never stored
  token_hash bytea NOT NULL UNIQUE,
  user_id uuid NOT NULL REFERENCES identity_users (id),
  device_id text NOT NULL,
  method text NOT NULL CHECK (method IN ('register', 'password', 'sms', 'passkey')),
  user_agent text CHECK (length(user_agent) <= 256),
  ip_address text CHECK (length(ip_address) <= 64),
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_reason text CHECK (revoked_reason IN ('logout', 'logout_all', 'ended_by_holder', 'password_changed', 'password_reset'))
);
CREATE INDEX identity_sessions_user_active ON identity_sessions (user_id, created_at DESC) WHERE revoked_at IS NULL;

-- One live code per number and purpose: a new code replaces the previous one.
CREATE TABLE identity_sms_codes (
  phone text NOT NULL,
  purpose text NOT NULL CHECK (purpose IN ('register', 'login', 'reset_password', 'new_device', 'verify')),
  id uuid NOT NULL,
  code_hash text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  consumed_at timestamptz,
  PRIMARY KEY (phone, purpose)
);

-- Rolling-window counters shared by every server instance: the times of recent hits (at most
-- the limit, older ones trimmed) and, once the limit was passed, when the block ends.
CREATE TABLE identity_rate_limits (
  scope text NOT NULL,
  key text NOT NULL CHECK (length(key) <= 64),
  hits timestamptz[] NOT NULL DEFAULT '{}',
  blocked_until timestamptz,
  PRIMARY KEY (scope, key)
);
`,
  },
  {
    name: '0101_identity_password_tries',
    sql: `
-- Password checks in flight: the end of each one's lease (apps/server/src/secret-tries.ts). A try
-- is taken before the password is compared and counts while its lease lasts, so concurrent
-- guesses never get more checks than the limit and a process killed mid-check costs nothing
-- once SECRET_TRY_LEASE_SECONDS have passed.
ALTER TABLE identity_users
  ADD COLUMN password_tries_in_flight timestamptz[] NOT NULL DEFAULT '{}'
    CHECK (cardinality(password_tries_in_flight) <= 200);
`,
  },
  {
    name: '0102_identity_report_loss',
    sql: `
-- The freeze module (issue 11): codes to report a lost phone (signed out) and to lift a freeze
-- (signed in), and sessions ended because their phone was reported lost.
ALTER TABLE identity_sms_codes DROP CONSTRAINT identity_sms_codes_purpose_check;
ALTER TABLE identity_sms_codes ADD CONSTRAINT identity_sms_codes_purpose_check CHECK (purpose IN
  ('register', 'login', 'reset_password', 'new_device', 'verify', 'report_loss', 'unfreeze'));
ALTER TABLE identity_sessions DROP CONSTRAINT identity_sessions_revoked_reason_check;
ALTER TABLE identity_sessions ADD CONSTRAINT identity_sessions_revoked_reason_check CHECK (revoked_reason IN
  ('logout', 'logout_all', 'ended_by_holder', 'password_changed', 'password_reset', 'reported_lost'));
`,
  },
];
