/** The holder's side: tickets, messages, attachments, ratings and live chat (`/v1/me/support/...`). */
import multipart from '@fastify/multipart';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, signedIn } from '../../auth/index.ts';
import { AppError } from '../../errors.ts';
import { errorResponses } from '../../http/responses.ts';
import { idempotentId } from '../../idempotency.ts';
import { MAX_ATTACHMENTS_PER_MESSAGE } from './attachments.ts';
import {
  attachmentSchema,
  conversationJson,
  messageJson,
  messageSchema,
  ticketJson,
  ticketSchema,
  uuid,
} from './schemas.ts';
import { TOPICS } from './service.ts';
import type { SupportService } from './service.ts';

const TAGS = ['support: tickets and chat'];
const ERRORS = errorResponses(400, 404, 409, 422);

const conversationSchema = z.object({
  ticket: ticketSchema,
  messages: z.array(messageSchema).meta({ description: 'Oldest first.' }),
});
const text = z.string().min(1).max(10_000).meta({
  description: 'What the holder writes (at most SUPPORT_MAX_MESSAGE_CHARS characters, 2000 by default).',
});
const attachmentIds = z
  .array(uuid)
  .max(MAX_ATTACHMENTS_PER_MESSAGE)
  .default([])
  .meta({ description: 'Up to 3 uploads (POST /v1/me/support/attachments) to attach.' });
const ticketParams = z.object({ id: z.string().max(64).meta({ description: 'The ticket id.' }) });

