/**
 * Webhooks of merchants (issue 14, docs/developers.md "Webhooks"): endpoints the owner registers
 * with the events they want; each event of the merchant (fed from the outbox, so it exists only
 * if its change committed) becomes one delivery per endpoint, posted with the Standard Webhooks
 * headers (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<HMAC-SHA256>`, signed by the
 * `standardwebhooks` library) and retried on the job queue on a schedule of about 27 hours
 * (webhook-schedule.ts). Every attempt is kept; an owner re-sends one; an endpoint failing for
 * days is disabled and the owner told. Nothing here is on a payment's path: the payment commits
 * its event and returns; delivery happens later, on the job queue.
 *
 * At least once: a delivery's id (the receiver's dedupe key) is derived from (event, endpoint), so
 * a retried outbox event writes no second delivery; an attempt leases its delivery, so a re-send,
 * a retry and the sweep never post it twice at the same moment; the sweep re-queues a delivery
 * whose job was lost (a crash between writing it and queueing it).
 */
import { isUuid } from '@qianbao/ledger';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { AppError } from '../../errors.ts';
import { defineSubscriber } from '../../outbox/index.ts';
import type { OutboxEvent, Subscriber } from '../../outbox/index.ts';
import { internalDestination, isInternalAddress } from './destinations.ts';
import { PING_EVENT, SOURCE_EVENTS, bodyOf, webhookEventOf } from './webhook-events.ts';
import type { WebhookEvent } from './webhook-events.ts';
import { delivered, nextDelaySeconds } from './webhook-schedule.ts';
import type { AttemptRow, DeliveryRow, EndpointRow, WebhookStore } from './webhook-store.ts';

import { DEVELOPERS_JOBS, WEBHOOK_SECRET_PURPOSE, WEBHOOK_SUBSCRIBER } from './module.ts';

const SECRET_PURPOSE = WEBHOOK_SECRET_PURPOSE;
const ERROR_CHARS = 300;

export interface WebhookSettings {
  endpointsPerMerchant: number;
  timeoutMs: number;
  disableAfterDays: number;
  /** How long an attempt holds its delivery (`WEBHOOK_LEASE_SECONDS`, 60; above `timeoutMs`). */
  leaseSeconds: number;
  /** How long a pending delivery is overdue before the sweep queues it again (60). */
  sweepSeconds: number;
  /** Sandbox: `http://` endpoints (a developer's machine); production wants `https://`. */
  allowHttp: boolean;
}

export interface WebhooksDeps {
  store: WebhookStore;
  secrets: {
    seal(plaintext: string, purpose: string): string;
    open(sealed: string, purpose: string): string;
  };
  jobs: {
    send(
      name: string,
      data: object,
      options?: { startAfterSeconds?: number; singletonKey?: string; promptly?: boolean },
    ): Promise<unknown>;
  };
  /** Tell a merchant's owner (the inbox): an endpoint was disabled. */
  tellOwner(merchantId: string, notice: { endpointId: string; url: string }): Promise<void>;
  settings: WebhookSettings;
  now: () => Date;
  log: { warn(object: object, message: string): void };
  /** Told of each attempt (metrics.ts): what answered, how long it took, what became of the delivery. */
  observe?: (attempt: {
    statusCode: number | null;
    delivery: 'succeeded' | 'pending' | 'failed';
    durationSeconds: number;
  }) => void;
}

export interface EndpointView {
  id: string;
  url: string;
  description: string;
  events: string[];
  status: 'enabled' | 'disabled';
  disabledReason: string | null;
  failingSince: Date | null;
  createdAt: Date;
  /** While a rotated secret's predecessor still signs too. */
  previousSecretExpiresAt: Date | null;
  /** Also told of the events of the merchants that granted this merchant access (ADR 0023). */
  connected: boolean;
}

export class WebhooksService {
  constructor(private readonly deps: WebhooksDeps) {}

  // ---- endpoints ----------------------------------------------------------------------------

