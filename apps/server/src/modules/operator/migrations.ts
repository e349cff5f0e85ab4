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
  {
    // The audit log becomes tamper-evident (ADR 0024): a sequence number and a keyed hash chain
    // (hash = HMAC(audit key, prev_hash ‖ canonical entry), computed by the server: the key is not
    // in the database), and triggers that refuse UPDATE, DELETE and TRUNCATE. Entries written
    // before this migration are numbered in the order they were written and keep a null hash
    // until the server's next append chains them — the one UPDATE the trigger lets through, and
    // only from a null hash, changing nothing else.
    name: '0402_operator_audit_chain',
    sql: `
ALTER TABLE operator_audit_log
  ADD COLUMN seq bigint,
  ADD COLUMN prev_hash bytea,
  ADD COLUMN hash bytea;
UPDATE operator_audit_log l SET seq = n.seq
  FROM (SELECT id, row_number() OVER (ORDER BY at, id) AS seq FROM operator_audit_log) n
 WHERE l.id = n.id;
ALTER TABLE operator_audit_log
  ALTER COLUMN seq SET NOT NULL,
  ADD CONSTRAINT operator_audit_log_seq_unique UNIQUE (seq),
  ADD CONSTRAINT operator_audit_log_seq_positive CHECK (seq > 0),
  ADD CONSTRAINT operator_audit_log_hash_pair CHECK ((hash IS NULL) = (prev_hash IS NULL)),
  ADD CONSTRAINT operator_audit_log_hash_length CHECK (hash IS NULL OR (length(hash) = 32 AND length(prev_hash) = 32));
-- the search's filters, newest first
CREATE INDEX operator_audit_log_operator_seq ON operator_audit_log (operator_id, seq DESC);
CREATE INDEX operator_audit_log_action_seq ON operator_audit_log (action, seq DESC);
CREATE INDEX operator_audit_log_target_seq ON operator_audit_log (target, seq DESC);

CREATE FUNCTION operator_audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF OLD.hash IS NULL AND NEW.hash IS NOT NULL
       AND (NEW.id, NEW.seq, NEW.operator_id, NEW.action, NEW.target, NEW.details, NEW.at)
           IS NOT DISTINCT FROM (OLD.id, OLD.seq, OLD.operator_id, OLD.action, OLD.target, OLD.details, OLD.at) THEN
      RETURN NEW; -- chaining an entry written before the chain existed, once
    END IF;
  END IF;
  RAISE EXCEPTION 'operator_audit_log is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER operator_audit_log_append_only BEFORE UPDATE OR DELETE ON operator_audit_log
  FOR EACH ROW EXECUTE FUNCTION operator_audit_log_refuse_change();
CREATE TRIGGER operator_audit_log_no_truncate BEFORE TRUNCATE ON operator_audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION operator_audit_log_refuse_change();
`,
  },
  {
    // Who may do what in the back office is data that admins edit (PUT /v1/operator/roles/:role),
    // read with the operator's session on every request. Seeded with the defaults of
    // auth/permissions.ts (PERMISSIONS.operator) as they are today; a later change of the defaults
    // needs a migration of its own (operator/roles.test.ts compares a fresh database with them).
    name: '0403_operator_role_permissions',
    sql: `
CREATE TABLE operator_role_permissions (
  role text NOT NULL CHECK (role IN ('admin', 'kyc_reviewer', 'support', 'risk', 'finance')),
  action text NOT NULL CHECK (action ~ '^[a-z]+:[a-zA-Z]+$'),
  PRIMARY KEY (role, action)
);
INSERT INTO operator_role_permissions (role, action)
SELECT 'admin', action FROM unnest(ARRAY[
  'holders:read', 'holders:freeze', 'holders:unfreeze', 'pii:reveal', 'dashboard:read', 'tickets:answer',
  'help:manage', 'disputes:resolve', 'kyc:review', 'merchants:review', 'risk:decide', 'risk:rules',
  'ledger:read', 'reconciliation:read', 'balances:adjust', 'limits:configure', 'operators:manage', 'audit:read'
]) AS action
UNION ALL
SELECT 'support', action FROM unnest(ARRAY[
  'holders:read', 'holders:freeze', 'pii:reveal', 'dashboard:read', 'tickets:answer', 'help:manage',
  'disputes:resolve'
]) AS action
UNION ALL
SELECT 'kyc_reviewer', action FROM unnest(ARRAY[
  'holders:read', 'pii:reveal', 'dashboard:read', 'kyc:review', 'merchants:review'
]) AS action
UNION ALL
SELECT 'risk', action FROM unnest(ARRAY[
  'holders:read', 'holders:freeze', 'holders:unfreeze', 'pii:reveal', 'dashboard:read', 'disputes:resolve',
  'risk:decide', 'risk:rules'
]) AS action
UNION ALL
SELECT 'finance', action FROM unnest(ARRAY[
  'holders:read', 'dashboard:read', 'ledger:read', 'reconciliation:read', 'balances:adjust'
]) AS action;
`,
  },
  {
    // Passkeys of operators (passkeys.ts): a sign-in of their own, possession of the key plus
    // user verification, instead of password and TOTP. Their own tables, not the holders'
    // security_passkeys: operators are another population, with their own relying-party user
    // handle. Challenges are single use (deleted when used) and short-lived.
    name: '0404_operator_passkeys',
    sql: `
ALTER TABLE operator_accounts ADD COLUMN webauthn_user_handle bytea UNIQUE
  CHECK (webauthn_user_handle IS NULL OR length(webauthn_user_handle) = 32);

CREATE TABLE operator_passkeys (
  id uuid PRIMARY KEY,
  operator_id uuid NOT NULL REFERENCES operator_accounts (id),
  -- base64url credential id, as the browser sends it
  credential_id text NOT NULL UNIQUE CHECK (length(credential_id) BETWEEN 1 AND 1400),
  public_key bytea NOT NULL CHECK (length(public_key) <= 2048),
  sign_count bigint NOT NULL CHECK (sign_count >= 0),
  transports text[] NOT NULL DEFAULT '{}' CHECK (cardinality(transports) <= 8),
  device_type text NOT NULL CHECK (device_type IN ('singleDevice', 'multiDevice')),
  backed_up boolean NOT NULL,
  aaguid text NOT NULL CHECK (length(aaguid) <= 64),
  rp_id text NOT NULL CHECK (length(rp_id) <= 253),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
  created_at timestamptz NOT NULL,
  last_used_at timestamptz
);
CREATE INDEX operator_passkeys_operator ON operator_passkeys (operator_id, created_at);

CREATE TABLE operator_webauthn_challenges (
  challenge bytea PRIMARY KEY CHECK (length(challenge) = 32),
  purpose text NOT NULL CHECK (purpose IN ('register', 'sign_in')),
  -- registration: the operator (and session) that gave the fresh proof; sign-in: the operator
  -- named by username, or null for discoverable credentials
  operator_id uuid REFERENCES operator_accounts (id),
  session_id uuid,
  rp_id text NOT NULL CHECK (length(rp_id) <= 253),
  origin text NOT NULL CHECK (length(origin) <= 256),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  CHECK (purpose = 'sign_in' OR (operator_id IS NOT NULL AND session_id IS NOT NULL))
);
CREATE INDEX operator_webauthn_challenges_expiry ON operator_webauthn_challenges (expires_at);
`,
  },
];
