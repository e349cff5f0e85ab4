import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { formatDecimal } from '@qianbao/money';
import { principalOf, signedIn } from '../../auth/index.ts';
import { minorUnitsInput, moneyJson, moneyOutput } from '../../http/money.ts';
import { errorResponses } from '../../http/responses.ts';
import { isCalendarDate, shanghaiDay } from '../../platform/calendar.ts';
import { receiptPdf } from './receipt-pdf.ts';
import { MAX_HISTORY_PAGE } from './service.ts';
import type { HistoryService, TimelineEntry, Transaction } from './service.ts';

export interface HistoryRoutesOptions {
  service: HistoryService;
}

const TAGS = ['history'];
const ERRORS_4XX = errorResponses(400, 401, 404);

// A filter bound in a query string: minor units of the wallet's currency; 0 is a bound too.
const minorInput = minorUnitsInput({ min: 0n });
const dateInput = z.iso.datetime({ offset: true }).or(z.iso.date());

const transactionSchema = z.object({
  id: z.string().meta({ description: 'The ledger transfer id.' }),
  type: z
    .string()
    .meta({ description: '`transfer`, `payment_request`, … or `other` (see docs/transfers.md).' }),
  label: z
    .object({
      'zh-CN': z.string().meta({ description: 'In Chinese.', example: '转账' }),
      en: z.string().meta({ description: 'In English.', example: 'Transfer' }),
    })
    .meta({ description: 'What the movement is, to show.' }),
  direction: z.enum(['in', 'out']).meta({ description: 'Money into the wallet or out of it.' }),
  amount: moneyOutput.meta({ description: 'The amount moved, always positive; `direction` gives the sign.' }),
  status: z.enum(['succeeded', 'pending', 'released']).meta({
    description: '`pending` while money is on hold; `released` when a hold was given back.',
  }),
  counterparty: z
    .object({ displayName: z.string().meta({ description: 'Masked name or number.', example: '*明' }) })
    .nullable()
    .meta({ description: 'The other side, when there is one.' }),
  note: z.string().nullable().meta({ description: 'The note of the payment, if any.' }),
  ledgerCode: z.number().int().meta({ description: 'The transfer code in the ledger (docs/ledger.md).' }),
  pendingId: z.string().nullable().meta({ description: 'The hold this posts or releases, if any.' }),
  paymentRequestId: z.string().nullable().meta({ description: 'The payment request it paid, if any.' }),
  fundingId: z.string().nullable().meta({
    description:
      'A transfer to a bank account: its operation, with the status timeline at GET /v1/me/funding/:id.',
  }),
  createdAt: z.string().meta({ description: 'When it happened (ISO 8601).' }),
});

function transactionJson(transaction: Transaction): z.infer<typeof transactionSchema> {
  return {
    id: transaction.id,
    type: transaction.type,
    label: transaction.label,
    direction: transaction.direction,
    amount: moneyJson(transaction.amountMinor, transaction.currency),
    status: transaction.status,
    counterparty: transaction.counterparty,
    note: transaction.note,
    ledgerCode: transaction.ledgerCode,
    pendingId: transaction.pendingId,
    paymentRequestId: transaction.paymentRequestId,
    fundingId: transaction.fundingId,
    createdAt: transaction.createdAt.toISOString(),
  };
}

const timelineSchema = z
  .array(
    z.object({
      status: z.enum(['pending', 'succeeded', 'released']).meta({ description: 'The status from then on.' }),
      at: z.string().meta({ description: 'When (ISO 8601).' }),
      ledgerTransferId: z.string().meta({ description: 'The ledger transfer of this step.' }),
    }),
  )
  .meta({ description: 'Every step, oldest first.' });

function timelineJson(timeline: TimelineEntry[]): z.infer<typeof timelineSchema> {
  return timeline.map((entry) => ({ ...entry, at: entry.at.toISOString() }));
}

/** `2026-11-21` alone means the whole day in Asia/Shanghai (from its start, to its end). */
function dateOf(value: string | undefined, end: boolean): Date | undefined {
  if (value === undefined) return undefined;
  if (isCalendarDate(value)) {
    const day = shanghaiDay(value);
    return end ? new Date(day.to.getTime() - 1) : day.from;
  }
  return new Date(value);
}

