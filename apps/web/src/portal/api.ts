/**
 * The merchant portal's API: the merchants API acting for one merchant. Staff are wallet holders
 * (the same session cookie as the wallet); every call names the merchant it acts for with the
 * `Qianbao-Merchant` header, or, where a header cannot be sent (a download link, an EventSource),
 * the `merchant` query parameter. docs/merchants.md.
 *
 * A 401 here is not sent to the wallet's sign-in screen (the app's listener): the portal shows its
 * own sign-in card, which comes back to /merchant (see `onPortalSignedOut`).
 */
import type { MoneyJson } from '@qianbao/money';
import { ApiError, request } from '../api/client.ts';
import type { RequestOptions } from '../api/client.ts';
import type { Me } from '../api/identity.ts';
import type { Card, MerchantOrder } from '../api/money.ts';
import type { Charge } from '../api/pay-code.ts';
import type { Shop, ShopCode, ShopRefund } from '../api/shop.ts';

export type StaffRole = 'owner' | 'cashier';

/** What GET /v1/me/merchant answers for a member of staff: permissions decide the menu. */
export type Permission =
  | 'payments:create'
  | 'refunds:create'
  | 'payouts:create'
  | 'orders:read'
  | 'orders:readToday'
  | 'merchant:manage';

export interface MerchantMembership {
  id: string;
  name: string;
  kind: Shop['kind'];
  status: Shop['status'];
  role: StaffRole;
}

export interface PortalMerchant extends Shop {
  role: StaffRole;
  permissions: string[];
}

export interface DaySummary {
  date: string;
  takings: MoneyJson;
  payments: number;
  refunds: MoneyJson;
}

export interface Summary {
  balance: MoneyJson;
  today: { takings: MoneyJson; payments: number; refunds: MoneyJson };
  /** Oldest first, every day present. */
  days: DaySummary[];
}

export interface StaffMember {
  id: string;
  role: StaffRole;
  /** Masked by the server. */
  name: string;
  phone: string;
  addedAt: string;
}

export interface SettlementCard {
  id: string;
  maskedNumber: string;
  last4: string;
  bankCode: string;
  bankName: Card['bankName'];
}

export interface Settlement {
  id: string;
  trigger: 'on_demand' | 'daily';
  businessDate: string | null;
  status: 'processing' | 'succeeded' | 'failed';
  amount: MoneyJson;
  card: SettlementCard;
  failure: { code: string; details: Record<string, unknown> } | null;
  bankReference: string | null;
  createdAt: string;
  completedAt: string | null;
}

export interface OrderFilters {
  q?: string;
  status?: MerchantOrder['status'];
  channel?: MerchantOrder['channel'];
  /** YYYY-MM-DD, Asia/Shanghai, inclusive. */
  from?: string;
  to?: string;
}

export interface OrderPage {
  orders: MerchantOrder[];
  nextCursor: string | null;
}

export type OrderDetail = MerchantOrder & { refunds: ShopRefund[] };

/** A live event of GET /v1/me/merchant/stream. */
export interface OrderEvent {
  orderId: string;
  merchantOrderId: string;
  status: string;
  amount: MoneyJson;
  type: 'payment' | 'refund' | 'charge';
}

export const ORDER_PAGE_SIZE = 20;
const MERCHANT_HEADER = 'Qianbao-Merchant';
const CHOSEN_KEY = 'qb_portal_merchant';

// ---- signing out from under the portal ----

type SignedOutListener = () => void;
let signedOutListener: SignedOutListener | undefined;

/** The portal decides what a 401 means: its own sign-in card. */
export function onPortalSignedOut(listener: SignedOutListener | undefined): void {
  signedOutListener = listener;
}

async function call<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  try {
    return await request<T>(method, path, { ...options, reportUnauthorized: false });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) signedOutListener?.();
    throw error;
  }
}

function forMerchant(merchantId: string, extra: Record<string, string> = {}): Record<string, string> {
  return { [MERCHANT_HEADER]: merchantId, ...extra };
}

// ---- the merchant chosen, remembered on this browser ----

export function rememberedMerchant(): string | null {
  try {
    return localStorage.getItem(CHOSEN_KEY);
  } catch {
    return null;
  }
}

