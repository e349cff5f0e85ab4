import type { Migration } from '@qianbao/db';

/**
 * Review cases (`risk_cases`): a payment the engine wants a person to look at, held in the ledger
 * meanwhile (payments/review.ts). One case per held movement (the ledger transfer of the hold),
 * so a retry of the payment finds its case. `outcome` is what was decided, written before the
 * hold is settled; `status` leaves `open` only once the ledger has done it — a crash in between
 * leaves a decided open case, which the expiry job settles again (settling is idempotent).
 */
export const riskCaseMigrations: Migration[] = [
  {
    name: '1110_risk_cases',
    sql: `
CREATE TABLE risk_cases (
  id uuid PRIMARY KEY,
  movement_id uuid NOT NULL UNIQUE,
  kind text NOT NULL,
  holder_id uuid NOT NULL,
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  payee text NOT NULL,
  decision_id uuid,
  rules text[] NOT NULL,
  score integer NOT NULL CHECK (score BETWEEN 0 AND 100),
  -- open → approved (posted) | rejected (voided) | expired (voided: nobody decided in time, or the
  -- ledger's own timeout came first) | cancelled (nothing was held: the ledger refused the hold)
  status text NOT NULL CHECK (status IN ('open', 'approved', 'rejected', 'expired', 'cancelled')),
  outcome text CHECK (outcome IN ('approve', 'reject', 'expire', 'cancel')),
  decided_by text,
  decided_at timestamptz,
  reason text CHECK (length(reason) <= 500),
  opened_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  closed_at timestamptz,
  CHECK ((status = 'open') = (closed_at IS NULL)),
  CHECK ((outcome IS NULL) = (decided_at IS NULL))
);
-- The expiry job's scan and the operators' queue.
CREATE INDEX risk_cases_open ON risk_cases (expires_at) WHERE status = 'open';
CREATE INDEX risk_cases_holder ON risk_cases (holder_id, opened_at DESC);
CREATE INDEX risk_cases_opened ON risk_cases (opened_at DESC);
`,
  },
];
