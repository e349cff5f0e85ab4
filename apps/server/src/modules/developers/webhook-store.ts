/**
 * Webhook endpoints, deliveries and attempts (migration 1601). A delivery is written once per
 * (event, endpoint) — its id derived from both, ON CONFLICT DO NOTHING — and attempted under a
 * lease, so a retried event, a sweep and a re-send never post it twice at the same moment.
 */
import type pg from 'pg';
import { withTransaction } from '@qianbao/db';

export interface EndpointRow {
  id: string;
  merchant_id: string;
  url: string;
  description: string;
  events: string[];
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_expires_at: Date | null;
  status: 'enabled' | 'disabled';
  disabled_reason: string | null;
  failing_since: Date | null;
  created_at: Date;
  /** Also the events of the merchants that granted this endpoint's merchant access (ADR 0023). */
  connected: boolean;
}

export interface DeliveryRow {
  id: string;
  endpoint_id: string;
  merchant_id: string;
  event_id: string;
  event_type: string;
  body: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  next_attempt_at: Date | null;
  leased_until: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  last_attempt_at: Date | null;
  created_at: Date;
  succeeded_at: Date | null;
}

export interface AttemptRow {
  delivery_id: string;
  n: number;
  at: Date;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  trigger: 'auto' | 'resend';
}

const ENDPOINT_COLUMNS = `id, merchant_id, url, description, events, secret_sealed, previous_secret_sealed,
  previous_expires_at, status, disabled_reason, failing_since, created_at, connected`;
const DELIVERY_COLUMNS = `id, endpoint_id, merchant_id, event_id, event_type, body, status, attempts, next_attempt_at,
  leased_until, last_status_code, last_error, last_attempt_at, created_at, succeeded_at`;

export class WebhookStore {
  constructor(private readonly pool: pg.Pool) {}

