/**
 * How the payer's history describes a merchant payment or refund (the history module asks, by
 * the ledger transfers' user data: `merchant-order:<id>`, `merchant-refund:<id>`): the merchant's
 * name as the other side, and what the order was for (or why it was refunded) as the note. One
 * query per kind for a page of entries.
 */
import type pg from 'pg';
import type { LedgerDescription } from '../history/projector.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class MerchantHistory {
  constructor(private readonly pool: pg.Pool) {}

  async describeLedgerTransfers(input: {
    viewerUserId: string;
    transfers: readonly { id: string; userData: string | null }[];
  }): Promise<Map<string, LedgerDescription>> {
    const byPrefix = (prefix: string) =>
      input.transfers.flatMap((transfer) => {
        const id = transfer.userData?.startsWith(prefix) ? transfer.userData.slice(prefix.length) : null;
        return id && UUID.test(id) ? [{ transferId: transfer.id, id }] : [];
      });
    const orders = byPrefix('merchant-order:');
    const refunds = byPrefix('merchant-refund:');
    const described = new Map<string, LedgerDescription>();
    if (orders.length > 0) {
      // Only the payer's own payments: another viewer's history never names them.
      const { rows } = await this.pool.query<{ id: string; name: string; description: string | null }>(
        `SELECT o.id, m.name, o.description FROM merchants_orders o JOIN merchants_merchants m ON m.id = o.merchant_id
          WHERE o.id = ANY($1::uuid[]) AND o.payer_user_id = $2`,
        [orders.map((o) => o.id), input.viewerUserId],
      );
      const found = new Map(rows.map((row) => [row.id, row]));
      for (const { transferId, id } of orders) {
        const row = found.get(id);
        if (row)
          described.set(transferId, {
            counterparty: { displayName: row.name },
            note: row.description,
            fundingId: null,
          });
      }
    }
    if (refunds.length > 0) {
      const { rows } = await this.pool.query<{ id: string; name: string; reason: string | null }>(
        `SELECT r.id, m.name, r.reason FROM merchants_refunds r
           JOIN merchants_orders o ON o.id = r.order_id JOIN merchants_merchants m ON m.id = o.merchant_id
          WHERE r.id = ANY($1::uuid[]) AND o.payer_user_id = $2`,
        [refunds.map((r) => r.id), input.viewerUserId],
      );
      const found = new Map(rows.map((row) => [row.id, row]));
      for (const { transferId, id } of refunds) {
        const row = found.get(id);
        if (row)
          described.set(transferId, {
            counterparty: { displayName: row.name },
            note: row.reason,
            fundingId: null,
          });
      }
    }
    return described;
  }
}
