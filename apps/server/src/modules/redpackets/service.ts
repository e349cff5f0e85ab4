/**
 * Red packets (红包, capability C8): a holder sends money to one holder (a fixed amount) or to a
 * group through a link (lucky or equal shares); holders claim shares; what nobody claims returns
 * to the sender after the expiry. docs/redpackets.md; ADR 0019 for the escrow.
 *
 * Every movement is one ledger transfer through the payments pipeline (`payments.move`):
 *
 *   send    sender's wallet → sender's escrow      id derived from the Idempotency-Key (= packet id)
 *   claim   sender's escrow → claimer's wallet     id derived from the claim's id, claimer's balance cap
 *   refund  sender's escrow → sender's wallet      id derived from the packet's id
 *
 * Claims and the refund carry the ledger limit counter `redpacket:<id>` with max = the packet's
 * total, so even a bug in this module could never pay a packet out twice: the ledger refuses.
 *
 * Crash safety: each record is written *before* its ledger transfer (packet `funding`, claim
 * `pending`, packet `refunding`) and settled after it by compare-and-set with its event; a crash
 * in between is finished by the holder's retry or by the `redpackets.recover` job, which sends the
 * same derived transfer again (the ledger answers `exists`) — never a second payment.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type pg from 'pg';
import { derivedId, isUuid, newId } from '@qianbao/ledger';
import type { Ledger, TransferInput, TransferOutcome } from '@qianbao/ledger';
import { AppError } from '../../errors.ts';
import { ledgerRefusal } from '../../payments/index.ts';
import type { PaymentAuthorizer, ReceivedInput } from '../../payments/index.ts';
import type { AccountDirectory } from '../../platform/accounts.ts';
import { TransferCodes } from '../../platform/codes.ts';
import type { OutboxWake } from '../../outbox/index.ts';
import type { IdentityService } from '../identity/index.ts';
import type { KycService, Refusal } from '../kyc/index.ts';
import { payeeBalanceCap } from '../kyc/index.ts';
import type { ConfirmationFactor, ConfirmationInput } from '../security/index.ts';
import type { TransfersService } from '../transfers/index.ts';
import { redPacketClaimed, redPacketRefunded, redPacketSent } from './events.ts';
import type { RedPacketsSettings } from './module.ts';
import { drawLuckyShare, equalShare } from './split.ts';
import type { RandomInt } from './split.ts';
import { RedPacketsStore } from './store.ts';
import type { ClaimRow, PacketRow, PacketSplit } from './store.ts';

export const RED_PACKET_CURRENCY = 'CNY';
export const MAX_GREETING_LENGTH = 40;
export const DEFAULT_GREETING = '恭喜发财，大吉大利';
/** The built-in covers a packet may wear (the web app draws them). */
export const RED_PACKET_COVERS = ['classic', 'fortune', 'spring', 'lantern'] as const;
export type RedPacketCover = (typeof RED_PACKET_COVERS)[number];
/** A claim still pending after this long belongs to a request that died: the job finishes it. */
const STALE_CLAIM_MS = 30_000;
/** A packet still `funding` after this long belongs to a request that died (ADR 0019). */
const STALE_FUNDING_MS = 120_000;
/** Rows each sweep handles per run (the next minute's run takes the rest). */
const SWEEP_LIMIT = 200;
const TOKEN_BYTES = 16;

export type SendRequest =
  | {
      kind: 'single';
      recipient: { toPhone: string } | { toQr: string };
      amountMinor: bigint;
      greeting: string | null;
      cover: RedPacketCover | null;
    }
  | {
      kind: 'group';
      split: 'lucky' | 'equal';
      /** The packet's total, split into `count` shares. */
      amountMinor: bigint;
      count: number;
      greeting: string | null;
      cover: RedPacketCover | null;
    };

/** Crash points, for tests: each runs at its point and may wait or throw (a crash there). */
export interface RedPacketHooks {
  /** After a claim's share is drawn (its row committed `pending`), before its ledger transfer. */
  afterDraw?: (claim: ClaimRow) => Promise<void>;
}

