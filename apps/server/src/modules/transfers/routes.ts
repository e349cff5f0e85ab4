import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, signedIn } from '../../auth/index.ts';
import { AppError } from '../../errors.ts';
import {
  confirmationInput,
  confirmationPlanJson,
  confirmationPlanOutput,
  givenFactor,
  paymentToSignJson,
  paymentToSignOutput,
} from '../../http/confirmation.ts';
import { minorUnitsInput, moneyInput, moneyJson, moneyOf, moneyOutput } from '../../http/money.ts';
import { errorResponses, refusalOutput } from '../../http/responses.ts';
import { idempotentId, idempotentIdOfHolder, isResumption } from '../../idempotency.ts';
import {
  MAX_NOTE_LENGTH,
  MAX_PAYMENT_REQUEST_MINUTES,
  MAX_TRANSFER_MINOR,
  TRANSFER_CURRENCY,
} from './service.ts';
import type {
  LimitLeft,
  PayeeReference,
  PaymentRequestView,
  TransferPreview,
  TransferView,
  TransfersService,
} from './service.ts';

export interface TransfersRoutesOptions {
  service: TransfersService;
}

const TAGS = ['transfers'];
const ERRORS_4XX = errorResponses(400, 401, 403, 404, 409, 410, 422);
const TRANSFER_URL = '/v1/me/transfers';

export const amountInput = moneyInput({
  max: MAX_TRANSFER_MINOR,
  currencies: [TRANSFER_CURRENCY],
  description: 'The amount to pay, from ¥0.01 to ¥100,000,000.00.',
});

export const payeeFields = {
  toPhone: z.string().min(1).max(32).optional().meta({ description: "The payee's mobile number." }),
  toQr: z
    .string()
    .min(1)
    .max(512)
    .optional()
    .meta({ description: 'The scanned receive code (`qianbao://pay?to=…`), from GET /v1/me/receive-code.' }),
};

export function payeeOf(body: { toPhone?: string | undefined; toQr?: string | undefined }): PayeeReference {
  if (body.toPhone !== undefined && body.toQr === undefined) return { toPhone: body.toPhone };
  if (body.toQr !== undefined && body.toPhone === undefined) return { toQr: body.toQr };
  throw new AppError('VALIDATION_FAILED', {
    details: { fields: [{ in: 'body', path: 'toPhone', issue: 'send exactly one of toPhone and toQr' }] },
  });
}

export const noteInput = z
  .string()
  .trim()
  .max(MAX_NOTE_LENGTH)
  .optional()
  .meta({ description: `Shown to both sides; at most ${MAX_NOTE_LENGTH} characters.` });

/** Why a payment would be refused if confirmed now: the shape of an error body's `error`. */
export const refusalSchema = refusalOutput(
  'LIMIT_EXCEEDED (details.limit single or daily, max, remaining), INSUFFICIENT_FUNDS (details.available), ' +
    'PAYEE_BALANCE_CAP_EXCEEDED.',
);

const limitLeftSchema = z
  .object({
    max: moneyOutput.nullable().meta({ description: 'The limit; null when the tier has none.' }),
    remaining: moneyOutput.nullable().meta({ description: 'What is left of it now; null when unlimited.' }),
  })
  .meta({ description: 'A limit of the payer and what is left of it.' });

const partySchema = z
  .object({
    displayName: z.string().meta({ description: 'Masked real name, or masked number.', example: '*明' }),
  })
  .meta({ description: 'A party of the payment, masked.' });

