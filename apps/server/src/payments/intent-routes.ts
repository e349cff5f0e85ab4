/**
 * The payment resource over HTTP (intents.ts): one shape for every kind of payment.
 * docs/payments.md is the client's guide.
 */
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, signedIn } from '../auth/index.ts';
import {
  confirmationInput,
  confirmationPlanOutput,
  givenFactor,
  paymentToSignOutput,
} from '../http/confirmation.ts';
import { moneyOutput } from '../http/money.ts';
import { errorResponses, refusalOutput } from '../http/responses.ts';
import { INTENT_MINUTES } from './intents.ts';
import type { PaymentIntentView, PaymentIntents } from './intents.ts';
import { PAYMENT_KINDS, type PaymentKind } from './kinds.ts';

export interface PaymentIntentRoutesOptions {
  intents: PaymentIntents;
}

const TAGS = ['payments'];
const ERRORS_4XX = errorResponses(400, 401, 403, 404, 409, 410, 422, 423);

const errorObject = z
  .object({
    code: z.string().meta({ description: 'The error code (docs/api/errors.md).' }),
    message: z.string().meta({ description: 'For people; may change.' }),
    details: z.record(z.string(), z.unknown()).meta({ description: 'Facts about the failure, per code.' }),
  })
  .meta({ description: "An error body's `error`: code, message, details (docs/api/errors.md)." });

export const paymentIntentSchema = z
  .object({
    id: z.string().meta({ description: 'The payment id.' }),
    kind: z
      .enum(Object.keys(PAYMENT_KINDS) as [PaymentKind, ...PaymentKind[]])
      .meta({ description: 'What kind of payment it is (the `kind` it was created with).' }),
    status: z
      .enum(['requires_confirmation', 'processing', 'succeeded', 'failed', 'canceled', 'expired'])
      .meta({
        description:
          '`requires_confirmation` until confirmed (again after a refused confirm: see `lastError`); ' +
          '`processing` while the bank works (GET it again); `succeeded` or `failed` at the end; ' +
          `\`canceled\`; \`expired\` when not confirmed within ${INTENT_MINUTES} minutes.`,
      }),
    amount: moneyOutput.meta({ description: 'The amount.' }),
    fee: moneyOutput.meta({ description: 'The fee (zero for most kinds).' }),
    total: moneyOutput.meta({
      description: 'What leaves the wallet (or, for a top-up, what the card is charged).',
    }),
    confirmation: confirmationPlanOutput,
    payment: paymentToSignOutput.meta({
      description:
        'What a passkey signs for the next confirm: send it to POST /v1/me/confirmations/options. ' +
        'It changes after a refused confirm (a new attempt): GET the payment again.',
    }),
    refusal: refusalOutput(
      'Why it would be refused if confirmed now, as quoted; null when nothing known refuses it.',
    ),
    details: z.record(z.string(), z.unknown()).meta({
      description:
        "What only this kind's quote says, as its own quote route answers it: for a transfer the payee (masked) " +
        'and the limits left; for a withdrawal the free allowance left and the arrival; for a bank transfer the ' +
        'account as shown and the arrival.',
    }),
    result: z
      .record(z.string(), z.unknown())
      .nullable()
      .meta({
        description:
          "Once confirmed: the kind's own answer — the transfer (as POST /v1/me/transfers answers it) or the " +
          'funding operation (as GET /v1/me/funding/:id answers it). Null before.',
      }),
    lastError: errorObject
      .nullable()
      .meta({ description: 'Why the last confirm was refused; null if none was.' }),
    expiresAt: z.string().meta({ description: 'Until when it can be confirmed (ISO 8601).' }),
    createdAt: z.string().meta({ description: 'When it was created (ISO 8601).' }),
    updatedAt: z.string().meta({ description: 'When it last changed (ISO 8601).' }),
  })
  .meta({ description: 'A payment: its quote, where it stands, and its outcome.' });

export function paymentIntentJson(view: PaymentIntentView): z.infer<typeof paymentIntentSchema> {
  const { quote } = view;
  return {
    id: view.id,
    kind: view.kind,
    status: view.status,
    amount: quote.amount,
    fee: quote.fee,
    total: quote.total,
    confirmation: quote.confirmation as z.infer<typeof confirmationPlanOutput>,
    payment: quote.payment as z.infer<typeof paymentToSignOutput>,
    refusal: quote.refusal as z.infer<ReturnType<typeof refusalOutput>>,
    details: quote.details,
    result: view.result,
    lastError: view.lastError as z.infer<typeof errorObject> | null,
    expiresAt: view.expiresAt.toISOString(),
    createdAt: view.createdAt.toISOString(),
    updatedAt: view.updatedAt.toISOString(),
  };
}

