/** The 工单 page's views: the queue, one conversation, the templates (pages/Tickets.tsx). */
import { PaperClipOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Badge,
  Breadcrumb,
  Button,
  Card,
  Descriptions,
  Empty,
  Form,
  Input,
  Modal,
  Popconfirm,
  Rate,
  Segmented,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { TableProps } from 'antd';
import type { TFunction } from 'i18next';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError, errorMessage } from '../../api/client.ts';
import { formatDateTime } from '../../lib/format.ts';
import { PortalLoadFailed, PortalLoading } from '../../portal/parts.tsx';
import { useOperator } from '../api.ts';
import {
  STATUS_FILTERS,
  STREAM_URL,
  answerTicket,
  assignTicket,
  attachmentUrl,
  deleteTemplate,
  fetchAgents,
  fetchQueue,
  fetchTemplates,
  fetchTicket,
  saveTemplate,
  ticketAction,
  ticketKeys,
} from './api.ts';
import type { Message, StatusFilter, Template, Ticket } from './api.ts';
import { HolderLink } from '../HolderLink.tsx';
import './support.css';

/** The stream pushes every change; reading again this often covers a dropped one. */
const FALLBACK_MS = 20_000;

/** One stream for the page: any change refreshes the queue and the open ticket. */
function useTicketStream(onCreated?: (ticketId: string) => void) {
  const queryClient = useQueryClient();
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const source = new EventSource(STREAM_URL);
    source.addEventListener('ready', () => setConnected(true));
    source.onerror = () => setConnected(false);
    const onTicket = (event: MessageEvent<string>) => {
      void queryClient.invalidateQueries({ queryKey: ticketKeys.all });
      try {
        const data = JSON.parse(event.data) as { ticketId: string; change: string };
        if (data.change === 'created') onCreated?.(data.ticketId);
      } catch {
        // A malformed push still means something changed.
      }
    };
    source.addEventListener('ticket', onTicket as EventListener);
    return () => {
      source.removeEventListener('ticket', onTicket as EventListener);
      source.close();
    };
  }, [queryClient, onCreated]);
  return connected;
}

function LiveBadge(props: { connected: boolean }) {
  const { t } = useTranslation();
  return (
    <Badge
      status={props.connected ? 'processing' : 'default'}
      text={props.connected ? t('console.tickets.live') : t('console.tickets.offline')}
      data-testid="tickets-live"
    />
  );
}

export function TicketStatusTag(props: { ticket: Ticket }) {
  const { t } = useTranslation();
  const { ticket } = props;
  if (ticket.channel === 'chat' && (ticket.chatState === 'waiting' || ticket.chatState === 'live')) {
    return (
      <Tag color={ticket.chatState === 'waiting' ? 'red' : 'blue'} data-testid="ticket-status">
        {t(`console.tickets.chatState.${ticket.chatState}`)}
      </Tag>
    );
  }
  const color: Record<Ticket['status'], string> = {
    open: 'orange',
    pending_staff: 'gold',
    pending_holder: 'blue',
    resolved: 'green',
    closed: 'default',
  };
  return (
    <Tag color={color[ticket.status]} data-testid="ticket-status">
      {t(`console.tickets.status.${ticket.status}`)}
    </Tag>
  );
}

const systemText = (t: TFunction, key: string): string =>
  t(`console.tickets.system.${key}`, { defaultValue: key });

// ---- the queue -----------------------------------------------------------------------------------

