/**
 * The console's disputes (docs/disputes.md): the queue, one dispute with its timeline and
 * evidence, and the operator's steps; routes in apps/server/src/modules/disputes/routes.ts
 * (action `disputes:resolve`, every step audited).
 */
import { consoleRequest } from '../api.ts';

export type DisputeStatus =
  | 'opened'
  | 'investigating'
  | 'awaiting_merchant'
  | 'refunding'
  | 'resolved_refunded'
  | 'resolved_rejected'
  | 'withdrawn';
export type RefundMethod = 'merchant_refund' | 'chargeback' | 'goodwill';
export type DisputeKind = 'merchant_payment' | 'transfer' | 'top_up' | 'withdrawal' | 'bank_transfer';

export const QUEUE_FILTERS = ['open', 'resolved_refunded', 'resolved_rejected', 'withdrawn'] as const;
export type QueueFilter = (typeof QUEUE_FILTERS)[number];

interface Money {
  amount: string;
  currency: string;
}

export interface ConsoleDispute {
  id: string;
  userId: string;
  transactionId: string;
  kind: DisputeKind;
  status: DisputeStatus;
  reason: string;
  text: string;
  amount: Money;
  transactionAmount: Money;
  transactionAt: string;
  counterparty: string | null;
  merchantId: string | null;
  orderId: string | null;
  merchantOrderId: string | null;
  assignedOperatorId: string | null;
  refund: { method: RefundMethod; amount: Money } | null;
  decisionReason: string | null;
  lastFailure: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface ConsoleTimelineEntry {
  at: string;
  actor: 'holder' | 'operator' | 'merchant' | 'system';
  operatorId: string | null;
  step: string;
  fromStatus: DisputeStatus | null;
  toStatus: DisputeStatus;
  note: string | null;
}

export interface ConsoleEvidence {
  id: string;
  contentType: string;
  fileName: string;
  sizeBytes: number;
  createdAt: string;
}

export interface ConsoleDisputeDetail {
  dispute: ConsoleDispute;
  timeline: ConsoleTimelineEntry[];
  evidence: ConsoleEvidence[];
}

export const disputeKeys = {
  all: ['console', 'disputes'] as const,
  list: (filter: QueueFilter) => ['console', 'disputes', 'list', filter] as const,
  one: (id: string) => ['console', 'disputes', 'one', id] as const,
};

/** The refund methods a dispute of this kind allows (the server says the same). */
export const methodsOf = (kind: DisputeKind): RefundMethod[] =>
  kind === 'merchant_payment' ? ['merchant_refund', 'chargeback'] : ['goodwill'];

export const isOpen = (status: DisputeStatus) =>
  status === 'opened' ||
  status === 'investigating' ||
  status === 'awaiting_merchant' ||
  status === 'refunding';

export const fetchQueue = (filter: QueueFilter) =>
  consoleRequest<{ disputes: ConsoleDispute[]; openCount: number }>(
    'GET',
    `/v1/operator/disputes?status=${filter}&limit=100`,
  );

export const fetchDispute = (id: string) =>
  consoleRequest<ConsoleDisputeDetail>('GET', `/v1/operator/disputes/${encodeURIComponent(id)}`);

export const evidenceUrl = (disputeId: string, evidenceId: string) =>
  `/v1/operator/disputes/${encodeURIComponent(disputeId)}/evidence/${encodeURIComponent(evidenceId)}`;

export type Step =
  | { path: 'take'; body: Record<string, never> }
  | { path: 'ask-merchant'; body: { note: string } }
  | { path: 'merchant-answer'; body: { accepts: boolean; text: string } }
  | { path: 'reject'; body: { reason: string } }
  | { path: 'refund'; body: { method: RefundMethod; amount?: Money; reason: string } };

/** One step; a refund carries the Idempotency-Key its dialog made (a retry is the same refund). */
export function takeStep(id: string, step: Step, idempotencyKey?: string): Promise<ConsoleDispute> {
  return consoleRequest<ConsoleDispute>(
    'POST',
    `/v1/operator/disputes/${encodeURIComponent(id)}/${step.path}`,
    {
      body: step.body,
      ...(idempotencyKey ? { headers: { 'idempotency-key': idempotencyKey } } : {}),
    },
  );
}
