import type { FastifyRequest } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { money as moneyOf, toJson } from '@qianbao/money';
import { errorResponseSchema } from '../../errors.ts';
import { idempotentId, idempotentIdOfHolder } from '../../idempotency.ts';
import { HOLDER_SECURITY, requireHolder } from '../identity/index.ts';
import { OPERATOR_SECURITY, requireOperator } from '../operator/index.ts';
import type { OperatorService } from '../operator/index.ts';
import type { ConfirmationInput } from '../security/index.ts';
import type { ReconciliationReport } from './reconcile.ts';
import { reportJson } from './reconcile.ts';
import type { ConfirmationPlan, FundingPayment, FundingService, FundingView } from './service.ts';

export interface FundingRoutesOptions {
  service: FundingService;
  reconcile: (date: string) => Promise<ReconciliationReport>;
  operators: Pick<OperatorService, 'audit'>;
  authenticateHolder: (request: FastifyRequest) => Promise<void>;
  authenticateOperator: (request: FastifyRequest) => Promise<void>;
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
const ERRORS = {
  400: errorResponseSchema,
  401: errorResponseSchema,
  403: errorResponseSchema,
  404: errorResponseSchema,
  409: errorResponseSchema,
  422: errorResponseSchema,
  423: errorResponseSchema,
  429: errorResponseSchema,
  503: errorResponseSchema,
};

const money = z.object({
  amount: z.string().meta({ description: 'Integer minor units (fen), as a string.', example: '10000' }),
  currency: z.string().meta({ example: 'CNY' }),
});
const amountInput = z
  .string()
  .regex(/^[1-9]\d{0,14}$/, 'a whole number of fen, as a string')
  .meta({ description: 'Integer minor units (fen) of CNY, as a string.', example: '10000' });

/** One factor: `{ pin }`, `{ passkeyResponse }` (from startAuthentication) or `{ totpCode }`. */
const confirmationSchema = z
  .union([
    z.object({ pin: z.string().max(16) }).strict(),
    z.object({ totpCode: z.string().max(16) }).strict(),
    z.object({ passkeyResponse: z.looseObject({}) }).strict(),
  ])
  .meta({
    description:
      "The holder's confirmation of this payment. For a passkey, send the Idempotency-Key you will use as " +
      '`idempotencyKey` to the quote, and pass its `payment` to POST /v1/me/confirmations/options.',
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

const factorEnum = z.enum(['none', 'pin', 'passkey', 'totp']);
const confirmationPlanSchema = z
  .object({ factor: factorEnum, accepted: z.array(factorEnum), reason: z.string() })
  .meta({ description: 'How to confirm: the factor to ask for first and every factor accepted.' });
const paymentSchema = z
  .object({ id: z.string(), amount: z.string(), currency: z.string(), payee: z.string() })
  .nullable()
  .meta({
    description:
      'Given `idempotencyKey`: the payment to send to POST /v1/me/confirmations/options to bind a passkey.',
  });

/** Why the operation would be refused if confirmed now: the shape of an error body's `error`. */
const refusalSchema = z
  .object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()) })
  .nullable()
  .meta({
    description:
      'Null when nothing known now refuses the operation. Otherwise what the operation itself would answer: ' +
      'LIMIT_EXCEEDED (details.limit single or daily, max, remaining), INSUFFICIENT_FUNDS (details.available), ' +
      'PAYEE_BALANCE_CAP_EXCEEDED (a top-up past the wallet cap: details.own, cap, remaining). Do not ask for ' +
      'the PIN then. The ledger still decides when the money moves.',
  });

function planJson(plan: ConfirmationPlan) {
  return { factor: plan.factor, accepted: plan.accepted, reason: plan.reason };
}

function paymentJson(payment: FundingPayment | null) {
  return (
    payment && {
      id: payment.id,
      amount: payment.amountMinor.toString(),
      currency: payment.currency,
      payee: payment.payee,
    }
  );
}

