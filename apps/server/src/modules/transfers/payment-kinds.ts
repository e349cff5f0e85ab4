/**
 * The transfers module's kinds of the payment resource (payments/intents.ts): `transfer` (to a
 * mobile number or a scanned receive code) and `payment_request` (paying someone's request). Each
 * quote and confirm is the module's own preview and payment, as its routes run them.
 */
import { z } from 'zod';
import { moneyJson, moneyOf } from '../../http/money.ts';
import { defineIntentKind } from '../../payments/intent-kinds.ts';
import type { IntentOutcome, IntentQuote, IntentKind, JsonObject } from '../../payments/intent-kinds.ts';
import { amountInput, noteInput, payeeFields, payeeOf, previewJson, transferJson } from './routes.ts';
import type { TransferPreview, TransferView, TransfersService } from './service.ts';

function quoteOf(preview: TransferPreview): IntentQuote {
  const { amount, confirmation, payment, refusal, ...details } = previewJson(preview);
  const zero = moneyJson(0n, preview.currency);
  return {
    amount,
    fee: zero,
    total: amount,
    confirmation,
    // The preview names the payment only given its id, which the resource always gives.
    payment: payment!,
    refusal,
    details,
  };
}

/** A transfer's outcome for the payment resource: held for review is `processing`; returned is `failed`. */
function outcomeOf(view: TransferView): IntentOutcome {
  const status =
    view.status === 'succeeded' ? 'succeeded' : view.status === 'under_review' ? 'processing' : 'failed';
  return { status, result: transferJson(view) };
}

const transferFields = z.strictObject({ ...payeeFields, amount: amountInput, note: noteInput });
const requestFields = z.strictObject({
  paymentRequestId: z.string().uuid().meta({ description: 'The payment request to pay.' }),
});
export function transfersPaymentKinds(service: TransfersService): IntentKind<JsonObject>[] {
  return [
    defineIntentKind<z.infer<typeof transferFields> & JsonObject>({
      kind: 'transfer',
      fields: transferFields,
      async quote({ holder, request, paymentId }) {
        return quoteOf(
          await service.preview({
            payerUserId: holder.userId,
            payerWalletAccountId: holder.walletAccountId,
            payee: payeeOf(request),
            amountMinor: moneyOf(request.amount).amountMinor,
            paymentId,
          }),
        );
      },
      async confirm({ holder, request, paymentId, confirmation, resumed }) {
        const view = await service.transfer({
          payerUserId: holder.userId,
          payerWalletAccountId: holder.walletAccountId,
          payee: payeeOf(request),
          amountMinor: moneyOf(request.amount).amountMinor,
          note: request.note ? request.note : null,
          confirmation: confirmation ?? {},
          paymentId,
          resumed,
        });
        return outcomeOf(view);
      },
      // Held for review: `processing` until an operator (or the expiry) settles it.
      async refresh({ holder, result }) {
        const view = await service.heldView({
          payerUserId: holder.userId,
          ledgerTransferId: String(result['id']),
        });
        return view ? outcomeOf(view) : { status: 'processing', result };
      },
    }),
    defineIntentKind<z.infer<typeof requestFields> & JsonObject>({
      kind: 'payment_request',
      fields: requestFields,
      async quote({ holder, request }) {
        // A passkey signs the request's id whatever the attempt (the module's rule).
        return quoteOf(
          await service.previewPaymentRequest({
            id: request.paymentRequestId,
            payerUserId: holder.userId,
            payerWalletAccountId: holder.walletAccountId,
          }),
        );
      },
      async confirm({ holder, request, paymentId, confirmation, resumed }) {
        const view = await service.payPaymentRequest({
          id: request.paymentRequestId,
          payerUserId: holder.userId,
          payerWalletAccountId: holder.walletAccountId,
          confirmation: confirmation ?? {},
          paymentId,
          resumed,
        });
        return { status: 'succeeded', result: transferJson(view) };
      },
    }),
  ];
}
