/**
 * Settlement and statements of the merchants API (issue 12, "After the payment"): the owner names
 * a settlement card, settles on demand (the daily job settles T+1 by itself), follows its
 * settlements, and downloads the daily statement as JSON, CSV or PDF. docs/merchants.md.
 */
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, signedIn } from '../../auth/index.ts';
import { AppError } from '../../errors.ts';
import { idempotentId } from '../../idempotency.ts';
import { moneyInput, moneyJson, moneyOf, moneyOutput } from '../../http/money.ts';
import { IDEMPOTENCY_CODES, errorResponses, merchantApiErrors } from '../../http/responses.ts';
import { MAX_SETTLEMENT_MINOR, SETTLEMENT_CURRENCY } from './settlements.ts';
import type { SettlementCardView, SettlementService, SettlementView } from './settlements.ts';
import { statementCsv, statementPdf } from './statements.ts';
import type { Statement, Statements } from './statements.ts';

const TAGS = ['merchants'];
const ERRORS = errorResponses(400, 403, 404, 409, 422);

const cardSchema = z.object({
  id: z.string().meta({ description: 'The bound card id (GET /v1/me/cards).' }),
  maskedNumber: z.string().meta({ description: 'The card number, masked: `6222 **** **** 7894`.' }),
  last4: z.string().meta({ description: 'The last 4 digits.' }),
  bankCode: z.string().meta({ description: 'The issuing bank’s code, e.g. `ICBC`.' }),
  bankName: z
    .object({
      zh: z.string().meta({ description: 'In Chinese.' }),
      en: z.string().meta({ description: 'In English.' }),
    })
    .meta({ description: 'The issuing bank’s name.' }),
});

const cardJson = (card: SettlementCardView) => ({ ...card });

/** A settlement as the merchant API answers it (the OpenAPI document's example). */
const SETTLEMENT_EXAMPLE = {
  id: '0193a6f0-5e6f-7a80-9b1c-2d3e4f5a6b7c',
  trigger: 'on_demand',
  businessDate: null,
  status: 'succeeded',
  amount: { amount: '1254380', currency: 'CNY' },
  card: {
    id: '0193a0c2-3d4e-7f50-8a61-b2c3d4e5f607',
    maskedNumber: '6222 **** **** 7894',
    last4: '7894',
    bankCode: 'ICBC',
    bankName: { zh: '中国工商银行', en: 'Industrial and Commercial Bank of China' },
  },
  failure: null,
  bankReference: 'ICBC20261207180301442',
  createdAt: '2026-12-07T10:03:00.000Z',
  completedAt: '2026-12-07T10:03:01.000Z',
  timeline: [
    { state: 'created', status: 'processing', at: '2026-12-07T10:03:00.000Z' },
    { state: 'held', status: 'processing', at: '2026-12-07T10:03:00.000Z' },
    { state: 'bank_pending', status: 'processing', at: '2026-12-07T10:03:00.000Z' },
    { state: 'succeeded', status: 'succeeded', at: '2026-12-07T10:03:01.000Z' },
  ],
} as const;

const settlementSchema = z.object({
  id: z.string().meta({ description: 'The settlement id.' }),
  trigger: z.enum(['on_demand', 'daily']).meta({
    description:
      '`on_demand` (POST /v1/me/merchant/settlements) or `daily` (the T+1 job at 02:00 Asia/Shanghai).',
  }),
  businessDate: z
    .string()
    .nullable()
    .meta({ description: 'The day a daily settlement settled (YYYY-MM-DD, Asia/Shanghai); null on demand.' }),
  status: z.enum(['processing', 'succeeded', 'failed']).meta({
    description:
      '`processing` until the bank answers (poll GET /v1/me/merchant/settlements/:id), then `succeeded` ' +
      '(the money is on the card) or `failed` (`failure`; the money is back in the balance).',
  }),
  amount: moneyOutput.meta({ description: 'The amount paid out of the balance to the card.' }),
  card: cardSchema.meta({ description: 'The settlement card it was paid to.' }),
  failure: z
    .object({
      code: z.string().meta({ description: 'The error code (docs/api/errors.md).' }),
      details: z
        .record(z.string(), z.unknown())
        .meta({ description: 'As the error answers it, e.g. `reason`.' }),
    })
    .nullable()
    .meta({ description: 'Why it failed; null unless `failed`.' }),
  bankReference: z.string().nullable().meta({ description: "The bank's reference, once the bank answered." }),
  createdAt: z.string().meta({ description: 'When it started (ISO 8601).' }),
  completedAt: z.string().nullable().meta({ description: 'When it succeeded or failed (ISO 8601).' }),
  timeline: z
    .array(
      z.object({
        state: z
          .enum(['created', 'held', 'bank_pending', 'voiding', 'succeeded', 'failed'])
          .meta({ description: 'The step reached.' }),
        status: z.enum(['processing', 'succeeded', 'failed']).meta({ description: 'The status it meant.' }),
        at: z.string().meta({ description: 'When (ISO 8601).' }),
        note: z.string().optional().meta({ description: 'Why, for failures and recoveries (a code).' }),
      }),
    )
    .meta({ description: 'Every step, in order.' }),
});