export function TicketQueue() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const operator = useOperator();
  const { notification } = App.useApp();
  const [status, setStatus] = useState<StatusFilter>('active');
  const [assignee, setAssignee] = useState('any');
  const [templatesOpen, setTemplatesOpen] = useState(false);
  const [onCreated] = useState(() => () => {
    notification.info({ title: t('console.tickets.newTicket'), placement: 'bottomRight', duration: 4 });
  });
  const connected = useTicketStream(onCreated);
  const agents = useQuery({ queryKey: ticketKeys.agents, queryFn: fetchAgents });
  const queue = useQuery({
    queryKey: ticketKeys.queue(status, assignee),
    queryFn: () => fetchQueue(status, assignee),
    refetchInterval: FALLBACK_MS,
  });
  const columns: TableProps<Ticket>['columns'] = [
    { title: t('console.tickets.number'), dataIndex: 'number', width: 90 },
    {
      title: t('console.tickets.topicLabel'),
      key: 'topic',
      render: (_, row) => (
        <Space size={4}>
          {t(`console.tickets.topic.${row.topic}`)}
          {row.channel === 'chat' ? <Tag color="magenta">{t('console.tickets.chat')}</Tag> : null}
        </Space>
      ),
    },
    {
      title: t('console.tickets.statusLabel'),
      key: 'status',
      render: (_, row) => <TicketStatusTag ticket={row} />,
    },
    {
      title: t('console.tickets.last'),
      key: 'last',
      ellipsis: true,
      render: (_, row) =>
        row.lastMessage
          ? `${t(`console.tickets.author.${row.lastMessage.author}`)}：${
              row.lastMessage.author === 'system' ? systemText(t, row.lastMessage.body) : row.lastMessage.body
            }`
          : '—',
    },
    {
      title: t('console.tickets.assignee'),
      key: 'assignee',
      render: (_, row) =>
        row.assignee?.displayName ?? (
          <Typography.Text type="secondary">{t('console.tickets.nobody')}</Typography.Text>
        ),
    },
    {
      title: t('console.tickets.updatedAt'),
      dataIndex: 'updatedAt',
      render: (value: string) => formatDateTime(value, i18n.language),
    },
  ];
  return (
    <div className="review-page tickets-page">
      <Space className="tickets-title-row" align="baseline">
        <Typography.Title level={3}>{t('console.tickets.title')}</Typography.Title>
        <LiveBadge connected={connected} />
      </Space>
      <Typography.Paragraph type="secondary">{t('console.tickets.intro')}</Typography.Paragraph>
      <Card variant="borderless">
        <Space wrap className="tickets-filters">
          <Segmented<StatusFilter>
            aria-label={t('console.tickets.statusLabel')}
            value={status}
            onChange={setStatus}
            options={STATUS_FILTERS.map((value) => ({ value, label: t(`console.tickets.filter.${value}`) }))}
          />
          <Select
            aria-label={t('console.tickets.assignee')}
            className="tickets-assignee"
            value={assignee}
            onChange={setAssignee}
            options={[
              { value: 'any', label: t('console.tickets.assigneeAny') },
              { value: 'none', label: t('console.tickets.assigneeNone') },
              { value: 'me', label: t('console.tickets.assigneeMe') },
              ...(agents.data ?? [])
                .filter((agent) => agent.id !== operator.id)
                .map((agent) => ({ value: agent.id, label: agent.displayName })),
            ]}
          />
          {operator.can('help:manage') ? (
            <Button onClick={() => setTemplatesOpen(true)}>{t('console.tickets.templates.manage')}</Button>
          ) : null}
        </Space>
        {queue.isError ? (
          <PortalLoadFailed error={queue.error} onRetry={() => void queue.refetch()} />
        ) : (
          <Table<Ticket>
            data-testid="tickets-queue"
            rowKey="id"
            size="middle"
            loading={queue.isPending}
            columns={columns}
            dataSource={queue.data ?? []}
            pagination={false}
            rowClassName="review-row"
            locale={{ emptyText: t('console.tickets.empty') }}
            onRow={(row) => ({
              onClick: () => void navigate(row.id),
              onKeyDown: (event) => {
                if (event.key === 'Enter') void navigate(row.id);
              },
              tabIndex: 0,
              'aria-label': t('console.tickets.open', { number: row.number }),
            })}
          />
        )}
      </Card>
      <TemplatesDialog open={templatesOpen} onClose={() => setTemplatesOpen(false)} />
    </div>
  );
}

// ---- one conversation ----------------------------------------------------------------------------

