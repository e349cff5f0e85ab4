/**
 * Splitting a bill (AA 收款, capability C8): a holder (the organiser) asks a group to share a
 * total — by a number of people (anyone with the link takes a share) or by named participants —
 * in equal shares (largest remainder, shares.ts) or custom ones; each participant pays their share
 * once; the organiser sees who has paid, reminds the others, closes the split, and may give a paid
 * share back. docs/splits.md.
 *
 * Every movement is one ledger transfer through the payments pipeline:
 *
 *   pay     participant's wallet → organiser's wallet   kind split_share, id derived from (share, attempt)
 *   refund  organiser's wallet → participant's wallet   kind split_refund, id derived from (share, refund attempt)
 *
 * A share is paid once, as a payment request is: a payer first claims it (open → paying, the next
 * attempt, under the split's lock so racing holders see one order), and only the claimer's
 * transfer runs; a refusal (PIN, funds, limits) gives it back. Each transfer also carries the
 * ledger limit counter `split-share:<id>` (or `split-refund:<id>`) with max = the share, so even a
 * bug here could never pay or refund a share twice: the ledger refuses.
 *
 * Crash safety: a claim whose request died (older than STALE_CLAIM_MS) is settled by the next
 * payer, the organiser's view, or the key's retry: its transfer exists → paid; else the transfer's
 * id is burnt (sent again with a limit of 0: the ledger remembers it failed, so the dead request can
 * never move it later) and the share is open again.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { derivedId, isUuid, newId } from '@qianbao/ledger';
import type { Ledger, TransferInput, TransferOutcome } from '@qianbao/ledger';
import { AppError } from '../../errors.ts';
import { ledgerRefusal } from '../../payments/index.ts';
import type { PaymentAuthorizer } from '../../payments/index.ts';
import { TransferCodes } from '../../platform/codes.ts';
import type { OutboxWake } from '../../outbox/index.ts';
import type { IdentityService } from '../identity/index.ts';
import type { KycService, Refusal } from '../kyc/index.ts';
import { payeeBalanceCap } from '../kyc/index.ts';
import type { ConfirmationFactor, ConfirmationInput } from '../security/index.ts';
import type { TransfersService } from '../transfers/index.ts';
import { splitReminded, splitRequested, splitSharePaid, splitShareRefunded } from './events.ts';
import type { SplitsSettings } from './module.ts';
import { customShares, equalShares } from './shares.ts';
import { SplitsStore } from './store.ts';
import type {
  NewShare,
  ShareRow,
  ShareStatus,
  SplitKind,
  SplitMode,
  SplitRow,
  SplitStatus,
} from './store.ts';

export const SPLIT_CURRENCY = 'CNY';
export const MAX_TITLE_LENGTH = 30;
/** A payer that finds a share being paid waits this long for the outcome before answering 409. */
const CLAIM_WAIT_MS = 3000;
const CLAIM_POLL_MS = 25;
/** A claim this old belongs to a request that died between the claim and its answer. */
const STALE_CLAIM_MS = 60_000;
const TOKEN_BYTES = 16;
/** Participants' phone numbers resolved at once when a split is created. */
const RESOLVE_CONCURRENCY = 8;

export interface CreateRequest {
  title: string;
  totalMinor: bigint;
  split: SplitKind;
  /** The organiser is one of the people, with a share of their own that nothing moves. */
  includeMe: boolean;
  /** Open split: this many people in all (the organiser counted when `includeMe`). */
  people: number | null;
  /** Named split: each participant by phone; `amountMinor` for custom shares. */
  participants: { phone: string; amountMinor: bigint | null }[] | null;
  /** Custom shares with `includeMe`: the organiser's own share. */
  myAmountMinor: bigint | null;
}

/** Crash points, for tests: each runs at its point and may wait or throw (a crash there). */
export interface SplitHooks {
  /** After a share's claim committed, before its ledger transfer. */
  afterClaim?: (share: ShareRow) => Promise<void>;
  /** After a share's ledger transfer, before it is recorded paid. */
  afterPayment?: (share: ShareRow) => Promise<void>;
}

