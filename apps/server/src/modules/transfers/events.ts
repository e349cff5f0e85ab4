/**
 * The domain events of the transfers module (outbox/, ADR 0015) and the notices they give.
 * `transfer.succeeded` is appended in the transaction that writes the transfer's record
 * (store.ts), so the record and its event commit together; the inbox subscriber writes the
 * payee's and the payer's notices from it, with the texts of messages.ts.
 */
import { formatMoney, money } from '@qianbao/money';
import { moneyPayload } from '../../outbox/index.ts';
import type { NewEvent, OutboxEvent } from '../../outbox/index.ts';
import type { NoticeRenderers } from '../notifications/index.ts';
import { transferReceivedNotice, transferSentNotice } from './messages.ts';
import type { TransferRow } from './store.ts';

export const TRANSFER_EVENTS = { succeeded: 'transfer.succeeded' } as const;

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
  const payload: TransferSucceededPayload = {
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
  return {
    type: TRANSFER_EVENTS.succeeded,
    aggregateType: 'transfer',
    aggregateId: record.ledger_transfer_id,
    payload,
    createdAt: record.created_at,
  };
}

/** The payee's and the payer's notices of a transfer, texts exactly as messages.ts has them. */
export const TRANSFER_NOTICES: NoticeRenderers = {
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
