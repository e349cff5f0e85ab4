/**
 * The red packets' HTTP API (docs/redpackets.md): send (with a preview first), claim, read, list.
 * Every route is a signed-in holder's; a group packet is found by its link's token, a one-to-one
 * packet by its id (its sender and recipient only).
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
import { idempotentId, idempotentIdOfHolder, isResumption } from '../../idempotency.ts';
import { MAX_GREETING_LENGTH, RED_PACKET_COVERS, RED_PACKET_CURRENCY } from './service.ts';
import type { PacketView, RedPacketsService, SendPreview, SendRequest } from './service.ts';

export interface RedPacketsRoutesOptions {
  service: RedPacketsService;
}

const TAGS = ['red packets'];
const SEND_URL = '/v1/me/red-packets';
const PURPOSE = 'red-packet';
/** Far above any setting: the module's own limits refuse with their codes (RED_PACKET_*). */
const MAX_AMOUNT_MINOR = 100_000_000_00n;

const amountInput = moneyInput({
  max: MAX_AMOUNT_MINOR,
  currencies: [RED_PACKET_CURRENCY],
  description:
    "A one-to-one packet's amount, or a group packet's total (split into `count` shares). At most ¥200 a share by default.",
});

const sendFields = {
  kind: z.enum(['single', 'group']).meta({
    description:
      '`single`: to one holder (`toPhone` or `toQr`), one fixed amount. `group`: a link anyone may claim from.',
  }),
  toPhone: z
    .string()
    .min(1)
    .max(32)
    .optional()
    .meta({ description: "single: the recipient's mobile number." }),
  toQr: z
    .string()
    .min(1)
    .max(512)
    .optional()
    .meta({ description: "single: the recipient's scanned receive code (`qianbao://pay?to=…`)." }),
  amount: amountInput,
  split: z
    .enum(['lucky', 'equal'])
    .optional()
    .meta({
      description:
        'group: `lucky` (拼手气, random shares by the double-mean method, drawn at each claim) or `equal` (普通, the total ' +
        'must divide evenly: RED_PACKET_UNEVEN_TOTAL names the nearest totals that do). Default `lucky`.',
    }),
  count: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .meta({ description: 'group: how many shares (at most 100 by default: RED_PACKET_TOO_MANY_SHARES).' }),
  greeting: z
    .string()
    .trim()
    .max(MAX_GREETING_LENGTH)
    .optional()
    .meta({
      description: `The greeting; 恭喜发财，大吉大利 when empty. At most ${MAX_GREETING_LENGTH} characters.`,
    }),
  cover: z
    .enum(RED_PACKET_COVERS)
    .optional()
    .meta({ description: `One of the built-in covers: ${RED_PACKET_COVERS.join(', ')} (default classic).` }),
};

type SendBody = {
  kind: 'single' | 'group';
  toPhone?: string | undefined;
  toQr?: string | undefined;
  amount: Parameters<typeof moneyOf>[0];
  split?: 'lucky' | 'equal' | undefined;
  count?: number | undefined;
  greeting?: string | undefined;
  cover?: (typeof RED_PACKET_COVERS)[number] | undefined;
};

function fieldError(path: string, issue: string): AppError {
  return new AppError('VALIDATION_FAILED', { details: { fields: [{ in: 'body', path, issue }] } });
}

function requestOf(body: SendBody): SendRequest {
  const { amountMinor } = moneyOf(body.amount);
  const common = { amountMinor, greeting: body.greeting ?? null, cover: body.cover ?? null };
  if (body.kind === 'single') {
    if (body.count !== undefined && body.count !== 1)
      throw fieldError('count', 'a single packet has one share');
    if (body.split !== undefined) throw fieldError('split', 'only a group packet is split');
    const recipient =
      body.toPhone !== undefined && body.toQr === undefined
        ? { toPhone: body.toPhone }
        : body.toQr !== undefined && body.toPhone === undefined
          ? { toQr: body.toQr }
          : null;
    if (!recipient) throw fieldError('toPhone', 'send exactly one of toPhone and toQr');
    return { kind: 'single', recipient, ...common };
  }
  if (body.toPhone !== undefined || body.toQr !== undefined)
    throw fieldError('toPhone', 'a group packet has no recipient: share its link');
  if (body.count === undefined) throw fieldError('count', 'required for a group packet');
  return { kind: 'group', split: body.split ?? 'lucky', count: body.count, ...common };
}