export interface SplitsServiceDeps {
  pool: pg.Pool;
  /** Read only: the money moves through `payments.move`. */
  ledger: Pick<Ledger, 'getTransfer'>;
  payments: Pick<PaymentAuthorizer, 'authorize' | 'preview' | 'move' | 'movedOrFenced'>;
  kyc: Pick<KycService, 'limitsFor'>;
  identity: Pick<IdentityService, 'getUser'>;
  /** Participants by phone, and how holders appear to others (masked). */
  transfers: Pick<TransfersService, 'resolvePayee' | 'displayNameOf'>;
  events: OutboxWake;
  settings: SplitsSettings;
  /** `QIANBAO_PUBLIC_URL`: split links point at the web app there. */
  publicUrl: string;
  now: () => Date;
  hooks?: SplitHooks;
  log: { warn(object: object, message: string): void };
}

export type ShareState = 'own' | 'unpaid' | 'paying' | 'paid' | 'refunding' | 'refunded';
export type SplitState = SplitStatus;

export interface ShareView {
  id: string;
  position: number;
  amountMinor: bigint;
  /** Who it is for (named) or who took it (open); null: nobody yet. */
  participant: { displayName: string } | null;
  state: ShareState;
  paidAt: Date | null;
  refundedAt: Date | null;
}

export interface SplitView {
  id: string;
  title: string;
  organiser: { displayName: string };
  mode: SplitMode;
  split: SplitKind;
  totalMinor: bigint;
  currency: string;
  shareCount: number;
  includesOrganiser: boolean;
  status: SplitState;
  paidCount: number;
  /** The shares to be paid by others (the organiser's own excluded). */
  payableCount: number;
  mine: boolean;
  /** The viewer's share (a participant's; the organiser's own when counted). */
  myShare: ShareView | null;
  /** Open split, to a holder without a share: what the next share would be; else null. */
  nextShareMinor: bigint | null;
  /** The organiser only: every share, who has paid and who has not. */
  shares: ShareView[] | null;
  /** The organiser only: paid and not refunded; still to come (unpaid or being paid). */
  collectedMinor: bigint | null;
  outstandingMinor: bigint | null;
  lastRemindedAt: Date | null;
  link: string;
  qrPayload: string;
  createdAt: Date;
  closedAt: Date | null;
  completedAt: Date | null;
}

export interface PayPreview {
  split: SplitView;
  amountMinor: bigint;
  confirmation: { factor: ConfirmationFactor; accepted: ConfirmationFactor[]; reason: string };
  payment: { id: string; amountMinor: bigint; currency: string; payee: string };
  refusal: Refusal | null;
}

export class SplitsService {
  private readonly store: SplitsStore;
  readonly hooks: SplitHooks;

  constructor(private readonly deps: SplitsServiceDeps) {
    this.store = new SplitsStore(deps.pool, deps.events);
    this.hooks = deps.hooks ?? {};
  }

  // ---- creating -----------------------------------------------------------------------------

  /**
   * Create a split: the shares planned (refusals before anything is written), the participants
   * resolved by phone, the split and its shares in one transaction. `splitId` is derived from the
   * Idempotency-Key: a retry answers the same split.
   */
  async create(input: {
    organiserUserId: string;
    organiserWalletAccountId: string;
    splitId: string;
    request: CreateRequest;
  }): Promise<SplitView> {
    const earlier = await this.store.findSplit(input.splitId);
    if (earlier) {
      if (earlier.organiser_user_id !== input.organiserUserId)
        throw new Error('split id derived for another holder');
      return this.view(earlier, input.organiserUserId);
    }
    const { request } = input;
    const { maxPeople, maxTotalMinor } = this.deps.settings;
    if (request.totalMinor > maxTotalMinor) {
      throw new AppError('SPLIT_TOTAL_TOO_LARGE', { details: { max: money(maxTotalMinor) } });
    }
    const named = request.participants;
    const people = named ? named.length + (request.includeMe ? 1 : 0) : request.people!;
    if (people > maxPeople) throw new AppError('SPLIT_TOO_MANY_PEOPLE', { details: { max: maxPeople } });
    const amounts = this.amountsOf(request, people);
    const organiser = await this.deps.identity.getUser(input.organiserUserId);
    if (!organiser) throw new AppError('NOT_FOUND');
    const organiserDisplay = await this.deps.transfers.displayNameOf(organiser);
    const participants = named ? await this.resolveParticipants(input.organiserUserId, named) : null;
    const shares: NewShare[] = amounts.map((amountMinor, position) => {
      const own = request.includeMe && position === 0;
      const person = own
        ? {
            participant_user_id: input.organiserUserId,
            participant_display: organiserDisplay,
            participant_wallet_account_id: input.organiserWalletAccountId,
          }
        : participants
          ? participants[position - (request.includeMe ? 1 : 0)]!
          : { participant_user_id: null, participant_display: null, participant_wallet_account_id: null };
      return { id: newId(), position, amount_minor: amountMinor, status: own ? 'own' : 'open', ...person };
    });
    const split = await this.store.insertSplit(
      {
        id: input.splitId,
        organiser_user_id: input.organiserUserId,
        organiser_display: organiserDisplay,
        organiser_wallet_account_id: input.organiserWalletAccountId,
        title: request.title,
        mode: named ? 'named' : 'open',
        split: request.split,
        total_minor: request.totalMinor,
        currency: SPLIT_CURRENCY,
        share_count: people,
        include_organiser: request.includeMe,
        token: randomBytes(TOKEN_BYTES).toString('base64url'),
        created_at: this.deps.now(),
      },
      shares,
      // Each named participant is asked for their share (the organiser's own asks nobody).
      (written, rows) =>
        rows
          .filter((share) => share.status === 'open' && share.participant_user_id !== null)
          .map((share) => splitRequested(written, share, written.created_at)),
    );
    return this.view(split, input.organiserUserId);
  }

