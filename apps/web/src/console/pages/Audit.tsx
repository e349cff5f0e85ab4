/**
 * 审计日志: every operator action, newest first, filtered by operator, action, target and time,
 * paged with the server's cursor; and "verify the chain", which recomputes the log's keyed hash
 * chain on the server (the check `npx qianbao verify` runs) and names the first tampered entry.
 * Needs `audit:read`. docs/operator-console.md, ADR 0024.
 */
import { AuditOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { Alert, Button, Card, DatePicker, Form, Input, Space, Table, Tag, Typography } from 'antd';
import type { TableProps } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api/client.ts';
import { formatDateTime } from '../../lib/format.ts';
import { PortalLoadFailed } from '../../portal/parts.tsx';
import { consoleRequest } from '../api.ts';
import type { ConsolePage } from '../page.ts';

interface AuditEntry {
  seq: string;
  id: string;
  operatorId: string | null;
  operatorUsername: string | null;
  action: string;
  target: string | null;
  details: unknown;
  at: string;
}

interface VerifyReport {
  ok: boolean;
  entries: number;
  unchained: number;
  headSeq: string | null;
  firstBrokenSeq: string | null;
  /** seq is null for a checkpoint line that proves nothing (forged, unreadable). */
  problems: { seq: string | null; problem: string }[];
  problemCount: number;
}

interface Filters {
  operator?: string;
  action?: string;
  target?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
}

const PAGE_SIZE = 50;

function query(filters: Filters, cursor: string | null): string {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (filters.operator?.trim()) params.set('operator', filters.operator.trim());
  if (filters.action?.trim()) params.set('action', filters.action.trim());
  if (filters.target?.trim()) params.set('target', filters.target.trim());
  const [from, to] = filters.range ?? [];
  if (from) params.set('from', from.startOf('day').toISOString());
  if (to) params.set('to', to.add(1, 'day').startOf('day').toISOString());
  if (cursor) params.set('cursor', cursor);
  return params.toString();
}

function Audit() {
  const { t, i18n } = useTranslation();
  const [filters, setFilters] = useState<Filters>({});
  const log = useInfiniteQuery({
    queryKey: ['console', 'audit', filters],
    queryFn: ({ pageParam }) =>
      consoleRequest<{ entries: AuditEntry[]; nextCursor: string | null }>(
        'GET',
        `/v1/operator/audit-log?${query(filters, pageParam)}`,
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const verify = useMutation({
    mutationFn: () => consoleRequest<VerifyReport>('POST', '/v1/operator/audit-log/verify'),
    // the run is itself an entry
    onSuccess: () => void log.refetch(),
  });

  const columns: TableProps<AuditEntry>['columns'] = [
    { title: '#', dataIndex: 'seq', width: 70 },
    {
      title: t('console.audit.at'),
      dataIndex: 'at',
      width: 170,
      render: (at: string) => formatDateTime(at, i18n.language),
    },
    {
      title: t('console.audit.operator'),
      key: 'operator',
      width: 160,
      render: (_, row) =>
        row.operatorUsername ?? (row.operatorId ? row.operatorId.slice(-8) : t('console.audit.system')),
    },
    {
      title: t('console.audit.action'),
      dataIndex: 'action',
      width: 230,
      render: (action: string) => (
        <Space orientation="vertical" size={0}>
          <span>{t(`console.audit.actions.${action.replace('.', '_')}`, { defaultValue: action })}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {action}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('console.audit.target'),
      dataIndex: 'target',
      width: 180,
      render: (target: string | null) =>
        target ? (
          <Typography.Text copyable={{ text: target }} style={{ fontSize: 12 }}>
            {target.length > 20 ? `…${target.slice(-12)}` : target}
          </Typography.Text>
        ) : (
          '—'
        ),
    },
    {
      title: t('console.audit.details'),
      dataIndex: 'details',
      render: (details: unknown) => <Details details={details} />,
    },
  ];

  return (
    <div className="portal-page" data-testid="console-audit">
      <Typography.Title level={2} className="portal-page-title">
        {t('console.audit.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('console.audit.intro')}</Typography.Paragraph>
      <Space orientation="vertical" size="large" className="console-full">
        <Card
          variant="borderless"
          title={t('console.audit.chainTitle')}
          extra={
            <Button
              icon={<SafetyCertificateOutlined />}
              loading={verify.isPending}
              onClick={() => verify.mutate()}
            >
              {t('console.audit.verify')}
            </Button>
          }
        >
          <VerifyResult report={verify.data} error={verify.error} />
        </Card>
        <Card variant="borderless">
          <Form<Filters>
            layout="inline"
            onFinish={(values) => setFilters({ ...values })}
            onReset={() => setFilters({})}
            style={{ rowGap: 8 }}
          >
            <Form.Item name="operator" label={t('console.audit.operator')}>
              <Input allowClear placeholder={t('console.audit.operatorPlaceholder')} style={{ width: 160 }} />
            </Form.Item>
            <Form.Item name="action" label={t('console.audit.action')}>
              <Input allowClear placeholder="kyc.*" style={{ width: 200 }} />
            </Form.Item>
            <Form.Item name="target" label={t('console.audit.target')}>
              <Input allowClear style={{ width: 200 }} />
            </Form.Item>
            <Form.Item name="range" label={t('console.audit.range')}>
              <DatePicker.RangePicker allowEmpty={[true, true]} />
            </Form.Item>
            <Space>
              <Button type="primary" htmlType="submit">
                {t('console.audit.search')}
              </Button>
              <Button htmlType="reset">{t('console.audit.reset')}</Button>
            </Space>
          </Form>
        </Card>
        {log.isError ? (
          <PortalLoadFailed error={log.error} onRetry={() => void log.refetch()} />
        ) : (
          <Card variant="borderless">
            <Table
              rowKey="seq"
              size="small"
              loading={log.isPending}
              columns={columns}
              dataSource={log.data?.pages.flatMap((page) => page.entries) ?? []}
              pagination={false}
              locale={{ emptyText: t('console.audit.empty') }}
              data-testid="audit-table"
            />
            {log.hasNextPage ? (
              <Button
                block
                style={{ marginTop: 12 }}
                loading={log.isFetchingNextPage}
                onClick={() => void log.fetchNextPage()}
              >
                {t('console.audit.more')}
              </Button>
            ) : null}
          </Card>
        )}
      </Space>
    </div>
  );
}

function VerifyResult(props: { report: VerifyReport | undefined; error: Error | null }) {
  const { t } = useTranslation();
  if (props.error) return <Alert type="error" showIcon title={errorMessage(props.error)} role="alert" />;
  const report = props.report;
  if (!report) return <Typography.Text type="secondary">{t('console.audit.chainIntro')}</Typography.Text>;
  if (report.ok)
    return (
      <Alert
        type="success"
        showIcon
        data-testid="audit-verify-result"
        title={t('console.audit.verifyOk', { entries: report.entries, head: report.headSeq ?? '0' })}
        description={
          report.unchained > 0 ? t('console.audit.verifyUnchained', { count: report.unchained }) : undefined
        }
      />
    );
  return (
    <Alert
      type="error"
      showIcon
      data-testid="audit-verify-result"
      title={t('console.audit.verifyBroken', { seq: report.firstBrokenSeq, count: report.problemCount })}
      description={
        <ul style={{ margin: 0, paddingInlineStart: 20 }}>
          {report.problems.map((problem) => (
            <li key={`${problem.seq}:${problem.problem}`}>
              {problem.seq !== null && <Tag color="red">#{problem.seq}</Tag>}
              {problem.problem}
            </li>
          ))}
        </ul>
      }
    />
  );
}

/** The reason first (what a reader looks for), then the rest as compact JSON, the whole on hover. */
function Details(props: { details: unknown }) {
  const { t } = useTranslation();
  const details = props.details;
  if (details === null || typeof details !== 'object' || Object.keys(details).length === 0) return '—';
  // what changed first; the full before and after lists only on hover
  const {
    reason,
    before: _before,
    after: _after,
    removed,
    added,
    ...rest
  } = details as Record<string, unknown>;
  const compact = {
    ...(removed === undefined ? {} : { removed }),
    ...(added === undefined ? {} : { added }),
    ...rest,
  };
  const text = Object.keys(compact).length === 0 ? '' : JSON.stringify(compact);
  return (
    <Space orientation="vertical" size={0} title={JSON.stringify(details, null, 2)}>
      {typeof reason === 'string' ? (
        <span>
          {t('console.audit.reason')}
          {reason}
        </span>
      ) : null}
      {text ? (
        <code style={{ fontSize: 12, wordBreak: 'break-all' }}>
          {text.length > 160 ? `${text.slice(0, 157)}…` : text}
        </code>
      ) : null}
    </Space>
  );
}

export const page: ConsolePage = {
  path: 'audit',
  title: 'console.menu.audit',
  permission: 'audit:read',
  order: 95,
  icon: <AuditOutlined />,
  component: Audit,
};
