/**
 * Webhook deliveries as a merchant's server receives them: Standard Webhooks signing
 * (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>`), the signature
 * computed by the `standardwebhooks` library, compared here in constant time with every `v1`
 * signature the header carries (two during a secret's rotation), the timestamp within a
 * tolerance the caller chooses (the library's own is fixed at 5 minutes).
 *
 * The event types below are written by hand: the events are not part of the OpenAPI document
 * (a delivery's `body` is a string there). They follow the server's
 * apps/server/src/modules/developers/webhook-events.ts and docs/developers.md "Webhooks"; the drift
 * test checks the list of event types against the server's, and the SDK's tests check each
 * delivered event's shape.
 */
import { Webhook } from 'standardwebhooks';
import { WebhookVerificationError } from './errors.ts';

interface WebhookMoney {
  /** Integer minor units as a string (fen for CNY). */
  amount: string;
  currency: string;
}

interface EventBase<Type extends string, Data> {
  /** `evt_…`: the event's id (the same in every endpoint's delivery of it). */
  id: string;
  type: Type;
  /** When the event happened (ISO 8601). */
  created: string;
  /**
   * Only in a delivery to a partner's connected endpoint: the merchant the event concerns (one that
   * granted the partner access) — the id the partner's requests send in `Qianbao-Merchant`.
   */
  merchantId?: string;
  data: Data;
}

export type PaymentSucceededEvent = EventBase<
  'payment.succeeded',
  { merchantOrderId: string; orderId: string; amount: WebhookMoney; status: 'paid' }
>;
/** A till's charge of a payment code ended without money (declined, timed out, refused); its order is closed. */
export type PaymentFailedEvent = EventBase<
  'payment.failed',
  {
    merchantOrderId: string;
    orderId: string;
    chargeId: string;
    amount: WebhookMoney;
    status: 'failed';
    /** The error code that ended it. */
    code: string;
  }
>;
/** An order's code expired unpaid. */
export type OrderExpiredEvent = EventBase<
  'order.expired',
  { merchantOrderId: string; orderId: string; amount: WebhookMoney; status: 'expired'; expiredAt: string }
>;
export type RefundSucceededEvent = EventBase<
  'refund.succeeded',
  {
    merchantOrderId: string;
    orderId: string;
    merchantRefundId: string;
    refundId: string;
    amount: WebhookMoney;
    status: 'succeeded';
  }
>;
export type SettlementPaidEvent = EventBase<
  'settlement.paid',
  { settlementId: string; amount: WebhookMoney; cardLast4: string; status: 'paid'; failure: null }
>;
export type SettlementFailedEvent = EventBase<
  'settlement.failed',
  {
    settlementId: string;
    amount: WebhookMoney;
    cardLast4: string;
    status: 'failed';
    /** The error code the bank's refusal became. */
    failure: string | null;
  }
>;
/** What a dispute of a payment to the merchant carries (docs/disputes.md). */
interface DisputeData {
  disputeId: string;
  merchantOrderId: string;
  orderId: string;
  /** not_received, not_as_described, duplicate, unauthorized, amount_wrong or other. */
  reason: string;
  amount: WebhookMoney;
  status: string;
  /** How it was refunded (merchant_refund, chargeback), once closed with a refund. */
  refundMethod: string | null;
  refund: WebhookMoney | null;
}
/** A payer disputed a payment to the merchant. */
export type DisputeOpenedEvent = EventBase<'dispute.opened', DisputeData>;
/** The dispute ended: refunded, rejected or withdrawn. */
export type DisputeClosedEvent = EventBase<'dispute.closed', DisputeData>;
export type WebhookPingEvent = EventBase<'webhook.ping', { endpointId: string }>;

export type WebhookEvent =
  | PaymentSucceededEvent
  | PaymentFailedEvent
  | OrderExpiredEvent
  | RefundSucceededEvent
  | SettlementPaidEvent
  | SettlementFailedEvent
  | DisputeOpenedEvent
  | DisputeClosedEvent
  | WebhookPingEvent;
export type WebhookEventType = WebhookEvent['type'];

/** Every event type a delivery may carry (the endpoint's subscriptions, and `webhook.ping`). */
export const WEBHOOK_EVENT_TYPES = [
  'payment.succeeded',
  'payment.failed',
  'order.expired',
  'refund.succeeded',
  'settlement.paid',
  'settlement.failed',
  'dispute.opened',
  'dispute.closed',
  'webhook.ping',
] as const satisfies readonly WebhookEventType[];

export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Headers as a framework gives them: a fetch `Headers`, or Node's `IncomingHttpHeaders`-like record. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface VerifyOptions {
  /** How far the delivery's timestamp may be from now, either way (default 300 s). */
  toleranceSeconds?: number;
  /** The time to judge the timestamp by (default now). */
  now?: Date;
}

function headerOf(headers: WebhookHeaders, name: string): string | null {
  // A fetch `Headers` (any implementation: duck-typed) is case-insensitive already.
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() !== name) continue;
    if (Array.isArray(value)) return value.join(' ');
    return value ?? null;
  }
  return null;
}

/** Constant-time equality of two strings' UTF-8 bytes (the time depends on the length only). */
function sameText(left: string, right: string): boolean {
  const a = new TextEncoder().encode(left);
  const b = new TextEncoder().encode(right);
  let difference = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}

/**
 * The event of a webhook delivery, after checking that `secret` (the endpoint's `whsec_…`) signed
 * exactly `rawBody` with these headers' id and timestamp, and that the timestamp is within
 * `toleranceSeconds` of now. Pass the body as received — the raw bytes or their text, before any
 * JSON parsing. Throws `WebhookVerificationError` otherwise. Deduplicate on `webhook-id`: a
 * delivery may come more than once.
 */
export function verifyWebhook(
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string,
  options: VerifyOptions = {},
): WebhookEvent {
  const toleranceSeconds = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (!(toleranceSeconds >= 0)) throw new TypeError('toleranceSeconds must be 0 or more');
  let signer: Webhook;
  try {
    signer = new Webhook(secret);
  } catch (cause) {
    throw new TypeError('the webhook secret must be the endpoint’s whsec_… secret', { cause });
  }
  const id = headerOf(headers, 'webhook-id');
  const timestampText = headerOf(headers, 'webhook-timestamp');
  const signatures = headerOf(headers, 'webhook-signature');
  if (!id || !timestampText || !signatures) {
    throw new WebhookVerificationError('missing webhook-id, webhook-timestamp or webhook-signature');
  }
  if (!/^\d{1,12}$/.test(timestampText))
    throw new WebhookVerificationError('webhook-timestamp is not a time');
  const timestamp = Number(timestampText);
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (nowSeconds - timestamp > toleranceSeconds) {
    throw new WebhookVerificationError('the webhook timestamp is too old');
  }
  if (timestamp - nowSeconds > toleranceSeconds) {
    throw new WebhookVerificationError('the webhook timestamp is in the future');
  }
  const expected = signer.sign(id, new Date(timestamp * 1000), rawBody);
  // Check every signature (no early exit): during a rotation the header carries two.
  let matched = false;
  for (const signature of signatures.split(' ')) {
    if (signature.startsWith('v1,') && sameText(signature, expected)) matched = true;
  }
  if (!matched) throw new WebhookVerificationError('no signature matches');
  const text = typeof rawBody === 'string' ? rawBody : new TextDecoder().decode(rawBody);
  try {
    return JSON.parse(text) as WebhookEvent;
  } catch {
    throw new WebhookVerificationError('the webhook body is not JSON');
  }
}