export interface RedPacketsServiceDeps {
  pool: pg.Pool;
  /** Read only: the money moves through `payments.move`. */
  ledger: Pick<Ledger, 'getTransfer'>;
  accounts: Pick<AccountDirectory, 'open'>;
  payments: Pick<PaymentAuthorizer, 'authorize' | 'preview' | 'move' | 'movedOrFenced'>;
  kyc: Pick<KycService, 'limitsFor'>;
  identity: Pick<IdentityService, 'getUser'>;
  /** Recipients by phone or receive code, and how holders appear to others (masked). */
  transfers: Pick<TransfersService, 'resolvePayee' | 'displayNameOf'>;
  /** A claimer's wallet frozen in full receives nothing (freeze module). */
  freeze?: { assertMayReceive(userId: string): Promise<void> };
  events: OutboxWake;
  settings: RedPacketsSettings;
  /** `QIANBAO_PUBLIC_URL`: group links point at the web app there. */
  publicUrl: string;
  now: () => Date;
  /** Uniform whole numbers in [min, max]; node's CSPRNG unless a test gives another. */
  random?: RandomInt;
  /** Crash points, for tests (see `RedPacketsService.hooks`). */
  hooks?: RedPacketHooks;
  log: { warn(object: object, message: string): void };
}

/** A packet's plan: what the request asks for, checked against the limits. */
interface Plan {
  kind: 'single' | 'group';
  split: PacketSplit;
  totalMinor: bigint;
  shareCount: number;
  greeting: string;
  cover: RedPacketCover;
}

export interface SendPreview {
  totalMinor: bigint;
  shareCount: number;
  split: PacketSplit;
  /** Each share of a one-to-one or equal packet; null for lucky. */
  shareMinor: bigint | null;
  recipient: { displayName: string } | null;
  confirmation: { factor: ConfirmationFactor; accepted: ConfirmationFactor[]; reason: string };
  payment: { id: string; amountMinor: bigint; currency: string; payee: string } | null;
  refusal: Refusal | null;
}

export type PublicStatus = 'open' | 'finished' | 'expired' | 'refunded';

export interface ClaimView {
  displayName: string;
  amountMinor: bigint;
  claimedAt: Date;
  /** 手气最佳: the largest share of a lucky packet, once every share is claimed. */
  luckiest: boolean;
}

export interface PacketView {
  id: string;
  kind: 'single' | 'group';
  split: PacketSplit;
  sender: { displayName: string };
  recipient: { displayName: string } | null;
  greeting: string;
  cover: string;
  currency: string;
  /** The sender, or a holder who claimed: the total; others see null (lucky) until they claim. */
  totalMinor: bigint | null;
  /** A one-to-one or equal packet's share; null for lucky. */
  shareMinor: bigint | null;
  shareCount: number;
  remainingCount: number;
  /** Only the sender sees what is left and what was refunded. */
  remainingMinor: bigint | null;
  refundMinor: bigint | null;
  status: PublicStatus;
  mine: boolean;
  myClaim: { amountMinor: bigint; claimedAt: Date } | null;
  /** Who claimed how much: shown to the sender and to those who claimed; otherwise null. */
  claims: ClaimView[] | null;
  link: string | null;
  qrPayload: string | null;
  expiresAt: Date;
  createdAt: Date;
}

export class RedPacketsService {
  private readonly store: RedPacketsStore;
  private readonly random: RandomInt;
  /**
   * The crash points, set by tests on the app's service (`app.services.redPackets.hooks`); empty
   * in a server.
   */
  readonly hooks: RedPacketHooks;

  constructor(private readonly deps: RedPacketsServiceDeps) {
    this.store = new RedPacketsStore(deps.pool, deps.events);
    this.random = deps.random ?? ((min, max) => randomInt(min, max + 1));
    this.hooks = deps.hooks ?? {};
  }

  // ---- sending ------------------------------------------------------------------------------

