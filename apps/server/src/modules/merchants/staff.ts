/**
 * A merchant's staff, and who acts for a merchant (ADR 0018).
 *
 * Staff are wallet holders, as a shop's staff are WeChat or Alipay users in theirs: the owner adds
 * a cashier by the cashier's phone number, the cashier signs in with their own wallet account (its
 * password, SMS, passkeys, lock-outs and sign-in risk checks) and acts for the merchant. The owner
 * is the holder who opened the merchant (`owner_user_id`), not a staff row.
 *
 * Every staff request is authenticated twice over: the holder's session (identity), then the
 * membership, read on every request — a removed cashier is refused at the next request, on every
 * server process, and a signed-out holder is no staff member anywhere. What a role may do is the
 * permission table's (auth/permissions.ts); which merchant it acts on is the principal's.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { Authenticator, MerchantStaffRole } from '../../auth/index.ts';
import { AppError } from '../../errors.ts';

/** The header that names the merchant a staff member acts for. */
export const MERCHANT_HEADER = 'qianbao-merchant';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface Membership {
  merchantId: string;
  role: MerchantStaffRole;
}

export interface MerchantOfHolder extends Membership {
  name: string;
  kind: 'individual' | 'company';
  status: 'active' | 'pending_review' | 'rejected' | 'suspended';
}

export interface StaffMember {
  /** The staff row's id; `owner` for the owner. */
  id: string;
  userId: string;
  role: MerchantStaffRole;
  addedAt: Date;
}

interface StaffDeps {
  pool: pg.Pool;
  identity: { findUserByPhone(phone: string): Promise<{ id: string } | null> };
  now: () => Date;
}

export class MerchantStaff {
  constructor(private readonly deps: StaffDeps) {}

  /**
   * The merchant `userId` acts for: the one named (if it owns it or is on its staff), else the
   * one it owns, else the only one it works at. Null: none (or not that one).
   */
  async membership(userId: string, merchantId: string | null): Promise<Membership | null> {
    if (merchantId !== null && !UUID.test(merchantId)) return null;
    const { rows } = await this.deps.pool.query<{ merchant_id: string; role: MerchantStaffRole }>(
      `SELECT id AS merchant_id, 'owner' AS role FROM merchants_merchants
        WHERE owner_user_id = $1 AND ($2::uuid IS NULL OR id = $2)
       UNION ALL
       SELECT merchant_id, role FROM merchants_staff
        WHERE user_id = $1 AND removed_at IS NULL AND ($2::uuid IS NULL OR merchant_id = $2)
       ORDER BY 2 DESC
       LIMIT 2`,
      [userId, merchantId],
    );
    const [first, second] = rows;
    if (!first) return null;
    // Without a choice, an owner acts for its own merchant; a cashier of two must say which.
    if (merchantId === null && first.role !== 'owner' && second)
      throw new AppError('MERCHANT_SELECTOR_REQUIRED');
    return { merchantId: first.merchant_id, role: first.role };
  }

  /** The merchants a holder owns or works at, the owned one first. */
  async merchantsOf(userId: string): Promise<MerchantOfHolder[]> {
    const { rows } = await this.deps.pool.query<{
      id: string;
      name: string;
      kind: MerchantOfHolder['kind'];
      status: MerchantOfHolder['status'];
      role: MerchantStaffRole;
    }>(
      `SELECT m.id, m.name, m.kind, m.status, r.role
         FROM (SELECT id AS merchant_id, 'owner' AS role, created_at FROM merchants_merchants WHERE owner_user_id = $1
               UNION ALL
               SELECT merchant_id, role, created_at FROM merchants_staff WHERE user_id = $1 AND removed_at IS NULL) r
         JOIN merchants_merchants m ON m.id = r.merchant_id
        ORDER BY r.role DESC, r.created_at`,
      [userId],
    );
    return rows.map((row) => ({
      merchantId: row.id,
      name: row.name,
      kind: row.kind,
      status: row.status,
      role: row.role,
    }));
  }

