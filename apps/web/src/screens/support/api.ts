/**
 * Customer service (docs/support.md): the holder's tickets and live chats, typed for the screens;
 * the server's routes are apps/server/src/modules/support/routes.ts.
 */
import { api } from '../../api/client.ts';

export const TOPICS = ['account', 'payment', 'card', 'transfer', 'merchant', 'other'] as const;
export type Topic = (typeof TOPICS)[number];
export type TicketStatus = 'open' | 'pending_staff' | 'pending_holder' | 'resolved' | 'closed';
export type ChatState = 'waiting' | 'live' | 'fell_back' | 'ended';

export const MAX_ATTACHMENTS = 3;
export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;
export const MAX_MESSAGE_CHARS = 2000;
export const ATTACHMENT_ACCEPT = 'image/jpeg,image/png,application/pdf';

export interface Attachment {
  id: string;
  fileName: string;
  contentType: 'image/jpeg' | 'image/png' | 'application/pdf';
  sizeBytes: number;
}

export interface Ticket {
  id: string;
  number: string;
  topic: Topic;
  channel: 'ticket' | 'chat';
  chatState: ChatState | null;
  status: TicketStatus;
  transaction: { id: string; summary: Record<string, unknown> | null } | null;
  assignee: { id: string; displayName: string } | null;
  rating: { score: number; comment: string | null; at: string } | null;
  lastMessage: { author: 'holder' | 'operator' | 'system'; body: string; at: string } | null;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  closedAt: string | null;
}

export interface Message {
  id: string;
  author: 'holder' | 'operator' | 'system';
  operatorName: string | null;
  body: string;
  attachments: Attachment[];
  createdAt: string;
}

export interface Conversation {
  ticket: Ticket;
  messages: Message[];
}

export interface ChatHours {
  open: boolean;
  opensAtHour: number;
  closesAtHour: number;
  pickupMinutes: number;
}

export const supportKeys = {
  all: ['support'] as const,
  list: ['support', 'list'] as const,
  ticket: (id: string) => ['support', 'ticket', id] as const,
  hours: ['support', 'hours'] as const,
};

export const fetchTickets = async () =>
  (await api.get<{ tickets: Ticket[] }>('/v1/me/support/tickets')).tickets;

export const fetchConversation = (id: string) =>
  api.get<Conversation>(`/v1/me/support/tickets/${encodeURIComponent(id)}`);

export const fetchChatHours = () => api.get<ChatHours>('/v1/me/support/chat-hours');

export function uploadAttachment(file: File): Promise<Attachment> {
  const form = new FormData();
  form.append('file', file, file.name);
  return api.upload<Attachment>('/v1/me/support/attachments', form);
}

/** The Idempotency-Key is made once per attempt by the caller, so a retry of it is the same. */
export function openTicket(
  body: { topic: Topic; text: string; transactionId?: string; attachmentIds: string[] },
  idempotencyKey: string,
): Promise<Conversation> {
  return api.post<Conversation>('/v1/me/support/tickets', body, {
    headers: { 'idempotency-key': idempotencyKey },
  });
}

export function startChat(
  body: { topic: Topic; text: string },
  idempotencyKey: string,
): Promise<Conversation> {
  return api.post<Conversation>('/v1/me/support/chats', body, {
    headers: { 'idempotency-key': idempotencyKey },
  });
}

export function sendMessage(
  ticketId: string,
  body: { text: string; attachmentIds: string[] },
  idempotencyKey: string,
): Promise<Message> {
  return api.post<Message>(`/v1/me/support/tickets/${encodeURIComponent(ticketId)}/messages`, body, {
    headers: { 'idempotency-key': idempotencyKey },
  });
}

export const closeTicket = (ticketId: string) =>
  api.post<Ticket>(`/v1/me/support/tickets/${encodeURIComponent(ticketId)}/close`);

export const rateTicket = (ticketId: string, body: { score: number; comment?: string }) =>
  api.post<Ticket>(`/v1/me/support/tickets/${encodeURIComponent(ticketId)}/rating`, body);

export const attachmentUrl = (id: string) => `/v1/me/support/attachments/${encodeURIComponent(id)}`;
