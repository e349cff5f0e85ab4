/**
 * 客服 (docs/support.md): my tickets (`/support`), opening one (`/support/new`, with
 * `?transaction=<historyId>` about a transaction), a conversation (`/support/:id`, live through
 * the inbox stream the app already has), and live chat (`/support/chat`) — during service hours
 * an operator picks it up; outside them, or when nobody does within a few minutes, it becomes a
 * ticket and the holder is told.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Selector, Tag, TextArea, Toast } from 'antd-mobile';
import { useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { ApiError, errorMessage } from '../../api/client.ts';
import { FilePicker } from '../../components/FilePicker.tsx';
import { Page } from '../../components/Page.tsx';
import { LoadFailed, Loading } from '../../components/States.tsx';
import i18n, { currentLanguage } from '../../i18n/index.ts';
import { formatDateTime } from '../../lib/format.ts';
import {
  ATTACHMENT_ACCEPT,
  MAX_ATTACHMENTS,
  MAX_ATTACHMENT_BYTES,
  MAX_MESSAGE_CHARS,
  TOPICS,
  attachmentUrl,
  closeTicket,
  fetchChatHours,
  fetchConversation,
  fetchTickets,
  openTicket,
  rateTicket,
  sendMessage,
  startChat,
  supportKeys,
  uploadAttachment,
} from './api.ts';
import type { Attachment, ChatHours, Message, Ticket, Topic } from './api.ts';
import { PaperclipIcon } from './SupportIcon.tsx';
import './support.css';

/**
 * A refusal the server kept for the request's Idempotency-Key (a 4xx): the next attempt, with
 * changed input, needs a new key. A lost answer or a 5xx keeps the key, so retrying it is the
 * same request (never a second ticket or message).
 */
function isDefinitive(error: unknown): boolean {
  return error instanceof ApiError && error.status >= 400 && error.status < 500;
}

/** Pushes arrive through the inbox stream; reading again this often covers a dropped one. */
const LIVE_FALLBACK_MS = 15_000;

// ---- my tickets ----------------------------------------------------------------------------------

export function SupportTickets() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  useSupportLive(null);
  const tickets = useQuery({
    queryKey: supportKeys.list,
    queryFn: fetchTickets,
    refetchInterval: LIVE_FALLBACK_MS,
  });
  return (
    <Page title={t('support.title')} backTo="/me">
      <section className="cs-actions" aria-label={t('support.contact')}>
        <Button color="primary" shape="rounded" size="large" onClick={() => void navigate('/support/chat')}>
          {t('support.chat.start')}
        </Button>
        <Button shape="rounded" size="large" onClick={() => void navigate('/support/new')}>
          {t('support.new.title')}
        </Button>
      </section>
      <p className="cs-help-link">
        <Link to="/help">{t('support.faq')}</Link>
      </p>
      <h2 className="cs-section-title">{t('support.mine')}</h2>
      {tickets.isPending ? (
        <Loading />
      ) : tickets.isError ? (
        <LoadFailed error={tickets.error} onRetry={() => void tickets.refetch()} />
      ) : tickets.data.length === 0 ? (
        <p className="cs-empty">{t('support.empty')}</p>
      ) : (
        <ul className="cs-list" data-testid="support-list">
          {tickets.data.map((ticket) => (
            <li key={ticket.id}>
              <Link to={`/support/${ticket.id}`} className="cs-list-item" data-testid="support-list-item">
                <span className="cs-list-main">
                  <span className="cs-list-title">
                    {t(`support.topic.${ticket.topic}`)}
                    {ticket.channel === 'chat' ? (
                      <span className="cs-chip">{t('support.chatChip')}</span>
                    ) : null}
                  </span>
                  <span className="cs-list-sub">{lastLine(ticket)}</span>
                  <span className="cs-list-time">
                    {t('support.number', { number: ticket.number })} · {formatDateTime(ticket.updatedAt)}
                  </span>
                </span>
                <StatusTag ticket={ticket} />
              </Link>
            </li>
          ))}
        </ul>
      )}
    </Page>
  );
}