export function rememberMerchant(merchantId: string | null): void {
  try {
    if (merchantId) localStorage.setItem(CHOSEN_KEY, merchantId);
    else localStorage.removeItem(CHOSEN_KEY);
  } catch {
    // No storage: chosen again next time.
  }
}

// ---- query keys: everything of one merchant under ['portal', id] ----

export const portalKeys = {
  all: ['portal'] as const,
  memberships: ['portal', 'memberships'] as const,
  me: ['portal', 'me'] as const,
  merchant: (id: string) => ['portal', id, 'merchant'] as const,
  summary: (id: string) => ['portal', id, 'summary'] as const,
  orders: (id: string) => ['portal', id, 'orders'] as const,
  order: (id: string, merchantOrderId: string) => ['portal', id, 'orders', 'one', merchantOrderId] as const,
  code: (id: string) => ['portal', id, 'code'] as const,
  staff: (id: string) => ['portal', id, 'staff'] as const,
  settlementCard: (id: string) => ['portal', id, 'settlement-card'] as const,
  settlements: (id: string) => ['portal', id, 'settlements'] as const,
};

// ---- who and which merchant ----

export async function fetchMemberships(): Promise<MerchantMembership[]> {
  return (await call<{ merchants: MerchantMembership[] }>('GET', '/v1/me/merchants')).merchants;
}

/** Who is signed in (the phone number, masked): the header shows it. */
export function fetchSignedInHolder(): Promise<Pick<Me, 'id' | 'phone'>> {
  return call<Me>('GET', '/v1/me');
}

export function fetchPortalMerchant(merchantId: string): Promise<PortalMerchant> {
  return call<PortalMerchant>('GET', '/v1/me/merchant', { headers: forMerchant(merchantId) });
}

export function can(merchant: Pick<PortalMerchant, 'permissions'>, permission: Permission): boolean {
  return merchant.permissions.includes(permission);
}

// ---- dashboard ----

export function fetchSummary(merchantId: string, days = 30): Promise<Summary> {
  return call<Summary>('GET', `/v1/me/merchant/summary?days=${days}`, { headers: forMerchant(merchantId) });
}

// ---- orders ----

export async function fetchOrders(
  merchantId: string,
  filters: OrderFilters,
  cursor: string | null,
): Promise<OrderPage> {
  const query = new URLSearchParams({ limit: String(ORDER_PAGE_SIZE) });
  for (const [name, value] of Object.entries(filters)) {
    if (typeof value === 'string' && value !== '') query.set(name, value);
  }
  if (cursor) query.set('cursor', cursor);
  const page = await call<{ orders: MerchantOrder[]; nextCursor?: string | null }>(
    'GET',
    `/v1/me/merchant/orders?${query}`,
    { headers: forMerchant(merchantId) },
  );
  return { orders: page.orders, nextCursor: page.nextCursor ?? null };
}

function orderPath(merchantOrderId: string, action = ''): string {
  return `/v1/me/merchant/orders/${encodeURIComponent(merchantOrderId)}${action}`;
}

export function fetchOrder(merchantId: string, merchantOrderId: string): Promise<OrderDetail> {
  return call<OrderDetail>('GET', orderPath(merchantOrderId), { headers: forMerchant(merchantId) });
}

export function closeOrder(merchantId: string, merchantOrderId: string): Promise<MerchantOrder> {
  return call<MerchantOrder>('POST', orderPath(merchantOrderId, '/close'), {
    headers: forMerchant(merchantId),
    body: {},
  });
}

export function refundOrder(
  merchantId: string,
  input: { merchantOrderId: string; merchantRefundId: string; amount: MoneyJson; reason?: string },
): Promise<ShopRefund> {
  const { merchantOrderId, ...body } = input;
  return call<ShopRefund>('POST', orderPath(merchantOrderId, '/refunds'), {
    headers: forMerchant(merchantId),
    body,
  });
}

export function createOrder(
  merchantId: string,
  input: { merchantOrderId: string; amount: MoneyJson; description?: string },
): Promise<MerchantOrder & ShopCode> {
  return call<MerchantOrder & ShopCode>('POST', '/v1/me/merchant/orders', {
    headers: forMerchant(merchantId),
    body: input,
  });
}