const previewSchema = z.object({
  payee: z
    .object({
      displayName: z.string().meta({ example: '*明', description: 'Masked real name, or masked number.' }),
      realNameVerified: z.boolean().meta({ description: 'Whether the payee passed real-name verification.' }),
    })
    .meta({ description: 'Who would receive the money.' }),
  amount: moneyOutput.meta({ description: 'The amount to pay.' }),
  fixedAmount: moneyOutput.nullable().meta({ description: 'The amount the scanned code fixes.' }),
  confirmation: confirmationPlanOutput,
  payment: paymentToSignOutput.nullable().meta({
    description:
      'Given `idempotencyKey`: the payment to send to POST /v1/me/confirmations/options to bind a passkey.',
  }),
  limits: z
    .object({
      single: limitLeftSchema.meta({ description: 'The most one payment may be.' }),
      daily: limitLeftSchema.meta({ description: 'Payments today (Asia/Shanghai).' }),
      yearly: limitLeftSchema.meta({ description: 'Payments this calendar year.' }),
      passwordFreeDaily: limitLeftSchema
        .nullable()
        .meta({ description: 'Password-free payments today; null when password-free is off.' }),
    })
    .meta({ description: "What is left of the payer's limits." }),
  refusal: refusalSchema,
});

export const transferSchema = z.object({
  id: z.string().meta({ description: 'The ledger transfer id: also the id in /v1/me/transactions.' }),
  kind: z
    .enum(['phone', 'qr', 'payment_request'])
    .meta({ description: 'Sent by mobile number, by scanned receive code, or paying a payment request.' }),
  status: z.enum(['succeeded', 'under_review', 'rejected', 'expired']).meta({
    description:
      'A transfer arrives at once: `succeeded`. One the risk engine holds for review is `under_review` (the ' +
      "payer's money is held; answered 202) until an operator approves it (`succeeded`) or rejects it " +
      "(`rejected`), or nobody does in time (`expired`): then the money is back in the payer's wallet.",
  }),
  direction: z.enum(['in', 'out']).meta({ description: "From the caller's side: money in or out." }),
  amount: moneyOutput.meta({ description: 'The amount paid.' }),
  note: z.string().nullable().meta({ description: 'The note shown to both sides.' }),
  counterparty: partySchema.meta({ description: "The other side, from the caller's view." }),
  payer: partySchema.meta({ description: 'Who paid.' }),
  payee: partySchema.meta({ description: 'Who received.' }),
  paymentRequestId: z.string().nullable().meta({ description: 'The payment request this paid, if any.' }),
  createdAt: z.string().meta({ description: 'When it was made (ISO 8601).' }),
});

const paymentRequestSchema = z.object({
  id: z.string().meta({ description: 'The payment request id.' }),
  amount: moneyOutput.meta({ description: 'The amount requested.' }),
  note: z.string().nullable().meta({ description: "The requester's note." }),
  requester: partySchema.meta({ description: 'Who asks for the money (masked).' }),
  status: z
    .enum(['open', 'paying', 'paid', 'cancelled', 'expired'])
    .meta({ description: '`open` until paid once, cancelled by the requester, or expired.' }),
  mine: z.boolean().meta({ description: 'Whether the caller made this request.' }),
  expiresAt: z.string().meta({ description: 'When it can no longer be paid (ISO 8601).' }),
  createdAt: z.string().meta({ description: 'When it was made (ISO 8601).' }),
  paidAt: z.string().nullable().meta({ description: 'When it was paid (ISO 8601).' }),
  cancelledAt: z.string().nullable().meta({ description: 'When it was cancelled (ISO 8601).' }),
  payment: paymentToSignOutput.meta({
    description: 'Send to POST /v1/me/confirmations/options before paying (binds a passkey to this request).',
  }),
  link: z.string().meta({ description: 'A link to the web app that pays this request.' }),
  qrPayload: z.string().meta({ description: 'The text of its QR code (`qianbao://request?id=…`).' }),
});

const limitJson = (limit: LimitLeft) => ({
  max: limit.max === null ? null : moneyJson(limit.max, TRANSFER_CURRENCY),
  remaining: limit.remaining === null ? null : moneyJson(limit.remaining, TRANSFER_CURRENCY),
});