  /** The shares' amounts by position (the organiser's own first when counted). */
  private amountsOf(request: CreateRequest, people: number): bigint[] {
    if (request.split === 'equal') {
      const equal = equalShares({ totalMinor: request.totalMinor, count: people });
      if (!equal.ok)
        throw new AppError('SPLIT_TOTAL_TOO_SMALL', { details: { min: money(equal.minTotalMinor) } });
      return equal.sharesMinor;
    }
    const given = [
      ...(request.includeMe ? [request.myAmountMinor!] : []),
      ...request.participants!.map((participant) => participant.amountMinor!),
    ];
    const custom = customShares({ totalMinor: request.totalMinor, sharesMinor: given });
    if (custom.ok) return custom.sharesMinor;
    if (custom.reason === 'share_too_small') {
      throw new AppError('SPLIT_TOTAL_TOO_SMALL', { details: { min: money(BigInt(given.length)) } });
    }
    throw new AppError('SPLIT_SHARES_MISMATCH', {
      details: {
        total: money(request.totalMinor),
        sum: money(custom.sumMinor),
        difference: money(custom.differenceMinor),
      },
    });
  }

  private async resolveParticipants(
    organiserUserId: string,
    named: readonly { phone: string }[],
  ): Promise<
    Pick<NewShare, 'participant_user_id' | 'participant_display' | 'participant_wallet_account_id'>[]
  > {
    const resolved = new Array<{ userId: string; display: string; walletAccountId: string }>(named.length);
    let next = 0;
    const worker = async () => {
      while (next < named.length) {
        const index = next++;
        const phone = named[index]!.phone;
        try {
          const payee = await this.deps.transfers.resolvePayee({
            payerUserId: organiserUserId,
            payee: { toPhone: phone },
          });
          resolved[index] = {
            userId: payee.user.id,
            display: payee.displayName,
            walletAccountId: payee.user.walletAccountId,
          };
        } catch (error) {
          if (error instanceof AppError && error.code === 'CANNOT_PAY_YOURSELF') {
            throw new AppError('SPLIT_PARTICIPANT_IS_ORGANISER');
          }
          if (error instanceof AppError && error.code === 'PAYEE_NOT_FOUND') {
            throw new AppError('PAYEE_NOT_FOUND', { details: { phone } });
          }
          throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(RESOLVE_CONCURRENCY, named.length) }, worker));
    const seen = new Set<string>();
    for (const [index, person] of resolved.entries()) {
      if (seen.has(person.userId)) {
        throw new AppError('SPLIT_DUPLICATE_PARTICIPANT', { details: { phone: named[index]!.phone } });
      }
      seen.add(person.userId);
    }
    return resolved.map((person) => ({
      participant_user_id: person.userId,
      participant_display: person.display,
      participant_wallet_account_id: person.walletAccountId,
    }));
  }

  // ---- paying a share -----------------------------------------------------------------------

