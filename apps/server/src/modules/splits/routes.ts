/**
 * The splits' HTTP API (docs/splits.md): the organiser creates, follows, reminds, closes and
 * refunds under /v1/me/splits; a participant reads and pays under /v1/splits/:ref (the link's
 * token, or the split's id). Every route is a signed-in holder's.
 */
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, signedIn } from '../../auth/index.ts';
import { AppError } from '../../errors.ts';
import {
  confirmationInput,
  confirmationPlanJson,
  confirmationPlanOutput,
  givenFactor,
  paymentToSignJson,
  paymentToSignOutput,
} from '../../http/confirmation.ts';
import { moneyInput, moneyJson, moneyOf, moneyOutput } from '../../http/money.ts';
import { errorResponses, refusalOutput } from '../../http/responses.ts';
import { idempotentId, isResumption } from '../../idempotency.ts';
import { MAX_TITLE_LENGTH, SPLIT_CURRENCY } from './service.ts';
import type { CreateRequest, PayPreview, ShareView, SplitView, SplitsService } from './service.ts';

export interface SplitsRoutesOptions {
  service: SplitsService;
}

const TAGS = ['splits'];
const MINE = '/v1/me/splits';
/** Far above any setting: the module's own limit refuses with its code (SPLIT_TOTAL_TOO_LARGE). */
const MAX_AMOUNT_MINOR = 100_000_000_00n;
/** Far above any setting: SPLIT_TOO_MANY_PEOPLE names the configured maximum. */
const MAX_LISTED = 1000;

const amountInput = (description: string) =>
  moneyInput({ max: MAX_AMOUNT_MINOR, currencies: [SPLIT_CURRENCY], description });

const createBody = z.strictObject({
  title: z
    .string()
    .trim()
    .min(1)
    .max(MAX_TITLE_LENGTH)
    .meta({ description: `What the bill is for (周五聚餐), 1–${MAX_TITLE_LENGTH} characters.` }),
  amount: amountInput('The whole bill, split into the shares (at most ¥50,000 by default).'),
  split: z
    .enum(['equal', 'custom'])
    .default('equal')
    .meta({
      description:
        '`equal` (default): largest remainder, shares differ by at most ¥0.01, the first ones take the odd fen. ' +
        '`custom`: each named participant (and `myAmount`) says its share; they must sum to `amount`.',
    }),
  includeMe: z.boolean().default(true).meta({
    description:
      'The organiser is one of the people (default): their share is counted in the total and nothing moves for it.',
  }),
  people: z.number().int().min(1).max(MAX_LISTED).optional().meta({
    description:
      'An open split: this many people in all (the organiser counted with includeMe); anyone with the link takes a share.',
  }),
  participants: z
    .array(
      z
        .object({
          phone: z.string().min(1).max(32).meta({ description: "The participant's mobile number." }),
          amount: amountInput('custom: this participant’s share.').optional(),
        })
        .meta({ description: 'One named participant.' }),
    )
    .min(1)
    .max(MAX_LISTED)
    .optional()
    .meta({ description: 'A named split: who pays, by mobile number (each a Qianbao holder).' }),
  myAmount: amountInput('custom with includeMe: the organiser’s own share.').optional(),
});

type CreateBody = z.infer<typeof createBody>;

function fieldError(path: string, issue: string): AppError {
  return new AppError('VALIDATION_FAILED', { details: { fields: [{ in: 'body', path, issue }] } });
}

