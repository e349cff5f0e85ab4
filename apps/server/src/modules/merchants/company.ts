/**
 * Company merchants (issue 12, "Merchants and their staff"): a company applies from its owner's
 * wallet with its business licence — the legal name, the unified social credit code (uscc.ts), the
 * legal representative and a scan of the licence — and waits: `pending_review` takes no payment
 * (every payment path refuses a merchant that is not `active`). An operator with
 * `merchants:review` reads the queue and the licence and approves (`active`) or rejects with a
 * reason (`rejected`); the owner is told either way (event `merchant.reviewed`). Every decision is
 * in the operators' audit log (the routes write it).
 */
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { withTransaction } from '@qianbao/db';
import { newId } from '@qianbao/ledger';
import { AppError } from '../../errors.ts';
import { appendEvents } from '../../outbox/index.ts';
import type { OutboxWake } from '../../outbox/index.ts';
import type { AccountDirectory } from '../../platform/accounts.ts';
import { merchantReviewed } from './events.ts';
import { MERCHANT_CURRENCY } from './service.ts';
import type { MerchantRow } from './store.ts';
import { isUscc } from './uscc.ts';

export const LICENCE_TYPES = ['image/jpeg', 'image/png', 'application/pdf'] as const;
export type LicenceType = (typeof LICENCE_TYPES)[number];
/** A scan or photo of a licence: at most 5 MB. */
export const MAX_LICENCE_BYTES = 5 * 1024 * 1024;

export interface CompanyApplication {
  merchant: Pick<
    MerchantRow,
    'id' | 'owner_user_id' | 'kind' | 'status' | 'name' | 'city' | 'mcc' | 'created_at'
  >;
  legalName: string;
  registrationNumber: string;
  representative: string;
  submittedAt: Date;
  decidedAt: Date | null;
  decidedBy: string | null;
  reason: string | null;
  documents: { id: string; kind: 'business_license'; contentType: string; bytes: number }[];
}

interface ApplicationRow {
  id: string;
  owner_user_id: string;
  kind: 'company';
  status: MerchantRow['status'];
  name: string;
  city: string;
  mcc: string;
  created_at: Date;
  legal_name: string;
  registration_number: string;
  representative: string;
  submitted_at: Date;
  decided_at: Date | null;
  decided_by: string | null;
  reason: string | null;
  documents: { id: string; kind: 'business_license'; contentType: string; bytes: number }[] | null;
}

const APPLICATION_SQL = `
  SELECT m.id, m.owner_user_id, m.kind, m.status, m.name, m.city, m.mcc, m.created_at, c.legal_name,
         c.registration_number, c.representative, c.submitted_at, c.decided_at, c.decided_by, c.reason,
         (SELECT json_agg(json_build_object('id', d.id, 'kind', d.kind, 'contentType', d.content_type,
                                            'bytes', octet_length(d.content)) ORDER BY d.created_at)
            FROM merchants_documents d WHERE d.merchant_id = m.id) AS documents
    FROM merchants_merchants m JOIN merchants_companies c ON c.merchant_id = m.id`;

export class CompanyMerchants {
  constructor(
    private readonly deps: {
      pool: pg.Pool;
      accounts: Pick<AccountDirectory, 'open'>;
      identity: { getUser(userId: string): Promise<{ realNameVerified: boolean } | null> };
      events: OutboxWake;
      now: () => Date;
    },
  ) {}

  /** A company's application, from its owner's wallet: pending until an operator decides. */
  async apply(input: {
    userId: string;
    name: string;
    city: string;
    mcc: string;
    legalName: string;
    registrationNumber: string;
    representative: string;
    licence: { contentType: string; content: Buffer };
  }): Promise<CompanyApplication> {
    const user = await this.deps.identity.getUser(input.userId);
    if (!user) throw new AppError('NOT_FOUND');
    if (!user.realNameVerified) throw new AppError('MERCHANT_REAL_NAME_REQUIRED');
    const registrationNumber = input.registrationNumber.trim().toUpperCase();
    if (!isUscc(registrationNumber)) throw new AppError('MERCHANT_REGISTRATION_INVALID');
    if (!(LICENCE_TYPES as readonly string[]).includes(input.licence.contentType)) {
      throw new AppError('MERCHANT_DOCUMENT_INVALID', { details: { problem: 'type' } });
    }
    if (input.licence.content.length === 0 || input.licence.content.length > MAX_LICENCE_BYTES) {
      throw new AppError('MERCHANT_DOCUMENT_INVALID', { details: { problem: 'size' } });
    }
    const id = newId();
    const now = this.deps.now();
    const balanceAccountId = await this.deps.accounts.open({
      owner: `merchant:${id}`,
      currency: MERCHANT_CURRENCY,
      purpose: 'merchantBalance',
    });
    await withTransaction(this.deps.pool, async (client) => {
      const merchant = await client.query(
        `INSERT INTO merchants_merchants (id, owner_user_id, kind, status, name, city, mcc, balance_account_id,
                                          qr_token, created_at)
         VALUES ($1, $2, 'company', 'pending_review', $3, $4, $5, $6, $7, $8)
         ON CONFLICT (owner_user_id) DO NOTHING`,
        [
          id,
          input.userId,
          input.name,
          input.city,
          input.mcc,
          balanceAccountId,
          randomBytes(15).toString('base64url'),
          now,
        ],
      );
      if (merchant.rowCount === 0) throw new AppError('MERCHANT_EXISTS');
      const company = await client.query(
        `INSERT INTO merchants_companies (merchant_id, legal_name, registration_number, representative, submitted_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (registration_number) DO NOTHING`,
        [id, input.legalName, registrationNumber, input.representative, now],
      );
      if (company.rowCount === 0) throw new AppError('MERCHANT_REGISTRATION_TAKEN');
      await client.query(
        `INSERT INTO merchants_documents (id, merchant_id, kind, content_type, sha256, content, created_at)
         VALUES ($1, $2, 'business_license', $3, $4, $5, $6)`,
        [
          newId(),
          id,
          input.licence.contentType,
          createHash('sha256').update(input.licence.content).digest(),
          input.licence.content,
          now,
        ],
      );
    });
    return (await this.application(id))!;
  }

