import { z } from 'zod';
import { TICKET_STATUSES } from './machine.ts';
import { TOPICS } from './service.ts';
import type { Conversation, MessageView, TemplateView, TicketView } from './service.ts';

export const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

const iso = (description: string) => z.string().meta({ description: `${description} (ISO 8601).` });

export const attachmentSchema = z.object({
  id: z.string().meta({ description: 'The attachment id (name it in a message’s attachmentIds).' }),
  fileName: z.string().meta({ description: 'The uploaded file’s name.' }),
  contentType: z
    .enum(['image/jpeg', 'image/png', 'application/pdf'])
    .meta({ description: 'What the bytes are.' }),
  sizeBytes: z.number().int().meta({ description: 'Size in bytes.' }),
});

export const ticketSchema = z.object({
  id: z.string().meta({ description: 'The ticket id.' }),
  number: z.string().meta({ description: 'The ticket number people read out (工单号).' }),
  topic: z.enum(TOPICS).meta({ description: 'What it is about.' }),
  channel: z.enum(['ticket', 'chat']).meta({ description: 'Opened as a ticket, or as a live chat.' }),
  chatState: z.enum(['waiting', 'live', 'fell_back', 'ended']).nullable().meta({
    description: 'A chat: waiting for an operator, live, fell back to a ticket, or ended. Null for tickets.',
  }),
  status: z
    .enum(TICKET_STATUSES)
    .meta({ description: 'open, pending_staff, pending_holder, resolved or closed.' }),
  transaction: z
    .object({
      id: z.string().meta({ description: 'The history id of the transaction it is about.' }),
      summary: z
        .record(z.string(), z.unknown())
        .nullable()
        .meta({ description: 'What it was, as it was then.' }),
    })
    .nullable()
    .meta({ description: 'The transaction it is about, if any.' }),
  assignee: z
    .object({
      id: z.string().meta({ description: 'The operator id.' }),
      displayName: z.string().meta({ description: 'The operator’s display name.' }),
    })
    .nullable()
    .meta({ description: 'The operator who has it.' }),
  rating: z
    .object({
      score: z.number().int().meta({ description: '1 to 5.' }),
      comment: z.string().nullable().meta({ description: 'What the holder added.' }),
      at: iso('When it was rated'),
    })
    .nullable()
    .meta({ description: 'The holder’s satisfaction rating.' }),
  lastMessage: z
    .object({
      author: z.enum(['holder', 'operator', 'system']).meta({ description: 'Who wrote it.' }),
      body: z.string().meta({ description: 'Its text (a system message is a key).' }),
      at: iso('When'),
    })
    .nullable()
    .meta({ description: 'The latest message.' }),
  createdAt: iso('When it was opened'),
  updatedAt: iso('When it last changed'),
  resolvedAt: iso('When it was resolved').nullable(),
  closedAt: iso('When it was closed').nullable(),
});

export const operatorTicketSchema = ticketSchema.extend({
  userId: z.string().meta({ description: 'The holder.' }),
});

export const messageSchema = z.object({
  id: z.string().meta({ description: 'The message id.' }),
  author: z.enum(['holder', 'operator', 'system']).meta({
    description: 'holder, operator, or system (then `body` is a key: chat_outside_hours, chat_no_pickup).',
  }),
  operatorName: z.string().nullable().meta({ description: 'The answering operator’s display name.' }),
  body: z.string().meta({ description: 'The text.' }),
  attachments: z.array(attachmentSchema).meta({ description: 'Files attached to it.' }),
  createdAt: iso('When it was sent'),
});

export const operatorMessageSchema = messageSchema.extend({
  operatorId: z.string().nullable().meta({ description: 'The answering operator.' }),
  templateId: z.string().nullable().meta({ description: 'The reply template it came from.' }),
});

export const templateSchema = z.object({
  id: z.string().meta({ description: 'The template id.' }),
  title: z.string().meta({ description: 'Its name in the picker.' }),
  body: z.string().meta({ description: 'The reply text.' }),
  updatedAt: iso('When it last changed'),
});

const isoOrNull = (date: Date | null) => date?.toISOString() ?? null;

export function ticketJson(ticket: TicketView) {
  return {
    id: ticket.id,
    number: ticket.number,
    topic: ticket.topic,
    channel: ticket.channel,
    chatState: ticket.chatState,
    status: ticket.status,
    transaction: ticket.transaction,
    assignee: ticket.assignee,
    rating: ticket.rating ? { ...ticket.rating, at: ticket.rating.at.toISOString() } : null,
    lastMessage: ticket.lastMessage
      ? { ...ticket.lastMessage, at: ticket.lastMessage.at.toISOString() }
      : null,
    createdAt: ticket.createdAt.toISOString(),
    updatedAt: ticket.updatedAt.toISOString(),
    resolvedAt: isoOrNull(ticket.resolvedAt),
    closedAt: isoOrNull(ticket.closedAt),
  };
}

export const operatorTicketJson = (ticket: TicketView) => ({ ...ticketJson(ticket), userId: ticket.userId });

export function messageJson(message: MessageView) {
  return {
    id: message.id,
    author: message.author,
    operatorName: message.operatorName,
    body: message.body,
    attachments: message.attachments,
    createdAt: message.createdAt.toISOString(),
  };
}

export const operatorMessageJson = (message: MessageView) => ({
  ...messageJson(message),
  operatorId: message.operatorId,
  templateId: message.templateId,
});

export const conversationJson = (conversation: Conversation) => ({
  ticket: ticketJson(conversation.ticket),
  messages: conversation.messages.map(messageJson),
});

export const templateJson = (template: TemplateView) => ({
  ...template,
  updatedAt: template.updatedAt.toISOString(),
});
