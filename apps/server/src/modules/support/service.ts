import { createHash } from 'node:crypto';
import { derivedId, isUuid, newId } from '@qianbao/ledger';
import { AppError } from '../../errors.ts';
import type { HistoryService } from '../history/index.ts';
import type { NotificationsService } from '../notifications/index.ts';
import { MAX_ATTACHMENTS_PER_MESSAGE, attachmentProblem, cleanFileName, sniffType } from './attachments.ts';
import type { AttachmentType } from './attachments.ts';
import { withinServiceHours } from './hours.ts';
import { consoleLiveKey, push } from './live.ts';
import type { ConsoleChange, SupportLive } from './live.ts';
import { isOpen, mayRate, nextStatus } from './machine.ts';
import type { TicketEvent, TicketStatus } from './machine.ts';
import type { SupportSettings } from './module.ts';
import type {
  AgentRow,
  AttachmentRow,
  Author,
  Channel,
  ChatState,
  MessageRow,
  SupportStore,
  TemplateRow,
  TicketRow,
  Topic,
} from './store.ts';
import type pg from 'pg';

export const TOPICS = [
  'account',
  'payment',
  'card',
  'transfer',
  'merchant',
  'other',
] as const satisfies Topic[];

/** System messages are keys the apps render in the reader's language. */
export const SYSTEM_MESSAGES = {
  chatOutsideHours: 'chat_outside_hours',
  chatNoPickup: 'chat_no_pickup',
} as const;

/** Console streams count as open this long after their last heartbeat (wall time). */
const STREAMING_GRACE_MS = 2 * 60_000;
const LOOSE_ATTACHMENT_HOURS = 24;

/**
 * An operator's audit entry for a ticket change (`support.*`), appended inside the change's
 * transaction: the change and its entry commit together, and a repeat (nothing changed) writes none.
 */
export type TicketAudit = (
  client: pg.PoolClient,
  ticket: { id: string; status: TicketStatus },
) => Promise<void>;

export interface AttachmentView {
  id: string;
  fileName: string;
  contentType: AttachmentType;
  sizeBytes: number;
}

export interface MessageView {
  id: string;
  author: Author;
  /** Who answered (operators' display names; null for the holder and the system). */
  operatorName: string | null;
  operatorId: string | null;
  body: string;
  templateId: string | null;
  attachments: AttachmentView[];
  createdAt: Date;
}

export interface TicketView {
  id: string;
  /** The number people read out (工单号). */
  number: string;
  userId: string;
  topic: Topic;
  channel: Channel;
  chatState: ChatState | null;
  status: TicketStatus;
  transaction: { id: string; summary: Record<string, unknown> | null } | null;
  assignee: { id: string; displayName: string } | null;
  rating: { score: number; comment: string | null; at: Date } | null;
  lastMessage: { author: Author; body: string; at: Date } | null;
  createdAt: Date;
  updatedAt: Date;
  resolvedAt: Date | null;
  closedAt: Date | null;
}

export interface Conversation {
  ticket: TicketView;
  messages: MessageView[];
}

export interface OperatorRef {
  id: string;
  username: string;
  displayName: string;
}

export interface TemplateView {
  id: string;
  title: string;
  body: string;
  updatedAt: Date;
}

export interface SupportServiceDeps {
  store: SupportStore;
  settings: SupportSettings;
  history: Pick<HistoryService, 'get'>;
  notifications: Pick<NotificationsService, 'notify'>;
  live: SupportLive;
  now: () => Date;
  /** Wall time, for whether a console stream is still open (not the business clock). */
  wallClock?: () => Date;
  log: { warn(object: object, message: string): void };
}

/** The support module's rules; no HTTP here. Time comes from `now`, so tests can move it. */
export class SupportService {
  constructor(private readonly deps: SupportServiceDeps) {}

  private get store(): SupportStore {
    return this.deps.store;
  }

  // ---- for other modules -----------------------------------------------------------------------

  /** A holder's tickets and chats, most recently changed first (the console's holder page). */
  async ticketsOfHolder(userId: string): Promise<TicketView[]> {
    if (!isUuid(userId)) return [];
    return (await this.store.listOfHolder(userId, 200)).map(ticketView);
  }