// ---- the till: the payer's payment code ----

/** 201 succeeded or 202 awaiting_confirmation; a refusal throws (with `details.chargeId`). */
export function charge(
  merchantId: string,
  idempotencyKey: string,
  input: { paymentCode: string; amount: MoneyJson; merchantOrderId: string; description?: string },
): Promise<Charge> {
  return call<Charge>('POST', '/v1/me/merchant/charges', {
    headers: forMerchant(merchantId, { 'Idempotency-Key': idempotencyKey }),
    body: input,
  });
}

export function fetchCharge(merchantId: string, chargeId: string): Promise<Charge> {
  return call<Charge>('GET', `/v1/me/merchant/charges/${encodeURIComponent(chargeId)}`, {
    headers: forMerchant(merchantId),
  });
}

// ---- codes ----

export function fetchStaticCode(merchantId: string): Promise<ShopCode> {
  return call<ShopCode>('GET', '/v1/me/merchant/qr', { headers: forMerchant(merchantId) });
}

// ---- staff ----

export async function fetchStaff(merchantId: string): Promise<StaffMember[]> {
  return (
    await call<{ staff: StaffMember[] }>('GET', '/v1/me/merchant/staff', { headers: forMerchant(merchantId) })
  ).staff;
}

export function addCashier(merchantId: string, phone: string): Promise<StaffMember> {
  return call<StaffMember>('POST', '/v1/me/merchant/staff', {
    headers: forMerchant(merchantId),
    body: { phone, role: 'cashier' },
  });
}

export function removeStaff(merchantId: string, staffId: string): Promise<void> {
  return call<void>('DELETE', `/v1/me/merchant/staff/${encodeURIComponent(staffId)}`, {
    headers: forMerchant(merchantId),
  });
}

// ---- settlement ----

/** Null when the merchant has not named one yet (404 SETTLEMENT_CARD_REQUIRED). */
export async function fetchSettlementCard(merchantId: string): Promise<SettlementCard | null> {
  try {
    return await call<SettlementCard>('GET', '/v1/me/merchant/settlement-card', {
      headers: forMerchant(merchantId),
    });
  } catch (error) {
    if (error instanceof ApiError && error.code === 'SETTLEMENT_CARD_REQUIRED') return null;
    throw error;
  }
}

export function setSettlementCard(merchantId: string, cardId: string): Promise<SettlementCard> {
  return call<SettlementCard>('PUT', '/v1/me/merchant/settlement-card', {
    headers: forMerchant(merchantId),
    body: { cardId },
  });
}

/** The owner's own bound cards (the wallet's API: a settlement card is one of them). */
export async function fetchOwnCards(): Promise<Card[]> {
  return (await call<{ cards: Card[] }>('GET', '/v1/me/cards')).cards;
}

export async function fetchSettlements(merchantId: string): Promise<Settlement[]> {
  return (
    await call<{ settlements: Settlement[] }>('GET', '/v1/me/merchant/settlements?limit=20', {
      headers: forMerchant(merchantId),
    })
  ).settlements;
}

/** The whole available balance, now. One key per press: a retry of the same press sends it again. */
export function settleNow(merchantId: string, idempotencyKey: string): Promise<Settlement> {
  return call<Settlement>('POST', '/v1/me/merchant/settlements', {
    headers: forMerchant(merchantId, { 'Idempotency-Key': idempotencyKey }),
    body: {},
  });
}

// ---- links that cannot send a header: the merchant as a query parameter ----

export function statementUrl(merchantId: string, date: string, format: 'csv' | 'pdf'): string {
  const query = new URLSearchParams({ format, merchant: merchantId });
  return `/v1/me/merchant/statements/${encodeURIComponent(date)}?${query}`;
}

export function posterPdfUrl(merchantId: string): string {
  return `/v1/me/merchant/poster.pdf?${new URLSearchParams({ merchant: merchantId })}`;
}

export function streamUrl(merchantId: string): string {
  return `/v1/me/merchant/stream?${new URLSearchParams({ merchant: merchantId })}`;
}

// ---- API keys (the owner's; docs/developers.md) ----

