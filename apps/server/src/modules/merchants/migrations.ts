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
  {
    // The consumer's payment code (付款码, issue 12): the devices' secrets, and the charges a POS
    // makes with a code — each charge pays one order of channel `code` through the same claim and
    // ledger path as the QR codes' orders.
    name: '1301_merchants_payment_codes',
    sql: `
ALTER TABLE merchants_orders DROP CONSTRAINT merchants_orders_channel_check;
ALTER TABLE merchants_orders ADD CONSTRAINT merchants_orders_channel_check
  CHECK (channel IN ('static', 'dynamic', 'code'));

-- Where device indexes come from (taken modulo 1,000,000, skipping those of active secrets). Not a
-- hot table: a secret is issued once per phone, not per payment.
CREATE SEQUENCE merchants_payment_code_device_index;

-- A device's payment-code secret, sealed (SecretBox, purpose merchants:payment-code). One active
-- per (holder, device); a re-issue or a turn-off ends the old one but keeps its row, which the
-- charges made with its codes refer to.
CREATE TABLE merchants_payment_code_secrets (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  device_id text NOT NULL CHECK (length(device_id) BETWEEN 1 AND 128),
  -- the 6 digits after the prefix of every code of this secret: how a scanned code finds it
  device_index integer NOT NULL CHECK (device_index BETWEEN 0 AND 999999),
  secret_sealed text NOT NULL,
  -- kept with the secret: a change of the setting must not break the phones showing codes now
  step_seconds integer NOT NULL CHECK (step_seconds BETWEEN 1 AND 3600),
  status text NOT NULL CHECK (status IN ('active', 'replaced', 'off')),
  created_at timestamptz NOT NULL,
  ended_at timestamptz,
  CHECK ((status = 'active') = (ended_at IS NULL))
);
CREATE UNIQUE INDEX merchants_payment_code_active_device
  ON merchants_payment_code_secrets (user_id, device_id) WHERE status = 'active';
CREATE UNIQUE INDEX merchants_payment_code_active_index
  ON merchants_payment_code_secrets (device_index) WHERE status = 'active';

-- A charge of a payment code by a merchant's till. The row is the code's single use: one per
-- (secret, step), so of any number of tills scanning one screen at once exactly one charges it.
CREATE TABLE merchants_code_charges (
  -- derived from the till's Idempotency-Key: its retry finds its own charge
  id uuid PRIMARY KEY,
  merchant_id uuid NOT NULL REFERENCES merchants_merchants (id),
  -- written in the same transaction, after this row (deferred: the code is taken first)
  order_id uuid NOT NULL UNIQUE REFERENCES merchants_orders (id) DEFERRABLE INITIALLY DEFERRED,
  secret_id uuid NOT NULL REFERENCES merchants_payment_code_secrets (id),
  step bigint NOT NULL CHECK (step >= 0),
  payer_user_id uuid NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'awaiting_confirmation', 'succeeded', 'declined',
                                         'timed_out', 'failed')),
  -- the error code that refused the payment (status failed)
  failure text CHECK (char_length(failure) <= 64),
  -- awaiting the payer's confirmation until then; unconfirmed after it, timed out
  confirm_by timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (secret_id, step),
  CHECK ((status = 'failed') = (failure IS NOT NULL))
);
CREATE INDEX merchants_code_charges_awaiting
  ON merchants_code_charges (payer_user_id, created_at) WHERE status = 'awaiting_confirmation';
`,
  },
  {
    // Settlement (issue 12, "After the payment"): the card a merchant's takings are paid out to,
    // and one row per payout, written BEFORE the ledger hold and the bank call and moved through
    // its states by compare-and-set (settlements.ts), as funding's operations are: a crash at any
    // point leaves a row the recovery job finishes. The card's bank token is copied onto the row:
    // the payout must finish on the card it started with, even if the card is unbound meanwhile.
    name: '1302_merchants_settlements',
    sql: `
ALTER TABLE merchants_merchants ADD COLUMN settlement_card_id uuid;

CREATE TABLE merchants_settlements (
  id uuid PRIMARY KEY,
  merchant_id uuid NOT NULL REFERENCES merchants_merchants (id),
  trigger text NOT NULL CHECK (trigger IN ('on_demand', 'daily')),
  -- the daily job's day (Asia/Shanghai) it settles: one daily settlement per merchant and day
  business_date text CHECK (business_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  card_id uuid NOT NULL,
  card_token text NOT NULL,
  card_bin text NOT NULL,
  card_last4 text NOT NULL CHECK (card_last4 ~ '^[0-9]{4}$'),
  card_bank_code text NOT NULL,
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  state text NOT NULL CHECK (state IN ('created', 'held', 'bank_pending', 'voiding', 'succeeded', 'failed')),
  bank_operation_id text NOT NULL UNIQUE,
  bank_reference text,
  failure_code text CHECK (char_length(failure_code) <= 64),
  failure_details jsonb,
  timeline jsonb NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  claimed_until timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  completed_at timestamptz,
  CHECK ((trigger = 'daily') = (business_date IS NOT NULL))
);
-- One unfinished settlement per merchant: each pays out what the balance has, so a second at
-- the same time would only race the first for the same money.
CREATE UNIQUE INDEX merchants_settlements_one_unfinished ON merchants_settlements (merchant_id)
  WHERE state IN ('created', 'held', 'bank_pending', 'voiding');
CREATE UNIQUE INDEX merchants_settlements_daily ON merchants_settlements (merchant_id, business_date)
  WHERE trigger = 'daily';
CREATE INDEX merchants_settlements_unfinished ON merchants_settlements (updated_at)
  WHERE state IN ('created', 'held', 'bank_pending', 'voiding');
CREATE INDEX merchants_settlements_recent ON merchants_settlements (merchant_id, created_at DESC);
CREATE INDEX merchants_merchants_settling ON merchants_merchants (id) WHERE settlement_card_id IS NOT NULL;
`,
  },
  {
    // Expiry told (issue 14, expiry.ts): an order past its expiresAt was read as expired and no
    // more; the job `merchants.expire` now notes when it told the merchant so (`expired_at`,
    // with the `merchant.order_expired` event in the same transaction), once per order. The
    // status stays `open` (the view says `expired`, as before). The two partial indexes are what
    // the job reads each minute: open orders not yet told, charges waiting for their payer.
    // Orders that expired before this migration count as told (expired_at = expires_at, no event):
    // merchants are not sent a flood of order.expired for orders long gone.
    name: '1350_merchants_order_expiry',
    sql: `
ALTER TABLE merchants_orders ADD COLUMN expired_at timestamptz;
UPDATE merchants_orders SET expired_at = expires_at WHERE status = 'open' AND expires_at <= now();
CREATE INDEX merchants_orders_to_expire ON merchants_orders (expires_at)
  WHERE status = 'open' AND expired_at IS NULL;
CREATE INDEX merchants_code_charges_confirm_by ON merchants_code_charges (confirm_by)
  WHERE status = 'awaiting_confirmation';
`,
  },
];