  /** How many tickets are open, pending staff or pending the holder (the dashboard). */
  async openCount(): Promise<number> {
    return this.store.countOpen();
  }

  // ---- holders ---------------------------------------------------------------------------------

  /** Store an upload (before the message that names it); checked by its bytes. */
  async upload(input: {
    userId: string;
    fileName: string | undefined;
    declaredType: string;
    content: Buffer;
  }): Promise<AttachmentView> {
    const problem = attachmentProblem({
      declaredType: input.declaredType,
      content: input.content,
      maxBytes: this.deps.settings.attachmentMaxBytes,
    });
    if (problem) {
      throw new AppError('SUPPORT_ATTACHMENT_INVALID', {
        details: { problem, maxBytes: this.deps.settings.attachmentMaxBytes },
      });
    }
    const type = sniffType(input.content)!;
    const row: AttachmentRow = {
      id: newId(),
      user_id: input.userId,
      message_id: null,
      file_name: cleanFileName(input.fileName, type),
      content_type: type,
      size_bytes: input.content.length,
      created_at: this.deps.now(),
    };
    await this.store.insertAttachment({
      ...row,
      sha256: createHash('sha256').update(input.content).digest(),
      content: input.content,
    });
    return attachmentView(row);
  }

  /** The holder's own upload's bytes. */
  async holderAttachment(input: { userId: string; id: string }) {
    const found = isUuid(input.id) ? await this.store.attachmentContent(input) : null;
    if (!found) throw new AppError('SUPPORT_ATTACHMENT_NOT_FOUND');
    return found;
  }

  /**
   * Open a ticket, or start a chat (`channel: 'chat'`): within service hours it waits for an
   * operator; outside them it is a ticket at once, and the holder is told. `id` comes from the
   * request's Idempotency-Key: the same request again finds the ticket it made.
   */
  async open(input: {
    id: string;
    userId: string;
    walletAccountId: string;
    channel: Channel;
    topic: Topic;
    text: string;
    transactionId: string | null;
    attachmentIds: string[];
  }): Promise<Conversation> {
    const text = this.checkedText(input.text);
    this.checkAttachmentCount(input.attachmentIds);
    const transactionSummary = input.transactionId
      ? await this.transactionSummary(input.userId, input.walletAccountId, input.transactionId)
      : null;
    const at = this.deps.now();
    const chatState: ChatState | null =
      input.channel === 'chat'
        ? withinServiceHours(at, {
            opensAtHour: this.deps.settings.chatOpensAtHour,
            closesAtHour: this.deps.settings.chatClosesAtHour,
          })
          ? 'waiting'
          : 'fell_back'
        : null;
    const created = await this.store.transaction(async (client) => {
      await this.store.lockHolder(client, input.userId);
      if (await this.store.getTicket(client, input.id, input.userId)) return false; // made already
      const open = await this.store.countOpenOfHolder(client, input.userId);
      if (open >= this.deps.settings.maxOpenTickets) {
        throw new AppError('SUPPORT_TOO_MANY_OPEN_TICKETS', {
          details: { max: this.deps.settings.maxOpenTickets },
        });
      }
      await this.store.insertTicket(client, {
        id: input.id,
        user_id: input.userId,
        topic: input.topic,
        channel: input.channel,
        chat_state: chatState,
        transaction_id: input.transactionId,
        transaction_summary: transactionSummary,
        created_at: at,
      });
      const messageId = derivedId(`support.ticket\u0000${input.id}\u0000first`);
      await this.store.insertMessage(client, {
        id: messageId,
        ticket_id: input.id,
        author: 'holder',
        operator_id: null,
        body: text,
        template_id: null,
        created_at: at,
      });
      if (!(await this.store.attach(client, { userId: input.userId, messageId, ids: input.attachmentIds }))) {
        throw new AppError('SUPPORT_ATTACHMENT_UNAVAILABLE');
      }
      if (chatState === 'fell_back') {
        await this.store.insertMessage(client, {
          id: derivedId(`support.ticket\u0000${input.id}\u0000fell_back`),
          ticket_id: input.id,
          author: 'system',
          operator_id: null,
          body: SYSTEM_MESSAGES.chatOutsideHours,
          template_id: null,
          // Just after the holder's first message, so it reads after it.
          created_at: new Date(at.getTime() + 1),
        });
      }
      return true;
    });
    const conversation = await this.conversation({ id: input.id, userId: input.userId });
    if (created) {
      await this.toConsole(conversation.ticket, 'created');
      if (chatState === 'fell_back') await this.toldChatFellBack(conversation.ticket, 'outsideHours');
    }
    return conversation;
  }

