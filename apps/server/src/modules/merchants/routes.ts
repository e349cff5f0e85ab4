/**
 * The merchants API (issue 12). A merchant's owner (a holder, signed in to the wallet) opens it,
 * prints its static code, makes orders with dynamic codes, queries and closes them and refunds
 * — by the merchant's own order and refund numbers, as merchants expect from Alipay's and WeChat
 * Pay's face-to-face APIs. A payer scans a code (`POST /v1/merchant-codes/scan`) and pays it
 * through the payment resource (`POST /v1/payments` with kind `merchant_static` or
 * `merchant_order`: payment-kinds.ts). docs/merchants.md.
 */
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, signedIn } from '../../auth/index.ts';
import { moneyInput, moneyJson, moneyOf, moneyOutput } from '../../http/money.ts';
import { errorResponses } from '../../http/responses.ts';
import { MERCHANT_CURRENCY } from './service.ts';
import type { MerchantView, MerchantsService, OrderView, RefundView, ScannedMerchant } from './service.ts';

const TAGS = ['merchants'];
const ERRORS = errorResponses(400, 403, 404, 409, 410, 422);
/** Larger than any tier allows in one payment. */
const MAX_ORDER_MINOR = 100_000_000_00n;

export const merchantAmountInput = moneyInput({
  max: MAX_ORDER_MINOR,
  currencies: [MERCHANT_CURRENCY],
  description: 'An amount in CNY, from ¥0.01.',
});

const merchantSchema = z.object({
  id: z.string(),
  kind: z.enum(['individual', 'company']),
  status: z.enum(['active', 'pending_review', 'rejected', 'suspended']),
  name: z.string().meta({ description: 'The name payers see (on the code and their receipt).' }),
  city: z.string(),
  mcc: z.string().meta({ description: 'Merchant category code (ISO 18245).' }),
  balance: moneyOutput.meta({ description: 'Takings not yet settled to the settlement card.' }),
  feeRateBp: z
    .number()
    .int()
    .meta({ description: 'The discount rate taken of each payment, in basis points.' }),
  createdAt: z.string(),
});

const merchantJson = (view: MerchantView) => ({
  id: view.id,
  kind: view.kind,
  status: view.status,
  name: view.name,
  city: view.city,
  mcc: view.mcc,
  balance: moneyJson(view.balanceMinor, view.currency),
  feeRateBp: view.feeRateBp,
  createdAt: view.createdAt.toISOString(),
});

const refundSchema = z.object({
  id: z.string(),
  merchantRefundId: z.string(),
  merchantOrderId: z.string(),
  status: z.enum(['pending', 'succeeded', 'failed']),
  amount: moneyOutput,
  fee: moneyOutput.meta({ description: "The part of the payment's fee this refund returns (pro rata)." }),
  reason: z.string().nullable(),
  failure: z.string().nullable(),
  createdAt: z.string(),
  settledAt: z.string().nullable(),
});

const refundJson = (view: RefundView) => ({
  id: view.id,
  merchantRefundId: view.merchantRefundId,
  merchantOrderId: view.merchantOrderId,
  status: view.status,
  amount: moneyJson(view.amountMinor, view.currency),
  fee: moneyJson(view.feeMinor, view.currency),
  reason: view.reason,
  failure: view.failure,
  createdAt: view.createdAt.toISOString(),
  settledAt: view.settledAt?.toISOString() ?? null,
});

export const orderSchema = z.object({
  id: z.string(),
  merchantOrderId: z.string().meta({ description: "The merchant's own order number." }),
  channel: z
    .enum(['static', 'dynamic'])
    .meta({ description: 'Paid through the static code or its own code.' }),
  status: z.enum(['open', 'paying', 'paid', 'closed', 'expired']),
  amount: moneyOutput,
  description: z.string().nullable(),
  merchantName: z.string(),
  payer: z.string().nullable().meta({ description: 'Who paid, masked (*明 or 138****8000).' }),
  fee: moneyOutput.meta({ description: 'The discount rate taken (0 until paid).' }),
  refunded: moneyOutput,
  transferId: z.string().nullable().meta({ description: "The payment's id in the payer's history." }),
  paidAt: z.string().nullable(),
  expiresAt: z.string(),
  createdAt: z.string(),
});

export const orderJson = (view: OrderView) => ({
  id: view.id,
  merchantOrderId: view.merchantOrderId,
  channel: view.channel,
  status: view.status,
  amount: moneyJson(view.amountMinor, view.currency),
  description: view.description,
  merchantName: view.merchantName,
  payer: view.payerDisplay,
  fee: moneyJson(view.feeMinor, view.currency),
  refunded: moneyJson(view.refundedMinor, view.currency),
  transferId: view.transferId,
  paidAt: view.paidAt?.toISOString() ?? null,
  expiresAt: view.expiresAt.toISOString(),
  createdAt: view.createdAt.toISOString(),
});

