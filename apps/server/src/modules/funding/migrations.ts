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
  {
    // Transfers to a bank account of any bank (docs/bank-transfers.md) run through the same
    // two-phase machinery: a third kind, with the account instead of a bound card. The account
    // number and name are sealed (SecretBox): the worker needs them to send the transfer again,
    // nobody needs to read them; the last 4 and the masked name are kept for display.
    name: '0701_funding_bank_transfers',
    sql: `
ALTER TABLE funding_operations DROP CONSTRAINT funding_operations_kind_check;
ALTER TABLE funding_operations ADD CONSTRAINT funding_operations_kind_check
  CHECK (kind IN ('top_up', 'withdrawal', 'bank_transfer'));
ALTER TABLE funding_operations
  ALTER COLUMN card_id DROP NOT NULL,
  ALTER COLUMN card_token DROP NOT NULL,
  ALTER COLUMN card_bin DROP NOT NULL,
  ALTER COLUMN card_last4 DROP NOT NULL,
  ALTER COLUMN card_bank_code DROP NOT NULL,
  ADD COLUMN account_number_sealed text,
  ADD COLUMN account_name_sealed text,
  ADD COLUMN account_last4 text CHECK (account_last4 ~ '^[0-9]{4}$'),
  ADD COLUMN account_bank_code text,
  ADD COLUMN account_name_masked text,
  ADD COLUMN note text CHECK (length(note) <= 50);
ALTER TABLE funding_operations ADD CONSTRAINT funding_operations_target CHECK (
  CASE WHEN kind = 'bank_transfer'
    THEN card_id IS NULL AND account_number_sealed IS NOT NULL AND account_name_sealed IS NOT NULL
         AND account_last4 IS NOT NULL AND account_bank_code IS NOT NULL AND account_name_masked IS NOT NULL
    ELSE card_id IS NOT NULL AND card_token IS NOT NULL AND card_bin IS NOT NULL AND card_last4 IS NOT NULL
         AND card_bank_code IS NOT NULL AND account_number_sealed IS NULL
  END);
`,
  },
];