function requestOf(body: CreateBody): CreateRequest {
  const totalMinor = moneyOf(body.amount).amountMinor;
  const common = { title: body.title, totalMinor, split: body.split, includeMe: body.includeMe };
  if ((body.people === undefined) === (body.participants === undefined)) {
    throw fieldError('people', 'send exactly one of people and participants');
  }
  if (body.people !== undefined) {
    if (body.split === 'custom') throw fieldError('split', 'custom shares need named participants');
    if (body.includeMe && body.people < 2) throw fieldError('people', 'at least 2 with includeMe');
    if (body.myAmount !== undefined) throw fieldError('myAmount', 'only for custom shares');
    return { ...common, people: body.people, participants: null, myAmountMinor: null };
  }
  const participants = body.participants!.map((participant, index) => {
    if ((body.split === 'custom') !== (participant.amount !== undefined)) {
      throw fieldError(
        `participants.${index}.amount`,
        body.split === 'custom' ? 'required for custom shares' : 'only for custom shares',
      );
    }
    return {
      phone: participant.phone,
      amountMinor: participant.amount ? moneyOf(participant.amount).amountMinor : null,
    };
  });
  const needsMine = body.split === 'custom' && body.includeMe;
  if (needsMine !== (body.myAmount !== undefined)) {
    throw fieldError('myAmount', needsMine ? 'required for custom shares with includeMe' : 'not expected');
  }
  return {
    ...common,
    people: null,
    participants,
    myAmountMinor: body.myAmount ? moneyOf(body.myAmount).amountMinor : null,
  };
}

const partySchema = z
  .object({
    displayName: z.string().meta({ description: 'Masked real name, or masked number.', example: '*明' }),
  })
  .meta({ description: 'A holder, masked.' });

const shareSchema = z
  .object({
    id: z.string().meta({ description: "The share's id (to refund it)." }),
    position: z
      .number()
      .int()
      .meta({ description: 'Its place in the split, from 0 (the organiser’s own first).' }),
    amount: moneyOutput.meta({ description: 'What this share is.' }),
    participant: partySchema
      .nullable()
      .meta({ description: 'Who it is for (named) or who took it (open); null: nobody yet.' }),
    state: z.enum(['own', 'unpaid', 'paying', 'paid', 'refunding', 'refunded']).meta({
      description:
        '`own`: the organiser’s own share (nothing moves); `unpaid`; `paying` (a payment is running); `paid`; ' +
        '`refunding`; `refunded` (given back by the organiser).',
    }),
    paidAt: z.string().nullable().meta({ description: 'When it was paid (ISO 8601).' }),
    refundedAt: z.string().nullable().meta({ description: 'When it was refunded (ISO 8601).' }),
  })
  .meta({ description: 'One share of the split.' });

const splitSchema = z.object({
  id: z.string().meta({ description: "The split's id." }),
  title: z.string().meta({ description: 'What the bill is for.' }),
  organiser: partySchema.meta({ description: 'Who asks for the money (masked).' }),
  mode: z.enum(['open', 'named']).meta({
    description: '`open`: anyone with the link takes a share; `named`: each share is one named holder’s.',
  }),
  split: z.enum(['equal', 'custom']).meta({ description: 'How the total was cut.' }),
  total: moneyOutput.meta({ description: 'The whole bill.' }),
  shareCount: z.number().int().meta({ description: 'How many shares (the organiser’s own included).' }),
  includesOrganiser: z.boolean().meta({ description: 'The organiser has a share of their own.' }),
  status: z.enum(['open', 'completed', 'closed']).meta({
    description:
      '`open` to pay; `completed` when every share is paid; `closed` by the organiser (no more payments).',
  }),
  paidCount: z
    .number()
    .int()
    .meta({ description: 'Shares paid and not given back (a refunded share is not counted).' }),
  payableCount: z.number().int().meta({ description: 'Shares others pay (the organiser’s own excluded).' }),
  mine: z.boolean().meta({ description: 'The caller organised it.' }),
  myShare: shareSchema.nullable().meta({ description: "The caller's share, if any." }),
  nextShare: moneyOutput
    .nullable()
    .meta({ description: 'An open split, to a holder without a share: what paying now would take.' }),
  shares: z
    .array(shareSchema)
    .nullable()
    .meta({ description: 'The organiser only: every share — who has paid and who has not.' }),
  collected: moneyOutput.nullable().meta({ description: 'The organiser only: paid and not refunded.' }),
  outstanding: moneyOutput.nullable().meta({ description: 'The organiser only: still to be paid.' }),
  lastRemindedAt: z
    .string()
    .nullable()
    .meta({ description: 'The organiser only: the last round of reminders (ISO 8601).' }),
  link: z.string().meta({ description: 'The link to share (the web app opens it).' }),
  qrPayload: z.string().meta({ description: 'The text of its QR code.' }),
  createdAt: z.string().meta({ description: 'When it was created (ISO 8601).' }),
  closedAt: z.string().nullable().meta({ description: 'When the organiser closed it.' }),
  completedAt: z.string().nullable().meta({ description: 'When the last share was paid.' }),
});

