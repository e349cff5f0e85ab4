import type pg from 'pg';

export interface CardRow {
  id: string;
  user_id: string;
  card_token: string;
  bin: string;
  last4: string;
  bank_code: string;
  card_type: 'debit' | 'credit';
  scheme: string;
  is_default: boolean;
  status: 'active' | 'removed';
  bound_at: Date;
  removed_at: Date | null;
}

export interface VerificationRow {
  id: string;
  user_id: string;
  card_token: string;
  bin: string;
  last4: string;
  bank_code: string;
  card_type: 'debit' | 'credit';
  scheme: string;
  bank_verification_id: string;
  status: 'sent' | 'bound';
  created_at: Date;
  expires_at: Date;
}

const UNIQUE_VIOLATION = '23505';

/** SQL of the cards module; only this module touches the `cards_*` tables. */
export class CardsStore {
  constructor(private readonly pool: pg.Pool) {}

  async countVerificationsSince(userId: string, since: Date): Promise<number> {
    const { rows } = await this.pool.query<{ count: string }>(
      'SELECT count(*)::text AS count FROM cards_verifications WHERE user_id = $1 AND created_at >= $2',
      [userId, since],
    );
    return Number(rows[0]!.count);
  }

  async insertVerification(row: VerificationRow): Promise<void> {
    await this.pool.query(
      `INSERT INTO cards_verifications (id, user_id, card_token, bin, last4, bank_code, card_type, scheme,
         bank_verification_id, status, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        row.id,
        row.user_id,
        row.card_token,
        row.bin,
        row.last4,
        row.bank_code,
        row.card_type,
        row.scheme,
        row.bank_verification_id,
        row.status,
        row.created_at,
        row.expires_at,
      ],
    );
  }

  async findVerification(userId: string, id: string): Promise<VerificationRow | null> {
    const { rows } = await this.pool.query<VerificationRow>(
      'SELECT * FROM cards_verifications WHERE id = $1 AND user_id = $2',
      [id, userId],
    );
    return rows[0] ?? null;
  }

  async findActiveByToken(userId: string, cardToken: string): Promise<CardRow | null> {
    const { rows } = await this.pool.query<CardRow>(
      `SELECT * FROM cards_cards WHERE user_id = $1 AND card_token = $2 AND status = 'active'`,
      [userId, cardToken],
    );
    return rows[0] ?? null;
  }

  async countActive(userId: string): Promise<number> {
    const { rows } = await this.pool.query<{ count: string }>(
      `SELECT count(*)::text AS count FROM cards_cards WHERE user_id = $1 AND status = 'active'`,
      [userId],
    );
    return Number(rows[0]!.count);
  }

  /**
   * Use the verification (once) and bind its card, in one transaction; the first card becomes the
   * default. 'used' when the verification was used meanwhile, 'bound' when the card already is.
   */
  async bind(input: {
    verificationId: string;
    cardId: string;
    at: Date;
  }): Promise<CardRow | 'used' | 'bound'> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      const { rows } = await client.query<VerificationRow>(
        `UPDATE cards_verifications SET status = 'bound' WHERE id = $1 AND status = 'sent' RETURNING *`,
        [input.verificationId],
      );
      const verification = rows[0];
      if (!verification) {
        await client.query('ROLLBACK');
        return 'used';
      }
      // Serialise binds of one holder so that "first card is the default" holds under concurrency.
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `cards:${verification.user_id}`,
      ]);
      const { rows: defaults } = await client.query(
        `SELECT 1 FROM cards_cards WHERE user_id = $1 AND status = 'active' AND is_default`,
        [verification.user_id],
      );
      const inserted = await client.query<CardRow>(
        `INSERT INTO cards_cards (id, user_id, card_token, bin, last4, bank_code, card_type, scheme, is_default,
           status, bound_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10) RETURNING *`,
        [
          input.cardId,
          verification.user_id,
          verification.card_token,
          verification.bin,
          verification.last4,
          verification.bank_code,
          verification.card_type,
          verification.scheme,
          defaults.length === 0,
          input.at,
        ],
      );
      await client.query('COMMIT');
      return inserted.rows[0]!;
    } catch (error) {
      await client.query('ROLLBACK');
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) return 'bound';
      throw error;
    } finally {
      client.release();
    }
  }

  async listActive(userId: string): Promise<CardRow[]> {
    const { rows } = await this.pool.query<CardRow>(
      `SELECT * FROM cards_cards WHERE user_id = $1 AND status = 'active' ORDER BY is_default DESC, bound_at DESC
       LIMIT 50`,
      [userId],
    );
    return rows;
  }

  async findActive(userId: string, cardId: string): Promise<CardRow | null> {
    const { rows } = await this.pool.query<CardRow>(
      `SELECT * FROM cards_cards WHERE id = $1 AND user_id = $2 AND status = 'active'`,
      [cardId, userId],
    );
    return rows[0] ?? null;
  }

  /** Any card of the holder, removed ones too (operations keep pointing at them). */
  async findAny(cardId: string): Promise<CardRow | null> {
    const { rows } = await this.pool.query<CardRow>('SELECT * FROM cards_cards WHERE id = $1', [cardId]);
    return rows[0] ?? null;
  }

  async setDefault(userId: string, cardId: string): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`cards:${userId}`]);
      const { rowCount } = await client.query(
        `SELECT 1 FROM cards_cards WHERE id = $1 AND user_id = $2 AND status = 'active'`,
        [cardId, userId],
      );
      if (rowCount !== 1) {
        await client.query('ROLLBACK');
        return false;
      }
      await client.query(
        `UPDATE cards_cards SET is_default = false WHERE user_id = $1 AND status = 'active' AND is_default`,
        [userId],
      );
      await client.query('UPDATE cards_cards SET is_default = true WHERE id = $1', [cardId]);
      await client.query('COMMIT');
      return true;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  /** Unbind; the newest remaining card becomes the default if this one was. */
  async remove(userId: string, cardId: string, at: Date): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`cards:${userId}`]);
      const { rows } = await client.query<CardRow>(
        `SELECT * FROM cards_cards WHERE id = $1 AND user_id = $2 AND status = 'active' FOR UPDATE`,
        [cardId, userId],
      );
      const removed = rows[0];
      if (!removed) {
        await client.query('ROLLBACK');
        return false;
      }
      await client.query(
        `UPDATE cards_cards SET status = 'removed', is_default = false, removed_at = $2 WHERE id = $1`,
        [cardId, at],
      );
      if (removed.is_default) {
        await client.query(
          `UPDATE cards_cards SET is_default = true WHERE id = (
             SELECT id FROM cards_cards WHERE user_id = $1 AND status = 'active' ORDER BY bound_at DESC LIMIT 1)`,
          [userId],
        );
      }
      await client.query('COMMIT');
      return true;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }
}