export function TicketConversation() {
  const { t, i18n } = useTranslation();
  const { id = '' } = useParams();
  const operator = useOperator();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const connected = useTicketStream();
  const ticket = useQuery({
    queryKey: ticketKeys.one(id),
    queryFn: () => fetchTicket(id),
    refetchInterval: FALLBACK_MS,
  });
  const agents = useQuery({ queryKey: ticketKeys.agents, queryFn: fetchAgents });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ticketKeys.all });
  const act = useMutation({
    mutationFn: (action: 'claim' | 'resolve' | 'close') => ticketAction(id, action),
    onSuccess: async (_ticket, action) => {
      await refresh();
      void message.success(t(`console.tickets.done.${action}`));
    },
  });
  const assign = useMutation({
    mutationFn: (operatorId: string) => assignTicket(id, operatorId),
    onSuccess: async () => {
      await refresh();
      void message.success(t('console.tickets.done.assign'));
    },
  });

  if (ticket.isPending) return <PortalLoading />;
  if (ticket.isError) return <PortalLoadFailed error={ticket.error} onRetry={() => void ticket.refetch()} />;
  const { ticket: data, messages } = ticket.data;
  const closed = data.status === 'closed';
  const mine = data.assignee?.id === operator.id;
  const summary = data.transaction?.summary as
    | { label?: Record<string, string>; amount?: string; direction?: string; createdAt?: string }
    | null
    | undefined;
  return (
    <div className="review-page tickets-page">
      <Breadcrumb
        items={[
          { title: <Link to="/console/tickets">{t('console.tickets.title')}</Link> },
          { title: t('console.tickets.one', { number: data.number }) },
        ]}
      />
      <Space className="tickets-title-row" align="baseline">
        <Typography.Title level={3}>
          {t('console.tickets.one', { number: data.number })} <TicketStatusTag ticket={data} />
        </Typography.Title>
        <LiveBadge connected={connected} />
      </Space>
      <div className="tickets-layout">
        <Card variant="borderless" title={t('console.tickets.conversation')} className="tickets-thread-card">
          <ol className="tickets-thread" data-testid="ticket-thread">
            {messages.map((item) => (
              <ThreadItem key={item.id} ticketId={data.id} message={item} />
            ))}
          </ol>
          {closed ? (
            <Typography.Paragraph type="secondary">{t('console.tickets.closedNote')}</Typography.Paragraph>
          ) : (
            <Composer ticketId={data.id} />
          )}
        </Card>
        <Space orientation="vertical" size="middle" className="tickets-side">
          <Card variant="borderless" title={t('console.tickets.details')}>
            <Descriptions column={1} size="small">
              <Descriptions.Item label={t('console.tickets.topicLabel')}>
                {t(`console.tickets.topic.${data.topic}`)}
              </Descriptions.Item>
              <Descriptions.Item label={t('console.tickets.channel')}>
                {data.channel === 'chat'
                  ? `${t('console.tickets.chat')} · ${t(`console.tickets.chatState.${data.chatState ?? 'ended'}`)}`
                  : t('console.tickets.ticket')}
              </Descriptions.Item>
              <Descriptions.Item label={t('console.tickets.holder')}>
                <span data-testid="ticket-holder">
                  <HolderLink userId={data.userId} className="review-mono" />
                </span>
              </Descriptions.Item>
              {data.transaction ? (
                <Descriptions.Item label={t('console.tickets.transaction')}>
                  <span>
                    {summary?.label?.[i18n.language === 'en' ? 'en' : 'zh-CN'] ?? ''}{' '}
                    {summary?.amount ? `¥${(Number(summary.amount) / 100).toFixed(2)}` : ''}
                    <br />
                    <span className="review-mono">{data.transaction.id}</span>
                  </span>
                </Descriptions.Item>
              ) : null}
              <Descriptions.Item label={t('console.tickets.createdAt')}>
                {formatDateTime(data.createdAt, i18n.language)}
              </Descriptions.Item>
              <Descriptions.Item label={t('console.tickets.assignee')}>
                <span data-testid="ticket-assignee">
                  {data.assignee?.displayName ?? t('console.tickets.nobody')}
                </span>
              </Descriptions.Item>
              {data.rating ? (
                <Descriptions.Item label={t('console.tickets.rating')}>
                  <span data-testid="ticket-rating">
                    <Rate disabled value={data.rating.score} className="tickets-rate" />{' '}
                    {data.rating.comment ?? ''}
                  </span>
                </Descriptions.Item>
              ) : null}
            </Descriptions>
          </Card>
          {closed ? null : (
            <Card variant="borderless" title={t('console.tickets.actions')}>
              {act.isError || assign.isError ? (
                <Alert type="error" showIcon title={errorMessage(act.error ?? assign.error)} role="alert" />
              ) : null}
              <Space orientation="vertical" className="console-full">
                {mine && data.chatState !== 'waiting' ? null : (
                  <Button
                    block
                    type="primary"
                    ghost
                    loading={act.isPending && act.variables === 'claim'}
                    onClick={() => act.mutate('claim')}
                  >
                    {data.chatState === 'waiting' ? t('console.tickets.pickUp') : t('console.tickets.claim')}
                  </Button>
                )}
                <Select
                  aria-label={t('console.tickets.assignTo')}
                  placeholder={t('console.tickets.assignTo')}
                  className="console-full"
                  value={null}
                  loading={assign.isPending}
                  onChange={(value: string | null) => {
                    if (value) assign.mutate(value);
                  }}
                  options={(agents.data ?? [])
                    .filter((agent) => agent.id !== data.assignee?.id)
                    .map((agent) => ({ value: agent.id, label: `${agent.displayName} (${agent.username})` }))}
                />
                {data.status === 'resolved' ? null : (
                  <Popconfirm
                    title={t('console.tickets.resolveConfirm')}
                    okText={t('console.tickets.resolve')}
                    cancelText={t('console.tickets.cancel')}
                    onConfirm={() => act.mutate('resolve')}
                  >
                    <Button block type="primary" loading={act.isPending && act.variables === 'resolve'}>
                      {t('console.tickets.resolve')}
                    </Button>
                  </Popconfirm>
                )}
                <Popconfirm
                  title={t('console.tickets.closeConfirm')}
                  okText={t('console.tickets.close')}
                  cancelText={t('console.tickets.cancel')}
                  onConfirm={() => act.mutate('close')}
                >
                  <Button block danger loading={act.isPending && act.variables === 'close'}>
                    {t('console.tickets.close')}
                  </Button>
                </Popconfirm>
              </Space>
            </Card>
          )}
        </Space>
      </div>
    </div>
  );
}