  /** Before paying: the share, how to confirm, what would refuse it (funds, limits, the organiser's cap). */
  async previewPay(input: {
    ref: string;
    payerUserId: string;
    payerWalletAccountId: string;
  }): Promise<PayPreview> {
    const split = await this.findVisible(input.ref, input.payerUserId);
    const amountMinor = await this.payableAmount(split, input.payerUserId);
    const payment = this.paymentOf(split, input.payerUserId, amountMinor);
    const preview = await this.deps.payments.preview({
      kind: 'split_share',
      payerUserId: input.payerUserId,
      payerWalletAccountId: input.payerWalletAccountId,
      payment,
      debit: { walletAccountId: input.payerWalletAccountId, totalMinor: amountMinor },
      credit: this.deps.kyc.limitsFor(split.organiser_user_id).then((limits) => ({
        walletAccountId: split.organiser_wallet_account_id,
        capMinor: payeeBalanceCap(limits),
        own: false,
      })),
    });
    return {
      split: await this.view(split, input.payerUserId),
      amountMinor,
      confirmation: {
        factor: preview.factor.factor,
        accepted: preview.factor.accepted,
        reason: preview.factor.reason,
      },
      payment,
      refusal: preview.refusal,
    };
  }

  /** What this payer would pay now, or why nothing (thrown as paying would). */
  private async payableAmount(split: SplitRow, payerUserId: string): Promise<bigint> {
    if (split.organiser_user_id === payerUserId) throw new AppError('CANNOT_PAY_OWN_SPLIT');
    const shares = await this.store.sharesOf([split.id]);
    const mine = shares.find((share) => share.participant_user_id === payerUserId);
    if (mine && ['paid', 'refunding', 'refunded'].includes(mine.status)) throw alreadyPaid(mine);
    if (split.status === 'closed') throw new AppError('SPLIT_CLOSED');
    if (mine) return mine.amount_minor;
    const free = shares.find((share) => share.status === 'open' && share.participant_user_id === null);
    if (!free) throw new AppError('SPLIT_FULL');
    return free.amount_minor;
  }

  /**
   * Pay the holder's share: their named share, or an open split's first free one. `paymentId` is
   * derived from the Idempotency-Key; `resumed` when the key's earlier run ended unanswered.
   */
  async pay(input: {
    ref: string;
    payerUserId: string;
    payerWalletAccountId: string;
    confirmation: ConfirmationInput | null;
    paymentId: string;
    resumed: boolean;
  }): Promise<SplitView> {
    const split = await this.findVisible(input.ref, input.payerUserId);
    if (split.organiser_user_id === input.payerUserId) throw new AppError('CANNOT_PAY_OWN_SPLIT');
    if (input.resumed && (await this.resumePayment(split, input.payerUserId, input.paymentId))) {
      return this.view((await this.store.findSplit(split.id))!, input.payerUserId);
    }
    const user = await this.deps.identity.getUser(input.payerUserId);
    if (!user) throw new AppError('NOT_FOUND');
    const share = await this.claim(split, {
      payer: {
        userId: input.payerUserId,
        display: await this.deps.transfers.displayNameOf(user),
        walletAccountId: input.payerWalletAccountId,
      },
      paymentId: input.paymentId,
    });
    let transfer: TransferInput;
    let authorization;
    try {
      authorization = await this.deps.payments.authorize({
        kind: 'split_share',
        payerUserId: input.payerUserId,
        payment: this.paymentOf(split, input.payerUserId, share.amount_minor),
        confirmation: input.confirmation,
      });
      const cap = payeeBalanceCap(await this.deps.kyc.limitsFor(split.organiser_user_id));
      transfer = {
        ...shareTransfer(split, share),
        limits: [...authorization.ledgerLimits, shareLimit(share)],
        ...(cap === undefined ? {} : { creditBalanceCap: cap }),
      };
      await this.hooks.afterClaim?.(share);
    } catch (error) {
      // Nothing moved: the share is free again (a named one still its participant's).
      await this.store.release(share, split.mode);
      throw error;
    }
    const [outcome] = await this.deps.payments.move([transfer], authorization);
    if (!outcome) throw new Error('the ledger answered no outcome');
    if (!succeeded(outcome)) {
      if (isFenced(outcome, share.id)) {
        // This request outlived its claim (settled as dead meanwhile): the share is another attempt's.
        const now = await this.store.findShare(share.id);
        if (now && ['paid', 'refunding', 'refunded'].includes(now.status)) throw alreadyPaid(now);
        throw new AppError('SPLIT_SHARE_IN_PROGRESS');
      }
      await this.store.release(share, split.mode);
      throw ledgerRefusal([outcome], { credit: 'other', currency: split.currency });
    }
    await this.hooks.afterPayment?.(share);
    await this.recordPaid(share, transfer.id);
    return this.view((await this.store.findSplit(split.id))!, input.payerUserId);
  }

