/**
 * 仪表盘: today (the Asia/Shanghai day) at a glance — payment volume per currency, payments per
 * minute over the last hour, failures by code, and the open work of the queues. Refreshed every
 * 30 seconds. Needs `dashboard:read`.
 */
import { DashboardOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Card, Col, Empty, Row, Statistic, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { BRAND_RED } from '../../brand.ts';
import { formatDateTime } from '../../lib/format.ts';
import { PortalLoadFailed, PortalLoading, useMoney } from '../../portal/parts.tsx';
import { backOfficeKeys, fetchDashboard } from '../holders/api.ts';
import type { Dashboard as DashboardData } from '../holders/api.ts';
import type { ConsolePage } from '../page.ts';
import '../holders/holders.css';

export const page: ConsolePage = {
  path: 'dashboard',
  title: 'console.menu.dashboard',
  permission: 'dashboard:read',
  order: 0,
  icon: <DashboardOutlined />,
  component: Dashboard,
};

const OPEN_ORDER = ['riskCases', 'kycReviews', 'merchantReviews', 'tickets', 'disputes'] as const;

function Dashboard() {
  const { t, i18n } = useTranslation();
  const dashboard = useQuery({
    queryKey: backOfficeKeys.dashboard,
    queryFn: fetchDashboard,
    refetchInterval: 30_000,
  });
  if (dashboard.isPending) return <PortalLoading />;
  if (dashboard.isError)
    return <PortalLoadFailed error={dashboard.error} onRetry={() => void dashboard.refetch()} />;
  const data = dashboard.data;
  return (
    <div className="portal-page backoffice-page" data-testid="console-dashboard">
      <Typography.Title level={2} className="portal-page-title">
        {t('console.dashboard.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">
        {t('console.dashboard.intro', { day: data.day, asOf: formatDateTime(data.asOf, i18n.language) })}
      </Typography.Paragraph>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <VolumeCard data={data} />
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t('console.dashboard.open.title')}>
            <Row gutter={[16, 16]}>
              {OPEN_ORDER.map((name) => (
                <Col key={name} xs={12} md={8}>
                  <Statistic
                    title={t(`console.dashboard.open.${name}`)}
                    value={data.open[name] ?? '—'}
                    data-testid={`open-${name}`}
                  />
                </Col>
              ))}
            </Row>
          </Card>
        </Col>
        <Col xs={24} lg={16}>
          <Card title={t('console.dashboard.perMinute.title')}>
            <PerMinuteChart points={data.paymentsPerMinute} />
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card title={t('console.dashboard.failures.title')}>
            <Table
              size="small"
              rowKey={(row) => `${row.source}:${row.code}`}
              dataSource={data.failures}
              pagination={false}
              locale={{ emptyText: t('console.dashboard.failures.none') }}
              columns={[
                {
                  title: t('console.dashboard.failures.code'),
                  dataIndex: 'code',
                  render: (code: string, row) => (
                    <span>
                      <Tag>{t(`console.dashboard.failures.source.${row.source}`)}</Tag>
                      <span className="portal-mono">{code}</span>
                    </span>
                  ),
                },
                { title: t('console.dashboard.failures.count'), dataIndex: 'count', align: 'right' },
              ]}
            />
          </Card>
        </Col>
      </Row>
    </div>
  );
}

function VolumeCard({ data }: { data: DashboardData }) {
  const { t } = useTranslation();
  const money = useMoney();
  return (
    <Card title={t('console.dashboard.volume.title')}>
      {data.volume.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('console.dashboard.volume.none')} />
      ) : (
        <Row gutter={[16, 16]}>
          {data.volume.map((row) => (
            <Col key={row.amount.currency} xs={24} md={12}>
              <Statistic
                title={t('console.dashboard.volume.currency', { currency: row.amount.currency })}
                value={money(row.amount)}
                data-testid={`volume-${row.amount.currency}`}
              />
              <Typography.Text type="secondary">
                {t('console.dashboard.volume.count', { count: row.count })}
              </Typography.Text>
            </Col>
          ))}
        </Row>
      )}
    </Card>
  );
}

/** Payments per minute: whole counts, one bar a minute, the minute's local time under it. */
function PerMinuteChart({ points }: { points: DashboardData['paymentsPerMinute'] }) {
  const { t } = useTranslation();
  const data = points.map((point) => ({
    minute: formatDateTime(point.minute).slice(11),
    count: point.count,
  }));
  return (
    <div className="portal-chart" data-testid="dashboard-per-minute">
      <ResponsiveContainer width="100%" height={260}>
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="minute" interval={9} tickMargin={6} />
          <YAxis allowDecimals={false} domain={[0, (most: number) => Math.max(4, most)]} width={40} />
          <Tooltip />
          <Bar
            dataKey="count"
            name={t('console.dashboard.perMinute.series')}
            fill={BRAND_RED}
            radius={[2, 2, 0, 0]}
            isAnimationActive={false}
          />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
