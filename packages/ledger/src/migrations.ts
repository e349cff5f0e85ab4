import type { Migration } from '@qianbao/db';

/**
 * The ledger's tables. Nothing else writes them: money moves only through `Ledger`.
 *
 * - No foreign keys on ledger_transfers: every reference is checked under lock by the batch, and
 *   a per-row FK trigger would cost more than the rest of the insert; `verify` re-checks them.
 * - Ids come from the application (UUIDs), never from a global sequence, so the tables can be
 *   distributed by account later.
 * - Transfers and journal records are immutable: triggers refuse UPDATE and DELETE, and the hash
 *   chain catches anyone who gets around the triggers.
 */
export const ledgerMigrations: Migration[] = [
  {
    name: '0001_ledger_init',
    sql: `
CREATE TABLE ledger_accounts (
  id uuid PRIMARY KEY,
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  code integer NOT NULL CHECK (code BETWEEN 1 AND 65535),
  owner_ref text CHECK (length(owner_ref) <= 128),
  flags integer NOT NULL CHECK (flags BETWEEN 0 AND 3),
  debits_pending bigint NOT NULL DEFAULT 0 CHECK (debits_pending >= 0),
  debits_posted bigint NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
  credits_pending bigint NOT NULL DEFAULT 0 CHECK (credits_pending >= 0),
  credits_posted bigint NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
  created_at timestamptz NOT NULL DEFAULT now()
) WITH (fillfactor = 50); -- room on each page for HOT updates of the counters
CREATE INDEX ledger_accounts_owner ON ledger_accounts (owner_ref) WHERE owner_ref IS NOT NULL;

CREATE TABLE ledger_transfers (
  id uuid PRIMARY KEY,
  debit_account_id uuid NOT NULL,
  credit_account_id uuid NOT NULL,
  amount bigint NOT NULL CHECK (amount > 0),
  currency text NOT NULL,
  code integer NOT NULL,
  flags integer NOT NULL,
  pending_id uuid,
  timeout_seconds integer NOT NULL DEFAULT 0,
  expires_at bigint,
  user_data text,
  ts bigint NOT NULL,
  -- Limit counters this transfer was counted in (NULL when none).
  limit_keys text[],
  CHECK (debit_account_id <> credit_account_id)
);
-- Ledger timestamps (µs) are unique and strictly increasing: the journal covers ranges of them.
-- They follow insertion order exactly, so a BRIN index serves verify's range scans for almost
-- nothing per insert; uniqueness is by construction (one head lock) and checked by verify.
CREATE INDEX ledger_transfers_ts ON ledger_transfers USING brin (ts) WITH (pages_per_range = 32);
-- A pending transfer resolves exactly once: at most one post/void/expiry may name it.
CREATE UNIQUE INDEX ledger_transfers_resolution ON ledger_transfers (pending_id) WHERE pending_id IS NOT NULL;
CREATE INDEX ledger_transfers_debit ON ledger_transfers (debit_account_id, ts);
CREATE INDEX ledger_transfers_credit ON ledger_transfers (credit_account_id, ts);

-- Failed ids are remembered so that a retry can never turn a failure into a success.
CREATE TABLE ledger_transfer_failures (
  id uuid PRIMARY KEY,
  result text NOT NULL,
  failed_at timestamptz NOT NULL DEFAULT now()
);

-- Spending limits counted atomically with transfers (daily, yearly … per the caller's keys).
-- Derivable from ledger_transfers.limit_keys; verify re-adds them.
CREATE TABLE ledger_limit_counters (
  key text PRIMARY KEY,
  used bigint NOT NULL CHECK (used >= 0)
) WITH (fillfactor = 70);

-- Open holds with a timeout, for the expiry worker; a row leaves when its hold resolves.
CREATE TABLE ledger_pending_expiries (
  transfer_id uuid PRIMARY KEY,
  expires_at bigint NOT NULL
);
CREATE INDEX ledger_pending_expiries_due ON ledger_pending_expiries (expires_at);

-- One record per committed batch: hash = sha256(prev_hash, seq, canonical transfers).
CREATE TABLE ledger_journal (
  seq bigint PRIMARY KEY,
  prev_hash bytea NOT NULL,
  hash bytea NOT NULL,
  first_ts bigint NOT NULL,
  last_ts bigint NOT NULL,
  transfer_count integer NOT NULL CHECK (transfer_count > 0),
  committed_at timestamptz NOT NULL DEFAULT now()
);

-- The single serialisation point of the ledger: every batch locks this row first, which orders
-- batches from all server processes into one chain and makes account deadlocks impossible.
CREATE TABLE ledger_journal_head (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  seq bigint NOT NULL,
  hash bytea NOT NULL,
  last_ts bigint NOT NULL,
  -- Bumped by every batch (also one that only records failures): a batch whose state was read
  -- ahead of the lock checks it to know whether anything changed since.
  version bigint NOT NULL DEFAULT 0
);
INSERT INTO ledger_journal_head (seq, hash, last_ts) VALUES (0, decode(repeat('00', 32), 'hex'), 0);

CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger history is immutable: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER ledger_transfers_immutable BEFORE UPDATE OR DELETE ON ledger_transfers
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_journal_immutable BEFORE UPDATE OR DELETE ON ledger_journal
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_transfers_no_truncate BEFORE TRUNCATE ON ledger_transfers
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_journal_no_truncate BEFORE TRUNCATE ON ledger_journal
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
`,
  },
  {
    // A batch applied ahead of the lock is written in one round trip (store.ts): this takes the
    // head lock and refuses, inside that same round trip, when the head is not the one the batch
    // was applied on — QL001 when another batch committed meanwhile (the writer then loads and
    // applies under the lock), QL002 when the chain position differs under the same version,
    // which only a hand edit of the head can cause.
    name: '0002_ledger_lock_head',
    sql: `
CREATE FUNCTION ledger_lock_head(expected_version bigint, expected_seq bigint, expected_last_ts bigint,
                                 expected_hash bytea) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  head ledger_journal_head;
BEGIN
  SELECT * INTO STRICT head FROM ledger_journal_head FOR UPDATE;
  IF head.version <> expected_version THEN
    RAISE EXCEPTION 'ledger journal head moved from version % to %', expected_version, head.version
      USING ERRCODE = 'QL001';
  END IF;
  IF head.seq <> expected_seq OR head.last_ts <> expected_last_ts OR head.hash <> expected_hash THEN
    RAISE EXCEPTION 'ledger journal head changed without a version bump (version %)', head.version
      USING ERRCODE = 'QL002';
  END IF;
END $$;
`,
  },
  {
    // A table CHECK constraint is evaluated on every UPDATE of a row, whichever columns change:
    // each batch's counter update paid for the currency's regular expression and three more
    // checks on values that never change (a tenth of the UPDATE, measured). A domain's check
    // runs only when a value is assigned to the column: at account creation.
    name: '0003_ledger_account_domains',
    sql: `
CREATE DOMAIN ledger_currency AS text CHECK (VALUE ~ '^[A-Z]{3}$');
CREATE DOMAIN ledger_code AS integer CHECK (VALUE BETWEEN 1 AND 65535);
CREATE DOMAIN ledger_account_flags AS integer CHECK (VALUE BETWEEN 0 AND 3);
CREATE DOMAIN ledger_owner_ref AS text CHECK (length(VALUE) <= 128);
ALTER TABLE ledger_accounts
  DROP CONSTRAINT ledger_accounts_currency_check,
  DROP CONSTRAINT ledger_accounts_code_check,
  DROP CONSTRAINT ledger_accounts_flags_check,
  DROP CONSTRAINT ledger_accounts_owner_ref_check,
  ALTER COLUMN currency TYPE ledger_currency,
  ALTER COLUMN code TYPE ledger_code,
  ALTER COLUMN flags TYPE ledger_account_flags,
  ALTER COLUMN owner_ref TYPE ledger_owner_ref;
`,
  },
  {
    // The journal's chain becomes keyed (HMAC-SHA256 under a key held outside the database, ADR
    // 0010). This table holds the one seal naming where the keyed records start; the ledger
    // writes it, with the key, the first time it opens (journal.ts `journalSeal`). A journal
    // written before this migration keeps its SHA-256 records as a prefix the seal covers.
    name: '0004_ledger_journal_seal',
    sql: `
CREATE TABLE ledger_journal_seal (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  -- The first journal record hashed with the key; the records before it are plain SHA-256.
  keyed_from_seq bigint NOT NULL CHECK (keyed_from_seq >= 1),
  -- The hash of record keyed_from_seq - 1 (zeros when the journal is keyed from its start).
  boundary_hash bytea NOT NULL,
  -- HMAC-SHA256 under the journal key of the two columns above.
  seal bytea NOT NULL,
  sealed_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER ledger_journal_seal_immutable BEFORE UPDATE OR DELETE ON ledger_journal_seal
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_journal_seal_no_truncate BEFORE TRUNCATE ON ledger_journal_seal
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
`,
  },
  {
    // An owner holds several accounts: one per currency and purpose (code), opened on demand
    // (docs/ledger.md "Accounts per owner, currency and purpose"). `findAccounts` looks them up by
    // owner, and by code and currency within it; this index serves all three, and every lookup
    // the owner-only index served (owner_ref is its first column), so that one goes. Not unique:
    // the ledger does not decide what an owner may hold twice (an operator's accounts, the
    // ledger API's callers); the server's directory makes one per purpose with derived ids.
    // Built inside the migration's transaction (no CONCURRENTLY), so writes to ledger_accounts
    // (account creation and every batch's counter update) wait for the build: about a second per
    // million accounts. The counters' updates stay HOT: no indexed column changes.
    name: '0005_ledger_accounts_by_owner',
    sql: `
CREATE INDEX ledger_accounts_owner_code_currency ON ledger_accounts (owner_ref, code, currency)
  WHERE owner_ref IS NOT NULL;
DROP INDEX ledger_accounts_owner;
`,
  },
  {
    // Test money (ADR 0022): flag 4 marks an account of a merchant's test mode; a transfer never
    // crosses between test and live accounts (apply.ts \`modeMismatch\`). Widening the domain's
    // check touches no row.
    name: '0006_ledger_test_accounts',
    sql: `
ALTER DOMAIN ledger_account_flags DROP CONSTRAINT ledger_account_flags_check;
ALTER DOMAIN ledger_account_flags ADD CONSTRAINT ledger_account_flags_check
  CHECK (VALUE BETWEEN 0 AND 7 AND VALUE & 3 <> 3);
`,
  },
];