export const supportRoutes: FastifyPluginAsyncZod<{
  service: SupportService;
  attachmentMaxBytes: number;
}> = async (app, { service, attachmentMaxBytes }) => {
  await app.register(multipart, { limits: { fileSize: attachmentMaxBytes, files: 1, fields: 0, parts: 1 } });

  app.post(
    '/v1/me/support/attachments',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Upload a file to attach to a ticket or a message',
          description:
            'multipart/form-data with one file named `file`: JPEG, PNG or PDF (checked by its bytes), at most ' +
            'SUPPORT_ATTACHMENT_MAX_BYTES (5 MB). Attach it by naming its id in a ticket or message within a day.',
          consumes: ['multipart/form-data'],
          response: { 201: attachmentSchema, ...ERRORS },
        },
      },
    ),
    async (request, reply) => {
      const { userId } = principalOf(request, 'holder');
      if (!request.isMultipart())
        throw new AppError('SUPPORT_ATTACHMENT_INVALID', { details: { problem: 'notMultipart' } });
      let upload: { fileName: string; declaredType: string; content: Buffer } | null = null;
      try {
        for await (const part of request.files()) {
          if (part.fieldname !== 'file')
            throw new AppError('SUPPORT_ATTACHMENT_INVALID', {
              details: { field: part.fieldname.slice(0, 32) },
            });
          const content = await part.toBuffer();
          upload = { fileName: part.filename, declaredType: part.mimetype, content };
        }
      } catch (error) {
        if (error instanceof AppError) throw error;
        const code = (error as { code?: string }).code;
        throw new AppError('SUPPORT_ATTACHMENT_INVALID', {
          details: {
            problem: code === 'FST_REQ_FILE_TOO_LARGE' ? 'tooLarge' : (code ?? 'unreadable'),
            maxBytes: attachmentMaxBytes,
          },
        });
      }
      if (!upload) throw new AppError('SUPPORT_ATTACHMENT_INVALID', { details: { problem: 'noFile' } });
      return reply.code(201).send(await service.upload({ userId, ...upload }));
    },
  );

  app.get(
    '/v1/me/support/attachments/:id',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'One of my uploads (its bytes)',
          params: z.object({ id: z.string().max(64).meta({ description: 'The attachment id.' }) }),
        },
      },
    ),
    async (request, reply) => {
      const { userId } = principalOf(request, 'holder');
      const file = await service.holderAttachment({ userId, id: request.params.id });
      return sendFile(reply, file);
    },
  );

  app.post(
    '/v1/me/support/tickets',
    signedIn(
      app,
      { principal: 'holder' },
      {
        config: { idempotent: true },
        schema: {
          tags: TAGS,
          summary: 'Open a ticket',
          description:
            'Needs an Idempotency-Key: the same request again answers the same ticket. At most ' +
            'SUPPORT_MAX_OPEN_TICKETS (5) open at once.',
          body: z.strictObject({
            topic: z
              .enum(TOPICS)
              .meta({ description: 'account, payment, card, transfer, merchant or other.' }),
            text,
            transactionId: uuid
              .optional()
              .meta({ description: 'The history id of the transaction it is about.' }),
            attachmentIds,
          }),
          response: { 201: conversationSchema, ...ERRORS },
        },
      },
    ),
    async (request, reply) => {
      const { userId, walletAccountId } = principalOf(request, 'holder');
      const conversation = await service.open({
        id: idempotentId(request, 'support.ticket'),
        userId,
        walletAccountId,
        channel: 'ticket',
        topic: request.body.topic,
        text: request.body.text,
        transactionId: request.body.transactionId ?? null,
        attachmentIds: request.body.attachmentIds,
      });
      return reply.code(201).send(conversationJson(conversation));
    },
  );

  app.post(
    '/v1/me/support/chats',
    signedIn(
      app,
      { principal: 'holder' },
      {
        config: { idempotent: true },
        schema: {
          tags: TAGS,
          summary: 'Start a live chat',
          description:
            'Within service hours (Asia/Shanghai, 09:00–21:00 by default) the chat waits for an operator ' +
            '(`chatState: waiting`); nobody picks it up within SUPPORT_CHAT_PICKUP_MINUTES, or outside the hours, ' +
            'it becomes a ticket (`fell_back`) and the holder is told. Needs an Idempotency-Key.',
          body: z.strictObject({
            topic: z.enum(TOPICS).default('other').meta({ description: 'What it is about.' }),
            text,
            transactionId: uuid
              .optional()
              .meta({ description: 'The history id of the transaction it is about.' }),
          }),
          response: { 201: conversationSchema, ...ERRORS },
        },
      },
    ),
    async (request, reply) => {
      const { userId, walletAccountId } = principalOf(request, 'holder');
      const conversation = await service.open({
        id: idempotentId(request, 'support.chat'),
        userId,
        walletAccountId,
        channel: 'chat',
        topic: request.body.topic,
        text: request.body.text,
        transactionId: request.body.transactionId ?? null,
        attachmentIds: [],
      });
      return reply.code(201).send(conversationJson(conversation));
    },
  );

  app.get(
    '/v1/me/support/chat-hours',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Whether live chat is open now, and its hours',
          response: {
            200: z.object({
              open: z.boolean().meta({ description: 'Within service hours now.' }),
              opensAtHour: z.number().int().meta({ description: 'Opens at this hour, Asia/Shanghai.' }),
              closesAtHour: z.number().int().meta({ description: 'Closes at this hour, Asia/Shanghai.' }),
              pickupMinutes: z
                .number()
                .int()
                .meta({ description: 'A chat nobody picks up within this becomes a ticket.' }),
            }),
          },
        },
      },
    ),
    () => Promise.resolve(service.chatHours()),
  );

  app.get(
    '/v1/me/support/tickets',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'My tickets and chats, most recently changed first',
          response: { 200: z.object({ tickets: z.array(ticketSchema) }) },
        },
      },
    ),
    async (request) => {
      const { userId } = principalOf(request, 'holder');
      return { tickets: (await service.holderTickets(userId)).map(ticketJson) };
    },
  );

  app.get(
    '/v1/me/support/tickets/:id',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'One of my tickets with its messages',
          params: ticketParams,
          response: { 200: conversationSchema, ...ERRORS },
        },
      },
    ),
    async (request) => {
      const { userId } = principalOf(request, 'holder');
      return conversationJson(await service.conversation({ id: request.params.id, userId }));
    },
  );

  app.post(
    '/v1/me/support/tickets/:id/messages',
    signedIn(
      app,
      { principal: 'holder' },
      {
        config: { idempotent: true },
        schema: {
          tags: TAGS,
          summary: 'Write in my ticket (a resolved one reopens)',
          params: ticketParams,
          body: z.strictObject({ text, attachmentIds }),
          response: { 201: messageSchema, ...ERRORS },
        },
      },
    ),
    async (request, reply) => {
      const { userId } = principalOf(request, 'holder');
      const message = await service.holderMessage({
        id: idempotentId(request, 'support.message'),
        userId,
        ticketId: request.params.id,
        text: request.body.text,
        attachmentIds: request.body.attachmentIds,
      });
      return reply.code(201).send(messageJson(message));
    },
  );

  app.post(
    '/v1/me/support/tickets/:id/close',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Close my ticket (no more messages)',
          params: ticketParams,
          response: { 200: ticketSchema, ...ERRORS },
        },
      },
    ),
    async (request) => {
      const { userId } = principalOf(request, 'holder');
      return ticketJson(await service.holderClose({ userId, ticketId: request.params.id }));
    },
  );

  app.post(
    '/v1/me/support/tickets/:id/rating',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Rate the service, once the ticket is resolved or closed (once)',
          params: ticketParams,
          body: z.strictObject({
            score: z.number().int().min(1).max(5).meta({ description: '1 (bad) to 5 (very good).' }),
            comment: z.string().trim().max(500).optional().meta({ description: 'At most 500 characters.' }),
          }),
          response: { 200: ticketSchema, ...ERRORS },
        },
      },
    ),
    async (request) => {
      const { userId } = principalOf(request, 'holder');
      return ticketJson(
        await service.rate({
          userId,
          ticketId: request.params.id,
          score: request.body.score,
          comment: request.body.comment ? request.body.comment : null,
        }),
      );
    },
  );
};

/** An attachment's bytes: never cached, never sniffed, downloaded under its own name. */
export function sendFile(
  reply: FastifyReply,
  file: { content: Buffer; content_type: string; file_name: string },
) {
  return reply
    .header('content-type', file.content_type)
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', 'sandbox')
    .header('content-disposition', `inline; filename*=UTF-8''${encodeURIComponent(file.file_name)}`)
    .send(file.content);
}