const settlementJson = (view: SettlementView) => ({
  id: view.id,
  trigger: view.trigger,
  businessDate: view.businessDate,
  status: view.status,
  amount: moneyJson(view.amountMinor, view.currency),
  card: view.card,
  failure: view.failure,
  bankReference: view.bankReference,
  createdAt: view.createdAt.toISOString(),
  completedAt: view.completedAt?.toISOString() ?? null,
  timeline: view.timeline.map((entry) => ({
    state: entry.state,
    status: entry.status,
    at: entry.at,
    ...(entry.note ? { note: entry.note } : {}),
  })),
});

const at = z.string().meta({ description: 'When it was posted (ISO 8601).' });
const statementSchema = z
  .object({
    merchant: z
      .object({
        id: z.string().meta({ description: 'The merchant id.' }),
        name: z.string().meta({ description: 'The merchant’s name.' }),
      })
      .meta({ description: 'Whose statement it is.' }),
    date: z.string().meta({ description: 'The day (YYYY-MM-DD, Asia/Shanghai).' }),
    openingBalance: moneyOutput.meta({ description: 'The balance at the start of the day.' }),
    closingBalance: moneyOutput.meta({ description: 'The balance at the end of the day (or now, today).' }),
    payments: z
      .array(
        z.object({
          at,
          merchantOrderId: z.string().meta({ description: 'The order paid.' }),
          payer: z.string().meta({ description: 'Who paid, masked (`*明`).' }),
          amount: moneyOutput.meta({ description: 'What the payer paid.' }),
          fee: moneyOutput.meta({ description: 'The discount rate taken.' }),
          net: moneyOutput.meta({ description: 'What reached the balance: amount − fee.' }),
        }),
      )
      .meta({ description: 'The payments of the day, in order.' }),
    refunds: z
      .array(
        z.object({
          at,
          merchantRefundId: z.string().meta({ description: 'The merchant’s refund number.' }),
          merchantOrderId: z.string().meta({ description: 'The order refunded.' }),
          amount: moneyOutput.meta({ description: 'What the payer got back.' }),
          feeReturned: moneyOutput.meta({ description: 'The part of the fee the refund returned.' }),
          net: moneyOutput.meta({ description: 'What left the balance: amount − fee returned.' }),
        }),
      )
      .meta({ description: 'The refunds of the day, in order.' }),
    settlements: z
      .array(
        z.object({
          at,
          settlementId: z.string().meta({ description: 'The settlement id.' }),
          cardLast4: z.string().meta({ description: 'The last 4 digits of the card paid.' }),
          amount: moneyOutput.meta({ description: 'What left the balance to the card.' }),
        }),
      )
      .meta({ description: 'The settlements posted that day, in order.' }),
    others: z
      .array(
        z.object({
          at,
          transferId: z.string().meta({ description: 'The ledger transfer.' }),
          code: z.number().int().meta({ description: 'The ledger transfer code.' }),
          amount: moneyOutput.meta({ description: 'Signed: positive into the balance.' }),
        }),
      )
      .meta({ description: 'Any other movement of the balance (an operator’s correction), in order.' }),
    totals: z
      .object({
        payments: moneyOutput.meta({ description: 'Sum of the payments.' }),
        fees: moneyOutput.meta({ description: 'Sum of their fees.' }),
        refunds: moneyOutput.meta({ description: 'Sum of the refunds.' }),
        feesReturned: moneyOutput.meta({ description: 'Sum of the fees the refunds returned.' }),
        settlements: moneyOutput.meta({ description: 'Sum of the settlements.' }),
        others: moneyOutput.meta({ description: 'Sum of the other movements (signed).' }),
        net: moneyOutput.meta({ description: 'Closing − opening balance.' }),
      })
      .meta({ description: 'The day’s totals.' }),
  })
  .meta({
    description:
      'The statement in the format asked for: this JSON (`format=json`), or its CSV (`text/csv`, UTF-8 with a ' +
      'BOM) or PDF (`application/pdf`) rendering.',
    examples: [
      {
        merchant: { id: '0193a400-0000-7000-8000-00000000c0de', name: '李记面馆' },
        date: '2026-12-07',
        openingBalance: { amount: '120000', currency: 'CNY' },
        closingBalance: { amount: '122783', currency: 'CNY' },
        payments: [
          {
            at: '2026-12-07T04:12:09.000Z',
            merchantOrderId: 'A-1001',
            payer: '*明',
            amount: { amount: '3800', currency: 'CNY' },
            fee: { amount: '23', currency: 'CNY' },
            net: { amount: '3777', currency: 'CNY' },
          },
        ],
        refunds: [
          {
            at: '2026-12-07T05:01:30.000Z',
            merchantRefundId: 'R-1001-1',
            merchantOrderId: 'A-1001',
            amount: { amount: '1000', currency: 'CNY' },
            feeReturned: { amount: '6', currency: 'CNY' },
            net: { amount: '994', currency: 'CNY' },
          },
        ],
        settlements: [],
        others: [],
        totals: {
          payments: { amount: '3800', currency: 'CNY' },
          fees: { amount: '23', currency: 'CNY' },
          refunds: { amount: '1000', currency: 'CNY' },
          feesReturned: { amount: '6', currency: 'CNY' },
          settlements: { amount: '0', currency: 'CNY' },
          others: { amount: '0', currency: 'CNY' },
          net: { amount: '2783', currency: 'CNY' },
        },
      },
    ],
  });

