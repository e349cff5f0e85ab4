import type { Migration } from '@qianbao/db';

/** The disputes module's tables (`disputes_*`). Never edit a released migration: add the next. */
export const disputesMigrations: Migration[] = [
  {
    name: '2000_disputes_init',
    sql: `
CREATE TABLE disputes_disputes (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  wallet_account_id uuid NOT NULL,
  -- the holder's movement: its ledger transfer (the history id)
  transaction_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('merchant_payment', 'transfer', 'top_up', 'withdrawal', 'bank_transfer')),
  transaction_amount_minor bigint NOT NULL CHECK (transaction_amount_minor > 0),
  amount_minor bigint NOT NULL CHECK (amount_minor > 0 AND amount_minor <= transaction_amount_minor),
  currency text NOT NULL CHECK (length(currency) = 3),
  transaction_at timestamptz NOT NULL,
  counterparty text CHECK (length(counterparty) <= 100),
  -- a merchant payment's merchant and order (the merchants module's ids)
  merchant_id uuid,
  order_id uuid,
  merchant_order_id text CHECK (length(merchant_order_id) <= 64),
  reason text NOT NULL CHECK (reason IN ('not_received', 'not_as_described', 'duplicate', 'unauthorized', 'amount_wrong', 'other')),
  text text NOT NULL CHECK (length(text) BETWEEN 1 AND 1000),
  status text NOT NULL CHECK (status IN ('opened', 'investigating', 'awaiting_merchant', 'refunding',
                                         'resolved_refunded', 'resolved_rejected', 'withdrawn')),
  assigned_operator_id uuid,
  -- the decision: how the refund is paid, how much, which attempt (ids derive from it)
  refund_method text CHECK (refund_method IN ('merchant_refund', 'chargeback', 'goodwill')),
  refund_amount_minor bigint CHECK (refund_amount_minor > 0 AND refund_amount_minor <= amount_minor),
  refund_attempt integer NOT NULL DEFAULT 0 CHECK (refund_attempt >= 0),
  refund_reference text CHECK (length(refund_reference) <= 100),
  refunding_since timestamptz,
  decision_reason text CHECK (length(decision_reason) <= 500),
  last_failure text CHECK (length(last_failure) <= 64),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  closed_at timestamptz,
  CHECK ((status = 'refunding') = (refunding_since IS NOT NULL)),
  CHECK (status <> 'resolved_refunded' OR (refund_method IS NOT NULL AND refund_amount_minor IS NOT NULL)),
  CHECK ((kind = 'merchant_payment') = (merchant_id IS NOT NULL AND order_id IS NOT NULL))
);
-- one open dispute per movement: of 30 opened at once, one is made
CREATE UNIQUE INDEX disputes_disputes_one_open ON disputes_disputes (transaction_id)
  WHERE status IN ('opened', 'investigating', 'awaiting_merchant', 'refunding');
CREATE INDEX disputes_disputes_transaction ON disputes_disputes (transaction_id);
CREATE INDEX disputes_disputes_user ON disputes_disputes (user_id, created_at DESC);
CREATE INDEX disputes_disputes_merchant ON disputes_disputes (merchant_id, created_at DESC) WHERE merchant_id IS NOT NULL;
CREATE INDEX disputes_disputes_queue ON disputes_disputes (status, created_at);
CREATE INDEX disputes_disputes_refunding ON disputes_disputes (refunding_since) WHERE status = 'refunding';

-- what happened to a dispute, in order: the holder's timeline and the operators' record
CREATE TABLE disputes_events (
  id uuid PRIMARY KEY,
  dispute_id uuid NOT NULL REFERENCES disputes_disputes (id),
  at timestamptz NOT NULL,
  actor text NOT NULL CHECK (actor IN ('holder', 'operator', 'merchant', 'system')),
  operator_id uuid,
  step text NOT NULL CHECK (length(step) <= 32),
  from_status text,
  to_status text NOT NULL,
  note text CHECK (length(note) <= 1000)
);
CREATE INDEX disputes_events_dispute ON disputes_events (dispute_id, at, id);

-- evidence files, in PostgreSQL like KYC documents (ADR 0006)
CREATE TABLE disputes_evidence (
  id uuid PRIMARY KEY,
  dispute_id uuid NOT NULL REFERENCES disputes_disputes (id),
  content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'application/pdf')),
  file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 100),
  size_bytes integer NOT NULL CHECK (size_bytes > 0 AND size_bytes <= 5242880),
  sha256 bytea NOT NULL CHECK (length(sha256) = 32),
  content bytea NOT NULL,
  created_at timestamptz NOT NULL,
  UNIQUE (dispute_id, sha256)
);
CREATE INDEX disputes_evidence_dispute ON disputes_evidence (dispute_id, created_at);
`,
  },
];