function lastLine(ticket: Ticket): string {
  const last = ticket.lastMessage;
  if (!last) return '';
  const text = last.author === 'system' ? systemText(last.body) : last.body;
  const who = last.author === 'operator' ? `${i18nT('support.staff')}：` : '';
  return `${who}${text}`;
}

// i18n outside components (list lines): the same instance react-i18next uses.
const i18nT = (key: string, options?: Record<string, unknown>) => i18n.t(key, options);
const systemText = (key: string) => i18nT(`support.system.${key}`, { defaultValue: key });

export function StatusTag(props: { ticket: Ticket }) {
  const { t } = useTranslation();
  const { ticket } = props;
  const waitingChat = ticket.channel === 'chat' && ticket.chatState === 'waiting';
  const liveChat = ticket.channel === 'chat' && ticket.chatState === 'live';
  const label = waitingChat
    ? t('support.chatState.waiting')
    : liveChat
      ? t('support.chatState.live')
      : t(`support.status.${ticket.status}`);
  const color =
    ticket.status === 'pending_holder' || liveChat
      ? 'primary'
      : ticket.status === 'resolved'
        ? 'success'
        : ticket.status === 'closed'
          ? 'default'
          : 'warning';
  return (
    <Tag color={color} fill="outline" className="cs-status" data-testid="support-status">
      {label}
    </Tag>
  );
}

// ---- open a ticket -------------------------------------------------------------------------------

export function SupportNew() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [search] = useSearchParams();
  const transactionId = search.get('transaction') ?? undefined;
  const [topic, setTopic] = useState<Topic>(transactionId ? 'payment' : 'account');
  const [text, setText] = useState('');
  const [files, setFiles] = useState<Attachment[]>([]);
  // One key per attempt: pressing again after a lost answer finds the same ticket.
  const attempt = useRef(crypto.randomUUID());
  const open = useMutation({
    mutationFn: () =>
      openTicket(
        {
          topic,
          text: text.trim(),
          ...(transactionId ? { transactionId } : {}),
          attachmentIds: files.map((file) => file.id),
        },
        attempt.current,
      ),
    onSuccess: (conversation) => {
      void queryClient.invalidateQueries({ queryKey: supportKeys.all });
      Toast.show({ content: t('support.new.done', { number: conversation.ticket.number }) });
      void navigate(`/support/${conversation.ticket.id}`, { replace: true });
    },
    onError: (error) => {
      if (isDefinitive(error)) attempt.current = crypto.randomUUID();
    },
  });
  return (
    <Page title={t('support.new.title')} backTo="/support">
      <form
        className="cs-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (text.trim() && !open.isPending) open.mutate();
        }}
      >
        {transactionId ? (
          <p className="cs-about" data-testid="support-about-transaction">
            {t('support.new.aboutTransaction')}
            <Link to={`/history/${encodeURIComponent(transactionId)}`}>
              {t('support.new.seeTransaction')}
            </Link>
          </p>
        ) : null}
        <TopicPicker value={topic} onChange={setTopic} />
        <div className="cs-field">
          <label className="cs-label" htmlFor="cs-new-text">
            {t('support.new.describe')}
          </label>
          <TextArea
            id="cs-new-text"
            value={text}
            onChange={setText}
            placeholder={t('support.new.placeholder')}
            rows={5}
            maxLength={MAX_MESSAGE_CHARS}
            showCount
          />
        </div>
        <AttachmentPicker files={files} onChange={setFiles} />
        <SubmitFooter mutation={open} disabled={!text.trim()}>
          {t('support.new.submit')}
        </SubmitFooter>
      </form>
    </Page>
  );
}

/** A form's last lines: what went wrong, if anything, and the big submit button. */
function SubmitFooter(props: {
  mutation: { isError: boolean; error: unknown; isPending: boolean };
  disabled: boolean;
  children: ReactNode;
}) {
  return (
    <>
      {props.mutation.isError ? (
        <p className="cs-error" role="alert">
          {errorMessage(props.mutation.error)}
        </p>
      ) : null}
      <Button
        block
        type="submit"
        color="primary"
        shape="rounded"
        size="large"
        loading={props.mutation.isPending}
        disabled={props.disabled}
      >
        {props.children}
      </Button>
    </>
  );
}