/** The statement as JSON; `others` amounts are signed. */
const statementJson = (statement: Statement) => {
  const m = (minor: bigint) => moneyJson(minor, statement.currency);
  const { totals } = statement;
  return {
    merchant: statement.merchant,
    date: statement.date,
    openingBalance: m(statement.openingBalanceMinor),
    closingBalance: m(statement.closingBalanceMinor),
    payments: statement.payments.map((line) => ({
      at: line.at.toISOString(),
      merchantOrderId: line.merchantOrderId,
      payer: line.payer,
      amount: m(line.amountMinor),
      fee: m(line.feeMinor),
      net: m(line.netMinor),
    })),
    refunds: statement.refunds.map((line) => ({
      at: line.at.toISOString(),
      merchantRefundId: line.merchantRefundId,
      merchantOrderId: line.merchantOrderId,
      amount: m(line.amountMinor),
      feeReturned: m(line.feeReturnedMinor),
      net: m(line.netMinor),
    })),
    settlements: statement.settlements.map((line) => ({
      at: line.at.toISOString(),
      settlementId: line.settlementId,
      cardLast4: line.cardLast4,
      amount: m(line.amountMinor),
    })),
    others: statement.others.map((line) => ({
      at: line.at.toISOString(),
      transferId: line.transferId,
      code: line.code,
      amount: m(line.amountMinor),
    })),
    totals: {
      payments: m(totals.paymentsMinor),
      fees: m(totals.feesMinor),
      refunds: m(totals.refundsMinor),
      feesReturned: m(totals.feesReturnedMinor),
      settlements: m(totals.settlementsMinor),
      others: m(totals.othersMinor),
      net: m(totals.netMinor),
    },
  };
};

