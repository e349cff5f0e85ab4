/** The console's customer-service API (docs/support.md): `/v1/operator/support/...`. */
import { consoleRequest } from '../api.ts';

export type TicketStatus = 'open' | 'pending_staff' | 'pending_holder' | 'resolved' | 'closed';
export type ChatState = 'waiting' | 'live' | 'fell_back' | 'ended';
export const TICKET_STATUSES: TicketStatus[] = [
  'open',
  'pending_staff',
  'pending_holder',
  'resolved',
  'closed',
];
/** The queue's status filters: the three open statuses together, each one, or everything. */
export const STATUS_FILTERS = [
  'active',
  'open',
  'pending_staff',
  'pending_holder',
  'resolved',
  'closed',
  'all',
] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

export interface Ticket {
  id: string;
  number: string;
  userId: string;
  topic: string;
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
  operatorId: string | null;
  templateId: string | null;
  body: string;
  attachments: { id: string; fileName: string; contentType: string; sizeBytes: number }[];
  createdAt: string;
}

export interface Template {
  id: string;
  title: string;
  body: string;
  updatedAt: string;
}

export interface Agent {
  id: string;
  username: string;
  displayName: string;
}

export const ticketKeys = {
  all: ['console', 'support'] as const,
  queue: (status: StatusFilter, assignee: string) =>
    ['console', 'support', 'queue', status, assignee] as const,
  one: (id: string) => ['console', 'support', 'ticket', id] as const,
  templates: ['console', 'support', 'templates'] as const,
  agents: ['console', 'support', 'agents'] as const,
};

const base = '/v1/operator/support';
const ticketPath = (id: string) => `${base}/tickets/${encodeURIComponent(id)}`;

export async function fetchQueue(status: StatusFilter, assignee: string): Promise<Ticket[]> {
  const query = new URLSearchParams({ assignee, limit: '200' });
  if (status !== 'active') query.set('status', status);
  return (await consoleRequest<{ tickets: Ticket[] }>('GET', `${base}/tickets?${query.toString()}`)).tickets;
}

export const fetchTicket = (id: string) =>
  consoleRequest<{ ticket: Ticket; messages: Message[] }>('GET', ticketPath(id));

/** `idempotencyKey`: one per answer, kept for a retry after a lost reply (never sent twice). */
export const answerTicket = (
  id: string,
  body: { text?: string; templateId?: string },
  idempotencyKey: string,
) =>
  consoleRequest<Message>('POST', `${ticketPath(id)}/messages`, {
    body,
    headers: { 'idempotency-key': idempotencyKey },
  });

export const ticketAction = (id: string, action: 'claim' | 'resolve' | 'close') =>
  consoleRequest<Ticket>('POST', `${ticketPath(id)}/${action}`, { body: {} });

export const assignTicket = (id: string, operatorId: string) =>
  consoleRequest<Ticket>('POST', `${ticketPath(id)}/assign`, { body: { operatorId } });

export const attachmentUrl = (ticketId: string, attachmentId: string) =>
  `${ticketPath(ticketId)}/attachments/${encodeURIComponent(attachmentId)}`;

export const fetchTemplates = async () =>
  (await consoleRequest<{ templates: Template[] }>('GET', `${base}/templates`)).templates;

export const saveTemplate = (template: { id?: string; title: string; body: string }) =>
  template.id
    ? consoleRequest<Template>('PUT', `${base}/templates/${encodeURIComponent(template.id)}`, {
        body: { title: template.title, body: template.body },
      })
    : consoleRequest<Template>('POST', `${base}/templates`, {
        body: { title: template.title, body: template.body },
      });

export const deleteTemplate = (id: string) =>
  consoleRequest<void>('DELETE', `${base}/templates/${encodeURIComponent(id)}`);

export const fetchAgents = async () =>
  (await consoleRequest<{ agents: Agent[] }>('GET', `${base}/agents`)).agents;

export const STREAM_URL = `${base}/stream`;
