import type { Migration } from '@qianbao/db';

/**
 * Hosted checkout (checkout.ts): a merchant's order with a link to Qianbao's checkout page and the
 * merchant's return address. One checkout per order; the link's token is random, so holding the
 * link is what lets a customer see and pay the order.
 */
export const checkoutMigrations: Migration[] = [
  {
    name: '1310_merchants_checkouts',
    sql: `
CREATE TABLE merchants_checkouts (
  id uuid PRIMARY KEY,
  order_id uuid NOT NULL UNIQUE REFERENCES merchants_orders (id),
  token text NOT NULL UNIQUE CHECK (token ~ '^[A-Za-z0-9_-]{24}$'),
  return_url text NOT NULL CHECK (length(return_url) <= 500),
  created_at timestamptz NOT NULL
);
`,
  },
];