  async create(input: {
    merchantId: string;
    url: string;
    events: string[];
    description: string;
    connected: boolean;
  }): Promise<{ endpoint: EndpointView; secret: string }> {
    const url = this.checkedUrl(input.url);
    const secret = newSecret();
    const row = await this.deps.store.insertEndpoint(
      {
        id: randomUUID(),
        merchant_id: input.merchantId,
        url,
        description: input.description,
        events: [...new Set(input.events)],
        secret_sealed: this.deps.secrets.seal(secret, SECRET_PURPOSE),
        previous_secret_sealed: null,
        previous_expires_at: null,
        status: 'enabled',
        disabled_reason: null,
        failing_since: null,
        created_at: this.deps.now(),
        connected: input.connected,
      },
      this.deps.settings.endpointsPerMerchant,
    );
    if (!row) {
      throw new AppError('WEBHOOK_ENDPOINT_LIMIT_REACHED', {
        details: { max: this.deps.settings.endpointsPerMerchant },
      });
    }
    return { endpoint: this.view(row), secret };
  }

  /** Whose endpoint or delivery this is (the merchant or a test twin); null for an unknown id. */
  async ownerOf(kind: 'endpoint' | 'delivery', id: string): Promise<string | null> {
    const row =
      kind === 'endpoint'
        ? isUuid(id)
          ? await this.deps.store.endpoint(id)
          : null
        : await this.deps.store.delivery(id);
    return row?.merchant_id ?? null;
  }

  async list(merchantId: string): Promise<EndpointView[]> {
    return (await this.deps.store.endpointsOf(merchantId)).map((row) => this.view(row));
  }

  async get(merchantId: string, id: string): Promise<EndpointView> {
    return this.view(await this.endpointOf(merchantId, id));
  }

  /** Change an endpoint; enabling one again forgets its failures. */
  async update(
    merchantId: string,
    id: string,
    change: { url?: string; events?: string[]; description?: string; enabled?: boolean; connected?: boolean },
  ): Promise<EndpointView> {
    const row = await this.deps.store.updateEndpoint(merchantId, id, {
      ...(change.url !== undefined ? { url: this.checkedUrl(change.url) } : {}),
      ...(change.events !== undefined ? { events: [...new Set(change.events)] } : {}),
      ...(change.description !== undefined ? { description: change.description } : {}),
      ...(change.connected !== undefined ? { connected: change.connected } : {}),
      ...(change.enabled === undefined
        ? {}
        : change.enabled
          ? { status: 'enabled' as const, disabled_reason: null, clearFailing: true }
          : { status: 'disabled' as const, disabled_reason: 'by the owner' }),
    });
    if (!row) throw new AppError('WEBHOOK_ENDPOINT_NOT_FOUND');
    return this.view(row);
  }

  async remove(merchantId: string, id: string): Promise<void> {
    if (!(await this.deps.store.deleteEndpoint(merchantId, id)))
      throw new AppError('WEBHOOK_ENDPOINT_NOT_FOUND');
  }

  /** The signing secret, for the owner (it is needed to verify; kept sealed). */
  async secretOf(merchantId: string, id: string): Promise<string> {
    const row = await this.endpointOf(merchantId, id);
    return this.deps.secrets.open(row.secret_sealed, SECRET_PURPOSE);
  }

  /** A new secret; the old one signs too for `overlapHours` (deliveries carry both signatures). */
  async rotateSecret(
    merchantId: string,
    id: string,
    overlapHours: number,
  ): Promise<{ endpoint: EndpointView; secret: string }> {
    const secret = newSecret();
    const row = await this.deps.store.rotateSecret({
      merchantId,
      id,
      sealed: this.deps.secrets.seal(secret, SECRET_PURPOSE),
      previousExpiresAt: new Date(this.deps.now().getTime() + overlapHours * 3_600_000),
    });
    if (!row) throw new AppError('WEBHOOK_ENDPOINT_NOT_FOUND');
    return { endpoint: this.view(row), secret };
  }

  /** A `webhook.ping` to one endpoint, sent now: how an owner checks the receiver works. */
  async ping(merchantId: string, id: string): Promise<DeliveryRow> {
    const endpoint = await this.endpointOf(merchantId, id);
    const now = this.deps.now();
    const event: WebhookEvent = {
      id: `evt_${randomUUID().replaceAll('-', '')}`,
      type: PING_EVENT,
      merchantId,
      created: now.toISOString(),
      data: { endpointId: endpoint.id },
    };
    const [delivery] = this.deliveriesFor(event, [{ endpoint, grantedBy: null }], now);
    await this.deps.store.insertDeliveries([delivery!]);
    return this.attempt(delivery!.id, 'resend');
  }

