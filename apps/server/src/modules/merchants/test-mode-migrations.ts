import type { Migration } from '@qianbao/db';

/**
 * Test mode (test-mode.ts, ADR 0022): a merchant's test twin is a merchant row of its own,
 * `test_of` naming the live merchant (one twin per merchant), owned by a derived id that is no
 * holder, so nothing that looks merchants up by their owner ever finds a twin.
 */
export const testModeMigrations: Migration[] = [
  {
    name: '1340_merchants_test_twins',
    sql: `
ALTER TABLE merchants_merchants ADD COLUMN test_of uuid UNIQUE REFERENCES merchants_merchants (id);
`,
  },
];
