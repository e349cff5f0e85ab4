import type { Migration } from '@qianbao/db';

/**
 * Real-name (KYC) tables. Names and ID numbers are sealed (AES-256-GCM, crypto/secret-box.ts);
 * the blind index lets one ID number hold at most one wallet without storing it in clear.
 * Documents are bytea rows (ADR 0006): backed up, replicated and access-controlled with the rest.
 */
export const kycMigrations: Migration[] = [
  {
    name: '0300_kyc_init',
    sql: `
CREATE TABLE kyc_tier_limits (
  tier text PRIMARY KEY CHECK (tier IN ('T0', 'T1', 'T2', 'T3')),
  balance_cap_minor bigint CHECK (balance_cap_minor >= 0),
  single_payment_minor bigint CHECK (single_payment_minor >= 0),
  daily_minor bigint CHECK (daily_minor >= 0),
  yearly_minor bigint CHECK (yearly_minor >= 0),
  may_withdraw boolean NOT NULL,
  may_send_abroad boolean NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid
);
-- Defaults of domain-rules §1 in fen; NULL = no limit. Operators change them (audited).
INSERT INTO kyc_tier_limits (tier, balance_cap_minor, single_payment_minor, daily_minor, yearly_minor, may_withdraw, may_send_abroad) VALUES
  ('T0', 100000, 50000, 100000, 1000000, false, false),
  ('T1', 1000000, 500000, 1000000, 20000000, true, true),
  ('T2', 50000000, 5000000, 10000000, 100000000, true, true),
  ('T3', NULL, 20000000, 50000000, NULL, true, true);

CREATE TABLE kyc_profiles (
  user_id uuid PRIMARY KEY,
  tier text NOT NULL CHECK (tier IN ('T0', 'T1', 'T2', 'T3')),
  legal_name_sealed text,
  id_number_sealed text,
  -- HMAC of the ID number: one real person, one wallet
  id_number_index bytea UNIQUE,
  birth_date date,
  real_name_verified_at timestamptz,
  same_name_card_at timestamptz,
  in_person_verified_at timestamptz,
  updated_at timestamptz NOT NULL,
  CHECK ((real_name_verified_at IS NULL) = (id_number_sealed IS NULL))
);

-- Every call to the verifier, for audit and to bound attempts per day.
CREATE TABLE kyc_verification_attempts (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  factors integer NOT NULL,
  answer text NOT NULL CHECK (answer IN ('MATCH', 'MISMATCH', 'UNAVAILABLE')),
  reference text,
  created_at timestamptz NOT NULL
);
CREATE INDEX kyc_verification_attempts_user ON kyc_verification_attempts (user_id, created_at);

CREATE TABLE kyc_reviews (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
  submitted_at timestamptz NOT NULL,
  decided_at timestamptz,
  decided_by uuid,
  reason text CHECK (length(reason) <= 500)
);
CREATE UNIQUE INDEX kyc_reviews_one_pending ON kyc_reviews (user_id) WHERE status = 'pending';
CREATE INDEX kyc_reviews_queue ON kyc_reviews (status, submitted_at);

CREATE TABLE kyc_documents (
  id uuid PRIMARY KEY,
  review_id uuid NOT NULL REFERENCES kyc_reviews (id),
  kind text NOT NULL CHECK (kind IN ('id_front', 'id_back', 'selfie')),
  content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
  size_bytes integer NOT NULL CHECK (size_bytes > 0 AND size_bytes <= 5242880),
  sha256 bytea NOT NULL,
  content bytea NOT NULL,
  created_at timestamptz NOT NULL,
  UNIQUE (review_id, kind)
);
`,
  },
];
