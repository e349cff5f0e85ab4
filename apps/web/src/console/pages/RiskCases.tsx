/**
 * 风控案件: the payments the risk engine held for a person to look at (docs/risk.md, "Hold for
 * review"). The queue (open cases first; other statuses on demand) and one case: the rules that
 * fired with their scores, the features the decision was made on, the holder's recent behaviour
 * (decisions, devices, last sign-in, previous cases), and approve (the hold is paid) or reject (the
 * money returns) with a reason — a reason is required to reject. Needs `risk:decide`.
 */
import { AlertOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Form,
  Input,
  Modal,
  Row,
  Segmented,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { TableProps } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Route, Routes, useNavigate, useParams } from 'react-router';
import { formatDateTime, formatMoney } from '../../lib/format.ts';
import type { ConsolePage } from '../page.ts';
import { CASE_STATUSES, decideCase, fetchCase, fetchCases, riskKeys } from '../risk/api.ts';
import type { CaseDetail, CaseStatus, RiskCase, RiskDecision } from '../risk/api.ts';
import {
  CaseStatusTag,
  DecisionTag,
  ErrorAlert,
  LoadFailed,
  RuleTags,
  shortId,
  useDescription,
} from '../risk/parts.tsx';
import '../risk/risk.css';
import { HolderLink } from '../HolderLink.tsx';

function RiskCases() {
  return (
    <Routes>
      <Route index element={<Queue />} />
      <Route path=":id" element={<CaseView />} />
    </Routes>
  );
}

export const page: ConsolePage = {
  path: 'risk-cases',
  title: 'console.menu.riskCases',
  permission: 'risk:decide',
  order: 30,
  icon: <AlertOutlined />,
  component: RiskCases,
};

function Queue() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const [status, setStatus] = useState<CaseStatus | 'all'>('open');
  const cases = useQuery({
    queryKey: riskKeys.cases(status),
    queryFn: () => fetchCases(status),
    refetchInterval: 15_000,
  });

  const columns: TableProps<RiskCase>['columns'] = [
    {
      title: t('console.riskCases.openedAt'),
      dataIndex: 'openedAt',
      render: (value: string) => formatDateTime(value, i18n.language),
    },
    {
      title: t('console.riskCases.holder'),
      dataIndex: 'holderId',
      render: (value: string) => (
        <span className="risk-mono" title={value}>
          {shortId(value)}
        </span>
      ),
    },
    {
      title: t('console.riskCases.kind'),
      dataIndex: 'kind',
      render: (value: string) => t(`console.riskCases.kinds.${value}`, { defaultValue: value }),
    },
    {
      title: t('console.riskCases.amount'),
      key: 'amount',
      align: 'right',
      render: (_, row) => <span className="risk-amount">{formatMoney(row.amount, i18n.language)}</span>,
    },
    {
      title: t('console.riskCases.rules'),
      dataIndex: 'rules',
      render: (value: string[]) => <RuleTags ids={value} />,
    },
    { title: t('console.riskCases.score'), dataIndex: 'score', align: 'right' },
    {
      title: t('console.riskCases.statusLabel'),
      dataIndex: 'status',
      render: (value: CaseStatus) => <CaseStatusTag status={value} />,
    },
    {
      title: t('console.riskCases.expiresAt'),
      key: 'expiresAt',
      render: (_, row) => (row.status === 'open' ? formatDateTime(row.expiresAt, i18n.language) : '—'),
    },
  ];

  return (
    <div className="risk-page">
      <Typography.Title level={3}>{t('console.riskCases.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('console.riskCases.intro')}</Typography.Paragraph>
      <Card variant="borderless">
        <Segmented<CaseStatus | 'all'>
          className="risk-filter"
          aria-label={t('console.riskCases.statusLabel')}
          value={status}
          onChange={setStatus}
          options={[...CASE_STATUSES, 'all' as const].map((value) => ({
            value,
            label: t(`console.riskCases.status.${value}`),
          }))}
        />
        {cases.isError ? (
          <LoadFailed error={cases.error} onRetry={() => void cases.refetch()} />
        ) : (
          <Table<RiskCase>
            data-testid="risk-cases-table"
            rowKey="id"
            size="middle"
            loading={cases.isPending}
            columns={columns}
            dataSource={cases.data ?? []}
            pagination={false}
            rowClassName="risk-clickable-row"
            locale={{
              emptyText: t(status === 'open' ? 'console.riskCases.emptyOpen' : 'console.riskCases.empty'),
            }}
            onRow={(row) => ({
              onClick: () => void navigate(row.id),
              onKeyDown: (event) => {
                if (event.key === 'Enter') void navigate(row.id);
              },
              tabIndex: 0,
              'aria-label': t('console.riskCases.openCase', {
                amount: formatMoney(row.amount, i18n.language),
              }),
            })}
          />
        )}
      </Card>
    </div>
  );
}

function CaseView() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { id = '' } = useParams();
  const kase = useQuery({ queryKey: riskKeys.case(id), queryFn: () => fetchCase(id) });
  return (
    <div className="risk-page">
      <Space className="risk-back">
        <Button onClick={() => void navigate('..')}>{t('console.riskCases.back')}</Button>
      </Space>
      {kase.isError ? (
        <LoadFailed error={kase.error} onRetry={() => void kase.refetch()} />
      ) : kase.data ? (
        <CaseDetailView kase={kase.data} />
      ) : (
        <Card loading variant="borderless" />
      )}
    </div>
  );
}