function TopicPicker(props: { value: Topic; onChange: (topic: Topic) => void }) {
  const { t } = useTranslation();
  return (
    <fieldset className="cs-field cs-topics">
      <legend className="cs-label">{t('support.new.topic')}</legend>
      <Selector
        columns={3}
        options={TOPICS.map((topic) => ({ label: t(`support.topic.${topic}`), value: topic }))}
        value={[props.value]}
        onChange={(values) => {
          if (values[0]) props.onChange(values[0]);
        }}
      />
    </fieldset>
  );
}

/** Up to three JPEG, PNG or PDF files, uploaded as they are picked. */
function AttachmentPicker(props: {
  files: Attachment[];
  onChange: (files: Attachment[]) => void;
  /** In the composer: the button and the files only. */
  compact?: boolean;
}) {
  const { t } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const pick = async (list: FileList | null) => {
    if (!list) return;
    const room = MAX_ATTACHMENTS - props.files.length;
    const chosen = [...list].slice(0, room);
    const uploaded: Attachment[] = [];
    setBusy(true);
    try {
      for (const file of chosen) {
        if (file.size > MAX_ATTACHMENT_BYTES) {
          Toast.show({ content: t('support.attach.tooLarge', { name: file.name }) });
          continue;
        }
        try {
          uploaded.push(await uploadAttachment(file));
        } catch (error) {
          Toast.show({ content: errorMessage(error) });
        }
      }
    } finally {
      setBusy(false);
      if (input.current) input.current.value = '';
    }
    props.onChange([...props.files, ...uploaded]);
  };
  return (
    <div className="cs-field">
      {props.compact ? null : (
        <span className="cs-label">
          {t('support.attach.label', { max: MAX_ATTACHMENTS })}
          <span className="cs-hint">{t('support.attach.hint')}</span>
        </span>
      )}
      <FilePicker
        prefix="cs"
        testId="support"
        files={props.files.map((file) => ({ key: file.id, name: file.fileName }))}
        onRemove={(index) => props.onChange(props.files.filter((_, other) => other !== index))}
        removeLabel={(name) => t('support.attach.remove', { name })}
        canAdd={props.files.length < MAX_ATTACHMENTS}
        addLabel={busy ? t('support.attach.uploading') : t('support.attach.add')}
        accept={ATTACHMENT_ACCEPT}
        inputRef={input}
        onPick={(list) => void pick(list)}
        busy={busy}
      />
    </div>
  );
}

// ---- a conversation ------------------------------------------------------------------------------

/**
 * The inbox stream carries `support.*` pushes (a reply, a chat message, a status): read the
 * ticket (or the list) again when one is about it.
 */
function useSupportLive(ticketId: string | null) {
  const queryClient = useQueryClient();
  const language = currentLanguage();
  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const source = new EventSource(`/v1/me/notifications/stream?lang=${language}`);
    const onNotification = (event: MessageEvent<string>) => {
      let push: { kind?: string; params?: { ticketId?: string } } = {};
      try {
        push = JSON.parse(event.data) as typeof push;
      } catch {
        return;
      }
      if (!push.kind?.startsWith('support.')) return;
      if (ticketId === null || push.params?.ticketId === ticketId) {
        void queryClient.invalidateQueries({ queryKey: supportKeys.all });
      }
    };
    source.addEventListener('notification', onNotification as EventListener);
    return () => {
      source.removeEventListener('notification', onNotification as EventListener);
      source.close();
    };
  }, [ticketId, language, queryClient]);
}