  async holderTickets(userId: string): Promise<TicketView[]> {
    return this.ticketsOfHolder(userId);
  }

  /** One ticket with its messages; another holder's is 404. */
  async conversation(input: { id: string; userId?: string }): Promise<Conversation> {
    if (!isUuid(input.id)) throw new AppError('SUPPORT_TICKET_NOT_FOUND');
    const ticket = await this.store.getTicket(this.store.pool, input.id, input.userId);
    if (!ticket) throw new AppError('SUPPORT_TICKET_NOT_FOUND');
    const [messages, attachments] = await Promise.all([
      this.store.messagesOf(this.store.pool, input.id),
      this.store.attachmentsOfTicket(this.store.pool, input.id),
    ]);
    return { ticket: ticketView(ticket), messages: messages.map((m) => messageView(m, attachments)) };
  }

  async holderMessage(input: {
    id: string;
    userId: string;
    ticketId: string;
    text: string;
    attachmentIds: string[];
  }): Promise<MessageView> {
    const text = this.checkedText(input.text);
    this.checkAttachmentCount(input.attachmentIds);
    const { ticket } = await this.change({
      ticketId: input.ticketId,
      userId: input.userId,
      event: 'holder_message',
      work: async (client) => {
        const inserted = await this.store.insertMessage(client, {
          id: input.id,
          ticket_id: input.ticketId,
          author: 'holder',
          operator_id: null,
          body: text,
          template_id: null,
          created_at: this.deps.now(),
        });
        if (!inserted) return false; // the same request again
        if (
          !(await this.store.attach(client, {
            userId: input.userId,
            messageId: input.id,
            ids: input.attachmentIds,
          }))
        )
          throw new AppError('SUPPORT_ATTACHMENT_UNAVAILABLE');
        return true;
      },
    });
    if (ticket) await this.toConsole(ticket, 'message');
    return this.message(input.id, input.ticketId);
  }

  async holderClose(input: { userId: string; ticketId: string }): Promise<TicketView> {
    const { ticket } = await this.change({ ticketId: input.ticketId, userId: input.userId, event: 'close' });
    if (ticket) await this.toConsole(ticket, 'status');
    return (await this.conversation({ id: input.ticketId, userId: input.userId })).ticket;
  }

  /** The satisfaction rating, once, when resolved or closed. */
  async rate(input: {
    userId: string;
    ticketId: string;
    score: number;
    comment: string | null;
  }): Promise<TicketView> {
    if (!isUuid(input.ticketId)) throw new AppError('SUPPORT_TICKET_NOT_FOUND');
    await this.store.transaction(async (client) => {
      if (!(await this.store.lockTicket(client, input.ticketId, input.userId)))
        throw new AppError('SUPPORT_TICKET_NOT_FOUND');
      const ticket = (await this.store.getTicket(client, input.ticketId))!;
      if (ticket.rating !== null) throw new AppError('SUPPORT_ALREADY_RATED');
      if (!mayRate(ticket.status))
        throw new AppError('SUPPORT_TICKET_STATE', { details: { status: ticket.status } });
      const at = this.deps.now();
      await this.store.updateTicket(
        client,
        input.ticketId,
        { rating: input.score, rating_comment: input.comment, rated_at: at },
        at,
      );
    });
    const { ticket } = await this.conversation({ id: input.ticketId, userId: input.userId });
    await this.toConsole(ticket, 'status');
    return ticket;
  }

