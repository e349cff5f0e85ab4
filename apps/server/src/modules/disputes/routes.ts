/**
 * The disputes API: the holder's routes (`/v1/me/disputes…`) and the operators' (`/v1/operator/
 * disputes…`, action `disputes:resolve`, every step audited). docs/disputes.md.
 */
import multipart from '@fastify/multipart';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, signedIn } from '../../auth/index.ts';
import { AppError } from '../../errors.ts';
import { moneyInput, moneyJson, moneyOf, moneyOutput } from '../../http/money.ts';
import { errorResponses } from '../../http/responses.ts';
import { idempotentId, isResumption } from '../../idempotency.ts';
import type { OperatorService } from '../operator/index.ts';
import { MAX_EVIDENCE_BYTES } from './service.ts';
import type {
  DisputeDetail,
  DisputeView,
  DisputesService,
  EvidenceView,
  RefundAudit,
  TimelineView,
} from './service.ts';
import { DISPUTED_KINDS, DISPUTE_REASONS, DISPUTE_STATUSES, REFUND_METHODS } from './states.ts';

const HOLDER_TAGS = ['disputes'];
const OPERATOR_TAGS = ['operator: disputes'];
const ERRORS = errorResponses(400, 404, 409, 422);

const uuid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
  .meta({ description: 'An id (UUID).' });
const amountInput = moneyInput({ currencies: ['CNY'] });

const disputeSchema = z.object({
  id: z.string().meta({ description: 'The dispute id.' }),
  transactionId: z.string().meta({ description: 'The disputed movement: its history id.' }),
  kind: z.enum(DISPUTED_KINDS).meta({ description: 'What kind of movement was disputed.' }),
  status: z.enum(DISPUTE_STATUSES).meta({ description: 'Where the dispute stands (docs/disputes.md).' }),
  reason: z.enum(DISPUTE_REASONS).meta({ description: 'The reason the holder chose.' }),
  text: z.string().meta({ description: 'What the holder wrote.' }),
  amount: moneyOutput.meta({ description: 'How much is disputed.' }),
  transactionAmount: moneyOutput.meta({ description: 'How much the movement was.' }),
  transactionAt: z.string().meta({ description: 'When the movement was (ISO 8601).' }),
  counterparty: z.string().nullable().meta({ description: 'The other side as history shows it (masked).' }),
  merchantOrderId: z.string().nullable().meta({ description: "A merchant payment's order number." }),
  refund: z
    .object({
      method: z.enum(REFUND_METHODS).meta({ description: 'How the refund is paid.' }),
      amount: moneyOutput.meta({ description: 'How much is refunded.' }),
    })
    .nullable()
    .meta({ description: 'The refund decided (while refunding or once refunded).' }),
  decisionReason: z.string().nullable().meta({ description: "The operator's reason for the decision." }),
  lastFailure: z
    .string()
    .nullable()
    .meta({ description: 'Why the last refund attempt failed (an error code).' }),
  createdAt: z.string().meta({ description: 'When it was opened (ISO 8601).' }),
  updatedAt: z.string().meta({ description: 'When it last changed (ISO 8601).' }),
  closedAt: z.string().nullable().meta({ description: 'When it was resolved or withdrawn.' }),
});

const timelineSchema = z.object({
  at: z.string().meta({ description: 'When (ISO 8601).' }),
  actor: z.enum(['holder', 'operator', 'merchant', 'system']).meta({ description: 'Who took the step.' }),
  step: z.string().meta({ description: 'The step (open, take, ask_merchant, refund:<method>, …).' }),
  fromStatus: z.enum(DISPUTE_STATUSES).nullable().meta({ description: 'The status before.' }),
  toStatus: z.enum(DISPUTE_STATUSES).meta({ description: 'The status after.' }),
  note: z.string().nullable().meta({ description: 'What was written with it.' }),
});

const evidenceSchema = z.object({
  id: z.string().meta({ description: 'The file id.' }),
  contentType: z.string().meta({ description: 'image/jpeg, image/png or application/pdf.' }),
  fileName: z.string().meta({ description: 'The file name as uploaded (cleaned).' }),
  sizeBytes: z.number().int().meta({ description: 'Size in bytes.' }),
  createdAt: z.string().meta({ description: 'When it was added (ISO 8601).' }),
});

