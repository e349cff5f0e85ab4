/**
 * The domain events of the transfers module (outbox/, ADR 0015) and the notices they give.
 * `transfer.succeeded` is appended in the transaction that writes the transfer's record
 * (store.ts), so the record and its event commit together; the inbox subscriber writes the
 * payee's and the payer's notices from it, with the texts of messages.ts.
 *
 * A transfer held for review (payments/review.ts) gives `transfer.held` when its record is
 * written (the payer is told it is under review; the payee nothing yet), then, when it is settled,
 * `transfer.succeeded` (approved: both sides, as any transfer) or `transfer.returned` (rejected
 * or expired: the payer is told the money is back).
 */
import { formatMoney, money } from '@qianbao/money';
import { moneyPayload } from '../../outbox/index.ts';
import type { NewEvent, OutboxEvent } from '../../outbox/index.ts';
import type { NoticeRenderers } from '../notifications/index.ts';
import {
  transferHeldNotice,
  transferReceivedNotice,
  transferReturnedNotice,
  transferSentNotice,
} from './messages.ts';
import type { TransferRow } from './store.ts';

export const TRANSFER_EVENTS = {
  succeeded: 'transfer.succeeded',
  held: 'transfer.held',
  returned: 'transfer.returned',
} as const;

/** What `transfer.succeeded` carries: the record, as the notices and later subscribers need it. */
export interface TransferSucceededPayload {
  [key: string]: string | null | { amount: string; currency: string };
  /** The ledger transfer's id (what clients know the transfer by). */
  transferId: string;
  recordId: string;
  kind: TransferRow['kind'];
  amount: { amount: string; currency: string };
  payerUserId: string;
  payeeUserId: string;
  payerDisplay: string;
  payeeDisplay: string;
  note: string | null;
  paymentRequestId: string | null;
}

export function transferSucceeded(record: TransferRow): NewEvent {
  return {
    type: TRANSFER_EVENTS.succeeded,
    aggregateType: 'transfer',
    aggregateId: record.ledger_transfer_id,
    payload: payloadOf(record),
    createdAt: record.created_at,
  };
}

/** A transfer held for review: its record is written, the money is held. */
export function transferHeld(record: TransferRow): NewEvent {
  return { ...transferSucceeded(record), type: TRANSFER_EVENTS.held };
}

/** A held transfer rejected or expired: the hold is voided, the money is the payer's again. */
export function transferReturned(record: TransferRow, at: Date): NewEvent {
  return {
    ...transferSucceeded(record),
    type: TRANSFER_EVENTS.returned,
    payload: { ...payloadOf(record), outcome: record.status },
    createdAt: at,
  };
}

function payloadOf(record: TransferRow): TransferSucceededPayload {
  return {
    transferId: record.ledger_transfer_id,
    recordId: record.id,
    kind: record.kind,
    amount: moneyPayload(record.amount_minor, record.currency),
    payerUserId: record.payer_user_id,
    payeeUserId: record.payee_user_id,
    payerDisplay: record.payer_display,
    payeeDisplay: record.payee_display,
    note: record.note,
    paymentRequestId: record.payment_request_id,
  };
}

const amountOf = (payload: TransferSucceededPayload) => {
  const amountMinor = BigInt(payload.amount.amount);
  return { amountMinor, amount: formatMoney(money(amountMinor, payload.amount.currency)) };
};

/** The payee's and the payer's notices of a transfer, texts exactly as messages.ts has them. */
export const TRANSFER_NOTICES: NoticeRenderers = {
  [TRANSFER_EVENTS.held]: (event: OutboxEvent) => {
    const payload = event.payload as TransferSucceededPayload;
    const { amount, amountMinor } = amountOf(payload);
    return [
      {
        userId: payload.payerUserId,
        notice: {
          ...transferHeldNotice({ amount, to: payload.payeeDisplay, transferId: payload.transferId }),
          amountMinor,
        },
      },
    ];
  },
  [TRANSFER_EVENTS.returned]: (event: OutboxEvent) => {
    const payload = event.payload as TransferSucceededPayload & { outcome: string };
    const { amount, amountMinor } = amountOf(payload);
    return [
      {
        userId: payload.payerUserId,
        notice: {
          ...transferReturnedNotice({
            amount,
            to: payload.payeeDisplay,
            transferId: payload.transferId,
            expired: payload.outcome === 'expired',
          }),
          amountMinor,
        },
      },
    ];
  },
  [TRANSFER_EVENTS.succeeded]: (event: OutboxEvent) => {
    const payload = event.payload as TransferSucceededPayload;
    const amountMinor = BigInt(payload.amount.amount);
    const amount = formatMoney(money(amountMinor, payload.amount.currency));
    return [
      {
        userId: payload.payeeUserId,
        notice: {
          ...transferReceivedNotice({
            amount,
            from: payload.payerDisplay,
            transferId: payload.transferId,
            note: payload.note,
          }),
          amountMinor,
        },
      },
      {
        userId: payload.payerUserId,
        notice: {
          ...transferSentNotice({ amount, to: payload.payeeDisplay, transferId: payload.transferId }),
          amountMinor,
        },
      },
    ];
  },
};