export function SupportConversation() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  useSupportLive(id);
  const conversation = useQuery({
    queryKey: supportKeys.ticket(id),
    queryFn: () => fetchConversation(id),
    refetchInterval: LIVE_FALLBACK_MS,
    retry: false,
  });
  const end = useRef<HTMLDivElement>(null);
  const count = conversation.data?.messages.length ?? 0;
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: 'end' });
  }, [count]);
  if (conversation.isPending) {
    return (
      <Page title={t('support.ticketTitle')} backTo="/support">
        <Loading />
      </Page>
    );
  }
  if (conversation.isError) {
    return (
      <Page title={t('support.ticketTitle')} backTo="/support">
        {conversation.error instanceof ApiError && conversation.error.status === 404 ? (
          <p className="cs-empty">{errorMessage(conversation.error)}</p>
        ) : (
          <LoadFailed error={conversation.error} onRetry={() => void conversation.refetch()} />
        )}
      </Page>
    );
  }
  const { ticket, messages } = conversation.data;
  const title = ticket.channel === 'chat' ? t('support.chat.title') : t('support.ticketTitle');
  return (
    <Page title={title} backTo="/support">
      <section className="cs-head" aria-label={t('support.details')}>
        <div className="cs-head-row">
          <span className="cs-head-topic">{t(`support.topic.${ticket.topic}`)}</span>
          <StatusTag ticket={ticket} />
        </div>
        <div className="cs-head-sub">
          {t('support.number', { number: ticket.number })} · {formatDateTime(ticket.createdAt)}
          {ticket.assignee && ticket.channel === 'ticket'
            ? ` · ${t('support.servedBy', { name: ticket.assignee.displayName })}`
            : ''}
        </div>
        {ticket.transaction ? <TransactionLine ticket={ticket} /> : null}
        <ChatBanner ticket={ticket} />
      </section>
      <ol className="cs-thread" data-testid="support-thread" aria-live="polite">
        {messages.map((message) => (
          <MessageBubble key={message.id} message={message} />
        ))}
      </ol>
      <div ref={end} />
      {ticket.status === 'resolved' || ticket.status === 'closed' ? <RatingCard ticket={ticket} /> : null}
      {ticket.status === 'closed' ? (
        <p className="cs-closed-note">{t('support.closedNote')}</p>
      ) : (
        <Composer ticket={ticket} />
      )}
    </Page>
  );
}

function TransactionLine(props: { ticket: Ticket }) {
  const { t } = useTranslation();
  const transaction = props.ticket.transaction!;
  const summary = transaction.summary as { label?: Record<string, string>; amount?: string } | null;
  const label = summary?.label?.[currentLanguage()] ?? '';
  const amount = summary?.amount ? `¥${(Number(summary.amount) / 100).toFixed(2)}` : '';
  return (
    <p className="cs-head-transaction">
      {t('support.aboutTransaction')}{' '}
      <Link to={`/history/${encodeURIComponent(transaction.id)}`}>
        {[label, amount].filter(Boolean).join(' ') || t('support.new.seeTransaction')}
      </Link>
    </p>
  );
}

function ChatBanner(props: { ticket: Ticket }) {
  const { t } = useTranslation();
  const { ticket } = props;
  if (ticket.channel !== 'chat') return null;
  const text =
    ticket.chatState === 'waiting'
      ? t('support.chat.waiting')
      : ticket.chatState === 'live'
        ? t('support.chat.live', { name: ticket.assignee?.displayName ?? t('support.staff') })
        : ticket.chatState === 'fell_back'
          ? t('support.chat.fellBack', { number: ticket.number })
          : t('support.chat.ended');
  return (
    <p className={`cs-chat-banner ${ticket.chatState ?? ''}`} data-testid="support-chat-banner" role="status">
      {text}
    </p>
  );
}

