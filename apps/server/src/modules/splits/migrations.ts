import type { Migration } from '@qianbao/db';

/**
 * The splits module's tables. The money is in the ledger (each paid share one transfer from its
 * participant's wallet to the organiser's, each refund one back); these rows say who owes what and
 * where each share stands. A share's state changes only by compare-and-set (on its status and
 * attempt), a payment's claim under its split's row lock. Times come from the service's clock.
 */
export const splitsMigrations: Migration[] = [
  {
    name: '1500_splits_init',
    sql: `
CREATE TABLE splits_splits (
  -- derived from the organiser's Idempotency-Key: a retried create finds the same split
  id uuid PRIMARY KEY,
  organiser_user_id uuid NOT NULL,
  -- masked as shown at the time (*明 or 138****8000)
  organiser_display text NOT NULL CHECK (length(organiser_display) <= 40),
  organiser_wallet_account_id uuid NOT NULL,
  title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 30),
  -- open: whoever has the link takes a share; named: each share is one named holder's
  mode text NOT NULL CHECK (mode IN ('open', 'named')),
  split text NOT NULL CHECK (split IN ('equal', 'custom')),
  total_minor bigint NOT NULL CHECK (total_minor > 0),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  share_count integer NOT NULL CHECK (share_count BETWEEN 1 AND 1000),
  include_organiser boolean NOT NULL,
  -- the link's secret (base64url, 128 bits)
  token text NOT NULL UNIQUE CHECK (token ~ '^[A-Za-z0-9_-]{22}$'),
  -- open → completed (every share paid) | closed (by the organiser: no more payments)
  status text NOT NULL CHECK (status IN ('open', 'completed', 'closed')),
  last_reminded_at timestamptz,
  created_at timestamptz NOT NULL,
  completed_at timestamptz,
  closed_at timestamptz,
  CHECK (mode = 'named' OR split = 'equal')
);
CREATE INDEX splits_splits_organiser ON splits_splits (organiser_user_id, created_at DESC);

CREATE TABLE splits_shares (
  -- the share's ledger transfers are derived from this id and its attempt numbers
  id uuid PRIMARY KEY,
  split_id uuid NOT NULL REFERENCES splits_splits (id),
  position integer NOT NULL CHECK (position >= 0),
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  -- named: set at creation; open: set by the claim of whoever pays it (cleared if that fails)
  participant_user_id uuid,
  participant_display text CHECK (length(participant_display) <= 40),
  participant_wallet_account_id uuid,
  -- own: the organiser's own share (nothing moves); open → paying (one payer's claim while its
  -- ledger transfer runs) → paid → refunding (the organiser's refund running) → refunded;
  -- a failed payment goes back to open, a failed refund back to paid
  status text NOT NULL CHECK (status IN ('own', 'open', 'paying', 'paid', 'refunding', 'refunded')),
  attempt integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
  claimed_at timestamptz,
  -- the payment id (from the payer's Idempotency-Key) of the run holding or having paid the share
  claim_payment_id uuid,
  paid_at timestamptz,
  ledger_transfer_id uuid UNIQUE,
  refund_attempt integer NOT NULL DEFAULT 0 CHECK (refund_attempt >= 0),
  refund_claimed_at timestamptz,
  refund_payment_id uuid,
  refund_transfer_id uuid UNIQUE,
  refunded_at timestamptz,
  UNIQUE (split_id, position),
  CHECK ((status IN ('paid', 'refunding', 'refunded')) = (paid_at IS NOT NULL)),
  CHECK ((status = 'refunded') = (refunded_at IS NOT NULL)),
  CHECK (status = 'open' OR participant_user_id IS NOT NULL)
);
-- one share per holder per split
CREATE UNIQUE INDEX splits_shares_one_per_holder ON splits_shares (split_id, participant_user_id)
  WHERE participant_user_id IS NOT NULL;
CREATE INDEX splits_shares_participant ON splits_shares (participant_user_id)
  WHERE participant_user_id IS NOT NULL AND status <> 'own';
`,
  },
];
