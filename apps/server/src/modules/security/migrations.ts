import type { Migration } from '@qianbao/db';

/**
 * The payment-security module's tables. `user_id` names a holder of the identity module (no
 * foreign key across modules). Times come from the service's clock, never `now()`.
 */
export const securityMigrations: Migration[] = [
  {
    name: '0200_security_init',
    sql: `
-- One row per holder who has touched a security setting.
CREATE TABLE security_holders (
  user_id uuid PRIMARY KEY,
  -- argon2id of the transaction PIN; null until set
  pin_hash text,
  pin_set_at timestamptz,
  -- wrong PINs and codes in a row (payment confirmations, TOTP disable); reset on success
  factor_failures integer NOT NULL DEFAULT 0 CHECK (factor_failures >= 0),
  factor_failed_at timestamptz,
  payments_locked_until timestamptz,
  -- password-free payments: per-payment limit in CNY fen, 0 = off
  password_free_limit_minor bigint NOT NULL DEFAULT 0 CHECK (password_free_limit_minor >= 0),
  -- WebAuthn user handle: random, so authenticators never learn our ids
  webauthn_user_handle bytea NOT NULL UNIQUE CHECK (length(webauthn_user_handle) BETWEEN 16 AND 64),
  created_at timestamptz NOT NULL
);

CREATE TABLE security_passkeys (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES security_holders (user_id),
  -- base64url credential id, as the browser sends it
  credential_id text NOT NULL UNIQUE CHECK (length(credential_id) BETWEEN 1 AND 1400),
  public_key bytea NOT NULL,
  sign_count bigint NOT NULL CHECK (sign_count >= 0),
  transports text[] NOT NULL DEFAULT '{}',
  device_type text NOT NULL CHECK (device_type IN ('singleDevice', 'multiDevice')),
  backed_up boolean NOT NULL,
  aaguid text NOT NULL,
  rp_id text NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
  created_at timestamptz NOT NULL,
  last_used_at timestamptz
);
CREATE INDEX security_passkeys_user ON security_passkeys (user_id, created_at);

-- Outstanding WebAuthn challenges: single use (deleted when used) and short-lived.
CREATE TABLE security_webauthn_challenges (
  challenge bytea PRIMARY KEY,
  purpose text NOT NULL CHECK (purpose IN ('register', 'login', 'payment')),
  -- null for sign-in: the holder is not known until the assertion names its credential
  user_id uuid,
  rp_id text NOT NULL,
  origin text NOT NULL,
  payment_id text,
  payment_hash bytea,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  CHECK ((purpose = 'login') = (user_id IS NULL)),
  CHECK ((purpose = 'payment') = (payment_hash IS NOT NULL))
);
CREATE INDEX security_webauthn_challenges_expiry ON security_webauthn_challenges (expires_at);

CREATE TABLE security_totp (
  user_id uuid PRIMARY KEY REFERENCES security_holders (user_id),
  status text NOT NULL CHECK (status IN ('pending', 'enabled')),
  -- SecretBox (AES-256-GCM) of the base32 secret, bound to the holder (docs/adr/0005-secrets-at-rest.md)
  secret_sealed text NOT NULL CHECK (length(secret_sealed) <= 512),
  -- a pending setup expires, and allows only a few wrong first codes
  pending_expires_at timestamptz,
  pending_failures integer NOT NULL DEFAULT 0 CHECK (pending_failures >= 0),
  -- the last 30-second step whose code was accepted: a code is never accepted twice
  last_used_step bigint,
  created_at timestamptz NOT NULL,
  enabled_at timestamptz,
  CHECK ((status = 'pending') = (pending_expires_at IS NOT NULL))
);

CREATE TABLE security_recovery_codes (
  user_id uuid NOT NULL REFERENCES security_holders (user_id),
  -- HMAC-SHA256 of the normalised code under a key derived from QIANBAO_SECRET_KEY
  code_digest bytea NOT NULL,
  created_at timestamptz NOT NULL,
  used_at timestamptz,
  PRIMARY KEY (user_id, code_digest)
);

-- Evidence of each confirmed payment, kept with it (for disputes: who approved what, and how).
CREATE TABLE security_confirmations (
  payment_id text NOT NULL CHECK (length(payment_id) <= 128),
  user_id uuid NOT NULL,
  factor text NOT NULL CHECK (factor IN ('pin', 'passkey', 'totp')),
  payment_hash bytea NOT NULL,
  amount_minor bigint NOT NULL,
  currency text NOT NULL,
  payee text NOT NULL,
  -- passkey assertions only: everything needed to verify the signature again later
  credential_id text,
  authenticator_data bytea,
  client_data_json bytea,
  signature bytea,
  user_handle text,
  confirmed_at timestamptz NOT NULL,
  PRIMARY KEY (payment_id, user_id),
  CHECK ((factor = 'passkey') = (signature IS NOT NULL))
);
`,
  },
  {
    name: '0201_security_factor_tries',
    sql: `
-- Tries of the PIN and codes being checked right now: the end of each one's lease. A try counts
-- against the limit while its lease lasts, so a process killed mid-check costs the holder
-- nothing once SECRET_TRY_LEASE_SECONDS have passed (apps/server/src/secret-tries.ts).
ALTER TABLE security_holders
  ADD COLUMN factor_tries_in_flight timestamptz[] NOT NULL DEFAULT '{}'
    CHECK (cardinality(factor_tries_in_flight) <= 100);

-- Until now a try was counted in factor_failures before the check and given back only by a
-- right answer, so tries cut off by a crash stayed counted for good: a holder could be held at
-- the limit without any lock being recorded. Those counts cannot be told apart from real wrong
-- answers, so an unlocked holder's count starts again (at most limit − 1 real failures forgiven,
-- once); a recorded lock stands.
UPDATE security_holders SET factor_failures = 0 WHERE payments_locked_until IS NULL AND factor_failures <> 0;
`,
  },
  {
    name: '0202_security_passkey_suspension',
    sql: `
-- A phone reported lost (freeze module, issue 11) suspends the holder's passkeys: a suspended one
-- signs nothing in and confirms nothing, but stays listed so the holder sees what happened and can
-- remove it. Passkeys record no device (and a synced one lives on every device of its platform
-- account), so all of them are suspended: docs/security.md, "A phone reported lost".
ALTER TABLE security_passkeys
  ADD COLUMN suspended_at timestamptz,
  ADD COLUMN suspended_reason text CHECK (suspended_reason IN ('phone_lost')),
  ADD CONSTRAINT security_passkeys_suspension CHECK ((suspended_at IS NULL) = (suspended_reason IS NULL));

-- Step-up challenges: a passkey proving the holder for an action that moves no money (lifting a
-- freeze), bound to the holder, single use like the others.
ALTER TABLE security_webauthn_challenges DROP CONSTRAINT security_webauthn_challenges_purpose_check;
ALTER TABLE security_webauthn_challenges ADD CONSTRAINT security_webauthn_challenges_purpose_check
  CHECK (purpose IN ('register', 'login', 'payment', 'step_up'));
`,
  },
];