  chatHours(): { open: boolean; opensAtHour: number; closesAtHour: number; pickupMinutes: number } {
    const hours = {
      opensAtHour: this.deps.settings.chatOpensAtHour,
      closesAtHour: this.deps.settings.chatClosesAtHour,
    };
    return {
      open: withinServiceHours(this.deps.now(), hours),
      ...hours,
      pickupMinutes: this.deps.settings.chatPickupMinutes,
    };
  }

  // ---- operators -------------------------------------------------------------------------------

  /** Every support request of an operator lists them (the assignee picker, console pushes). */
  async seeAgent(operator: OperatorRef): Promise<void> {
    await this.store.seeAgent(operator, this.deps.now());
  }

  async queue(filter: {
    statuses: TicketStatus[] | null;
    /** `any`, `none`, `me` or an operator id. */
    assignee: string;
    channel: Channel | null;
    userId: string | null;
    limit: number;
    operatorId: string;
  }): Promise<TicketView[]> {
    const assignee: { kind: 'any' } | { kind: 'none' } | { kind: 'operator'; id: string } =
      filter.assignee === 'any'
        ? { kind: 'any' }
        : filter.assignee === 'none'
          ? { kind: 'none' }
          : { kind: 'operator', id: filter.assignee === 'me' ? filter.operatorId : filter.assignee };
    if (assignee.kind === 'operator' && !isUuid(assignee.id)) return [];
    if (filter.userId !== null && !isUuid(filter.userId)) return [];
    return (
      await this.store.queue({
        statuses: filter.statuses,
        assignee,
        channel: filter.channel,
        userId: filter.userId,
        limit: filter.limit,
      })
    ).map(ticketView);
  }

  async operatorMessage(input: {
    id: string;
    operator: OperatorRef;
    ticketId: string;
    text: string | null;
    templateId: string | null;
    audit: TicketAudit;
  }): Promise<MessageView> {
    let body = input.text?.trim() ?? '';
    if (input.templateId !== null) {
      const template = isUuid(input.templateId) ? await this.store.template(input.templateId) : null;
      if (!template) throw new AppError('SUPPORT_TEMPLATE_NOT_FOUND');
      if (!body) body = template.body;
    }
    body = this.checkedText(body);
    const { ticket, before } = await this.change({
      ticketId: input.ticketId,
      event: 'operator_message',
      audit: input.audit,
      work: async (client, current) => {
        const inserted = await this.store.insertMessage(client, {
          id: input.id,
          ticket_id: input.ticketId,
          author: 'operator',
          operator_id: input.operator.id,
          body,
          template_id: input.templateId,
          created_at: this.deps.now(),
        });
        if (!inserted) return false;
        // Answering a ticket nobody has takes it; answering a waiting chat picks it up.
        const changes: { assignee_id?: string; chat_state?: ChatState } = {};
        if (current.assignee_id === null) changes.assignee_id = input.operator.id;
        if (current.chat_state === 'waiting') changes.chat_state = 'live';
        return changes;
      },
    });
    const message = await this.message(input.id, input.ticketId);
    if (ticket) {
      await this.toConsole(ticket, 'message');
      if (ticket.channel === 'chat' && (ticket.chatState === 'live' || before?.chat_state === 'waiting')) {
        this.toHolder(ticket, 'support.chat_message', { messageId: input.id });
      } else {
        await this.deps.notifications.notify(
          ticket.userId,
          {
            kind: 'support.reply',
            params: { ticketId: ticket.id, number: ticket.number, messageId: input.id },
            title: {
              'zh-CN': `客服回复了你的工单 #${ticket.number}`,
              en: `Customer service replied to ticket #${ticket.number}`,
            },
            body: { 'zh-CN': preview(body), en: preview(body) },
          },
          { id: derivedId(`support.notice\u0000${input.id}`) },
        );
      }
    }
    return message;
  }

