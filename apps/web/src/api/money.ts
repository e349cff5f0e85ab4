/**
 * Cards, payments (top-up, withdrawal, wallet and bank transfers, paying a request), receive
 * codes, payment requests and history, typed for the screens. Shapes follow the server's OpenAPI
 * document (`/openapi.json`); docs/payments.md, docs/cards-and-funding.md and docs/transfers.md
 * explain the rules.
 *
 * Every payment goes through the payment resource: `POST /v1/payments` quotes it (a stored
 * payment, `requires_confirmation`), `POST /v1/payments/:id/confirm` makes it. A confirm carries
 * an `Idempotency-Key`: one per attempt the holder makes. A retry of the same attempt (a dropped
 * connection, a 5xx) sends the same key and body again; a new try (another PIN after a wrong one)
 * is a new attempt with a new key, because the server keeps the first answer of a key, refusals
 * included.
 */
import type { MoneyJson } from '@qianbao/money';
import { parseDecimal } from '@qianbao/money';
import { ApiError, api } from './client.ts';

export type Factor = 'none' | 'pin' | 'passkey' | 'totp';

/** What confirms a payment: `{}` asks for a password-free one. */
export type Confirmation =
  Record<string, never> | { pin: string } | { totpCode: string } | { passkeyResponse: unknown };

export interface PaymentToConfirm {
  id: string;
  amount: string;
  currency: string;
  payee: string;
}

export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

function idempotent(key: string) {
  return { headers: { 'Idempotency-Key': key } };
}

/**
 * Why typed text is not an amount, to say so while the person types: more than two decimals
 * (fen is the smallest unit), zero, or not a number at all. Null when it is fine — or empty.
 */
export type AmountProblem = 'decimals' | 'zero' | 'format';

export function amountProblem(text: string): AmountProblem | null {
  const trimmed = text.trim();
  if (trimmed === '' || parseYuan(trimmed) !== null) return null;
  if (/^\d*\.\d{3,}$/.test(trimmed)) return 'decimals';
  if (/^\d*\.?\d*$/.test(trimmed) && /\d/.test(trimmed) && !/[1-9]/.test(trimmed)) return 'zero';
  return 'format';
}

/** "12.34" → `{ amount: "1234", currency: "CNY" }`; null when it is not a positive amount in yuan. */
export function parseYuan(text: string): MoneyJson | null {
  // "12." and ".5" are what a person types on the way to "12.50" and "0.50": they mean that.
  const trimmed = text.trim().replace(/\.$/, '').replace(/^\./, '0.');
  if (!/^\d+(\.\d{1,2})?$/.test(trimmed)) return null;
  try {
    // parseDecimal refuses leading zeros ("05"); a person may type them.
    const fen = parseDecimal(trimmed.replace(/^0+(?=\d)/, ''), 'CNY');
    return fen > 0n ? { amount: fen.toString(), currency: 'CNY' } : null;
  } catch {
    return null;
  }
}

export function cny(fen: string): MoneyJson {
  return { amount: fen, currency: 'CNY' };
}

/**
 * Why a previewed or quoted payment would be refused if confirmed now (as the API's error body
 * says it). The screens show it and never ask for the PIN then.
 */