  /**
   * The key's earlier run may have paid (ADR 0012): the payer's share held or paid by this key is
   * finished from the ledger, without any check or confirmation. True when it is paid.
   */
  private async resumePayment(split: SplitRow, payerUserId: string, paymentId: string): Promise<boolean> {
    const share = await this.store.shareOf(split.id, payerUserId);
    if (!share || share.claim_payment_id !== paymentId) return false;
    if (share.status !== 'paying') return ['paid', 'refunding', 'refunded'].includes(share.status);
    // The earlier run is over (it answered a 5xx) or long dead: settle its attempt now.
    return this.settlePaying(split, share, true);
  }

  /** Claim a share for the payer, waiting a moment for a payment in flight (see CLAIM_WAIT_MS). */
  private async claim(
    split: SplitRow,
    input: { payer: { userId: string; display: string; walletAccountId: string }; paymentId: string },
  ): Promise<ShareRow> {
    const deadline = Date.now() + CLAIM_WAIT_MS;
    for (;;) {
      const result = await this.store.claim({ splitId: split.id, ...input, now: this.deps.now() });
      if ('claimed' in result) return result.claimed;
      if ('paid' in result) throw alreadyPaid(result.paid);
      if ('refused' in result) {
        if (result.refused === 'closed') throw new AppError('SPLIT_CLOSED');
        if (result.refused === 'full') throw new AppError('SPLIT_FULL');
        throw new AppError('SPLIT_NOT_FOUND');
      }
      // Payments in flight: one whose request died is settled, the others are waited for.
      let settledAny = false;
      for (const share of result.busy) {
        if (this.isStale(share.claimed_at) && (await this.settlePaying(split, share, true)))
          settledAny = true;
      }
      if (settledAny) continue;
      if (Date.now() >= deadline) throw new AppError('SPLIT_SHARE_IN_PROGRESS');
      await sleep(CLAIM_POLL_MS);
    }
  }

  /**
   * A share left `paying`: its attempt's transfer in the ledger → recorded paid (true). Otherwise,
   * when `fence`, the transfer's id is burnt (sent with a limit of 0, remembered as failed: the
   * request that claimed it can no longer move money with it) and the share released.
   */
  private async settlePaying(split: SplitRow, share: ShareRow, fence: boolean): Promise<boolean> {
    const base = shareTransfer(split, share);
    const moved = fence
      ? await this.deps.payments.movedOrFenced(base)
      : (await this.deps.ledger.getTransfer(base.id)) !== null;
    if (!moved && !fence) return false;
    if (moved) await this.recordPaid(share, base.id);
    else await this.store.release(share, split.mode);
    return moved;
  }

  private async recordPaid(share: ShareRow, ledgerTransferId: string): Promise<void> {
    const at = this.deps.now();
    await this.store.markPaid({
      share,
      ledgerTransferId,
      at,
      event: (split, paid, last) => splitSharePaid(split, paid, last, at),
    });
  }

  private paymentOf(split: SplitRow, payerUserId: string, amountMinor: bigint) {
    return {
      // A passkey signs this before the share is claimed: one id per payer and split.
      id: derivedId(`splits:payment:${split.id}:${payerUserId}`),
      amountMinor,
      currency: split.currency,
      payee: `user:${split.organiser_user_id}`,
    };
  }

  // ---- the organiser ------------------------------------------------------------------------

  /** One of the organiser's splits; a payment whose request died is settled first. */
  async getOrganised(input: { id: string; organiserUserId: string }): Promise<SplitView> {
    const split = await this.findOrganised(input.id, input.organiserUserId);
    for (const share of await this.store.sharesOf([split.id])) {
      if (share.status === 'paying' && this.isStale(share.claimed_at))
        await this.settlePaying(split, share, true);
      if (share.status === 'refunding' && this.isStale(share.refund_claimed_at)) {
        await this.settleRefunding(split, share, true);
      }
    }
    return this.view((await this.store.findSplit(split.id))!, input.organiserUserId);
  }

  async list(input: {
    userId: string;
    role: 'organiser' | 'participant';
    limit: number;
  }): Promise<SplitView[]> {
    const limit = Math.min(Math.max(1, Math.trunc(input.limit)), 50);
    const rows =
      input.role === 'organiser'
        ? await this.store.organisedBy(input.userId, limit)
        : await this.store.joinedBy(input.userId, limit);
    const shares = await this.store.sharesOf(rows.map((row) => row.id));
    return rows.map((row) =>
      viewOf({
        split: row,
        shares: shares.filter((share) => share.split_id === row.id),
        viewerUserId: input.userId,
        publicUrl: this.deps.publicUrl,
      }),
    );
  }