  /** Take a ticket (or pick up a waiting chat): refused when another operator has it. */
  async claim(input: { operator: OperatorRef; ticketId: string; audit: TicketAudit }): Promise<TicketView> {
    const { ticket } = await this.change({
      ticketId: input.ticketId,
      event: null,
      audit: input.audit,
      work: (_client, current) => {
        if (current.assignee_id !== null && current.assignee_id !== input.operator.id)
          throw new AppError('SUPPORT_TICKET_TAKEN', { details: { assigneeId: current.assignee_id } });
        if (current.status === 'closed')
          throw new AppError('SUPPORT_TICKET_STATE', { details: { status: current.status } });
        if (current.assignee_id === input.operator.id && current.chat_state !== 'waiting') return false;
        return {
          assignee_id: input.operator.id,
          ...(current.chat_state === 'waiting' ? { chat_state: 'live' as const } : {}),
        };
      },
    });
    if (ticket) {
      await this.toConsole(ticket, 'assigned');
      if (ticket.chatState === 'live') this.toHolder(ticket, 'support.chat_live', {});
    }
    return (await this.conversation({ id: input.ticketId })).ticket;
  }

  /** Give a ticket to another support operator (or take it back from one). */
  async assign(input: { ticketId: string; assigneeId: string; audit: TicketAudit }): Promise<TicketView> {
    const agent = isUuid(input.assigneeId) ? await this.store.agent(input.assigneeId) : null;
    if (!agent) throw new AppError('SUPPORT_AGENT_NOT_FOUND');
    const { ticket } = await this.change({
      ticketId: input.ticketId,
      event: null,
      audit: input.audit,
      work: (_client, current) => {
        if (current.status === 'closed')
          throw new AppError('SUPPORT_TICKET_STATE', { details: { status: current.status } });
        if (current.assignee_id === agent.operator_id) return false;
        return {
          assignee_id: agent.operator_id,
          ...(current.chat_state === 'waiting' ? { chat_state: 'live' as const } : {}),
        };
      },
    });
    if (ticket) {
      await this.toConsole(ticket, 'assigned');
      if (ticket.chatState === 'live') this.toHolder(ticket, 'support.chat_live', {});
    }
    return (await this.conversation({ id: input.ticketId })).ticket;
  }

  async resolve(input: { ticketId: string; audit: TicketAudit }): Promise<TicketView> {
    const { ticket } = await this.change({ ticketId: input.ticketId, event: 'resolve', audit: input.audit });
    if (ticket) {
      await this.toConsole(ticket, 'status');
      await this.deps.notifications.notify(
        ticket.userId,
        {
          kind: 'support.resolved',
          params: { ticketId: ticket.id, number: ticket.number },
          title: { 'zh-CN': `工单 #${ticket.number} 已解决`, en: `Ticket #${ticket.number} is resolved` },
          body: {
            'zh-CN': '如果问题仍未解决，可以继续留言；也欢迎为本次服务评分。',
            en: 'Write again if it is not solved — and tell us how we did.',
          },
        },
        {
          id: derivedId(
            `support.notice\u0000${ticket.id}\u0000resolved\u0000${ticket.resolvedAt?.toISOString()}`,
          ),
        },
      );
    }
    return (await this.conversation({ id: input.ticketId })).ticket;
  }

  async operatorClose(input: { ticketId: string; audit: TicketAudit }): Promise<TicketView> {
    const { ticket } = await this.change({ ticketId: input.ticketId, event: 'close', audit: input.audit });
    if (ticket) {
      await this.toConsole(ticket, 'status');
      this.toHolder(ticket, 'support.status', {});
    }
    return (await this.conversation({ id: input.ticketId })).ticket;
  }

  async agents(): Promise<AgentRow[]> {
    return this.store.agents();
  }

  /** An attachment of this ticket, for an operator (the route audits the view). */
  async operatorAttachment(input: { ticketId: string; id: string }) {
    const found =
      isUuid(input.id) && isUuid(input.ticketId)
        ? await this.store.attachmentContent({ id: input.id, ticketId: input.ticketId })
        : null;
    if (!found || found.message_id === null) throw new AppError('SUPPORT_ATTACHMENT_NOT_FOUND');
    return found;
  }

  // ---- templates -------------------------------------------------------------------------------

  async templates(): Promise<TemplateView[]> {
    return (await this.store.templates()).map(templateView);
  }