  /** The review queue (status `pending_review` by default), oldest first. */
  async list(input: { status: MerchantRow['status']; limit: number }): Promise<CompanyApplication[]> {
    const { rows } = await this.deps.pool.query<ApplicationRow>(
      `${APPLICATION_SQL} WHERE m.status = $1 ORDER BY m.created_at LIMIT $2`,
      [input.status, Math.min(Math.max(1, Math.trunc(input.limit)), 100)],
    );
    return rows.map(applicationOf);
  }

  async application(merchantId: string): Promise<CompanyApplication | null> {
    const { rows } = await this.deps.pool.query<ApplicationRow>(`${APPLICATION_SQL} WHERE m.id = $1`, [
      merchantId,
    ]);
    return rows[0] ? applicationOf(rows[0]) : null;
  }

  async document(input: {
    merchantId: string;
    documentId: string;
  }): Promise<{ contentType: string; content: Buffer }> {
    const { rows } = await this.deps.pool.query<{ content_type: string; content: Buffer }>(
      'SELECT content_type, content FROM merchants_documents WHERE id = $1 AND merchant_id = $2',
      [input.documentId, input.merchantId],
    );
    if (!rows[0]) throw new AppError('MERCHANT_NOT_FOUND');
    return { contentType: rows[0].content_type, content: rows[0].content };
  }

  /**
   * Approve (`active`) or reject (`rejected`, with a reason) a pending application, with the owner's
   * notice and `audit` (the operator's entry), in one transaction; MERCHANT_NOT_PENDING when it
   * was decided already (and nothing is written again).
   */
  async decide(input: {
    merchantId: string;
    approve: boolean;
    reason: string | null;
    by: string;
    audit: (client: pg.PoolClient) => Promise<void>;
  }): Promise<CompanyApplication> {
    const now = this.deps.now();
    await withTransaction(this.deps.pool, async (client) => {
      const { rows } = await client.query<{ owner_user_id: string; name: string }>(
        `UPDATE merchants_merchants SET status = $2
          WHERE id = $1 AND kind = 'company' AND status = 'pending_review'
          RETURNING owner_user_id, name`,
        [input.merchantId, input.approve ? 'active' : 'rejected'],
      );
      const merchant = rows[0];
      if (!merchant) {
        const exists = await client.query(
          `SELECT status FROM merchants_merchants WHERE id = $1 AND kind = 'company'`,
          [input.merchantId],
        );
        if (exists.rowCount === 0) throw new AppError('MERCHANT_NOT_FOUND');
        throw new AppError('MERCHANT_NOT_PENDING', {
          details: { status: (exists.rows[0] as { status: string }).status },
        });
      }
      await client.query(
        `UPDATE merchants_companies SET decided_at = $2, decided_by = $3, reason = $4 WHERE merchant_id = $1`,
        [input.merchantId, now, input.by, input.reason],
      );
      await appendEvents(client, [
        merchantReviewed(
          {
            merchantId: input.merchantId,
            ownerUserId: merchant.owner_user_id,
            name: merchant.name,
            approved: input.approve,
            reason: input.reason,
          },
          now,
        ),
      ]);
      await input.audit(client);
    });
    this.deps.events.wake();
    return (await this.application(input.merchantId))!;
  }
}

function applicationOf(row: ApplicationRow): CompanyApplication {
  return {
    merchant: {
      id: row.id,
      owner_user_id: row.owner_user_id,
      kind: row.kind,
      status: row.status,
      name: row.name,
      city: row.city,
      mcc: row.mcc,
      created_at: row.created_at,
    },
    legalName: row.legal_name,
    registrationNumber: row.registration_number,
    representative: row.representative,
    submittedAt: row.submitted_at,
    decidedAt: row.decided_at,
    decidedBy: row.decided_by,
    reason: row.reason,
    documents: row.documents ?? [],
  };
}