  /** Before sending: the plan, how to confirm, and what would refuse it (funds, limits). */
  async preview(input: {
    senderUserId: string;
    senderWalletAccountId: string;
    request: SendRequest;
    paymentId: string | null;
  }): Promise<SendPreview> {
    const plan = this.plan(input.request);
    const recipient = await this.recipientOf(input.senderUserId, input.request);
    const payee = payeeOf(recipient?.user.id ?? null);
    const preview = await this.deps.payments.preview({
      kind: 'red_packet',
      payerUserId: input.senderUserId,
      payerWalletAccountId: input.senderWalletAccountId,
      payment: {
        id: input.paymentId ?? '',
        amountMinor: plan.totalMinor,
        currency: RED_PACKET_CURRENCY,
        payee,
      },
      debit: { walletAccountId: input.senderWalletAccountId, totalMinor: plan.totalMinor },
    });
    return {
      totalMinor: plan.totalMinor,
      shareCount: plan.shareCount,
      split: plan.split,
      shareMinor: fixedShareOf(plan),
      recipient: recipient ? { displayName: recipient.displayName } : null,
      confirmation: {
        factor: preview.factor.factor,
        accepted: preview.factor.accepted,
        reason: preview.factor.reason,
      },
      payment: input.paymentId
        ? { id: input.paymentId, amountMinor: plan.totalMinor, currency: RED_PACKET_CURRENCY, payee }
        : null,
      refusal: preview.refusal,
    };
  }

  /**
   * Send a packet: the pipeline's checks and confirmation (`red_packet`: the sender's tier limits,
   * risk, PIN or passkey), the packet written `funding`, its whole amount moved into the sender's
   * escrow, then `open` with its event. `paymentId` (derived from the Idempotency-Key) is both the
   * ledger transfer's id and the packet's.
   */
  async send(input: {
    senderUserId: string;
    senderWalletAccountId: string;
    request: SendRequest;
    confirmation: ConfirmationInput | null;
    paymentId: string;
    /** The key's earlier run ended unanswered: its packet may exist and its money may have moved. */
    resumed: boolean;
  }): Promise<PacketView> {
    if (input.resumed) {
      const earlier = await this.store.findPacket(input.paymentId);
      if (earlier && earlier.sender_user_id === input.senderUserId) {
        const settled = earlier.status === 'funding' ? await this.settleFunding(earlier, false) : earlier;
        if (settled.status !== 'funding' && settled.status !== 'failed')
          return this.view(settled, input.senderUserId);
      }
    }
    const plan = this.plan(input.request);
    const [recipient, senderDisplay] = await Promise.all([
      this.recipientOf(input.senderUserId, input.request),
      this.displayOf(input.senderUserId),
    ]);
    const payee = payeeOf(recipient?.user.id ?? null);
    const authorization = await this.deps.payments.authorize({
      kind: 'red_packet',
      payerUserId: input.senderUserId,
      payment: { id: input.paymentId, amountMinor: plan.totalMinor, currency: RED_PACKET_CURRENCY, payee },
      confirmation: input.confirmation,
    });
    const escrow = await this.deps.accounts.open({
      owner: `user:${input.senderUserId}`,
      currency: RED_PACKET_CURRENCY,
      purpose: 'escrow',
    });
    const now = this.deps.now();
    const packet = await this.store.insertFunding({
      id: input.paymentId,
      sender_user_id: input.senderUserId,
      sender_display: senderDisplay,
      kind: plan.kind,
      split: plan.split,
      recipient_user_id: recipient?.user.id ?? null,
      recipient_display: recipient?.displayName ?? null,
      token: plan.kind === 'group' ? randomBytes(TOKEN_BYTES).toString('base64url') : null,
      total_minor: plan.totalMinor,
      currency: RED_PACKET_CURRENCY,
      share_count: plan.shareCount,
      max_share_minor: this.deps.settings.maxShareMinor,
      greeting: plan.greeting,
      cover: plan.cover,
      escrow_account_id: escrow,
      sender_wallet_account_id: input.senderWalletAccountId,
      expires_at: new Date(now.getTime() + this.deps.settings.expiryHours * 3_600_000),
      created_at: now,
    });
    const [outcome] = await this.deps.payments.move(
      [{ ...fundingTransfer(packet), limits: authorization.ledgerLimits }],
      authorization,
    );
    if (!outcome) throw new Error('the ledger answered no outcome');
    if (!succeeded(outcome)) {
      await this.store.fail(packet.id);
      throw ledgerRefusal([outcome], { credit: 'other', currency: RED_PACKET_CURRENCY });
    }
    const opened =
      (await this.store.open(packet.id, (row) => redPacketSent(row, this.deps.now()))) ??
      (await this.store.findPacket(packet.id))!;
    return this.view(opened, input.senderUserId);
  }

