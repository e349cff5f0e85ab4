import type { FastifyRequest } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, errorResponseSchema } from '../../errors.ts';
import { idempotentId, idempotentIdOfHolder, isResumption } from '../../idempotency.ts';
import { HOLDER_SECURITY, requireHolder } from '../identity/index.ts';
import { authenticationResponseInput, pinInput, totpCodeInput } from '../security/schemas.ts';
import {
  MAX_NOTE_LENGTH,
  MAX_PAYMENT_REQUEST_MINUTES,
  MAX_TRANSFER_MINOR,
  TRANSFER_CURRENCY,
  moneyJson,
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
  authenticate: (request: FastifyRequest) => Promise<void>;
}

const TAGS = ['transfers'];
const ERRORS_4XX = {
  400: errorResponseSchema,
  401: errorResponseSchema,
  403: errorResponseSchema,
  404: errorResponseSchema,
  409: errorResponseSchema,
  410: errorResponseSchema,
  422: errorResponseSchema,
};
const TRANSFER_URL = '/v1/me/transfers';

const moneySchema = z.object({
  amount: z.string().meta({ description: 'Integer minor units (fen), as a string.', example: '1234' }),
  currency: z.string().meta({ example: 'CNY' }),
});

const amountInput = z
  .object({
    amount: z.string().regex(/^\d{1,15}$/, 'must be a whole number of fen, as a string'),
    currency: z.literal(TRANSFER_CURRENCY),
  })
  .refine((value) => BigInt(value.amount) > 0n && BigInt(value.amount) <= MAX_TRANSFER_MINOR, {
    message: 'must be more than 0 and at most 100,000,000.00',
    path: ['amount'],
  })
  .meta({ description: 'Money: `{ "amount": "1234", "currency": "CNY" }` is ¥12.34.' });

const payeeFields = {
  toPhone: z.string().min(1).max(32).optional().meta({ description: "The payee's mobile number." }),
  toQr: z
    .string()
    .min(1)
    .max(512)
    .optional()
    .meta({ description: 'The scanned receive code (`qianbao://pay?to=…`), from GET /v1/me/receive-code.' }),
};

function payeeOf(body: { toPhone?: string | undefined; toQr?: string | undefined }): PayeeReference {
  if (body.toPhone !== undefined && body.toQr === undefined) return { toPhone: body.toPhone };
  if (body.toQr !== undefined && body.toPhone === undefined) return { toQr: body.toQr };
  throw new AppError('VALIDATION_FAILED', {
    details: { fields: [{ in: 'body', path: 'toPhone', issue: 'send exactly one of toPhone and toQr' }] },
  });
}

const noteInput = z
  .string()
  .trim()
  .max(MAX_NOTE_LENGTH)
  .optional()
  .meta({ description: `Shown to both sides; at most ${MAX_NOTE_LENGTH} characters.` });

const confirmationInput = z
  .union([
    z.strictObject({ pin: pinInput }),
    z.strictObject({ totpCode: totpCodeInput }),
    z.strictObject({ passkeyResponse: authenticationResponseInput }),
    z.strictObject({}),
  ])
  .meta({
    description:
      'What the payment is confirmed with: `{ pin }`, `{ totpCode }`, `{ passkeyResponse }` ' +
      '(from startAuthentication with the options of POST /v1/me/confirmations/options), or `{}` ' +
      'for a password-free payment.',
  });

/** Why a payment would be refused if confirmed now: the shape of an error body's `error`. */
export const refusalSchema = z
  .object({
    code: z.string().meta({ example: 'INSUFFICIENT_FUNDS' }),
    message: z.string(),
    details: z.record(z.string(), z.unknown()),
  })
  .nullable()
  .meta({
    description:
      'Null when nothing known now refuses the payment. Otherwise what the payment itself would answer: ' +
      'LIMIT_EXCEEDED (details.limit single or daily, max, remaining), INSUFFICIENT_FUNDS (details.available), ' +
      'PAYEE_BALANCE_CAP_EXCEEDED. Do not ask for the PIN then. The ledger still decides when the money moves.',
  });

const limitLeftSchema = z.object({ max: moneySchema.nullable(), remaining: moneySchema.nullable() });

const previewSchema = z.object({
  payee: z.object({
    displayName: z.string().meta({ example: '*明', description: 'Masked real name, or masked number.' }),
    realNameVerified: z.boolean(),
  }),
  amount: moneySchema,
  fixedAmount: moneySchema.nullable().meta({ description: 'The amount the scanned code fixes.' }),
  confirmation: z.object({
    factor: z.enum(['none', 'pin', 'passkey', 'totp']),
    accepted: z.array(z.enum(['none', 'pin', 'passkey', 'totp'])),
    reason: z.string(),
  }),
  payment: z
    .object({ id: z.string(), amount: z.string(), currency: z.string(), payee: z.string() })
    .nullable()
    .meta({
      description:
        'Given `idempotencyKey`: the payment to send to POST /v1/me/confirmations/options to bind a passkey.',
    }),
  limits: z.object({
    single: limitLeftSchema,
    daily: limitLeftSchema,
    yearly: limitLeftSchema,
    passwordFreeDaily: limitLeftSchema.nullable(),
  }),
  refusal: refusalSchema,
});