export interface Refusal {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

/** A refusal as the error the payment itself would answer, for the screens' error messages. */
export function refusalError(refusal: Refusal | null | undefined): ApiError | null {
  if (!refusal) return null;
  return new ApiError({
    status: 422,
    code: refusal.code,
    message: refusal.message,
    details: refusal.details,
  });
}

// ---- Cards ----

export interface BankName {
  zh: string;
  en: string;
}

export interface Card {
  id: string;
  maskedNumber: string;
  last4: string;
  bankCode: string;
  bankName: BankName;
  cardType: 'debit' | 'credit';
  scheme: string;
  isDefault: boolean;
  boundAt: string;
}

export interface CardVerification {
  verificationId: string;
  card: Pick<Card, 'maskedNumber' | 'last4' | 'bankCode' | 'bankName' | 'cardType' | 'scheme'>;
  expiresAt: string;
}

export const cardsKey = ['cards'] as const;

export async function fetchCards(): Promise<Card[]> {
  return (await api.get<{ cards: Card[] }>('/v1/me/cards')).cards;
}

export function startCardVerification(input: {
  cardNumber: string;
  phone: string;
}): Promise<CardVerification> {
  return api.post<CardVerification>('/v1/me/cards/verification', input);
}

export function bindCard(input: { verificationId: string; smsCode: string }): Promise<Card> {
  return api.post<Card>('/v1/me/cards', input);
}

export function setDefaultCard(id: string): Promise<Card> {
  return api.post<Card>(`/v1/me/cards/${encodeURIComponent(id)}/default`);
}

export function unbindCard(id: string): Promise<unknown> {
  return api.delete(`/v1/me/cards/${encodeURIComponent(id)}`);
}

export function bankNameOf(name: BankName, language: string): string {
  return language === 'en' ? name.en : name.zh;
}

/** The Luhn check a card number must pass (the server checks again). */
export function luhnValid(digits: string): boolean {
  if (!/^\d{13,19}$/.test(digits)) return false;
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

// ---- Top-up, withdrawal and transfer to a bank account ----

export type FundingKind = 'top_up' | 'withdrawal' | 'bank_transfer';
/** `refunded`: a bank transfer whose money was held and given back. */
export type FundingStatus = 'processing' | 'succeeded' | 'failed' | 'refunded';

export interface BankAccountView {
  maskedNumber: string;
  last4: string;
  bankCode: string;
  bankName: BankName;
  /** The account holder's name, masked (`*明`). */
  name: string;
}

export interface Funding {
  id: string;
  kind: FundingKind;
  status: FundingStatus;
  amount: MoneyJson;
  fee: MoneyJson;
  total: MoneyJson;
  /** Top-up and withdrawal; null for a bank transfer. */
  card: Pick<Card, 'id' | 'maskedNumber' | 'last4' | 'bankCode' | 'bankName'> | null;
  /** Bank transfer; null otherwise. */
  account: BankAccountView | null;
  note: string | null;
  failure: { code: string; details: Record<string, unknown> } | null;
  bankReference: string | null;
  createdAt: string;
  completedAt: string | null;
  timeline: { state: string; status: FundingStatus; at: string; note?: string }[];
}

export interface Bank {
  code: string;
  name: BankName;
}

export async function fetchBanks(): Promise<Bank[]> {
  return (await api.get<{ banks: Bank[] }>('/v1/banks')).banks;
}

export interface BankAccountInput {
  bankCode: string;
  accountNumber: string;
  accountName: string;
}

export function fetchFunding(id: string): Promise<Funding> {
  return api.get<Funding>(`/v1/me/funding/${encodeURIComponent(id)}`);
}

// ---- Transfers ----

export interface LimitLeft {
  max: MoneyJson | null;
  remaining: MoneyJson | null;
}

export type Payee = { toPhone: string } | { toQr: string };

export interface Transfer {
  id: string;
  kind: 'phone' | 'qr' | 'payment_request';
  /** `under_review`: held by the risk engine until an operator decides (then succeeded, rejected or expired). */
  status: 'succeeded' | 'under_review' | 'rejected' | 'expired';
  direction: 'in' | 'out';
  amount: MoneyJson;
  note: string | null;
  counterparty: { displayName: string };
  payer: { displayName: string };
  payee: { displayName: string };
  paymentRequestId: string | null;
  createdAt: string;
}

/** Passkey options bound to this payment (and which factors it accepts). */
export function confirmationOptions(payment: PaymentToConfirm): Promise<{
  factor: Factor;
  accepted: Factor[];
  reason: string;
  passkeyOptions?: Record<string, unknown>;
}> {
  return api.post('/v1/me/confirmations/options', { payment });
}

// ---- Merchants (docs/merchants.md) ----

/** A scanned merchant code, as the server reads it (`POST /v1/merchant-codes/scan`). */
export interface ScannedMerchant {
  kind: 'merchant_static' | 'merchant_order';
  merchant: { name: string; city: string; mcc: string };
  /** Fixed by an order's code; null: the payer types it. */
  amount: MoneyJson | null;
  order: { merchantOrderId: string; description: string | null; expiresAt: string } | null;
}

export interface MerchantOrder {
  id: string;
  merchantOrderId: string;
  /** `code`: the payer's payment code, charged at a till. */
  channel: 'static' | 'dynamic' | 'code';
  status: 'open' | 'paying' | 'paid' | 'closed' | 'expired';
  amount: MoneyJson;
  description: string | null;
  merchantName: string;
  payer: string | null;
  fee: MoneyJson;
  refunded: MoneyJson;
  transferId: string | null;
  paidAt: string | null;
  expiresAt: string;
  createdAt: string;
}

export function scanMerchantCode(qr: string): Promise<ScannedMerchant> {
  return api.post<ScannedMerchant>('/v1/merchant-codes/scan', { qr });
}

// ---- Payments: one resource for every kind (docs/payments.md) ----

export type PaymentKind =
  | 'transfer'
  | 'payment_request'
  | 'top_up'
  | 'withdrawal'
  | 'bank_transfer'
  | 'merchant_static'
  | 'merchant_order';

/**
 * `requires_confirmation` until confirmed (again after a refused confirm); `processing` while the
 * bank works; `succeeded` or `failed` at the end; `canceled`; `expired` 15 minutes after its quote.
 */
export type PaymentStatus =
  'requires_confirmation' | 'processing' | 'succeeded' | 'failed' | 'canceled' | 'expired';

/** How a payment is confirmed now, and which factors it accepts. */
export interface ConfirmationPlan {
  factor: Factor;
  accepted: Factor[];
  reason: string;
}

/** What a transfer's (or a paid request's) quote says: the payee, masked, and the limits left. */
export interface TransferDetails {
  payee: { displayName: string; realNameVerified: boolean };
  fixedAmount: MoneyJson | null;
  limits: { single: LimitLeft; daily: LimitLeft; yearly: LimitLeft; passwordFreeDaily: LimitLeft | null };
}

export interface WithdrawalDetails {
  freeRemaining: MoneyJson;
  arrives: string;
}

export interface BankTransferDetails {
  arrives: string;
  account: BankAccountView;
}

/** Per kind: the fields that create it, what its quote adds (`details`), and its `result`. */
export interface PaymentKinds {
  transfer: {
    fields: Payee & { amount: MoneyJson; note?: string };
    details: TransferDetails;
    result: Transfer;
  };
  payment_request: { fields: { paymentRequestId: string }; details: TransferDetails; result: Transfer };
  top_up: { fields: { cardId: string; amount: MoneyJson }; details: Record<string, never>; result: Funding };
  withdrawal: { fields: { cardId: string; amount: MoneyJson }; details: WithdrawalDetails; result: Funding };
  bank_transfer: {
    fields: BankAccountInput & { amount: MoneyJson; note?: string };
    details: BankTransferDetails;
    result: Funding;
  };
  merchant_static: {
    fields: { qr: string; amount: MoneyJson };
    details: ScannedMerchant;
    result: MerchantOrder;
  };
  merchant_order: { fields: { qr: string }; details: ScannedMerchant; result: MerchantOrder };
}

export type PaymentFields<K extends PaymentKind> = PaymentKinds[K]['fields'];

/**
 * A payment: its quote, where it stands, and its outcome. Of several kinds, a union of them:
 * `kind` tells which `details` and `result` it has.
 */
export type PaymentIntent<K extends PaymentKind = PaymentKind> = K extends PaymentKind
  ? PaymentIntentOf<K>
  : never;

interface PaymentIntentOf<K extends PaymentKind> {
  id: string;
  kind: K;
  status: PaymentStatus;
  amount: MoneyJson;
  fee: MoneyJson;
  /** What leaves the wallet (for a top-up: what the card is charged). */
  total: MoneyJson;
  confirmation: ConfirmationPlan;
  /** What a passkey signs for the next confirm; after a refused confirm, GET it again. */
  payment: PaymentToConfirm;
  /** What would refuse it if confirmed now: a limit, the balance, the payee's cap. */
  refusal: Refusal | null;
  details: PaymentKinds[K]['details'];
  /** Once confirmed, the kind's own answer: the transfer, or the funding operation. */
  result: PaymentKinds[K]['result'] | null;
  /** Why the last confirm was refused. */
  lastError: Refusal | null;
  expiresAt: string;
  createdAt: string;
  updatedAt: string;
}

function paymentPath(payment: { id: string }, action = ''): string {
  return `/v1/payments/${encodeURIComponent(payment.id)}${action}`;
}

/** A quote that moves no money, stored as a payment to confirm within 15 minutes. */
export function createPayment<K extends PaymentKind>(
  kind: K,
  fields: PaymentFields<K>,
): Promise<PaymentIntent<K>> {
  return api.post<PaymentIntent<K>>('/v1/payments', { kind, ...fields });
}

/** The money moves (or a refusal is thrown, and the payment waits for a confirm again). */
export function confirmPayment<K extends PaymentKind>(
  payment: { id: string; kind: K },
  key: string,
  confirmation: Confirmation,
): Promise<PaymentIntent<K>> {
  return api.post<PaymentIntent<K>>(paymentPath(payment, '/confirm'), { confirmation }, idempotent(key));
}

export function fetchPayment<K extends PaymentKind>(payment: {
  id: string;
  kind: K;
}): Promise<PaymentIntent<K>> {
  return api.get<PaymentIntent<K>>(paymentPath(payment));
}

export function cancelPayment<K extends PaymentKind>(payment: {
  id: string;
  kind: K;
}): Promise<PaymentIntent<K>> {
  return api.post<PaymentIntent<K>>(paymentPath(payment, '/cancel'));
}

// ---- Receive code ----

export interface ReceiveCode {
  payload: string;
  qrSvg: string;
  qrDataUrl: string;
  amount: MoneyJson | null;
  displayName: string;
}

export function fetchReceiveCode(amountFen?: string): Promise<ReceiveCode> {
  const query = amountFen ? `?amount=${encodeURIComponent(amountFen)}` : '';
  return api.get<ReceiveCode>(`/v1/me/receive-code${query}`);
}

/** What a scanned or pasted code is: a receive code, a payment request, or neither. */
export function readScannedCode(
  text: string,
):
  | { toQr: string }
  | { requestId: string }
  | { merchantQr: string }
  | { redPacketRef: string }
  | { splitRef: string }
  | null {
  const trimmed = text.trim();
  // A group red packet: its QR (`qianbao://red-packet?t=…`) or its shared link (…/red-packets/<token>).
  const packet =
    /^qianbao:\/\/red-packet\?t=([\w-]+)/.exec(trimmed) ??
    /^https?:\/\/[^/]+\/red-packets\/([\w-]{20,})$/.exec(trimmed);
  if (packet?.[1]) return { redPacketRef: packet[1] };
  // A split bill (AA 收款): its QR (`qianbao://split?t=…`) or its link (…/splits/<token>).
  const split =
    /^qianbao:\/\/split\?t=([\w-]+)/.exec(trimmed) ??
    /^https?:\/\/[^/]+\/splits\/([\w-]{20,})$/.exec(trimmed);
  if (split?.[1]) return { splitRef: split[1] };
  // An EMVCo merchant code (payload format indicator 01 first): the server says whose it is.
  if (/^000201/.test(trimmed)) return { merchantQr: trimmed };
  if (/^qianbao:\/\/pay\?/.test(trimmed)) return { toQr: trimmed };
  const request =
    /^qianbao:\/\/request\?id=([\w-]+)/.exec(trimmed) ?? /\/pay\/requests\/([\w-]+)/.exec(trimmed);
  if (request?.[1]) return { requestId: request[1] };
  return null;
}

/** The fixed amount a receive code names (`&amount=<fen>`), if any. */
export function amountInCode(toQr: string): string | null {
  const match = /[?&]amount=(\d+)/.exec(toQr);
  return match?.[1] ?? null;
}

// ---- Payment requests ----

export type PaymentRequestStatus = 'open' | 'paying' | 'paid' | 'cancelled' | 'expired';

export interface PaymentRequest {
  id: string;
  amount: MoneyJson;
  note: string | null;
  requester: { displayName: string };
  status: PaymentRequestStatus;
  mine: boolean;
  expiresAt: string;
  createdAt: string;
  paidAt: string | null;
  cancelledAt: string | null;
  payment: PaymentToConfirm;
  link: string;
  qrPayload: string;
  qrDataUrl?: string;
}

export function createPaymentRequest(input: {
  amount: MoneyJson;
  note?: string;
  expiresInMinutes?: number;
}): Promise<PaymentRequest> {
  return api.post<PaymentRequest>('/v1/me/payment-requests', input);
}

export async function fetchMyPaymentRequests(): Promise<PaymentRequest[]> {
  return (await api.get<{ paymentRequests: PaymentRequest[] }>('/v1/me/payment-requests?limit=20'))
    .paymentRequests;
}

export function fetchPaymentRequest(id: string): Promise<PaymentRequest> {
  return api.get<PaymentRequest>(`/v1/payment-requests/${encodeURIComponent(id)}`);
}

export function cancelPaymentRequest(id: string): Promise<PaymentRequest> {
  return api.post<PaymentRequest>(`/v1/payment-requests/${encodeURIComponent(id)}/cancel`);
}

// ---- History ----

export type TransactionStatus = 'succeeded' | 'pending' | 'released';

export interface Transaction {
  id: string;
  type: string;
  label: { 'zh-CN': string; en: string };
  direction: 'in' | 'out';
  amount: MoneyJson;
  status: TransactionStatus;
  counterparty: { displayName: string } | null;
  note: string | null;
  ledgerCode: number;
  pendingId: string | null;
  paymentRequestId: string | null;
  /** A transfer to a bank account: its status page is /funding/<fundingId>. */
  fundingId: string | null;
  createdAt: string;
}

export interface TransactionDetail extends Transaction {
  timeline: { status: TransactionStatus; at: string; ledgerTransferId: string }[];
  parties: { payer: string; payee: string } | null;
  receiptUrl: string;
}

export interface HistoryFilters {
  type?: string;
  direction?: 'in' | 'out';
  from?: string;
  to?: string;
  minAmount?: string;
  maxAmount?: string;
  q?: string;
}

export const transactionsKey = ['transactions'] as const;

export function fetchTransactions(
  filters: HistoryFilters,
  cursor: string | null,
): Promise<{ transactions: Transaction[]; nextCursor: string | null }> {
  const query = new URLSearchParams({ limit: '20' });
  for (const [name, value] of Object.entries(filters)) {
    if (typeof value === 'string' && value !== '') query.set(name, value);
  }
  if (cursor) query.set('cursor', cursor);
  return api.get(`/v1/me/transactions?${query}`);
}

export function fetchTransaction(id: string): Promise<TransactionDetail> {
  return api.get<TransactionDetail>(`/v1/me/transactions/${encodeURIComponent(id)}`);
}

export function transactionLabel(item: Pick<Transaction, 'label'>, language: string): string {
  return language === 'en' ? item.label.en : item.label['zh-CN'];
}
