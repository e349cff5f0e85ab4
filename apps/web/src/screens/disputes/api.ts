/**
 * Disputes (docs/disputes.md): the holder's side, typed for the screens; the server's routes are
 * apps/server/src/modules/disputes/routes.ts.
 */
import { api } from '../../api/client.ts';

export const REASONS = [
  'not_received',
  'not_as_described',
  'duplicate',
  'unauthorized',
  'amount_wrong',
  'other',
] as const;
export type Reason = (typeof REASONS)[number];

export type DisputeStatus =
  | 'opened'
  | 'investigating'
  | 'awaiting_merchant'
  | 'refunding'
  | 'resolved_refunded'
  | 'resolved_rejected'
  | 'withdrawn';

export const OPEN_STATUSES: readonly DisputeStatus[] = [
  'opened',
  'investigating',
  'awaiting_merchant',
  'refunding',
];

export const MAX_EVIDENCE = 5;
export const MAX_EVIDENCE_BYTES = 5 * 1024 * 1024;
export const MAX_TEXT_CHARS = 1000;
export const EVIDENCE_ACCEPT = 'image/jpeg,image/png,application/pdf';

interface Money {
  amount: string;
  currency: string;
}

export interface Dispute {
  id: string;
  transactionId: string;
  kind: 'merchant_payment' | 'transfer' | 'top_up' | 'withdrawal' | 'bank_transfer';
  status: DisputeStatus;
  reason: Reason;
  text: string;
  amount: Money;
  transactionAmount: Money;
  transactionAt: string;
  counterparty: string | null;
  merchantOrderId: string | null;
  refund: { method: 'merchant_refund' | 'chargeback' | 'goodwill'; amount: Money } | null;
  decisionReason: string | null;
  lastFailure: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface TimelineEntry {
  at: string;
  actor: 'holder' | 'operator' | 'merchant' | 'system';
  step: string;
  fromStatus: DisputeStatus | null;
  toStatus: DisputeStatus;
  note: string | null;
}

export interface Evidence {
  id: string;
  contentType: string;
  fileName: string;
  sizeBytes: number;
  createdAt: string;
}

export interface DisputeDetail {
  dispute: Dispute;
  timeline: TimelineEntry[];
  evidence: Evidence[];
}

export interface Eligibility {
  disputable: boolean;
  refusal: string | null;
  openDisputeId: string | null;
  latestDisputeId: string | null;
  kind: Dispute['kind'] | null;
}

export const disputeKeys = {
  all: ['disputes'] as const,
  list: ['disputes', 'list'] as const,
  one: (id: string) => ['disputes', 'one', id] as const,
  eligibility: (transactionId: string) => ['disputes', 'eligibility', transactionId] as const,
};

export const isOpen = (status: DisputeStatus) => OPEN_STATUSES.includes(status);

export const fetchEligibility = (transactionId: string) =>
  api.get<Eligibility>(`/v1/me/transactions/${encodeURIComponent(transactionId)}/dispute-eligibility`);

export const fetchDisputes = async () => (await api.get<{ disputes: Dispute[] }>('/v1/me/disputes')).disputes;

export const fetchDispute = (id: string) =>
  api.get<DisputeDetail>(`/v1/me/disputes/${encodeURIComponent(id)}`);

/** The Idempotency-Key is made once per form by the caller, so a retry opens nothing twice. */
export function openDispute(
  body: { transactionId: string; reason: Reason; text: string },
  idempotencyKey: string,
): Promise<Dispute> {
  return api.post<Dispute>('/v1/me/disputes', body, { headers: { 'idempotency-key': idempotencyKey } });
}

export function uploadEvidence(disputeId: string, file: File): Promise<Evidence> {
  const form = new FormData();
  form.append('file', file, file.name);
  return api.upload<Evidence>(`/v1/me/disputes/${encodeURIComponent(disputeId)}/evidence`, form);
}

export const withdrawDispute = (id: string) =>
  api.post<Dispute>(`/v1/me/disputes/${encodeURIComponent(id)}/withdraw`, {});

export const evidenceUrl = (disputeId: string, evidenceId: string) =>
  `/v1/me/disputes/${encodeURIComponent(disputeId)}/evidence/${encodeURIComponent(evidenceId)}`;
