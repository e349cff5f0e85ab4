import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  confirmationInput,
  confirmationPlanJson,
  confirmationPlanOutput,
  givenFactor,
  paymentToSignJson,
  paymentToSignOutput,
} from '../../http/confirmation.ts';
import { principalOf, signedIn } from '../../auth/index.ts';
import { moneyInput, moneyJson, moneyOf, moneyOutput } from '../../http/money.ts';
import { errorResponses, refusalOutput } from '../../http/responses.ts';
import { idempotentId, idempotentIdOfHolder } from '../../idempotency.ts';
import type { OperatorService } from '../operator/index.ts';
import type { ReconciliationReport } from './reconcile.ts';
import { reportJson } from './reconcile.ts';
import { FUNDING_CURRENCY } from './service.ts';
import type { FundingService, FundingView } from './service.ts';

export interface FundingRoutesOptions {
  service: FundingService;
  reconcile: (date: string) => Promise<ReconciliationReport>;
  operators: Pick<OperatorService, 'audit'>;
}

const TAGS = ['funding: top-up, withdrawal and transfer to a bank account'];
const TOP_UP_URL = '/v1/me/top-ups';
const WITHDRAWAL_URL = '/v1/me/withdrawals';
const BANK_TRANSFER_URL = '/v1/me/bank-transfers';
/** What `idempotentId(request, …)` is given by every funding route. */
const PAYMENT_PURPOSE = 'funding';

/**
 * The id `idempotentId(request, 'funding')` gives `POST <route>` for this holder and key: the
 * quote tells the client the payment id before the request, so a passkey can sign it.
 */
/** The payment a quote names when the client sent the key it will use (null: no passkey then). */
function quotedPaymentId(userId: string, route: string, idempotencyKey: string | undefined): string | null {
  return idempotencyKey === undefined ? null : fundingPaymentId({ userId, route, idempotencyKey });
}

export function fundingPaymentId(input: { userId: string; route: string; idempotencyKey: string }): string {
  return idempotentIdOfHolder({
    userId: input.userId,
    method: 'POST',
    route: input.route,
    key: input.idempotencyKey,
    purpose: PAYMENT_PURPOSE,
  });
}
const ERRORS = errorResponses(400, 401, 403, 404, 409, 422, 423, 429, 503);

// The bounds of an amount are the service's (FUNDING_AMOUNT_INVALID), so a quote and its request
// refuse the same amounts; the schema refuses what is not money in the funding currency.
export const amountInput = moneyInput({
  currencies: [FUNDING_CURRENCY],
  description: 'The amount, without the fee.',
  example: '10000',
});

const idempotencyKeyInput = z
  .string()
  .min(1)
  .max(255)
  .optional()
  .meta({
    description:
      'The Idempotency-Key the client will send with the request: the answer then carries `payment`, to ' +
      'bind a passkey to it (POST /v1/me/confirmations/options).',
  });

const paymentSchema = paymentToSignOutput.nullable().meta({
  description:
    'Given `idempotencyKey`: the payment to send to POST /v1/me/confirmations/options to bind a passkey.',
});

/** Why the operation would be refused if confirmed now: the shape of an error body's `error`. */
const refusalSchema = refusalOutput(
  'LIMIT_EXCEEDED (details.limit single or daily, max, remaining), INSUFFICIENT_FUNDS (details.available), ' +
    'PAYEE_BALANCE_CAP_EXCEEDED (a top-up past the wallet cap: details.own, cap, remaining).',
);

/** The parts every quote answers. */
const quoteFields = {
  amount: moneyOutput.meta({ description: 'The amount, without the fee.' }),
  fee: moneyOutput.meta({ description: 'The fee (docs/cards-and-funding.md, docs/bank-transfers.md).' }),
  total: moneyOutput.meta({
    description: 'What leaves the wallet (withdrawal, bank transfer: amount + fee) or enters it (top-up).',
  }),
  confirmation: confirmationPlanOutput,
  payment: paymentSchema,
  refusal: refusalSchema,
};

export function quoteJson(quote: {
  amountMinor: bigint;
  feeMinor: bigint;
  totalMinor: bigint;
  currency: string;
  confirmation: Parameters<typeof confirmationPlanJson>[0];
  payment: Parameters<typeof paymentToSignJson>[0] | null;
  refusal: z.infer<typeof refusalSchema>;
}) {
  return {
    amount: moneyJson(quote.amountMinor, quote.currency),
    fee: moneyJson(quote.feeMinor, quote.currency),
    total: moneyJson(quote.totalMinor, quote.currency),
    confirmation: confirmationPlanJson(quote.confirmation),
    payment: quote.payment && paymentToSignJson(quote.payment),
    refusal: quote.refusal,
  };
}

const arrivesOutput = z.string().meta({ description: 'By when the money reaches the account (ISO 8601).' });

