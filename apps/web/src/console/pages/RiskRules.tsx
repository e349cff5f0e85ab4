/**
 * 风控规则: the risk engine's rule-set versions (docs/risk.md, "Rule sets"). The list (active,
 * drafts, retired); a draft editor (the rules as JSON, the thresholds as numbers; what the server
 * refuses is said at the field it concerns); one version with its rules, a backtest of a draft
 * against past decisions listing the movements it would decide differently, and activation —
 * maker-checker: the operator who made the draft cannot activate it, a second one does. Needs
 * `risk:rules`.
 */
import { ControlOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Descriptions,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Row,
  Space,
  Statistic,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { FormInstance, TableProps } from 'antd';
import type { Dayjs } from 'dayjs';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Route, Routes, useNavigate, useParams, useSearchParams } from 'react-router';
import { isApiError } from '../../api/client.ts';
import { formatDateTime, formatMoney } from '../../lib/format.ts';
import { useOperator } from '../api.ts';
import type { ConsolePage } from '../page.ts';
import {
  activateRuleSet,
  fetchRuleSet,
  fetchRuleSets,
  riskKeys,
  runBacktest,
  saveDraft,
} from '../risk/api.ts';
import type { Backtest, BacktestDecision, Rule, RuleSet, Thresholds } from '../risk/api.ts';
import { DecisionTag, ErrorAlert, LoadFailed, RuleTags, shortId, useDescription } from '../risk/parts.tsx';
import '../risk/risk.css';

function RiskRules() {
  return (
    <Routes>
      <Route index element={<Versions />} />
      <Route path="new" element={<DraftEditor />} />
      <Route path=":version" element={<VersionView />} />
    </Routes>
  );
}

export const page: ConsolePage = {
  path: 'risk-rules',
  title: 'console.menu.riskRules',
  permission: 'risk:rules',
  order: 31,
  icon: <ControlOutlined />,
  component: RiskRules,
};

const STATUS_COLOURS: Record<RuleSet['status'], string> = {
  active: 'success',
  draft: 'processing',
  retired: 'default',
};

function StatusTag(props: { status: RuleSet['status'] }) {
  const { t } = useTranslation();
  return <Tag color={STATUS_COLOURS[props.status]}>{t(`console.riskRules.status.${props.status}`)}</Tag>;
}

function Versions() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const sets = useQuery({ queryKey: riskKeys.ruleSets, queryFn: fetchRuleSets });
  const columns: TableProps<RuleSet>['columns'] = [
    { title: t('console.riskRules.version'), dataIndex: 'version', render: (value: number) => `v${value}` },
    {
      title: t('console.riskRules.statusLabel'),
      dataIndex: 'status',
      render: (value: RuleSet['status']) => <StatusTag status={value} />,
    },
    { title: t('console.riskRules.note'), dataIndex: 'note', render: (value: string) => value || '—' },
    {
      title: t('console.riskRules.ruleCount'),
      key: 'rules',
      align: 'right',
      render: (_, row) => row.rules.length,
    },
    { title: t('console.riskRules.createdBy'), dataIndex: 'createdBy' },
    {
      title: t('console.riskRules.createdAt'),
      dataIndex: 'createdAt',
      render: (value: string) => formatDateTime(value, i18n.language),
    },
    {
      title: t('console.riskRules.activatedBy'),
      key: 'activated',
      render: (_, row) =>
        row.activatedBy
          ? `${row.activatedBy} · ${formatDateTime(row.activatedAt ?? undefined, i18n.language)}`
          : '—',
    },
  ];
  return (
    <div className="risk-page">
      <Space
        className="risk-title-row"
        align="center"
        style={{ width: '100%', justifyContent: 'space-between' }}
      >
        <Typography.Title level={3}>{t('console.riskRules.title')}</Typography.Title>
        <Button type="primary" onClick={() => void navigate('new')}>
          {t('console.riskRules.newDraft')}
        </Button>
      </Space>
      <Typography.Paragraph type="secondary">{t('console.riskRules.intro')}</Typography.Paragraph>
      <Card variant="borderless">
        {sets.isError ? (
          <LoadFailed error={sets.error} onRetry={() => void sets.refetch()} />
        ) : (
          <Table<RuleSet>
            data-testid="risk-rule-sets"
            rowKey="version"
            size="middle"
            loading={sets.isPending}
            columns={columns}
            dataSource={sets.data ?? []}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            rowClassName="risk-clickable-row"
            onRow={(row) => ({
              onClick: () => void navigate(String(row.version)),
              onKeyDown: (event) => {
                if (event.key === 'Enter') void navigate(String(row.version));
              },
              tabIndex: 0,
            })}
          />
        )}
      </Card>
    </div>
  );
}

