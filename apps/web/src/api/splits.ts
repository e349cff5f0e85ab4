/**
 * Splitting a bill (AA 收款, issue 13), typed for the screens: the server's routes in
 * apps/server/src/modules/splits/routes.ts (docs/splits.md). The organiser creates a split (by a
 * number of people, shared by link, or named participants by mobile number), follows who has
 * paid, reminds, closes and refunds under /v1/me/splits; a participant reads and pays a split by
 * its link's token (or id) under /v1/splits/:ref, after a preview, with an Idempotency-Key and the
 * PIN or a passkey.
 */
import type { MoneyJson } from '@qianbao/money';
import { api } from './client.ts';
import type { Confirmation, ConfirmationPlan, PaymentToConfirm, Refusal } from './money.ts';

/** Defaults of docs/splits.md (the server may be configured otherwise: its refusals then say so). */
export const MAX_PEOPLE = 100;
export const MAX_TOTAL_FEN = 5_000_000n;
export const MAX_TITLE_LENGTH = 30;

export type ShareState = 'own' | 'unpaid' | 'paying' | 'paid' | 'refunding' | 'refunded';
export type SplitStatus = 'open' | 'completed' | 'closed';

export interface SplitShare {
  id: string;
  position: number;
  amount: MoneyJson;
  /** Who it is for (named) or who took it (open); null: nobody yet. */
  participant: { displayName: string } | null;
  state: ShareState;
  paidAt: string | null;
  refundedAt: string | null;
}

export interface Split {
  id: string;
  title: string;
  organiser: { displayName: string };
  mode: 'open' | 'named';
  split: 'equal' | 'custom';
  total: MoneyJson;
  shareCount: number;
  includesOrganiser: boolean;
  status: SplitStatus;
  /** Of the others' shares: how many are paid (refunded ones included). */
  paidCount: number;
  payableCount: number;
  mine: boolean;
  myShare: SplitShare | null;
  /** An open split, to a holder without a share: what paying now would take. */
  nextShare: MoneyJson | null;
  /** The organiser only. */
  shares: SplitShare[] | null;
  collected: MoneyJson | null;
  outstanding: MoneyJson | null;
  lastRemindedAt: string | null;
  link: string;
  qrPayload: string;
  createdAt: string;
  closedAt: string | null;
  completedAt: string | null;
}

export interface SplitRequest {
  title: string;
  amount: MoneyJson;
  split: 'equal' | 'custom';
  includeMe: boolean;
  /** Open: how many people in all (the organiser counted with includeMe). */
  people?: number;
  /** Named: by mobile number; `amount` for custom shares. */
  participants?: { phone: string; amount?: MoneyJson }[];
  /** Custom with includeMe: the organiser's own share. */
  myAmount?: MoneyJson;
}

export interface SplitPayPreview {
  split: Split;
  amount: MoneyJson;
  confirmation: ConfirmationPlan;
  payment: PaymentToConfirm;
  refusal: Refusal | null;
}

export const splitsKey = ['splits'] as const;

/** Moves no money; a retry with the same key answers the same split. */
export function createSplit(request: SplitRequest, idempotencyKey: string): Promise<Split> {
  return api.post<Split>('/v1/me/splits', request, { headers: { 'Idempotency-Key': idempotencyKey } });
}

export async function fetchMySplits(role: 'organiser' | 'participant'): Promise<Split[]> {
  return (await api.get<{ splits: Split[] }>(`/v1/me/splits?role=${role}&limit=50`)).splits;
}

/** One of my splits: every share, who has paid, collected and outstanding. */
export function fetchOrganisedSplit(id: string): Promise<Split> {
  return api.get<Split>(`/v1/me/splits/${encodeURIComponent(id)}`);
}

export function remindSplit(id: string): Promise<{ reminded: number; nextReminderAt: string }> {
  return api.post(`/v1/me/splits/${encodeURIComponent(id)}/reminders`, {});
}

export function closeSplit(id: string): Promise<Split> {
  return api.post<Split>(`/v1/me/splits/${encodeURIComponent(id)}/close`, {});
}

/** Give a paid share back: the PIN (never password-free), under one Idempotency-Key per attempt. */
export function refundShare(
  id: string,
  shareId: string,
  idempotencyKey: string,
  confirmation: Confirmation,
): Promise<Split> {
  return api.post<Split>(
    `/v1/me/splits/${encodeURIComponent(id)}/shares/${encodeURIComponent(shareId)}/refund`,
    { confirmation },
    { headers: { 'Idempotency-Key': idempotencyKey } },
  );
}

/**
 * A split as its participant sees it. A 401 here is an ordinary answer (the link opened by
 * someone not signed in): the screen asks them to sign in and come back.
 */
export function fetchSplit(ref: string): Promise<Split> {
  return api.get<Split>(`/v1/splits/${encodeURIComponent(ref)}`, { reportUnauthorized: false });
}

/** Before paying: the amount, how to confirm, what would refuse it now. */
export function previewSplitPayment(ref: string): Promise<SplitPayPreview> {
  return api.post<SplitPayPreview>(
    `/v1/splits/${encodeURIComponent(ref)}/preview`,
    {},
    { reportUnauthorized: false },
  );
}

export function paySplit(ref: string, idempotencyKey: string, confirmation: Confirmation): Promise<Split> {
  return api.post<Split>(
    `/v1/splits/${encodeURIComponent(ref)}/pay`,
    { confirmation },
    { headers: { 'Idempotency-Key': idempotencyKey }, reportUnauthorized: false },
  );
}

/** The ref a split is opened by: its link's token, else its id. */
export function splitRefOf(split: Pick<Split, 'id' | 'link'>): string {
  return /\/splits\/([\w-]+)$/.exec(split.link)?.[1] ?? split.id;
}

const fenOf = (value: MoneyJson | null | undefined) => (value ? BigInt(value.amount) : 0n);

/** Equal shares as the server cuts them (largest remainder): the larger and the smaller. */
export function equalShares(
  totalFen: bigint,
  people: number,
): { high: bigint; low: bigint; highCount: number } {
  const count = BigInt(people);
  const low = totalFen / count;
  const remainder = Number(totalFen % count);
  return { high: remainder > 0 ? low + 1n : low, low, highCount: remainder };
}

export function sumFen(values: (MoneyJson | null | undefined)[]): bigint {
  return values.reduce((sum, value) => sum + fenOf(value), 0n);
}