export const settlementRoutes: FastifyPluginCallbackZod<{
  settlements: SettlementService;
  statements: Statements;
}> = (app, { settlements, statements }, done) => {
  app.put(
    '/v1/me/merchant/settlement-card',
    signedIn(
      app,
      { principal: 'merchantStaff', permission: 'merchant:manage' },
      {
        schema: {
          tags: TAGS,
          summary: "Name the card my merchant's takings are settled to",
          description:
            'One of your own bound, active debit cards (CARD_NOT_FOUND otherwise; SETTLEMENT_CARD_INVALID ' +
            'for a credit card). The daily job and on-demand settlements pay to it from then on.',
          body: z.strictObject({
            cardId: z.string().max(64).meta({ description: 'A card of GET /v1/me/cards.' }),
          }),
          response: { 200: cardSchema, ...ERRORS },
        },
      },
    ),
    async (request) =>
      cardJson(
        await settlements.setSettlementCard({
          merchantId: principalOf(request, 'merchantStaff').merchantId,
          cardId: request.body.cardId,
        }),
      ),
  );

  app.get(
    '/v1/me/merchant/settlement-card',
    signedIn(
      app,
      { principal: 'merchantStaff', permission: 'payouts:create' },
      {
        schema: {
          tags: TAGS,
          summary: "My merchant's settlement card (409 SETTLEMENT_CARD_REQUIRED when none)",
          response: { 200: cardSchema, ...ERRORS },
        },
      },
    ),
    async (request) => {
      const card = await settlements.settlementCard(principalOf(request, 'merchantStaff').merchantId);
      if (!card) throw new AppError('SETTLEMENT_CARD_REQUIRED');
      return cardJson(card);
    },
  );

  app.post(
    '/v1/me/merchant/settlements',
    signedIn(
      app,
      { principal: 'merchant', permission: 'payouts:create' },
      {
        config: { idempotent: true },
        schema: {
          tags: TAGS,
          operationId: 'createSettlement',
          summary: "Settle my merchant's balance to the settlement card now",
          description:
            'Needs an Idempotency-Key. Without `amount`, the whole available balance (at most ¥1,000,000.00 ' +
            'at a time). 201 `succeeded`; 202 `processing` (the bank has not answered: poll GET ' +
            '/v1/me/merchant/settlements/:id). SETTLEMENT_CARD_REQUIRED, SETTLEMENT_NOTHING_TO_SETTLE, ' +
            'SETTLEMENT_EXCEEDS_BALANCE (`details.available`), SETTLEMENT_IN_PROGRESS, SETTLEMENT_DECLINED ' +
            '(`details.reason`), BANK_UNAVAILABLE — each failure with `details.settlementId` once started.',
          body: z
            .strictObject({
              amount: moneyInput({
                max: MAX_SETTLEMENT_MINOR,
                currencies: [SETTLEMENT_CURRENCY],
                description:
                  'How much to settle, at most the available balance; omit it to settle all of it.',
              }).optional(),
            })
            .meta({
              description: 'Empty to settle the whole balance.',
              examples: [{ amount: { amount: '1254380', currency: 'CNY' } }],
            }),
          response: {
            201: settlementSchema.meta({
              description: 'Paid to the card: the settlement `succeeded`.',
              examples: [SETTLEMENT_EXAMPLE],
            }),
            202: settlementSchema.meta({
              description: 'The bank has not answered yet (`processing`): poll it.',
              examples: [
                {
                  ...SETTLEMENT_EXAMPLE,
                  status: 'processing',
                  bankReference: null,
                  completedAt: null,
                  timeline: SETTLEMENT_EXAMPLE.timeline.slice(0, 3),
                },
              ],
            }),
            ...merchantApiErrors('POST', [
              ...IDEMPOTENCY_CODES,
              'MERCHANT_NOT_ACTIVE',
              'SETTLEMENT_CARD_REQUIRED',
              'SETTLEMENT_NOTHING_TO_SETTLE',
              'SETTLEMENT_EXCEEDS_BALANCE',
              'SETTLEMENT_IN_PROGRESS',
              'SETTLEMENT_DECLINED',
              'SETTLEMENT_INTERRUPTED',
              'BANK_UNAVAILABLE',
              'OVERLOADED',
            ]),
          },
        },
      },
    ),
    async (request, reply) => {
      const view = await settlements.settle({
        merchantId: principalOf(request, 'merchant').merchantId,
        settlementId: idempotentId(request, 'merchant-settlement'),
        amountMinor: request.body.amount ? moneyOf(request.body.amount).amountMinor : null,
      });
      return reply.code(view.status === 'succeeded' ? 201 : 202).send(settlementJson(view));
    },
  );

  app.get(
    '/v1/me/merchant/settlements',
    signedIn(
      app,
      { principal: 'merchant', permission: 'payouts:create' },
      {
        schema: {
          tags: TAGS,
          operationId: 'listSettlements',
          summary: "My merchant's settlements, newest first",
          description:
            'Pages of `limit`, newest first: for the next page pass the last `createdAt` as `before` (fewer than ' +
            '`limit` answered: no more). The daily T+1 settlements are here too (`trigger: daily`).',
          querystring: z.object({
            limit: z.coerce
              .number()
              .int()
              .min(1)
              .max(100)
              .default(20)
              .meta({ description: 'At most this many (1–100, default 20).' }),
            before: z.string().datetime({ offset: true }).optional().meta({
              description: 'Only those started before this instant (the last `createdAt` of a page).',
            }),
          }),
          response: {
            200: z
              .object({
                settlements: z.array(settlementSchema).meta({ description: 'Newest first.' }),
              })
              .meta({
                description: 'A page of settlements.',
                examples: [{ settlements: [SETTLEMENT_EXAMPLE] }],
              }),
            ...merchantApiErrors('GET', []),
          },
        },
      },
    ),
    async (request) => ({
      settlements: (
        await settlements.list({
          merchantId: principalOf(request, 'merchant').merchantId,
          limit: request.query.limit,
          before: request.query.before ? new Date(request.query.before) : null,
        })
      ).map(settlementJson),
    }),
  );

  app.get(
    '/v1/me/merchant/settlements/:id',
    signedIn(
      app,
      { principal: 'merchant', permission: 'payouts:create' },
      {
        schema: {
          tags: TAGS,
          operationId: 'getSettlement',
          summary: 'One settlement, with its steps',
          description:
            'Poll a `processing` settlement until it is `succeeded` or `failed` (the `settlement.paid` and ' +
            '`settlement.failed` webhooks say so too). SETTLEMENT_NOT_FOUND for an id not of this merchant.',
          params: z.object({ id: z.string().max(64).meta({ description: 'The settlement id.' }) }),
          response: {
            200: settlementSchema.meta({
              description: 'The settlement as it stands.',
              examples: [SETTLEMENT_EXAMPLE],
            }),
            ...merchantApiErrors('GET', ['SETTLEMENT_NOT_FOUND']),
          },
        },
      },
    ),
    async (request) =>
      settlementJson(
        await settlements.get({
          merchantId: principalOf(request, 'merchant').merchantId,
          id: request.params.id,
        }),
      ),
  );

  app.get(
    '/v1/me/merchant/statements/:date',
    signedIn(
      app,
      { principal: 'merchant', permission: 'orders:read' },
      {
        schema: {
          tags: TAGS,
          operationId: 'getStatement',
          summary: "My merchant's daily statement (JSON, CSV or PDF)",
          description:
            'Every payment, refund and settlement that moved the balance that day (Asia/Shanghai), with ' +
            'fees, totals and the opening and closing balance, read from the ledger. `format=csv` is UTF-8 ' +
            'with a BOM (Excel opens it), `format=pdf` a printable PDF. STATEMENT_DATE_INVALID for a day ' +
            'before the merchant opened or after today.',
          params: z.object({
            date: z
              .string()
              .regex(/^\d{4}-\d{2}-\d{2}$/)
              .meta({ description: 'The calendar day, YYYY-MM-DD (Asia/Shanghai).' }),
          }),
          querystring: z.object({
            format: z
              .enum(['json', 'csv', 'pdf'])
              .default('json')
              .meta({ description: '`json` (default), `csv` or `pdf`.' }),
          }),
          produces: ['application/json', 'text/csv', 'application/pdf'],
          response: {
            200: statementSchema,
            ...merchantApiErrors('GET', [
              'MERCHANT_NOT_FOUND',
              'STATEMENT_DATE_INVALID',
              'STATEMENT_TOO_LARGE',
            ]),
          },
        },
      },
    ),
    async (request, reply) => {
      const statement = await statements.of({
        merchantId: principalOf(request, 'merchant').merchantId,
        date: request.params.date,
      });
      const name = `qianbao-statement-${statement.date}`;
      reply.header('cache-control', 'private, no-store');
      if (request.query.format === 'csv') {
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}.csv"`)
          .send(statementCsv(statement));
      }
      if (request.query.format === 'pdf') {
        return reply
          .header('content-type', 'application/pdf')
          .header('content-disposition', `attachment; filename="${name}.pdf"`)
          .send(await statementPdf(statement));
      }
      return reply.send(statementJson(statement));
    },
  );

  done();
};