const idParams = z.object({ id: z.string().min(1).max(64).meta({ description: 'The payment id.' }) });

export const paymentIntentRoutes: FastifyPluginCallbackZod<PaymentIntentRoutesOptions> = (
  app,
  options,
  done,
) => {
  const { intents } = options;
  const kinds = intents.registered();
  // One body per kind: `kind` and the fields of that kind's quote (the module's own schema).
  const bodies = kinds.map((kind) =>
    (kind.fields as unknown as z.ZodObject).extend({
      kind: z.literal(kind.kind).meta({ description: `A ${kind.kind.replace('_', ' ')}.` }),
    }),
  );
  const createBody = z.discriminatedUnion('kind', bodies as unknown as [z.ZodObject, ...z.ZodObject[]]);

  app.post(
    '/v1/payments',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Create a payment of any kind: its quote, how to confirm it, and any refusal',
          description:
            'Moves no money. `kind` is transfer, payment_request, top_up, withdrawal or bank_transfer, with the ' +
            "fields of that kind's own quote (e.g. `toPhone` and `amount` for a transfer). Refuses what the kind's " +
            'quote refuses up front (PAYEE_NOT_FOUND, CARD_NOT_FOUND, KYC_TIER_TOO_LOW …); `refusal` says what ' +
            `would refuse it if confirmed now. Confirm within ${INTENT_MINUTES} minutes.`,
          body: createBody,
          response: { 201: paymentIntentSchema, ...ERRORS_4XX },
        },
      },
    ),
    async (request, reply) => {
      const holder = principalOf(request, 'holder');
      const { kind, ...fields } = request.body as { kind: PaymentIntentView['kind'] } & Record<
        string,
        unknown
      >;
      const view = await intents.create({ holder, kind, request: fields });
      return reply.code(201).send(paymentIntentJson(view));
    },
  );

  app.get(
    '/v1/payments/:id',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'A payment: where it stands (a `processing` one is asked of the bank again)',
          params: idParams,
          response: { 200: paymentIntentSchema, ...ERRORS_4XX },
        },
      },
    ),
    async (request) => {
      const holder = principalOf(request, 'holder');
      return paymentIntentJson(await intents.get({ holder, id: request.params.id }));
    },
  );

  app.post(
    '/v1/payments/:id/confirm',
    signedIn(
      app,
      { principal: 'holder' },
      {
        config: { idempotent: true },
        schema: {
          tags: TAGS,
          summary: 'Confirm a payment with the factor its quote asks for: the money moves',
          description:
            'Needs an Idempotency-Key. 200 with `succeeded`, or `processing` while the bank works. A refusal is ' +
            "the kind's own error (INSUFFICIENT_FUNDS, LIMIT_EXCEEDED, PIN_INCORRECT, PAYMENTS_LOCKED, " +
            'FACTOR_NOT_ACCEPTED, FUNDING_DECLINED …): nothing moved, and the payment waits for a confirm again ' +
            '(`lastError`). A payment confirmed already answers where it stands: it never moves money twice. ' +
            'PAYMENT_IN_PROGRESS while another confirm of it runs; PAYMENT_EXPIRED, PAYMENT_CANCELED.',
          params: idParams,
          body: z.strictObject({ confirmation: confirmationInput }),
          response: { 200: paymentIntentSchema, ...ERRORS_4XX },
        },
      },
    ),
    async (request) => {
      const holder = principalOf(request, 'holder');
      const view = await intents.confirm({
        holder,
        id: request.params.id,
        confirmation: givenFactor(request.body.confirmation),
      });
      return paymentIntentJson(view);
    },
  );

  app.post(
    '/v1/payments/:id/cancel',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Cancel a payment that waits for its confirmation',
          params: idParams,
          response: { 200: paymentIntentSchema, ...ERRORS_4XX },
        },
      },
    ),
    async (request) => {
      const holder = principalOf(request, 'holder');
      return paymentIntentJson(await intents.cancel({ holder, id: request.params.id }));
    },
  );

  done();
};
