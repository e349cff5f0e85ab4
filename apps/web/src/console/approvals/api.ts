/**
 * The maker-checker API of the console's 配置 and 调账 pages (server: modules/approvals,
 * docs/approvals.md). Amounts are strings of fen, never numbers.
 */
import type { MoneyJson } from '@qianbao/money';
import { consoleRequest } from '../api.ts';

export type ChangeStatus = 'proposed' | 'approved' | 'rejected' | 'cancelled' | 'applied' | 'failed';
export type ChangeKind = 'configuration' | 'adjustment';

export interface OperatorRef {
  id: string;
  displayName: string;
}

export interface Change {
  id: string;
  kind: ChangeKind;
  setting: string | null;
  value: Record<string, unknown> | null;
  adjustment: {
    userId: string;
    direction: 'credit' | 'debit';
    amount: MoneyJson;
    reasonCode: AdjustmentReason;
    note: string;
  } | null;
  reason: string;
  maker: OperatorRef;
  createdAt: string;
  effectiveAt: string;
  status: ChangeStatus;
  checker: OperatorRef | null;
  decidedAt: string | null;
  decisionReason: string | null;
  movementId: string | null;
  failureCode: string | null;
  finishedAt: string | null;
}

export interface SettingView {
  setting: string;
  value: Record<string, unknown>;
  source: 'default' | 'change';
  changeId: string | null;
  effectiveAt: string | null;
  scheduled: { id: string; value: Record<string, unknown>; effectiveAt: string }[];
}

export const ADJUSTMENT_REASONS = ['goodwill', 'correction', 'fee_refund', 'chargeback_reversal'] as const;
export type AdjustmentReason = (typeof ADJUSTMENT_REASONS)[number];

const BASES: Record<ChangeKind, string> = {
  configuration: '/v1/operator/configuration/changes',
  adjustment: '/v1/operator/adjustments',
};

export const approvalKeys = {
  all: ['console', 'approvals'] as const,
  list: (kind: ChangeKind, status: string) => ['console', 'approvals', kind, status] as const,
  configuration: ['console', 'approvals', 'configuration', 'values'] as const,
};

/** A fresh key per user action: a retried click of the same action reuses it (see useIdempotencyKey). */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

export async function fetchChanges(kind: ChangeKind, status: string): Promise<Change[]> {
  const query = status === 'all' ? '' : `?status=${encodeURIComponent(status)}`;
  return (await consoleRequest<{ changes: Change[] }>('GET', `${BASES[kind]}${query}`)).changes;
}

export function decideChange(input: {
  kind: ChangeKind;
  id: string;
  decision: 'approve' | 'reject';
  reason?: string;
  idempotencyKey: string;
}): Promise<Change> {
  return consoleRequest<Change>('POST', `${BASES[input.kind]}/${input.id}/decision`, {
    body: { decision: input.decision, ...(input.reason ? { reason: input.reason } : {}) },
    headers: { 'Idempotency-Key': input.idempotencyKey },
  });
}

export function cancelChange(kind: ChangeKind, id: string): Promise<Change> {
  return consoleRequest<Change>('POST', `${BASES[kind]}/${id}/cancel`);
}

export async function fetchConfiguration(): Promise<SettingView[]> {
  return (await consoleRequest<{ settings: SettingView[] }>('GET', '/v1/operator/configuration')).settings;
}

export function proposeConfiguration(input: {
  setting: string;
  value: Record<string, unknown>;
  effectiveAt?: string;
  reason: string;
  idempotencyKey: string;
}): Promise<Change> {
  const { idempotencyKey, ...body } = input;
  return consoleRequest<Change>('POST', BASES.configuration, {
    body,
    headers: { 'Idempotency-Key': idempotencyKey },
  });
}

export interface HolderFound {
  userId: string;
  phone: string;
  balance: MoneyJson;
}

export function findHolder(phone: string): Promise<HolderFound> {
  return consoleRequest<HolderFound>(
    'GET',
    `/v1/operator/adjustments/holder?phone=${encodeURIComponent(phone)}`,
  );
}

export function proposeAdjustment(input: {
  userId: string;
  direction: 'credit' | 'debit';
  amount: MoneyJson;
  reasonCode: AdjustmentReason;
  note: string;
  idempotencyKey: string;
}): Promise<Change> {
  const { idempotencyKey, ...body } = input;
  return consoleRequest<Change>('POST', BASES.adjustment, {
    body,
    headers: { 'Idempotency-Key': idempotencyKey },
  });
}
