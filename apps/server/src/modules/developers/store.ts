/**
 * The developers module's rows (migrations.ts): keys, rate windows, the request log. Every
 * statement is one round trip; a key's roll takes the key's row lock so two rolls at once make
 * one successor.
 */
import type pg from 'pg';
import { withTransaction } from '@qianbao/db';
import type { ApiScope } from '../../auth/index.ts';
import type { KeyMode } from './keys.ts';

export interface KeyRow {
  id: string;
  merchant_id: string;
  mode: KeyMode;
  name: string;
  secret_hash: Buffer;
  scopes: ApiScope[];
  ip_allow: string[];
  created_by: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  rolled_to: string | null;
  last_used_at: Date | null;
  last_used_ip: string | null;
}

export type NewKeyRow = Omit<
  KeyRow,
  'expires_at' | 'revoked_at' | 'rolled_to' | 'last_used_at' | 'last_used_ip'
>;

export interface RequestLogRow {
  id: string;
  key_id: string;
  merchant_id: string;
  method: string;
  path: string;
  status: number;
  idempotency_key: string | null;
  duration_ms: number;
  ip: string | null;
  body: unknown;
  at: Date;
  /** The merchant a partner's key acted for (ADR 0023); null: the key's own. */
  acted_for: string | null;
}

const KEY_COLUMNS = `id, merchant_id, mode, name, secret_hash, scopes, ip_allow, created_by, created_at, expires_at,
  revoked_at, rolled_to, last_used_at, last_used_ip`;
const LOG_COLUMNS =
  'id, key_id, merchant_id, method, path, status, idempotency_key, duration_ms, ip, body, at, acted_for';

export class DevelopersStore {
  constructor(private readonly pool: pg.Pool) {}

  async findKey(id: string): Promise<KeyRow | null> {
    const { rows } = await this.pool.query<KeyRow>({
      name: 'developers_find_key',
      text: `SELECT ${KEY_COLUMNS} FROM developers_api_keys WHERE id = $1`,
      values: [id],
    });
    return rows[0] ?? null;
  }

  /** An access token and its key (oauth.ts), in one read. */
  async findToken(
    id: string,
  ): Promise<{ token: { secret_hash: Buffer; scopes: ApiScope[]; expires_at: Date }; key: KeyRow } | null> {
    const { rows } = await this.pool.query<
      KeyRow & { token_hash: Buffer; token_scopes: ApiScope[]; token_expires_at: Date }
    >({
      name: 'developers_find_token',
      text: `SELECT ${KEY_COLUMNS.replace(/(\w+)/g, 'k.$1')},
                    t.secret_hash AS token_hash, t.scopes AS token_scopes, t.expires_at AS token_expires_at
               FROM developers_oauth_tokens t JOIN developers_api_keys k ON k.id = t.key_id
              WHERE t.id = $1`,
      values: [id],
    });
    const row = rows[0];
    if (!row) return null;
    const { token_hash, token_scopes, token_expires_at, ...key } = row;
    return { token: { secret_hash: token_hash, scopes: token_scopes, expires_at: token_expires_at }, key };
  }