export const historyRoutes: FastifyPluginCallbackZod<HistoryRoutesOptions> = (app, options, done) => {
  const { service } = options;
  const params = z.object({ id: z.string().max(64).meta({ description: 'The ledger transfer id.' }) });

  app.get(
    '/v1/me/transactions',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Every movement of my wallet, newest first, with filters and cursor paging',
          description:
            '`from`/`to`: ISO date-times, or dates (a whole day in Asia/Shanghai). `counterparty`: a mobile number, ' +
            'or text of the masked name. `q`: text in the note, name or label. A page holds `limit` items ' +
            'whenever that many match; `nextCursor` is null on the last page.',
          querystring: z.object({
            type: z.string().max(32).optional().meta({ description: 'Only this `type` of movement.' }),
            direction: z.enum(['in', 'out']).optional().meta({ description: 'Only money in, or only out.' }),
            from: dateInput.optional().meta({ description: 'From this time or day (inclusive).' }),
            to: dateInput.optional().meta({ description: 'Up to this time or day (inclusive).' }),
            minAmount: minorInput.optional().meta({ description: 'At least this amount, in fen (CNY).' }),
            maxAmount: minorInput.optional().meta({ description: 'At most this amount, in fen (CNY).' }),
            counterparty: z
              .string()
              .min(1)
              .max(32)
              .optional()
              .meta({ description: 'A mobile number, or text of the masked name.' }),
            q: z.string().min(1).max(50).optional().meta({ description: 'Text in the note, name or label.' }),
            cursor: z.string().max(32).optional().meta({ description: '`nextCursor` of the previous page.' }),
            limit: z.coerce
              .number()
              .int()
              .min(1)
              .max(MAX_HISTORY_PAGE)
              .default(20)
              .meta({ description: `At most this many (1–${MAX_HISTORY_PAGE}; 20 by default).` }),
          }),
          response: {
            200: z.object({
              transactions: z.array(transactionSchema).meta({ description: 'Newest first.' }),
              nextCursor: z
                .string()
                .nullable()
                .meta({ description: 'Pass as `cursor` for the next page; null on the last page.' }),
            }),
            ...ERRORS_4XX,
          },
        },
      },
    ),
    async (request) => {
      const holder = principalOf(request, 'holder');
      const { query } = request;
      const page = await service.list({
        userId: holder.userId,
        walletAccountId: holder.walletAccountId,
        filter: {
          type: query.type,
          direction: query.direction,
          from: dateOf(query.from, false),
          to: dateOf(query.to, true),
          minAmountMinor: query.minAmount === undefined ? undefined : BigInt(query.minAmount),
          maxAmountMinor: query.maxAmount === undefined ? undefined : BigInt(query.maxAmount),
          counterparty: query.counterparty,
          q: query.q,
        },
        cursor: query.cursor ?? null,
        limit: query.limit,
      });
      return { transactions: page.transactions.map(transactionJson), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/me/transactions/:id',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'One movement of my wallet, with its status timeline',
          params,
          response: {
            200: transactionSchema.extend({
              timeline: timelineSchema,
              parties: z
                .object({
                  payer: z.string().meta({ description: 'Who paid, masked.' }),
                  payee: z.string().meta({ description: 'Who received, masked.' }),
                })
                .nullable()
                .meta({ description: 'Both sides (masked) of a transfer between wallets; null otherwise.' }),
              receiptUrl: z.string().meta({ description: 'The e-receipt (PDF) of this movement.' }),
            }),
            ...ERRORS_4XX,
          },
        },
      },
    ),
    async (request) => {
      const holder = principalOf(request, 'holder');
      const { transaction, timeline } = await service.get({
        userId: holder.userId,
        walletAccountId: holder.walletAccountId,
        id: request.params.id,
      });
      return {
        ...transactionJson(transaction),
        timeline: timelineJson(timeline),
        parties: transaction.parties,
        receiptUrl: `/v1/me/transactions/${transaction.id}/receipt.pdf`,
      };
    },
  );

  app.get(
    '/v1/me/transactions/:id/receipt.pdf',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'E-receipt (PDF) of one movement of my wallet',
          params,
          produces: ['application/pdf'],
          response: { 200: z.any().meta({ description: 'application/pdf' }), ...ERRORS_4XX },
        },
      },
    ),
    async (request, reply) => {
      const holder = principalOf(request, 'holder');
      const { transaction, timeline } = await service.get({
        userId: holder.userId,
        walletAccountId: holder.walletAccountId,
        id: request.params.id,
      });
      const last = timeline[timeline.length - 1];
      const sign = transaction.direction === 'out' ? '-' : '+';
      const pdf = await receiptPdf({
        title: 'Qianbao e-receipt',
        lines: [
          { label: 'Type / 类型', value: `${transaction.label.en} / ${transaction.label['zh-CN']}` },
          {
            label: 'Amount / 金额',
            value: `${sign}${transaction.currency} ${formatDecimal(transaction.amountMinor, transaction.currency)}`,
          },
          { label: 'Payer / 付款方', value: transaction.parties?.payer ?? (sign === '-' ? 'You' : '-') },
          {
            label: 'Payee / 收款方',
            value:
              transaction.parties?.payee ??
              (sign === '+' ? 'You' : (transaction.counterparty?.displayName ?? '-')),
          },
          { label: 'Note / 备注', value: transaction.note ?? '-' },
          { label: 'Time / 时间', value: `${transaction.createdAt.toISOString()} (UTC)` },
          { label: 'Status / 状态', value: last?.status ?? transaction.status },
          { label: 'Ledger transfer id', value: transaction.id },
        ],
        footer: 'Issued by Qianbao from its double-entry ledger. Names are masked.',
        issuedAt: transaction.createdAt,
      });
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `attachment; filename="qianbao-receipt-${transaction.id}.pdf"`)
        .header('cache-control', 'private, no-store')
        .send(pdf);
    },
  );

  done();
};