/** A field of the draft form as setFields takes it. */
type FieldName = Parameters<FormInstance<DraftForm>['setFields']>[0][number]['name'];

interface DraftForm {
  note: string;
  rules: string;
  thresholds: Thresholds;
}

/** The server's `details.issues` of RISK_RULE_SET_INVALID. */
interface Issue {
  path: string;
  message: string;
}

function issuesOf(error: unknown): Issue[] | null {
  if (!isApiError(error) || error.code !== 'RISK_RULE_SET_INVALID') return null;
  const issues = error.details.issues;
  return Array.isArray(issues) ? (issues as Issue[]) : null;
}

function DraftEditor() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<DraftForm>();
  const sets = useQuery({ queryKey: riskKeys.ruleSets, queryFn: fetchRuleSets });
  const from = Number(search.get('from')) || null;
  const base = sets.data?.find((set) => (from ? set.version === from : set.status === 'active'));

  const save = useMutation({
    mutationFn: (input: { rules: unknown; thresholds: Thresholds; note: string }) => saveDraft(input),
    onSuccess: async (row) => {
      await queryClient.invalidateQueries({ queryKey: riskKeys.ruleSets });
      void navigate(`../${row.version}`);
    },
    onError: (error, input) => {
      const issues = issuesOf(error);
      if (!issues) return;
      // Each issue at its field: a threshold at its number, a rule's under the editor with the rule it is in.
      const rules = Array.isArray(input.rules) ? (input.rules as Partial<Rule>[]) : [];
      const byField = new Map<string, string[]>();
      const add = (field: string, text: string) => byField.set(field, [...(byField.get(field) ?? []), text]);
      for (const issue of issues) {
        const parts = issue.path.split('.');
        if (parts[0] === 'thresholds')
          // The whole (not ascending) at the middle one; a single threshold at its own field.
          add(
            `thresholds.${parts[1] ?? 'review'}`,
            parts[1] ? issue.message : t('console.riskRules.thresholdsOrder'),
          );
        else if (parts[0] === 'rules' && parts[1] !== undefined) {
          const index = Number(parts[1]);
          const id = rules[index]?.id;
          add(
            'rules',
            t('console.riskRules.ruleIssue', {
              number: index + 1,
              id: typeof id === 'string' ? id : '?',
              path: parts.slice(2).join('.') || '—',
              message: issue.message,
            }),
          );
        } else add('rules', issue.message);
      }
      form.setFields(
        [...byField].map(([field, errors]) => ({
          name: field.split('.') as unknown as FieldName,
          errors,
        })),
      );
    },
  });

  if (sets.isError) return <LoadFailed error={sets.error} onRetry={() => void sets.refetch()} />;
  if (sets.isPending) return <Card loading variant="borderless" />;

  const initial: DraftForm = {
    note: '',
    rules: JSON.stringify(base?.rules ?? [], null, 2),
    thresholds: base?.thresholds ?? { stepUp: 65, review: 75, block: 90 },
  };

  return (
    <div className="risk-page">
      <Space className="risk-back">
        <Button onClick={() => void navigate('..')}>{t('console.riskRules.back')}</Button>
      </Space>
      <Typography.Title level={3}>{t('console.riskRules.editorTitle')}</Typography.Title>
      <Typography.Paragraph type="secondary">
        {base
          ? t('console.riskRules.editorFrom', { version: base.version })
          : t('console.riskRules.editorIntro')}
      </Typography.Paragraph>
      <Card variant="borderless">
        <Form<DraftForm>
          form={form}
          layout="vertical"
          initialValues={initial}
          onFinish={(values) => {
            let rules: unknown;
            try {
              rules = JSON.parse(values.rules);
            } catch (error) {
              form.setFields([
                {
                  name: 'rules',
                  errors: [t('console.riskRules.jsonInvalid', { problem: (error as Error).message })],
                },
              ]);
              return;
            }
            if (!Array.isArray(rules)) {
              form.setFields([{ name: 'rules', errors: [t('console.riskRules.notAList')] }]);
              return;
            }
            save.mutate({ rules, thresholds: values.thresholds, note: values.note.trim() });
          }}
        >
          <Form.Item
            name="note"
            label={t('console.riskRules.note')}
            extra={t('console.riskRules.noteHelp')}
            rules={[{ max: 500, message: t('console.riskRules.noteTooLong') }]}
          >
            <Input maxLength={500} />
          </Form.Item>
          <Row gutter={16}>
            {(['stepUp', 'review', 'block'] as const).map((name) => (
              <Col key={name} xs={24} md={8}>
                <Form.Item
                  name={['thresholds', name]}
                  label={t(`console.riskRules.thresholds.${name}`)}
                  rules={[
                    {
                      required: true,
                      type: 'integer',
                      min: 1,
                      max: 100,
                      message: t('console.riskRules.thresholdRange'),
                    },
                  ]}
                >
                  <InputNumber precision={0} style={{ width: '100%' }} />
                </Form.Item>
              </Col>
            ))}
          </Row>
          <Form.Item
            name="rules"
            label={t('console.riskRules.rulesJson')}
            extra={t('console.riskRules.rulesHelp')}
            className="risk-editor"
            rules={[{ required: true, message: t('console.riskRules.notAList') }]}
          >
            <Input.TextArea rows={18} spellCheck={false} aria-label={t('console.riskRules.rulesJson')} />
          </Form.Item>
          {save.isError && !issuesOf(save.error) ? <ErrorAlert error={save.error} /> : null}
          <Button type="primary" htmlType="submit" loading={save.isPending}>
            {t('console.riskRules.saveDraft')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}

function VersionView() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const describe = useDescription();
  const version = Number(useParams().version);
  const set = useQuery({ queryKey: riskKeys.ruleSet(version), queryFn: () => fetchRuleSet(version) });

  if (set.isError) return <LoadFailed error={set.error} onRetry={() => void set.refetch()} />;
  if (!set.data) return <Card loading variant="borderless" />;
  const row = set.data;

  const ruleColumns: TableProps<Rule>['columns'] = [
    { title: t('console.riskRules.ruleId'), dataIndex: 'id', render: (value: string) => <Tag>{value}</Tag> },
    {
      title: t('console.riskRules.subject'),
      dataIndex: 'subject',
      render: (value: Rule['subject']) => t(`console.riskRules.subjects.${value}`),
    },
    {
      title: t('console.riskRules.description'),
      key: 'description',
      render: (_, rule) => describe(rule.description),
    },
    {
      title: t('console.riskRules.condition'),
      dataIndex: 'when',
      render: (value: unknown) => <code className="risk-mono">{JSON.stringify(value)}</code>,
    },
    {
      title: t('console.riskRules.score'),
      dataIndex: 'score',
      align: 'right',
      render: (value: number) => (value > 0 ? `+${value}` : String(value)),
    },
    {
      title: t('console.riskRules.decision'),
      dataIndex: 'decision',
      render: (value: Rule['decision']) => (value ? <DecisionTag decision={value} /> : '—'),
    },
  ];

  return (
    <div className="risk-page">
      <Space className="risk-back">
        <Button onClick={() => void navigate('..')}>{t('console.riskRules.back')}</Button>
        <Button onClick={() => void navigate(`../new?from=${row.version}`)}>
          {t('console.riskRules.copy')}
        </Button>
      </Space>
      <Typography.Title level={3}>
        {t('console.riskRules.versionTitle', { version: row.version })} <StatusTag status={row.status} />
      </Typography.Title>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          <Card variant="borderless">
            <Descriptions column={1} size="small" data-testid="risk-rule-set-summary">
              <Descriptions.Item label={t('console.riskRules.note')}>{row.note || '—'}</Descriptions.Item>
              <Descriptions.Item label={t('console.riskRules.createdBy')}>
                {row.createdBy} · {formatDateTime(row.createdAt, i18n.language)}
              </Descriptions.Item>
              <Descriptions.Item label={t('console.riskRules.activatedBy')}>
                {row.activatedBy
                  ? `${row.activatedBy} · ${formatDateTime(row.activatedAt ?? undefined, i18n.language)}`
                  : '—'}
              </Descriptions.Item>
              <Descriptions.Item label={t('console.riskRules.thresholdsLabel')}>
                {t('console.riskRules.thresholdsText', { ...row.thresholds })}
              </Descriptions.Item>
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          {row.status === 'draft' ? <Activation set={row} /> : null}
        </Col>
        <Col span={24}>
          <Card title={t('console.riskRules.rules', { count: row.rules.length })} variant="borderless">
            <Table<Rule>
              data-testid="risk-rules-table"
              rowKey="id"
              size="small"
              pagination={false}
              columns={ruleColumns}
              dataSource={row.rules}
            />
          </Card>
        </Col>
        {row.status === 'draft' ? (
          <Col span={24}>
            <BacktestCard version={row.version} />
          </Col>
        ) : null}
      </Row>
    </div>
  );
}