function MessageBubble(props: { message: Message }) {
  const { t } = useTranslation();
  const { message } = props;
  if (message.author === 'system') {
    return (
      <li className="cs-system" data-testid="support-message">
        {systemText(message.body)}
      </li>
    );
  }
  const mine = message.author === 'holder';
  return (
    <li className={`cs-message ${mine ? 'mine' : 'staff'}`} data-testid="support-message">
      <span className="cs-message-who">
        {mine ? t('support.me') : (message.operatorName ?? t('support.staff'))}
      </span>
      <div className="cs-bubble">
        <p className="cs-bubble-text">{message.body}</p>
        {message.attachments.length > 0 ? (
          <ul className="cs-bubble-files">
            {message.attachments.map((file) => (
              <li key={file.id}>
                {mine ? (
                  <a
                    href={attachmentUrl(file.id)}
                    target="_blank"
                    rel="noreferrer"
                    className="cs-bubble-file"
                  >
                    {file.contentType.startsWith('image/') ? (
                      <img src={attachmentUrl(file.id)} alt={file.fileName} className="cs-thumb" />
                    ) : (
                      <span>
                        <PaperclipIcon /> {file.fileName}
                      </span>
                    )}
                  </a>
                ) : (
                  <span className="cs-bubble-file">
                    <PaperclipIcon /> {file.fileName}
                  </span>
                )}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      <time className="cs-message-time" dateTime={message.createdAt}>
        {formatDateTime(message.createdAt)}
      </time>
    </li>
  );
}

function Composer(props: { ticket: Ticket }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [text, setText] = useState('');
  const [files, setFiles] = useState<Attachment[]>([]);
  const attempt = useRef(crypto.randomUUID());
  const send = useMutation({
    mutationFn: () =>
      sendMessage(
        props.ticket.id,
        { text: text.trim(), attachmentIds: files.map((f) => f.id) },
        attempt.current,
      ),
    onError: (error) => {
      if (isDefinitive(error)) attempt.current = crypto.randomUUID();
    },
    onSuccess: () => {
      attempt.current = crypto.randomUUID();
      setText('');
      setFiles([]);
      void queryClient.invalidateQueries({ queryKey: supportKeys.all });
    },
  });
  const close = useMutation({
    mutationFn: () => closeTicket(props.ticket.id),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: supportKeys.all }),
  });
  return (
    <form
      className="cs-composer"
      onSubmit={(event) => {
        event.preventDefault();
        if (text.trim() && !send.isPending) send.mutate();
      }}
    >
      {props.ticket.status === 'resolved' ? <p className="cs-hint-line">{t('support.reopenHint')}</p> : null}
      <label className="visually-hidden" htmlFor="cs-composer-text">
        {t('support.composer.label')}
      </label>
      <TextArea
        id="cs-composer-text"
        value={text}
        onChange={setText}
        placeholder={t('support.composer.placeholder')}
        autoSize={{ minRows: 2, maxRows: 5 }}
        maxLength={MAX_MESSAGE_CHARS}
      />
      {props.ticket.channel === 'ticket' || props.ticket.chatState === 'fell_back' ? (
        <AttachmentPicker files={files} onChange={setFiles} compact />
      ) : null}
      {send.isError ? (
        <p className="cs-error" role="alert">
          {errorMessage(send.error)}
        </p>
      ) : null}
      <div className="cs-composer-buttons">
        <Button
          type="submit"
          color="primary"
          shape="rounded"
          loading={send.isPending}
          disabled={!text.trim()}
        >
          {t('support.composer.send')}
        </Button>
        <Button
          shape="rounded"
          fill="none"
          loading={close.isPending}
          onClick={() => close.mutate()}
          className="cs-close-button"
        >
          {t('support.composer.close')}
        </Button>
      </div>
    </form>
  );
}

function RatingCard(props: { ticket: Ticket }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [score, setScore] = useState(0);
  const [comment, setComment] = useState('');
  const rate = useMutation({
    mutationFn: () =>
      rateTicket(props.ticket.id, { score, ...(comment.trim() ? { comment: comment.trim() } : {}) }),
    onSuccess: () => {
      Toast.show({ content: t('support.rating.thanks') });
      void queryClient.invalidateQueries({ queryKey: supportKeys.all });
    },
  });
  const rating = props.ticket.rating;
  if (rating) {
    return (
      <section className="cs-card cs-rating" data-testid="support-rated">
        <h2 className="cs-card-title">{t('support.rating.yours')}</h2>
        <Stars value={rating.score} label={t('support.rating.score')} />
        {rating.comment ? <p className="cs-rating-comment">{rating.comment}</p> : null}
      </section>
    );
  }
  return (
    <section className="cs-card cs-rating" data-testid="support-rating" aria-labelledby="cs-rating-title">
      <h2 id="cs-rating-title" className="cs-card-title">
        {t('support.rating.title')}
      </h2>
      <Stars value={score} onChange={setScore} label={t('support.rating.score')} />
      <label className="visually-hidden" htmlFor="cs-rating-comment">
        {t('support.rating.comment')}
      </label>
      <TextArea
        id="cs-rating-comment"
        value={comment}
        onChange={setComment}
        placeholder={t('support.rating.placeholder')}
        rows={2}
        maxLength={500}
      />
      {rate.isError ? (
        <p className="cs-error" role="alert">
          {errorMessage(rate.error)}
        </p>
      ) : null}
      <Button
        block
        color="primary"
        shape="rounded"
        disabled={score === 0}
        loading={rate.isPending}
        onClick={() => rate.mutate()}
      >
        {t('support.rating.submit')}
      </Button>
    </section>
  );
}

/** 1–5 stars as buttons (a keyboard and a screen reader can use them); without `onChange`, shown only. */
function Stars(props: { value: number; onChange?: (score: number) => void; label: string }) {
  const { t } = useTranslation();
  const scores = [1, 2, 3, 4, 5];
  if (!props.onChange) {
    return (
      <p className="cs-stars" aria-label={`${props.label}: ${props.value}`} data-testid="support-stars">
        {scores.map((score) => (
          <span key={score} className={score <= props.value ? 'cs-star on' : 'cs-star'} aria-hidden="true">
            ★
          </span>
        ))}
      </p>
    );
  }
  const onChange = props.onChange;
  return (
    <div className="cs-stars" role="group" aria-label={props.label}>
      {scores.map((score) => (
        <button
          key={score}
          type="button"
          className={score <= props.value ? 'cs-star on' : 'cs-star'}
          aria-pressed={score === props.value}
          aria-label={t('support.rating.stars', { count: score })}
          onClick={() => onChange(score)}
        >
          ★
        </button>
      ))}
    </div>
  );
}

// ---- live chat -----------------------------------------------------------------------------------

export function SupportChat() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const hours = useQuery({ queryKey: supportKeys.hours, queryFn: fetchChatHours });
  const [topic, setTopic] = useState<Topic>('other');
  const [text, setText] = useState('');
  const attempt = useRef(crypto.randomUUID());
  const start = useMutation({
    mutationFn: () => startChat({ topic, text: text.trim() }, attempt.current),
    onSuccess: (conversation) => {
      void queryClient.invalidateQueries({ queryKey: supportKeys.all });
      void navigate(`/support/${conversation.ticket.id}`, { replace: true });
    },
    onError: (error) => {
      if (isDefinitive(error)) attempt.current = crypto.randomUUID();
    },
  });
  return (
    <Page title={t('support.chat.title')} backTo="/support">
      {hours.isPending ? <Loading /> : hours.isError ? null : <HoursCard hours={hours.data} />}
      <form
        className="cs-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (text.trim() && !start.isPending) start.mutate();
        }}
      >
        <TopicPicker value={topic} onChange={setTopic} />
        <div className="cs-field">
          <label className="cs-label" htmlFor="cs-chat-text">
            {t('support.chat.ask')}
          </label>
          <TextArea
            id="cs-chat-text"
            value={text}
            onChange={setText}
            placeholder={t('support.chat.placeholder')}
            rows={3}
            maxLength={MAX_MESSAGE_CHARS}
          />
        </div>
        <SubmitFooter mutation={start} disabled={!text.trim()}>
          {hours.data && !hours.data.open ? t('support.chat.leaveMessage') : t('support.chat.start')}
        </SubmitFooter>
      </form>
    </Page>
  );
}

function HoursCard(props: { hours: ChatHours }) {
  const { t } = useTranslation();
  const pad = (hour: number) => `${String(hour).padStart(2, '0')}:00`;
  const range = `${pad(props.hours.opensAtHour)}–${pad(props.hours.closesAtHour)}`;
  const content: ReactNode = props.hours.open
    ? t('support.chat.openNow', { range, minutes: props.hours.pickupMinutes })
    : t('support.chat.closedNow', { range });
  return (
    <p
      className={`cs-hours ${props.hours.open ? 'open' : 'closed'}`}
      data-testid="support-hours"
      role="status"
    >
      {content}
    </p>
  );
}