  /**
   * A packet left `funding` (its request died, or this is its key's resumption): if its transfer
   * reached the ledger it opens, with its event. Otherwise, when `fence` — only for a packet older
   * than any live request (the recovery job) — the transfer's id is burnt: the same transfer sent
   * with a limit of 0 fails and is remembered by the ledger, so a request still on its way can no
   * longer move the money; the packet fails. Without `fence` it is left as it is.
   */
  private async settleFunding(packet: PacketRow, fence: boolean): Promise<PacketRow> {
    const moved = fence
      ? await this.deps.payments.movedOrFenced(fundingTransfer(packet))
      : (await this.deps.ledger.getTransfer(packet.id)) !== null;
    if (!moved && !fence) return packet;
    if (!moved) return (await this.store.fail(packet.id)) ?? (await this.store.findPacket(packet.id))!;
    return (
      (await this.store.open(packet.id, (row) => redPacketSent(row, this.deps.now()))) ??
      (await this.store.findPacket(packet.id))!
    );
  }

  /** The request checked against the module's settings; refusals before any PIN is spent. */
  private plan(request: SendRequest): Plan {
    const { maxShareMinor, maxShares } = this.deps.settings;
    const greeting = (request.greeting ?? '').trim() || DEFAULT_GREETING;
    const cover = request.cover ?? 'classic';
    if (request.kind === 'single') {
      if (request.amountMinor > maxShareMinor) throw shareTooLarge(maxShareMinor);
      return {
        kind: 'single',
        split: 'fixed',
        totalMinor: request.amountMinor,
        shareCount: 1,
        greeting,
        cover,
      };
    }
    const count = request.count;
    if (count > maxShares) {
      throw new AppError('RED_PACKET_TOO_MANY_SHARES', { details: { max: maxShares } });
    }
    const n = BigInt(count);
    if (request.amountMinor < n) {
      throw new AppError('RED_PACKET_TOTAL_TOO_SMALL', { details: { min: money(n) } });
    }
    if (request.split === 'equal') {
      const equal = equalShare({ totalMinor: request.amountMinor, count });
      if (!equal.ok) {
        throw new AppError('RED_PACKET_UNEVEN_TOTAL', {
          details: {
            lower: equal.lowerTotalMinor === null ? null : money(equal.lowerTotalMinor),
            higher: money(equal.higherTotalMinor),
          },
        });
      }
      if (equal.shareMinor > maxShareMinor) throw shareTooLarge(maxShareMinor);
    } else if (request.amountMinor > maxShareMinor * n) {
      // A lucky packet's mean must fit the maximum; the draw keeps every share within it (split.ts).
      throw shareTooLarge(maxShareMinor);
    }
    return {
      kind: 'group',
      split: request.split,
      totalMinor: request.amountMinor,
      shareCount: count,
      greeting,
      cover,
    };
  }

  private async recipientOf(senderUserId: string, request: SendRequest) {
    if (request.kind !== 'single') return null;
    return this.deps.transfers.resolvePayee({ payerUserId: senderUserId, payee: request.recipient });
  }

  private async displayOf(userId: string): Promise<string> {
    const user = await this.deps.identity.getUser(userId);
    return user ? this.deps.transfers.displayNameOf(user) : '***';
  }