export function previewJson(preview: TransferPreview): z.infer<typeof previewSchema> {
  return {
    payee: preview.payee,
    amount: moneyJson(preview.amountMinor, preview.currency),
    fixedAmount:
      preview.fixedAmountMinor === null ? null : moneyJson(preview.fixedAmountMinor, preview.currency),
    confirmation: confirmationPlanJson(preview.confirmation),
    payment: preview.payment && paymentToSignJson(preview.payment),
    limits: {
      single: limitJson(preview.limits.single),
      daily: limitJson(preview.limits.daily),
      yearly: limitJson(preview.limits.yearly),
      passwordFreeDaily: preview.limits.passwordFreeDaily && limitJson(preview.limits.passwordFreeDaily),
    },
    refusal: preview.refusal,
  };
}

export function transferJson(view: TransferView): z.infer<typeof transferSchema> {
  return {
    id: view.id,
    kind: view.kind,
    status: view.status,
    direction: view.direction,
    amount: moneyJson(view.amountMinor, view.currency),
    note: view.note,
    counterparty: view.counterparty,
    payer: view.payer,
    payee: view.payee,
    paymentRequestId: view.paymentRequestId,
    createdAt: view.createdAt.toISOString(),
  };
}

function paymentRequestJson(view: PaymentRequestView): z.infer<typeof paymentRequestSchema> {
  return {
    id: view.id,
    amount: moneyJson(view.amountMinor, view.currency),
    note: view.note,
    requester: view.requester,
    status: view.status,
    mine: view.mine,
    expiresAt: view.expiresAt.toISOString(),
    createdAt: view.createdAt.toISOString(),
    paidAt: view.paidAt?.toISOString() ?? null,
    cancelledAt: view.cancelledAt?.toISOString() ?? null,
    payment: paymentToSignJson(view.payment),
    link: view.link,
    qrPayload: view.qrPayload,
  };
}

/**
 * The id `idempotentId(request, 'transfer')` gives POST /v1/me/transfers for this holder and key:
 * the preview tells the client the payment id before the transfer, so a passkey can sign it.
 */
export function transferPaymentId(userId: string, idempotencyKey: string): string {
  return idempotentIdOfHolder({
    userId,
    method: 'POST',
    route: TRANSFER_URL,
    key: idempotencyKey,
    purpose: 'transfer',
  });
}