  /** Each template change takes its audit entry, appended in the change's transaction. */
  async createTemplate(input: {
    title: string;
    body: string;
    audit: (client: pg.PoolClient, template: TemplateView) => Promise<void>;
  }): Promise<TemplateView> {
    const row = await this.store.insertTemplate(
      { id: newId(), title: input.title, body: input.body, at: this.deps.now() },
      (client, written) => input.audit(client, templateView(written)),
    );
    return templateView(row);
  }

  async updateTemplate(input: {
    id: string;
    title: string;
    body: string;
    audit: (client: pg.PoolClient, template: TemplateView) => Promise<void>;
  }): Promise<TemplateView> {
    const row = isUuid(input.id)
      ? await this.store.updateTemplate(
          { id: input.id, title: input.title, body: input.body, at: this.deps.now() },
          (client, written) => input.audit(client, templateView(written)),
        )
      : null;
    if (!row) throw new AppError('SUPPORT_TEMPLATE_NOT_FOUND');
    return templateView(row);
  }

  async deleteTemplate(input: {
    id: string;
    audit: (client: pg.PoolClient) => Promise<void>;
  }): Promise<void> {
    if (!isUuid(input.id) || !(await this.store.deleteTemplate(input.id, this.deps.now(), input.audit)))
      throw new AppError('SUPPORT_TEMPLATE_NOT_FOUND');
  }

  // ---- live ------------------------------------------------------------------------------------

  /** An operator's console stream is open (now and on every heartbeat). */
  async streaming(operatorId: string): Promise<void> {
    await this.store.markStreaming(operatorId, new Date(this.wallNow().getTime() + STREAMING_GRACE_MS));
  }

  // ---- the job ---------------------------------------------------------------------------------

  /**
   * Every minute: chats nobody picked up within the pickup time (or still waiting when service
   * hours end) become tickets and their holders are told; resolved tickets nobody reopened are
   * closed after the auto-close days; uploads never attached are deleted after a day. Each step
   * is a compare-and-set: a run repeated (at least once delivery) changes nothing more.
   */
  async sweep(): Promise<{ fellBack: number; closed: number; loose: number }> {
    const at = this.deps.now();
    const pickupBefore = withinServiceHours(at, {
      opensAtHour: this.deps.settings.chatOpensAtHour,
      closesAtHour: this.deps.settings.chatClosesAtHour,
    })
      ? new Date(at.getTime() - this.deps.settings.chatPickupMinutes * 60_000)
      : at;
    let fellBack = 0;
    for (const ticketId of await this.store.waitingChats(pickupBefore, 500)) {
      const ticket = await this.fallBack(ticketId);
      if (ticket) {
        fellBack++;
        await this.toConsole(ticket, 'status');
        await this.toldChatFellBack(ticket, 'noPickup');
      }
    }
    const closed = await this.store.closeResolvedBefore(
      new Date(at.getTime() - this.deps.settings.autoCloseDays * 86_400_000),
      at,
    );
    const loose = await this.store.deleteLooseAttachments(
      new Date(at.getTime() - LOOSE_ATTACHMENT_HOURS * 3_600_000),
    );
    return { fellBack, closed: closed.length, loose };
  }

  private async fallBack(ticketId: string): Promise<TicketView | null> {
    const moved = await this.store.transaction(async (client) => {
      await this.store.lockTicket(client, ticketId);
      const current = (await this.store.getTicket(client, ticketId))!;
      if (current.chat_state !== 'waiting') return false; // picked up meanwhile, or done already
      const at = this.deps.now();
      await this.store.updateTicket(client, ticketId, { chat_state: 'fell_back' }, at);
      await this.store.insertMessage(client, {
        id: derivedId(`support.ticket\u0000${ticketId}\u0000fell_back`),
        ticket_id: ticketId,
        author: 'system',
        operator_id: null,
        body: SYSTEM_MESSAGES.chatNoPickup,
        template_id: null,
        created_at: at,
      });
      return true;
    });
    return moved ? (await this.conversation({ id: ticketId })).ticket : null;
  }

  // ---- inside ----------------------------------------------------------------------------------

