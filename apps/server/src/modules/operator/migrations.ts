import type { Migration } from '@qianbao/db';

/**
 * Bank staff. Operators are a different population from holders: their own accounts, sessions
 * and cookie, TOTP always required, and every action they take lands in the audit log.
 */
export const operatorMigrations: Migration[] = [
  {
    name: '0400_operator_init',
    sql: `
CREATE TABLE operator_accounts (
  id uuid PRIMARY KEY,
  username text NOT NULL UNIQUE CHECK (username ~ '^[a-z][a-z0-9._-]{2,31}$'),
  display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 64),
  role text NOT NULL CHECK (role IN ('admin', 'kyc_reviewer', 'support', 'risk', 'finance')),
  password_hash text NOT NULL,
  totp_secret_sealed text NOT NULL,
  -- the last TOTP time step accepted: a code is good once
  totp_last_step bigint NOT NULL DEFAULT 0,
  failures integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  created_at timestamptz NOT NULL,
  disabled_at timestamptz
);

CREATE TABLE operator_sessions (
  id uuid PRIMARY KEY,
  token_hash bytea NOT NULL UNIQUE,
  operator_id uuid NOT NULL REFERENCES operator_accounts (id),
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);

-- Append-only record of every operator action (who, what, on which object, when).
CREATE TABLE operator_audit_log (
  id uuid PRIMARY KEY,
  operator_id uuid,
  action text NOT NULL,
  target text,
  details jsonb NOT NULL DEFAULT '{}',
  at timestamptz NOT NULL
);
CREATE INDEX operator_audit_log_at ON operator_audit_log (at DESC);
`,
  },
  {
    name: '0401_operator_sign_in_tries',
    sql: `
-- Sign-in checks in flight: the end of each one's lease (apps/server/src/secret-tries.ts). A try
-- is taken before the password and code are compared, so concurrent guesses never get more
-- checks than the limit, and a process killed mid-check costs nothing once its lease ends.
ALTER TABLE operator_accounts
  ADD COLUMN tries_in_flight timestamptz[] NOT NULL DEFAULT '{}'
    CHECK (cardinality(tries_in_flight) <= 200),
  ADD CONSTRAINT operator_accounts_failures_not_negative CHECK (failures >= 0);
`,
  },
];