  // ---- claiming -----------------------------------------------------------------------------

  /**
   * Claim a share: a group packet by its link's token, a one-to-one packet by its id (only its
   * recipient). The share is drawn under the packet's lock (double mean on what is left, or the
   * fixed share), then credited at once: escrow → the claimer's wallet under the claimer's balance
   * cap. A share the cap refuses goes back to the packet (PAYEE_BALANCE_CAP_EXCEEDED; the holder
   * may claim again later). A holder's second claim is answered with the first (`answerEarlierClaim`).
   */
  async claim(input: {
    ref: string;
    claimerUserId: string;
    claimerWalletAccountId: string;
  }): Promise<PacketView> {
    const packet = await this.claimable(input.ref, input.claimerUserId);
    const earlier = await this.store.claimOf(packet.id, input.claimerUserId);
    if (earlier) return this.answerEarlierClaim(packet, earlier);
    await this.deps.freeze?.assertMayReceive(input.claimerUserId);
    const display = await this.displayOf(input.claimerUserId);
    const result = await this.store.draw({
      packetId: packet.id,
      claim: {
        id: newId(),
        claimer_user_id: input.claimerUserId,
        claimer_display: display,
        claimer_wallet_account_id: input.claimerWalletAccountId,
      },
      now: this.deps.now(),
      draw: (locked) => this.shareOf(locked),
    });
    if ('existing' in result) return this.answerEarlierClaim(packet, result.existing);
    if ('refused' in result) {
      if (result.refused === 'gone') throw new AppError('RED_PACKET_NOT_FOUND');
      throw new AppError(result.refused === 'empty' ? 'RED_PACKET_EMPTY' : 'RED_PACKET_EXPIRED');
    }
    await this.hooks.afterDraw?.(result.drawn);
    await this.finishClaim(result.drawn, result.packet);
    return this.view((await this.store.findPacket(packet.id))!, input.claimerUserId);
  }

  /**
   * A second claim of the same holder (sent again, or at the same moment): one claim per holder, so
   * it is answered RED_PACKET_ALREADY_CLAIMED with the share — after making sure that share is
   * credited (an earlier try that drew it and died, or is running now, is finished: once).
   */
  private async answerEarlierClaim(packet: PacketRow, claim: ClaimRow): Promise<never> {
    if (claim.status === 'pending') await this.finishClaim(claim, packet);
    throw new AppError('RED_PACKET_ALREADY_CLAIMED', { details: { amount: money(claim.amount_minor) } });
  }

  /** The packet a holder may claim by this reference, or the reason not (thrown). */
  private async claimable(ref: string, userId: string): Promise<PacketRow> {
    const packet = await this.findByRef(ref, userId);
    if (packet.sender_user_id === userId) throw new AppError('CANNOT_CLAIM_OWN_RED_PACKET');
    return packet;
  }

  /**
   * A group packet by its token, a one-to-one packet by its id — the latter only for its sender
   * and its recipient (to anyone else it does not exist). Funding and failed packets do not exist.
   */
  private async findByRef(ref: string, viewerUserId: string): Promise<PacketRow> {
    const packet = isUuid(ref)
      ? await this.store.findPacket(ref)
      : /^[A-Za-z0-9_-]{22}$/.test(ref)
        ? await this.store.findByToken(ref)
        : null;
    if (!packet || packet.status === 'funding' || packet.status === 'failed') {
      throw new AppError('RED_PACKET_NOT_FOUND');
    }
    if (isUuid(ref)) {
      const party = packet.sender_user_id === viewerUserId || packet.recipient_user_id === viewerUserId;
      if (packet.kind !== 'single' || !party) throw new AppError('RED_PACKET_NOT_FOUND');
    }
    return packet;
  }

