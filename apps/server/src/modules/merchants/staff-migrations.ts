import type { Migration } from '@qianbao/db';

/**
 * The merchant portal's tables. A merchant's staff (staff.ts): wallet holders the owner added, each with a role. The owner is
 * not a row: it is `merchants_merchants.owner_user_id`. A removed member keeps its row (who
 * worked there, and when) with `removed_at`; one present membership per holder and merchant.
 */
export const staffMigrations: Migration[] = [
  {
    name: '1330_merchants_staff',
    sql: `
CREATE TABLE merchants_staff (
  id uuid PRIMARY KEY,
  merchant_id uuid NOT NULL REFERENCES merchants_merchants (id),
  user_id uuid NOT NULL,
  role text NOT NULL CHECK (role IN ('cashier')),
  added_by uuid NOT NULL,
  created_at timestamptz NOT NULL,
  removed_at timestamptz,
  removed_by uuid
);
CREATE UNIQUE INDEX merchants_staff_present ON merchants_staff (merchant_id, user_id) WHERE removed_at IS NULL;
CREATE INDEX merchants_staff_user ON merchants_staff (user_id) WHERE removed_at IS NULL;
`,
  },
  {
    // The portal's takings per day (store.ts dailyTakings): refunds found by the day they succeeded.
    name: '1331_merchants_refunds_by_day',
    sql: `CREATE INDEX merchants_refunds_succeeded ON merchants_refunds (settled_at) WHERE status = 'succeeded';`,
  },
];
