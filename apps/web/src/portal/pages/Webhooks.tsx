/**
 * Webhook 通知, on the 开发者 page (the owner's): register an endpoint — its URL checked in the
 * browser, the events it wants — and see its signing secret (again later with 显示签名密钥); the
 * endpoints with their state (a disabled one says why); send a test; each endpoint's deliveries
 * with their state, attempts and last answer, the body unfolded, and 重新发送 for any of them.
 * docs/developers.md "Webhooks".
 */
import { SendOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Checkbox,
  Drawer,
  Form,
  Input,
  Modal,
  Popconfirm,
  Radio,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api/client.ts';
import { formatDateTime } from '../../lib/format.ts';
import {
  WEBHOOK_EVENTS,
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  fetchWebhookDeliveries,
  fetchWebhookEndpoints,
  pingWebhookEndpoint,
  resendWebhookDelivery,
  revealWebhookSecret,
  updateWebhookEndpoint,
  webhookKeys,
} from '../api.ts';
import type { WebhookDelivery, WebhookEndpoint, WebhookEventType } from '../api.ts';
import { usePortal } from '../context.ts';
import { ErrorAlert, PortalLoadFailed } from '../parts.tsx';

interface EndpointForm {
  mode: WebhookEndpoint['mode'];
  connected?: boolean;
  url: string;
  events: WebhookEventType[];
  description?: string;
}

const DELIVERY_COLOURS: Record<WebhookDelivery['status'], string> = {
  pending: 'orange',
  succeeded: 'green',
  failed: 'red',
};

/** i18next reads ':' and '.' in keys as separators: `payment.succeeded` → `payment_succeeded`. */
const eventKey = (type: string) => `portal.webhooks.event.${type.replace('.', '_')}`;

export function Webhooks() {
  const { t, i18n } = useTranslation();
  const { merchant } = usePortal();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<EndpointForm>();
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  const [deliveriesOf, setDeliveriesOf] = useState<WebhookEndpoint | null>(null);
  const endpoints = useQuery({
    queryKey: webhookKeys.endpoints(merchant.id),
    queryFn: () => fetchWebhookEndpoints(merchant.id),
  });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: webhookKeys.endpoints(merchant.id) });
  const create = useMutation({
    mutationFn: (values: EndpointForm) =>
      createWebhookEndpoint(merchant.id, {
        url: values.url.trim(),
        events: values.events,
        description: (values.description ?? '').trim(),
        mode: values.mode,
        connected: values.connected ?? false,
      }),
    onSuccess: (made) => {
      form.resetFields();
      setSecret({ url: made.url, secret: made.secret });
      refresh();
    },
  });
  const onError = (error: unknown) => void message.error(errorMessage(error));
  const reveal = useMutation({
    mutationFn: async (endpoint: WebhookEndpoint) => ({
      url: endpoint.url,
      secret: await revealWebhookSecret(merchant.id, endpoint.id),
    }),
    onSuccess: setSecret,
    onError,
  });
  const ping = useMutation({
    mutationFn: (endpoint: WebhookEndpoint) => pingWebhookEndpoint(merchant.id, endpoint.id),
    onSuccess: (delivery) => {
      if (delivery.status === 'succeeded')
        void message.success(t('portal.webhooks.pingOk', { status: delivery.lastStatusCode }));
      else void message.error(t('portal.webhooks.pingFailed', { answer: answerOf(delivery, t) }));
      refresh();
    },
    onError,
  });
  const toggle = useMutation({
    mutationFn: (endpoint: WebhookEndpoint) =>
      updateWebhookEndpoint(merchant.id, endpoint.id, { enabled: endpoint.status === 'disabled' }),
    onSuccess: refresh,
    onError,
  });
  const remove = useMutation({
    mutationFn: (endpoint: WebhookEndpoint) => deleteWebhookEndpoint(merchant.id, endpoint.id),
    onSuccess: refresh,
    onError,
  });

  return (
    <>
      <Card variant="borderless" title={t('portal.webhooks.title')} className="portal-section">
        <Typography.Paragraph type="secondary">{t('portal.webhooks.intro')}</Typography.Paragraph>
        <Form<EndpointForm>
          form={form}
          layout="vertical"
          requiredMark={false}
          initialValues={{ mode: 'live', events: ['payment.succeeded', 'refund.succeeded'] }}
          onFinish={(values) => create.mutate(values)}
          aria-label={t('portal.webhooks.addTitle')}
          className="portal-key-form"
        >
          <Form.Item name="mode" label={t('portal.developers.mode')} extra={t('portal.webhooks.modeHint')}>
            <Radio.Group
              optionType="button"
              options={[
                { value: 'live', label: t('portal.developers.modes.live') },
                { value: 'test', label: t('portal.developers.modes.test') },
              ]}
            />
          </Form.Item>
          <Form.Item name="connected" valuePropName="checked" extra={t('portal.webhooks.connectedHint')}>
            <Checkbox>{t('portal.webhooks.connected')}</Checkbox>
          </Form.Item>
          <Form.Item
            name="url"
            label={t('portal.webhooks.url')}
            extra={t('portal.webhooks.urlHint')}
            rules={[
              {
                validator: (_, value: string | undefined) =>
                  isDeliverableUrl(value ?? '')
                    ? Promise.resolve()
                    : Promise.reject(new Error(t('portal.webhooks.urlInvalid'))),
              },
            ]}
          >
            <Input placeholder="https://shop.example.com/hooks/qianbao" inputMode="url" />
          </Form.Item>
          <Form.Item
            name="events"
            label={t('portal.webhooks.events')}
            rules={[{ required: true, type: 'array', min: 1, message: t('portal.webhooks.eventsRequired') }]}
          >
            <Checkbox.Group>
              <Space orientation="vertical">
                {WEBHOOK_EVENTS.map((type) => (
                  <Checkbox key={type} value={type}>
                    <span className="portal-mono">{type}</span> — {t(eventKey(type))}
                  </Checkbox>
                ))}
              </Space>
            </Checkbox.Group>
          </Form.Item>
          <Form.Item name="description" label={t('portal.webhooks.description')}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item>
            <Button
              type="primary"
              htmlType="submit"
              icon={<SendOutlined aria-hidden />}
              loading={create.isPending}
            >
              {t('portal.webhooks.add')}
            </Button>
          </Form.Item>
        </Form>
        <ErrorAlert error={create.error} />
        {endpoints.isError ? (
          <PortalLoadFailed error={endpoints.error} onRetry={() => void endpoints.refetch()} />
        ) : (
          <Table<WebhookEndpoint>
            data-testid="webhook-endpoints-table"
            rowKey="id"
            size="middle"
            loading={endpoints.isPending}
            pagination={false}
            dataSource={endpoints.data ?? []}
            locale={{ emptyText: t('portal.webhooks.none') }}
            columns={[
              {
                title: t('portal.webhooks.url'),
                key: 'url',
                render: (_, endpoint) => (
                  <Space orientation="vertical" size={0}>
                    <Space size={4} wrap>
                      {endpoint.mode === 'test' ? (
                        <Tag color="orange">{t('portal.developers.modes.test')}</Tag>
                      ) : null}
                      {endpoint.connected ? (
                        <Tag color="blue">{t('portal.webhooks.connectedTag')}</Tag>
                      ) : null}
                      <span className="portal-mono">{endpoint.url}</span>
                    </Space>
                    {endpoint.description ? (
                      <Typography.Text type="secondary" className="portal-small">
                        {endpoint.description}
                      </Typography.Text>
                    ) : null}
                  </Space>
                ),
              },
              {
                title: t('portal.webhooks.events'),
                dataIndex: 'events',
                render: (events: string[]) => (
                  <Space size={4} wrap>
                    {events.map((type) => (
                      <Tag key={type} className="portal-mono">
                        {type}
                      </Tag>
                    ))}
                  </Space>
                ),
              },
              {
                title: t('portal.developers.status'),
                key: 'status',
                render: (_, endpoint) =>
                  endpoint.status === 'enabled' ? (
                    <Space orientation="vertical" size={0}>
                      <Tag color="green">{t('portal.webhooks.enabled')}</Tag>
                      {endpoint.failingSince ? (
                        <Typography.Text type="warning" className="portal-small">
                          {t('portal.webhooks.failingSince', {
                            time: formatDateTime(endpoint.failingSince, i18n.language),
                          })}
                        </Typography.Text>
                      ) : null}
                    </Space>
                  ) : (
                    <Tag color="red">{t('portal.webhooks.disabled')}</Tag>
                  ),
              },
              {
                title: '',
                key: 'actions',
                align: 'right',
                render: (_, endpoint) => (
                  <Space size={0} wrap>
                    <Button type="link" onClick={() => setDeliveriesOf(endpoint)}>
                      {t('portal.webhooks.deliveries')}
                    </Button>
                    <Button
                      type="link"
                      disabled={endpoint.status === 'disabled'}
                      loading={ping.isPending && ping.variables?.id === endpoint.id}
                      onClick={() => ping.mutate(endpoint)}
                    >
                      {t('portal.webhooks.ping')}
                    </Button>
                    <Button
                      type="link"
                      loading={reveal.isPending && reveal.variables?.id === endpoint.id}
                      onClick={() => reveal.mutate(endpoint)}
                    >
                      {t('portal.webhooks.revealSecret')}
                    </Button>
                    <Button
                      type="link"
                      loading={toggle.isPending && toggle.variables?.id === endpoint.id}
                      onClick={() => toggle.mutate(endpoint)}
                    >
                      {endpoint.status === 'enabled'
                        ? t('portal.webhooks.disable')
                        : t('portal.webhooks.enable')}
                    </Button>
                    <Popconfirm
                      title={t('portal.webhooks.removeConfirm', { url: endpoint.url })}
                      okText={t('portal.webhooks.remove')}
                      okButtonProps={{ danger: true }}
                      cancelText={t('common.cancel')}
                      onConfirm={() => remove.mutate(endpoint)}
                    >
                      <Button danger type="link">
                        {t('portal.webhooks.remove')}
                      </Button>
                    </Popconfirm>
                  </Space>
                ),
              },
            ]}
          />
        )}
      </Card>

      <Modal
        open={secret !== null}
        title={t('portal.webhooks.secretTitle')}
        onCancel={() => setSecret(null)}
        footer={
          <Button type="primary" onClick={() => setSecret(null)}>
            {t('portal.developers.secretDone')}
          </Button>
        }
      >
        {secret ? (
          <Space orientation="vertical" className="portal-full-width">
            <Typography.Text>{t('portal.webhooks.secretFor', { url: secret.url })}</Typography.Text>
            <Typography.Paragraph
              copyable={{
                text: secret.secret,
                tooltips: [t('portal.developers.copy'), t('portal.developers.copied')],
              }}
              className="portal-mono portal-secret"
              data-testid="webhook-secret"
            >
              {secret.secret}
            </Typography.Paragraph>
            <Typography.Text type="secondary">{t('portal.webhooks.secretUse')}</Typography.Text>
          </Space>
        ) : null}
      </Modal>

      <Drawer
        open={deliveriesOf !== null}
        onClose={() => setDeliveriesOf(null)}
        size={760}
        title={deliveriesOf ? t('portal.webhooks.deliveriesOf', { url: deliveriesOf.url }) : ''}
      >
        {deliveriesOf ? <Deliveries endpoint={deliveriesOf} /> : null}
      </Drawer>
    </>
  );
}