const partySchema = z
  .object({
    displayName: z.string().meta({ description: 'Masked real name, or masked number.', example: '*明' }),
  })
  .meta({ description: 'A holder, masked.' });

const claimSchema = z
  .object({
    displayName: z.string().meta({ description: 'Who claimed (masked).' }),
    amount: moneyOutput.meta({ description: 'Their share.' }),
    claimedAt: z.string().meta({ description: 'When (ISO 8601).' }),
    luckiest: z
      .boolean()
      .meta({ description: '手气最佳: the largest share of a lucky packet once all are claimed.' }),
  })
  .meta({ description: 'One claim of the packet.' });

const packetSchema = z.object({
  id: z.string().meta({ description: "The packet's id (also its funding transfer's id in history)." }),
  kind: z.enum(['single', 'group']).meta({ description: 'One-to-one, or a group link.' }),
  split: z
    .enum(['fixed', 'lucky', 'equal'])
    .meta({ description: '`fixed` (one-to-one), `lucky` or `equal`.' }),
  sender: partySchema.meta({ description: 'Who sent it (masked).' }),
  recipient: partySchema.nullable().meta({ description: 'A one-to-one packet: who it is for.' }),
  greeting: z.string().meta({ description: 'The greeting.' }),
  cover: z.string().meta({ description: 'The built-in cover to draw it with.' }),
  total: moneyOutput
    .nullable()
    .meta({ description: 'The whole amount; of a lucky packet only to its sender and those who claimed.' }),
  share: moneyOutput
    .nullable()
    .meta({ description: 'Each share of a one-to-one or equal packet; null for lucky.' }),
  shareCount: z.number().int().meta({ description: 'How many shares it was sent with.' }),
  remainingCount: z.number().int().meta({ description: 'Shares nobody has claimed yet.' }),
  remaining: moneyOutput.nullable().meta({ description: 'The sender only: money not claimed yet.' }),
  refund: moneyOutput
    .nullable()
    .meta({ description: 'The sender only: what went back to the wallet when it expired.' }),
  status: z.enum(['open', 'finished', 'expired', 'refunded']).meta({
    description:
      '`open` to claim; `finished` when every share is claimed; `expired` after its expiry (to its sender ' +
      '`refunded` once the rest is back in the wallet).',
  }),
  mine: z.boolean().meta({ description: 'The caller sent it.' }),
  myClaim: z
    .object({
      amount: moneyOutput.meta({ description: "The caller's share." }),
      claimedAt: z.string().meta({ description: 'When (ISO 8601).' }),
    })
    .nullable()
    .meta({ description: "The caller's claim, if any." }),
  claims: z
    .array(claimSchema)
    .nullable()
    .meta({ description: 'Who claimed how much: shown to the sender and to those who claimed; else null.' }),
  link: z
    .string()
    .nullable()
    .meta({ description: 'A group packet: the link to share (the web app opens it).' }),
  qrPayload: z.string().nullable().meta({ description: 'A group packet: the text of its QR code.' }),
  expiresAt: z.string().meta({ description: 'When unclaimed money goes back to the sender (ISO 8601).' }),
  createdAt: z.string().meta({ description: 'When it was sent (ISO 8601).' }),
});

const previewSchema = z.object({
  total: moneyOutput.meta({ description: 'What leaves the wallet: the whole packet.' }),
  shareCount: z.number().int().meta({ description: 'How many shares.' }),
  split: z.enum(['fixed', 'lucky', 'equal']).meta({ description: 'How it is split.' }),
  share: moneyOutput.nullable().meta({ description: 'Each share, unless lucky.' }),
  recipient: partySchema.nullable().meta({ description: 'A one-to-one packet: who would receive it.' }),
  confirmation: confirmationPlanOutput,
  payment: paymentToSignOutput.nullable().meta({
    description:
      'Given `idempotencyKey`: the payment to send to POST /v1/me/confirmations/options (passkey).',
  }),
  refusal: refusalOutput(
    'LIMIT_EXCEEDED (details.limit, max, remaining), INSUFFICIENT_FUNDS (details.available).',
  ),
});