function CaseDetailView({ kase }: { kase: CaseDetail }) {
  const { t, i18n } = useTranslation();
  const describe = useDescription();
  const { context } = kase;
  const money = (value: RiskDecision['amount']) => formatMoney(value, i18n.language);

  const decisionColumns: TableProps<RiskDecision>['columns'] = [
    {
      title: t('console.riskCases.at'),
      dataIndex: 'at',
      render: (value: string) => formatDateTime(value, i18n.language),
    },
    {
      title: t('console.riskCases.what'),
      key: 'what',
      render: (_, row) =>
        row.subject === 'sign_in'
          ? t('console.riskCases.signIn')
          : t(`console.riskCases.kinds.${row.kind}`, { defaultValue: row.kind }),
    },
    {
      title: t('console.riskCases.amount'),
      key: 'amount',
      align: 'right',
      render: (_, row) => (row.amount ? money(row.amount) : '—'),
    },
    {
      title: t('console.riskCases.payee'),
      dataIndex: 'payee',
      render: (value: string | null) => <span className="risk-mono">{value ?? '—'}</span>,
    },
    {
      title: t('console.riskCases.decisionLabel'),
      key: 'decision',
      render: (_, row) => (
        <Space size={4}>
          <DecisionTag decision={row.decision} />
          {row.movementId === kase.movementId ? (
            <Tag color="blue">{t('console.riskCases.thisPayment')}</Tag>
          ) : null}
        </Space>
      ),
    },
    { title: t('console.riskCases.score'), dataIndex: 'score', align: 'right' },
    {
      title: t('console.riskCases.rules'),
      dataIndex: 'fired',
      render: (value: string[]) => <RuleTags ids={value} />,
    },
  ];

  return (
    <>
      <Typography.Title level={3}>
        {t('console.riskCases.caseTitle', { amount: money(kase.amount) })}{' '}
        <CaseStatusTag status={kase.status} />
      </Typography.Title>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          <Card title={t('console.riskCases.payment')} variant="borderless">
            <Descriptions column={1} size="small" data-testid="risk-case-summary">
              <Descriptions.Item label={t('console.riskCases.amount')}>
                <span className="risk-amount">{money(kase.amount)}</span>
              </Descriptions.Item>
              <Descriptions.Item label={t('console.riskCases.kind')}>
                {t(`console.riskCases.kinds.${kase.kind}`, { defaultValue: kase.kind })}
              </Descriptions.Item>
              <Descriptions.Item label={t('console.riskCases.holder')}>
                <HolderLink userId={kase.holderId} className="risk-mono" />
              </Descriptions.Item>
              <Descriptions.Item label={t('console.riskCases.payee')}>
                <span className="risk-mono">{kase.payee}</span>
              </Descriptions.Item>
              <Descriptions.Item label={t('console.riskCases.score')}>{kase.score}</Descriptions.Item>
              <Descriptions.Item label={t('console.riskCases.openedAt')}>
                {formatDateTime(kase.openedAt, i18n.language)}
              </Descriptions.Item>
              {kase.status === 'open' ? (
                <Descriptions.Item label={t('console.riskCases.expiresAt')}>
                  {formatDateTime(kase.expiresAt, i18n.language)}
                </Descriptions.Item>
              ) : (
                <>
                  <Descriptions.Item label={t('console.riskCases.decidedBy')}>
                    {kase.decidedBy ?? '—'}
                  </Descriptions.Item>
                  <Descriptions.Item label={t('console.riskCases.reason')}>
                    {kase.reason ?? '—'}
                  </Descriptions.Item>
                </>
              )}
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <DecisionCard kase={kase} />
        </Col>
        <Col span={24}>
          <Card
            title={t('console.riskCases.firedRules', { version: context.version ?? '—' })}
            variant="borderless"
          >
            <Table
              data-testid="risk-fired-rules"
              rowKey="id"
              size="small"
              pagination={false}
              dataSource={context.firedRules}
              columns={[
                {
                  title: t('console.riskCases.rule'),
                  dataIndex: 'id',
                  render: (value: string) => <Tag>{value}</Tag>,
                },
                {
                  title: t('console.riskCases.description'),
                  key: 'description',
                  render: (_, row) => describe(row.description),
                },
                {
                  title: t('console.riskCases.ruleScore'),
                  dataIndex: 'score',
                  align: 'right',
                  render: (value: number | null) =>
                    value === null ? '—' : value > 0 ? `+${value}` : String(value),
                },
                {
                  title: t('console.riskCases.ruleDecision'),
                  dataIndex: 'decision',
                  render: (value: RiskDecision['decision'] | null) =>
                    value ? <DecisionTag decision={value} /> : '—',
                },
              ]}
            />
            {context.features ? <Features features={context.features} /> : null}
          </Card>
        </Col>
        <Col span={24}>
          <Card title={t('console.riskCases.recent')} variant="borderless">
            <Table<RiskDecision>
              data-testid="risk-recent-decisions"
              rowKey="id"
              size="small"
              pagination={false}
              columns={decisionColumns}
              dataSource={context.recentDecisions}
              locale={{ emptyText: t('console.riskCases.none') }}
            />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t('console.riskCases.devices')} variant="borderless">
            <Descriptions column={1} size="small">
              <Descriptions.Item label={t('console.riskCases.lastSignIn')}>
                {context.lastSignIn
                  ? `${formatDateTime(context.lastSignIn.at, i18n.language)}${context.lastSignIn.city ? ` · ${context.lastSignIn.city}` : ''}`
                  : '—'}
              </Descriptions.Item>
              <Descriptions.Item label={t('console.riskCases.credentialReset')}>
                {context.credentialResetAt ? formatDateTime(context.credentialResetAt, i18n.language) : '—'}
              </Descriptions.Item>
            </Descriptions>
            <Table
              rowKey="deviceId"
              size="small"
              pagination={false}
              dataSource={context.devices}
              locale={{ emptyText: t('console.riskCases.none') }}
              columns={[
                {
                  title: t('console.riskCases.device'),
                  dataIndex: 'deviceId',
                  render: (value: string) => <span className="risk-mono">{value}</span>,
                },
                {
                  title: t('console.riskCases.firstSeen'),
                  dataIndex: 'firstSeenAt',
                  render: (value: string) => formatDateTime(value, i18n.language),
                },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t('console.riskCases.previous')} variant="borderless">
            <Table
              data-testid="risk-previous-cases"
              rowKey="id"
              size="small"
              pagination={false}
              dataSource={context.previousCases}
              locale={{ emptyText: t('console.riskCases.noPrevious') }}
              columns={[
                {
                  title: t('console.riskCases.openedAt'),
                  dataIndex: 'openedAt',
                  render: (value: string) => formatDateTime(value, i18n.language),
                },
                {
                  title: t('console.riskCases.amount'),
                  key: 'amount',
                  align: 'right',
                  render: (_, row) => money(row.amount),
                },
                {
                  title: t('console.riskCases.statusLabel'),
                  dataIndex: 'status',
                  render: (value: CaseStatus) => <CaseStatusTag status={value} />,
                },
                {
                  title: t('console.riskCases.reason'),
                  dataIndex: 'reason',
                  render: (value: string | null) => value ?? '—',
                },
              ]}
            />
          </Card>
        </Col>
      </Row>
    </>
  );
}

