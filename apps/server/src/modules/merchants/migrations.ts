import type { Migration } from '@qianbao/db';

/**
 * The merchants module's tables (`merchants_*`, issue 12). Money lives in the ledger: a merchant's
 * takings in its `merchantBalance` account (owner `merchant:<id>`); these rows say who the
 * merchant is, what was ordered and paid, and what was refunded. Never edit a released migration.
 */
export const merchantsMigrations: Migration[] = [
  {
    name: '1300_merchants_init',
    sql: `
CREATE TABLE merchants_merchants (
  id uuid PRIMARY KEY,
  owner_user_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('individual', 'company')),
  status text NOT NULL CHECK (status IN ('active', 'pending_review', 'rejected', 'suspended')),
  -- EMVCo tags 59 and 60: at most 25 and 15 characters
  name text NOT NULL CHECK (char_length(name) BETWEEN 2 AND 25),
  city text NOT NULL CHECK (char_length(city) BETWEEN 1 AND 15),
  mcc text NOT NULL CHECK (mcc ~ '^[0-9]{4}$'),
  balance_account_id uuid NOT NULL UNIQUE,
  -- what the merchant's codes carry in their account template: opaque, so a code says nothing
  -- of the merchant's id or owner
  qr_token text NOT NULL UNIQUE CHECK (qr_token ~ '^[A-Za-z0-9_-]{16,24}$'),
  created_at timestamptz NOT NULL
);
-- One individual merchant (个体商户) per holder.
CREATE UNIQUE INDEX merchants_one_individual ON merchants_merchants (owner_user_id) WHERE kind = 'individual';

-- An order: made by the merchant (a dynamic code), or by a payer through the static code. Paid once:
-- a payer claims it (open → paying, next attempt) and only the claimer's ledger transfer runs,
-- with an id derived from (order, attempt); a refused attempt gives it back (paying → open).
CREATE TABLE merchants_orders (
  id uuid PRIMARY KEY,
  merchant_id uuid NOT NULL REFERENCES merchants_merchants (id),
  -- the merchant's own order number (EMVCo 62-05 reference label: at most 25 characters)
  merchant_order_id text NOT NULL CHECK (merchant_order_id ~ '^[A-Za-z0-9_-]{1,25}$'),
  channel text NOT NULL CHECK (channel IN ('static', 'dynamic')),
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  description text CHECK (char_length(description) <= 100),
  status text NOT NULL CHECK (status IN ('open', 'paying', 'paid', 'closed')),
  attempt integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
  claimed_by uuid,
  claimed_at timestamptz,
  payer_user_id uuid,
  payer_display text,
  paid_at timestamptz,
  ledger_transfer_id uuid UNIQUE,
  fee_minor bigint NOT NULL DEFAULT 0 CHECK (fee_minor >= 0),
  -- refunds reserve their amount here first (never past what was paid), then move the money
  refunded_minor bigint NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0 AND refunded_minor <= amount_minor),
  expires_at timestamptz NOT NULL,
  closed_at timestamptz,
  created_at timestamptz NOT NULL,
  UNIQUE (merchant_id, merchant_order_id),
  CHECK ((status = 'paid') = (paid_at IS NOT NULL))
);
CREATE INDEX merchants_orders_recent ON merchants_orders (merchant_id, created_at DESC);

CREATE TABLE merchants_refunds (
  id uuid PRIMARY KEY,
  order_id uuid NOT NULL REFERENCES merchants_orders (id),
  -- the merchant's own refund number: the same one again is the same refund
  merchant_refund_id text NOT NULL CHECK (merchant_refund_id ~ '^[A-Za-z0-9_-]{1,32}$'),
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  -- the part of the order's fee this refund returns (fees.ts)
  fee_minor bigint NOT NULL CHECK (fee_minor >= 0 AND fee_minor <= amount_minor),
  reason text CHECK (char_length(reason) <= 100),
  status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  failure text,
  created_at timestamptz NOT NULL,
  settled_at timestamptz,
  UNIQUE (order_id, merchant_refund_id)
);
`,
  },
];