const detailSchema = z.object({
  dispute: disputeSchema,
  timeline: z.array(timelineSchema).meta({ description: 'What happened, oldest first.' }),
  evidence: z.array(evidenceSchema).meta({ description: 'The evidence files.' }),
});

const operatorDisputeSchema = disputeSchema.extend({
  userId: z.string().meta({ description: 'The holder.' }),
  merchantId: z.string().nullable().meta({ description: "A merchant payment's merchant." }),
  orderId: z.string().nullable().meta({ description: "A merchant payment's order." }),
  assignedOperatorId: z.string().nullable().meta({ description: 'The operator who took it.' }),
});
const operatorDetailSchema = z.object({
  dispute: operatorDisputeSchema,
  timeline: z.array(
    timelineSchema.extend({
      operatorId: z.string().nullable().meta({ description: 'The operator who took the step.' }),
    }),
  ),
  evidence: z.array(evidenceSchema),
});

const disputeJson = (view: DisputeView) => ({
  id: view.id,
  transactionId: view.transactionId,
  kind: view.kind,
  status: view.status,
  reason: view.reason,
  text: view.text,
  amount: moneyJson(view.amountMinor, view.currency),
  transactionAmount: moneyJson(view.transactionAmountMinor, view.currency),
  transactionAt: view.transactionAt.toISOString(),
  counterparty: view.counterparty,
  merchantOrderId: view.merchant?.merchantOrderId ?? null,
  refund: view.refund
    ? { method: view.refund.method, amount: moneyJson(view.refund.amountMinor, view.currency) }
    : null,
  decisionReason: view.decisionReason,
  lastFailure: view.lastFailure,
  createdAt: view.createdAt.toISOString(),
  updatedAt: view.updatedAt.toISOString(),
  closedAt: view.closedAt?.toISOString() ?? null,
});

const operatorDisputeJson = (view: DisputeView) => ({
  ...disputeJson(view),
  userId: view.userId,
  merchantId: view.merchant?.merchantId ?? null,
  orderId: view.merchant?.orderId ?? null,
  assignedOperatorId: view.assignedOperatorId,
});

const timelineJson = (entry: TimelineView) => ({
  at: entry.at.toISOString(),
  actor: entry.actor,
  step: entry.step,
  fromStatus: entry.fromStatus,
  toStatus: entry.toStatus,
  note: entry.note,
});

const evidenceJson = (file: EvidenceView) => ({
  id: file.id,
  contentType: file.contentType,
  fileName: file.fileName,
  sizeBytes: file.sizeBytes,
  createdAt: file.createdAt.toISOString(),
});

const detailJson = (detail: DisputeDetail) => ({
  dispute: disputeJson(detail.dispute),
  timeline: detail.timeline.map(timelineJson),
  evidence: detail.evidence.map(evidenceJson),
});

const operatorDetailJson = (detail: DisputeDetail) => ({
  dispute: operatorDisputeJson(detail.dispute),
  timeline: detail.timeline.map((entry) => ({ ...timelineJson(entry), operatorId: entry.operatorId })),
  evidence: detail.evidence.map(evidenceJson),
});

const idParams = z.object({ id: uuid });
const reasonText = z.string().trim().min(2).max(500);

