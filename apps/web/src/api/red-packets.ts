/**
 * Red packets (红包, issue 13), typed for the screens: the server's routes in
 * apps/server/src/modules/redpackets/routes.ts (docs/redpackets.md). A packet is sent after a
 * preview (what would refuse it, how to confirm), with an Idempotency-Key and the PIN or a
 * passkey; a group packet is opened by its link's token, a one-to-one packet by its id.
 */
import type { MoneyJson } from '@qianbao/money';
import { api } from './client.ts';
import type { Confirmation, ConfirmationPlan, PaymentToConfirm, Refusal } from './money.ts';

/** The built-in covers the server accepts (its `cover` enum); the web app draws them. */
export const RED_PACKET_COVERS = ['classic', 'fortune', 'spring', 'lantern'] as const;
export type RedPacketCover = (typeof RED_PACKET_COVERS)[number];

/** Defaults of domain-rules §4 (the server may be configured otherwise: its refusals then say so). */
export const MAX_SHARE_FEN = 20_000n;
export const MAX_SHARES = 100;
export const MAX_GREETING_LENGTH = 40;

export type RedPacketSplit = 'fixed' | 'lucky' | 'equal';
export type RedPacketStatus = 'open' | 'finished' | 'expired' | 'refunded';

export interface RedPacketClaim {
  displayName: string;
  amount: MoneyJson;
  claimedAt: string;
  /** 手气最佳: the largest share of a lucky packet, once every share is claimed. */
  luckiest: boolean;
}

export interface RedPacket {
  id: string;
  kind: 'single' | 'group';
  split: RedPacketSplit;
  sender: { displayName: string };
  recipient: { displayName: string } | null;
  greeting: string;
  cover: string;
  /** Of a lucky packet: only to its sender and those who claimed. */
  total: MoneyJson | null;
  share: MoneyJson | null;
  shareCount: number;
  remainingCount: number;
  /** The sender only. */
  remaining: MoneyJson | null;
  refund: MoneyJson | null;
  status: RedPacketStatus;
  mine: boolean;
  myClaim: { amount: MoneyJson; claimedAt: string } | null;
  claims: RedPacketClaim[] | null;
  link: string | null;
  qrPayload: string | null;
  expiresAt: string;
  createdAt: string;
}

export type RedPacketRequest =
  | {
      kind: 'single';
      toPhone: string;
      amount: MoneyJson;
      greeting?: string;
      cover?: RedPacketCover;
    }
  | {
      kind: 'group';
      split: 'lucky' | 'equal';
      count: number;
      /** The whole packet: split into `count` shares. */
      amount: MoneyJson;
      greeting?: string;
      cover?: RedPacketCover;
    };

export interface RedPacketPreview {
  total: MoneyJson;
  shareCount: number;
  split: RedPacketSplit;
  share: MoneyJson | null;
  recipient: { displayName: string } | null;
  confirmation: ConfirmationPlan;
  /** Given the Idempotency-Key: what a passkey signs. */
  payment: PaymentToConfirm | null;
  refusal: Refusal | null;
}

export function previewRedPacket(
  request: RedPacketRequest,
  idempotencyKey: string,
): Promise<RedPacketPreview> {
  return api.post<RedPacketPreview>('/v1/me/red-packets/preview', { ...request, idempotencyKey });
}

export function sendRedPacket(
  request: RedPacketRequest,
  idempotencyKey: string,
  confirmation: Confirmation,
): Promise<RedPacket> {
  return api.post<RedPacket>(
    '/v1/me/red-packets',
    { ...request, confirmation },
    { headers: { 'Idempotency-Key': idempotencyKey } },
  );
}

export const redPacketsKey = ['red-packets'] as const;

export async function fetchMyRedPackets(box: 'sent' | 'received'): Promise<RedPacket[]> {
  return (await api.get<{ packets: RedPacket[] }>(`/v1/me/red-packets?box=${box}&limit=50`)).packets;
}

/** One of my sent packets: progress, who claimed how much. */
export function fetchSentRedPacket(id: string): Promise<RedPacket> {
  return api.get<RedPacket>(`/v1/me/red-packets/${encodeURIComponent(id)}`);
}

/**
 * A packet as its claimer sees it. A 401 here is an ordinary answer (the link opened by someone
 * not signed in): the screen asks them to sign in and come back, rather than the app's listener.
 */
export function fetchRedPacket(ref: string): Promise<RedPacket> {
  return api.get<RedPacket>(`/v1/red-packets/${encodeURIComponent(ref)}`, { reportUnauthorized: false });
}

/** 开红包: a second claim is answered RED_PACKET_ALREADY_CLAIMED (safe to send again). */
export function claimRedPacket(ref: string): Promise<RedPacket> {
  return api.post<RedPacket>(
    `/v1/red-packets/${encodeURIComponent(ref)}/claims`,
    {},
    {
      reportUnauthorized: false,
    },
  );
}

/** The ref a packet is opened by: a group packet's link token, else its id. */
export function refOf(packet: Pick<RedPacket, 'id' | 'link'>): string {
  if (packet.link) {
    const token = /\/red-packets\/([\w-]+)/.exec(packet.link)?.[1];
    if (token) return token;
  }
  return packet.id;
}
