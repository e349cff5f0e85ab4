import type { Migration } from '@qianbao/db';

/**
 * The red-packets module's tables. The money is in the ledger — the packet's amount in its
 * sender's escrow account from sending until claimed or refunded (ADR 0019); these rows say what
 * each packet still owes (`remaining_*`, changed only under the packet's row lock) and who claimed
 * what. Times come from the service's clock.
 */
export const redPacketsMigrations: Migration[] = [
  {
    name: '1400_redpackets_init',
    sql: `
CREATE TABLE redpackets_packets (
  -- also the id of the ledger transfer that funds it (derived from the Idempotency-Key)
  id uuid PRIMARY KEY,
  sender_user_id uuid NOT NULL,
  -- masked names as shown at the time (*明 or 138****8000)
  sender_display text NOT NULL CHECK (length(sender_display) <= 40),
  -- single: to one holder, one fixed share; group: a link, lucky (double mean) or equal shares
  kind text NOT NULL CHECK (kind IN ('single', 'group')),
  split text NOT NULL CHECK (split IN ('fixed', 'lucky', 'equal')),
  recipient_user_id uuid,
  recipient_display text CHECK (length(recipient_display) <= 40),
  -- the group link's secret (base64url, 128 bits): whoever has the link may claim
  token text UNIQUE CHECK (token ~ '^[A-Za-z0-9_-]{22}$'),
  total_minor bigint NOT NULL CHECK (total_minor > 0),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  share_count integer NOT NULL CHECK (share_count BETWEEN 1 AND 1000),
  -- the per-share maximum in force when it was sent (settings may change later)
  max_share_minor bigint NOT NULL CHECK (max_share_minor > 0),
  remaining_minor bigint NOT NULL,
  remaining_count integer NOT NULL,
  greeting text NOT NULL CHECK (char_length(greeting) BETWEEN 1 AND 40),
  cover text NOT NULL CHECK (cover ~ '^[a-z_]{1,20}$'),
  escrow_account_id uuid NOT NULL,
  sender_wallet_account_id uuid NOT NULL,
  -- funding (the ledger transfer in flight) → open → finished (every share claimed) | refunding →
  -- refunded (expired: the rest back to the sender); funding → failed (the ledger refused it)
  status text NOT NULL CHECK (status IN ('funding', 'open', 'finished', 'refunding', 'refunded', 'failed')),
  refund_minor bigint CHECK (refund_minor > 0),
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  finished_at timestamptz,
  refunded_at timestamptz,
  CHECK (remaining_count BETWEEN 0 AND share_count),
  -- at least a fen per share left, never more than was sent
  CHECK (remaining_minor BETWEEN remaining_count AND total_minor),
  CHECK ((kind = 'single') = (recipient_user_id IS NOT NULL)),
  CHECK ((kind = 'group') = (token IS NOT NULL)),
  CHECK (kind = 'group' OR (share_count = 1 AND split = 'fixed')),
  CHECK (recipient_user_id IS NULL OR recipient_user_id <> sender_user_id)
);
CREATE INDEX redpackets_packets_sender ON redpackets_packets (sender_user_id, created_at DESC);
CREATE INDEX redpackets_packets_recipient ON redpackets_packets (recipient_user_id, created_at DESC)
  WHERE recipient_user_id IS NOT NULL;
-- the sweeps: open packets by expiry, and the few rows a crash left half-way
CREATE INDEX redpackets_packets_due ON redpackets_packets (expires_at) WHERE status = 'open';
CREATE INDEX redpackets_packets_unsettled ON redpackets_packets (created_at)
  WHERE status IN ('funding', 'refunding');

CREATE TABLE redpackets_claims (
  -- the claim's ledger transfer id is derived from this id: a retry pays the same transfer once
  id uuid PRIMARY KEY,
  packet_id uuid NOT NULL REFERENCES redpackets_packets (id),
  claimer_user_id uuid NOT NULL,
  claimer_display text NOT NULL CHECK (length(claimer_display) <= 40),
  claimer_wallet_account_id uuid NOT NULL,
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  -- pending (drawn, the ledger transfer not yet answered) → credited, or → returned (the
  -- claimer's balance cap refused it: the share went back to the packet)
  status text NOT NULL CHECK (status IN ('pending', 'credited', 'returned')),
  created_at timestamptz NOT NULL,
  credited_at timestamptz,
  CHECK ((status = 'credited') = (credited_at IS NOT NULL))
);
-- one claim per person per packet (a returned one does not count: the holder may try again)
CREATE UNIQUE INDEX redpackets_claims_one_per_holder ON redpackets_claims (packet_id, claimer_user_id)
  WHERE status <> 'returned';
CREATE INDEX redpackets_claims_claimer ON redpackets_claims (claimer_user_id, created_at DESC);
CREATE INDEX redpackets_claims_pending ON redpackets_claims (created_at) WHERE status = 'pending';
`,
  },
];
