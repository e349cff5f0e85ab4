/**
 * One holder: who (masked), tier and limits with today's use, and tabs — accounts and balances
 * in every currency, movements, risk decisions, sessions and devices, cards, freezes, tickets,
 * notes. Reveal, freeze and unfreeze show only to operators allowed them.
 */
import { LockOutlined, UnlockOutlined, EyeOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Breadcrumb,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  List,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import type { TableProps } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { errorMessage } from '../../api/client.ts';
import { formatDateTime } from '../../lib/format.ts';
import { PortalLoadFailed, PortalLoading, useMoney } from '../../portal/parts.tsx';
import { useOperator } from '../api.ts';
import { addNote, backOfficeKeys, fetchHolder } from './api.ts';
import type { HolderPage } from './api.ts';
import { FreezeDialog, RevealDialog, UnfreezeDialog } from './dialogs.tsx';
import './holders.css';

type RevealTarget = { field: 'idNumber' } | { field: 'cardNumber'; cardId: string; label: string } | null;

export function HolderView() {
  const { userId = '' } = useParams();
  const { t, i18n } = useTranslation();
  const operator = useOperator();
  const money = useMoney();
  const [revealTarget, setRevealTarget] = useState<RevealTarget>(null);
  const [freezing, setFreezing] = useState(false);
  const [lifting, setLifting] = useState(false);
  const holder = useQuery({ queryKey: backOfficeKeys.holder(userId), queryFn: () => fetchHolder(userId) });
  if (holder.isPending) return <PortalLoading />;
  if (holder.isError) return <PortalLoadFailed error={holder.error} onRetry={() => void holder.refetch()} />;
  const data = holder.data;
  const { profile, limits } = data;
  const frozen = data.freeze.mode !== 'none';
  const date = (iso: string | null | undefined) => formatDateTime(iso ?? undefined, i18n.language);
  const limit = (value: HolderPage['limits']['single']) =>
    value ? money(value) : t('console.holders.noLimit');

  return (
    <div className="portal-page backoffice-page" data-testid="holder-page">
      <Breadcrumb
        items={[
          { title: <Link to="/console/holders">{t('console.holders.title')}</Link> },
          { title: profile.phone },
        ]}
      />
      <div className="backoffice-header">
        <Space wrap align="center">
          <Typography.Title level={2} className="portal-page-title">
            {profile.realName?.name ?? profile.phone}
          </Typography.Title>
          <Tag>{data.tier}</Tag>
          <Tag color={frozen ? 'error' : 'success'} data-testid="freeze-state">
            {t(`console.holders.freezeMode.${data.freeze.mode}`)}
          </Tag>
        </Space>
        <Space wrap>
          {operator.can('pii:reveal') && profile.realName ? (
            <Button icon={<EyeOutlined />} onClick={() => setRevealTarget({ field: 'idNumber' })}>
              {t('console.holders.reveal.idButton')}
            </Button>
          ) : null}
          {operator.can('holders:freeze') ? (
            <Button danger icon={<LockOutlined />} onClick={() => setFreezing(true)}>
              {t('console.holders.freeze.button')}
            </Button>
          ) : null}
          {operator.can('holders:unfreeze') && frozen ? (
            <Button icon={<UnlockOutlined />} onClick={() => setLifting(true)}>
              {t('console.holders.unfreeze.button')}
            </Button>
          ) : null}
        </Space>
      </div>
      {frozen ? (
        <Alert
          className="portal-alert"
          type="warning"
          showIcon
          title={t('console.holders.frozenSince', {
            mode: t(`console.holders.freezeMode.${data.freeze.mode}`),
            since: date(data.freeze.since),
            source: t(`console.holders.freezeSource.${data.freeze.source ?? 'operator'}`),
          })}
          description={data.freeze.reason ?? undefined}
        />
      ) : null}
      <Card>
        <Descriptions
          column={{ xs: 1, md: 2, xl: 3 }}
          items={[
            { key: 'phone', label: t('console.holders.phone'), children: profile.phone },
            {
              key: 'name',
              label: t('console.holders.name'),
              children: profile.realName?.name ?? t('console.holders.noRealName'),
            },
            {
              key: 'id',
              label: t('console.holders.idNumber'),
              children: (
                <span className="portal-mono" data-testid="masked-id">
                  {profile.realName?.idNumber ?? '—'}
                </span>
              ),
            },
            { key: 'tier', label: t('console.holders.tier'), children: data.tier },
            { key: 'created', label: t('console.holders.createdAt'), children: date(profile.createdAt) },
            {
              key: 'verified',
              label: t('console.holders.verifiedAt'),
              children: date(profile.realName?.verifiedAt),
            },
            { key: 'single', label: t('console.holders.limits.single'), children: limit(limits.single) },
            {
              key: 'daily',
              label: t('console.holders.limits.daily'),
              children: `${money(limits.usedToday)} / ${limit(limits.daily)}`,
            },
            {
              key: 'yearly',
              label: t('console.holders.limits.yearly'),
              children: `${money(limits.usedThisYear)} / ${limit(limits.yearly)}`,
            },
            { key: 'cap', label: t('console.holders.limits.balanceCap'), children: limit(limits.balanceCap) },
            {
              key: 'withdraw',
              label: t('console.holders.limits.mayWithdraw'),
              children: limits.mayWithdraw ? t('console.holders.yes') : t('console.holders.no'),
            },
            {
              key: 'review',
              label: t('console.holders.review'),
              children: profile.review
                ? `${profile.review.status} · ${date(profile.review.submittedAt)}`
                : '—',
            },
          ]}
        />
      </Card>
      <Card>
        <Tabs
          items={[
            {
              key: 'accounts',
              label: t('console.holders.tabs.accounts'),
              children: <Accounts data={data} />,
            },
            {
              key: 'movements',
              label: t('console.holders.tabs.movements'),
              children: <Movements data={data} />,
            },
            { key: 'risk', label: t('console.holders.tabs.risk'), children: <RiskDecisions data={data} /> },
            {
              key: 'sessions',
              label: t('console.holders.tabs.sessions'),
              children: <Sessions data={data} />,
            },
            {
              key: 'cards',
              label: t('console.holders.tabs.cards'),
              children: (
                <Cards
                  data={data}
                  onReveal={
                    operator.can('pii:reveal')
                      ? (card) =>
                          setRevealTarget({ field: 'cardNumber', cardId: card.id, label: card.maskedNumber })
                      : null
                  }
                />
              ),
            },
            { key: 'freezes', label: t('console.holders.tabs.freezes'), children: <Freezes data={data} /> },
            { key: 'tickets', label: t('console.holders.tabs.tickets'), children: <Tickets data={data} /> },
            {
              key: 'notes',
              label: t('console.holders.tabs.notes', { count: data.notes.length }),
              children: <Notes data={data} />,
            },
          ]}
        />
      </Card>
      <RevealDialog userId={userId} target={revealTarget} onClose={() => setRevealTarget(null)} />
      <FreezeDialog userId={userId} open={freezing} onClose={() => setFreezing(false)} />
      <UnfreezeDialog userId={userId} open={lifting} onClose={() => setLifting(false)} />
    </div>
  );
}

/** The tab tables: small, unpaged, one row per id, "none" when empty unless told otherwise. */
function HolderTable<T extends object>(props: TableProps<T>) {
  const { t } = useTranslation();
  return (
    <Table<T>
      size="small"
      rowKey="id"
      pagination={false}
      locale={{ emptyText: t('console.holders.none') }}
      {...props}
    />
  );
}

function Accounts({ data }: { data: HolderPage }) {
  const { t, i18n } = useTranslation();
  const operator = useOperator();
  const money = useMoney();
  const english = i18n.language === 'en';
  return (
    <HolderTable
      dataSource={data.accounts}
      locale={undefined}
      data-testid="holder-accounts"
      columns={[
        {
          title: t('console.holders.account.kind'),
          dataIndex: 'label',
          render: (label: HolderPage['accounts'][number]['label'], account) =>
            label ? (english ? label.en : label['zh-CN']) : account.code,
        },
        { title: t('console.holders.account.currency'), dataIndex: 'currency' },
        {
          title: t('console.holders.account.balance'),
          dataIndex: 'balance',
          align: 'right',
          render: (value: HolderPage['accounts'][number]['balance']) => <strong>{money(value)}</strong>,
        },
        {
          title: t('console.holders.account.available'),
          dataIndex: 'available',
          align: 'right',
          render: (value: HolderPage['accounts'][number]['available']) => money(value),
        },
        {
          title: t('console.holders.account.id'),
          dataIndex: 'id',
          render: (id: string) =>
            operator.can('ledger:read') ? (
              <Link to={`/console/ledger/accounts/${id}`} className="portal-mono">
                {id.slice(-12)}
              </Link>
            ) : (
              <span className="portal-mono">{id.slice(-12)}</span>
            ),
        },
      ]}
    />
  );
}

function Movements({ data }: { data: HolderPage }) {
  const { t, i18n } = useTranslation();
  const money = useMoney();
  const english = i18n.language === 'en';
  return (
    <HolderTable
      dataSource={data.movements}
      data-testid="holder-movements"
      columns={[
        {
          title: t('console.holders.at'),
          dataIndex: 'createdAt',
          render: (v: string) => formatDateTime(v, i18n.language),
        },
        {
          title: t('console.holders.movement.type'),
          dataIndex: 'label',
          render: (label: HolderPage['movements'][number]['label']) => (english ? label.en : label['zh-CN']),
        },
        {
          title: t('console.holders.movement.counterparty'),
          dataIndex: 'counterparty',
          render: (v: string | null) => v ?? '—',
        },
        {
          title: t('console.holders.movement.amount'),
          dataIndex: 'amount',
          align: 'right',
          render: (amount: HolderPage['movements'][number]['amount'], row) => (
            <span className="portal-amount">
              {row.direction === 'out' ? '−' : '+'}
              {money(amount)}
            </span>
          ),
        },
        {
          title: t('console.holders.movement.status'),
          dataIndex: 'status',
          render: (v: string) => <Tag>{v}</Tag>,
        },
        {
          title: t('console.holders.movement.note'),
          dataIndex: 'note',
          render: (v: string | null) => v ?? '',
        },
      ]}
    />
  );
}

const DECISION_COLOURS: Record<string, string> = {
  allow: 'success',
  step_up: 'processing',
  review: 'warning',
  block: 'error',
};

function RiskDecisions({ data }: { data: HolderPage }) {
  const { t, i18n } = useTranslation();
  const money = useMoney();
  return (
    <HolderTable
      dataSource={data.riskDecisions}
      columns={[
        {
          title: t('console.holders.at'),
          dataIndex: 'at',
          render: (v: string) => formatDateTime(v, i18n.language),
        },
        { title: t('console.holders.risk.kind'), dataIndex: 'kind' },
        {
          title: t('console.holders.risk.amount'),
          dataIndex: 'amount',
          render: (v: HolderPage['riskDecisions'][number]['amount']) => (v ? money(v) : '—'),
        },
        { title: t('console.holders.risk.score'), dataIndex: 'score', align: 'right' },
        {
          title: t('console.holders.risk.decision'),
          dataIndex: 'decision',
          render: (v: string) => <Tag color={DECISION_COLOURS[v] ?? 'default'}>{v}</Tag>,
        },
        {
          title: t('console.holders.risk.fired'),
          dataIndex: 'fired',
          render: (rules: string[]) => (
            <Space size={4} wrap>
              {rules.map((rule) => (
                <Tag key={rule}>{rule}</Tag>
              ))}
            </Space>
          ),
        },
      ]}
    />
  );
}

function Sessions({ data }: { data: HolderPage }) {
  const { t, i18n } = useTranslation();
  const date = (v: string) => formatDateTime(v, i18n.language);
  return (
    <Space orientation="vertical" size="large" className="console-full">
      <Typography.Title level={5}>{t('console.holders.sessions.title')}</Typography.Title>
      <HolderTable
        dataSource={data.sessions}
        columns={[
          {
            title: t('console.holders.sessions.device'),
            dataIndex: 'deviceName',
            render: (v: string | null, s) => v ?? s.deviceId,
          },
          { title: t('console.holders.sessions.method'), dataIndex: 'method' },
          {
            title: t('console.holders.sessions.place'),
            dataIndex: 'place',
            render: (v: string, s) => `${v} · ${s.ipAddress ?? '—'}`,
          },
          { title: t('console.holders.sessions.lastUsed'), dataIndex: 'lastUsedAt', render: date },
          { title: t('console.holders.sessions.since'), dataIndex: 'createdAt', render: date },
        ]}
      />
      <Typography.Title level={5}>{t('console.holders.devices.title')}</Typography.Title>
      <HolderTable
        rowKey="deviceId"
        dataSource={data.devices}
        columns={[
          {
            title: t('console.holders.sessions.device'),
            dataIndex: 'name',
            render: (v: string | null, d) => v ?? d.deviceId,
          },
          {
            title: t('console.holders.devices.trusted'),
            dataIndex: 'trusted',
            render: (v: boolean) =>
              v ? (
                <Tag color="success">{t('console.holders.yes')}</Tag>
              ) : (
                <Tag>{t('console.holders.no')}</Tag>
              ),
          },
          { title: t('console.holders.devices.firstSeen'), dataIndex: 'firstSeenAt', render: date },
          { title: t('console.holders.devices.lastSeen'), dataIndex: 'lastSeenAt', render: date },
        ]}
      />
    </Space>
  );
}

function Cards(props: { data: HolderPage; onReveal: ((card: HolderPage['cards'][number]) => void) | null }) {
  const { t, i18n } = useTranslation();
  const english = i18n.language === 'en';
  return (
    <HolderTable
      dataSource={props.data.cards}
      locale={{ emptyText: t('console.holders.cards.none') }}
      columns={[
        {
          title: t('console.holders.cards.number'),
          dataIndex: 'maskedNumber',
          render: (v: string) => <span className="portal-mono">{v}</span>,
        },
        {
          title: t('console.holders.cards.bank'),
          dataIndex: 'bankName',
          render: (v: HolderPage['cards'][number]['bankName']) => (english ? v.en : v.zh),
        },
        { title: t('console.holders.cards.type'), dataIndex: 'cardType' },
        {
          title: t('console.holders.cards.default'),
          dataIndex: 'isDefault',
          render: (v: boolean) => (v ? <Tag color="blue">{t('console.holders.yes')}</Tag> : null),
        },
        {
          title: t('console.holders.cards.boundAt'),
          dataIndex: 'boundAt',
          render: (v: string) => formatDateTime(v, i18n.language),
        },
        {
          title: '',
          key: 'reveal',
          render: (_: unknown, card) =>
            props.onReveal ? (
              <Button size="small" icon={<EyeOutlined />} onClick={() => props.onReveal?.(card)}>
                {t('console.holders.reveal.cardButton')}
              </Button>
            ) : null,
        },
      ]}
    />
  );
}

function Freezes({ data }: { data: HolderPage }) {
  const { t, i18n } = useTranslation();
  const date = (v: string | null) => formatDateTime(v ?? undefined, i18n.language);
  return (
    <HolderTable
      dataSource={data.freeze.history}
      locale={{ emptyText: t('console.holders.freezes.none') }}
      columns={[
        { title: t('console.holders.freezes.setAt'), dataIndex: 'setAt', render: date },
        {
          title: t('console.holders.freeze.mode'),
          dataIndex: 'mode',
          render: (v: string) => t(`console.holders.freezeMode.${v}`),
        },
        {
          title: t('console.holders.freezes.source'),
          dataIndex: 'source',
          render: (v: string) => t(`console.holders.freezeSource.${v}`),
        },
        { title: t('console.holders.reason'), dataIndex: 'reason' },
        { title: t('console.holders.freezes.liftedAt'), dataIndex: 'liftedAt', render: date },
        {
          title: t('console.holders.freezes.liftReason'),
          dataIndex: 'liftReason',
          render: (v: string | null) => v ?? '',
        },
      ]}
    />
  );
}

function Tickets({ data }: { data: HolderPage }) {
  const { t, i18n } = useTranslation();
  if (data.tickets === null)
    return <Typography.Text type="secondary">{t('console.holders.tickets.unavailable')}</Typography.Text>;
  return (
    <HolderTable
      dataSource={data.tickets}
      columns={[
        {
          title: t('console.holders.tickets.number'),
          dataIndex: 'number',
          render: (v: string) => <span className="portal-mono">{v}</span>,
        },
        {
          title: t('console.holders.tickets.topic'),
          dataIndex: 'topic',
          render: (v: string) => t(`console.holders.ticketTopic.${v}`, { defaultValue: v }),
        },
        {
          title: t('console.holders.tickets.status'),
          dataIndex: 'status',
          render: (v: string) => <Tag>{t(`console.holders.ticketStatus.${v}`, { defaultValue: v })}</Tag>,
        },
        {
          title: t('console.holders.tickets.updatedAt'),
          dataIndex: 'updatedAt',
          render: (v: string) => formatDateTime(v, i18n.language),
        },
      ]}
    />
  );
}

function Notes({ data }: { data: HolderPage }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ text: string }>();
  const adding = useMutation({
    mutationFn: (text: string) => addNote(data.profile.userId, text),
    onSuccess: async () => {
      form.resetFields();
      await queryClient.invalidateQueries({ queryKey: backOfficeKeys.holder(data.profile.userId) });
    },
  });
  return (
    <Space orientation="vertical" size="middle" className="console-full">
      {adding.isError ? (
        <Alert type="error" showIcon title={errorMessage(adding.error)} role="alert" />
      ) : null}
      <Form form={form} layout="vertical" onFinish={(values) => adding.mutate(values.text.trim())}>
        <Form.Item
          name="text"
          label={t('console.holders.notes.add')}
          rules={[{ required: true, whitespace: true, message: t('console.holders.notes.required') }]}
        >
          <Input.TextArea rows={3} maxLength={2000} showCount />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={adding.isPending}>
          {t('console.holders.notes.submit')}
        </Button>
      </Form>
      <List
        dataSource={data.notes}
        locale={{ emptyText: t('console.holders.notes.none') }}
        renderItem={(note) => (
          <List.Item>
            <List.Item.Meta
              title={`${formatDateTime(note.createdAt, i18n.language)} · ${note.operatorName}`}
              description={<span className="backoffice-note">{note.text}</span>}
            />
          </List.Item>
        )}
      />
    </Space>
  );
}
