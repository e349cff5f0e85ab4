/**
 * Real-name tiers and limits (docs/kyc.md), typed for the screens. Amounts are strings of fen;
 * `null` means the tier has no such limit.
 */
import { api } from './client.ts';

export type Tier = 'T0' | 'T1' | 'T2' | 'T3';

export interface TierLimits {
  tier: Tier;
  balanceCap: string | null;
  singlePayment: string | null;
  daily: string | null;
  yearly: string | null;
  mayWithdraw: boolean;
  maySendAbroad: boolean;
  currency: 'CNY';
}

export type ReviewStatus = 'pending' | 'approved' | 'rejected';

export interface KycProfile {
  tier: Tier;
  limits: TierLimits;
  /** Masked by the server: `*明`, `1101**********0010`. */
  realName: { name: string; idNumber: string; verifiedAt: string } | null;
  sameNameCard: boolean;
  review: { id: string; status: ReviewStatus; reason: string | null; submittedAt: string } | null;
}

export const kycKey = ['kyc'] as const;
export const tiersKey = ['kyc-tiers'] as const;

export function fetchKyc(): Promise<KycProfile> {
  return api.get<KycProfile>('/v1/me/kyc');
}

export async function fetchTiers(): Promise<TierLimits[]> {
  return (await api.get<{ tiers: TierLimits[] }>('/v1/kyc/tiers')).tiers;
}

export function verifyRealName(input: { legalName: string; idNumber: string }): Promise<KycProfile> {
  return api.post<KycProfile>('/v1/me/kyc/real-name', input);
}

export const DOCUMENT_KINDS = ['id_front', 'id_back', 'selfie'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

export function uploadDocuments(files: Record<DocumentKind, File>): Promise<KycProfile> {
  const form = new FormData();
  for (const kind of DOCUMENT_KINDS) form.append(kind, files[kind], files[kind].name);
  return api.upload<KycProfile>('/v1/me/kyc/documents', form);
}