/** Maker-checker: who made the draft, and the activation only another operator may do. */
function Activation({ set }: { set: RuleSet }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const operator = useOperator();
  const queryClient = useQueryClient();
  const own = operator.username === set.createdBy;
  const activate = useMutation({
    mutationFn: () => activateRuleSet(set.version),
    onSuccess: async () => {
      void message.success(t('console.riskRules.activated', { version: set.version }));
      await queryClient.invalidateQueries({ queryKey: ['console', 'risk'] });
    },
  });
  return (
    <Card title={t('console.riskRules.activation')} variant="borderless" data-testid="risk-activation">
      <Typography.Paragraph>{t('console.riskRules.maker', { name: set.createdBy })}</Typography.Paragraph>
      {own ? (
        <Alert type="info" showIcon title={t('console.riskRules.ownDraft')} className="risk-alert" />
      ) : (
        <Typography.Paragraph type="secondary">{t('console.riskRules.checkerIntro')}</Typography.Paragraph>
      )}
      <Popconfirm
        title={t('console.riskRules.activateConfirm', { version: set.version })}
        okText={t('console.riskRules.activate')}
        cancelText={t('console.riskRules.cancel')}
        onConfirm={() => activate.mutate()}
        disabled={own}
      >
        <Button type="primary" disabled={own} loading={activate.isPending} style={{ marginTop: 12 }}>
          {t('console.riskRules.activate')}
        </Button>
      </Popconfirm>
      {activate.isError ? <ErrorAlert error={activate.error} /> : null}
    </Card>
  );
}