export const transferSchema = z.object({
  id: z.string().meta({ description: 'The ledger transfer id: also the id in /v1/me/transactions.' }),
  kind: z.enum(['phone', 'qr', 'payment_request']),
  status: z.literal('succeeded'),
  direction: z.enum(['in', 'out']),
  amount: moneySchema,
  note: z.string().nullable(),
  counterparty: z.object({ displayName: z.string() }),
  payer: z.object({ displayName: z.string() }),
  payee: z.object({ displayName: z.string() }),
  paymentRequestId: z.string().nullable(),
  createdAt: z.string(),
});

const paymentRequestSchema = z.object({
  id: z.string(),
  amount: moneySchema,
  note: z.string().nullable(),
  requester: z.object({ displayName: z.string() }),
  status: z.enum(['open', 'paying', 'paid', 'cancelled', 'expired']),
  mine: z.boolean(),
  expiresAt: z.string(),
  createdAt: z.string(),
  paidAt: z.string().nullable(),
  cancelledAt: z.string().nullable(),
  payment: z.object({ id: z.string(), amount: z.string(), currency: z.string(), payee: z.string() }).meta({
    description: 'Send to POST /v1/me/confirmations/options before paying (binds a passkey to this request).',
  }),
  link: z.string(),
  qrPayload: z.string(),
});

const limitJson = (limit: LimitLeft) => ({
  max: limit.max === null ? null : moneyJson(limit.max),
  remaining: limit.remaining === null ? null : moneyJson(limit.remaining),
});