export const bankAccountFields = {
  bankCode: z
    .string()
    .max(16)
    .meta({ description: 'A bank code from GET /v1/banks, e.g. `ICBC`.', example: 'ICBC' }),
  accountNumber: z.string().max(64).meta({
    description: 'The account (or card) number: 8–32 digits, spaces and dashes allowed.',
    example: '6222021234567894',
  }),
  accountName: z
    .string()
    .max(64)
    .meta({ description: "The account holder's name, as the bank has it.", example: '李明' }),
};

export const cardIdInput = z.uuid().meta({ description: 'A bound card, from GET /v1/me/cards.' });

const fundingBody = z.object({
  cardId: cardIdInput,
  amount: amountInput,
  confirmation: confirmationInput,
});

const statusEnum = z.enum(['processing', 'succeeded', 'failed', 'refunded']).meta({
  description:
    '`processing` until the bank answers; `refunded`: a bank transfer whose money was held and given back.',
});
const timelineEntry = z
  .object({
    state: z
      .string()
      .meta({ description: 'The step reached: created, held, bank_pending, voiding, succeeded or failed.' }),
    status: statusEnum,
    at: z.string().meta({ description: 'When (ISO 8601).' }),
    note: z.string().optional().meta({ description: 'What happened, when there is more to say.' }),
  })
  .meta({ description: 'One step of the operation.' });
const bankNameSchema = z
  .object({
    zh: z.string().meta({ description: 'The bank name in Chinese.' }),
    en: z.string().meta({ description: 'The bank name in English.' }),
  })
  .meta({ description: 'The bank name.' });
const accountSchema = z
  .object({
    maskedNumber: z.string().meta({ description: 'The account number, masked.', example: '**** 7894' }),
    last4: z.string().meta({ description: 'The last four digits of the account number.' }),
    bankCode: z.string().meta({ description: 'The bank code (GET /v1/banks).' }),
    bankName: bankNameSchema,
    name: z.string().meta({ description: "The account holder's name, masked.", example: '*明' }),
  })
  .meta({ description: 'The account, masked.' });
const fundingSchema = z.object({
  id: z.string().meta({ description: 'The operation id (also `details.fundingId` of its failures).' }),
  kind: z.enum(['top_up', 'withdrawal', 'bank_transfer']).meta({ description: 'What the operation is.' }),
  status: statusEnum,
  amount: moneyOutput.meta({ description: 'The amount, without the fee.' }),
  fee: moneyOutput.meta({ description: 'The fee.' }),
  total: moneyOutput.meta({
    description: 'What leaves the wallet (withdrawal, bank transfer: amount + fee) or enters it (top-up).',
  }),
  card: z
    .object({
      id: z.string().meta({ description: 'The card id.' }),
      maskedNumber: z.string().meta({ description: 'The card number, masked.', example: '**** 7894' }),
      last4: z.string().meta({ description: 'The last four digits of the card number.' }),
      bankCode: z.string().meta({ description: 'The bank code (GET /v1/banks).' }),
      bankName: bankNameSchema,
    })
    .nullable()
    .meta({ description: 'Top-up and withdrawal: the bound card. Null for a bank transfer.' }),
  account: accountSchema
    .nullable()
    .meta({ description: 'Bank transfer: the account, masked. Null otherwise.' }),
  note: z.string().nullable().meta({ description: "Bank transfer: the holder's note." }),
  failure: z
    .object({
      code: z.string().meta({ description: 'The error code the operation failed with.' }),
      details: z.record(z.string(), z.unknown()).meta({ description: 'Its details (docs/api/errors.md).' }),
    })
    .nullable()
    .meta({ description: 'Why it failed or was refunded; null otherwise.' }),
  bankReference: z.string().nullable().meta({ description: "The bank's reference, once it answered." }),
  createdAt: z.string().meta({ description: 'When it was asked for (ISO 8601).' }),
  completedAt: z.string().nullable().meta({ description: 'When it reached its final status (ISO 8601).' }),
  timeline: z.array(timelineEntry).meta({ description: 'Every step so far, oldest first.' }),
});

export function fundingJson(view: FundingView): z.infer<typeof fundingSchema> {
  const of = (amountMinor: bigint) => moneyJson(amountMinor, view.currency);
  return {
    id: view.id,
    kind: view.kind,
    status: view.status,
    amount: of(view.amountMinor),
    fee: of(view.feeMinor),
    total: of(view.amountMinor + (view.kind === 'top_up' ? 0n : view.feeMinor)),
    card: view.card,
    account: view.account,
    note: view.note,
    failure: view.failure,
    bankReference: view.bankReference,
    createdAt: view.createdAt.toISOString(),
    completedAt: view.completedAt?.toISOString() ?? null,
    timeline: view.timeline.map((entry) => ({
      state: entry.state,
      status: entry.status,
      at: entry.at,
      ...(entry.note === undefined ? {} : { note: entry.note }),
    })),
  };
}

