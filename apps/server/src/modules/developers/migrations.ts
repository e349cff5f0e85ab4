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
  {
    name: '1601_developers_webhooks',
    sql: `
-- A merchant's webhook endpoint: where its events are posted, signed with the endpoint's secret
-- (sealed with the server's key: signing needs the secret itself). A rotated secret's predecessor
-- signs too until previous_expires_at (receivers accept either signature meanwhile).
CREATE TABLE developers_webhook_endpoints (
  id uuid PRIMARY KEY,
  merchant_id uuid NOT NULL,
  url text NOT NULL CHECK (length(url) <= 2000),
  description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 100),
  -- the public event types it wants (webhook-events.ts)
  events text[] NOT NULL CHECK (cardinality(events) BETWEEN 1 AND 20),
  secret_sealed text NOT NULL,
  previous_secret_sealed text,
  previous_expires_at timestamptz,
  status text NOT NULL CHECK (status IN ('enabled', 'disabled')),
  disabled_reason text,
  -- the first failed delivery since the last success: failing for days disables the endpoint
  failing_since timestamptz,
  created_at timestamptz NOT NULL
);
CREATE INDEX developers_webhook_endpoints_merchant ON developers_webhook_endpoints (merchant_id, created_at);

-- One event to one endpoint. The id is the webhook-id header, derived from (event, endpoint): the
-- receiver's dedupe key, the same on every attempt and after a crash.
CREATE TABLE developers_webhook_deliveries (
  id text PRIMARY KEY CHECK (id ~ '^msg_[0-9a-f]{32}$'),
  endpoint_id uuid NOT NULL REFERENCES developers_webhook_endpoints (id) ON DELETE CASCADE,
  merchant_id uuid NOT NULL,
  event_id text NOT NULL,
  event_type text NOT NULL,
  body text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  -- one sender at a time: an attempt leases the delivery
  leased_until timestamptz,
  last_status_code integer,
  last_error text,
  last_attempt_at timestamptz,
  created_at timestamptz NOT NULL,
  succeeded_at timestamptz
);
CREATE INDEX developers_webhook_deliveries_endpoint ON developers_webhook_deliveries (endpoint_id, created_at DESC, id DESC);
CREATE INDEX developers_webhook_deliveries_due ON developers_webhook_deliveries (next_attempt_at) WHERE status = 'pending';

CREATE TABLE developers_webhook_attempts (
  delivery_id text NOT NULL REFERENCES developers_webhook_deliveries (id) ON DELETE CASCADE,
  n integer NOT NULL,
  at timestamptz NOT NULL,
  status_code integer,
  duration_ms integer NOT NULL,
  error text,
  -- auto: the first try or a scheduled retry; resend: asked for by the owner
  trigger text NOT NULL CHECK (trigger IN ('auto', 'resend')),
  PRIMARY KEY (delivery_id, n)
);
`,
  },
  {
    // OAuth 2 client credentials (oauth.ts): access tokens traded for a key's credentials, an hour
    // each. A token is its key's: it is refused once the key is revoked or expired (the lookup
    // joins the key), and goes with it.
    name: '1602_developers_oauth_tokens',
    sql: `
CREATE TABLE developers_oauth_tokens (
  -- qbo_<id>_<secret>
  id text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{16}$'),
  key_id text NOT NULL REFERENCES developers_api_keys (id),
  secret_hash bytea NOT NULL CHECK (length(secret_hash) = 32),
  scopes text[] NOT NULL CHECK (cardinality(scopes) BETWEEN 1 AND 8),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX developers_oauth_tokens_expiry ON developers_oauth_tokens (expires_at);
`,
  },
  {
    // Partners (ADR 0023): a merchant's owner grants another merchant — a platform acting for many
    // merchants — access with some scopes; the partner's keys then act for the granting merchant
    // when a request names it (`Qianbao-Merchant`). Read on every such request, so a revocation is
    // effective at once on every server. The twins' ids (derived from the live ids, ADR 0022) are
    // kept so that a partner's test key finds the grant and acts for the granting merchant's twin.
    name: '1603_developers_partner_grants',
    sql: `
CREATE TABLE developers_partner_grants (
  id uuid PRIMARY KEY,
  -- the merchant that grants access, and the partner it grants it to (both live merchants)
  merchant_id uuid NOT NULL,
  partner_merchant_id uuid NOT NULL CHECK (partner_merchant_id <> merchant_id),
  merchant_test_id uuid NOT NULL,
  partner_test_id uuid NOT NULL,
  -- their names when the grant was made, for the lists
  merchant_name text NOT NULL,
  partner_name text NOT NULL,
  scopes text[] NOT NULL CHECK (cardinality(scopes) BETWEEN 1 AND 8),
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_by uuid
);
-- One active grant per (merchant, partner): granting again changes its scopes.
CREATE UNIQUE INDEX developers_partner_grants_active
  ON developers_partner_grants (merchant_id, partner_merchant_id) WHERE revoked_at IS NULL;
CREATE INDEX developers_partner_grants_test
  ON developers_partner_grants (merchant_id, partner_test_id) WHERE revoked_at IS NULL;
CREATE INDEX developers_partner_grants_events
  ON developers_partner_grants (merchant_test_id) WHERE revoked_at IS NULL;
CREATE INDEX developers_partner_grants_given ON developers_partner_grants (merchant_id, created_at DESC);
CREATE INDEX developers_partner_grants_received
  ON developers_partner_grants (partner_merchant_id, created_at DESC);

-- A partner's endpoint that also wants the events of the merchants that granted it access.
ALTER TABLE developers_webhook_endpoints ADD COLUMN connected boolean NOT NULL DEFAULT false;

-- The merchant a partner's key acted for (null: the key's own merchant).
ALTER TABLE developers_request_log ADD COLUMN acted_for uuid;
`,
  },
];
