import type { Migration } from '@qianbao/db';

/**
 * Bound cards and card verifications in progress. A card number is never stored: the bank's
 * token, the BIN and the last 4 only (domain-rules §2).
 */
export const cardsMigrations: Migration[] = [
  {
    name: '0600_cards_init',
    sql: `
CREATE TABLE cards_verifications (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  card_token text NOT NULL,
  bin text NOT NULL CHECK (bin ~ '^[0-9]{6}$'),
  last4 text NOT NULL CHECK (last4 ~ '^[0-9]{4}$'),
  bank_code text NOT NULL,
  card_type text NOT NULL CHECK (card_type IN ('debit', 'credit')),
  scheme text NOT NULL,
  bank_verification_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('sent', 'bound')),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX cards_verifications_user ON cards_verifications (user_id, created_at);

CREATE TABLE cards_cards (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  card_token text NOT NULL,
  bin text NOT NULL CHECK (bin ~ '^[0-9]{6}$'),
  last4 text NOT NULL CHECK (last4 ~ '^[0-9]{4}$'),
  bank_code text NOT NULL,
  card_type text NOT NULL CHECK (card_type IN ('debit', 'credit')),
  scheme text NOT NULL,
  is_default boolean NOT NULL DEFAULT false,
  status text NOT NULL CHECK (status IN ('active', 'removed')),
  bound_at timestamptz NOT NULL,
  removed_at timestamptz
);
CREATE UNIQUE INDEX cards_cards_active_token ON cards_cards (user_id, card_token) WHERE status = 'active';
CREATE UNIQUE INDEX cards_cards_one_default ON cards_cards (user_id) WHERE status = 'active' AND is_default;
CREATE INDEX cards_cards_user ON cards_cards (user_id, bound_at);
`,
  },
];