  // ---- deliveries ---------------------------------------------------------------------------

  async deliveries(input: {
    merchantId: string;
    endpointId: string;
    limit: number;
    cursor: string | null;
  }): Promise<{ deliveries: DeliveryRow[]; nextCursor: string | null }> {
    await this.endpointOf(input.merchantId, input.endpointId);
    const rows = await this.deps.store.deliveriesOf({
      endpointId: input.endpointId,
      limit: input.limit + 1,
      before: parseCursor(input.cursor),
    });
    const page = rows.slice(0, input.limit);
    const last = page.at(-1);
    return {
      deliveries: page,
      nextCursor: rows.length > input.limit && last ? `${last.created_at.toISOString()}_${last.id}` : null,
    };
  }

  async delivery(merchantId: string, id: string): Promise<{ delivery: DeliveryRow; attempts: AttemptRow[] }> {
    const delivery = await this.deps.store.delivery(id);
    if (!delivery || delivery.merchant_id !== merchantId) throw new AppError('WEBHOOK_DELIVERY_NOT_FOUND');
    return { delivery, attempts: await this.deps.store.attemptsOf(id) };
  }

  /** Post a delivery again now, whatever its state (the owner's re-send); answers it after. */
  async resend(merchantId: string, id: string): Promise<DeliveryRow> {
    const delivery = await this.deps.store.delivery(id);
    if (!delivery || delivery.merchant_id !== merchantId) throw new AppError('WEBHOOK_DELIVERY_NOT_FOUND');
    return this.attempt(id, 'resend');
  }

  /**
   * The outbox subscriber: each merchant event, one delivery per endpoint that wants it — the
   * merchant's own, and the connected endpoints of the partners it granted access (ADR 0023).
   */
  subscriber(): Subscriber {
    return defineSubscriber({
      name: WEBHOOK_SUBSCRIBER,
      types: Object.keys(SOURCE_EVENTS),
      handle: (event) => this.fanOut(event),
    });
  }

  private async fanOut(outboxEvent: OutboxEvent): Promise<void> {
    const event = webhookEventOf(outboxEvent);
    if (!event) return;
    const [own, connected] = await Promise.all([
      this.deps.store.subscribed(event.merchantId, event.type),
      this.deps.store.connected(event.merchantId, event.type),
    ]);
    const endpoints = [
      ...own.map((endpoint) => ({ endpoint, grantedBy: null })),
      ...connected.map(({ granted_by, ...endpoint }) => ({ endpoint, grantedBy: granted_by })),
    ];
    if (endpoints.length === 0) return;
    const rows = this.deliveriesFor(event, endpoints, this.deps.now());
    await this.deps.store.insertDeliveries(rows);
    // Queued after they are written: a crash between leaves them to the sweep.
    for (const row of rows) await this.queue(row.id, 0);
  }

  /**
   * One attempt of a delivery, under its lease: post, keep the attempt, then — for the schedule's
   * attempts — the next one queued or the delivery failed; the endpoint's failing streak kept, and
   * an endpoint failing for longer than `disableAfterDays` disabled with its owner told.
   */
  async attempt(deliveryId: string, trigger: 'auto' | 'resend'): Promise<DeliveryRow> {
    const now = this.deps.now();
    const leased = await this.deps.store.lease(
      deliveryId,
      now,
      this.deps.settings.leaseSeconds,
      trigger === 'resend',
    );
    if (!leased) {
      const current = await this.deps.store.delivery(deliveryId);
      if (!current) throw new AppError('WEBHOOK_DELIVERY_NOT_FOUND');
      if (trigger === 'resend') throw new AppError('WEBHOOK_DELIVERY_IN_PROGRESS', { retryAfterSeconds: 5 });
      return current;
    }
    const endpoint = await this.deps.store.endpoint(leased.endpoint_id);
    const sent =
      endpoint && (endpoint.status === 'enabled' || trigger === 'resend')
        ? await this.post(endpoint, leased, now)
        : { statusCode: null, error: 'endpoint disabled', durationMs: 0 };
    const ok = delivered(sent.statusCode);
    const n = leased.attempts + 1;
    const delay = ok ? null : nextDelaySeconds(n);
    const status: DeliveryRow['status'] = ok
      ? 'succeeded'
      : trigger === 'resend'
        ? leased.status
        : delay === null || !endpoint || endpoint.status === 'disabled'
          ? 'failed'
          : 'pending';
    const nextAttemptAt =
      status === 'pending'
        ? trigger === 'auto'
          ? new Date(now.getTime() + delay! * 1000)
          : leased.next_attempt_at
        : null;
    const updated = await this.deps.store.recordAttempt({
      delivery: leased,
      attempt: {
        delivery_id: leased.id,
        n,
        at: now,
        status_code: sent.statusCode,
        duration_ms: sent.durationMs,
        error: sent.error,
        trigger,
      },
      status,
      nextAttemptAt,
    });
    this.deps.observe?.({
      statusCode: sent.statusCode,
      delivery: status,
      durationSeconds: sent.durationMs / 1000,
    });
    if (trigger === 'auto' && status === 'pending' && delay !== null) await this.queue(leased.id, delay, n);
    if (endpoint) await this.keepStreak(endpoint, ok, now);
    return updated;
  }

