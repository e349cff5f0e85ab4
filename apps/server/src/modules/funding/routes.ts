import type { FastifyRequest } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponseSchema } from '../../errors.ts';
import { idempotentId } from '../../idempotency.ts';
import { HOLDER_SECURITY, requireHolder } from '../identity/index.ts';
import { OPERATOR_SECURITY, requireOperator } from '../operator/index.ts';
import type { OperatorService } from '../operator/index.ts';
import type { ConfirmationInput } from '../security/index.ts';
import type { ReconciliationReport } from './reconcile.ts';
import { reportJson } from './reconcile.ts';
import type { FundingService, FundingView } from './service.ts';

export interface FundingRoutesOptions {
  service: FundingService;
  reconcile: (date: string) => Promise<ReconciliationReport>;
  operators: Pick<OperatorService, 'audit'>;
  authenticateHolder: (request: FastifyRequest) => Promise<void>;
  authenticateOperator: (request: FastifyRequest) => Promise<void>;
}

const TAGS = ['funding: top-up and withdrawal'];
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
      "The holder's confirmation of this payment. For a passkey, get options from POST /v1/me/confirmations/options " +
      'with payment { id: <the operation id>, amount, currency: "CNY", payee: "card:<cardId>" }.',
  });

const fundingBody = z.object({
  cardId: z.uuid(),
  amount: amountInput,
  confirmation: confirmationSchema.optional(),
});

const timelineEntry = z.object({
  state: z.string(),
  status: z.enum(['processing', 'succeeded', 'failed']),
  at: z.string(),
  note: z.string().optional(),
});
const fundingSchema = z.object({
  id: z.string(),
  kind: z.enum(['top_up', 'withdrawal']),
  status: z.enum(['processing', 'succeeded', 'failed']),
  amount: money,
  fee: money,
  total: money.meta({
    description: 'What leaves the wallet (withdrawal: amount + fee) or enters it (top-up).',
  }),
  card: z.object({
    id: z.string(),
    maskedNumber: z.string(),
    last4: z.string(),
    bankCode: z.string(),
    bankName: z.object({ zh: z.string(), en: z.string() }),
  }),
  failure: z.object({ code: z.string(), details: z.record(z.string(), z.unknown()) }).nullable(),
  bankReference: z.string().nullable(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
  timeline: z.array(timelineEntry),
});

function fundingJson(view: FundingView): z.infer<typeof fundingSchema> {
  const of = (amount: bigint) => ({ amount: amount.toString(), currency: view.currency });
  return {
    id: view.id,
    kind: view.kind,
    status: view.status,
    amount: of(view.amountMinor),
    fee: of(view.feeMinor),
    total: of(view.amountMinor + (view.kind === 'withdrawal' ? view.feeMinor : 0n)),
    card: view.card,
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
        summary: 'The fee of a withdrawal, to show before the holder confirms',
        security: HOLDER_SECURITY,
        body: z.object({ cardId: z.uuid(), amount: amountInput }),
        response: {
          200: z.object({
            amount: money,
            fee: money,
            total: money,
            freeRemaining: money,
            arrives: z.string(),
          }),
          ...ERRORS,
        },
      },
    },
    async (request) => {
      const { userId } = requireHolder(request);
      const quote = await service.quoteWithdrawal({
        userId,
        cardId: request.body.cardId,
        amountMinor: BigInt(request.body.amount),
      });
      const of = (amount: bigint) => ({ amount: amount.toString(), currency: quote.currency });
      return {
        amount: of(quote.amountMinor),
        fee: of(quote.feeMinor),
        total: of(quote.totalMinor),
        freeRemaining: of(quote.freeRemainingMinor),
        arrives: quote.arrivesBy.toISOString(),
      };
    },
  );

  for (const [path, kind] of [
    ['/v1/me/top-ups', 'top_up'],
    ['/v1/me/withdrawals', 'withdrawal'],
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
          operationId: idempotentId(request, 'funding'),
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
        summary: 'A top-up or withdrawal with its status timeline',
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
        summary: "Compare the bank's settlement file of a day with our top-ups and withdrawals",
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