  /** No more payments; paid shares stay paid. Closing a split that is not open answers it as it is. */
  async close(input: { id: string; organiserUserId: string }): Promise<SplitView> {
    const split = await this.findOrganised(input.id, input.organiserUserId);
    const closed = await this.store.close(split.id, this.deps.now());
    return this.view(closed ?? (await this.store.findSplit(split.id))!, input.organiserUserId);
  }

  /** One round of reminders to each named participant not paid yet, at most once per interval. */
  async remind(input: {
    id: string;
    organiserUserId: string;
  }): Promise<{ reminded: number; nextReminderAt: Date }> {
    const split = await this.findOrganised(input.id, input.organiserUserId);
    if (split.status === 'closed') throw new AppError('SPLIT_CLOSED');
    const now = this.deps.now();
    const intervalMs = this.deps.settings.reminderIntervalMinutes * 60_000;
    const result = await this.store.remind({
      splitId: split.id,
      now,
      intervalMs,
      event: (row, share) => splitReminded(row, share, now),
    });
    if ('nobody' in result) throw new AppError('SPLIT_NOTHING_TO_REMIND');
    if ('tooSoon' in result) {
      throw new AppError('SPLIT_REMINDER_TOO_SOON', {
        details: { nextReminderAt: result.tooSoon.toISOString() },
        retryAfterSeconds: Math.max(1, Math.ceil((result.tooSoon.getTime() - now.getTime()) / 1000)),
      });
    }
    return { reminded: result.reminded.length, nextReminderAt: new Date(now.getTime() + intervalMs) };
  }

  /**
   * Give a paid share back (the organiser's PIN or passkey): once — the share is claimed for the
   * refund (paid → refunding, the next refund attempt), the transfer's id is derived from that
   * attempt, and a refusal (funds, limits, the participant's cap) makes it `paid` again.
   */
  async refund(input: {
    id: string;
    shareId: string;
    organiserUserId: string;
    organiserWalletAccountId: string;
    confirmation: ConfirmationInput | null;
    paymentId: string;
    resumed: boolean;
  }): Promise<SplitView> {
    const split = await this.findOrganised(input.id, input.organiserUserId);
    let share = isUuid(input.shareId) ? await this.store.findShare(input.shareId) : null;
    if (!share || share.split_id !== split.id) throw new AppError('SPLIT_SHARE_NOT_FOUND');
    const answer = async () => this.view((await this.store.findSplit(split.id))!, input.organiserUserId);
    if (input.resumed && share.refund_payment_id === input.paymentId) {
      if (share.status === 'refunded') return answer();
      if (share.status === 'refunding' && (await this.settleRefunding(split, share, true))) return answer();
      share = (await this.store.findShare(share.id))!;
    }
    const claimed = await this.claimRefund(split, share, input.paymentId);
    let transfer: TransferInput;
    let authorization;
    try {
      authorization = await this.deps.payments.authorize({
        kind: 'split_refund',
        payerUserId: input.organiserUserId,
        payment: {
          id: derivedId(`splits:refund-payment:${claimed.id}`),
          amountMinor: claimed.amount_minor,
          currency: split.currency,
          payee: `user:${claimed.participant_user_id!}`,
        },
        confirmation: input.confirmation,
      });
      const cap = payeeBalanceCap(await this.deps.kyc.limitsFor(claimed.participant_user_id!));
      transfer = {
        ...refundTransfer(split, claimed),
        limits: [...authorization.ledgerLimits, refundLimit(claimed)],
        ...(cap === undefined ? {} : { creditBalanceCap: cap }),
      };
    } catch (error) {
      await this.store.releaseRefund(claimed);
      throw error;
    }
    const [outcome] = await this.deps.payments.move([transfer], authorization);
    if (!outcome) throw new Error('the ledger answered no outcome');
    if (!succeeded(outcome)) {
      const key = outcome.limit?.key;
      if (outcome.result === 'idAlreadyFailed' || key === refundLimit(claimed).key) {
        // This request outlived its claim (settled as dead meanwhile).
        const now = await this.store.findShare(claimed.id);
        if (now?.status === 'refunded') throw new AppError('SPLIT_SHARE_ALREADY_REFUNDED');
        throw new AppError('SPLIT_SHARE_IN_PROGRESS');
      }
      await this.store.releaseRefund(claimed);
      throw ledgerRefusal([outcome], { credit: 'other', currency: split.currency });
    }
    await this.recordRefunded(claimed, transfer.id);
    return answer();
  }