export type ApiScope = 'payments:write' | 'refunds:write' | 'payouts:write' | 'read_only';
export const API_SCOPES: ApiScope[] = ['payments:write', 'refunds:write', 'payouts:write', 'read_only'];

export interface ApiKey {
  id: string;
  /** `qbk_live_<id>_…`: what identifies the key (its secret is never shown again). */
  prefix: string;
  /** `test`: acts for the shop's test mode — test money only (ADR 0022). */
  mode: 'live' | 'test';
  name: string;
  scopes: ApiScope[];
  ipAllow: string[];
  status: 'active' | 'expiring' | 'expired' | 'revoked';
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  rolledTo: string | null;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
}

/** A key just made or rolled: its whole secret, this once. */
export interface NewApiKey extends ApiKey {
  secret: string;
}

export interface ApiRequest {
  id: string;
  method: string;
  path: string;
  status: number;
  idempotencyKey: string | null;
  durationMs: number;
  ip: string | null;
  body: unknown;
  at: string;
}

export const apiKeyKeys = {
  list: (id: string) => ['portal', id, 'api-keys'] as const,
  requests: (id: string, keyId: string) => ['portal', id, 'api-keys', keyId, 'requests'] as const,
};

export async function fetchApiKeys(merchantId: string): Promise<ApiKey[]> {
  return (
    await call<{ keys: ApiKey[] }>('GET', '/v1/me/merchant/api-keys', { headers: forMerchant(merchantId) })
  ).keys;
}

export function createApiKey(
  merchantId: string,
  input: { name: string; scopes: ApiScope[]; ipAllow: string[]; mode: ApiKey['mode'] },
): Promise<NewApiKey> {
  return call<NewApiKey>('POST', '/v1/me/merchant/api-keys', {
    headers: forMerchant(merchantId),
    body: input,
  });
}

export function rollApiKey(merchantId: string, keyId: string, overlapHours: number): Promise<NewApiKey> {
  return call<NewApiKey>('POST', `/v1/me/merchant/api-keys/${encodeURIComponent(keyId)}/roll`, {
    headers: forMerchant(merchantId),
    body: { overlapHours },
  });
}

export function revokeApiKey(merchantId: string, keyId: string): Promise<ApiKey> {
  return call<ApiKey>('DELETE', `/v1/me/merchant/api-keys/${encodeURIComponent(keyId)}`, {
    headers: forMerchant(merchantId),
  });
}

export async function fetchApiKeyRequests(merchantId: string, keyId: string): Promise<ApiRequest[]> {
  return (
    await call<{ requests: ApiRequest[] }>(
      'GET',
      `/v1/me/merchant/api-keys/${encodeURIComponent(keyId)}/requests?limit=100`,
      { headers: forMerchant(merchantId) },
    )
  ).requests;
}

// ---- webhooks (the owner's; docs/developers.md "Webhooks") ----

export const WEBHOOK_EVENTS = [
  'payment.succeeded',
  'payment.failed',
  'order.expired',
  'refund.succeeded',
  'settlement.paid',
  'settlement.failed',
  'dispute.opened',
  'dispute.closed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string;
  events: WebhookEventType[];
  status: 'enabled' | 'disabled';
  disabledReason: string | null;
  failingSince: string | null;
  createdAt: string;
  /** `test`: told only of the shop's test-mode events (ADR 0022). */
  mode: 'live' | 'test';
  /** Also told of the events of merchants that granted this shop partner access (ADR 0023). */
  connected: boolean;
  previousSecretExpiresAt: string | null;
}

export interface WebhookDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  lastAttemptAt: string | null;
  createdAt: string;
  succeededAt: string | null;
  body: string;
}

export const webhookKeys = {
  endpoints: (id: string) => ['portal', id, 'webhooks'] as const,
  deliveries: (id: string, endpointId: string) =>
    ['portal', id, 'webhooks', endpointId, 'deliveries'] as const,
};

export async function fetchWebhookEndpoints(merchantId: string): Promise<WebhookEndpoint[]> {
  return (
    await call<{ endpoints: WebhookEndpoint[] }>('GET', '/v1/me/merchant/webhook-endpoints', {
      headers: forMerchant(merchantId),
    })
  ).endpoints;
}

