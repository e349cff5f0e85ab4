import { Coalescer, byKey, withTransaction } from '@qianbao/db';
import type pg from 'pg';
import type { Tier, TierLimits } from './tiers.ts';

export interface ProfileRow {
  user_id: string;
  tier: Tier;
  legal_name_sealed: string | null;
  id_number_sealed: string | null;
  /** `YYYY-MM-DD` (read as text: a date has no time zone to shift). */
  birth_date: string | null;
  real_name_verified_at: Date | null;
  same_name_card_at: Date | null;
  in_person_verified_at: Date | null;
}

export interface ReviewRow {
  id: string;
  user_id: string;
  status: 'pending' | 'approved' | 'rejected';
  submitted_at: Date;
  decided_at: Date | null;
  decided_by: string | null;
  reason: string | null;
}

export interface DocumentRow {
  id: string;
  kind: 'id_front' | 'id_back' | 'selfie';
  content_type: string;
  size_bytes: number;
  content: Buffer;
}

interface TierLimitsRow {
  tier: Tier;
  balance_cap_minor: bigint | null;
  single_payment_minor: bigint | null;
  daily_minor: bigint | null;
  yearly_minor: bigint | null;
  may_withdraw: boolean;
  may_send_abroad: boolean;
}

const PROFILE_COLUMNS = `user_id, tier, legal_name_sealed, id_number_sealed, birth_date::text AS birth_date,
  real_name_verified_at, same_name_card_at, in_person_verified_at`;

/** The only code that touches the `kyc_*` tables. */
export class KycStore {
  constructor(private readonly pool: pg.Pool) {}

  /** Concurrent reads share one statement (packages/db Coalescer): every payment reads two. */
  private readonly profiles = new Coalescer<string, ProfileRow | null>(async (userIds) => {
    const { rows } = await this.pool.query<ProfileRow>(
      `SELECT ${PROFILE_COLUMNS} FROM kyc_profiles WHERE user_id = ANY($1::uuid[])`,
      [userIds],
    );
    return byKey(userIds, rows, (row) => row.user_id);
  });

  private readonly limitsTable = new Coalescer<null, TierLimits[]>(async (calls) => {
    const { rows } = await this.pool.query<TierLimitsRow>(
      `SELECT tier, balance_cap_minor, single_payment_minor, daily_minor, yearly_minor, may_withdraw, may_send_abroad
         FROM kyc_tier_limits ORDER BY tier`,
    );
    const limits = rows.map((row) => ({
      tier: row.tier,
      balanceCapMinor: row.balance_cap_minor,
      singlePaymentMinor: row.single_payment_minor,
      dailyMinor: row.daily_minor,
      yearlyMinor: row.yearly_minor,
      mayWithdraw: row.may_withdraw,
      maySendAbroad: row.may_send_abroad,
    }));
    return calls.map(() => limits.map((row) => ({ ...row })));
  });

  getProfile(userId: string): Promise<ProfileRow | null> {
    return this.profiles.call(userId);
  }

  async profileByIdIndex(index: Buffer): Promise<ProfileRow | null> {
    const { rows } = await this.pool.query<ProfileRow>(
      `SELECT ${PROFILE_COLUMNS} FROM kyc_profiles WHERE id_number_index = $1`,
      [index],
    );
    return rows[0] ?? null;
  }

