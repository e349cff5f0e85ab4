/**
 * 开发者 (API keys, the owner's): make a key for the shop's own servers — name, what it may do,
 * where it may be used from — and see its secret once, with a copy button and the warning that it
 * will not be shown again; the keys with what identifies each, what it may do, its state and last
 * use; roll one (a new secret, the old one working for a day) or revoke one (refused at once);
 * and what a key did (its request log, secrets hidden by the server); then the webhooks
 * (Webhooks.tsx) and the partners (Partners.tsx). docs/developers.md.
 */
import { ApiOutlined, KeyOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
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
  apiKeyKeys,
  createApiKey,
  fetchApiKeyRequests,
  fetchApiKeys,
  revokeApiKey,
  rollApiKey,
} from '../api.ts';
import type { ApiKey, ApiRequest, ApiScope, NewApiKey } from '../api.ts';
import { usePortal } from '../context.ts';
import { ScopeChoices, ScopeTags } from './scopes.tsx';
import { ErrorAlert, PortalLoadFailed } from '../parts.tsx';
import { Partners } from './Partners.tsx';
import { Webhooks } from './Webhooks.tsx';

/** A rolled key keeps working this long, so the shop can deploy the new one. */
const OVERLAP_HOURS = 24;

interface KeyForm {
  mode: ApiKey['mode'];
  name: string;
  scopes: ApiScope[];
  ipAllow?: string;
}

const STATUS_COLOURS: Record<ApiKey['status'], string> = {
  active: 'green',
  expiring: 'orange',
  expired: 'default',
  revoked: 'red',
};

