/**
 * Partner grants (migration 1603, ADR 0023): which merchant let which partner act for it, with
 * what scopes. Read on every request a partner's key makes for another merchant; one active grant
 * per (merchant, partner), counted under the merchant's advisory lock.
 */
import type pg from 'pg';
import { withTransaction } from '@qianbao/db';
import type { ApiScope } from '../../auth/index.ts';

export interface GrantRow {
  id: string;
  merchant_id: string;
  partner_merchant_id: string;
  merchant_test_id: string;
  partner_test_id: string;
  merchant_name: string;
  partner_name: string;
  scopes: ApiScope[];
  created_by: string;
  created_at: Date;
  revoked_at: Date | null;
  revoked_by: string | null;
}

const GRANT_COLUMNS = `id, merchant_id, partner_merchant_id, merchant_test_id, partner_test_id, merchant_name,
  partner_name, scopes, created_by, created_at, revoked_at, revoked_by`;

/** The most grants a list answers (a merchant has at most `max` active ones; revoked ones add up). */
const LIST_LIMIT = 200;

export class PartnerStore {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Grant `partner_merchant_id` access, or change the scopes of its active grant. Null: the
   * merchant has `max` active grants to other partners already.
   */
  async grant(
    row: Omit<GrantRow, 'revoked_at' | 'revoked_by'>,
    max: number,
  ): Promise<{ grant: GrantRow; created: boolean } | null> {
    return withTransaction(this.pool, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('developers:grants:' || $1))`, [
        row.merchant_id,
      ]);
      const changed = await client.query<GrantRow>(
        `UPDATE developers_partner_grants SET scopes = $3
          WHERE merchant_id = $1 AND partner_merchant_id = $2 AND revoked_at IS NULL
          RETURNING ${GRANT_COLUMNS}`,
        [row.merchant_id, row.partner_merchant_id, row.scopes],
      );
      if (changed.rows[0]) return { grant: changed.rows[0], created: false };
      const { rows: count } = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM developers_partner_grants WHERE merchant_id = $1 AND revoked_at IS NULL',
        [row.merchant_id],
      );
      if (count[0]!.n >= max) return null;
      const { rows } = await client.query<GrantRow>(
        `INSERT INTO developers_partner_grants (id, merchant_id, partner_merchant_id, merchant_test_id, partner_test_id,
           merchant_name, partner_name, scopes, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${GRANT_COLUMNS}`,
        [
          row.id,
          row.merchant_id,
          row.partner_merchant_id,
          row.merchant_test_id,
          row.partner_test_id,
          row.merchant_name,
          row.partner_name,
          row.scopes,
          row.created_by,
          row.created_at,
        ],
      );
      return { grant: rows[0]!, created: true };
    });
  }

  /** The grants a merchant gave, newest first. */
  async given(merchantId: string): Promise<GrantRow[]> {
    const { rows } = await this.pool.query<GrantRow>(
      `SELECT ${GRANT_COLUMNS} FROM developers_partner_grants WHERE merchant_id = $1
        ORDER BY created_at DESC, id LIMIT ${LIST_LIMIT}`,
      [merchantId],
    );
    return rows;
  }

  /** The grants a partner received, newest first. */
  async received(partnerMerchantId: string): Promise<GrantRow[]> {
    const { rows } = await this.pool.query<GrantRow>(
      `SELECT ${GRANT_COLUMNS} FROM developers_partner_grants WHERE partner_merchant_id = $1
        ORDER BY created_at DESC, id LIMIT ${LIST_LIMIT}`,
      [partnerMerchantId],
    );
    return rows;
  }

  /** Revoke at `now` (the first revocation is kept). Null: no such grant of the merchant. */
  async revoke(input: { merchantId: string; id: string; by: string; now: Date }): Promise<GrantRow | null> {
    const { rows } = await this.pool.query<GrantRow>(
      `UPDATE developers_partner_grants
          SET revoked_at = coalesce(revoked_at, $3), revoked_by = coalesce(revoked_by, $4)
        WHERE id = $1 AND merchant_id = $2 RETURNING ${GRANT_COLUMNS}`,
      [input.id, input.merchantId, input.now, input.by],
    );
    return rows[0] ?? null;
  }

  /**
   * The active grant of `merchantId` to the merchant of a key: its live merchant (`partner`), or
   * for a test key its test twin (`partnerTest`). One indexed read, on every such request.
   */
  async active(
    merchantId: string,
    partner: { live: string } | { test: string },
  ): Promise<{ id: string; scopes: ApiScope[] } | null> {
    const column = 'live' in partner ? 'partner_merchant_id' : 'partner_test_id';
    const { rows } = await this.pool.query<{ id: string; scopes: ApiScope[] }>({
      name: `developers_active_grant_${column}`,
      text: `SELECT id, scopes FROM developers_partner_grants
              WHERE merchant_id = $1 AND ${column} = $2 AND revoked_at IS NULL`,
      values: [merchantId, 'live' in partner ? partner.live : partner.test],
    });
    return rows[0] ?? null;
  }
}