  /**
   * One change of a ticket under its row lock: the status the machine gives for `event` (null:
   * no status change), then `work` — false: nothing happened (a repeat), an object: more columns
   * to set. Answers the ticket after a change, null after a repeat. `audit` (an operator's
   * change) runs after the change, in its transaction; never after a repeat.
   */
  private async change(input: {
    ticketId: string;
    userId?: string;
    event: TicketEvent | null;
    audit?: TicketAudit;
    work?: (
      client: pg.PoolClient,
      current: TicketRow,
    ) =>
      | Promise<boolean | Partial<{ assignee_id: string; chat_state: ChatState }>>
      | boolean
      | Partial<{ assignee_id: string; chat_state: ChatState }>;
  }): Promise<{ ticket: TicketView | null; before: TicketRow | null }> {
    if (!isUuid(input.ticketId)) throw new AppError('SUPPORT_TICKET_NOT_FOUND');
    const before = await this.store.transaction(async (client) => {
      if (!(await this.store.lockTicket(client, input.ticketId, input.userId)))
        throw new AppError('SUPPORT_TICKET_NOT_FOUND');
      const current = (await this.store.getTicket(client, input.ticketId))!;
      const status = input.event ? nextStatus(current.status, input.event) : current.status;
      if (status === null)
        throw new AppError('SUPPORT_TICKET_STATE', { details: { status: current.status } });
      const done = input.work ? await input.work(client, current) : true;
      if (done === false) return null;
      const at = this.deps.now();
      const extra = typeof done === 'object' ? done : {};
      const ending = current.channel === 'chat' && (status === 'resolved' || status === 'closed');
      await this.store.updateTicket(
        client,
        input.ticketId,
        {
          ...extra,
          status,
          ...(status === 'resolved' && current.status !== 'resolved' ? { resolved_at: at } : {}),
          ...(status !== 'resolved' && current.status === 'resolved' ? { resolved_at: null } : {}),
          ...(status === 'closed' ? { closed_at: at } : {}),
          ...(ending && (current.chat_state === 'waiting' || current.chat_state === 'live')
            ? { chat_state: 'ended' as const }
            : {}),
        },
        at,
      );
      await input.audit?.(client, { id: current.id, status });
      return current;
    });
    if (!before) return { ticket: null, before: null };
    return { ticket: (await this.conversation({ id: input.ticketId })).ticket, before };
  }

  private async message(id: string, ticketId: string): Promise<MessageView> {
    const row = await this.store.getMessage(this.store.pool, id);
    if (!row || row.ticket_id !== ticketId) throw new AppError('SUPPORT_TICKET_NOT_FOUND');
    const attachments = await this.store.attachmentsOfTicket(this.store.pool, ticketId);
    return messageView(row, attachments);
  }

  private checkedText(text: string): string {
    const trimmed = text.trim();
    if (trimmed.length === 0) throw new AppError('VALIDATION_FAILED', { details: { field: 'text' } });
    if (trimmed.length > this.deps.settings.maxMessageChars)
      throw new AppError('SUPPORT_MESSAGE_TOO_LONG', {
        details: { max: this.deps.settings.maxMessageChars },
      });
    return trimmed;
  }

  private checkAttachmentCount(ids: string[]): void {
    if (ids.length > MAX_ATTACHMENTS_PER_MESSAGE || new Set(ids).size !== ids.length || !ids.every(isUuid))
      throw new AppError('SUPPORT_ATTACHMENT_UNAVAILABLE', { details: { max: MAX_ATTACHMENTS_PER_MESSAGE } });
  }

  private async transactionSummary(userId: string, walletAccountId: string, id: string) {
    const { transaction } = await this.deps.history.get({ userId, walletAccountId, id });
    return {
      label: transaction.label,
      direction: transaction.direction,
      amount: transaction.amountMinor.toString(),
      currency: transaction.currency,
      status: transaction.status,
      counterparty: transaction.counterparty?.displayName ?? null,
      createdAt: transaction.createdAt.toISOString(),
    };
  }

