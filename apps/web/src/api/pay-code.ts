/**
 * The payer's payment code (付款码) and its charges at a till (docs/merchants.md, "Payment code").
 *
 * Turning the code on (`POST /v1/me/payment-code`, with the PIN or a passkey) answers a secret
 * once; the app keeps it in this browser's localStorage under the signed-in holder's id, so
 * another holder signing in on the same browser never sees it, and derives the 18-digit codes
 * from it and the clock with `@qianbao/qr` — offline, as a till in a basement needs. The server
 * keeps one active secret per (holder, device): when it says this device's code is off (turned
 * off elsewhere, issued again, the device reported lost) the stored secret is forgotten.
 *
 * Above the payer's password-free limit a charge waits for the payer to confirm it here with the
 * PIN (`POST /v1/me/charges/:id/confirm`, an Idempotency-Key per attempt) or decline it.
 */
import type { MoneyJson } from '@qianbao/money';
import { api } from './client.ts';
import type { Confirmation, MerchantOrder, PaymentToConfirm } from './money.ts';

export interface PaymentCodeStatus {
  active: boolean;
  deviceIndex: number | null;
  stepSeconds: number | null;
  issuedAt: string | null;
  /** What a passkey signs to turn the code on. */
  confirmationPayment: PaymentToConfirm;
}

/** What this browser keeps to make codes: the secret (base64url), the device index, the step. */
export interface StoredPaymentCode {
  secret: string;
  deviceIndex: number;
  stepSeconds: number;
  issuedAt: string;
}

export type ChargeStatus =
  'pending' | 'awaiting_confirmation' | 'succeeded' | 'declined' | 'timed_out' | 'failed';

export interface Charge {
  id: string;
  status: ChargeStatus;
  /** The error code that refused the payment (`failed`). */
  failure: string | null;
  merchantName: string;
  merchantOrderId: string;
  amount: MoneyJson;
  description: string | null;
  /** Until when the payer may confirm (awaiting_confirmation). */
  confirmBy: string | null;
  /** What a passkey signs to confirm it. */
  payment: PaymentToConfirm;
  order: MerchantOrder;
  createdAt: string;
  updatedAt: string;
}

/** A charge that will not change any more. */
export function chargeEnded(charge: Pick<Charge, 'status'>): boolean {
  return charge.status !== 'pending' && charge.status !== 'awaiting_confirmation';
}

export const paymentCodeKey = ['payment-code'] as const;
export const pendingChargesKey = ['charges', 'pending'] as const;

function idempotent(key: string) {
  return { headers: { 'Idempotency-Key': key } };
}

// ---- The payer's side ----

export function fetchPaymentCodeStatus(): Promise<PaymentCodeStatus> {
  return api.get<PaymentCodeStatus>('/v1/me/payment-code');
}

export function turnOnPaymentCode(confirmation: Confirmation): Promise<StoredPaymentCode> {
  return api.post<StoredPaymentCode>('/v1/me/payment-code', { confirmation });
}

export function turnOffPaymentCode(): Promise<void> {
  return api.delete<void>('/v1/me/payment-code');
}

export async function fetchPendingCharges(): Promise<Charge[]> {
  return (await api.get<{ charges: Charge[] }>('/v1/me/charges/pending')).charges;
}

export function fetchCharge(id: string): Promise<Charge> {
  return api.get<Charge>(`/v1/me/charges/${encodeURIComponent(id)}`);
}

export function confirmCharge(id: string, key: string, confirmation: Confirmation): Promise<Charge> {
  return api.post<Charge>(
    `/v1/me/charges/${encodeURIComponent(id)}/confirm`,
    { confirmation },
    idempotent(key),
  );
}

export function declineCharge(id: string): Promise<Charge> {
  return api.post<Charge>(`/v1/me/charges/${encodeURIComponent(id)}/decline`);
}

// ---- The till's side ----

/**
 * Charges a scanned code. The order number is the Idempotency-Key too: a retry of the same
 * attempt (no answer, a 5xx) sends both again and is answered as the first.
 */
export function chargePaymentCode(input: {
  paymentCode: string;
  amount: MoneyJson;
  merchantOrderId: string;
  description?: string;
}): Promise<Charge> {
  return api.post<Charge>('/v1/me/merchant/charges', input, idempotent(input.merchantOrderId));
}

export function fetchMerchantCharge(id: string): Promise<Charge> {
  return api.get<Charge>(`/v1/me/merchant/charges/${encodeURIComponent(id)}`);
}

/** What the till reads: exactly 18 digits (spaces and dashes of a typed code dropped). */
export function readPaymentCode(text: string): string | null {
  const digits = text.replace(/[\s-]/g, '');
  return /^\d{18}$/.test(digits) ? digits : null;
}

// ---- This browser's secret ----

const STORAGE_PREFIX = 'qb_payment_code:';

function storageKey(userId: string): string {
  return `${STORAGE_PREFIX}${userId}`;
}

/**
 * Forget every payment-code secret this browser holds (at sign-out): whoever uses the browser next
 * cannot show the holder's codes; the holder turns the code on again with the PIN.
 */
export function forgetPaymentCodes(): void {
  try {
    const keys = Array.from({ length: localStorage.length }, (_, i) => localStorage.key(i));
    for (const key of keys) if (key?.startsWith(STORAGE_PREFIX)) localStorage.removeItem(key);
  } catch {
    // No storage: nothing kept.
  }
}

export function loadStoredCode(userId: string): StoredPaymentCode | null {
  let raw: string | null;
  try {
    raw = localStorage.getItem(storageKey(userId));
  } catch {
    return null;
  }
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Partial<StoredPaymentCode>;
    if (
      typeof value.secret === 'string' &&
      /^[\w-]+$/.test(value.secret) &&
      Number.isInteger(value.deviceIndex) &&
      Number.isInteger(value.stepSeconds) &&
      typeof value.issuedAt === 'string'
    ) {
      return value as StoredPaymentCode;
    }
  } catch {
    // Not ours, or damaged: as if there were none.
  }
  return null;
}

export function storeCode(userId: string, code: StoredPaymentCode): void {
  localStorage.setItem(storageKey(userId), JSON.stringify(code));
}

export function forgetStoredCode(userId: string): void {
  localStorage.removeItem(storageKey(userId));
}

/** Base64url (no padding) → bytes. */
export function secretBytes(secret: string): Uint8Array {
  const base64 = secret.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** "881234567890123456" → "8812 3456 7890 123456": easier to read out and to type. */
export function groupCode(code: string): string {
  return [code.slice(0, 4), code.slice(4, 8), code.slice(8, 12), code.slice(12)].filter(Boolean).join(' ');
}