export function Developers() {
  const { t, i18n } = useTranslation();
  const { merchant } = usePortal();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<KeyForm>();
  const [shown, setShown] = useState<NewApiKey | null>(null);
  const [logOf, setLogOf] = useState<ApiKey | null>(null);
  const keys = useQuery({ queryKey: apiKeyKeys.list(merchant.id), queryFn: () => fetchApiKeys(merchant.id) });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: apiKeyKeys.list(merchant.id) });
  const create = useMutation({
    mutationFn: (values: KeyForm) =>
      createApiKey(merchant.id, {
        name: values.name.trim(),
        scopes: values.scopes,
        ipAllow: entriesOf(values.ipAllow),
        mode: values.mode,
      }),
    onSuccess: (made) => {
      form.resetFields();
      setShown(made);
      refresh();
    },
  });
  const roll = useMutation({
    mutationFn: (key: ApiKey) => rollApiKey(merchant.id, key.id, OVERLAP_HOURS),
    onSuccess: (made) => {
      setShown(made);
      refresh();
    },
    onError: (error) => void message.error(errorMessage(error)),
  });
  const revoke = useMutation({
    mutationFn: (key: ApiKey) => revokeApiKey(merchant.id, key.id),
    onSuccess: (key) => {
      void message.success(t('portal.developers.revoked', { prefix: key.prefix }));
      refresh();
    },
    onError: (error) => void message.error(errorMessage(error)),
  });
  const usable = (key: ApiKey) => key.status === 'active' || key.status === 'expiring';

  return (
    <div className="portal-page">
      <Typography.Title level={3} className="portal-page-title">
        {t('portal.developers.title')}
      </Typography.Title>
      <Card variant="borderless" title={t('portal.developers.createTitle')}>
        <Typography.Paragraph type="secondary">{t('portal.developers.intro')}</Typography.Paragraph>
        <Form<KeyForm>
          form={form}
          layout="vertical"
          requiredMark={false}
          initialValues={{ mode: 'live', scopes: ['payments:write'] }}
          onFinish={(values) => create.mutate(values)}
          aria-label={t('portal.developers.createTitle')}
          className="portal-key-form"
        >
          <Form.Item name="mode" label={t('portal.developers.mode')} extra={t('portal.developers.modeHint')}>
            <Radio.Group
              optionType="button"
              options={[
                { value: 'live', label: t('portal.developers.modes.live') },
                { value: 'test', label: t('portal.developers.modes.test') },
              ]}
            />
          </Form.Item>
          <Form.Item
            name="name"
            label={t('portal.developers.name')}
            rules={[{ required: true, whitespace: true, message: t('portal.developers.nameRequired') }]}
          >
            <Input maxLength={40} placeholder={t('portal.developers.namePlaceholder')} />
          </Form.Item>
          <Form.Item
            name="scopes"
            label={t('portal.developers.scopes')}
            rules={[
              { required: true, type: 'array', min: 1, message: t('portal.developers.scopesRequired') },
            ]}
          >
            <ScopeChoices />
          </Form.Item>
          <Form.Item
            name="ipAllow"
            label={t('portal.developers.ipAllow')}
            extra={t('portal.developers.ipAllowHint')}
            rules={[
              {
                validator: (_, value: string | undefined) => {
                  const wrong = entriesOf(value).find((entry) => !isAddressOrRange(entry));
                  return wrong === undefined
                    ? Promise.resolve()
                    : Promise.reject(new Error(t('portal.developers.ipInvalid', { entry: wrong })));
                },
              },
            ]}
          >
            <Input.TextArea rows={2} placeholder="203.0.113.7, 10.1.2.0/24" />
          </Form.Item>
          <Form.Item>
            <Button
              type="primary"
              htmlType="submit"
              icon={<KeyOutlined aria-hidden />}
              loading={create.isPending}
            >
              {t('portal.developers.create')}
            </Button>
          </Form.Item>
        </Form>
        <ErrorAlert error={create.error} />
      </Card>

      <Card variant="borderless" title={t('portal.developers.listTitle')} className="portal-section">
        {keys.isError ? (
          <PortalLoadFailed error={keys.error} onRetry={() => void keys.refetch()} />
        ) : (
          <Table<ApiKey>
            data-testid="api-keys-table"
            rowKey="id"
            size="middle"
            loading={keys.isPending}
            pagination={false}
            dataSource={keys.data ?? []}
            locale={{ emptyText: t('portal.developers.none') }}
            columns={[
              { title: t('portal.developers.name'), dataIndex: 'name' },
              {
                title: t('portal.developers.key'),
                key: 'prefix',
                render: (_, key) => (
                  <Space size={4} wrap>
                    {key.mode === 'test' ? (
                      <Tag color="orange">{t('portal.developers.modes.test')}</Tag>
                    ) : null}
                    <span className="portal-mono">{key.prefix}</span>
                  </Space>
                ),
              },
              {
                title: t('portal.developers.scopes'),
                dataIndex: 'scopes',
                render: (scopes: ApiScope[]) => <ScopeTags scopes={scopes} />,
              },
              {
                title: t('portal.developers.status'),
                key: 'status',
                render: (_, key) => (
                  <Space orientation="vertical" size={0}>
                    <Tag color={STATUS_COLOURS[key.status]}>{t(`portal.developers.state.${key.status}`)}</Tag>
                    {key.status === 'expiring' && key.expiresAt ? (
                      <Typography.Text type="secondary" className="portal-small">
                        {t('portal.developers.until', { time: formatDateTime(key.expiresAt, i18n.language) })}
                      </Typography.Text>
                    ) : null}
                  </Space>
                ),
              },
              {
                title: t('portal.developers.lastUsed'),
                key: 'lastUsed',
                render: (_, key) =>
                  key.lastUsedAt
                    ? `${formatDateTime(key.lastUsedAt, i18n.language)}${key.lastUsedIp ? ` · ${key.lastUsedIp}` : ''}`
                    : t('portal.developers.neverUsed'),
              },
              {
                title: '',
                key: 'actions',
                align: 'right',
                render: (_, key) => (
                  <Space size={0} wrap>
                    <Button type="link" onClick={() => setLogOf(key)}>
                      {t('portal.developers.requests')}
                    </Button>
                    {key.status === 'active' ? (
                      <Popconfirm
                        title={t('portal.developers.rollConfirm', { name: key.name })}
                        description={t('portal.developers.rollNote', { hours: OVERLAP_HOURS })}
                        okText={t('portal.developers.roll')}
                        cancelText={t('common.cancel')}
                        onConfirm={() => roll.mutate(key)}
                      >
                        <Button type="link" loading={roll.isPending && roll.variables?.id === key.id}>
                          {t('portal.developers.roll')}
                        </Button>
                      </Popconfirm>
                    ) : null}
                    {usable(key) ? (
                      <Popconfirm
                        title={t('portal.developers.revokeConfirm', { name: key.name })}
                        description={t('portal.developers.revokeNote')}
                        okText={t('portal.developers.revoke')}
                        okButtonProps={{ danger: true }}
                        cancelText={t('common.cancel')}
                        onConfirm={() => revoke.mutate(key)}
                      >
                        <Button
                          danger
                          type="link"
                          loading={revoke.isPending && revoke.variables?.id === key.id}
                        >
                          {t('portal.developers.revoke')}
                        </Button>
                      </Popconfirm>
                    ) : null}
                  </Space>
                ),
              },
            ]}
          />
        )}
      </Card>

      <Webhooks />

      <Partners />

      <Modal
        open={shown !== null}
        title={t('portal.developers.secretTitle')}
        onCancel={() => setShown(null)}
        mask={{ closable: false }}
        footer={
          <Button type="primary" onClick={() => setShown(null)}>
            {t('portal.developers.secretDone')}
          </Button>
        }
      >
        {shown ? (
          <Space orientation="vertical" className="portal-full-width">
            <Alert type="warning" showIcon title={t('portal.developers.secretOnce')} />
            <Typography.Paragraph
              copyable={{
                text: shown.secret,
                tooltips: [t('portal.developers.copy'), t('portal.developers.copied')],
              }}
              className="portal-mono portal-secret"
              data-testid="api-key-secret"
            >
              {shown.secret}
            </Typography.Paragraph>
            <Typography.Text type="secondary">
              {t('portal.developers.secretUse')}{' '}
              <span className="portal-mono">Authorization: Bearer qbk_live_…</span>
            </Typography.Text>
          </Space>
        ) : null}
      </Modal>

      <Drawer
        open={logOf !== null}
        onClose={() => setLogOf(null)}
        size={720}
        title={
          <Space>
            <ApiOutlined aria-hidden />
            {logOf ? t('portal.developers.requestsOf', { name: logOf.name }) : ''}
          </Space>
        }
      >
        {logOf ? <RequestLog keyOf={logOf} /> : null}
      </Drawer>
    </div>
  );
}