const previewSchema = z.object({
  split: splitSchema.meta({ description: 'The split, as the payer sees it.' }),
  amount: moneyOutput.meta({ description: 'What paying now takes: the payer’s share.' }),
  confirmation: confirmationPlanOutput,
  payment: paymentToSignOutput.meta({
    description: 'What to pass to POST /v1/me/confirmations/options to pay with a passkey.',
  }),
  refusal: refusalOutput(
    'LIMIT_EXCEEDED (details.limit, max, remaining), INSUFFICIENT_FUNDS (details.available), PAYEE_BALANCE_CAP_EXCEEDED.',
  ),
});

const money = (amountMinor: bigint | null) =>
  amountMinor === null ? null : moneyJson(amountMinor, SPLIT_CURRENCY);

function shareJson(view: ShareView): z.infer<typeof shareSchema> {
  return {
    id: view.id,
    position: view.position,
    amount: moneyJson(view.amountMinor, SPLIT_CURRENCY),
    participant: view.participant,
    state: view.state,
    paidAt: view.paidAt?.toISOString() ?? null,
    refundedAt: view.refundedAt?.toISOString() ?? null,
  };
}

export function splitJson(view: SplitView): z.infer<typeof splitSchema> {
  return {
    id: view.id,
    title: view.title,
    organiser: view.organiser,
    mode: view.mode,
    split: view.split,
    total: moneyJson(view.totalMinor, view.currency),
    shareCount: view.shareCount,
    includesOrganiser: view.includesOrganiser,
    status: view.status,
    paidCount: view.paidCount,
    payableCount: view.payableCount,
    mine: view.mine,
    myShare: view.myShare && shareJson(view.myShare),
    nextShare: money(view.nextShareMinor),
    shares: view.shares?.map(shareJson) ?? null,
    collected: money(view.collectedMinor),
    outstanding: money(view.outstandingMinor),
    lastRemindedAt: view.lastRemindedAt?.toISOString() ?? null,
    link: view.link,
    qrPayload: view.qrPayload,
    createdAt: view.createdAt.toISOString(),
    closedAt: view.closedAt?.toISOString() ?? null,
    completedAt: view.completedAt?.toISOString() ?? null,
  };
}

function previewJson(preview: PayPreview): z.infer<typeof previewSchema> {
  return {
    split: splitJson(preview.split),
    amount: moneyJson(preview.amountMinor, SPLIT_CURRENCY),
    confirmation: confirmationPlanJson(preview.confirmation),
    payment: paymentToSignJson(preview.payment),
    refusal: preview.refusal,
  };
}

const idParams = z.object({ id: z.string().min(1).max(64).meta({ description: "The split's id." }) });
const refParams = z.object({
  ref: z.string().min(1).max(64).meta({ description: "The split's link token, or its id." }),
});