  /** The share of the next claim, drawn from the locked packet's state. */
  private shareOf(packet: PacketRow): bigint {
    if (packet.split === 'fixed') return packet.remaining_minor;
    if (packet.split === 'equal') return packet.total_minor / BigInt(packet.share_count);
    return drawLuckyShare(
      {
        remainingMinor: packet.remaining_minor,
        remainingCount: packet.remaining_count,
        maxShareMinor: packet.max_share_minor,
      },
      this.random,
    );
  }

  /**
   * The ledger transfer of a drawn share, then the claim credited with its event — or, refused by
   * the claimer's balance cap, the share back to the packet. Idempotent: the transfer's id is
   * derived from the claim, so the request, its retry and the job may all run it; the ledger pays
   * once and the compare-and-set writes one event.
   */
  private async finishClaim(claim: ClaimRow, packet: PacketRow): Promise<void> {
    const [limits, claimer] = await Promise.all([
      this.deps.kyc.limitsFor(claim.claimer_user_id),
      this.deps.identity.getUser(claim.claimer_user_id),
    ]);
    const cap = payeeBalanceCap(limits);
    // The share is the packet's money reaching another wallet: the risk engine learns of it
    // (the claimer's incoming money, the sender's fan-out) when the ledger first moves it.
    const received: ReceivedInput = {
      kind: 'red_packet_claim',
      fromUserId: packet.sender_user_id,
      toUserId: claim.claimer_user_id,
      toRegisteredAt: claimer?.createdAt ?? null,
      amountMinor: claim.amount_minor,
      currency: packet.currency,
      now: this.deps.now(),
    };
    const [outcome] = await this.deps.payments.move(
      [
        {
          id: claimTransferId(claim.id),
          debitAccountId: packet.escrow_account_id,
          creditAccountId: claim.claimer_wallet_account_id,
          amount: claim.amount_minor,
          currency: packet.currency,
          code: TransferCodes.redPacketClaim,
          limits: [packetLimit(packet)],
          ...(cap === undefined ? {} : { creditBalanceCap: cap }),
          userData: `red-packet-claim:${claim.id}`,
        },
      ],
      undefined,
      { received },
    );
    if (!outcome) throw new Error('the ledger answered no outcome');
    if (succeeded(outcome)) {
      await this.store.credit(claim.id, this.deps.now(), (row, credited) =>
        redPacketClaimed(row, credited, this.deps.now()),
      );
      return;
    }
    const result = outcome.result === 'idAlreadyFailed' ? outcome.failedWith : outcome.result;
    if (result === 'exceedsBalanceCap') {
      await this.store.returnShare(claim.id);
      throw ledgerRefusal([outcome], { credit: 'own', currency: packet.currency });
    }
    // The escrow short, or the packet's ledger limit passed: the books and this module disagree.
    throw new Error(
      `red packet ${packet.id}: claim ${claim.id} refused by the ledger: ${result ?? outcome.result}`,
    );
  }

  // ---- expiry and recovery ------------------------------------------------------------------

  /**
   * `redpackets.expire`, every minute: each open packet past its expiry gives its sender back what
   * nobody claimed — once: its pending claims are finished first, then under its lock it stops
   * taking claims (`refunding`, the amount fixed), then the refund's transfer (id derived from the
   * packet) and `refunded` with its event. Answers how many packets it refunded.
   */
  async expireDue(): Promise<number> {
    const due = await this.store.dueForExpiry(this.deps.now(), SWEEP_LIMIT);
    let refunded = 0;
    for (const id of due) if (await this.refund(id)) refunded += 1;
    return refunded;
  }

  private async refund(packetId: string): Promise<boolean> {
    const pending = await this.store.pendingClaims({ before: this.deps.now(), limit: 1000, packetId });
    for (const claim of pending) await this.finishPendingClaim(claim);
    const packet = await this.store.startRefund(packetId, this.deps.now());
    if (!packet) return false;
    const [outcome] = await this.deps.payments.move([
      {
        id: refundTransferId(packet.id),
        debitAccountId: packet.escrow_account_id,
        // The sender's own money coming back, as a void of a hold would: no balance cap applies.
        creditAccountId: packet.sender_wallet_account_id,
        amount: packet.refund_minor!,
        currency: packet.currency,
        code: TransferCodes.redPacketRefund,
        limits: [packetLimit(packet)],
        userData: `red-packet-refund:${packet.id}`,
      },
    ]);
    if (!outcome || !succeeded(outcome)) {
      throw new Error(
        `red packet ${packet.id}: refund refused by the ledger: ${outcome?.result ?? 'no outcome'}`,
      );
    }
    const at = this.deps.now();
    return (await this.store.refunded(packet.id, at, (row) => redPacketRefunded(row, at))) !== null;
  }