function ThreadItem(props: { ticketId: string; message: Message }) {
  const { t, i18n } = useTranslation();
  const { message } = props;
  if (message.author === 'system') {
    return <li className="tickets-system">{systemText(t, message.body)}</li>;
  }
  return (
    <li className={`tickets-message ${message.author}`} data-testid="ticket-message">
      <div className="tickets-message-who">
        {message.author === 'holder'
          ? t('console.tickets.author.holder')
          : (message.operatorName ?? t('console.tickets.author.operator'))}
        {message.templateId ? (
          <Tag className="tickets-template-tag">{t('console.tickets.fromTemplate')}</Tag>
        ) : null}
        <span className="tickets-message-time">{formatDateTime(message.createdAt, i18n.language)}</span>
      </div>
      <div className="tickets-bubble">{message.body}</div>
      {message.attachments.length > 0 ? (
        <ul className="tickets-files">
          {message.attachments.map((file) => (
            <li key={file.id}>
              <a
                href={attachmentUrl(props.ticketId, file.id)}
                target="_blank"
                rel="noreferrer"
                data-testid="ticket-attachment"
              >
                <PaperClipOutlined /> {file.fileName} ({Math.max(1, Math.round(file.sizeBytes / 1024))} KB)
              </a>
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}

function Composer(props: { ticketId: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [text, setText] = useState('');
  const [templateId, setTemplateId] = useState<string | null>(null);
  const templates = useQuery({ queryKey: ticketKeys.templates, queryFn: fetchTemplates });
  const attempt = useRef(crypto.randomUUID());
  const send = useMutation({
    mutationFn: () =>
      answerTicket(
        props.ticketId,
        { text: text.trim(), ...(templateId ? { templateId } : {}) },
        attempt.current,
      ),
    onError: (error) => {
      // A refusal is kept for its key: the corrected answer needs a new one.
      if (error instanceof ApiError && error.status >= 400 && error.status < 500)
        attempt.current = crypto.randomUUID();
    },
    onSuccess: async () => {
      attempt.current = crypto.randomUUID();
      setText('');
      setTemplateId(null);
      await queryClient.invalidateQueries({ queryKey: ticketKeys.all });
    },
  });
  return (
    <form
      className="tickets-composer"
      onSubmit={(event) => {
        event.preventDefault();
        if (text.trim() && !send.isPending) send.mutate();
      }}
    >
      <Select<string>
        aria-label={t('console.tickets.templates.pick')}
        placeholder={t('console.tickets.templates.pick')}
        className="tickets-template-picker"
        data-testid="template-picker"
        allowClear
        showSearch={{ optionFilterProp: 'label' }}
        value={templateId}
        onChange={(value) => {
          setTemplateId(value ?? null);
          const template = templates.data?.find((item) => item.id === value);
          if (template) setText(template.body);
        }}
        options={(templates.data ?? []).map((template) => ({ value: template.id, label: template.title }))}
        notFoundContent={<Empty description={t('console.tickets.templates.none')} />}
      />
      <Input.TextArea
        aria-label={t('console.tickets.answer')}
        placeholder={t('console.tickets.answerPlaceholder')}
        value={text}
        onChange={(event) => setText(event.target.value)}
        autoSize={{ minRows: 3, maxRows: 8 }}
        maxLength={2000}
        data-testid="ticket-answer"
      />
      {send.isError ? <Alert type="error" showIcon title={errorMessage(send.error)} role="alert" /> : null}
      <Button type="primary" htmlType="submit" loading={send.isPending} disabled={!text.trim()}>
        {t('console.tickets.send')}
      </Button>
    </form>
  );
}

// ---- templates -----------------------------------------------------------------------------------

function TemplatesDialog(props: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<Partial<Template> | null>(null);
  const [form] = Form.useForm<{ title: string; body: string }>();
  const templates = useQuery({
    queryKey: ticketKeys.templates,
    queryFn: fetchTemplates,
    enabled: props.open,
  });
  const save = useMutation({
    mutationFn: (values: { title: string; body: string }) =>
      saveTemplate({ ...(editing?.id ? { id: editing.id } : {}), ...values }),
    onSuccess: async () => {
      setEditing(null);
      await queryClient.invalidateQueries({ queryKey: ticketKeys.templates });
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => deleteTemplate(id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ticketKeys.templates }),
  });
  useEffect(() => {
    if (editing) form.setFieldsValue({ title: editing.title ?? '', body: editing.body ?? '' });
  }, [editing, form]);
  return (
    <Modal
      open={props.open}
      title={t('console.tickets.templates.title')}
      onCancel={() => {
        setEditing(null);
        props.onClose();
      }}
      footer={null}
      width={720}
    >
      {editing ? (
        <Form form={form} layout="vertical" onFinish={(values) => save.mutate(values)}>
          <Form.Item
            name="title"
            label={t('console.tickets.templates.name')}
            rules={[{ required: true, max: 80, message: t('console.tickets.templates.nameRule') }]}
          >
            <Input maxLength={80} />
          </Form.Item>
          <Form.Item
            name="body"
            label={t('console.tickets.templates.body')}
            rules={[{ required: true, max: 4000, message: t('console.tickets.templates.bodyRule') }]}
          >
            <Input.TextArea autoSize={{ minRows: 4, maxRows: 10 }} maxLength={4000} />
          </Form.Item>
          {save.isError ? (
            <Alert type="error" showIcon title={errorMessage(save.error)} role="alert" />
          ) : null}
          <Space>
            <Button type="primary" htmlType="submit" loading={save.isPending}>
              {t('console.tickets.templates.save')}
            </Button>
            <Button onClick={() => setEditing(null)}>{t('console.tickets.cancel')}</Button>
          </Space>
        </Form>
      ) : (
        <Space orientation="vertical" className="console-full">
          <Button type="primary" onClick={() => setEditing({})}>
            {t('console.tickets.templates.add')}
          </Button>
          <Table<Template>
            rowKey="id"
            size="small"
            loading={templates.isPending}
            dataSource={templates.data ?? []}
            pagination={false}
            locale={{ emptyText: t('console.tickets.templates.none') }}
            columns={[
              { title: t('console.tickets.templates.name'), dataIndex: 'title', width: 180 },
              { title: t('console.tickets.templates.body'), dataIndex: 'body', ellipsis: true },
              {
                title: '',
                key: 'actions',
                width: 150,
                render: (_, row) => (
                  <Space>
                    <Button size="small" onClick={() => setEditing(row)}>
                      {t('console.tickets.templates.edit')}
                    </Button>
                    <Popconfirm
                      title={t('console.tickets.templates.deleteConfirm')}
                      okText={t('console.tickets.templates.delete')}
                      cancelText={t('console.tickets.cancel')}
                      onConfirm={() => remove.mutate(row.id)}
                    >
                      <Button size="small" danger>
                        {t('console.tickets.templates.delete')}
                      </Button>
                    </Popconfirm>
                  </Space>
                ),
              },
            ]}
          />
        </Space>
      )}
    </Modal>
  );
}
