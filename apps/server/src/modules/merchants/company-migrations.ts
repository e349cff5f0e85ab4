import type { Migration } from '@qianbao/db';

/**
 * Company merchants (company.ts): the business licence's facts and the licence itself, kept for
 * the operators who review them. A holder opens one merchant, of either kind (the index below
 * replaces the individual-only one). Documents are bytea rows, as real-name documents are (ADR 0006).
 */
export const companyMigrations: Migration[] = [
  {
    name: '1320_merchants_company',
    sql: `
DROP INDEX merchants_one_individual;
CREATE UNIQUE INDEX merchants_one_per_owner ON merchants_merchants (owner_user_id);
CREATE INDEX merchants_pending_review ON merchants_merchants (created_at) WHERE status = 'pending_review';

CREATE TABLE merchants_companies (
  merchant_id uuid PRIMARY KEY REFERENCES merchants_merchants (id),
  legal_name text NOT NULL CHECK (char_length(legal_name) BETWEEN 2 AND 100),
  -- the unified social credit code (uscc.ts): one merchant per company
  registration_number text NOT NULL UNIQUE CHECK (registration_number ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'),
  representative text NOT NULL CHECK (char_length(representative) BETWEEN 2 AND 40),
  submitted_at timestamptz NOT NULL,
  decided_at timestamptz,
  decided_by text,
  reason text CHECK (length(reason) <= 500)
);

CREATE TABLE merchants_documents (
  id uuid PRIMARY KEY,
  merchant_id uuid NOT NULL REFERENCES merchants_merchants (id),
  kind text NOT NULL CHECK (kind IN ('business_license')),
  content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'application/pdf')),
  sha256 bytea NOT NULL,
  content bytea NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX merchants_documents_merchant ON merchants_documents (merchant_id);
`,
  },
];
