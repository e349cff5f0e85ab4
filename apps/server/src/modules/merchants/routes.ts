/**
 * The merchants API (issue 12). A merchant's owner (a holder, signed in to the wallet) opens it,
 * prints its static code, makes orders with dynamic codes, queries and closes them and refunds
 * — by the merchant's own order and refund numbers, as merchants expect from Alipay's and WeChat
 * Pay's face-to-face APIs. A payer scans a code (`POST /v1/merchant-codes/scan`) and pays it
 * through the payment resource (`POST /v1/payments` with kind `merchant_static` or
 * `merchant_order`: payment-kinds.ts).
 *
 * The payer's payment code (付款码): the holder's app gets its device's secret
 * (`/v1/me/payment-code`) and shows codes offline; the merchant's till charges a scanned code
 * (`POST /v1/me/merchant/charges`); above the password-free limit the payer confirms or declines
 * it (`/v1/me/charges/…`). docs/merchants.md.
 */
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ACTIONS, MERCHANT_STAFF_ROLES, PERMISSIONS, can, principalOf, signedIn } from '../../auth/index.ts';
import type {
  Action,
  ApiClientPrincipal,
  MerchantStaffPrincipal,
  MerchantStaffRole,
} from '../../auth/index.ts';
import { isCalendarDate, shanghaiDate, shanghaiDay } from '../../platform/calendar.ts';
import { AppError } from '../../errors.ts';
import {
  confirmationInput,
  givenFactor,
  paymentToSignJson,
  paymentToSignOutput,
} from '../../http/confirmation.ts';
import type { ConfirmationBody } from '../../http/confirmation.ts';
import { idempotentId } from '../../idempotency.ts';
import { moneyInput, moneyJson, moneyOf, moneyOutput } from '../../http/money.ts';
import { IDEMPOTENCY_CODES, errorResponses, merchantApiErrors } from '../../http/responses.ts';
import { MERCHANT_CURRENCY } from './service.ts';
import type { PaymentCodes } from './payment-codes.ts';
import type {
  ChargeView,
  MerchantView,
  MerchantsService,
  OrderView,
  RefundView,
  ScannedMerchant,
} from './service.ts';

const TAGS = ['merchants'];

const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine(isCalendarDate, 'must be a calendar day, YYYY-MM-DD');

/**
 * Where a staff member's view of the orders starts: today (Asia/Shanghai) for a role that may
 * read today's orders only (a cashier), null (all of them) for one that may read every order.
 */
export function todayFor(principal: MerchantStaffPrincipal | ApiClientPrincipal, now: Date): Date | null {
  return can(principal, 'orders:read') ? null : shanghaiDay(shanghaiDate(now)).from;
}
const ERRORS = errorResponses(400, 403, 404, 409, 410, 422);
/** A charge runs the payments pipeline: its refusals (PIN, lock, limits, freeze) too. */
const PAYMENT_ERRORS = errorResponses(400, 401, 403, 404, 409, 410, 422, 423, 429);
/** Larger than any tier allows in one payment. */
const MAX_ORDER_MINOR = 100_000_000_00n;

export const merchantAmountInput = moneyInput({
  max: MAX_ORDER_MINOR,
  currencies: [MERCHANT_CURRENCY],
  description: 'An amount in CNY, from ¥0.01.',
});