  /** False when another wallet took this ID number first (the unique index decides). */
  async saveRealName(input: {
    userId: string;
    tier: Tier;
    legalNameSealed: string;
    idNumberSealed: string;
    idNumberIndex: Buffer;
    birthDate: string;
    at: Date;
  }): Promise<boolean> {
    try {
      await this.pool.query(
        `INSERT INTO kyc_profiles (user_id, tier, legal_name_sealed, id_number_sealed, id_number_index, birth_date,
                                   real_name_verified_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
         ON CONFLICT (user_id) DO UPDATE SET
           tier = EXCLUDED.tier, legal_name_sealed = EXCLUDED.legal_name_sealed,
           id_number_sealed = EXCLUDED.id_number_sealed, id_number_index = EXCLUDED.id_number_index,
           birth_date = EXCLUDED.birth_date, real_name_verified_at = EXCLUDED.real_name_verified_at,
           updated_at = EXCLUDED.updated_at`,
        [
          input.userId,
          input.tier,
          input.legalNameSealed,
          input.idNumberSealed,
          input.idNumberIndex,
          input.birthDate,
          input.at,
        ],
      );
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === '23505') return false;
      throw error;
    }
  }

  async raiseTier(
    input: {
      userId: string;
      tier: Tier;
      sameNameCardAt?: Date;
      inPersonVerifiedAt?: Date;
    },
    db: pg.ClientBase | pg.Pool = this.pool,
  ): Promise<void> {
    await db.query(
      `UPDATE kyc_profiles
          SET tier = $2,
              same_name_card_at = coalesce(same_name_card_at, $3),
              in_person_verified_at = coalesce(in_person_verified_at, $4),
              updated_at = now()
        WHERE user_id = $1`,
      [input.userId, input.tier, input.sameNameCardAt ?? null, input.inPersonVerifiedAt ?? null],
    );
  }

  async countAttempts(userId: string, since: Date): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM kyc_verification_attempts WHERE user_id = $1 AND created_at > $2',
      [userId, since],
    );
    return rows[0]!.n;
  }

  async recordAttempt(input: {
    id: string;
    userId: string;
    factors: number;
    answer: string;
    reference: string;
    at: Date;
  }): Promise<void> {
    await this.pool.query(
      `INSERT INTO kyc_verification_attempts (id, user_id, factors, answer, reference, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [input.id, input.userId, input.factors, input.answer, input.reference, input.at],
    );
  }

  tierLimits(): Promise<TierLimits[]> {
    return this.limitsTable.call(null);
  }

  /** False when the holder already has a pending review. */
  async createReview(input: {
    id: string;
    userId: string;
    at: Date;
    documents: { id: string; kind: string; contentType: string; content: Buffer; sha256: Buffer }[];
  }): Promise<boolean> {
    return withTransaction(this.pool, async (client) => {
      const inserted = await client.query(
        `INSERT INTO kyc_reviews (id, user_id, status, submitted_at) VALUES ($1, $2, 'pending', $3)
         ON CONFLICT (user_id) WHERE status = 'pending' DO NOTHING`,
        [input.id, input.userId, input.at],
      );
      if (inserted.rowCount !== 1) return false;
      for (const document of input.documents) {
        await client.query(
          `INSERT INTO kyc_documents (id, review_id, kind, content_type, size_bytes, sha256, content, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            document.id,
            input.id,
            document.kind,
            document.contentType,
            document.content.length,
            document.sha256,
            document.content,
            input.at,
          ],
        );
      }
      return true;
    });
  }

  async latestReview(userId: string): Promise<ReviewRow | null> {
    const { rows } = await this.pool.query<ReviewRow>(
      `SELECT id, user_id, status, submitted_at, decided_at, decided_by, reason FROM kyc_reviews
        WHERE user_id = $1 ORDER BY submitted_at DESC LIMIT 1`,
      [userId],
    );
    return rows[0] ?? null;
  }

  async listReviews(status: ReviewRow['status'], limit: number): Promise<ReviewRow[]> {
    const { rows } = await this.pool.query<ReviewRow>(
      `SELECT id, user_id, status, submitted_at, decided_at, decided_by, reason FROM kyc_reviews
        WHERE status = $1 ORDER BY submitted_at LIMIT $2`,
      [status, limit],
    );
    return rows;
  }

  async getReview(reviewId: string): Promise<ReviewRow | null> {
    const { rows } = await this.pool.query<ReviewRow>(
      `SELECT id, user_id, status, submitted_at, decided_at, decided_by, reason FROM kyc_reviews WHERE id = $1`,
      [reviewId],
    );
    return rows[0] ?? null;
  }

  async listDocuments(reviewId: string): Promise<Omit<DocumentRow, 'content'>[]> {
    const { rows } = await this.pool.query<Omit<DocumentRow, 'content'>>(
      'SELECT id, kind, content_type, size_bytes FROM kyc_documents WHERE review_id = $1 ORDER BY kind',
      [reviewId],
    );
    return rows;
  }

  async getDocument(reviewId: string, documentId: string): Promise<DocumentRow | null> {
    const { rows } = await this.pool.query<DocumentRow>(
      'SELECT id, kind, content_type, size_bytes, content FROM kyc_documents WHERE review_id = $1 AND id = $2',
      [reviewId, documentId],
    );
    return rows[0] ?? null;
  }

  /**
   * Decides a pending review exactly once (two operators clicking at once: one wins), and in the
   * same transaction does `alongside` (the tier raised, the operator's audit entry): a decision
   * is never on record without them, and a repeated one (`decided`) does neither again.
   */
  async decideReview(input: {
    reviewId: string;
    status: 'approved' | 'rejected';
    operatorId: string;
    reason: string | null;
    at: Date;
    alongside: (client: pg.PoolClient, review: ReviewRow) => Promise<void>;
  }): Promise<ReviewRow | 'missing' | 'decided'> {
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<ReviewRow>(
        `UPDATE kyc_reviews SET status = $2, decided_by = $3, reason = $4, decided_at = $5
          WHERE id = $1 AND status = 'pending'
          RETURNING id, user_id, status, submitted_at, decided_at, decided_by, reason`,
        [input.reviewId, input.status, input.operatorId, input.reason, input.at],
      );
      const review = rows[0];
      if (review) {
        await input.alongside(client, review);
        return review;
      }
      const exists = await client.query('SELECT 1 FROM kyc_reviews WHERE id = $1', [input.reviewId]);
      return exists.rowCount === 1 ? 'decided' : 'missing';
    });
  }

  /** The holder's tier, its row locked until `client`'s transaction ends (a tier raised inside it). */
  async lockedTier(client: pg.PoolClient, userId: string): Promise<Tier | null> {
    const { rows } = await client.query<{ tier: Tier }>(
      'SELECT tier FROM kyc_profiles WHERE user_id = $1 FOR UPDATE',
      [userId],
    );
    return rows[0]?.tier ?? null;
  }

  // ---- the operator console (modules/console): reads only ------------------------------------

  /** Verified profiles changed after (at, userId), in that order: the console's search index follows them. */
  async realNamesChangedAfter(
    after: { at: Date; userId: string } | null,
    limit: number,
  ): Promise<(ProfileRow & { updated_at: Date })[]> {
    const { rows } = await this.pool.query<ProfileRow & { updated_at: Date }>(
      `SELECT ${PROFILE_COLUMNS}, updated_at FROM kyc_profiles
        WHERE id_number_sealed IS NOT NULL
          AND ($1::timestamptz IS NULL OR (updated_at, user_id) > ($1::timestamptz, $2::uuid))
        ORDER BY updated_at, user_id LIMIT $3`,
      [after?.at ?? null, after?.userId ?? null, limit],
    );
    return rows;
  }

  async countPendingReviews(): Promise<number> {
    const { rows } = await this.pool.query<{ count: string }>(
      "SELECT count(*)::text AS count FROM kyc_reviews WHERE status = 'pending'",
    );
    return Number(rows[0]!.count);
  }
}