const money = (amountMinor: bigint | null) =>
  amountMinor === null ? null : moneyJson(amountMinor, RED_PACKET_CURRENCY);

export function packetJson(view: PacketView): z.infer<typeof packetSchema> {
  return {
    id: view.id,
    kind: view.kind,
    split: view.split,
    sender: view.sender,
    recipient: view.recipient,
    greeting: view.greeting,
    cover: view.cover,
    total: money(view.totalMinor),
    share: money(view.shareMinor),
    shareCount: view.shareCount,
    remainingCount: view.remainingCount,
    remaining: money(view.remainingMinor),
    refund: money(view.refundMinor),
    status: view.status,
    mine: view.mine,
    myClaim: view.myClaim
      ? {
          amount: moneyJson(view.myClaim.amountMinor, view.currency),
          claimedAt: view.myClaim.claimedAt.toISOString(),
        }
      : null,
    claims:
      view.claims?.map((claim) => ({
        displayName: claim.displayName,
        amount: moneyJson(claim.amountMinor, view.currency),
        claimedAt: claim.claimedAt.toISOString(),
        luckiest: claim.luckiest,
      })) ?? null,
    link: view.link,
    qrPayload: view.qrPayload,
    expiresAt: view.expiresAt.toISOString(),
    createdAt: view.createdAt.toISOString(),
  };
}

function previewJson(preview: SendPreview): z.infer<typeof previewSchema> {
  return {
    total: moneyJson(preview.totalMinor, RED_PACKET_CURRENCY),
    shareCount: preview.shareCount,
    split: preview.split,
    share: money(preview.shareMinor),
    recipient: preview.recipient,
    confirmation: confirmationPlanJson(preview.confirmation),
    payment: preview.payment && paymentToSignJson(preview.payment),
    refusal: preview.refusal,
  };
}

/** The payment id POST /v1/me/red-packets derives from this holder's key: the preview names it for a passkey. */
export function redPacketPaymentId(userId: string, idempotencyKey: string): string {
  return idempotentIdOfHolder({
    userId,
    method: 'POST',
    route: SEND_URL,
    key: idempotencyKey,
    purpose: PURPOSE,
  });
}

const refParams = z.object({
  ref: z
    .string()
    .min(1)
    .max(64)
    .meta({ description: "A group packet's link token, or a one-to-one packet's id." }),
});