const reconciliationItem = z.object({
  operationId: z.string(),
  kind: z.string(),
  bank: z.object({ amount: z.string(), status: z.string(), settledAt: z.string() }).nullable(),
  ours: z.object({ amount: z.string(), state: z.string(), completedAt: z.string().nullable() }).nullable(),
});
const reconciliationSchema = z.object({
  date: z.string(),
  bankLines: z.number().int(),
  otherLines: z.number().int(),
  operations: z.number().int(),
  mismatches: z.number().int(),
  missing: z.array(reconciliationItem),
  extra: z.array(reconciliationItem),
  amountMismatch: z.array(reconciliationItem),
  statusMismatch: z.array(reconciliationItem),
});

/** Holder and operator routes of the funding module (docs/cards-and-funding.md). */
export const fundingRoutes: FastifyPluginCallbackZod<FundingRoutesOptions> = (app, options, done) => {
  const { service } = options;

  app.post(
    '/v1/me/withdrawals/quote',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'The fee of a withdrawal and how to confirm it, to show before the holder confirms',
          body: z.object({ cardId: cardIdInput, amount: amountInput, idempotencyKey: idempotencyKeyInput }),
          response: {
            200: z.object({
              ...quoteFields,
              freeRemaining: moneyOutput.meta({
                description: 'What can still be withdrawn this month without a fee, after this withdrawal.',
              }),
              arrives: arrivesOutput,
            }),
            ...ERRORS,
          },
        },
      },
    ),
    async (request) => {
      const { userId, walletAccountId } = principalOf(request, 'holder');
      const { body } = request;
      const quote = await service.quoteWithdrawal({
        userId,
        walletAccountId,
        cardId: body.cardId,
        amountMinor: moneyOf(body.amount).amountMinor,
        paymentId: quotedPaymentId(userId, WITHDRAWAL_URL, body.idempotencyKey),
      });
      return {
        ...quoteJson(quote),
        freeRemaining: moneyJson(quote.freeRemainingMinor, quote.currency),
        arrives: quote.arrivesBy.toISOString(),
      };
    },
  );

  app.post(
    '/v1/me/top-ups/quote',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary:
            'Before a top-up: the total and how to confirm it (with `idempotencyKey`, the payment to sign)',
          body: z.object({ cardId: cardIdInput, amount: amountInput, idempotencyKey: idempotencyKeyInput }),
          response: { 200: z.object(quoteFields), ...ERRORS },
        },
      },
    ),
    async (request) => {
      const { userId, walletAccountId } = principalOf(request, 'holder');
      const { body } = request;
      const quote = await service.quoteTopUp({
        userId,
        walletAccountId,
        cardId: body.cardId,
        amountMinor: moneyOf(body.amount).amountMinor,
        paymentId: quotedPaymentId(userId, TOP_UP_URL, body.idempotencyKey),
      });
      return quoteJson(quote);
    },
  );

  app.post(
    `${BANK_TRANSFER_URL}/quote`,
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary:
            'Before a transfer to a bank account: the fee, the total, the account as shown, how to confirm',
          description:
            'Refuses BANK_CODE_UNKNOWN, BANK_ACCOUNT_NUMBER_INVALID (details.reason `format` or `checksum`), ' +
            'ACCOUNT_NAME_INVALID, FUNDING_AMOUNT_INVALID, KYC_TIER_TOO_LOW (T0); `refusal` says what would refuse ' +
            'the transfer if confirmed now (the single or daily limit, the wallet balance short of amount + fee). ' +
            'Send the Idempotency-Key you will use as `idempotencyKey` to get `payment` for a passkey.',
          body: z.object({ ...bankAccountFields, amount: amountInput, idempotencyKey: idempotencyKeyInput }),
          response: {
            200: z.object({
              ...quoteFields,
              total: moneyOutput.meta({ description: 'What leaves the wallet: amount + fee.' }),
              arrives: arrivesOutput,
              account: accountSchema,
            }),
            ...ERRORS,
          },
        },
      },
    ),
    async (request) => {
      const { userId, walletAccountId } = principalOf(request, 'holder');
      const { body } = request;
      const quote = await service.quoteBankTransfer({
        userId,
        walletAccountId,
        account: {
          bankCode: body.bankCode,
          accountNumber: body.accountNumber,
          accountName: body.accountName,
        },
        amountMinor: moneyOf(body.amount).amountMinor,
        paymentId: quotedPaymentId(userId, BANK_TRANSFER_URL, body.idempotencyKey),
      });
      return { ...quoteJson(quote), arrives: quote.arrivesBy.toISOString(), account: quote.account };
    },
  );

  app.post(
    BANK_TRANSFER_URL,
    signedIn(
      app,
      { principal: 'holder' },
      {
        config: { idempotent: true },
        schema: {
          tags: TAGS,
          summary: 'Transfer to a bank account of any bank',
          description:
            'Needs an Idempotency-Key and a confirmation (PIN, passkey or TOTP). The amount and the fee are held, ' +
            'then the bank is asked to credit the account: 201 `succeeded`; 202 `processing` while the bank works ' +
            '(poll GET /v1/me/funding/:id: `succeeded`, or `refunded` when the bank refused it and the money came ' +
            'back). A refusal the bank gives at once is FUNDING_DECLINED (details.reason, e.g. NAME_MISMATCH, ' +
            'ACCOUNT_INVALID; details.fundingId) with the money already back. Also: the refusals of the quote, ' +
            'INSUFFICIENT_FUNDS (amount + fee), LIMIT_EXCEEDED (single, daily, yearly), BANK_UNAVAILABLE, ' +
            'PIN_INCORRECT, PAYMENTS_LOCKED, FACTOR_NOT_ACCEPTED.',
          body: z.object({
            ...bankAccountFields,
            amount: amountInput,
            note: z.string().trim().max(50).optional().meta({
              description: 'For the holder (history, receipt); at most 50 characters. Not sent to the bank.',
            }),
            confirmation: confirmationInput,
          }),
          response: { 201: fundingSchema, 202: fundingSchema, ...ERRORS },
        },
      },
    ),
    async (request, reply) => {
      const { userId, walletAccountId } = principalOf(request, 'holder');
      const { body } = request;
      const view = await service.startBankTransfer({
        operationId: idempotentId(request, PAYMENT_PURPOSE),
        userId,
        walletAccountId,
        account: {
          bankCode: body.bankCode,
          accountNumber: body.accountNumber,
          accountName: body.accountName,
        },
        amountMinor: moneyOf(body.amount).amountMinor,
        note: body.note ? body.note : null,
        confirmation: givenFactor(body.confirmation) ?? undefined,
      });
      return reply.code(view.status === 'succeeded' ? 201 : 202).send(fundingJson(view));
    },
  );

  for (const [path, kind] of [
    [TOP_UP_URL, 'top_up'],
    [WITHDRAWAL_URL, 'withdrawal'],
  ] as const) {
    app.post(
      path,
      signedIn(
        app,
        { principal: 'holder' },
        {
          config: { idempotent: true },
          schema: {
            tags: TAGS,
            summary: kind === 'top_up' ? 'Top up the wallet from a bound card' : 'Withdraw to a bound card',
            description:
              'Needs an Idempotency-Key and a confirmation (PIN, passkey or TOTP). 201 when done; 202 while the ' +
              "bank's answer is pending (poll GET /v1/me/funding/:id). The operation id is in `id`; a failure's " +
              'details carry `fundingId`.',
            body: fundingBody,
            response: { 201: fundingSchema, 202: fundingSchema, ...ERRORS },
          },
        },
      ),
      async (request, reply) => {
        const { userId, walletAccountId } = principalOf(request, 'holder');
        const view = await service.start({
          kind,
          operationId: idempotentId(request, PAYMENT_PURPOSE),
          userId,
          walletAccountId,
          cardId: request.body.cardId,
          amountMinor: moneyOf(request.body.amount).amountMinor,
          confirmation: givenFactor(request.body.confirmation) ?? undefined,
        });
        return reply.code(view.status === 'succeeded' ? 201 : 202).send(fundingJson(view));
      },
    );
  }

  app.get(
    '/v1/me/funding/:id',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'A top-up, withdrawal or bank transfer with its status timeline',
          params: z.object({ id: z.uuid().meta({ description: 'The operation id.' }) }),
          response: { 200: fundingSchema, ...errorResponses(400, 401, 404) },
        },
      },
    ),
    async (request) => {
      const { userId } = principalOf(request, 'holder');
      return fundingJson(await service.get({ userId, id: request.params.id }));
    },
  );

  app.get(
    '/v1/operator/reconciliation',
    signedIn(
      app,
      { principal: 'operator', permission: 'reconciliation:read' },
      {
        schema: {
          tags: ['operator: reconciliation'],
          summary:
            "Compare the bank's settlement file of a day with our top-ups, withdrawals and bank transfers",
          querystring: z.object({ date: z.string().max(10) }),
          response: { 200: reconciliationSchema, ...ERRORS },
        },
      },
    ),
    async (request) => {
      const operator = principalOf(request, 'operator');
      const report = await options.reconcile(request.query.date);
      await options.operators.audit({
        operatorId: operator.id,
        action: 'funding.reconciliation_viewed',
        target: report.date,
        details: { mismatches: report.mismatches },
      });
      return reportJson(report);
    },
  );
  done();
};