function BacktestCard(props: { version: number }) {
  const { t, i18n } = useTranslation();
  const [range, setRange] = useState<[Dayjs, Dayjs]>(() => [
    dayjs().subtract(7, 'day').startOf('day'),
    dayjs(),
  ]);
  const run = useMutation({
    mutationFn: () =>
      runBacktest({
        version: props.version,
        from: range[0].toISOString(),
        // The end of the picked minute, so what happened just now is in.
        to: range[1].endOf('minute').toISOString(),
      }),
  });
  const result = run.data;

  const judged = (value: BacktestDecision & { version?: number }) => (
    <Space size={4} wrap>
      <DecisionTag decision={value.decision} />
      <span className="risk-mono">{value.score}</span>
      <RuleTags ids={value.fired} />
      {value.version === undefined ? null : (
        <Typography.Text type="secondary" className="risk-mono">
          v{value.version}
        </Typography.Text>
      )}
    </Space>
  );
  const columns: TableProps<Backtest['differences'][number]>['columns'] = [
    {
      title: t('console.riskRules.at'),
      dataIndex: 'at',
      render: (value: string) => formatDateTime(value, i18n.language),
    },
    {
      title: t('console.riskRules.holder'),
      dataIndex: 'holderId',
      render: (value: string) => (
        <span className="risk-mono" title={value}>
          {shortId(value)}
        </span>
      ),
    },
    {
      title: t('console.riskRules.what'),
      key: 'what',
      render: (_, row) =>
        row.subject === 'sign_in'
          ? t('console.riskCases.signIn')
          : t(`console.riskCases.kinds.${row.kind}`, { defaultValue: row.kind }),
    },
    {
      title: t('console.riskRules.amount'),
      key: 'amount',
      align: 'right',
      render: (_, row) => (
        <span className="risk-amount">{row.amount ? formatMoney(row.amount, i18n.language) : '—'}</span>
      ),
    },
    { title: t('console.riskRules.was'), key: 'was', render: (_, row) => judged(row.was) },
    {
      title: t('console.riskRules.now', { version: props.version }),
      key: 'now',
      render: (_, row) => judged(row.now),
    },
  ];

  return (
    <Card title={t('console.riskRules.backtest')} variant="borderless" data-testid="risk-backtest">
      <Typography.Paragraph type="secondary">{t('console.riskRules.backtestIntro')}</Typography.Paragraph>
      <Space wrap>
        <DatePicker.RangePicker
          showTime={{ format: 'HH:mm' }}
          format="YYYY-MM-DD HH:mm"
          value={range}
          aria-label={t('console.riskRules.period')}
          onChange={(dates) => {
            if (dates?.[0] && dates[1]) setRange([dates[0], dates[1]]);
          }}
        />
        <Button type="primary" loading={run.isPending} onClick={() => run.mutate()}>
          {t('console.riskRules.runBacktest')}
        </Button>
      </Space>
      {run.isError ? <ErrorAlert error={run.error} /> : null}
      {result ? (
        <div className="risk-backtest-result">
          <Row gutter={16} style={{ margin: '16px 0' }}>
            <Col>
              <Statistic title={t('console.riskRules.judged')} value={result.judged} />
            </Col>
            <Col>
              <Statistic title={t('console.riskRules.changed')} value={result.changed} />
            </Col>
            <Col>
              <Typography.Text type="secondary">{t('console.riskRules.byChange')}</Typography.Text>
              <div>
                {Object.entries(result.byChange).length === 0
                  ? '—'
                  : Object.entries(result.byChange).map(([change, count]) => {
                      const [was = '', now = ''] = change.split('→');
                      return (
                        <Tag key={change} className="risk-change">
                          {t(`console.riskCases.decision.${was}`, { defaultValue: was })} →{' '}
                          {t(`console.riskCases.decision.${now}`, { defaultValue: now })}: {count}
                        </Tag>
                      );
                    })}
              </div>
            </Col>
          </Row>
          <Table
            data-testid="risk-backtest-differences"
            rowKey="decisionId"
            size="small"
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            columns={columns}
            dataSource={result.differences}
            locale={{ emptyText: t('console.riskRules.noDifferences') }}
          />
          {result.changed > result.differences.length ? (
            <Typography.Text type="secondary">
              {t('console.riskRules.sampleOnly', {
                shown: result.differences.length,
                changed: result.changed,
              })}
            </Typography.Text>
          ) : null}
        </div>
      ) : null}
    </Card>
  );
}