const merchantSchema = z.object({
  id: z.string().meta({ description: 'The merchant id.' }),
  kind: z.enum(['individual', 'company']).meta({
    description: '`individual` (个体商户, opened from the wallet) or `company` (reviewed by operators).',
  }),
  status: z.enum(['active', 'pending_review', 'rejected', 'suspended']).meta({
    description: 'Only an `active` merchant takes payments.',
  }),
  name: z.string().meta({ description: 'The name payers see (on the code and their receipt).' }),
  city: z.string().meta({ description: 'The city on its codes.' }),
  mcc: z.string().meta({ description: 'Merchant category code (ISO 18245).' }),
  balance: moneyOutput.meta({ description: 'Takings not yet settled to the settlement card.' }),
  feeRateBp: z
    .number()
    .int()
    .meta({ description: 'The discount rate taken of each payment, in basis points.' }),
  createdAt: z.string().meta({ description: 'When it was opened (ISO 8601).' }),
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

/** My merchant as its staff see it: the merchant, my role there and what the role may do. */
const staffMerchantSchema = merchantSchema.extend({
  role: z.enum(MERCHANT_STAFF_ROLES).meta({ description: 'My role there: `owner` or `cashier`.' }),
  permissions: z
    .array(z.enum(ACTIONS))
    .meta({ description: 'The actions my role may take there (the permission table).' }),
});

const staffMerchantJson = (view: MerchantView, role: MerchantStaffRole) => ({
  ...merchantJson(view),
  role,
  permissions: [...PERMISSIONS.merchantStaff[role]],
});

const refundSchema = z.object({
  id: z.string().meta({ description: 'The refund id.' }),
  merchantRefundId: z.string().meta({ description: "The merchant's own refund number." }),
  merchantOrderId: z.string().meta({ description: 'The order it refunds.' }),
  status: z.enum(['pending', 'succeeded', 'failed']).meta({
    description:
      '`succeeded` (the money is back with the payer), `failed` (`failure`), `pending` while it runs.',
  }),
  amount: moneyOutput.meta({ description: 'The amount refunded to the payer.' }),
  fee: moneyOutput.meta({ description: "The part of the payment's fee this refund returns (pro rata)." }),
  reason: z.string().nullable().meta({ description: "The merchant's reason, if given." }),
  failure: z.string().nullable().meta({ description: 'Why it failed (an error code), when it did.' }),
  createdAt: z.string().meta({ description: 'When it was asked for (ISO 8601).' }),
  settledAt: z.string().nullable().meta({ description: 'When it succeeded or failed (ISO 8601).' }),
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
  id: z.string().meta({ description: 'The order id.' }),
  merchantOrderId: z.string().meta({ description: "The merchant's own order number." }),
  channel: z.enum(['static', 'dynamic', 'code']).meta({
    description: "Paid through the static code, its own code, or the payer's payment code at a till.",
  }),
  status: z.enum(['open', 'paying', 'paid', 'closed', 'expired']).meta({
    description:
      '`open` until paid once (`paying` while a payer pays it), or closed by the merchant, or expired.',
  }),
  amount: moneyOutput.meta({ description: 'The amount to pay.' }),
  description: z.string().nullable().meta({ description: 'What it is for, as the merchant wrote it.' }),
  merchantName: z.string().meta({ description: 'The merchant payers see.' }),
  payer: z.string().nullable().meta({ description: 'Who paid, masked (*明 or 138****8000).' }),
  fee: moneyOutput.meta({ description: 'The discount rate taken (0 until paid).' }),
  refunded: moneyOutput.meta({ description: 'Refunded so far (at most the amount).' }),
  transferId: z.string().nullable().meta({ description: "The payment's id in the payer's history." }),
  paidAt: z.string().nullable().meta({ description: 'When it was paid (ISO 8601).' }),
  expiresAt: z.string().meta({ description: 'Until when it can be paid (ISO 8601).' }),
  createdAt: z.string().meta({ description: 'When it was made (ISO 8601).' }),
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

/** Examples of the merchant API's answers (the OpenAPI document, /docs): one order's life. */
const ORDER_ID_EXAMPLE = '0193a5b2-7c4e-7d1a-9f3e-2b8c6d4e1f20';
const cnyExample = (amount: string) => ({ amount, currency: 'CNY' });

export const OPEN_ORDER_EXAMPLE = {
  id: ORDER_ID_EXAMPLE,
  merchantOrderId: 'A-1001',
  channel: 'dynamic',
  status: 'open',
  amount: cnyExample('3800'),
  description: '牛肉面',
  merchantName: '李记面馆',
  payer: null,
  fee: cnyExample('0'),
  refunded: cnyExample('0'),
  transferId: null,
  paidAt: null,
  expiresAt: '2026-12-07T06:10:00.000Z',
  createdAt: '2026-12-07T04:10:00.000Z',
} as const;

export const PAID_ORDER_EXAMPLE = {
  ...OPEN_ORDER_EXAMPLE,
  status: 'paid',
  payer: '*明',
  fee: cnyExample('23'),
  transferId: '0193a5b4-1d2e-7f30-8a41-5c6d7e8f9012',
  paidAt: '2026-12-07T04:12:09.000Z',
} as const;

const REFUND_EXAMPLE = {
  id: '0193a5c1-02f3-7a4b-9c5d-6e7f80912a3b',
  merchantRefundId: 'R-1001-1',
  merchantOrderId: 'A-1001',
  status: 'succeeded',
  amount: cnyExample('1000'),
  fee: cnyExample('6'),
  reason: '少了一份卤蛋',
  failure: null,
  createdAt: '2026-12-07T05:01:30.000Z',
  settledAt: '2026-12-07T05:01:30.000Z',
} as const;

const PAYLOAD_EXAMPLE =
  '00020101021226300010cn.qianbao0112q7Hk2mPz9XwR520458125303156540538.005802CN5913LIJI MIANGUAN' +
  '6008SHANGHAI62100506A-10016304E5DC';

const CHARGE_EXAMPLE = {
  id: '0193a5d0-4b5c-7d6e-8f70-a1b2c3d4e5f6',
  status: 'succeeded',
  failure: null,
  merchantName: '李记面馆',
  merchantOrderId: 'T-20261207-0042',
  amount: cnyExample('2600'),
  description: '两碗阳春面',
  confirmBy: null,
  payment: {
    id: '0193a5d0-4b5c-7d6e-8f70-a1b2c3d4e5f6',
    amount: '2600',
    currency: 'CNY',
    payee: 'merchant:0193a400-0000-7000-8000-00000000c0de',
  },
  order: {
    ...PAID_ORDER_EXAMPLE,
    id: '0193a5d0-6c7d-7e8f-9a0b-c1d2e3f4a5b6',
    merchantOrderId: 'T-20261207-0042',
    channel: 'code',
    amount: cnyExample('2600'),
    description: '两碗阳春面',
    fee: cnyExample('16'),
  },
  createdAt: '2026-12-07T04:20:00.000Z',
  updatedAt: '2026-12-07T04:20:01.000Z',
} as const;

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

const chargeSchema = z.object({
  id: z.string().meta({ description: 'The charge id.' }),
  status: z.enum(['pending', 'awaiting_confirmation', 'succeeded', 'declined', 'timed_out', 'failed']).meta({
    description:
      '`succeeded`; `awaiting_confirmation` until the payer confirms or declines (at most 60 s, see ' +
      '`confirmBy`); `declined`, `timed_out` or `failed` (`failure`) with nothing moved; `pending` while it runs.',
  }),
  failure: z.string().nullable().meta({ description: 'The error code that refused the payment (failed).' }),
  merchantName: z.string().meta({ description: 'The merchant charging.' }),
  merchantOrderId: z.string().meta({ description: "The merchant's order number of this charge." }),
  amount: moneyOutput.meta({ description: 'The amount charged.' }),
  description: z.string().nullable().meta({ description: 'What it is for, as the till wrote it.' }),
  confirmBy: z
    .string()
    .nullable()
    .meta({ description: 'Until when the payer may confirm it (ISO 8601), while awaiting confirmation.' }),
  payment: paymentToSignOutput.meta({
    description: 'What a passkey signs to confirm it: send it to POST /v1/me/confirmations/options.',
  }),
  order: orderSchema.meta({ description: 'The order the charge pays.' }),
  createdAt: z.string().meta({ description: 'When the till sent it (ISO 8601).' }),
  updatedAt: z.string().meta({ description: 'When it last changed (ISO 8601).' }),
});

const chargeJson = (view: ChargeView) => ({
  id: view.id,
  status: view.status,
  failure: view.failure,
  merchantName: view.merchantName,
  merchantOrderId: view.merchantOrderId,
  amount: moneyJson(view.amountMinor, view.currency),
  description: view.description,
  confirmBy: view.confirmBy?.toISOString() ?? null,
  payment: paymentToSignJson(view.payment),
  order: orderJson(view.order),
  createdAt: view.createdAt.toISOString(),
  updatedAt: view.updatedAt.toISOString(),
});

/** The factor of a body that needs one (issuing a secret, confirming a charge). */
function requiredFactor(confirmation: ConfirmationBody) {
  const factor = givenFactor(confirmation);
  if (!factor) {
    throw new AppError('FACTOR_NOT_ACCEPTED', { details: { accepted: ['pin', 'passkey'], given: 'none' } });
  }
  return factor;
}

export const merchantsRoutes: FastifyPluginCallbackZod<{ service: MerchantsService; codes: PaymentCodes }> = (
  app,
  { service, codes },
  done,
) => {
  const holder = { principal: 'holder' } as const;
  /** A merchant's owner or cashier (staff.ts), with the permission the route takes. */
  const staff = (permission?: Action) =>
    permission
      ? ({ principal: 'merchantStaff', permission } as const)
      : ({ principal: 'merchantStaff' } as const);
  // The routes a shop's servers use: staff, or an API key of the merchant (ADR 0020).
  const actor = (permission: Action) => ({ principal: 'merchant', permission }) as const;

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
          city: z
            .string()
            .trim()
            .min(1)
            .max(15)
            .meta({ description: 'The city on its codes, 1–15 characters.' }),
          mcc: z
            .string()
            .regex(/^\d{4}$/)
            .meta({ description: 'Merchant category code, e.g. 5812 restaurants.' }),
        }),
        response: { 201: staffMerchantSchema, ...ERRORS },
      },
    }),
    async (request, reply) => {
      const { userId } = principalOf(request, 'holder');
      // Answered as GET /v1/me/merchant answers its owner: the one shape of "my merchant".
      const opened = await service.onboard({ userId, ...request.body });
      return reply.code(201).send(staffMerchantJson(opened, 'owner'));
    },
  );

  app.get(
    '/v1/me/merchant',
    signedIn(app, staff(), {
      schema: {
        tags: TAGS,
        summary: 'The merchant I act for, its balance, and what I may do there',
        description:
          'The owner or a cashier (the `Qianbao-Merchant` header names the merchant; without it, the one I own). ' +
          '`permissions` lists the actions of my role (docs/authorization.md): a portal shows what they allow.',
        response: { 200: staffMerchantSchema, ...ERRORS },
      },
    }),
    async (request) => {
      const { merchantId, role } = principalOf(request, 'merchantStaff');
      return staffMerchantJson(await service.get(merchantId), role);
    },
  );

  app.get(
    '/v1/me/merchant/qr',
    signedIn(app, staff('payments:create'), {
      schema: {
        tags: TAGS,
        summary: "My merchant's static code (the payer types the amount; at most ¥500 a day per payer)",
        response: { 200: z.object(codeFields), ...ERRORS },
      },
    }),
    async (request) => service.staticCode(principalOf(request, 'merchantStaff').merchantId),
  );

  app.post(
    '/v1/me/merchant/orders',
    signedIn(app, actor('payments:create'), {
      schema: {
        tags: TAGS,
        operationId: 'createOrder',
        summary: 'Make an order and its dynamic code (amount and order number in the code; paid once)',
        description:
          'The merchant’s own order number makes it idempotent: the same number with the same amount and ' +
          'description answers the same order (ORDER_ID_REUSED if they differ). Show `qrDataUrl` (or the ' +
          '`payload` as a QR code) to the payer; the order is paid once, until `expiresAt`. You are told by ' +
          'the `payment.succeeded` webhook; query the order when in doubt.',
        body: z
          .strictObject({
            merchantOrderId: orderNumber,
            amount: merchantAmountInput,
            description: z
              .string()
              .trim()
              .max(100)
              .optional()
              .meta({ description: 'What it is for, shown to the payer (at most 100 characters).' }),
            expiresInMinutes: z
              .number()
              .int()
              .min(1)
              .max(10_080)
              .optional()
              .meta({ description: 'How long it can be paid: default 120 minutes, at most 7 days (10080).' }),
          })
          .meta({
            description: 'The order to make.',
            examples: [
              {
                merchantOrderId: 'A-1001',
                amount: cnyExample('3800'),
                description: '牛肉面',
                expiresInMinutes: 120,
              },
            ],
          }),
        response: {
          201: orderSchema.extend(codeFields).meta({
            description: 'The order, open, with its code.',
            examples: [
              {
                ...OPEN_ORDER_EXAMPLE,
                payload: PAYLOAD_EXAMPLE,
                qrDataUrl:
                  'data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciPjwvc3ZnPg==',
              },
            ],
          }),
          ...merchantApiErrors('POST', ['MERCHANT_NOT_ACTIVE', 'ORDER_ID_REUSED']),
        },
      },
    }),
    async (request, reply) => {
      const { merchantId } = principalOf(request, 'merchant');
      const { body } = request;
      const order = await service.createOrder({
        merchantId,
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
    signedIn(app, actor('orders:readToday'), {
      schema: {
        tags: TAGS,
        operationId: 'listOrders',
        summary: "My merchant's orders, newest first, with filters",
        description:
          'Pages of `limit`; pass `nextCursor` as `cursor` for the next (null: no more). A cursor is opaque: ' +
          'send it back as it came (a damaged one is VALIDATION_FAILED). A cashier (without `orders:read`) ' +
          'sees today’s orders only (Asia/Shanghai), whatever `from` says.',
        querystring: z.object({
          limit: z.coerce
            .number()
            .int()
            .min(1)
            .max(100)
            .default(50)
            .meta({ description: 'At most this many (1–100).' }),
          cursor: z
            .string()
            .max(200)
            .optional()
            .meta({ description: 'The `nextCursor` of the page before.' }),
          status: z
            .enum(['open', 'paying', 'paid', 'closed', 'expired'])
            .optional()
            .meta({ description: 'Only orders in this state.' }),
          channel: z
            .enum(['static', 'dynamic', 'code'])
            .optional()
            .meta({ description: 'Only orders paid (or to be paid) this way.' }),
          q: z
            .string()
            .regex(/^[A-Za-z0-9_-]{1,25}$/)
            .optional()
            .meta({ description: 'Only order numbers starting with this.' }),
          from: calendarDate
            .optional()
            .meta({ description: 'Made on or after this day (YYYY-MM-DD, Asia/Shanghai).' }),
          to: calendarDate
            .optional()
            .meta({ description: 'Made on or before this day (YYYY-MM-DD, Asia/Shanghai).' }),
        }),
        response: {
          200: z
            .object({
              orders: z.array(orderSchema).meta({ description: 'Newest first.' }),
              nextCursor: z
                .string()
                .nullable()
                .meta({ description: 'The next page’s cursor; null at the end.' }),
            })
            .meta({
              description: 'A page of orders.',
              examples: [
                {
                  orders: [PAID_ORDER_EXAMPLE],
                  nextCursor:
                    'MjAyNi0xMi0wN1QwNDoxMDowMC4wMDBafDAxOTNhNWIyLTdjNGUtN2QxYS05ZjNlLTJiOGM2ZDRlMWYyMA',
                },
              ],
            }),
          ...merchantApiErrors('GET', []),
        },
      },
    }),
    async (request) => {
      const principal = principalOf(request, 'merchant');
      const { query } = request;
      const from = query.from ? shanghaiDay(query.from).from : null;
      const today = todayFor(principal, service.now());
      const page = await service.listOrders({
        merchantId: principal.merchantId,
        limit: query.limit,
        cursor: query.cursor ?? null,
        from: today && (!from || from < today) ? today : from,
        to: query.to ? shanghaiDay(query.to).to : null,
        status: query.status ?? null,
        channel: query.channel ?? null,
        numberPrefix: query.q ?? null,
      });
      return { orders: page.orders.map(orderJson), nextCursor: page.nextCursor };
    },
  );

  const orderParams = z.object({ merchantOrderId: orderNumber });

  app.get(
    '/v1/me/merchant/orders/:merchantOrderId',
    signedIn(app, actor('orders:readToday'), {
      schema: {
        tags: TAGS,
        operationId: 'getOrder',
        summary: 'Order query: one order by its number, with its refunds',
        description:
          'The truth about an order whatever the webhooks said: its status, what was paid and refunded. ' +
          'ORDER_NOT_FOUND for a number the merchant never used (or another merchant’s; a cashier: one made ' +
          'before today).',
        params: orderParams,
        response: {
          200: orderSchema
            .extend({
              refunds: z.array(refundSchema).meta({ description: 'Its refunds, oldest first.' }),
            })
            .meta({
              description: 'The order and its refunds.',
              examples: [{ ...PAID_ORDER_EXAMPLE, refunded: cnyExample('1000'), refunds: [REFUND_EXAMPLE] }],
            }),
          ...merchantApiErrors('GET', ['ORDER_NOT_FOUND']),
        },
      },
    }),
    async (request) => {
      const principal = principalOf(request, 'merchant');
      const order = await service.getOrder({
        merchantId: principal.merchantId,
        merchantOrderId: request.params.merchantOrderId,
        createdFrom: todayFor(principal, service.now()),
      });
      return { ...orderJson(order), refunds: order.refunds.map(refundJson) };
    },
  );

  app.post(
    '/v1/me/merchant/orders/:merchantOrderId/close',
    signedIn(app, actor('payments:create'), {
      schema: {
        tags: TAGS,
        operationId: 'closeOrder',
        summary: 'Close an order nobody has paid: its code pays nothing from now on',
        description:
          'Closing a closed order answers it again. ORDER_NOT_CLOSABLE (`details.status`) once it is paid, ' +
          'being paid or expired.',
        params: orderParams,
        response: {
          200: orderSchema.meta({
            description: 'The order, closed.',
            examples: [{ ...OPEN_ORDER_EXAMPLE, status: 'closed' }],
          }),
          ...merchantApiErrors('POST', ['ORDER_NOT_FOUND', 'ORDER_NOT_CLOSABLE']),
        },
      },
    }),
    async (request) =>
      orderJson(
        await service.closeOrder({
          merchantId: principalOf(request, 'merchant').merchantId,
          merchantOrderId: request.params.merchantOrderId,
        }),
      ),
  );

  app.post(
    '/v1/me/merchant/orders/:merchantOrderId/refunds',
    signedIn(app, actor('refunds:create'), {
      schema: {
        tags: TAGS,
        operationId: 'createRefund',
        summary: 'Refund a paid order, in full or in part, back to the payer’s wallet',
        description:
          'Several partial refunds up to the amount paid (REFUND_EXCEEDS_PAID with details.remaining); the same ' +
          'refund number again answers the same refund (REFUND_ID_REUSED if its amount or reason differ). The fee ' +
          'is returned pro rata. MERCHANT_BALANCE_INSUFFICIENT when the merchant’s balance cannot cover it. ' +
          'The risk engine judges each new refund first: RISK_REVIEW_REQUIRED or RISK_BLOCKED (details.rules) ' +
          'refuse it with nothing reserved.',
        params: orderParams,
        body: z
          .strictObject({
            merchantRefundId: refundNumber,
            amount: merchantAmountInput,
            reason: z
              .string()
              .trim()
              .max(100)
              .optional()
              .meta({ description: 'Why (at most 100 characters), kept with the refund.' }),
          })
          .meta({
            description: 'The refund to make.',
            examples: [{ merchantRefundId: 'R-1001-1', amount: cnyExample('1000'), reason: '少了一份卤蛋' }],
          }),
        response: {
          201: refundSchema.meta({ description: 'The refund, succeeded.', examples: [REFUND_EXAMPLE] }),
          ...merchantApiErrors('POST', [
            'ORDER_NOT_FOUND',
            'ORDER_NOT_PAID',
            'REFUND_ID_REUSED',
            'REFUND_EXCEEDS_PAID',
            'MERCHANT_BALANCE_INSUFFICIENT',
            'RISK_REVIEW_REQUIRED',
            'RISK_BLOCKED',
            'OVERLOADED',
          ]),
        },
      },
    }),
    async (request, reply) => {
      const refund = await service.refund({
        merchantId: principalOf(request, 'merchant').merchantId,
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
    signedIn(app, actor('orders:read'), {
      schema: {
        tags: TAGS,
        operationId: 'getRefund',
        summary: 'Refund query',
        description:
          'A refund of an order by the merchant’s own refund number. REFUND_NOT_FOUND for a number not used on ' +
          'this order; ORDER_NOT_FOUND for an order number not used.',
        params: orderParams.extend({ merchantRefundId: refundNumber }),
        response: {
          200: refundSchema.meta({ description: 'The refund.', examples: [REFUND_EXAMPLE] }),
          ...merchantApiErrors('GET', ['ORDER_NOT_FOUND', 'REFUND_NOT_FOUND']),
        },
      },
    }),
    async (request) =>
      refundJson(
        await service.getRefund({
          merchantId: principalOf(request, 'merchant').merchantId,
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
        body: z.strictObject({
          qr: z.string().min(1).max(512).meta({ description: 'The text of the scanned code, as read.' }),
        }),
        response: {
          200: z.object({
            kind: z
              .enum(['merchant_static', 'merchant_order'])
              .meta({ description: 'The `kind` to pay it with through POST /v1/payments.' }),
            merchant: z
              .object({
                name: z.string().meta({ description: "The merchant's name." }),
                city: z.string().meta({ description: "The merchant's city." }),
                mcc: z.string().meta({ description: 'Merchant category code (ISO 18245).' }),
              })
              .meta({ description: 'Whose code it is.' }),
            amount: moneyOutput
              .nullable()
              .meta({ description: "The amount an order's code fixes; null: the payer gives it." }),
            order: z
              .object({
                merchantOrderId: z.string().meta({ description: "The merchant's order number." }),
                description: z.string().nullable().meta({ description: 'What it is for.' }),
                expiresAt: z.string().meta({ description: 'Until when it can be paid (ISO 8601).' }),
              })
              .nullable()
              .meta({ description: "The order of an order's code; null for a static code." }),
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

  // ---- the payer's payment code (付款码) --------------------------------------------------------

  const codeStatusSchema = z.object({
    active: z.boolean().meta({ description: "Whether this device's payment code is on." }),
    deviceIndex: z
      .number()
      .int()
      .nullable()
      .meta({ description: "The device's 6-digit index inside its codes, while on." }),
    stepSeconds: z.number().int().nullable().meta({ description: 'How long each code lives, while on.' }),
    issuedAt: z.string().nullable().meta({ description: 'When its secret was issued (ISO 8601), while on.' }),
    confirmationPayment: paymentToSignOutput.meta({
      description: 'To issue with a passkey: send it to POST /v1/me/confirmations/options first.',
    }),
  });

  app.get(
    '/v1/me/payment-code',
    signedIn(app, holder, {
      schema: {
        tags: TAGS,
        summary: "This device's payment code: on or off",
        response: { 200: codeStatusSchema, ...ERRORS },
      },
    }),
    async (request) => {
      const { userId, deviceId } = principalOf(request, 'holder');
      const status = await codes.status({ userId, deviceId });
      return {
        active: status.active,
        deviceIndex: status.deviceIndex,
        stepSeconds: status.stepSeconds,
        issuedAt: status.issuedAt?.toISOString() ?? null,
        confirmationPayment: paymentToSignJson(status.confirmationPayment),
      };
    },
  );

  app.post(
    '/v1/me/payment-code',
    signedIn(app, holder, {
      schema: {
        tags: TAGS,
        summary: 'Turn on the payment code of this device: its secret, shown once',
        description:
          'Needs the PIN or a passkey (`confirmation`; a passkey signs `confirmationPayment` of GET ' +
          '/v1/me/payment-code). Answers the secret (base64url) once: the app keeps it and derives the 18-digit ' +
          'codes offline (`@qianbao/qr` paymentCodeAt, every `stepSeconds`). Replaces this device’s earlier ' +
          'secret. PAYMENT_CODE_DEVICE_LOST for a device reported lost.',
        body: z.strictObject({ confirmation: confirmationInput }),
        response: {
          201: z.object({
            secret: z.string().meta({ description: 'Base64url, 32 bytes. Shown this once.' }),
            deviceIndex: z
              .number()
              .int()
              .meta({ description: "The device's 6-digit index inside its codes." }),
            stepSeconds: z.number().int().meta({ description: 'How long each code lives (seconds).' }),
            issuedAt: z.string().meta({ description: 'When the secret was issued (ISO 8601).' }),
          }),
          ...PAYMENT_ERRORS,
        },
      },
    }),
    async (request, reply) => {
      const { userId, deviceId } = principalOf(request, 'holder');
      const issued = await codes.issue({
        userId,
        deviceId,
        confirmation: requiredFactor(request.body.confirmation),
      });
      return reply.code(201).send({ ...issued, issuedAt: issued.issuedAt.toISOString() });
    },
  );

  app.delete(
    '/v1/me/payment-code',
    signedIn(app, holder, {
      schema: {
        tags: TAGS,
        summary: 'Turn off the payment code of this device: its codes are refused from now on',
        response: { 204: z.null(), ...ERRORS },
      },
    }),
    async (request, reply) => {
      const { userId, deviceId } = principalOf(request, 'holder');
      await codes.turnOff({ userId, deviceId });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/me/merchant/charges',
    signedIn(app, actor('payments:create'), {
      config: { idempotent: true },
      schema: {
        tags: TAGS,
        operationId: 'createCharge',
        summary: "Charge the payer's payment code scanned at the till",
        description:
          'Needs an Idempotency-Key. 201 `succeeded` (within the payer’s password-free limit); 202 ' +
          '`awaiting_confirmation` — the payer is asked to confirm within 60 s: poll GET ' +
          '/v1/me/merchant/charges/:id. PAYMENT_CODE_INVALID, PAYMENT_CODE_EXPIRED (ask for the code again), ' +
          'PAYMENT_CODE_USED, ORDER_ID_REUSED, CANNOT_PAY_YOURSELF; a refused payment answers its refusal ' +
          '(WALLET_FROZEN, INSUFFICIENT_FUNDS, LIMIT_EXCEEDED …) with `details.chargeId`, the charge `failed`.',
        body: z
          .strictObject({
            paymentCode: z
              .string()
              .regex(/^\d{18}$/, 'must be the 18 digits scanned')
              .meta({ description: "The payer's 18-digit payment code, as scanned." }),
            amount: merchantAmountInput,
            merchantOrderId: orderNumber,
            description: z
              .string()
              .trim()
              .max(100)
              .optional()
              .meta({ description: 'What it is for, shown to the payer (at most 100 characters).' }),
          })
          .meta({
            description: 'The charge: the code scanned, the amount, the till’s order number.',
            examples: [
              {
                paymentCode: '281234567890123456',
                amount: cnyExample('2600'),
                merchantOrderId: 'T-20261207-0042',
                description: '两碗阳春面',
              },
            ],
          }),
        response: {
          201: chargeSchema.meta({
            description: 'Paid: the charge `succeeded`.',
            examples: [CHARGE_EXAMPLE],
          }),
          202: chargeSchema.meta({
            description:
              'The payer is asked to confirm (`awaiting_confirmation`, until `confirmBy`): poll it.',
            examples: [
              {
                ...CHARGE_EXAMPLE,
                status: 'awaiting_confirmation',
                confirmBy: '2026-12-07T04:21:00.000Z',
                order: {
                  ...CHARGE_EXAMPLE.order,
                  status: 'open',
                  payer: null,
                  fee: cnyExample('0'),
                  transferId: null,
                  paidAt: null,
                },
              },
            ],
          }),
          ...merchantApiErrors('POST', [
            ...IDEMPOTENCY_CODES,
            'MERCHANT_NOT_ACTIVE',
            'PAYMENT_CODE_INVALID',
            'PAYMENT_CODE_EXPIRED',
            'PAYMENT_CODE_USED',
            'ORDER_ID_REUSED',
            'ORDER_BEING_PAID',
            'CANNOT_PAY_YOURSELF',
            'WALLET_FROZEN',
            'KYC_TIER_TOO_LOW',
            'LIMIT_EXCEEDED',
            'INSUFFICIENT_FUNDS',
            'PAYEE_BALANCE_CAP_EXCEEDED',
            'PAYMENTS_LOCKED',
            'RISK_REVIEW_REQUIRED',
            'RISK_BLOCKED',
            'SECRET_CHECK_BUSY',
            'OVERLOADED',
          ]),
        },
      },
    }),
    async (request, reply) => {
      const { body } = request;
      const charge = await service.chargeCode({
        merchantId: principalOf(request, 'merchant').merchantId,
        chargeId: idempotentId(request, 'merchant-code-charge'),
        paymentCode: body.paymentCode,
        amountMinor: moneyOf(body.amount).amountMinor,
        merchantOrderId: body.merchantOrderId,
        description: body.description ? body.description : null,
      });
      return reply.code(charge.status === 'succeeded' ? 201 : 202).send(chargeJson(charge));
    },
  );

  const chargeParams = z.object({ id: z.string().max(64).meta({ description: 'The charge id.' }) });

  app.get(
    '/v1/me/merchant/charges/:id',
    signedIn(app, actor('payments:create'), {
      schema: {
        tags: TAGS,
        operationId: 'getCharge',
        summary: "A payment code's charge (poll it while it awaits the payer)",
        description:
          'Poll it every second or two while `awaiting_confirmation`: it ends `succeeded`, `declined`, ' +
          '`timed_out` (after `confirmBy`) or `failed` (`failure`). CHARGE_NOT_FOUND for an id not of this merchant.',
        params: chargeParams,
        response: {
          200: chargeSchema.meta({ description: 'The charge as it stands.', examples: [CHARGE_EXAMPLE] }),
          ...merchantApiErrors('GET', ['CHARGE_NOT_FOUND']),
        },
      },
    }),
    async (request) =>
      chargeJson(
        await service.merchantCharge({
          merchantId: principalOf(request, 'merchant').merchantId,
          chargeId: request.params.id,
        }),
      ),
  );

  app.get(
    '/v1/me/merchant/orders/:merchantOrderId/charge',
    signedIn(app, actor('orders:readToday'), {
      schema: {
        tags: TAGS,
        operationId: 'getOrderCharge',
        summary: "The payment code's charge of an order, by the merchant's order number",
        description:
          'For a till that lost the charge’s id (it crashed after sending it). ORDER_NOT_FOUND for an order number ' +
          'not used; CHARGE_NOT_FOUND for an order not paid with a payment code.',
        params: orderParams,
        response: {
          200: chargeSchema.meta({ description: 'The order’s charge.', examples: [CHARGE_EXAMPLE] }),
          ...merchantApiErrors('GET', ['ORDER_NOT_FOUND', 'CHARGE_NOT_FOUND']),
        },
      },
    }),
    async (request) =>
      chargeJson(
        await service.merchantChargeOfOrder({
          merchantId: principalOf(request, 'merchant').merchantId,
          merchantOrderId: request.params.merchantOrderId,
        }),
      ),
  );

  app.get(
    '/v1/me/charges/pending',
    signedIn(app, holder, {
      schema: {
        tags: TAGS,
        summary: 'Charges of my payment code waiting for my confirmation',
        response: {
          200: z.object({ charges: z.array(chargeSchema).meta({ description: 'Oldest first.' }) }),
          ...ERRORS,
        },
      },
    }),
    async (request) => ({
      charges: (await service.pendingCharges(principalOf(request, 'holder').userId)).map(chargeJson),
    }),
  );

  app.get(
    '/v1/me/charges/:id',
    signedIn(app, holder, {
      schema: {
        tags: TAGS,
        summary: 'A charge of my payment code',
        params: chargeParams,
        response: { 200: chargeSchema, ...ERRORS },
      },
    }),
    async (request) =>
      chargeJson(
        await service.payerCharge({
          payerUserId: principalOf(request, 'holder').userId,
          chargeId: request.params.id,
        }),
      ),
  );

  app.post(
    '/v1/me/charges/:id/confirm',
    signedIn(app, holder, {
      config: { idempotent: true },
      schema: {
        tags: TAGS,
        summary: 'Confirm a charge of my payment code with the PIN or a passkey',
        description:
          'Needs an Idempotency-Key. A passkey signs the charge’s `payment`. A wrong PIN leaves the charge ' +
          'waiting (until `confirmBy`); CHARGE_NOT_AWAITING when it was declined, timed out or ended; the ' +
          'refusals of any payment (INSUFFICIENT_FUNDS, LIMIT_EXCEEDED, PAYMENTS_LOCKED …) end it `failed`.',
        params: chargeParams,
        body: z.strictObject({ confirmation: confirmationInput }),
        response: { 200: chargeSchema, ...PAYMENT_ERRORS },
      },
    }),
    async (request) =>
      chargeJson(
        await service.confirmCharge({
          payerUserId: principalOf(request, 'holder').userId,
          chargeId: request.params.id,
          confirmation: requiredFactor(request.body.confirmation),
        }),
      ),
  );

  app.post(
    '/v1/me/charges/:id/decline',
    signedIn(app, holder, {
      schema: {
        tags: TAGS,
        summary: 'Decline a charge of my payment code: nothing is paid',
        params: chargeParams,
        response: { 200: chargeSchema, ...ERRORS },
      },
    }),
    async (request) =>
      chargeJson(
        await service.declineCharge({
          payerUserId: principalOf(request, 'holder').userId,
          chargeId: request.params.id,
        }),
      ),
  );

  done();
};
