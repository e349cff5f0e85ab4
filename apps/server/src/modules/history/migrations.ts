import type { Migration } from '@qianbao/db';

/**
 * History's projection of the ledger (projector.ts): one row per (holder's wallet, ledger
 * transfer), as that holder sees it, so that a page of history — filtered or not — is one
 * indexed query, whatever the length of the holder's history.
 *
 * - The facts (account, transfer, ledger time, direction, amount, status, code, hold) come from
 *   the ledger and never change; the description (type, label, counterparty, note, parties,
 *   search text) comes from the module that made the transfer and may arrive a moment later
 *   (`described` is false until it has).
 * - Ledger times are unique, and a transfer never debits and credits one account, so `ts` alone
 *   orders one account's entries: the paging index is unique on (account_id, ts), which also
 *   checks that assumption on every write.
 * - `history_cursor` is the ledger time up to which every transfer has been projected.
 * - No foreign keys to the ledger's or other modules' tables (modules/README.md).
 */
export const historyMigrations: Migration[] = [
  {
    name: '1000_history_entries',
    sql: `
CREATE TABLE history_entries (
  account_id uuid NOT NULL,
  ledger_transfer_id uuid NOT NULL,
  user_id uuid NOT NULL,
  ts bigint NOT NULL,
  direction text NOT NULL CHECK (direction IN ('in', 'out')),
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  currency text NOT NULL,
  status text NOT NULL CHECK (status IN ('succeeded', 'pending', 'released')),
  ledger_code integer NOT NULL,
  pending_id uuid,
  user_data text,
  type text NOT NULL,
  label_zh text NOT NULL,
  label_en text NOT NULL,
  counterparty_user_id uuid,
  counterparty_display text,
  note text,
  payment_request_id uuid,
  funding_id uuid,
  payer_display text,
  payee_display text,
  search text NOT NULL,
  described boolean NOT NULL,
  PRIMARY KEY (account_id, ledger_transfer_id)
);
-- Pages, newest first, and every filter on ledger time (from/to), amount, direction, text.
CREATE UNIQUE INDEX history_entries_page ON history_entries (account_id, ts DESC);
-- A filter by type or by a counterparty (a mobile number) reads only its matches.
CREATE INDEX history_entries_type ON history_entries (account_id, type, ts DESC);
CREATE INDEX history_entries_counterparty ON history_entries (account_id, counterparty_user_id, ts DESC)
  WHERE counterparty_user_id IS NOT NULL;
-- No index on the amount: a range is a filter on the page order (every entry costs an insert
-- into each index; a holder's pages stay fast, bench/RESULTS.md "History from the projection").
-- The events: a transfer's entries still waiting for their description (both sides; almost
-- always none, so the index stays small and costs an insert nothing once described), a funding
-- operation's (user data funding:<id>).
CREATE INDEX history_entries_waiting ON history_entries (ledger_transfer_id) WHERE NOT described;
-- The job's second look at the last seconds' entries still waiting (projector.ts redescribeRecent).
CREATE INDEX history_entries_waiting_ts ON history_entries (ts) WHERE NOT described;
CREATE INDEX history_entries_user_data ON history_entries (user_data) WHERE user_data IS NOT NULL;

CREATE TABLE history_cursor (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  last_ts bigint NOT NULL CHECK (last_ts >= 0)
);
INSERT INTO history_cursor (last_ts) VALUES (0);
`,
  },
  {
    // A hold whose post or void is projected is shown by that entry (its timeline starts with the
    // hold): the page hides the hold, looked up here. Partial: only resolutions are in it.
    name: '1001_history_resolved_holds',
    sql: `CREATE INDEX history_entries_resolutions ON history_entries (account_id, pending_id)
  WHERE pending_id IS NOT NULL;`,
  },
];