const bankAccountFields = {
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

const fundingBody = z.object({
  cardId: z.uuid(),
  amount: amountInput,
  confirmation: confirmationSchema.optional(),
});

const statusEnum = z.enum(['processing', 'succeeded', 'failed', 'refunded']).meta({
  description:
    '`processing` until the bank answers; `refunded`: a bank transfer whose money was held and given back.',
});
const timelineEntry = z.object({
  state: z.string(),
  status: statusEnum,
  at: z.string(),
  note: z.string().optional(),
});
const accountSchema = z.object({
  maskedNumber: z.string().meta({ example: '**** 7894' }),
  last4: z.string(),
  bankCode: z.string(),
  bankName: z.object({ zh: z.string(), en: z.string() }),
  name: z.string().meta({ description: "The account holder's name, masked.", example: '*明' }),
});
const fundingSchema = z.object({
  id: z.string(),
  kind: z.enum(['top_up', 'withdrawal', 'bank_transfer']),
  status: statusEnum,
  amount: money,
  fee: money,
  total: money.meta({
    description: 'What leaves the wallet (withdrawal, bank transfer: amount + fee) or enters it (top-up).',
  }),
  card: z
    .object({
      id: z.string(),
      maskedNumber: z.string(),
      last4: z.string(),
      bankCode: z.string(),
      bankName: z.object({ zh: z.string(), en: z.string() }),
    })
    .nullable()
    .meta({ description: 'Top-up and withdrawal: the bound card. Null for a bank transfer.' }),
  account: accountSchema
    .nullable()
    .meta({ description: 'Bank transfer: the account, masked. Null otherwise.' }),
  note: z.string().nullable(),
  failure: z.object({ code: z.string(), details: z.record(z.string(), z.unknown()) }).nullable(),
  bankReference: z.string().nullable(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
  timeline: z.array(timelineEntry),
});

function fundingJson(view: FundingView): z.infer<typeof fundingSchema> {
  const of = (amount: bigint) => toJson(moneyOf(amount, view.currency));
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
  const { service, authenticateHolder, authenticateOperator } = options;

  app.post(
    '/v1/me/withdrawals/quote',
    {
      onRequest: authenticateHolder,
      schema: {
        tags: TAGS,
        summary: 'The fee of a withdrawal and how to confirm it, to show before the holder confirms',
        security: HOLDER_SECURITY,
        body: z.object({ cardId: z.uuid(), amount: amountInput, idempotencyKey: idempotencyKeyInput }),
        response: {
          200: z.object({
            amount: money,
            fee: money,
            total: money,
            freeRemaining: money,
            arrives: z.string(),
            confirmation: confirmationPlanSchema,
            payment: paymentSchema,
            refusal: refusalSchema,
          }),
          ...ERRORS,
        },
      },
    },
    async (request) => {
      const { userId, walletAccountId } = requireHolder(request);
      const { body } = request;
      const quote = await service.quoteWithdrawal({
        userId,
        walletAccountId,
        cardId: body.cardId,
        amountMinor: BigInt(body.amount),
        paymentId: quotedPaymentId(userId, WITHDRAWAL_URL, body.idempotencyKey),
      });
      const of = (amount: bigint) => toJson(moneyOf(amount, quote.currency));
      return {
        amount: of(quote.amountMinor),
        fee: of(quote.feeMinor),
        total: of(quote.totalMinor),
        freeRemaining: of(quote.freeRemainingMinor),
        arrives: quote.arrivesBy.toISOString(),
        confirmation: planJson(quote.confirmation),
        payment: paymentJson(quote.payment),
        refusal: quote.refusal,
      };
    },
  );

  app.post(
    '/v1/me/top-ups/quote',
    {
      onRequest: authenticateHolder,
      schema: {
        tags: TAGS,
        summary:
          'Before a top-up: the total and how to confirm it (with `idempotencyKey`, the payment to sign)',
        security: HOLDER_SECURITY,
        body: z.object({ cardId: z.uuid(), amount: amountInput, idempotencyKey: idempotencyKeyInput }),
        response: {
          200: z.object({
            amount: money,
            fee: money,
            total: money,
            confirmation: confirmationPlanSchema,
            payment: paymentSchema,
            refusal: refusalSchema,
          }),
          ...ERRORS,
        },
      },
    },
    async (request) => {
      const { userId, walletAccountId } = requireHolder(request);
      const { body } = request;
      const quote = await service.quoteTopUp({
        userId,
        walletAccountId,
        cardId: body.cardId,
        amountMinor: BigInt(body.amount),
        paymentId: quotedPaymentId(userId, TOP_UP_URL, body.idempotencyKey),
      });
      const of = (amount: bigint) => toJson(moneyOf(amount, quote.currency));
      return {
        amount: of(quote.amountMinor),
        fee: of(quote.feeMinor),
        total: of(quote.totalMinor),
        confirmation: planJson(quote.confirmation),
        payment: paymentJson(quote.payment),
        refusal: quote.refusal,
      };
    },
  );

  app.post(
    `${BANK_TRANSFER_URL}/quote`,
    {
      onRequest: authenticateHolder,
      schema: {
        tags: TAGS,
        summary:
          'Before a transfer to a bank account: the fee, the total, the account as shown, how to confirm',
        description:
          'Refuses BANK_CODE_UNKNOWN, BANK_ACCOUNT_NUMBER_INVALID (details.reason `format` or `checksum`), ' +
          'ACCOUNT_NAME_INVALID, FUNDING_AMOUNT_INVALID, KYC_TIER_TOO_LOW (T0); `refusal` says what would refuse ' +
          'the transfer if confirmed now (the single or daily limit, the wallet balance short of amount + fee). ' +
          'Send the Idempotency-Key you will use as `idempotencyKey` to get `payment` for a passkey.',
        security: HOLDER_SECURITY,
        body: z.object({ ...bankAccountFields, amount: amountInput, idempotencyKey: idempotencyKeyInput }),
        response: {
          200: z.object({
            amount: money,
            fee: money,
            total: money.meta({ description: 'What leaves the wallet: amount + fee.' }),
            arrives: z.string().meta({ description: 'By when the money reaches the account (ISO time).' }),
            account: accountSchema,
            confirmation: confirmationPlanSchema,
            payment: paymentSchema,
            refusal: refusalSchema,
          }),
          ...ERRORS,
        },
      },
    },
    async (request) => {
      const { userId, walletAccountId } = requireHolder(request);
      const { body } = request;
      const quote = await service.quoteBankTransfer({
        userId,
        walletAccountId,
        account: {
          bankCode: body.bankCode,
          accountNumber: body.accountNumber,
          accountName: body.accountName,
        },
        amountMinor: BigInt(body.amount),
        paymentId: quotedPaymentId(userId, BANK_TRANSFER_URL, body.idempotencyKey),
      });
      const of = (amount: bigint) => toJson(moneyOf(amount, quote.currency));
      return {
        amount: of(quote.amountMinor),
        fee: of(quote.feeMinor),
        total: of(quote.totalMinor),
        arrives: quote.arrivesBy.toISOString(),
        account: quote.account,
        confirmation: planJson(quote.confirmation),
        payment: paymentJson(quote.payment),
        refusal: quote.refusal,
      };
    },
  );

  app.post(
    BANK_TRANSFER_URL,
    {
      onRequest: authenticateHolder,
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
        security: HOLDER_SECURITY,
        body: z.object({
          ...bankAccountFields,
          amount: amountInput,
          note: z.string().trim().max(50).optional().meta({
            description: 'For the holder (history, receipt); at most 50 characters. Not sent to the bank.',
          }),
          confirmation: confirmationSchema.optional(),
        }),
        response: { 201: fundingSchema, 202: fundingSchema, ...ERRORS },
      },
    },
    async (request, reply) => {
      const { userId, walletAccountId } = requireHolder(request);
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
        amountMinor: BigInt(body.amount),
        note: body.note ? body.note : null,
        confirmation: body.confirmation as ConfirmationInput | undefined,
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
      {
        onRequest: authenticateHolder,
        config: { idempotent: true },
        schema: {
          tags: TAGS,
          summary: kind === 'top_up' ? 'Top up the wallet from a bound card' : 'Withdraw to a bound card',
          description:
            'Needs an Idempotency-Key and a confirmation (PIN, passkey or TOTP). 201 when done; 202 while the ' +
            "bank's answer is pending (poll GET /v1/me/funding/:id). The operation id is in `id`; a failure's " +
            'details carry `fundingId`.',
          security: HOLDER_SECURITY,
          body: fundingBody,
          response: { 201: fundingSchema, 202: fundingSchema, ...ERRORS },
        },
      },
      async (request, reply) => {
        const { userId, walletAccountId } = requireHolder(request);
        const view = await service.start({
          kind,
          operationId: idempotentId(request, PAYMENT_PURPOSE),
          userId,
          walletAccountId,
          cardId: request.body.cardId,
          amountMinor: BigInt(request.body.amount),
          confirmation: request.body.confirmation as ConfirmationInput | undefined,
        });
        return reply.code(view.status === 'succeeded' ? 201 : 202).send(fundingJson(view));
      },
    );
  }

  app.get(
    '/v1/me/funding/:id',
    {
      onRequest: authenticateHolder,
      schema: {
        tags: TAGS,
        summary: 'A top-up, withdrawal or bank transfer with its status timeline',
        security: HOLDER_SECURITY,
        params: z.object({ id: z.uuid() }),
        response: { 200: fundingSchema, 401: errorResponseSchema, 404: errorResponseSchema },
      },
    },
    async (request) => {
      const { userId } = requireHolder(request);
      return fundingJson(await service.get({ userId, id: request.params.id }));
    },
  );

  app.get(
    '/v1/operator/reconciliation',
    {
      onRequest: authenticateOperator,
      schema: {
        tags: ['operator: reconciliation'],
        summary:
          "Compare the bank's settlement file of a day with our top-ups, withdrawals and bank transfers",
        security: OPERATOR_SECURITY,
        querystring: z.object({ date: z.string().max(10) }),
        response: { 200: reconciliationSchema, ...ERRORS },
      },
    },
    async (request) => {
      const operator = requireOperator(request, ['finance']);
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
