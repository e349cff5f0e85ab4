/**
 * The console's side (`/v1/operator/support/...`, tickets:answer; templates managed with
 * help:manage): the queue, conversations, answers (from templates), claim and assign, resolve
 * and close, the live stream. Every action is audited (`support.*` in the operator audit log).
 */
import type { FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { can, principalOf, signedIn } from '../../auth/index.ts';
import { errorResponses } from '../../http/responses.ts';
import { idempotentId } from '../../idempotency.ts';
import { serveLiveStream } from '../notifications/index.ts';
import type { OperatorService } from '../operator/index.ts';
import { consoleLiveKey } from './live.ts';
import type { SupportLive } from './live.ts';
import { TICKET_STATUSES } from './machine.ts';
import { sendFile } from './routes.ts';
import {
  operatorMessageJson,
  operatorMessageSchema,
  operatorTicketJson,
  operatorTicketSchema,
  templateJson,
  templateSchema,
  uuid,
} from './schemas.ts';
import type { SupportService, TicketAudit } from './service.ts';

const TAGS = ['operator: support'];
const ERRORS = errorResponses(400, 404, 409, 422);

export interface SupportOperatorRoutesOptions {
  service: SupportService;
  operators: Pick<OperatorService, 'audit'>;
  live: SupportLive;
  heartbeatMs: number;
}

const ticketParams = z.object({ id: z.string().max(64).meta({ description: 'The ticket id.' }) });
const conversationSchema = z.object({
  ticket: operatorTicketSchema,
  messages: z.array(operatorMessageSchema).meta({ description: 'Oldest first.' }),
});
const templateBody = z.strictObject({
  title: z.string().trim().min(1).max(80).meta({ description: 'Its name in the picker.' }),
  body: z.string().trim().min(1).max(4000).meta({ description: 'The reply text.' }),
});

export const supportOperatorRoutes: FastifyPluginCallbackZod<SupportOperatorRoutesOptions> = (
  app,
  { service, operators, live, heartbeatMs },
  done,
) => {
  const answer = { principal: 'operator', permission: 'tickets:answer' } as const;
  const manage = { principal: 'operator', permission: 'help:manage' } as const;

  /** The operator, listed as a support agent (assignee picker, live pushes). */
  const agentOf = async (request: FastifyRequest) => {
    const operator = principalOf(request, 'operator');
    await service.seeAgent({
      id: operator.id,
      username: operator.username,
      displayName: operator.displayName,
    });
    return operator;
  };
  /** An audit entry; `client`: inside the action's own transaction (it commits with the action). */
  const audit = (
    operatorId: string,
    action: string,
    target: string,
    details: Record<string, unknown> = {},
    client?: pg.PoolClient,
  ) => operators.audit({ operatorId, action, target, details }, client);

  app.get(
    '/v1/operator/support/tickets',
    signedIn(app, answer, {
      schema: {
        tags: TAGS,
        summary: 'The queue: waiting chats first, then the longest waiting',
        querystring: z.object({
          status: z
            .string()
            .max(100)
            .optional()
            .meta({ description: 'Comma-separated statuses; default: open, pending_staff, pending_holder.' }),
          assignee: z
            .string()
            .max(64)
            .default('any')
            .meta({ description: '`any`, `none` (unassigned), `me`, or an operator id.' }),
          channel: z
            .enum(['ticket', 'chat'])
            .optional()
            .meta({ description: 'Only tickets, or only chats.' }),
          userId: uuid.optional().meta({ description: 'Only this holder’s.' }),
          limit: z.coerce
            .number()
            .int()
            .min(1)
            .max(200)
            .default(100)
            .meta({ description: 'At most this many.' }),
        }),
        response: { 200: z.object({ tickets: z.array(operatorTicketSchema) }), ...ERRORS },
      },
    }),
    async (request) => {
      const operator = await agentOf(request);
      const statuses = (request.query.status ?? 'open,pending_staff,pending_holder')
        .split(',')
        .map((status) => status.trim())
        .filter((status) => status !== '');
      const known = statuses.filter((status): status is (typeof TICKET_STATUSES)[number] =>
        (TICKET_STATUSES as readonly string[]).includes(status),
      );
      const tickets = await service.queue({
        statuses: request.query.status === 'all' ? null : known,
        assignee: request.query.assignee,
        channel: request.query.channel ?? null,
        userId: request.query.userId ?? null,
        limit: request.query.limit,
        operatorId: operator.id,
      });
      return { tickets: tickets.map(operatorTicketJson) };
    },
  );

  app.get(
    '/v1/operator/support/tickets/:id',
    signedIn(app, answer, {
      schema: {
        tags: TAGS,
        summary: 'A ticket with its messages',
        params: ticketParams,
        response: { 200: conversationSchema, ...ERRORS },
      },
    }),
    async (request) => {
      await agentOf(request);
      const conversation = await service.conversation({ id: request.params.id });
      return {
        ticket: operatorTicketJson(conversation.ticket),
        messages: conversation.messages.map(operatorMessageJson),
      };
    },
  );

  app.get(
    '/v1/operator/support/tickets/:id/attachments/:attachmentId',
    signedIn(app, answer, {
      schema: {
        tags: TAGS,
        summary: 'An attachment of the ticket (every view is audited)',
        params: ticketParams.extend({
          attachmentId: z.string().max(64).meta({ description: 'The attachment id.' }),
        }),
      },
    }),
    async (request, reply) => {
      const operator = await agentOf(request);
      const file = await service.operatorAttachment({
        ticketId: request.params.id,
        id: request.params.attachmentId,
      });
      await audit(operator.id, 'support.attachment_viewed', file.id, { ticketId: request.params.id });
      return sendFile(reply, file);
    },
  );

  app.post(
    '/v1/operator/support/tickets/:id/messages',
    signedIn(app, answer, {
      config: { idempotent: true },
      schema: {
        tags: TAGS,
        summary: 'Answer (text, or a template’s text, or a template edited)',
        description:
          'Needs an Idempotency-Key. Answering an unassigned ticket takes it; a waiting chat is picked up.',
        params: ticketParams,
        body: z
          .strictObject({
            text: z
              .string()
              .max(10_000)
              .optional()
              .meta({ description: 'The answer; defaults to the template’s text.' }),
            templateId: uuid.optional().meta({ description: 'The reply template it comes from.' }),
          })
          .refine((body) => (body.text?.trim() ?? '') !== '' || body.templateId !== undefined, {
            message: 'text or templateId',
          }),
        response: { 201: operatorMessageSchema, ...ERRORS },
      },
    }),
    async (request, reply) => {
      const operator = await agentOf(request);
      const id = idempotentId(request, 'support.answer');
      const message = await service.operatorMessage({
        id,
        operator: { id: operator.id, username: operator.username, displayName: operator.displayName },
        ticketId: request.params.id,
        text: request.body.text ?? null,
        templateId: request.body.templateId ?? null,
        audit: (client) =>
          audit(
            operator.id,
            'support.answered',
            request.params.id,
            { messageId: id, templateId: request.body.templateId ?? null },
            client,
          ),
      });
      return reply.code(201).send(operatorMessageJson(message));
    },
  );

  const ticketAction = (
    path: string,
    summary: string,
    action: string,
    run: (
      operator: { id: string; username: string; displayName: string },
      ticketId: string,
      audit: TicketAudit,
    ) => ReturnType<SupportService['resolve']>,
  ) =>
    app.post(
      `/v1/operator/support/tickets/:id/${path}`,
      signedIn(app, answer, {
        schema: {
          tags: TAGS,
          summary,
          params: ticketParams,
          response: { 200: operatorTicketSchema, ...ERRORS },
        },
      }),
      async (request) => {
        const operator = await agentOf(request);
        const ticket = await run(operator, request.params.id, (client, changed) =>
          audit(operator.id, action, changed.id, { status: changed.status }, client),
        );
        return operatorTicketJson(ticket);
      },
    );
  ticketAction(
    'claim',
    'Take it (pick up a waiting chat); refused when another operator has it',
    'support.claimed',
    (operator, ticketId, audit) => service.claim({ operator, ticketId, audit }),
  );
  ticketAction(
    'resolve',
    'Mark it resolved (the holder is told and may rate it)',
    'support.resolved',
    (_operator, ticketId, audit) => service.resolve({ ticketId, audit }),
  );
  ticketAction('close', 'Close it (final)', 'support.closed', (_operator, ticketId, audit) =>
    service.operatorClose({ ticketId, audit }),
  );

  app.post(
    '/v1/operator/support/tickets/:id/assign',
    signedIn(app, answer, {
      schema: {
        tags: TAGS,
        summary: 'Give it to a support operator',
        params: ticketParams,
        body: z.strictObject({
          operatorId: uuid.meta({ description: 'An operator from GET /v1/operator/support/agents.' }),
        }),
        response: { 200: operatorTicketSchema, ...ERRORS },
      },
    }),
    async (request) => {
      const operator = await agentOf(request);
      const ticket = await service.assign({
        ticketId: request.params.id,
        assigneeId: request.body.operatorId,
        audit: (client, changed) =>
          audit(operator.id, 'support.assigned', changed.id, { assigneeId: request.body.operatorId }, client),
      });
      return operatorTicketJson(ticket);
    },
  );

  app.get(
    '/v1/operator/support/agents',
    signedIn(app, answer, {
      schema: {
        tags: TAGS,
        summary: 'Support operators a ticket can be assigned to (those who have used the support console)',
        response: {
          200: z.object({
            agents: z.array(
              z.object({
                id: z.string().meta({ description: 'The operator id.' }),
                username: z.string().meta({ description: 'Their sign-in name.' }),
                displayName: z.string().meta({ description: 'Their display name.' }),
              }),
            ),
          }),
        },
      },
    }),
    async (request) => {
      await agentOf(request);
      return {
        agents: (await service.agents()).map((agent) => ({
          id: agent.operator_id,
          username: agent.username,
          displayName: agent.display_name,
        })),
      };
    },
  );

  // ---- templates ---------------------------------------------------------------------------------

  app.get(
    '/v1/operator/support/templates',
    signedIn(app, answer, {
      schema: {
        tags: TAGS,
        summary: 'Reply templates',
        response: { 200: z.object({ templates: z.array(templateSchema) }) },
      },
    }),
    async () => ({ templates: (await service.templates()).map(templateJson) }),
  );

  app.post(
    '/v1/operator/support/templates',
    signedIn(app, manage, {
      schema: {
        tags: TAGS,
        summary: 'Add a reply template',
        body: templateBody,
        response: { 201: templateSchema, ...ERRORS },
      },
    }),
    async (request, reply) => {
      const operator = principalOf(request, 'operator');
      const template = await service.createTemplate({
        ...request.body,
        audit: (client, created) =>
          audit(operator.id, 'support.template_created', created.id, { title: created.title }, client),
      });
      return reply.code(201).send(templateJson(template));
    },
  );

  app.put(
    '/v1/operator/support/templates/:templateId',
    signedIn(app, manage, {
      schema: {
        tags: TAGS,
        summary: 'Change a reply template',
        params: z.object({ templateId: z.string().max(64).meta({ description: 'The template id.' }) }),
        body: templateBody,
        response: { 200: templateSchema, ...ERRORS },
      },
    }),
    async (request) => {
      const operator = principalOf(request, 'operator');
      const template = await service.updateTemplate({
        id: request.params.templateId,
        ...request.body,
        audit: (client, changed) =>
          audit(operator.id, 'support.template_changed', changed.id, { title: changed.title }, client),
      });
      return templateJson(template);
    },
  );

  app.delete(
    '/v1/operator/support/templates/:templateId',
    signedIn(app, manage, {
      schema: {
        tags: TAGS,
        summary: 'Remove a reply template',
        params: z.object({ templateId: z.string().max(64).meta({ description: 'The template id.' }) }),
        response: { 204: z.null().meta({ description: 'Removed.' }), ...ERRORS },
      },
    }),
    async (request, reply) => {
      const operator = principalOf(request, 'operator');
      await service.deleteTemplate({
        id: request.params.templateId,
        audit: (client) =>
          audit(operator.id, 'support.template_deleted', request.params.templateId, {}, client),
      });
      return reply.code(204).send(null);
    },
  );

  // ---- live --------------------------------------------------------------------------------------

  app.get(
    '/v1/operator/support/stream',
    signedIn(app, answer, {
      schema: {
        tags: TAGS,
        summary: 'New tickets and messages as they come (server-sent events)',
        description:
          'text/event-stream. Events: `ready` {}, then `ticket` {ticketId, change: created|message|status|assigned, ' +
          'status, chatState}. Comment lines keep it alive; signing out ends it within one heartbeat.',
        response: errorResponses(429),
      },
    }),
    async (request, reply) => {
      const operator = await agentOf(request);
      await service.streaming(operator.id);
      return serveLiveStream(reply, {
        live,
        key: consoleLiveKey(operator.id),
        heartbeatMs,
        ready: {},
        toEvent: (push) => (push.kind === 'support.ticket' ? { event: 'ticket', data: push.params } : null),
        stillAllowed: async () => {
          // Signed out, or no longer allowed to answer tickets: the stream ends.
          if (!can(await app.authenticators.operator(request), 'tickets:answer'))
            throw new Error('forbidden');
          await service.streaming(operator.id);
        },
        tooMany: 'Too many open support streams.',
      });
    },
  );
  done();
};
