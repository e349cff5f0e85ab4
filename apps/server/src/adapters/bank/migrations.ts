import type { Migration } from '@qianbao/db';
import type { SealedPlace } from '../../crypto/sealed-places.ts';

/**
 * The sandbox bank's own tables (`bank_sandbox_*`). They stand for the bank's systems, not the
 * wallet's: nothing here is read by a wallet module, and nothing here refers to a wallet table.
 * Card and account numbers are kept sealed (SecretBox, purpose `bank:card-number`) with a blind
 * index to find them; only the BIN and last 4 are in clear.
 */
/** The purpose of the sandbox bank's sealed card and account numbers (SecretBox). */
export const CARD_NUMBER_PURPOSE = 'bank:card-number';

/** Where the sandbox bank keeps sealed values (`qianbao secrets reseal`, ADR 0029). */
export const bankSandboxSealedPlaces: SealedPlace[] = [
  { table: 'bank_sandbox_accounts', column: 'number_sealed', purpose: CARD_NUMBER_PURPOSE },
];

export const bankSandboxMigrations: Migration[] = [
  {
    name: '0910_bank_sandbox_init',
    sql: `
CREATE TABLE bank_sandbox_accounts (
  account_token text PRIMARY KEY CHECK (account_token ~ '^bct_[A-Za-z0-9_-]{32}$'),
  number_index bytea NOT NULL UNIQUE CHECK (length(number_index) = 32),
  number_sealed text NOT NULL CHECK (length(number_sealed) <= 200),
  kind text NOT NULL CHECK (kind IN ('card', 'account')),
  bin text CHECK (bin ~ '^[0-9]{6}$'),
  last4 text NOT NULL CHECK (last4 ~ '^[0-9]{4}$'),
  balance_minor bigint NOT NULL CHECK (balance_minor >= 0),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CHECK (kind = 'account' OR bin IS NOT NULL)
);
CREATE INDEX bank_sandbox_accounts_last4 ON bank_sandbox_accounts (last4, created_at DESC);

-- The wallet's settlement (reserve) account at the bank, one per currency.
CREATE TABLE bank_sandbox_settlement_accounts (
  currency text PRIMARY KEY CHECK (currency ~ '^[A-Z]{3}$'),
  balance_minor bigint NOT NULL CHECK (balance_minor >= 0),
  updated_at timestamptz NOT NULL
);

CREATE TABLE bank_sandbox_operations (
  operation_id text PRIMARY KEY CHECK (operation_id ~ '^[A-Za-z0-9._:-]{1,100}$'),
  bank_reference text NOT NULL UNIQUE CHECK (length(bank_reference) <= 40),
  kind text NOT NULL CHECK (kind IN ('debit_card', 'credit_card', 'credit_account')),
  -- The card or account touched; null when the number was refused before one was found.
  account_token text CHECK (length(account_token) <= 64),
  -- credit_account: the blind index of the account number, to recognise a replay.
  target_index bytea CHECK (length(target_index) = 32),
  bank_code text CHECK (bank_code ~ '^[A-Z]{2,10}$'),
  account_name text CHECK (length(account_name) <= 100),
  description text CHECK (length(description) <= 140),
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  failure_reason text CHECK (length(failure_reason) <= 40),
  completion text NOT NULL CHECK (completion IN ('immediate', 'pending_succeeds', 'pending_fails')),
  created_at timestamptz NOT NULL,
  -- When an asynchronous operation is due to complete.
  complete_at timestamptz,
  completed_at timestamptz,
  CHECK ((status = 'failed') = (failure_reason IS NOT NULL)),
  CHECK ((status = 'pending') = (completed_at IS NULL)),
  CHECK (completion = 'immediate' OR complete_at IS NOT NULL)
);
CREATE INDEX bank_sandbox_operations_due ON bank_sandbox_operations (complete_at) WHERE status = 'pending';
CREATE INDEX bank_sandbox_operations_completed ON bank_sandbox_operations (completed_at, operation_id)
  WHERE completed_at IS NOT NULL;

-- The bank's own SMS codes (card binding). Sandbox only: the code is kept in clear so a
-- developer can read it at /dev/bank/sms.json.
CREATE TABLE bank_sandbox_sms_codes (
  verification_id uuid PRIMARY KEY,
  number_index bytea NOT NULL CHECK (length(number_index) = 32),
  card_bin text NOT NULL CHECK (card_bin ~ '^[0-9]{6}$'),
  card_last4 text NOT NULL CHECK (card_last4 ~ '^[0-9]{4}$'),
  phone text NOT NULL CHECK (phone ~ '^1[3-9][0-9]{9}$'),
  purpose text NOT NULL CHECK (purpose IN ('bind')),
  code text NOT NULL CHECK (code ~ '^[0-9]{6}$'),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0 AND attempts <= 5),
  status text NOT NULL CHECK (status IN ('sent', 'confirmed', 'locked')),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX bank_sandbox_sms_codes_card ON bank_sandbox_sms_codes (number_index, created_at DESC);
CREATE INDEX bank_sandbox_sms_codes_last4 ON bank_sandbox_sms_codes (card_last4, created_at DESC);
CREATE INDEX bank_sandbox_sms_codes_recent ON bank_sandbox_sms_codes (created_at DESC);
`,
  },
];
