import type { Migration } from '@qianbao/db';

/** The approvals module's tables (`approvals_*`). Never edit a released migration: add the next. */
export const approvalsMigrations: Migration[] = [
  {
    // One row per change request, configuration or adjustment (plan.ts has the states). The
    // checker is never the maker (CHECK), whatever the service does; a decided row keeps who
    // decided and when. An adjustment's movement id is derived from the row's id, so the money
    // moves once however often its execution is retried.
    name: '1800_approvals_init',
    sql: `
CREATE TABLE approvals_changes (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('configuration', 'adjustment')),
  setting text CHECK (length(setting) <= 80),
  payload jsonb NOT NULL,
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  maker_id uuid NOT NULL,
  maker_name text NOT NULL,
  created_at timestamptz NOT NULL,
  effective_at timestamptz NOT NULL,
  status text NOT NULL
    CHECK (status IN ('proposed', 'approved', 'rejected', 'cancelled', 'applied', 'failed')),
  checker_id uuid,
  checker_name text,
  decided_at timestamptz,
  decision_reason text CHECK (length(decision_reason) <= 500),
  target_user_id uuid,
  movement_id uuid,
  failure_code text,
  finished_at timestamptz,
  CONSTRAINT approvals_changes_checker_not_maker CHECK (checker_id IS NULL OR checker_id <> maker_id),
  CONSTRAINT approvals_changes_setting_of_kind CHECK ((kind = 'configuration') = (setting IS NOT NULL)),
  CONSTRAINT approvals_changes_target_of_kind CHECK ((kind = 'adjustment') = (target_user_id IS NOT NULL)),
  CONSTRAINT approvals_changes_decided CHECK (
    (status IN ('proposed', 'cancelled')) = (checker_id IS NULL AND decided_at IS NULL)
  ),
  CONSTRAINT approvals_changes_adjustment_states CHECK (
    kind = 'adjustment' OR status NOT IN ('applied', 'failed')
  )
);
CREATE INDEX approvals_changes_in_force ON approvals_changes (setting, effective_at DESC)
  WHERE kind = 'configuration' AND status = 'approved';
CREATE INDEX approvals_changes_by_status ON approvals_changes (kind, status, created_at DESC);
CREATE INDEX approvals_changes_unfinished ON approvals_changes (decided_at)
  WHERE kind = 'adjustment' AND status = 'approved';
`,
  },
];
