import type { Migration } from '@qianbao/db';

/**
 * The developers module's tables (ADR 0020): API keys (the secret's SHA-256, never the secret),
 * the rate-limit windows every server process counts in, and the request log per key.
 */
export const developersMigrations: Migration[] = [
  {
    name: '1600_developers_init',
    sql: `
CREATE TABLE developers_api_keys (
  -- the key's public handle: qbk_live_<id>_<secret>
  id text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{16}$'),
  merchant_id uuid NOT NULL,
  mode text NOT NULL CHECK (mode IN ('live', 'test')),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 40),
  secret_hash bytea NOT NULL CHECK (length(secret_hash) = 32),
  scopes text[] NOT NULL CHECK (cardinality(scopes) BETWEEN 1 AND 8),
  -- addresses or CIDR ranges the key may be used from; empty: anywhere
  ip_allow text[] NOT NULL DEFAULT '{}' CHECK (cardinality(ip_allow) <= 20),
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL,
  -- a rolled key works until then (the overlap), a revoked one not at all
  expires_at timestamptz,
  revoked_at timestamptz,
  rolled_to text REFERENCES developers_api_keys (id),
  last_used_at timestamptz,
  last_used_ip text
);
CREATE INDEX developers_api_keys_merchant ON developers_api_keys (merchant_id, created_at DESC);

-- One row per key and fixed window: the requests counted in it, by every server process.
CREATE TABLE developers_rate_windows (
  key_id text NOT NULL,
  window_start timestamptz NOT NULL,
  count integer NOT NULL,
  PRIMARY KEY (key_id, window_start)
);

CREATE TABLE developers_request_log (
  id uuid PRIMARY KEY,
  key_id text NOT NULL,
  merchant_id uuid NOT NULL,
  method text NOT NULL,
  path text NOT NULL CHECK (length(path) <= 2000),
  status integer NOT NULL,
  idempotency_key text,
  duration_ms integer NOT NULL,
  ip text,
  -- the request's body with secrets redacted (redact.ts)
  body jsonb,
  at timestamptz NOT NULL
);
CREATE INDEX developers_request_log_key ON developers_request_log (key_id, at DESC, id DESC);
CREATE INDEX developers_request_log_at ON developers_request_log (at);
`,
  },
];