/** The allow-list as typed: entries separated by commas, spaces or new lines. */
function entriesOf(text: string | undefined): string[] {
  return (text ?? '')
    .split(/[\s,，]+/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/** An IPv4 or IPv6 address, with an optional prefix length (the server checks it exactly). */
function isAddressOrRange(entry: string): boolean {
  const [address = '', bits, extra] = entry.split('/');
  if (extra !== undefined || (bits !== undefined && !/^\d{1,3}$/.test(bits))) return false;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (v4)
    return v4.slice(1).every((part) => Number(part) <= 255) && (bits === undefined || Number(bits) <= 32);
  return (
    /^[0-9a-f:]+$/i.test(address) && address.includes(':') && (bits === undefined || Number(bits) <= 128)
  );
}

function RequestLog(props: { keyOf: ApiKey }) {
  const { t, i18n } = useTranslation();
  const { merchant } = usePortal();
  const requests = useQuery({
    queryKey: apiKeyKeys.requests(merchant.id, props.keyOf.id),
    queryFn: () => fetchApiKeyRequests(merchant.id, props.keyOf.id),
  });
  if (requests.isError)
    return <PortalLoadFailed error={requests.error} onRetry={() => void requests.refetch()} />;
  return (
    <Table<ApiRequest>
      data-testid="api-requests-table"
      rowKey="id"
      size="small"
      loading={requests.isPending}
      pagination={false}
      dataSource={requests.data ?? []}
      locale={{ emptyText: t('portal.developers.noRequests') }}
      expandable={{
        rowExpandable: (row) => row.body !== null,
        expandedRowRender: (row) => <pre className="portal-json">{JSON.stringify(row.body, null, 2)}</pre>,
      }}
      columns={[
        {
          title: t('portal.developers.at'),
          dataIndex: 'at',
          render: (value: string) => formatDateTime(value, i18n.language),
        },
        {
          title: t('portal.developers.request'),
          key: 'request',
          render: (_, row) => (
            <span className="portal-mono">
              {row.method} {row.path}
            </span>
          ),
        },
        {
          title: t('portal.developers.result'),
          dataIndex: 'status',
          render: (status: number) => (
            <Tag color={status < 400 ? 'green' : status < 500 ? 'orange' : 'red'}>{status}</Tag>
          ),
        },
        {
          title: 'Idempotency-Key',
          dataIndex: 'idempotencyKey',
          render: (value: string | null) => (value ? <span className="portal-mono">{value}</span> : '—'),
        },
        {
          title: t('portal.developers.duration'),
          dataIndex: 'durationMs',
          render: (ms: number) => `${ms} ms`,
        },
      ]}
    />
  );
}