  private async claimRefund(split: SplitRow, share: ShareRow, paymentId: string): Promise<ShareRow> {
    const deadline = Date.now() + CLAIM_WAIT_MS;
    for (let current = share; ;) {
      const claimed = await this.store.claimRefund({ shareId: current.id, paymentId, now: this.deps.now() });
      if (claimed) return claimed;
      current = (await this.store.findShare(current.id))!;
      if (current.status === 'refunded') throw new AppError('SPLIT_SHARE_ALREADY_REFUNDED');
      if (current.status !== 'refunding' && current.status !== 'paid') {
        throw new AppError('SPLIT_SHARE_NOT_PAID', { details: { status: stateOf(current.status) } });
      }
      if (current.status === 'refunding' && this.isStale(current.refund_claimed_at)) {
        await this.settleRefunding(split, current, true);
        continue;
      }
      if (Date.now() >= deadline) throw new AppError('SPLIT_SHARE_IN_PROGRESS');
      await sleep(CLAIM_POLL_MS);
    }
  }

  /** As `settlePaying`, for a refund left `refunding`. True when it is refunded. */
  private async settleRefunding(split: SplitRow, share: ShareRow, fence: boolean): Promise<boolean> {
    const base = refundTransfer(split, share);
    const moved = fence
      ? await this.deps.payments.movedOrFenced(base)
      : (await this.deps.ledger.getTransfer(base.id)) !== null;
    if (!moved && !fence) return false;
    if (moved) await this.recordRefunded(share, base.id);
    else await this.store.releaseRefund(share);
    return moved;
  }

  private async recordRefunded(share: ShareRow, ledgerTransferId: string): Promise<void> {
    const at = this.deps.now();
    await this.store.markRefunded({
      share,
      ledgerTransferId,
      at,
      event: (split, refunded) => splitShareRefunded(split, refunded, at),
    });
  }

  // ---- reading ------------------------------------------------------------------------------

  /** A split as a holder sees it by its link's token or its id. */
  async get(input: { ref: string; viewerUserId: string }): Promise<SplitView> {
    return this.view(await this.findVisible(input.ref, input.viewerUserId), input.viewerUserId);
  }

  /**
   * By its link's token: an open split to anyone signed in, a named one to its organiser and
   * participants; by id: to its organiser and those with a share. To anyone else it does not exist.
   */
  private async findVisible(ref: string, viewerUserId: string): Promise<SplitRow> {
    const byToken = /^[A-Za-z0-9_-]{22}$/.test(ref);
    const split = isUuid(ref)
      ? await this.store.findSplit(ref)
      : byToken
        ? await this.store.findByToken(ref)
        : null;
    if (!split) throw new AppError('SPLIT_NOT_FOUND');
    if (split.organiser_user_id === viewerUserId) return split;
    if (byToken && split.mode === 'open') return split;
    if (await this.store.shareOf(split.id, viewerUserId)) return split;
    throw new AppError('SPLIT_NOT_FOUND');
  }

  private async findOrganised(id: string, organiserUserId: string): Promise<SplitRow> {
    const split = isUuid(id) ? await this.store.findSplit(id) : null;
    if (!split || split.organiser_user_id !== organiserUserId) throw new AppError('SPLIT_NOT_FOUND');
    return split;
  }

  private async view(split: SplitRow, viewerUserId: string): Promise<SplitView> {
    return viewOf({
      split,
      shares: await this.store.sharesOf([split.id]),
      viewerUserId,
      publicUrl: this.deps.publicUrl,
    });
  }

  private isStale(at: Date | null): boolean {
    return at !== null && this.deps.now().getTime() - at.getTime() > STALE_CLAIM_MS;
  }

  /** The store, for history's description of this module's ledger transfers (history.ts). */
  get records(): SplitsStore {
    return this.store;
  }
}

// ---- views, ids and transfers -----------------------------------------------------------------