function Deliveries(props: { endpoint: WebhookEndpoint }) {
  const { t, i18n } = useTranslation();
  const { merchant } = usePortal();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const key = webhookKeys.deliveries(merchant.id, props.endpoint.id);
  const deliveries = useQuery({
    queryKey: key,
    queryFn: () => fetchWebhookDeliveries(merchant.id, props.endpoint.id),
  });
  const resend = useMutation({
    mutationFn: (delivery: WebhookDelivery) => resendWebhookDelivery(merchant.id, delivery.id),
    onSuccess: (delivery) => {
      if (delivery.status === 'succeeded') void message.success(t('portal.webhooks.resent'));
      else void message.error(t('portal.webhooks.resendFailed', { answer: answerOf(delivery, t) }));
      void queryClient.invalidateQueries({ queryKey: key });
    },
    onError: (error) => void message.error(errorMessage(error)),
  });
  if (deliveries.isError)
    return <PortalLoadFailed error={deliveries.error} onRetry={() => void deliveries.refetch()} />;
  return (
    <Table<WebhookDelivery>
      data-testid="webhook-deliveries-table"
      rowKey="id"
      size="small"
      loading={deliveries.isPending}
      pagination={false}
      dataSource={deliveries.data ?? []}
      locale={{ emptyText: t('portal.webhooks.noDeliveries') }}
      expandable={{ expandedRowRender: (row) => <pre className="portal-json">{prettyJson(row.body)}</pre> }}
      columns={[
        {
          title: t('portal.developers.at'),
          dataIndex: 'createdAt',
          render: (value: string) => formatDateTime(value, i18n.language),
        },
        {
          title: t('portal.webhooks.eventColumn'),
          dataIndex: 'eventType',
          render: (value: string) => <span className="portal-mono">{value}</span>,
        },
        {
          title: t('portal.developers.status'),
          key: 'status',
          render: (_, row) => (
            <Space orientation="vertical" size={0}>
              <Tag color={DELIVERY_COLOURS[row.status]}>{t(`portal.webhooks.state.${row.status}`)}</Tag>
              {row.status === 'pending' && row.nextAttemptAt ? (
                <Typography.Text type="secondary" className="portal-small">
                  {t('portal.webhooks.nextAttempt', {
                    time: formatDateTime(row.nextAttemptAt, i18n.language),
                  })}
                </Typography.Text>
              ) : null}
            </Space>
          ),
        },
        { title: t('portal.webhooks.attempts'), dataIndex: 'attempts' },
        {
          title: t('portal.webhooks.lastAnswer'),
          key: 'answer',
          render: (_, row) => (row.attempts === 0 ? '—' : answerOf(row, t)),
        },
        {
          title: '',
          key: 'actions',
          align: 'right',
          render: (_, row) => (
            <Button
              type="link"
              loading={resend.isPending && resend.variables?.id === row.id}
              onClick={() => resend.mutate(row)}
            >
              {t('portal.webhooks.resend')}
            </Button>
          ),
        },
      ]}
    />
  );
}

/** What the receiver answered: its status code, or why there was none. */
function answerOf(
  delivery: WebhookDelivery,
  t: (key: string, options?: Record<string, unknown>) => string,
): string {
  if (delivery.lastStatusCode !== null) return `HTTP ${delivery.lastStatusCode}`;
  return delivery.lastError ?? t('portal.webhooks.noAnswer');
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** http(s) with a host and no credentials (the server decides whether http is allowed). */
function isDeliverableUrl(text: string): boolean {
  try {
    const url = new URL(text.trim());
    return (
      (url.protocol === 'https:' || url.protocol === 'http:') &&
      url.hostname !== '' &&
      !url.username &&
      !url.password
    );
  } catch {
    return false;
  }
}