  private async toldChatFellBack(ticket: TicketView, why: 'outsideHours' | 'noPickup'): Promise<void> {
    const zh =
      why === 'outsideHours'
        ? `现在不在在线客服时间（${this.hoursText()}），你的咨询已转为工单 #${ticket.number}，客服会尽快回复。`
        : `暂时没有客服接入，你的咨询已转为工单 #${ticket.number}，客服会尽快回复。`;
    const en =
      why === 'outsideHours'
        ? `Live chat is closed now (${this.hoursText()}); your chat is ticket #${ticket.number} and we will answer soon.`
        : `No one could take your chat just now; it is ticket #${ticket.number} and we will answer soon.`;
    await this.deps.notifications.notify(
      ticket.userId,
      {
        kind: 'support.chat_fell_back',
        params: { ticketId: ticket.id, number: ticket.number, why },
        title: { 'zh-CN': '在线咨询已转为工单', en: 'Your chat is now a ticket' },
        body: { 'zh-CN': zh, en },
      },
      { id: derivedId(`support.notice\u0000${ticket.id}\u0000fell_back`) },
    );
  }

  private hoursText(): string {
    const pad = (hour: number) => `${String(hour).padStart(2, '0')}:00`;
    return `${pad(this.deps.settings.chatOpensAtHour)}–${pad(this.deps.settings.chatClosesAtHour)}`;
  }

  private toHolder(ticket: TicketView, kind: string, params: Record<string, unknown>): void {
    void this.deps.live
      .publish(
        ticket.userId,
        push(
          kind,
          { ticketId: ticket.id, status: ticket.status, chatState: ticket.chatState, ...params },
          this.deps.now(),
        ),
      )
      .catch((error: unknown) => this.deps.log.warn({ err: error }, 'support: a holder push failed'));
  }

  private async toConsole(ticket: TicketView, change: ConsoleChange): Promise<void> {
    try {
      const operators = await this.store.streamingAgents(this.wallNow());
      const params = { ticketId: ticket.id, change, status: ticket.status, chatState: ticket.chatState };
      await Promise.all(
        operators.map((id) =>
          this.deps.live.publish(consoleLiveKey(id), push('support.ticket', params, this.deps.now())),
        ),
      );
    } catch (error) {
      // A push is transient: the console reads the queue again anyway.
      this.deps.log.warn({ err: error }, 'support: a console push failed');
    }
  }

  private wallNow(): Date {
    return (this.deps.wallClock ?? (() => new Date()))();
  }
}

function preview(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

function attachmentView(row: AttachmentRow): AttachmentView {
  return { id: row.id, fileName: row.file_name, contentType: row.content_type, sizeBytes: row.size_bytes };
}

function templateView(row: TemplateRow): TemplateView {
  return { id: row.id, title: row.title, body: row.body, updatedAt: row.updated_at };
}

function messageView(row: MessageRow, attachments: AttachmentRow[]): MessageView {
  return {
    id: row.id,
    author: row.author,
    operatorName: row.author === 'operator' ? (row.operator_name ?? '客服') : null,
    operatorId: row.operator_id,
    body: row.body,
    templateId: row.template_id,
    attachments: attachments.filter((a) => a.message_id === row.id).map(attachmentView),
    createdAt: row.created_at,
  };
}

export function ticketView(row: TicketRow): TicketView {
  return {
    id: row.id,
    number: row.number.toString(),
    userId: row.user_id,
    topic: row.topic,
    channel: row.channel,
    chatState: row.chat_state,
    status: row.status,
    transaction: row.transaction_id ? { id: row.transaction_id, summary: row.transaction_summary } : null,
    assignee: row.assignee_id ? { id: row.assignee_id, displayName: row.assignee_name ?? '' } : null,
    rating:
      row.rating !== null && row.rated_at
        ? { score: row.rating, comment: row.rating_comment, at: row.rated_at }
        : null,
    lastMessage:
      row.last_author && row.last_body !== null && row.last_at
        ? { author: row.last_author, body: row.last_body, at: row.last_at }
        : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    resolvedAt: row.resolved_at,
    closedAt: row.closed_at,
  };
}

export { isOpen };