function viewOf(input: {
  split: SplitRow;
  shares: readonly ShareRow[];
  viewerUserId: string;
  publicUrl: string;
}): SplitView {
  const { split, shares, viewerUserId } = input;
  const mine = split.organiser_user_id === viewerUserId;
  const payable = shares.filter((share) => share.status !== 'own');
  const myShare = shares.find((share) => share.participant_user_id === viewerUserId) ?? null;
  const free = shares.find((share) => share.status === 'open' && share.participant_user_id === null);
  const sum = (rows: readonly ShareRow[]) => rows.reduce((total, share) => total + share.amount_minor, 0n);
  return {
    id: split.id,
    title: split.title,
    organiser: { displayName: split.organiser_display },
    mode: split.mode,
    split: split.split,
    totalMinor: split.total_minor,
    currency: split.currency,
    shareCount: split.share_count,
    includesOrganiser: split.include_organiser,
    status: split.status,
    // Paid and kept: a share given back is not paid any more (its refund is in `shares`).
    paidCount: payable.filter((share) => share.status === 'paid' || share.status === 'refunding').length,
    payableCount: payable.length,
    mine,
    myShare: myShare ? shareViewOf(myShare) : null,
    nextShareMinor: !mine && !myShare && split.status === 'open' && free ? free.amount_minor : null,
    shares: mine ? shares.map(shareViewOf) : null,
    collectedMinor: mine
      ? sum(payable.filter((share) => share.status === 'paid' || share.status === 'refunding'))
      : null,
    outstandingMinor: mine
      ? sum(payable.filter((share) => share.status === 'open' || share.status === 'paying'))
      : null,
    lastRemindedAt: mine ? split.last_reminded_at : null,
    link: `${input.publicUrl}/splits/${split.token}`,
    qrPayload: `qianbao://split?t=${split.token}`,
    createdAt: split.created_at,
    closedAt: split.closed_at,
    completedAt: split.completed_at,
  };
}

function shareViewOf(share: ShareRow): ShareView {
  return {
    id: share.id,
    position: share.position,
    amountMinor: share.amount_minor,
    participant: share.participant_display ? { displayName: share.participant_display } : null,
    state: stateOf(share.status),
    paidAt: share.paid_at,
    refundedAt: share.refunded_at,
  };
}

function stateOf(status: ShareStatus): ShareState {
  return status === 'open' ? 'unpaid' : status;
}

/** The ledger transfer of one attempt to pay a share (participant → organiser). */
export function shareTransferId(shareId: string, attempt: number): string {
  return derivedId(`splits:share:${shareId}:${attempt}`);
}

/** The ledger transfer of one attempt to refund a share (organiser → participant). */
export function refundTransferId(shareId: string, attempt: number): string {
  return derivedId(`splits:refund:${shareId}:${attempt}`);
}

function shareTransfer(split: SplitRow, share: ShareRow): TransferInput & { id: string } {
  return {
    id: shareTransferId(share.id, share.attempt),
    debitAccountId: share.participant_wallet_account_id!,
    creditAccountId: split.organiser_wallet_account_id,
    amount: share.amount_minor,
    currency: split.currency,
    code: TransferCodes.splitShare,
    userData: `split-share:${share.id}`,
  };
}

function refundTransfer(split: SplitRow, share: ShareRow): TransferInput & { id: string } {
  return {
    id: refundTransferId(share.id, share.refund_attempt),
    debitAccountId: split.organiser_wallet_account_id,
    creditAccountId: share.participant_wallet_account_id!,
    amount: share.amount_minor,
    currency: split.currency,
    code: TransferCodes.splitRefund,
    userData: `split-refund:${share.id}`,
  };
}

/** The ledger's guard that a share is paid at most once, whatever the attempts. */
function shareLimit(share: ShareRow) {
  return { key: `split-share:${share.id}`, max: share.amount_minor };
}

/** The ledger's guard that a share is refunded at most once. */
function refundLimit(share: ShareRow) {
  return { key: `split-refund:${share.id}`, max: share.amount_minor };
}

/**
 * Refused by the share's own guard, or its id burnt by the fence of a claim settled as dead
 * (`movedOrFenced`: the ledger answers idAlreadyFailed): not the payer's limits.
 */
function isFenced(outcome: TransferOutcome, shareId: string): boolean {
  return outcome.result === 'idAlreadyFailed' || outcome.limit?.key === `split-share:${shareId}`;
}

function succeeded(outcome: TransferOutcome): boolean {
  return outcome.result === 'ok' || outcome.result === 'exists';
}

function alreadyPaid(share: ShareRow): AppError {
  return new AppError('SPLIT_SHARE_ALREADY_PAID', { details: { amount: money(share.amount_minor) } });
}

function money(amountMinor: bigint) {
  return { amount: amountMinor.toString(), currency: SPLIT_CURRENCY };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