export const splitsRoutes: FastifyPluginCallbackZod<SplitsRoutesOptions> = (app, options, done) => {
  const { service } = options;

  app.post(
    MINE,
    signedIn(
      app,
      { principal: 'holder' },
      {
        config: { idempotent: true },
        schema: {
          tags: TAGS,
          summary: 'Split a bill (AA 收款): by a number of people (a link) or named participants',
          description:
            'Needs an Idempotency-Key (a retry answers the same split). Moves no money. Refusals: ' +
            'SPLIT_TOTAL_TOO_LARGE, SPLIT_TOO_MANY_PEOPLE, SPLIT_TOTAL_TOO_SMALL (under ¥0.01 a share), ' +
            'SPLIT_SHARES_MISMATCH (custom shares not summing to the total: details.difference), ' +
            'SPLIT_DUPLICATE_PARTICIPANT, SPLIT_PARTICIPANT_IS_ORGANISER, PAYEE_NOT_FOUND (details.phone).',
          body: createBody,
          response: { 201: splitSchema, ...errorResponses(400, 404, 409, 422) },
        },
      },
    ),
    async (request, reply) => {
      const holder = principalOf(request, 'holder');
      const view = await service.create({
        organiserUserId: holder.userId,
        organiserWalletAccountId: holder.walletAccountId,
        splitId: idempotentId(request, 'split'),
        request: requestOf(request.body),
      });
      return reply.code(201).send(splitJson(view));
    },
  );

  app.get(
    MINE,
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'My splits: those I organised, or those I take part in',
          querystring: z.object({
            role: z.enum(['organiser', 'participant']).default('organiser').meta({
              description:
                '`organiser` (default): the splits I created; `participant`: those I have a share of.',
            }),
            limit: z.coerce
              .number()
              .int()
              .min(1)
              .max(50)
              .default(20)
              .meta({ description: 'At most this many (≤ 50).' }),
          }),
          response: {
            200: z.object({ splits: z.array(splitSchema).meta({ description: 'Newest first.' }) }),
            ...errorResponses(400),
          },
        },
      },
    ),
    async (request) => {
      const { userId } = principalOf(request, 'holder');
      const views = await service.list({ userId, role: request.query.role, limit: request.query.limit });
      return { splits: views.map(splitJson) };
    },
  );

  app.get(
    `${MINE}/:id`,
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'One of my splits: who has paid, who has not, the amounts',
          params: idParams,
          response: { 200: splitSchema, ...errorResponses(404) },
        },
      },
    ),
    async (request) => {
      const { userId } = principalOf(request, 'holder');
      return splitJson(await service.getOrganised({ id: request.params.id, organiserUserId: userId }));
    },
  );

  app.post(
    `${MINE}/:id/reminders`,
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Remind each named participant who has not paid (a notification)',
          description:
            'At most once an hour per split by default: SPLIT_REMINDER_TOO_SOON (details.nextReminderAt, Retry-After). ' +
            'SPLIT_NOTHING_TO_REMIND when every named participant has paid (an open split names nobody), SPLIT_CLOSED.',
          params: idParams,
          response: {
            200: z.object({
              reminded: z.number().int().meta({ description: 'How many participants were reminded.' }),
              nextReminderAt: z
                .string()
                .meta({ description: 'When the split may be reminded again (ISO 8601).' }),
            }),
            ...errorResponses(404, 409, 410, 429),
          },
        },
      },
    ),
    async (request) => {
      const { userId } = principalOf(request, 'holder');
      const result = await service.remind({ id: request.params.id, organiserUserId: userId });
      return { reminded: result.reminded, nextReminderAt: result.nextReminderAt.toISOString() };
    },
  );

  app.post(
    `${MINE}/:id/close`,
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Close my split: no more payments; paid shares stay paid',
          description: 'Closing a split that is closed or completed answers it as it is.',
          params: idParams,
          response: { 200: splitSchema, ...errorResponses(404) },
        },
      },
    ),
    async (request) => {
      const { userId } = principalOf(request, 'holder');
      return splitJson(await service.close({ id: request.params.id, organiserUserId: userId }));
    },
  );

  app.post(
    `${MINE}/:id/shares/:shareId/refund`,
    signedIn(
      app,
      { principal: 'holder' },
      {
        config: { idempotent: true },
        schema: {
          tags: TAGS,
          summary: 'Give a paid share back to its participant (once)',
          description:
            'Needs an Idempotency-Key and the PIN or a passkey (never password-free). Refusals: SPLIT_SHARE_NOT_FOUND, ' +
            'SPLIT_SHARE_NOT_PAID, SPLIT_SHARE_ALREADY_REFUNDED, SPLIT_SHARE_IN_PROGRESS, INSUFFICIENT_FUNDS, ' +
            'LIMIT_EXCEEDED, PAYEE_BALANCE_CAP_EXCEEDED, PIN_INCORRECT, FACTOR_NOT_ACCEPTED, PAYMENTS_LOCKED.',
          params: idParams.extend({
            shareId: z.string().min(1).max(64).meta({ description: "The share's id." }),
          }),
          body: z.strictObject({ confirmation: confirmationInput }),
          response: { 200: splitSchema, ...errorResponses(400, 403, 404, 409, 422) },
        },
      },
    ),
    async (request) => {
      const holder = principalOf(request, 'holder');
      const view = await service.refund({
        id: request.params.id,
        shareId: request.params.shareId,
        organiserUserId: holder.userId,
        organiserWalletAccountId: holder.walletAccountId,
        confirmation: givenFactor(request.body.confirmation),
        paymentId: idempotentId(request, 'split-refund'),
        resumed: isResumption(request),
      });
      return splitJson(view);
    },
  );

  app.get(
    '/v1/splits/:ref',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'A split as a participant sees it: title, organiser, my share, status',
          description:
            'By its link token: an open split to anyone signed in, a named one to its organiser and participants; ' +
            'by id: to its organiser and those with a share. Anyone else: SPLIT_NOT_FOUND.',
          params: refParams,
          response: { 200: splitSchema, ...errorResponses(404) },
        },
      },
    ),
    async (request) => {
      const { userId } = principalOf(request, 'holder');
      return splitJson(await service.get({ ref: request.params.ref, viewerUserId: userId }));
    },
  );

  app.post(
    '/v1/splits/:ref/preview',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Before paying my share: the amount, how to confirm, what would refuse it',
          description:
            'Refuses what paying would refuse up front: SPLIT_NOT_FOUND, SPLIT_CLOSED, SPLIT_FULL, ' +
            'SPLIT_SHARE_ALREADY_PAID, CANNOT_PAY_OWN_SPLIT. `refusal`: what would refuse it if confirmed now.',
          params: refParams,
          response: { 200: previewSchema, ...errorResponses(403, 404, 409, 410, 422) },
        },
      },
    ),
    async (request) => {
      const holder = principalOf(request, 'holder');
      return previewJson(
        await service.previewPay({
          ref: request.params.ref,
          payerUserId: holder.userId,
          payerWalletAccountId: holder.walletAccountId,
        }),
      );
    },
  );

  app.post(
    '/v1/splits/:ref/pay',
    signedIn(
      app,
      { principal: 'holder' },
      {
        config: { idempotent: true },
        schema: {
          tags: TAGS,
          summary: 'Pay my share (a named share by its participant; an open split’s next free share)',
          description:
            'Needs an Idempotency-Key; the PIN or a passkey, or nothing within the password-free allowance. A share is ' +
            'paid once: SPLIT_SHARE_ALREADY_PAID (details.amount), SPLIT_SHARE_IN_PROGRESS, SPLIT_FULL (every share ' +
            'taken), SPLIT_CLOSED, CANNOT_PAY_OWN_SPLIT, and the refusals of a transfer (INSUFFICIENT_FUNDS, ' +
            'LIMIT_EXCEEDED, PAYEE_BALANCE_CAP_EXCEEDED, PIN_INCORRECT, FACTOR_NOT_ACCEPTED …).',
          params: refParams,
          body: z.strictObject({ confirmation: confirmationInput }),
          response: { 201: splitSchema, ...errorResponses(400, 403, 404, 409, 410, 422) },
        },
      },
    ),
    async (request, reply) => {
      const holder = principalOf(request, 'holder');
      const view = await service.pay({
        ref: request.params.ref,
        payerUserId: holder.userId,
        payerWalletAccountId: holder.walletAccountId,
        confirmation: givenFactor(request.body.confirmation),
        paymentId: idempotentId(request, 'split-share'),
        resumed: isResumption(request),
      });
      return reply.code(201).send(splitJson(view));
    },
  );

  done();
};
