import type { Migration } from '@qianbao/db';

/**
 * Top-ups and withdrawals: one row per operation, written BEFORE the ledger hold and the bank
 * call, moved through its states by compare-and-set updates (service.ts), so a crash at any
 * point leaves a row the recovery worker can finish.
 */
export const fundingMigrations: Migration[] = [
  {
    name: '0700_funding_init',
    sql: `
CREATE TABLE funding_operations (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  wallet_account_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('top_up', 'withdrawal')),
  card_id uuid NOT NULL,
  card_token text NOT NULL,
  card_bin text NOT NULL,
  card_last4 text NOT NULL,
  card_bank_code text NOT NULL,
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  fee_minor bigint NOT NULL CHECK (fee_minor >= 0),
  currency text NOT NULL,
  state text NOT NULL CHECK (state IN ('created', 'held', 'bank_pending', 'voiding', 'succeeded', 'failed')),
  bank_operation_id text NOT NULL UNIQUE,
  bank_reference text,
  failure_code text,
  failure_details jsonb,
  timeline jsonb NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  claimed_until timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  completed_at timestamptz
);
CREATE INDEX funding_operations_unfinished ON funding_operations (updated_at)
  WHERE state IN ('created', 'held', 'bank_pending', 'voiding');
CREATE INDEX funding_operations_card_unfinished ON funding_operations (card_id)
  WHERE state IN ('created', 'held', 'bank_pending', 'voiding');
CREATE INDEX funding_operations_user ON funding_operations (user_id, kind, created_at);
CREATE INDEX funding_operations_completed ON funding_operations (completed_at);

CREATE TABLE funding_reconciliation_reports (
  date text PRIMARY KEY CHECK (date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  report jsonb NOT NULL,
  mismatches integer NOT NULL,
  created_at timestamptz NOT NULL
);
`,
  },
];