export const transfersRoutes: FastifyPluginCallbackZod<TransfersRoutesOptions> = (app, options, done) => {
  const { service } = options;

  app.post(
    '/v1/me/transfers/preview',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Before a transfer: who the payee is (masked), how to confirm, what is left of my limits',
          description:
            'Refuses PAYEE_NOT_FOUND, PAYEE_CLOSED, CANNOT_PAY_YOURSELF, RECEIVE_CODE_INVALID, QR_AMOUNT_MISMATCH. ' +
            '`refusal` says why the transfer would be refused if confirmed now (limits, balance, payee cap). ' +
            'Send the Idempotency-Key you will use for the transfer as `idempotencyKey` to get `payment` for ' +
            'POST /v1/me/confirmations/options.',
          body: z.strictObject({
            ...payeeFields,
            amount: amountInput,
            idempotencyKey: z.string().min(1).max(255).optional().meta({
              description:
                'The Idempotency-Key the client will send with the transfer: the answer then carries `payment`.',
            }),
          }),
          response: { 200: previewSchema, ...ERRORS_4XX },
        },
      },
    ),
    async (request) => {
      const holder = principalOf(request, 'holder');
      const { body } = request;
      const preview = await service.preview({
        payerUserId: holder.userId,
        payerWalletAccountId: holder.walletAccountId,
        payee: payeeOf(body),
        amountMinor: moneyOf(body.amount).amountMinor,
        paymentId: body.idempotencyKey ? transferPaymentId(holder.userId, body.idempotencyKey) : null,
      });
      return previewJson(preview);
    },
  );

  app.post(
    TRANSFER_URL,
    signedIn(
      app,
      { principal: 'holder' },
      {
        config: { idempotent: true },
        schema: {
          tags: TAGS,
          summary: 'Send money to another wallet, by mobile number or scanned receive code',
          description:
            'Needs an Idempotency-Key. Arrives at once; both sides are notified. Refusals: INSUFFICIENT_FUNDS, ' +
            'LIMIT_EXCEEDED (details.limit, max, remaining), PAYEE_BALANCE_CAP_EXCEEDED, PAYEE_NOT_FOUND, ' +
            'PAYEE_CLOSED, CANNOT_PAY_YOURSELF, PIN_INCORRECT, PAYMENTS_LOCKED, FACTOR_NOT_ACCEPTED.',
          body: z.strictObject({
            ...payeeFields,
            amount: amountInput,
            note: noteInput,
            confirmation: confirmationInput,
          }),
          response: { 201: transferSchema, 202: transferSchema, ...ERRORS_4XX },
        },
      },
    ),
    async (request, reply) => {
      const holder = principalOf(request, 'holder');
      const { body } = request;
      const view = await service.transfer({
        payerUserId: holder.userId,
        payerWalletAccountId: holder.walletAccountId,
        payee: payeeOf(body),
        amountMinor: moneyOf(body.amount).amountMinor,
        note: body.note ? body.note : null,
        confirmation: givenFactor(body.confirmation) ?? {},
        paymentId: idempotentId(request, 'transfer'),
        resumed: isResumption(request),
      });
      // Held for review: accepted, not done (the payer is told the outcome).
      return reply.code(view.status === 'under_review' ? 202 : 201).send(transferJson(view));
    },
  );

  app.get(
    '/v1/me/receive-code',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'My personal receive code (QR), optionally for a fixed amount',
          description:
            'The payload is `qianbao://pay?to=<opaque token>[&amount=<fen>&currency=CNY]`: the token reveals ' +
            'nothing about the holder. A payer sends it as `toQr`.',
          querystring: z.object({
            amount: minorUnitsInput({ max: MAX_TRANSFER_MINOR, currency: TRANSFER_CURRENCY })
              .optional()
              .meta({
                description: 'A fixed amount for the code, in fen (CNY): the payer must pay exactly it.',
              }),
          }),
          response: {
            200: z.object({
              payload: z
                .string()
                .meta({ description: 'The text of the QR code; a payer sends it as `toQr`.' }),
              qrSvg: z.string().meta({ description: 'The QR code as an SVG document.' }),
              qrDataUrl: z.string().meta({ description: 'The QR code as a PNG `data:` URL.' }),
              amount: moneyOutput
                .nullable()
                .meta({ description: 'The fixed amount; null when the payer chooses.' }),
              displayName: z.string().meta({ description: 'The holder as a payer sees them (masked).' }),
            }),
            ...ERRORS_4XX,
          },
        },
      },
    ),
    async (request) => {
      const { userId } = principalOf(request, 'holder');
      const amountMinor = request.query.amount ? BigInt(request.query.amount) : null;
      const code = await service.receiveCode({ userId, amountMinor });
      return {
        payload: code.payload,
        qrSvg: code.qrSvg,
        qrDataUrl: code.qrDataUrl,
        amount: code.amountMinor === null ? null : moneyJson(code.amountMinor, code.currency),
        displayName: code.displayName,
      };
    },
  );

  app.post(
    '/v1/me/payment-requests',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Request money: a link and a QR code anyone signed in can pay, once',
          body: z.strictObject({
            amount: amountInput,
            note: noteInput,
            expiresInMinutes: z
              .number()
              .int()
              .min(1)
              .max(MAX_PAYMENT_REQUEST_MINUTES)
              .default(24 * 60)
              .meta({ description: 'At most 7 days (10080); 24 hours by default.' }),
          }),
          response: {
            201: paymentRequestSchema.extend({
              qrSvg: z.string().meta({ description: 'The QR code as an SVG document.' }),
              qrDataUrl: z.string().meta({ description: 'The QR code as a PNG `data:` URL.' }),
            }),
            ...ERRORS_4XX,
          },
        },
      },
    ),
    async (request, reply) => {
      const { userId } = principalOf(request, 'holder');
      const { body } = request;
      const view = await service.createPaymentRequest({
        userId,
        amountMinor: moneyOf(body.amount).amountMinor,
        note: body.note ? body.note : null,
        expiresInMinutes: body.expiresInMinutes,
      });
      return reply
        .code(201)
        .send({ ...paymentRequestJson(view), qrSvg: view.qrSvg, qrDataUrl: view.qrDataUrl });
    },
  );

  app.get(
    '/v1/me/payment-requests',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'My payment requests, newest first',
          querystring: z.object({
            limit: z.coerce
              .number()
              .int()
              .min(1)
              .max(100)
              .default(20)
              .meta({ description: 'At most this many (1–100; 20 by default).' }),
          }),
          response: {
            200: z.object({
              paymentRequests: z.array(paymentRequestSchema).meta({ description: 'Newest first.' }),
            }),
            ...ERRORS_4XX,
          },
        },
      },
    ),
    async (request) => {
      const { userId } = principalOf(request, 'holder');
      const views = await service.listPaymentRequests({ userId, limit: request.query.limit });
      return { paymentRequests: views.map(paymentRequestJson) };
    },
  );

  const requestParams = z.object({ id: z.string().max(64).meta({ description: 'The payment request id.' }) });

  app.get(
    '/v1/payment-requests/:id',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'A payment request, as anyone signed in sees it (before paying it)',
          params: requestParams,
          response: { 200: paymentRequestSchema, ...ERRORS_4XX },
        },
      },
    ),
    async (request) => {
      const { userId } = principalOf(request, 'holder');
      return paymentRequestJson(
        await service.getPaymentRequest({ id: request.params.id, viewerUserId: userId }),
      );
    },
  );

  app.post(
    '/v1/payment-requests/:id/preview',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Before paying a payment request: how to confirm, my limits left, and any refusal',
          description:
            'Refuses what paying would refuse up front: PAYMENT_REQUEST_NOT_FOUND, _ALREADY_PAID, _EXPIRED, ' +
            '_CANCELLED, CANNOT_PAY_YOURSELF, PAYEE_CLOSED. `refusal` says why the payment would be refused if ' +
            'confirmed now. `payment` is what to pass to POST /v1/me/confirmations/options.',
          params: requestParams,
          response: { 200: previewSchema, ...ERRORS_4XX },
        },
      },
    ),
    async (request) => {
      const holder = principalOf(request, 'holder');
      return previewJson(
        await service.previewPaymentRequest({
          id: request.params.id,
          payerUserId: holder.userId,
          payerWalletAccountId: holder.walletAccountId,
        }),
      );
    },
  );

  app.post(
    '/v1/payment-requests/:id/pay',
    signedIn(
      app,
      { principal: 'holder' },
      {
        config: { idempotent: true },
        schema: {
          tags: TAGS,
          summary: 'Pay a payment request (it settles once)',
          description:
            'Needs an Idempotency-Key. PAYMENT_REQUEST_ALREADY_PAID when someone paid it first, ' +
            'PAYMENT_REQUEST_EXPIRED, PAYMENT_REQUEST_CANCELLED, and the refusals of POST /v1/me/transfers.',
          params: requestParams,
          body: z.strictObject({ confirmation: confirmationInput }),
          response: { 201: transferSchema, 202: transferSchema, ...ERRORS_4XX },
        },
      },
    ),
    async (request, reply) => {
      const holder = principalOf(request, 'holder');
      const view = await service.payPaymentRequest({
        id: request.params.id,
        payerUserId: holder.userId,
        payerWalletAccountId: holder.walletAccountId,
        confirmation: givenFactor(request.body.confirmation) ?? {},
        paymentId: idempotentId(request, 'payment-request'),
        resumed: isResumption(request),
      });
      // Held for review: accepted, not done (the payer is told the outcome).
      return reply.code(view.status === 'under_review' ? 202 : 201).send(transferJson(view));
    },
  );

  app.post(
    '/v1/payment-requests/:id/cancel',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Cancel my open payment request',
          params: requestParams,
          response: { 200: paymentRequestSchema, ...ERRORS_4XX },
        },
      },
    ),
    async (request) => {
      const { userId } = principalOf(request, 'holder');
      return paymentRequestJson(await service.cancelPaymentRequest({ id: request.params.id, userId }));
    },
  );

  done();
};