  async insertToken(row: {
    id: string;
    key_id: string;
    secret_hash: Buffer;
    scopes: ApiScope[];
    created_at: Date;
    expires_at: Date;
  }): Promise<void> {
    await this.pool.query(
      `INSERT INTO developers_oauth_tokens (id, key_id, secret_hash, scopes, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [row.id, row.key_id, row.secret_hash, row.scopes, row.created_at, row.expires_at],
    );
  }

  async keysOf(merchantId: string): Promise<KeyRow[]> {
    const { rows } = await this.pool.query<KeyRow>(
      `SELECT ${KEY_COLUMNS} FROM developers_api_keys WHERE merchant_id = $1 ORDER BY created_at DESC, id`,
      [merchantId],
    );
    return rows;
  }

  /**
   * Insert a key unless the merchant has `max` in use already (not revoked, not expired at `now`),
   * counted under the merchant's advisory lock so keys made at once cannot pass it. Null: at the limit.
   */
  async insertKey(row: NewKeyRow, max: number, now: Date): Promise<KeyRow | null> {
    return withTransaction(this.pool, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('developers:keys:' || $1))`, [
        row.merchant_id,
      ]);
      if ((await countInUse(client, row.merchant_id, now)) >= max) return null;
      return insert(client, row);
    });
  }

  /**
   * Roll a key: under its row lock, a successor with its name, scopes and allow-list is inserted
   * and the key given `expiresAt` (the overlap). `rolled`: the key was rolled or revoked already.
   */
  async roll(input: {
    merchantId: string;
    id: string;
    successor: Omit<NewKeyRow, 'merchant_id' | 'mode' | 'name' | 'scopes' | 'ip_allow'>;
    expiresAt: Date;
    now: Date;
  }): Promise<{ key: KeyRow; successor: KeyRow } | { missing: true } | { rolled: KeyRow }> {
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<KeyRow>(
        `SELECT ${KEY_COLUMNS} FROM developers_api_keys WHERE id = $1 AND merchant_id = $2 FOR UPDATE`,
        [input.id, input.merchantId],
      );
      const key = rows[0];
      if (!key) return { missing: true as const };
      const expired = key.expires_at !== null && key.expires_at <= input.now;
      if (key.rolled_to !== null || key.revoked_at !== null || expired) return { rolled: key };
      const successor = await insert(client, {
        ...input.successor,
        merchant_id: key.merchant_id,
        mode: key.mode,
        name: key.name,
        scopes: key.scopes,
        ip_allow: key.ip_allow,
      });
      const updated = await client.query<KeyRow>(
        `UPDATE developers_api_keys SET rolled_to = $2, expires_at = $3 WHERE id = $1 RETURNING ${KEY_COLUMNS}`,
        [key.id, successor.id, input.expiresAt],
      );
      return { key: updated.rows[0]!, successor };
    });
  }

  /** Revoke at `now` (a revoked key stays revoked: the first time is kept). Null: no such key. */
  async revoke(merchantId: string, id: string, now: Date): Promise<KeyRow | null> {
    const { rows } = await this.pool.query<KeyRow>(
      `UPDATE developers_api_keys SET revoked_at = coalesce(revoked_at, $3)
        WHERE id = $1 AND merchant_id = $2 RETURNING ${KEY_COLUMNS}`,
      [id, merchantId, now],
    );
    return rows[0] ?? null;
  }

  /** A key used now: remembered at most once a minute (one write a minute, not one a request). */
  async touch(id: string, at: Date, ip: string | null): Promise<void> {
    await this.pool.query({
      name: 'developers_touch_key',
      text: `UPDATE developers_api_keys SET last_used_at = $2, last_used_ip = $3
              WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute')`,
      values: [id, at, ip],
    });
  }

  /** One more request of the key in the window that starts at `windowStart`: answers its number. */
  async countRequest(keyId: string, windowStart: Date): Promise<number> {
    const { rows } = await this.pool.query<{ count: number }>({
      name: 'developers_count_request',
      text: `INSERT INTO developers_rate_windows AS w (key_id, window_start, count) VALUES ($1, $2, 1)
             ON CONFLICT (key_id, window_start) DO UPDATE SET count = w.count + 1
             RETURNING count`,
      values: [keyId, windowStart],
    });
    return rows[0]!.count;
  }

  async insertLog(row: RequestLogRow): Promise<void> {
    await this.pool.query({
      name: 'developers_insert_log',
      text: `INSERT INTO developers_request_log (${LOG_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      values: [
        row.id,
        row.key_id,
        row.merchant_id,
        row.method,
        row.path,
        row.status,
        row.idempotency_key,
        row.duration_ms,
        row.ip,
        row.body === undefined ? null : JSON.stringify(row.body),
        row.at,
        row.acted_for,
      ],
    });
  }

  /** A key's requests, newest first, after the cursor (`at`, `id` of the last one seen). */
  async logOf(input: {
    keyId: string;
    limit: number;
    before: { at: Date; id: string } | null;
  }): Promise<RequestLogRow[]> {
    const { rows } = await this.pool.query<RequestLogRow>(
      `SELECT ${LOG_COLUMNS} FROM developers_request_log
        WHERE key_id = $1 AND ($2::timestamptz IS NULL OR (at, id) < ($2, $3::uuid))
        ORDER BY at DESC, id DESC LIMIT $4`,
      [input.keyId, input.before?.at ?? null, input.before?.id ?? null, input.limit],
    );
    return rows;
  }

  /** Forget what is older than `before`: log lines and finished rate windows. Answers how many. */
  async prune(before: Date, windowsBefore: Date, tokensBefore: Date): Promise<number> {
    const log = await this.pool.query('DELETE FROM developers_request_log WHERE at < $1', [before]);
    const tokens = await this.pool.query('DELETE FROM developers_oauth_tokens WHERE expires_at < $1', [
      tokensBefore,
    ]);
    const windows = await this.pool.query('DELETE FROM developers_rate_windows WHERE window_start < $1', [
      windowsBefore,
    ]);
    return (log.rowCount ?? 0) + (windows.rowCount ?? 0) + (tokens.rowCount ?? 0);
  }
}

async function countInUse(client: pg.PoolClient, merchantId: string, now: Date): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM developers_api_keys
      WHERE merchant_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)`,
    [merchantId, now],
  );
  return rows[0]!.n;
}

async function insert(client: pg.PoolClient, row: NewKeyRow): Promise<KeyRow> {
  const { rows } = await client.query<KeyRow>(
    `INSERT INTO developers_api_keys (id, merchant_id, mode, name, secret_hash, scopes, ip_allow, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${KEY_COLUMNS}`,
    [
      row.id,
      row.merchant_id,
      row.mode,
      row.name,
      row.secret_hash,
      row.scopes,
      row.ip_allow,
      row.created_by,
      row.created_at,
    ],
  );
  return rows[0]!;
}
