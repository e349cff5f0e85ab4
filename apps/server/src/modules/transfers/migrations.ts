import type { Migration } from '@qianbao/db';

/**
 * The transfers module's tables. Money itself lives in the ledger; these rows say who paid whom
 * and why (the ledger transfer id links the two). Times come from the service's clock.
 */
export const transfersMigrations: Migration[] = [
  {
    name: '0800_transfers_init',
    sql: `
CREATE TABLE transfers_transfers (
  id uuid PRIMARY KEY,
  -- one record per ledger transfer: a retry after a crash finds it instead of adding a second
  ledger_transfer_id uuid NOT NULL UNIQUE,
  kind text NOT NULL CHECK (kind IN ('phone', 'qr', 'payment_request')),
  status text NOT NULL CHECK (status IN ('succeeded')),
  payer_user_id uuid NOT NULL,
  payee_user_id uuid NOT NULL,
  -- masked names as each side saw them at the time (*明 or 138****8000): receipts stay as issued
  payer_display text NOT NULL CHECK (length(payer_display) <= 40),
  payee_display text NOT NULL CHECK (length(payee_display) <= 40),
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  note text CHECK (char_length(note) <= 50),
  payment_request_id uuid,
  created_at timestamptz NOT NULL,
  CHECK (payer_user_id <> payee_user_id)
);
CREATE INDEX transfers_transfers_payer ON transfers_transfers (payer_user_id, created_at DESC);
CREATE INDEX transfers_transfers_payee ON transfers_transfers (payee_user_id, created_at DESC);

-- A holder's personal receive code: an opaque random token, so the QR code reveals no number.
CREATE TABLE transfers_receive_codes (
  token text PRIMARY KEY CHECK (token ~ '^[A-Za-z0-9_-]{22}$'),
  user_id uuid NOT NULL UNIQUE,
  created_at timestamptz NOT NULL
);

CREATE TABLE transfers_payment_requests (
  id uuid PRIMARY KEY,
  requester_user_id uuid NOT NULL,
  requester_display text NOT NULL CHECK (length(requester_display) <= 40),
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  note text CHECK (char_length(note) <= 50),
  -- open → paying (one payer holds the claim while its ledger transfer runs) → paid;
  -- a failed attempt returns it to open; open → cancelled by the requester
  status text NOT NULL CHECK (status IN ('open', 'paying', 'paid', 'cancelled')),
  -- each claim gets the next attempt number; the ledger transfer id is derived from (id, attempt),
  -- so a failed attempt (remembered by the ledger) never blocks the next payer
  attempt integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
  claimed_by uuid,
  claimed_at timestamptz,
  paid_by uuid,
  paid_at timestamptz,
  ledger_transfer_id uuid UNIQUE,
  cancelled_at timestamptz,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  CHECK ((status = 'paid') = (paid_at IS NOT NULL))
);
CREATE INDEX transfers_payment_requests_requester
  ON transfers_payment_requests (requester_user_id, created_at DESC);
`,
  },
  {
    // Nothing reads transfers by payer or payee (history reads its own projection, the module
    // looks records up by ledger transfer): two B-trees every transfer paid for, for no reader.
    name: '0801_transfers_drop_unread_indexes',
    sql: `DROP INDEX transfers_transfers_payer; DROP INDEX transfers_transfers_payee;`,
  },
  {
    // A transfer the risk engine holds for review (payments/review.ts) is recorded at once as
    // `under_review`, then settled: `succeeded`, `rejected` or `expired`.
    name: '0802_transfers_held_for_review',
    sql: `ALTER TABLE transfers_transfers DROP CONSTRAINT transfers_transfers_status_check;
ALTER TABLE transfers_transfers ADD CONSTRAINT transfers_transfers_status_check
  CHECK (status IN ('succeeded', 'under_review', 'rejected', 'expired'));`,
  },
];