export function createWebhookEndpoint(
  merchantId: string,
  input: {
    url: string;
    events: WebhookEventType[];
    description: string;
    mode: WebhookEndpoint['mode'];
    connected: boolean;
  },
): Promise<WebhookEndpoint & { secret: string }> {
  return call('POST', '/v1/me/merchant/webhook-endpoints', { headers: forMerchant(merchantId), body: input });
}

export function updateWebhookEndpoint(
  merchantId: string,
  endpointId: string,
  change: { enabled?: boolean },
): Promise<WebhookEndpoint> {
  return call('PATCH', `/v1/me/merchant/webhook-endpoints/${encodeURIComponent(endpointId)}`, {
    headers: forMerchant(merchantId),
    body: change,
  });
}

export function deleteWebhookEndpoint(merchantId: string, endpointId: string): Promise<void> {
  return call('DELETE', `/v1/me/merchant/webhook-endpoints/${encodeURIComponent(endpointId)}`, {
    headers: forMerchant(merchantId),
  });
}

export async function revealWebhookSecret(merchantId: string, endpointId: string): Promise<string> {
  return (
    await call<{ secret: string }>(
      'GET',
      `/v1/me/merchant/webhook-endpoints/${encodeURIComponent(endpointId)}/secret`,
      {
        headers: forMerchant(merchantId),
      },
    )
  ).secret;
}

export function pingWebhookEndpoint(merchantId: string, endpointId: string): Promise<WebhookDelivery> {
  return call('POST', `/v1/me/merchant/webhook-endpoints/${encodeURIComponent(endpointId)}/ping`, {
    headers: forMerchant(merchantId),
  });
}

export async function fetchWebhookDeliveries(
  merchantId: string,
  endpointId: string,
): Promise<WebhookDelivery[]> {
  return (
    await call<{ deliveries: WebhookDelivery[] }>(
      'GET',
      `/v1/me/merchant/webhook-endpoints/${encodeURIComponent(endpointId)}/deliveries?limit=100`,
      { headers: forMerchant(merchantId) },
    )
  ).deliveries;
}

export function resendWebhookDelivery(merchantId: string, deliveryId: string): Promise<WebhookDelivery> {
  return call('POST', `/v1/me/merchant/webhook-deliveries/${encodeURIComponent(deliveryId)}/resend`, {
    headers: forMerchant(merchantId),
  });
}

// ---- partners (the owner's; docs/developers.md "Partners", ADR 0023) ----

export interface PartnerGrant {
  id: string;
  /** The merchant that granted access. */
  merchantId: string;
  merchantName: string;
  /** The partner granted access: its keys act for the merchant with `Qianbao-Merchant`. */
  partnerMerchantId: string;
  partnerName: string;
  scopes: ApiScope[];
  status: 'active' | 'revoked';
  createdAt: string;
  revokedAt: string | null;
}

export const partnerKeys = {
  given: (id: string) => ['portal', id, 'partner-grants'] as const,
  received: (id: string) => ['portal', id, 'partner-grants', 'received'] as const,
};

export async function fetchPartnerGrants(merchantId: string): Promise<PartnerGrant[]> {
  return (
    await call<{ grants: PartnerGrant[] }>('GET', '/v1/me/merchant/partner-grants', {
      headers: forMerchant(merchantId),
    })
  ).grants;
}

export async function fetchReceivedPartnerGrants(merchantId: string): Promise<PartnerGrant[]> {
  return (
    await call<{ grants: PartnerGrant[] }>('GET', '/v1/me/merchant/partner-grants/received', {
      headers: forMerchant(merchantId),
    })
  ).grants;
}

export function grantPartner(
  merchantId: string,
  input: { partnerMerchantId: string; scopes: ApiScope[] },
): Promise<PartnerGrant> {
  return call<PartnerGrant>('POST', '/v1/me/merchant/partner-grants', {
    headers: forMerchant(merchantId),
    body: input,
  });
}

export function revokePartnerGrant(merchantId: string, grantId: string): Promise<PartnerGrant> {
  return call<PartnerGrant>('DELETE', `/v1/me/merchant/partner-grants/${encodeURIComponent(grantId)}`, {
    headers: forMerchant(merchantId),
  });
}
