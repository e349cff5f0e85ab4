/**
 * The merchants module's kinds of the payment resource (payments/intents.ts): `merchant_static`
 * (a merchant's static code; the payer gives the amount) and `merchant_order` (an order's
 * dynamic code). Each quote and confirm is the module's own (service.ts `quote`, `pay`).
 */
import { z } from 'zod';
import { confirmationPlanJson, paymentToSignJson } from '../../http/confirmation.ts';
import { moneyJson, moneyOf } from '../../http/money.ts';
import { defineIntentKind } from '../../payments/intent-kinds.ts';
import type { IntentKind, IntentQuote, JsonObject } from '../../payments/intent-kinds.ts';
import { merchantAmountInput, orderJson, scannedJson } from './routes.ts';
import { MERCHANT_CURRENCY } from './service.ts';
import type { MerchantPaymentQuote, MerchantsService } from './service.ts';

const qrField = z.string().min(1).max(512).meta({ description: 'The scanned code, as read.' });
const staticFields = z.strictObject({ qr: qrField, amount: merchantAmountInput });
const orderFields = z.strictObject({ qr: qrField });

function quoteOf(quote: MerchantPaymentQuote): IntentQuote {
  const amount = moneyJson(quote.amountMinor, MERCHANT_CURRENCY);
  return {
    amount,
    fee: moneyJson(0n, MERCHANT_CURRENCY),
    total: amount,
    confirmation: confirmationPlanJson(quote.confirmation),
    payment: paymentToSignJson(quote.payment),
    refusal: quote.refusal as JsonObject | null,
    details: scannedJson(quote.scanned),
  };
}

export function merchantsPaymentKinds(service: MerchantsService): IntentKind<JsonObject>[] {
  const kinds = [
    { kind: 'merchant_static' as const, fields: staticFields },
    { kind: 'merchant_order' as const, fields: orderFields },
  ];
  return kinds.map(({ kind, fields }) =>
    defineIntentKind<{ qr: string; amount?: { amount: string; currency: string } } & JsonObject>({
      kind,
      fields: fields as z.ZodType<{ qr: string; amount?: { amount: string; currency: string } } & JsonObject>,
      async quote({ holder, request, paymentId }) {
        return quoteOf(
          await service.quote({
            payerUserId: holder.userId,
            payerWalletAccountId: holder.walletAccountId,
            qr: request.qr,
            amountMinor: request.amount ? moneyOf(request.amount).amountMinor : null,
            paymentId,
            kind,
          }),
        );
      },
      async confirm({ holder, request, paymentId, confirmation, resumed }) {
        const order = await service.pay({
          payerUserId: holder.userId,
          payerWalletAccountId: holder.walletAccountId,
          qr: request.qr,
          amountMinor: request.amount ? moneyOf(request.amount).amountMinor : null,
          confirmation,
          paymentId,
          resumed,
          kind,
        });
        return { status: 'succeeded', result: orderJson(order) };
      },
    }),
  );
}