export const redPacketsRoutes: FastifyPluginCallbackZod<RedPacketsRoutesOptions> = (app, options, done) => {
  const { service } = options;

  app.post(
    `${SEND_URL}/preview`,
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Before sending a red packet: the split, how to confirm, what would refuse it',
          description:
            'Refuses RED_PACKET_SHARE_TOO_LARGE, RED_PACKET_TOO_MANY_SHARES, RED_PACKET_TOTAL_TOO_SMALL, ' +
            'RED_PACKET_UNEVEN_TOTAL, PAYEE_NOT_FOUND, CANNOT_PAY_YOURSELF. `refusal`: what would refuse it if ' +
            'confirmed now (limits, balance). Send the Idempotency-Key you will use as `idempotencyKey` to get `payment`.',
          body: z.strictObject({
            ...sendFields,
            idempotencyKey: z.string().min(1).max(255).optional().meta({
              description:
                'The Idempotency-Key the client will send with the packet: the answer then carries `payment`.',
            }),
          }),
          response: { 200: previewSchema, ...errorResponses(400, 403, 404, 422) },
        },
      },
    ),
    async (request) => {
      const holder = principalOf(request, 'holder');
      const preview = await service.preview({
        senderUserId: holder.userId,
        senderWalletAccountId: holder.walletAccountId,
        request: requestOf(request.body),
        paymentId: request.body.idempotencyKey
          ? redPacketPaymentId(holder.userId, request.body.idempotencyKey)
          : null,
      });
      return previewJson(preview);
    },
  );

  app.post(
    SEND_URL,
    signedIn(
      app,
      { principal: 'holder' },
      {
        config: { idempotent: true },
        schema: {
          tags: TAGS,
          summary: 'Send a red packet: to one holder, or to a group by a link',
          description:
            'Needs an Idempotency-Key and the PIN or a passkey (never password-free). The money moves at once ' +
            "into the sender's escrow. Refusals: as the preview's, and INSUFFICIENT_FUNDS, LIMIT_EXCEEDED, " +
            'PIN_INCORRECT, FACTOR_NOT_ACCEPTED, PAYMENTS_LOCKED, RISK_REVIEW_REQUIRED, RISK_BLOCKED.',
          body: z.strictObject({ ...sendFields, confirmation: confirmationInput }),
          response: { 201: packetSchema, ...errorResponses(400, 403, 404, 409, 422) },
        },
      },
    ),
    async (request, reply) => {
      const holder = principalOf(request, 'holder');
      const view = await service.send({
        senderUserId: holder.userId,
        senderWalletAccountId: holder.walletAccountId,
        request: requestOf(request.body),
        confirmation: givenFactor(request.body.confirmation),
        paymentId: idempotentId(request, PURPOSE),
        resumed: isResumption(request),
      });
      return reply.code(201).send(packetJson(view));
    },
  );

  app.get(
    SEND_URL,
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'My red packets: sent, or received (claimed, and one-to-one packets not opened yet)',
          querystring: z.object({
            box: z.enum(['sent', 'received']).meta({ description: '`sent` or `received`.' }),
            limit: z.coerce
              .number()
              .int()
              .min(1)
              .max(50)
              .default(20)
              .meta({ description: 'At most this many (≤ 50).' }),
          }),
          response: {
            200: z.object({
              packets: z.array(packetSchema).meta({ description: 'Newest first.' }),
            }),
            ...errorResponses(400),
          },
        },
      },
    ),
    async (request) => {
      const { userId } = principalOf(request, 'holder');
      const { box, limit } = request.query;
      const views =
        box === 'sent'
          ? await service.listSent({ userId, limit })
          : await service.listReceived({ userId, limit });
      return { packets: views.map(packetJson) };
    },
  );

  app.get(
    `${SEND_URL}/:id`,
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'One of my packets: its progress, who claimed how much, the luckiest claim',
          params: z.object({ id: z.string().min(1).max(64).meta({ description: "The packet's id." }) }),
          response: { 200: packetSchema, ...errorResponses(404) },
        },
      },
    ),
    async (request) => {
      const { userId } = principalOf(request, 'holder');
      return packetJson(await service.getSent({ id: request.params.id, senderUserId: userId }));
    },
  );

  app.get(
    '/v1/red-packets/:ref',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary:
            'A red packet as a claimer sees it: sender, greeting, cover, shares left — amounts once claimed',
          params: refParams,
          response: { 200: packetSchema, ...errorResponses(404) },
        },
      },
    ),
    async (request) => {
      const { userId } = principalOf(request, 'holder');
      return packetJson(await service.get({ ref: request.params.ref, viewerUserId: userId }));
    },
  );

  app.post(
    '/v1/red-packets/:ref/claims',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Claim a share (开红包): credited at once',
          description:
            'One claim per holder per packet: a second answers RED_PACKET_ALREADY_CLAIMED with `details.amount`; ' +
            'sending it again is safe (no Idempotency-Key needed). Refusals: RED_PACKET_EMPTY, RED_PACKET_EXPIRED, ' +
            'RED_PACKET_NOT_FOUND, CANNOT_CLAIM_OWN_RED_PACKET, PAYEE_BALANCE_CAP_EXCEEDED (the share goes back to ' +
            'the packet; claim again after making room), PAYEE_WALLET_FROZEN.',
          params: refParams,
          response: { 201: packetSchema, ...errorResponses(403, 404, 409, 410, 422) },
        },
      },
    ),
    async (request, reply) => {
      const holder = principalOf(request, 'holder');
      const view = await service.claim({
        ref: request.params.ref,
        claimerUserId: holder.userId,
        claimerWalletAccountId: holder.walletAccountId,
      });
      return reply.code(201).send(packetJson(view));
    },
  );

  done();
};