const codeFields = {
  payload: z.string().meta({ description: 'The text of the QR code (EMVCo merchant-presented).' }),
  qrDataUrl: z.string().meta({ description: 'The QR code as an SVG data URL.' }),
};

export const scannedJson = (scanned: ScannedMerchant) => ({
  kind: scanned.kind,
  merchant: scanned.merchant,
  amount: scanned.amountMinor === null ? null : moneyJson(scanned.amountMinor, MERCHANT_CURRENCY),
  order: scanned.order && {
    merchantOrderId: scanned.order.merchantOrderId,
    description: scanned.order.description,
    expiresAt: scanned.order.expiresAt.toISOString(),
  },
});

const orderNumber = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,25}$/)
  .meta({ description: "The merchant's own order number: 1–25 of A–Z a–z 0–9 _ -." });
const refundNumber = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,32}$/)
  .meta({ description: "The merchant's own refund number: the same one again is the same refund." });

export const merchantsRoutes: FastifyPluginCallbackZod<{ service: MerchantsService }> = (
  app,
  { service },
  done,
) => {
  const holder = { principal: 'holder' } as const;

  app.post(
    '/v1/me/merchant',
    signedIn(app, holder, {
      schema: {
        tags: TAGS,
        summary: 'Open my merchant (个体商户): active at once',
        description:
          'Needs a real-name verified holder (MERCHANT_REAL_NAME_REQUIRED); one per holder (MERCHANT_EXISTS).',
        body: z.strictObject({
          name: z
            .string()
            .trim()
            .min(2)
            .max(25)
            .meta({ description: 'The shop name payers see, 2–25 characters.' }),
          city: z.string().trim().min(1).max(15),
          mcc: z
            .string()
            .regex(/^\d{4}$/)
            .meta({ description: 'Merchant category code, e.g. 5812 restaurants.' }),
        }),
        response: { 201: merchantSchema, ...ERRORS },
      },
    }),
    async (request, reply) => {
      const { userId } = principalOf(request, 'holder');
      return reply.code(201).send(merchantJson(await service.onboard({ userId, ...request.body })));
    },
  );

  app.get(
    '/v1/me/merchant',
    signedIn(app, holder, {
      schema: {
        tags: TAGS,
        summary: 'My merchant and its balance',
        response: { 200: merchantSchema, ...ERRORS },
      },
    }),
    async (request) => merchantJson(await service.mine(principalOf(request, 'holder').userId)),
  );

  app.get(
    '/v1/me/merchant/qr',
    signedIn(app, holder, {
      schema: {
        tags: TAGS,
        summary: "My merchant's static code (the payer types the amount; at most ¥500 a day per payer)",
        response: { 200: z.object(codeFields), ...ERRORS },
      },
    }),
    async (request) => service.staticCode(principalOf(request, 'holder').userId),
  );

  app.post(
    '/v1/me/merchant/orders',
    signedIn(app, holder, {
      schema: {
        tags: TAGS,
        summary: 'Make an order and its dynamic code (amount and order number in the code; paid once)',
        description: 'The same order number with the same amount and description answers the same order.',
        body: z.strictObject({
          merchantOrderId: orderNumber,
          amount: merchantAmountInput,
          description: z.string().trim().max(100).optional(),
          expiresInMinutes: z
            .number()
            .int()
            .min(1)
            .max(10_080)
            .optional()
            .meta({ description: 'Default 120.' }),
        }),
        response: { 201: orderSchema.extend(codeFields), ...ERRORS },
      },
    }),
    async (request, reply) => {
      const { userId } = principalOf(request, 'holder');
      const { body } = request;
      const order = await service.createOrder({
        userId,
        merchantOrderId: body.merchantOrderId,
        amountMinor: moneyOf(body.amount).amountMinor,
        description: body.description ? body.description : null,
        expiresInMinutes: body.expiresInMinutes ?? null,
      });
      return reply
        .code(201)
        .send({ ...orderJson(order), payload: order.payload, qrDataUrl: order.qrDataUrl });
    },
  );

  app.get(
    '/v1/me/merchant/orders',
    signedIn(app, holder, {
      schema: {
        tags: TAGS,
        summary: "My merchant's orders, newest first",
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) }),
        response: { 200: z.object({ orders: z.array(orderSchema) }), ...ERRORS },
      },
    }),
    async (request) => ({
      orders: (
        await service.listOrders({
          userId: principalOf(request, 'holder').userId,
          limit: request.query.limit,
        })
      ).map(orderJson),
    }),
  );

  const orderParams = z.object({ merchantOrderId: orderNumber });

  app.get(
    '/v1/me/merchant/orders/:merchantOrderId',
    signedIn(app, holder, {
      schema: {
        tags: TAGS,
        summary: 'Order query: one order by its number, with its refunds',
        params: orderParams,
        response: { 200: orderSchema.extend({ refunds: z.array(refundSchema) }), ...ERRORS },
      },
    }),
    async (request) => {
      const order = await service.getOrder({
        userId: principalOf(request, 'holder').userId,
        merchantOrderId: request.params.merchantOrderId,
      });
      return { ...orderJson(order), refunds: order.refunds.map(refundJson) };
    },
  );

  app.post(
    '/v1/me/merchant/orders/:merchantOrderId/close',
    signedIn(app, holder, {
      schema: {
        tags: TAGS,
        summary: 'Close an order nobody has paid: its code pays nothing from now on',
        params: orderParams,
        response: { 200: orderSchema, ...ERRORS },
      },
    }),
    async (request) =>
      orderJson(
        await service.closeOrder({
          userId: principalOf(request, 'holder').userId,
          merchantOrderId: request.params.merchantOrderId,
        }),
      ),
  );

  app.post(
    '/v1/me/merchant/orders/:merchantOrderId/refunds',
    signedIn(app, holder, {
      schema: {
        tags: TAGS,
        summary: 'Refund a paid order, in full or in part, back to the payer’s wallet',
        description:
          'Several partial refunds up to the amount paid (REFUND_EXCEEDS_PAID with details.remaining); the same ' +
          'refund number again answers the same refund (REFUND_ID_REUSED if its amount or reason differ). The fee ' +
          'is returned pro rata. MERCHANT_BALANCE_INSUFFICIENT when the merchant’s balance cannot cover it.',
        params: orderParams,
        body: z.strictObject({
          merchantRefundId: refundNumber,
          amount: merchantAmountInput,
          reason: z.string().trim().max(100).optional(),
        }),
        response: { 201: refundSchema, ...ERRORS },
      },
    }),
    async (request, reply) => {
      const refund = await service.refund({
        userId: principalOf(request, 'holder').userId,
        merchantOrderId: request.params.merchantOrderId,
        merchantRefundId: request.body.merchantRefundId,
        amountMinor: moneyOf(request.body.amount).amountMinor,
        reason: request.body.reason ? request.body.reason : null,
      });
      return reply.code(201).send(refundJson(refund));
    },
  );

  app.get(
    '/v1/me/merchant/orders/:merchantOrderId/refunds/:merchantRefundId',
    signedIn(app, holder, {
      schema: {
        tags: TAGS,
        summary: 'Refund query',
        params: orderParams.extend({ merchantRefundId: refundNumber }),
        response: { 200: refundSchema, ...ERRORS },
      },
    }),
    async (request) =>
      refundJson(
        await service.getRefund({
          userId: principalOf(request, 'holder').userId,
          merchantOrderId: request.params.merchantOrderId,
          merchantRefundId: request.params.merchantRefundId,
        }),
      ),
  );

  app.post(
    '/v1/merchant-codes/scan',
    signedIn(app, holder, {
      schema: {
        tags: TAGS,
        summary: 'What a scanned merchant code is: the merchant, and the amount if the code fixes it',
        description:
          'Then pay it with POST /v1/payments, `kind` as answered (`merchant_static`: give `amount`; ' +
          '`merchant_order`: the amount is the order’s). MERCHANT_QR_INVALID, MERCHANT_QR_FOREIGN, ' +
          'MERCHANT_NOT_FOUND, ORDER_NOT_FOUND, ORDER_ALREADY_PAID, ORDER_CLOSED, ORDER_EXPIRED, CANNOT_PAY_YOURSELF.',
        body: z.strictObject({ qr: z.string().min(1).max(512) }),
        response: {
          200: z.object({
            kind: z.enum(['merchant_static', 'merchant_order']),
            merchant: z.object({ name: z.string(), city: z.string(), mcc: z.string() }),
            amount: moneyOutput.nullable(),
            order: z
              .object({
                merchantOrderId: z.string(),
                description: z.string().nullable(),
                expiresAt: z.string(),
              })
              .nullable(),
          }),
          ...ERRORS,
        },
      },
    }),
    async (request) =>
      scannedJson(
        await service.scan({ payerUserId: principalOf(request, 'holder').userId, qr: request.body.qr }),
      ),
  );

  done();
};