/** The features the decision was made on, folded: the numbers behind the rules' conditions. */
function Features(props: { features: Record<string, number | boolean | null> }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const entries = Object.entries(props.features).sort(([a], [b]) => a.localeCompare(b));
  return (
    <div className="risk-features">
      <Button type="link" onClick={() => setOpen((value) => !value)} aria-expanded={open}>
        {open
          ? t('console.riskCases.hideFeatures')
          : t('console.riskCases.showFeatures', { count: entries.length })}
      </Button>
      {open ? (
        <Descriptions column={{ xs: 1, md: 2, xl: 3 }} size="small" bordered>
          {entries.map(([name, value]) => (
            <Descriptions.Item key={name} label={<span className="risk-mono">{name}</span>}>
              {value === null ? '—' : String(value)}
            </Descriptions.Item>
          ))}
        </Descriptions>
      ) : null}
    </div>
  );
}

/** Approve or reject an open case; a decided one says who decided it and why. */
function DecisionCard({ kase }: { kase: CaseDetail }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [action, setAction] = useState<'approve' | 'reject' | null>(null);
  const [form] = Form.useForm<{ reason: string }>();
  const decide = useMutation({
    mutationFn: (input: { action: 'approve' | 'reject'; reason: string }) =>
      decideCase({ id: kase.id, ...input }),
    onSuccess: async (row) => {
      setAction(null);
      form.resetFields();
      void message.success(
        t(`console.riskCases.done.${row.status}`, { defaultValue: t('console.riskCases.decided') }),
      );
      await queryClient.invalidateQueries({ queryKey: ['console', 'risk'] });
    },
  });

  if (kase.status !== 'open') {
    return (
      <Card title={t('console.riskCases.decisionCard')} variant="borderless">
        <Empty
          image={Empty.PRESENTED_IMAGE_SIMPLE}
          description={t('console.riskCases.closed', {
            status: t(`console.riskCases.status.${kase.status}`),
            by: kase.decidedBy ?? '—',
          })}
        />
      </Card>
    );
  }
  return (
    <Card title={t('console.riskCases.decisionCard')} variant="borderless">
      <Typography.Paragraph>{t('console.riskCases.decisionIntro')}</Typography.Paragraph>
      <Space>
        <Button type="primary" onClick={() => setAction('approve')}>
          {t('console.riskCases.approve')}
        </Button>
        <Button danger onClick={() => setAction('reject')}>
          {t('console.riskCases.reject')}
        </Button>
      </Space>
      <Modal
        open={action !== null}
        title={action === 'reject' ? t('console.riskCases.rejectTitle') : t('console.riskCases.approveTitle')}
        okText={
          action === 'reject' ? t('console.riskCases.confirmReject') : t('console.riskCases.confirmApprove')
        }
        okButtonProps={{ danger: action === 'reject', loading: decide.isPending }}
        cancelText={t('console.riskCases.cancel')}
        onCancel={() => {
          setAction(null);
          decide.reset();
        }}
        onOk={() => form.submit()}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">
          {action === 'reject' ? t('console.riskCases.rejectIntro') : t('console.riskCases.approveIntro')}
        </Typography.Paragraph>
        <Form
          form={form}
          layout="vertical"
          onFinish={(values) => action && decide.mutate({ action, reason: values.reason ?? '' })}
        >
          <Form.Item
            name="reason"
            label={t('console.riskCases.reason')}
            rules={[
              {
                required: action === 'reject',
                whitespace: true,
                message: t('console.riskCases.reasonRequired'),
              },
              { max: 500, message: t('console.riskCases.reasonTooLong') },
            ]}
          >
            <Input.TextArea rows={3} maxLength={500} showCount />
          </Form.Item>
        </Form>
        {decide.isError ? <ErrorAlert error={decide.error} /> : null}
      </Modal>
    </Card>
  );
}