  /** The owner, then the present staff, oldest first. */
  async list(merchantId: string): Promise<StaffMember[]> {
    const { rows } = await this.deps.pool.query<{
      id: string;
      user_id: string;
      role: MerchantStaffRole;
      created_at: Date;
    }>(
      `SELECT 'owner' AS id, owner_user_id AS user_id, 'owner' AS role, created_at, 0 AS rank
         FROM merchants_merchants WHERE id = $1
       UNION ALL
       SELECT id::text, user_id, role, created_at, 1 FROM merchants_staff
        WHERE merchant_id = $1 AND removed_at IS NULL
       ORDER BY rank, created_at, id`,
      [merchantId],
    );
    return rows.map((row) => ({ id: row.id, userId: row.user_id, role: row.role, addedAt: row.created_at }));
  }

  /**
   * Add the holder with this phone number as a cashier. Adding the same holder again (30 taps at
   * once included) answers STAFF_EXISTS to all but one: the unique index decides.
   */
  async add(input: {
    merchantId: string;
    byUserId: string;
    phone: string;
    role: Exclude<MerchantStaffRole, 'owner'>;
  }): Promise<StaffMember> {
    const user = await this.deps.identity.findUserByPhone(input.phone);
    if (!user) throw new AppError('STAFF_HOLDER_NOT_FOUND');
    const owner = await this.deps.pool.query<{ owner_user_id: string }>(
      'SELECT owner_user_id FROM merchants_merchants WHERE id = $1',
      [input.merchantId],
    );
    if (owner.rows[0]?.owner_user_id === user.id) throw new AppError('STAFF_IS_OWNER');
    const now = this.deps.now();
    const { rows } = await this.deps.pool.query<{ id: string }>(
      `INSERT INTO merchants_staff (id, merchant_id, user_id, role, added_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (merchant_id, user_id) WHERE removed_at IS NULL DO NOTHING
       RETURNING id`,
      [randomUUID(), input.merchantId, user.id, input.role, input.byUserId, now],
    );
    const id = rows[0]?.id;
    if (!id) throw new AppError('STAFF_EXISTS');
    return { id, userId: user.id, role: input.role, addedAt: now };
  }

  /** Remove a staff member: refused from its next request on. */
  async remove(input: { merchantId: string; staffId: string; byUserId: string }): Promise<void> {
    if (!UUID.test(input.staffId)) throw new AppError('STAFF_NOT_FOUND');
    const { rowCount } = await this.deps.pool.query(
      `UPDATE merchants_staff SET removed_at = $3, removed_by = $4
        WHERE id = $1 AND merchant_id = $2 AND removed_at IS NULL`,
      [input.staffId, input.merchantId, this.deps.now(), input.byUserId],
    );
    if (rowCount === 0) throw new AppError('STAFF_NOT_FOUND');
  }
}

/** The merchant a request names: the header, or `merchant` in the query (downloads, streams). */
export function merchantSelectorOf(request: FastifyRequest): string | null {
  const header = request.headers[MERCHANT_HEADER];
  if (typeof header === 'string' && header !== '') return header;
  const query = request.query as Record<string, unknown> | undefined;
  const fromQuery = query?.merchant;
  return typeof fromQuery === 'string' && fromQuery !== '' ? fromQuery : null;
}

/**
 * Merchant staff sign in as holders: the holder's session, then its membership of the merchant
 * the request names. Not a member: 404 MERCHANT_NOT_FOUND (whether the merchant exists is not
 * told to strangers).
 */
export function merchantStaffAuthenticator(
  holder: Authenticator<'holder'>,
  staff: Pick<MerchantStaff, 'membership'>,
): Authenticator<'merchantStaff'> {
  return async (request) => {
    const signedIn = await holder(request);
    const membership = await staff.membership(signedIn.userId, merchantSelectorOf(request));
    if (!membership) throw new AppError('MERCHANT_NOT_FOUND');
    return {
      kind: 'merchantStaff',
      merchantId: membership.merchantId,
      role: membership.role,
      userId: signedIn.userId,
      sessionId: signedIn.sessionId,
      deviceId: signedIn.deviceId,
    };
  };
}