  /**
   * `redpackets.recover`, every minute: what a crash left half-way — claims drawn and not
   * credited, packets not yet funded or not yet refunded. Answers how many rows it settled.
   */
  async recover(): Promise<number> {
    const now = this.deps.now().getTime();
    let settled = 0;
    const claims = await this.store.pendingClaims({
      before: new Date(now - STALE_CLAIM_MS),
      limit: SWEEP_LIMIT,
    });
    for (const claim of claims) if (await this.finishPendingClaim(claim)) settled += 1;
    for (const packet of await this.store.unsettled(new Date(now - STALE_FUNDING_MS), SWEEP_LIMIT)) {
      if (packet.status === 'funding') await this.settleFunding(packet, true);
      else await this.refund(packet.id);
      settled += 1;
    }
    return settled;
  }

  /** A pending claim finished by a job: a cap refusal is not the job's failure. */
  private async finishPendingClaim(claim: ClaimRow): Promise<boolean> {
    const packet = (await this.store.findPacket(claim.packet_id))!;
    try {
      await this.finishClaim(claim, packet);
      return true;
    } catch (error) {
      if (error instanceof AppError) return true; // returned to the packet
      throw error;
    }
  }

  // ---- reading ------------------------------------------------------------------------------

  /** A packet as a holder sees it by its link's token (group) or id (one-to-one). */
  async get(input: { ref: string; viewerUserId: string }): Promise<PacketView> {
    return this.view(await this.findByRef(input.ref, input.viewerUserId), input.viewerUserId);
  }

  /** One of the sender's own packets, by id (any kind). */
  async getSent(input: { id: string; senderUserId: string }): Promise<PacketView> {
    const packet = isUuid(input.id) ? await this.store.findPacket(input.id) : null;
    if (
      !packet ||
      packet.sender_user_id !== input.senderUserId ||
      packet.status === 'funding' ||
      packet.status === 'failed'
    ) {
      throw new AppError('RED_PACKET_NOT_FOUND');
    }
    return this.view(packet, input.senderUserId);
  }

  async listSent(input: { userId: string; limit: number }): Promise<PacketView[]> {
    const rows = await this.store.sentBy(input.userId, clampLimit(input.limit));
    return Promise.all(rows.map((row) => this.view(row, input.userId)));
  }

  async listReceived(input: { userId: string; limit: number }): Promise<PacketView[]> {
    const rows = await this.store.receivedBy(input.userId, clampLimit(input.limit));
    return Promise.all(rows.map(({ packet }) => this.view(packet, input.userId)));
  }

  /** The escrow account of a holder's packets (tests compare its balance with what the packets owe). */
  escrowOf(userId: string): Promise<string> {
    return this.deps.accounts.open({
      owner: `user:${userId}`,
      currency: RED_PACKET_CURRENCY,
      purpose: 'escrow',
    });
  }

