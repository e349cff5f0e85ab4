/**
 * Hosted checkout's API (checkout.ts): the merchant makes a checkout; the checkout page reads it
 * by its link's token — without signing in, so the page can show the shop and the amount before
 * asking the customer to. Paying is the payment resource's (`POST /v1/payments`, kind
 * `merchant_order`, with the `payload` answered here as `qr`).
 */
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, signedIn } from '../../auth/index.ts';
import { moneyOf } from '../../http/money.ts';
import { errorResponses, merchantApiErrors } from '../../http/responses.ts';
import type { Checkouts } from './checkout.ts';
import { TEST_PAYERS } from './test-mode.ts';
import { OPEN_ORDER_EXAMPLE, merchantAmountInput, orderJson, orderSchema } from './routes.ts';

const TAGS = ['merchants'];
const ERRORS = errorResponses(400, 403, 404, 409, 410, 422);

/** http(s) only, at most 500 characters: where the customer is sent back. */
const returnUrlInput = z
  .string()
  .max(500)
  .url()
  .refine((text) => /^https?:\/\//i.test(text), { message: 'must be an http or https address' })
  .meta({
    description:
      'Where the customer is sent back after paying or leaving, with `merchantOrderId` and `status` (`paid` or ' +
      '`cancelled`) added to its query. http(s), at most 500 characters.',
  });

export const checkoutRoutes: FastifyPluginCallbackZod<{ checkouts: Checkouts }> = (
  app,
  { checkouts },
  done,
) => {
  app.post(
    '/v1/me/merchant/checkouts',
    signedIn(
      app,
      { principal: 'merchant', permission: 'payments:create' },
      {
        schema: {
          tags: TAGS,
          operationId: 'createCheckout',
          summary: 'Make an order with a hosted checkout link: send the customer to `url`',
          description:
            'The same order number with the same amount, description and return address answers the same checkout ' +
            '(ORDER_ID_REUSED otherwise). Cancel it by closing the order (POST /v1/me/merchant/orders/:id/close); it ' +
            'expires unpaid after `expiresInMinutes` (default 120). Query it as any order.',
          body: z
            .strictObject({
              merchantOrderId: z
                .string()
                .regex(/^[A-Za-z0-9_-]{1,25}$/)
                .meta({ description: "The merchant's own order number: 1–25 of A–Z a–z 0–9 _ -." }),
              amount: merchantAmountInput,
              description: z.string().trim().max(100).optional().meta({
                description: 'What it is for, shown on the checkout page (at most 100 characters).',
              }),
              returnUrl: returnUrlInput,
              expiresInMinutes: z
                .number()
                .int()
                .min(1)
                .max(10_080)
                .optional()
                .meta({ description: 'How long the link can be paid: default 120 minutes, at most 7 days.' }),
            })
            .meta({
              description: 'The order to make and where the customer comes back to.',
              examples: [
                {
                  merchantOrderId: 'W-2001',
                  amount: { amount: '12800', currency: 'CNY' },
                  description: '年货礼盒',
                  returnUrl: 'https://shop.example.com/orders/W-2001',
                  expiresInMinutes: 30,
                },
              ],
            }),
          response: {
            201: z
              .object({
                id: z.string().meta({ description: 'The checkout id.' }),
                url: z.string().meta({ description: 'The hosted checkout page: send the customer there.' }),
                returnUrl: z.string().meta({ description: 'Where the customer comes back to.' }),
                order: orderSchema.meta({ description: 'The order the checkout pays.' }),
              })
              .meta({
                description: 'The checkout: its page and its order, open.',
                examples: [
                  {
                    id: '0193a5e0-1a2b-7c3d-8e4f-5a6b7c8d9e0f',
                    url: 'https://wallet.example.com/checkout/Yk3vQ8pL2mN7rT5wX9zA4bC6',
                    returnUrl: 'https://shop.example.com/orders/W-2001',
                    order: {
                      ...OPEN_ORDER_EXAMPLE,
                      id: '0193a5e0-2b3c-7d4e-8f5a-6b7c8d9e0f1a',
                      merchantOrderId: 'W-2001',
                      amount: { amount: '12800', currency: 'CNY' },
                      description: '年货礼盒',
                      expiresAt: '2026-12-07T04:40:00.000Z',
                    },
                  },
                ],
              }),
            ...merchantApiErrors('POST', ['MERCHANT_NOT_ACTIVE', 'ORDER_ID_REUSED']),
          },
        },
      },
    ),
    async (request, reply) => {
      const { body } = request;
      const checkout = await checkouts.create({
        merchantId: principalOf(request, 'merchant').merchantId,
        merchantOrderId: body.merchantOrderId,
        amountMinor: moneyOf(body.amount).amountMinor,
        description: body.description ? body.description : null,
        returnUrl: body.returnUrl,
        expiresInMinutes: body.expiresInMinutes ?? null,
      });
      return reply.code(201).send({ ...checkout, order: orderJson(checkout.order) });
    },
  );

  app.get(
    '/v1/checkouts/:token',
    {
      schema: {
        tags: TAGS,
        summary: 'A checkout as its page shows it (no sign-in: the link is the key)',
        description:
          'CHECKOUT_NOT_FOUND for an unknown link. `payload` is null once the order is paid, closed or expired.',
        params: z.object({
          token: z.string().max(64).meta({ description: "The token of the checkout's link." }),
        }),
        response: {
          200: z.object({
            merchantName: z.string().meta({ description: 'The shop the customer pays.' }),
            order: orderSchema.meta({ description: 'The order: amount, what for, where it stands.' }),
            payload: z.string().nullable().meta({
              description: 'Pay it as `qr` with POST /v1/payments kind `merchant_order`, while open.',
            }),
            returnUrl: z.string().meta({ description: "The merchant's return address." }),
            testMode: z.boolean().meta({
              description:
                'A test order (made with a test key): no wallet can pay it; the page offers the test payers ' +
                '(POST /v1/checkouts/{token}/test-payments) instead.',
            }),
          }),
          ...ERRORS,
        },
      },
    },
    async (request) => {
      const checkout = await checkouts.byToken(request.params.token);
      return { ...checkout, order: orderJson(checkout.order) };
    },
  );

  app.post(
    '/v1/checkouts/:token/test-payments',
    {
      schema: {
        tags: TAGS,
        summary: "Pay a test order as a test payer (test mode's checkout buttons; no sign-in)",
        description:
          "Test mode only (ADR 0022): pays the checkout's order from a test payer's account of test money, through " +
          'the same pipeline and ledger as any payment, and answers the order. `succeeds` pays; ' +
          '`insufficient_funds` pays from an empty test wallet, so the ledger refuses it (422 INSUFFICIENT_FUNDS) ' +
          'and the order stays open. A live order is TEST_MODE_ONLY (409). Repeating a paid one answers it.',
        params: z.object({
          token: z.string().max(64).meta({ description: "The token of the checkout's link." }),
        }),
        body: z
          .object({
            payer: z.enum(TEST_PAYERS).meta({
              description: '`succeeds` (endless test money) or `insufficient_funds` (an empty test wallet).',
            }),
          })
          .strict(),
        response: { 200: orderSchema, ...ERRORS },
      },
    },
    async (request) => orderJson(await checkouts.payAsTestPayer(request.params.token, request.body.payer)),
  );

  done();
};