  /** Whether a delivery is still there (its endpoint may have been removed with it). */
  async exists(deliveryId: string): Promise<boolean> {
    return (await this.deps.store.delivery(deliveryId)) !== null;
  }

  /**
   * `developers.webhook-sweep`: pending deliveries overdue by `sweepSeconds` and not leased are
   * queued again — their job was lost, or its process died mid-attempt (the lease ran out).
   */
  async sweep(): Promise<number> {
    const ids = await this.deps.store.overdue(this.deps.now(), this.deps.settings.sweepSeconds, 500);
    for (const id of ids) await this.queue(id, 0, -1);
    return ids.length;
  }

  private async post(
    endpoint: EndpointRow,
    delivery: DeliveryRow,
    now: Date,
  ): Promise<{ statusCode: number | null; error: string | null; durationMs: number }> {
    const started = performance.now();
    try {
      // Production posts only outward (destinations.ts); sandbox receivers are on loopback.
      const inward = this.deps.settings.allowHttp ? null : await internalDestination(endpoint.url);
      if (inward !== null) return { statusCode: null, error: inward, durationMs: 0 };
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Qianbao-Webhooks/1',
          'webhook-id': delivery.id,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': this.signatures(endpoint, delivery, now),
        },
        body: delivery.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.deps.settings.timeoutMs),
      });
      await response.body?.cancel().catch(() => undefined);
      return {
        statusCode: response.status,
        error: null,
        durationMs: Math.round(performance.now() - started),
      };
    } catch (error) {
      const durationMs = Math.round(performance.now() - started);
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      const message = timedOut ? `no answer within ${this.deps.settings.timeoutMs} ms` : describeError(error);
      return { statusCode: null, error: message.slice(0, ERROR_CHARS), durationMs };
    }
  }

  /** `v1,<sig>` for the secret, and for its predecessor while it overlaps (space-separated). */
  private signatures(endpoint: EndpointRow, delivery: DeliveryRow, now: Date): string {
    const secrets = [endpoint.secret_sealed];
    if (
      endpoint.previous_secret_sealed &&
      endpoint.previous_expires_at &&
      endpoint.previous_expires_at > now
    ) {
      secrets.push(endpoint.previous_secret_sealed);
    }
    return secrets
      .map((sealed) =>
        new Webhook(this.deps.secrets.open(sealed, SECRET_PURPOSE)).sign(delivery.id, now, delivery.body),
      )
      .join(' ');
  }

  private async keepStreak(endpoint: EndpointRow, ok: boolean, now: Date): Promise<void> {
    const marked = await this.deps.store.markEndpoint(endpoint.id, ok ? null : now);
    if (ok || !marked?.failing_since) return;
    const before = new Date(now.getTime() - this.deps.settings.disableAfterDays * 86_400_000);
    const disabled = await this.deps.store.disableIfFailingSince(
      endpoint.id,
      before,
      `failing since ${marked.failing_since.toISOString()}`,
    );
    if (disabled) {
      await this.deps
        .tellOwner(disabled.merchant_id, { endpointId: disabled.id, url: disabled.url })
        .catch((error: unknown) =>
          this.deps.log.warn({ err: error }, 'webhooks: owner not told of a disabled endpoint'),
        );
    }
  }

  private async queue(deliveryId: string, afterSeconds: number, attempt = 0): Promise<void> {
    await this.deps.jobs.send(
      DEVELOPERS_JOBS.deliver,
      { deliveryId },
      {
        singletonKey: `${deliveryId}:${attempt}`,
        promptly: afterSeconds === 0,
        ...(afterSeconds > 0 ? { startAfterSeconds: afterSeconds } : {}),
      },
    );
  }

  /**
   * One delivery per endpoint, kept as its endpoint's merchant's (who reads and re-sends it). A
   * partner's connected endpoint is told which merchant the event concerns: `grantedBy`, the
   * live id its requests name in `Qianbao-Merchant`.
   */
  private deliveriesFor(
    event: WebhookEvent,
    endpoints: readonly { endpoint: EndpointRow; grantedBy: string | null }[],
    now: Date,
  ) {
    return endpoints.map(({ endpoint, grantedBy }) => ({
      id: deliveryIdOf(event.id, endpoint.id),
      endpoint_id: endpoint.id,
      merchant_id: endpoint.merchant_id,
      event_id: event.id,
      event_type: event.type,
      body: bodyOf(event, grantedBy),
      status: 'pending' as const,
      next_attempt_at: now,
      created_at: now,
    }));
  }

  private async endpointOf(merchantId: string, id: string): Promise<EndpointRow> {
    const row = /^[0-9a-f-]{36}$/.test(id) ? await this.deps.store.endpoint(id) : null;
    if (!row || row.merchant_id !== merchantId) throw new AppError('WEBHOOK_ENDPOINT_NOT_FOUND');
    return row;
  }

  private checkedUrl(text: string): string {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new AppError('WEBHOOK_URL_INVALID', { details: { problem: 'not a URL' } });
    }
    const httpOk = url.protocol === 'http:' && this.deps.settings.allowHttp;
    if (url.protocol !== 'https:' && !httpOk) {
      throw new AppError('WEBHOOK_URL_INVALID', {
        details: { problem: this.deps.settings.allowHttp ? 'not http(s)' : 'must be https' },
      });
    }
    if (url.username || url.password) {
      throw new AppError('WEBHOOK_URL_INVALID', { details: { problem: 'no credentials in the URL' } });
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const literal = host === 'localhost' || /^[0-9.]+$/.test(host) || host.includes(':');
    if (!this.deps.settings.allowHttp && literal && (host === 'localhost' || isInternalAddress(host))) {
      throw new AppError('WEBHOOK_URL_INVALID', { details: { problem: 'an internal address' } });
    }
    return url.toString();
  }

  private view(row: EndpointRow): EndpointView {
    const now = this.deps.now();
    return {
      id: row.id,
      url: row.url,
      description: row.description,
      events: row.events,
      status: row.status,
      disabledReason: row.disabled_reason,
      failingSince: row.failing_since,
      createdAt: row.created_at,
      previousSecretExpiresAt:
        row.previous_expires_at && row.previous_expires_at > now ? row.previous_expires_at : null,
      connected: row.connected,
    };
  }
}

/** `whsec_` and 24 random bytes in base64 (Standard Webhooks' secret format). */
function newSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** The webhook-id of an event to an endpoint: the same on every attempt and after any crash. */
export function deliveryIdOf(eventId: string, endpointId: string): string {
  return `msg_${createHash('sha256').update(`${eventId}:${endpointId}`).digest('hex').slice(0, 32)}`;
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ? `${cause.code}: ${cause.message ?? ''}`.trim() : error.message;
}

function parseCursor(cursor: string | null): { at: Date; id: string } | null {
  if (cursor === null) return null;
  const index = cursor.lastIndexOf('_msg_');
  // Ours are `toISOString()` of a delivery's time: a date JavaScript takes but PostgreSQL cannot
  // (year 275760) is not one of ours.
  const time = cursor.slice(0, index);
  const at = new Date(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(time) ? time : '');
  const id = cursor.slice(index + 1);
  if (index < 0 || Number.isNaN(at.getTime()) || !/^msg_[0-9a-f]{32}$/.test(id)) {
    throw new AppError('VALIDATION_FAILED', {
      details: { field: 'cursor', problem: 'not a cursor of this list' },
    });
  }
  return { at, id };
}