  private async view(packet: PacketRow, viewerUserId: string): Promise<PacketView> {
    const mine = packet.sender_user_id === viewerUserId;
    const rows = await this.store.claimsOf(packet.id);
    const myClaim =
      rows.find((row) => row.claimer_user_id === viewerUserId && row.status === 'credited') ?? null;
    const credited = rows.filter((row) => row.status === 'credited');
    const allClaimed =
      packet.status === 'finished' && credited.length === packet.share_count && packet.remaining_count === 0;
    // 手气最佳: the largest share, the earlier claim on a tie (rows are oldest first).
    const luckiest =
      allClaimed && packet.split === 'lucky' && credited.length > 1
        ? credited.reduce((best, row) => (row.amount_minor > best.amount_minor ? row : best))
        : null;
    const expired = packet.expires_at <= this.deps.now();
    const status: PublicStatus =
      packet.status === 'finished'
        ? 'finished'
        : packet.status === 'refunded' && mine
          ? 'refunded'
          : packet.status === 'refunding' || packet.status === 'refunded' || expired
            ? 'expired'
            : 'open';
    const seesAll = mine || myClaim !== null;
    return {
      id: packet.id,
      kind: packet.kind,
      split: packet.split,
      sender: { displayName: packet.sender_display },
      recipient: packet.recipient_display ? { displayName: packet.recipient_display } : null,
      greeting: packet.greeting,
      cover: packet.cover,
      currency: packet.currency,
      totalMinor: seesAll || packet.split !== 'lucky' ? packet.total_minor : null,
      shareMinor: packet.split === 'lucky' ? null : packet.total_minor / BigInt(packet.share_count),
      shareCount: packet.share_count,
      remainingCount: packet.remaining_count,
      remainingMinor: mine ? packet.remaining_minor : null,
      refundMinor: mine ? packet.refund_minor : null,
      status,
      mine,
      myClaim: myClaim ? { amountMinor: myClaim.amount_minor, claimedAt: myClaim.created_at } : null,
      claims: seesAll
        ? credited.map((row) => ({
            displayName: row.claimer_display,
            amountMinor: row.amount_minor,
            claimedAt: row.created_at,
            luckiest: row === luckiest,
          }))
        : null,
      link: packet.token ? `${this.deps.publicUrl}/red-packets/${packet.token}` : null,
      qrPayload: packet.token ? `qianbao://red-packet?t=${packet.token}` : null,
      expiresAt: packet.expires_at,
      createdAt: packet.created_at,
    };
  }

  // ---- for the history module -----------------------------------------------------------------

  /** The store, for history's description of this module's ledger transfers (history.ts). */
  get records(): RedPacketsStore {
    return this.store;
  }
}

// ---- ids and transfers ----------------------------------------------------------------------

/** The ledger transfer id of a claim's share: a retry (or the job) pays the same transfer once. */
export function claimTransferId(claimId: string): string {
  return derivedId(`redpackets:claim:${claimId}`);
}

/** The ledger transfer id of a packet's refund: once per packet. */
export function refundTransferId(packetId: string): string {
  return derivedId(`redpackets:refund:${packetId}`);
}

/** The ledger's guard that a packet never pays out more than its total (claims + refund). */
function packetLimit(packet: PacketRow) {
  return { key: `redpacket:${packet.id}`, max: packet.total_minor };
}

function fundingTransfer(packet: PacketRow): TransferInput {
  return {
    id: packet.id,
    debitAccountId: packet.sender_wallet_account_id,
    creditAccountId: packet.escrow_account_id,
    amount: packet.total_minor,
    currency: packet.currency,
    code: TransferCodes.redPacketSend,
    userData: `red-packet:${packet.id}`,
  };
}

function payeeOf(recipientUserId: string | null): string {
  return recipientUserId ? `user:${recipientUserId}` : 'red-packet:group';
}

function fixedShareOf(plan: Plan): bigint | null {
  return plan.split === 'lucky' ? null : plan.totalMinor / BigInt(plan.shareCount);
}

function succeeded(outcome: TransferOutcome): boolean {
  return outcome.result === 'ok' || outcome.result === 'exists';
}

function shareTooLarge(maxShareMinor: bigint): AppError {
  return new AppError('RED_PACKET_SHARE_TOO_LARGE', { details: { max: money(maxShareMinor) } });
}

function money(amountMinor: bigint) {
  return { amount: amountMinor.toString(), currency: RED_PACKET_CURRENCY };
}

function clampLimit(limit: number): number {
  return Math.min(Math.max(1, Math.trunc(limit)), 50);
}