export const disputesRoutes: FastifyPluginAsyncZod<{
  service: DisputesService;
  operators: Pick<OperatorService, 'audit'>;
}> = async (app, { service, operators }) => {
  await app.register(multipart, {
    limits: { fileSize: MAX_EVIDENCE_BYTES, files: 1, fields: 0, parts: 1 },
  });

  // ---- holders --------------------------------------------------------------------------------

  app.post(
    '/v1/me/disputes',
    signedIn(
      app,
      { principal: 'holder' },
      {
        config: { idempotent: true },
        schema: {
          tags: HOLDER_TAGS,
          summary: 'Dispute one of my movements',
          description:
            'A payment to a merchant, a transfer sent, a top-up or a withdrawal, within DISPUTES_WINDOW_DAYS ' +
            '(180) of it. One open dispute per movement (DISPUTE_ALREADY_OPEN). Needs an Idempotency-Key: the ' +
            'same request again answers the same dispute. Evidence is added after, one file a request.',
          body: z.strictObject({
            transactionId: uuid.meta({ description: 'The movement: its history id.' }),
            reason: z.enum(DISPUTE_REASONS).meta({ description: 'Why.' }),
            text: z
              .string()
              .trim()
              .min(1)
              .max(1000)
              .meta({ description: 'What happened, at most 1000 characters.' }),
            amount: amountInput
              .optional()
              .meta({ description: 'How much is disputed; the whole movement when absent.' }),
          }),
          response: { 201: disputeSchema, ...ERRORS },
        },
      },
    ),
    async (request, reply) => {
      const { userId, walletAccountId } = principalOf(request, 'holder');
      const { body } = request;
      const view = await service.open({
        id: idempotentId(request, 'dispute'),
        userId,
        walletAccountId,
        transactionId: body.transactionId,
        reason: body.reason,
        text: body.text,
        amountMinor: body.amount ? moneyOf(body.amount).amountMinor : null,
      });
      return reply.code(201).send(disputeJson(view));
    },
  );

  app.get(
    '/v1/me/disputes',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: HOLDER_TAGS,
          summary: 'My disputes, newest first',
          querystring: z.object({
            transactionId: uuid.optional().meta({ description: 'Only those of this movement.' }),
            limit: z.coerce.number().int().min(1).max(100).default(50).meta({ description: 'At most 100.' }),
          }),
          response: { 200: z.object({ disputes: z.array(disputeSchema) }), ...ERRORS },
        },
      },
    ),
    async (request) => {
      const { userId } = principalOf(request, 'holder');
      const disputes = await service.disputesOfHolder(userId, {
        limit: request.query.limit,
        transactionId: request.query.transactionId ?? null,
      });
      return { disputes: disputes.map(disputeJson) };
    },
  );

  app.get(
    '/v1/me/transactions/:id/dispute-eligibility',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: HOLDER_TAGS,
          summary: 'Whether I may dispute this movement now',
          params: idParams,
          response: {
            200: z.object({
              disputable: z.boolean().meta({ description: 'A dispute may be opened now.' }),
              refusal: z
                .string()
                .nullable()
                .meta({ description: 'Why not: the code opening one would answer.' }),
              openDisputeId: z.string().nullable().meta({ description: 'Its open dispute, if any.' }),
              latestDisputeId: z
                .string()
                .nullable()
                .meta({ description: 'Its newest dispute, open or closed, if any.' }),
              kind: z.enum(DISPUTED_KINDS).nullable().meta({ description: 'What kind of movement it is.' }),
            }),
            ...ERRORS,
          },
        },
      },
    ),
    async (request) => {
      const { userId, walletAccountId } = principalOf(request, 'holder');
      return service.eligibility({ userId, walletAccountId, transactionId: request.params.id });
    },
  );

  app.get(
    '/v1/me/disputes/:id',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: HOLDER_TAGS,
          summary: 'One of my disputes, with its timeline and evidence',
          params: idParams,
          response: { 200: detailSchema, ...ERRORS },
        },
      },
    ),
    async (request) => {
      const { userId } = principalOf(request, 'holder');
      return detailJson(await service.ofHolder({ userId, id: request.params.id }));
    },
  );

  app.post(
    '/v1/me/disputes/:id/evidence',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: HOLDER_TAGS,
          summary: 'Add an evidence file to my dispute',
          description:
            'multipart/form-data with one file named `file`: JPEG, PNG or PDF, at most 5 MB; at most 5 files a ' +
            'dispute (DISPUTE_EVIDENCE_LIMIT). The same file again is the same evidence. While the dispute is open.',
          consumes: ['multipart/form-data'],
          params: idParams,
          response: { 201: evidenceSchema, ...ERRORS },
        },
      },
    ),
    async (request, reply) => {
      const { userId } = principalOf(request, 'holder');
      if (!request.isMultipart()) {
        throw new AppError('DISPUTE_EVIDENCE_INVALID', { details: { problem: 'notMultipart' } });
      }
      let file: { contentType: string; fileName: string; content: Buffer } | null = null;
      try {
        for await (const part of request.files()) {
          if (part.fieldname !== 'file' || file) {
            throw new AppError('DISPUTE_EVIDENCE_INVALID', {
              details: { field: part.fieldname.slice(0, 32) },
            });
          }
          file = { contentType: part.mimetype, fileName: part.filename, content: await part.toBuffer() };
        }
      } catch (error) {
        if (error instanceof AppError) throw error;
        throw new AppError('DISPUTE_EVIDENCE_INVALID', {
          details: { problem: (error as { code?: string }).code ?? 'unreadable' },
        });
      }
      if (!file) throw new AppError('DISPUTE_EVIDENCE_INVALID', { details: { problem: 'missing' } });
      const evidence = await service.addEvidence({ userId, id: request.params.id, ...file });
      return reply.code(201).send(evidenceJson(evidence));
    },
  );

  app.get(
    '/v1/me/disputes/:id/evidence/:evidenceId',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: HOLDER_TAGS,
          summary: 'One of my evidence files',
          params: z.object({ id: uuid, evidenceId: uuid }),
        },
      },
    ),
    async (request, reply) => {
      const { userId } = principalOf(request, 'holder');
      const file = await service.evidenceFile({ userId, ...request.params });
      return sendFile(reply, file);
    },
  );

  app.post(
    '/v1/me/disputes/:id/withdraw',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: HOLDER_TAGS,
          summary: 'Withdraw my dispute (while no refund is under way)',
          params: idParams,
          body: z
            .strictObject({
              note: z.string().trim().max(500).optional().meta({ description: 'Why, optional.' }),
            })
            .optional(),
          response: { 200: disputeSchema, ...ERRORS },
        },
      },
    ),
    async (request) => {
      const { userId } = principalOf(request, 'holder');
      const view = await service.withdraw({
        userId,
        id: request.params.id,
        note: request.body?.note ?? null,
      });
      return disputeJson(view);
    },
  );

  // ---- the merchant (a merchant payment's dispute) ---------------------------------------------

  const merchantDisputeSchema = z.object({
    id: z.string().meta({ description: 'The dispute id.' }),
    status: z.enum(DISPUTE_STATUSES).meta({ description: '`awaiting_merchant`: your answer is asked for.' }),
    reason: z.enum(DISPUTE_REASONS).meta({ description: "The payer's reason." }),
    text: z.string().meta({ description: 'What the payer wrote.' }),
    amount: moneyOutput.meta({ description: 'How much is disputed.' }),
    merchantOrderId: z.string().nullable().meta({ description: 'Your order number.' }),
    orderId: z.string().nullable().meta({ description: 'The order id.' }),
    refund: z
      .object({
        method: z.enum(REFUND_METHODS).meta({ description: 'merchant_refund or chargeback.' }),
        amount: moneyOutput.meta({ description: 'How much was refunded from your balance.' }),
      })
      .nullable()
      .meta({ description: 'The refund, once decided.' }),
    createdAt: z.string().meta({ description: 'When it was opened (ISO 8601).' }),
    closedAt: z.string().nullable().meta({ description: 'When it ended.' }),
  });
  const merchantDisputeJson = (view: DisputeView) => ({
    id: view.id,
    status: view.status,
    reason: view.reason,
    text: view.text,
    amount: moneyJson(view.amountMinor, view.currency),
    merchantOrderId: view.merchant?.merchantOrderId ?? null,
    orderId: view.merchant?.orderId ?? null,
    refund: view.refund
      ? { method: view.refund.method, amount: moneyJson(view.refund.amountMinor, view.currency) }
      : null,
    createdAt: view.createdAt.toISOString(),
    closedAt: view.closedAt?.toISOString() ?? null,
  });

  app.get(
    '/v1/me/merchant/disputes',
    signedIn(
      app,
      { principal: 'merchantStaff', permission: 'orders:read' },
      {
        schema: {
          tags: HOLDER_TAGS,
          summary: "Disputes of my merchant's payments, newest first",
          querystring: z.object({
            limit: z.coerce.number().int().min(1).max(100).default(50).meta({ description: 'At most 100.' }),
          }),
          response: { 200: z.object({ disputes: z.array(merchantDisputeSchema) }), ...ERRORS },
        },
      },
    ),
    async (request) => {
      const { merchantId } = principalOf(request, 'merchantStaff');
      const disputes = await service.ofMerchant(merchantId, request.query.limit);
      return { disputes: disputes.map(merchantDisputeJson) };
    },
  );

  app.post(
    '/v1/me/merchant/disputes/:id/answer',
    signedIn(
      app,
      { principal: 'merchantStaff', permission: 'refunds:create' },
      {
        schema: {
          tags: HOLDER_TAGS,
          summary: 'Answer a dispute the operator asked about: awaiting_merchant → investigating',
          description:
            'Whether you agree to refund, and what you say. The operator then decides (a refund comes from ' +
            'your balance through your refund path, counted on the order).',
          params: idParams,
          body: z.strictObject({
            accepts: z.boolean().meta({ description: 'You agree to refund.' }),
            text: reasonText.meta({ description: 'Your answer.' }),
          }),
          response: { 200: merchantDisputeSchema, ...ERRORS },
        },
      },
    ),
    async (request) => {
      const { merchantId } = principalOf(request, 'merchantStaff');
      const view = await service.merchantAnswered({
        id: request.params.id,
        operatorId: null,
        merchantId,
        accepts: request.body.accepts,
        text: request.body.text,
      });
      return merchantDisputeJson(view);
    },
  );

  // ---- operators ------------------------------------------------------------------------------

  const operator = { principal: 'operator', permission: 'disputes:resolve' } as const;

  app.get(
    '/v1/operator/disputes',
    signedIn(app, operator, {
      schema: {
        tags: OPERATOR_TAGS,
        summary: 'The dispute queue: open ones oldest first, or those of one status newest first',
        querystring: z.object({
          status: z
            .enum(['open', ...DISPUTE_STATUSES])
            .default('open')
            .meta({ description: '`open` (default): opened, investigating, awaiting_merchant, refunding.' }),
          limit: z.coerce.number().int().min(1).max(100).default(50).meta({ description: 'At most 100.' }),
        }),
        response: {
          200: z.object({
            disputes: z.array(operatorDisputeSchema),
            openCount: z.number().int().meta({ description: 'Disputes open now.' }),
          }),
          ...ERRORS,
        },
      },
    }),
    async (request) => {
      const [disputes, openCount] = await Promise.all([service.queue(request.query), service.openCount()]);
      return { disputes: disputes.map(operatorDisputeJson), openCount };
    },
  );

  app.get(
    '/v1/operator/disputes/:id',
    signedIn(app, operator, {
      schema: {
        tags: OPERATOR_TAGS,
        summary: 'One dispute with its timeline and evidence (the view is audited)',
        params: idParams,
        response: { 200: operatorDetailSchema, ...ERRORS },
      },
    }),
    async (request) => {
      const principal = principalOf(request, 'operator');
      const detail = await service.detail(request.params.id);
      await operators.audit({
        operatorId: principal.id,
        action: 'disputes.viewed',
        target: detail.dispute.id,
        details: { userId: detail.dispute.userId },
      });
      return operatorDetailJson(detail);
    },
  );

  app.get(
    '/v1/operator/disputes/:id/evidence/:evidenceId',
    signedIn(app, operator, {
      schema: {
        tags: OPERATOR_TAGS,
        summary: 'An evidence file (every view is audited)',
        params: z.object({ id: uuid, evidenceId: uuid }),
      },
    }),
    async (request, reply) => {
      const principal = principalOf(request, 'operator');
      const file = await service.evidenceFile({ userId: null, ...request.params });
      await operators.audit({
        operatorId: principal.id,
        action: 'disputes.evidence_viewed',
        target: request.params.evidenceId,
        details: { disputeId: request.params.id },
      });
      return sendFile(reply, file);
    },
  );

  /**
   * An operator's step. Its audit entry is appended in the step's own transaction (the service
   * runs `audit` there): no step without its entry, none for a repeat that changed nothing. A
   * refund decided and then refused by the money step (the merchant's balance, its refund rules,
   * the risk engine) is an action too: the dispute went back to investigating, and `failed`
   * appends `…_failed` with that change.
   */
  // The body's type follows from its schema, so each step's handler is typed without restating it.
  const step = <Body extends z.ZodType>(
    path: string,
    summary: string,
    body: Body,
    run: (input: {
      id: string;
      operatorId: string;
      body: z.output<Body>;
      resumed: boolean;
      audit: RefundAudit;
    }) => Promise<DisputeView>,
    options: { idempotent?: boolean; action: string } = { action: '' },
  ) => {
    app.post(
      `/v1/operator/disputes/:id/${path}`,
      signedIn(app, operator, {
        ...(options.idempotent ? { config: { idempotent: true } } : {}),
        schema: {
          tags: OPERATOR_TAGS,
          summary,
          params: idParams,
          body,
          response: { 200: operatorDisputeSchema, ...ERRORS },
        },
      }),
      async (request) => {
        const principal = principalOf(request, 'operator');
        const audit: RefundAudit = {
          done: (client, view) =>
            operators.audit(
              {
                operatorId: principal.id,
                action: options.action,
                target: view.id,
                details: {
                  userId: view.userId,
                  status: view.status,
                  ...(view.refund
                    ? { method: view.refund.method, amount: view.refund.amountMinor.toString() }
                    : {}),
                  ...(view.decisionReason ? { reason: view.decisionReason } : {}),
                },
              },
              client,
            ),
          failed: (client, code) =>
            operators.audit(
              {
                operatorId: principal.id,
                action: `${options.action}_failed`,
                target: request.params.id,
                details: { code },
              },
              client,
            ),
        };
        const view = await run({
          id: request.params.id,
          operatorId: principal.id,
          body: request.body as z.output<Body>,
          resumed: options.idempotent ? isResumption(request) : false,
          audit,
        });
        return operatorDisputeJson(view);
      },
    );
  };

  step(
    'take',
    'Take the dispute: opened → investigating (or take it over)',
    z.strictObject({}).optional(),
    ({ id, operatorId, audit }) => service.assign({ id, operatorId, audit: audit.done }),
    { action: 'disputes.taken' },
  );

  step(
    'ask-merchant',
    "Ask the merchant (a merchant payment's dispute): investigating → awaiting_merchant",
    z.strictObject({ note: reasonText.meta({ description: 'What the merchant is asked.' }) }),
    ({ id, operatorId, body, audit }) =>
      service.askMerchant({ id, operatorId, note: body.note, audit: audit.done }),
    { action: 'disputes.merchant_asked' },
  );

  step(
    'merchant-answer',
    "Record the merchant's answer: awaiting_merchant → investigating",
    z.strictObject({
      accepts: z.boolean().meta({ description: 'The merchant agrees to refund.' }),
      text: reasonText.meta({ description: 'What the merchant said.' }),
    }),
    ({ id, operatorId, body, audit }) =>
      service.merchantAnswered({ id, operatorId, accepts: body.accepts, text: body.text, audit: audit.done }),
    { action: 'disputes.merchant_answered' },
  );

  step(
    'reject',
    'Reject the dispute with a reason: → resolved_rejected',
    z.strictObject({ reason: reasonText.meta({ description: 'Why (the holder reads it).' }) }),
    ({ id, operatorId, body, audit }) =>
      service.reject({ id, operatorId, reason: body.reason, audit: audit.done }),
    { action: 'disputes.rejected' },
  );

  step(
    'refund',
    'Refund the holder: → refunding → resolved_refunded, exactly once',
    z.strictObject({
      method: z.enum(REFUND_METHODS).meta({
        description:
          "merchant_refund or chargeback for a merchant payment (the merchant's refund path); goodwill otherwise.",
      }),
      amount: amountInput.optional().meta({ description: 'How much; the disputed amount when absent.' }),
      reason: reasonText.meta({ description: 'Why (the holder reads it).' }),
    }),
    ({ id, operatorId, body, resumed, audit }) =>
      service.refund({
        id,
        operatorId,
        method: body.method,
        amountMinor: body.amount ? BigInt(body.amount.amount) : null,
        reason: body.reason,
        resumed,
        audit,
      }),
    { idempotent: true, action: 'disputes.refunded' },
  );
};

function sendFile(reply: FastifyReply, file: { contentType: string; fileName: string; content: Buffer }) {
  return reply
    .header('content-type', file.contentType)
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .header('content-disposition', `inline; filename*=UTF-8''${encodeURIComponent(file.fileName)}`)
    .send(file.content);
}