function previewJson(preview: TransferPreview): z.infer<typeof previewSchema> {
  return {
    payee: preview.payee,
    amount: moneyJson(preview.amountMinor, preview.currency),
    fixedAmount: preview.fixedAmountMinor === null ? null : moneyJson(preview.fixedAmountMinor),
    confirmation: preview.confirmation,
    payment: preview.payment && {
      id: preview.payment.id,
      amount: preview.payment.amountMinor.toString(),
      currency: preview.payment.currency,
      payee: preview.payment.payee,
    },
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
    payment: {
      id: view.payment.id,
      amount: view.payment.amountMinor.toString(),
      currency: view.payment.currency,
      payee: view.payment.payee,
    },
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
  const signedIn = { onRequest: options.authenticate };

  app.post(
    '/v1/me/transfers/preview',
    {
      ...signedIn,
      schema: {
        tags: TAGS,
        security: HOLDER_SECURITY,
        summary: 'Before a transfer: who the payee is (masked), how to confirm, what is left of my limits',
        description:
          'Refuses PAYEE_NOT_FOUND, PAYEE_CLOSED, CANNOT_PAY_YOURSELF, RECEIVE_CODE_INVALID, QR_AMOUNT_MISMATCH. ' +
          '`refusal` says why the transfer would be refused if confirmed now (limits, balance, payee cap). ' +
          'Send the Idempotency-Key you will use for the transfer as `idempotencyKey` to get `payment` for ' +
          'POST /v1/me/confirmations/options.',
        body: z.strictObject({
          ...payeeFields,
          amount: amountInput,
          idempotencyKey: z.string().min(1).max(255).optional(),
        }),
        response: { 200: previewSchema, ...ERRORS_4XX },
      },
    },
    async (request) => {
      const holder = requireHolder(request);
      const { body } = request;
      const preview = await service.preview({
        payerUserId: holder.userId,
        payerWalletAccountId: holder.walletAccountId,
        payee: payeeOf(body),
        amountMinor: BigInt(body.amount.amount),
        paymentId: body.idempotencyKey ? transferPaymentId(holder.userId, body.idempotencyKey) : null,
      });
      return previewJson(preview);
    },
  );

  app.post(
    TRANSFER_URL,
    {
      ...signedIn,
      config: { idempotent: true },
      schema: {
        tags: TAGS,
        security: HOLDER_SECURITY,
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
        response: { 201: transferSchema, ...ERRORS_4XX },
      },
    },
    async (request, reply) => {
      const holder = requireHolder(request);
      const { body } = request;
      const view = await service.transfer({
        payerUserId: holder.userId,
        payerWalletAccountId: holder.walletAccountId,
        payee: payeeOf(body),
        amountMinor: BigInt(body.amount.amount),
        note: body.note ? body.note : null,
        confirmation: body.confirmation,
        paymentId: idempotentId(request, 'transfer'),
        resumed: isResumption(request),
      });
      return reply.code(201).send(transferJson(view));
    },
  );

  app.get(
    '/v1/me/receive-code',
    {
      ...signedIn,
      schema: {
        tags: TAGS,
        security: HOLDER_SECURITY,
        summary: 'My personal receive code (QR), optionally for a fixed amount',
        description:
          'The payload is `qianbao://pay?to=<opaque token>[&amount=<fen>&currency=CNY]`: the token reveals ' +
          'nothing about the holder. A payer sends it as `toQr`.',
        querystring: z.object({
          amount: z
            .string()
            .regex(/^\d{1,15}$/, 'must be a whole number of fen')
            .refine((value) => BigInt(value) > 0n, 'must be more than 0')
            .optional(),
        }),
        response: {
          200: z.object({
            payload: z.string(),
            qrSvg: z.string(),
            qrDataUrl: z.string(),
            amount: moneySchema.nullable(),
            displayName: z.string(),
          }),
          ...ERRORS_4XX,
        },
      },
    },
    async (request) => {
      const { userId } = requireHolder(request);
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
    {
      ...signedIn,
      schema: {
        tags: TAGS,
        security: HOLDER_SECURITY,
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
          201: paymentRequestSchema.extend({ qrSvg: z.string(), qrDataUrl: z.string() }),
          ...ERRORS_4XX,
        },
      },
    },
    async (request, reply) => {
      const { userId } = requireHolder(request);
      const { body } = request;
      const view = await service.createPaymentRequest({
        userId,
        amountMinor: BigInt(body.amount.amount),
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
    {
      ...signedIn,
      schema: {
        tags: TAGS,
        security: HOLDER_SECURITY,
        summary: 'My payment requests, newest first',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }),
        response: { 200: z.object({ paymentRequests: z.array(paymentRequestSchema) }), ...ERRORS_4XX },
      },
    },
    async (request) => {
      const { userId } = requireHolder(request);
      const views = await service.listPaymentRequests({ userId, limit: request.query.limit });
      return { paymentRequests: views.map(paymentRequestJson) };
    },
  );

  const requestParams = z.object({ id: z.string().max(64) });

  app.get(
    '/v1/payment-requests/:id',
    {
      ...signedIn,
      schema: {
        tags: TAGS,
        security: HOLDER_SECURITY,
        summary: 'A payment request, as anyone signed in sees it (before paying it)',
        params: requestParams,
        response: { 200: paymentRequestSchema, ...ERRORS_4XX },
      },
    },
    async (request) => {
      const { userId } = requireHolder(request);
      return paymentRequestJson(
        await service.getPaymentRequest({ id: request.params.id, viewerUserId: userId }),
      );
    },
  );

  app.post(
    '/v1/payment-requests/:id/preview',
    {
      ...signedIn,
      schema: {
        tags: TAGS,
        security: HOLDER_SECURITY,
        summary: 'Before paying a payment request: how to confirm, my limits left, and any refusal',
        description:
          'Refuses what paying would refuse up front: PAYMENT_REQUEST_NOT_FOUND, _ALREADY_PAID, _EXPIRED, ' +
          '_CANCELLED, CANNOT_PAY_YOURSELF, PAYEE_CLOSED. `refusal` says why the payment would be refused if ' +
          'confirmed now. `payment` is what to pass to POST /v1/me/confirmations/options.',
        params: requestParams,
        response: { 200: previewSchema, ...ERRORS_4XX },
      },
    },
    async (request) => {
      const holder = requireHolder(request);
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
    {
      ...signedIn,
      config: { idempotent: true },
      schema: {
        tags: TAGS,
        security: HOLDER_SECURITY,
        summary: 'Pay a payment request (it settles once)',
        description:
          'Needs an Idempotency-Key. PAYMENT_REQUEST_ALREADY_PAID when someone paid it first, ' +
          'PAYMENT_REQUEST_EXPIRED, PAYMENT_REQUEST_CANCELLED, and the refusals of POST /v1/me/transfers.',
        params: requestParams,
        body: z.strictObject({ confirmation: confirmationInput }),
        response: { 201: transferSchema, ...ERRORS_4XX },
      },
    },
    async (request, reply) => {
      const holder = requireHolder(request);
      const view = await service.payPaymentRequest({
        id: request.params.id,
        payerUserId: holder.userId,
        payerWalletAccountId: holder.walletAccountId,
        confirmation: request.body.confirmation,
        paymentId: idempotentId(request, 'payment-request'),
        resumed: isResumption(request),
      });
      return reply.code(201).send(transferJson(view));
    },
  );

  app.post(
    '/v1/payment-requests/:id/cancel',
    {
      ...signedIn,
      schema: {
        tags: TAGS,
        security: HOLDER_SECURITY,
        summary: 'Cancel my open payment request',
        params: requestParams,
        response: { 200: paymentRequestSchema, ...ERRORS_4XX },
      },
    },
    async (request) => {
      const { userId } = requireHolder(request);
      return paymentRequestJson(await service.cancelPaymentRequest({ id: request.params.id, userId }));
    },
  );

  done();
};
