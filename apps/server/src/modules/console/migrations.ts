import type { Migration } from '@qianbao/db';

/** The console module's tables (`console_*`). Never edit a released migration: add the next. */
export const consoleMigrations: Migration[] = [
  {
    name: '1700_console_init',
    sql: `
-- Operators' notes on a holder: append-only (a wrong note is corrected by another).
CREATE TABLE console_notes (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  operator_id uuid NOT NULL,
  -- who wrote it, as they were called then (an operator's name may change; the note stays)
  operator_name text NOT NULL CHECK (length(operator_name) BETWEEN 1 AND 64),
  text text NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
  created_at timestamptz NOT NULL
);
CREATE INDEX console_notes_user ON console_notes (user_id, created_at DESC);

-- The holder search's index of real names (follows kyc's profiles, service.ts): a keyed hash of
-- the legal name (exact-name search without keeping the name) and the two ends of the ID number
-- that its masked form shows anyway (1101**********002X). Never a full name or number.
CREATE TABLE console_holder_index (
  user_id uuid PRIMARY KEY,
  name_index bytea NOT NULL,
  id_head text NOT NULL CHECK (id_head ~ '^[0-9]{4}$'),
  id_tail text NOT NULL CHECK (id_tail ~ '^[0-9]{3}[0-9X]$'),
  source_updated_at timestamptz NOT NULL
);
CREATE INDEX console_holder_index_name ON console_holder_index (name_index);
CREATE INDEX console_holder_index_id ON console_holder_index (id_tail, id_head);
CREATE INDEX console_holder_index_source ON console_holder_index (source_updated_at, user_id);
`,
  },
];