  async insertEndpoint(row: EndpointRow, max: number): Promise<EndpointRow | null> {
    return withTransaction(this.pool, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('developers:endpoints:' || $1))`, [
        row.merchant_id,
      ]);
      const { rows: count } = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM developers_webhook_endpoints WHERE merchant_id = $1',
        [row.merchant_id],
      );
      if (count[0]!.n >= max) return null;
      const { rows } = await client.query<EndpointRow>(
        `INSERT INTO developers_webhook_endpoints (${ENDPOINT_COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING ${ENDPOINT_COLUMNS}`,
        [
          row.id,
          row.merchant_id,
          row.url,
          row.description,
          row.events,
          row.secret_sealed,
          row.previous_secret_sealed,
          row.previous_expires_at,
          row.status,
          row.disabled_reason,
          row.failing_since,
          row.created_at,
          row.connected,
        ],
      );
      return rows[0]!;
    });
  }

  async endpoint(id: string): Promise<EndpointRow | null> {
    const { rows } = await this.pool.query<EndpointRow>(
      `SELECT ${ENDPOINT_COLUMNS} FROM developers_webhook_endpoints WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async endpointsOf(merchantId: string): Promise<EndpointRow[]> {
    const { rows } = await this.pool.query<EndpointRow>(
      `SELECT ${ENDPOINT_COLUMNS} FROM developers_webhook_endpoints WHERE merchant_id = $1 ORDER BY created_at, id`,
      [merchantId],
    );
    return rows;
  }

  /** The enabled endpoints of a merchant that want `type`. */
  async subscribed(merchantId: string, type: string): Promise<EndpointRow[]> {
    const { rows } = await this.pool.query<EndpointRow>(
      `SELECT ${ENDPOINT_COLUMNS} FROM developers_webhook_endpoints
        WHERE merchant_id = $1 AND status = 'enabled' AND $2 = ANY (events)`,
      [merchantId, type],
    );
    return rows;
  }

  /**
   * The enabled, connected endpoints that want `type` of the partners `merchantId` granted access
   * — while the grant is active — each with the granting merchant's live id. `merchantId` may be a
   * test twin: its events go to the partners' test endpoints (their twins').
   */
  async connected(merchantId: string, type: string): Promise<(EndpointRow & { granted_by: string })[]> {
    const { rows } = await this.pool.query<EndpointRow & { granted_by: string }>(
      `SELECT ${ENDPOINT_COLUMNS.replace(/(\w+)/g, 'e.$1')}, g.merchant_id AS granted_by
         FROM developers_partner_grants g
         JOIN developers_webhook_endpoints e
           ON e.merchant_id = CASE WHEN g.merchant_id = $1 THEN g.partner_merchant_id ELSE g.partner_test_id END
        WHERE (g.merchant_id = $1 OR g.merchant_test_id = $1) AND g.revoked_at IS NULL
          AND e.connected AND e.status = 'enabled' AND $2 = ANY (e.events)`,
      [merchantId, type],
    );
    return rows;
  }

  async updateEndpoint(
    merchantId: string,
    id: string,
    change: Partial<
      Pick<EndpointRow, 'url' | 'description' | 'events' | 'status' | 'disabled_reason' | 'connected'>
    > & {
      clearFailing?: boolean;
    },
  ): Promise<EndpointRow | null> {
    const { rows } = await this.pool.query<EndpointRow>(
      `UPDATE developers_webhook_endpoints
          SET url = coalesce($3, url), description = coalesce($4, description), events = coalesce($5, events),
              status = coalesce($6, status),
              disabled_reason = CASE WHEN $6::text IS NULL THEN disabled_reason ELSE $7 END,
              failing_since = CASE WHEN $8 THEN NULL ELSE failing_since END,
              connected = coalesce($9, connected)
        WHERE id = $1 AND merchant_id = $2 RETURNING ${ENDPOINT_COLUMNS}`,
      [
        id,
        merchantId,
        change.url ?? null,
        change.description ?? null,
        change.events ?? null,
        change.status ?? null,
        change.disabled_reason ?? null,
        change.clearFailing === true,
        change.connected ?? null,
      ],
    );
    return rows[0] ?? null;
  }

  async rotateSecret(input: {
    merchantId: string;
    id: string;
    sealed: string;
    previousExpiresAt: Date;
  }): Promise<EndpointRow | null> {
    const { rows } = await this.pool.query<EndpointRow>(
      `UPDATE developers_webhook_endpoints
          SET previous_secret_sealed = secret_sealed, previous_expires_at = $4, secret_sealed = $3
        WHERE id = $1 AND merchant_id = $2 RETURNING ${ENDPOINT_COLUMNS}`,
      [input.id, input.merchantId, input.sealed, input.previousExpiresAt],
    );
    return rows[0] ?? null;
  }

  async deleteEndpoint(merchantId: string, id: string): Promise<boolean> {
    const result = await this.pool.query(
      'DELETE FROM developers_webhook_endpoints WHERE id = $1 AND merchant_id = $2',
      [id, merchantId],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** Deliveries of an event (one per endpoint), written once: a retried event finds them. */
  async insertDeliveries(
    rows: readonly Omit<
      DeliveryRow,
      'attempts' | 'leased_until' | 'last_status_code' | 'last_error' | 'last_attempt_at' | 'succeeded_at'
    >[],
  ): Promise<void> {
    if (rows.length === 0) return;
    await this.pool.query(
      `INSERT INTO developers_webhook_deliveries (id, endpoint_id, merchant_id, event_id, event_type, body, status,
         next_attempt_at, created_at)
       SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[],
                            $8::timestamptz[], $9::timestamptz[])
       ON CONFLICT (id) DO NOTHING`,
      [
        rows.map((r) => r.id),
        rows.map((r) => r.endpoint_id),
        rows.map((r) => r.merchant_id),
        rows.map((r) => r.event_id),
        rows.map((r) => r.event_type),
        rows.map((r) => r.body),
        rows.map((r) => r.status),
        rows.map((r) => r.next_attempt_at),
        rows.map((r) => r.created_at),
      ],
    );
  }

  async delivery(id: string): Promise<DeliveryRow | null> {
    const { rows } = await this.pool.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM developers_webhook_deliveries WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /**
   * Lease a delivery for one attempt: only one sender at a time, and — unless `resend` — only a
   * pending one that is due. Null: not due, finished, or someone else is sending it.
   */
  async lease(id: string, now: Date, leaseSeconds: number, resend: boolean): Promise<DeliveryRow | null> {
    const { rows } = await this.pool.query<DeliveryRow>(
      `UPDATE developers_webhook_deliveries
          SET leased_until = $2::timestamptz + make_interval(secs => $3)
        WHERE id = $1 AND (leased_until IS NULL OR leased_until < $2)
          AND ($4 OR (status = 'pending' AND next_attempt_at <= $2))
        RETURNING ${DELIVERY_COLUMNS}`,
      [id, now, leaseSeconds, resend],
    );
    return rows[0] ?? null;
  }

  /** An attempt's outcome: the attempt row, the delivery's state, the lease ended. */
  async recordAttempt(input: {
    delivery: DeliveryRow;
    attempt: AttemptRow;
    status: DeliveryRow['status'];
    nextAttemptAt: Date | null;
  }): Promise<DeliveryRow> {
    return withTransaction(this.pool, async (client) => {
      await client.query(
        `INSERT INTO developers_webhook_attempts (delivery_id, n, at, status_code, duration_ms, error, trigger)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          input.attempt.delivery_id,
          input.attempt.n,
          input.attempt.at,
          input.attempt.status_code,
          input.attempt.duration_ms,
          input.attempt.error,
          input.attempt.trigger,
        ],
      );
      const { rows } = await client.query<DeliveryRow>(
        `UPDATE developers_webhook_deliveries
            SET attempts = $2, status = $3, next_attempt_at = $4, leased_until = NULL, last_status_code = $5,
                last_error = $6, last_attempt_at = $7,
                succeeded_at = CASE WHEN $3 = 'succeeded' THEN coalesce(succeeded_at, $7) ELSE succeeded_at END
          WHERE id = $1 RETURNING ${DELIVERY_COLUMNS}`,
        [
          input.delivery.id,
          input.attempt.n,
          input.status,
          input.nextAttemptAt,
          input.attempt.status_code,
          input.attempt.error,
          input.attempt.at,
        ],
      );
      return rows[0]!;
    });
  }

  /** After an attempt: the endpoint's first failure since its last success, or none. */
  async markEndpoint(id: string, failedAt: Date | null): Promise<EndpointRow | null> {
    const { rows } = await this.pool.query<EndpointRow>(
      `UPDATE developers_webhook_endpoints
          SET failing_since = CASE WHEN $2::timestamptz IS NULL THEN NULL ELSE coalesce(failing_since, $2) END
        WHERE id = $1 RETURNING ${ENDPOINT_COLUMNS}`,
      [id, failedAt],
    );
    return rows[0] ?? null;
  }

  /** Disable an endpoint failing since before `before`; answers it when this call disabled it. */
  async disableIfFailingSince(id: string, before: Date, reason: string): Promise<EndpointRow | null> {
    const { rows } = await this.pool.query<EndpointRow>(
      `UPDATE developers_webhook_endpoints SET status = 'disabled', disabled_reason = $3
        WHERE id = $1 AND status = 'enabled' AND failing_since < $2 RETURNING ${ENDPOINT_COLUMNS}`,
      [id, before, reason],
    );
    return rows[0] ?? null;
  }

  async deliveriesOf(input: {
    endpointId: string;
    limit: number;
    before: { at: Date; id: string } | null;
  }): Promise<DeliveryRow[]> {
    const { rows } = await this.pool.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM developers_webhook_deliveries
        WHERE endpoint_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3::text))
        ORDER BY created_at DESC, id DESC LIMIT $4`,
      [input.endpointId, input.before?.at ?? null, input.before?.id ?? null, input.limit],
    );
    return rows;
  }

  async attemptsOf(deliveryId: string): Promise<AttemptRow[]> {
    const { rows } = await this.pool.query<AttemptRow>(
      'SELECT delivery_id, n, at, status_code, duration_ms, error, trigger FROM developers_webhook_attempts WHERE delivery_id = $1 ORDER BY n',
      [deliveryId],
    );
    return rows;
  }

  /** Pending deliveries due for longer than `graceSeconds` and not leased: their job was lost. */
  async overdue(now: Date, graceSeconds: number, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT id FROM developers_webhook_deliveries
        WHERE status = 'pending' AND next_attempt_at < $1::timestamptz - make_interval(secs => $2)
          AND (leased_until IS NULL OR leased_until < $1)
        ORDER BY next_attempt_at LIMIT $3`,
      [now, graceSeconds, limit],
    );
    return rows.map((row) => row.id);
  }
}
