/**
 * The funding module's kinds of the payment resource (payments/intents.ts): `top_up`,
 * `withdrawal` and `bank_transfer`. Each quote and confirm is the module's own quote and
 * operation, as its routes run them; the operation id is the attempt's payment id, so a confirm
 * run again answers the operation it started (and the bank's later answer, through `refresh`).
 */
import { z } from 'zod';
import { moneyOf } from '../../http/money.ts';
import { defineIntentKind } from '../../payments/intent-kinds.ts';
import type { IntentKind, IntentOutcome, JsonObject } from '../../payments/intent-kinds.ts';
import { amountInput, bankAccountFields, cardIdInput, fundingJson, quoteJson } from './routes.ts';
import type { SecretBox } from '../../crypto/secret-box.ts';
import type { FundingService, FundingView } from './service.ts';
import { FUNDING_SEALED } from './module.ts';

/** The account's number and name are stored sealed in the payment, as in the operation. */
const SEALED = {
  accountNumber: FUNDING_SEALED.requestAccountNumber,
  accountName: FUNDING_SEALED.requestAccountName,
};

function outcomeOf(view: FundingView): IntentOutcome {
  const status =
    view.status === 'succeeded' ? 'succeeded' : view.status === 'processing' ? 'processing' : 'failed';
  return { status, result: fundingJson(view) };
}

function quoteOf(quote: Parameters<typeof quoteJson>[0], details: JsonObject) {
  const { amount, fee, total, confirmation, payment, refusal } = quoteJson(quote);
  // The resource always gives the payment id, so the quote always names the payment to sign.
  return { amount, fee, total, confirmation, payment: payment!, refusal, details };
}

const accountOf = (request: { bankCode: string; accountNumber: string; accountName: string }) => ({
  bankCode: request.bankCode,
  accountNumber: request.accountNumber,
  accountName: request.accountName,
});

const cardFields = z.strictObject({ cardId: cardIdInput, amount: amountInput });
const bankFields = z.strictObject({
  ...bankAccountFields,
  amount: amountInput,
  note: z.string().trim().max(50).optional().meta({
    description: 'For the holder (history, receipt); at most 50 characters. Not sent to the bank.',
  }),
});
export function fundingPaymentKinds(
  service: FundingService,
  secrets: Pick<SecretBox, 'seal' | 'open'>,
): IntentKind<JsonObject>[] {
  const refresh = async ({ holder, result }: { holder: { userId: string }; result: JsonObject }) =>
    outcomeOf(await service.get({ userId: holder.userId, id: String(result.id) }));
  const card = (kind: 'top_up' | 'withdrawal') =>
    defineIntentKind<z.infer<typeof cardFields> & JsonObject>({
      kind,
      fields: cardFields,
      async quote({ holder, request, paymentId }) {
        const input = {
          userId: holder.userId,
          walletAccountId: holder.walletAccountId,
          cardId: request.cardId,
          amountMinor: moneyOf(request.amount).amountMinor,
          paymentId,
        };
        if (kind === 'top_up') return quoteOf(await service.quoteTopUp(input), {});
        const quote = await service.quoteWithdrawal(input);
        return quoteOf(quote, {
          freeRemaining: { amount: quote.freeRemainingMinor.toString(), currency: quote.currency },
          arrives: quote.arrivesBy.toISOString(),
        });
      },
      async confirm({ holder, request, paymentId, confirmation }) {
        // The operation id is the attempt's: a run again answers the operation it started.
        const view = await service.start({
          kind,
          operationId: paymentId,
          userId: holder.userId,
          walletAccountId: holder.walletAccountId,
          cardId: request.cardId,
          amountMinor: moneyOf(request.amount).amountMinor,
          confirmation: confirmation ?? undefined,
        });
        return outcomeOf(view);
      },
      refresh,
    });
  return [
    card('top_up'),
    card('withdrawal'),
    defineIntentKind<z.infer<typeof bankFields> & JsonObject>({
      kind: 'bank_transfer',
      fields: bankFields,
      sealRequest: (request) => ({
        ...request,
        accountNumber: secrets.seal(request.accountNumber, SEALED.accountNumber),
        accountName: secrets.seal(request.accountName, SEALED.accountName),
      }),
      openRequest: (stored) => {
        const request = stored as z.infer<typeof bankFields> & JsonObject;
        return {
          ...request,
          accountNumber: secrets.open(request.accountNumber, SEALED.accountNumber),
          accountName: secrets.open(request.accountName, SEALED.accountName),
        };
      },
      async quote({ holder, request, paymentId }) {
        const quote = await service.quoteBankTransfer({
          userId: holder.userId,
          walletAccountId: holder.walletAccountId,
          account: accountOf(request),
          amountMinor: moneyOf(request.amount).amountMinor,
          paymentId,
        });
        return quoteOf(quote, { arrives: quote.arrivesBy.toISOString(), account: quote.account });
      },
      async confirm({ holder, request, paymentId, confirmation }) {
        const view = await service.startBankTransfer({
          operationId: paymentId,
          userId: holder.userId,
          walletAccountId: holder.walletAccountId,
          account: accountOf(request),
          amountMinor: moneyOf(request.amount).amountMinor,
          note: request.note ? request.note : null,
          confirmation: confirmation ?? undefined,
        });
        return outcomeOf(view);
      },
      refresh,
    }),
  ];
}
