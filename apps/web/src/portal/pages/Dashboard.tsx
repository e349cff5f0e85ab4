import { useQuery } from '@tanstack/react-query';
import { Card, Col, Row, Statistic, Table, Typography } from 'antd';
import type { TableProps } from 'antd';
import { Suspense, lazy } from 'react';
import { useTranslation } from 'react-i18next';
import type { MerchantOrder } from '../../api/money.ts';
import { BRAND_RED } from '../../brand.ts';
import { formatDateTime } from '../../lib/format.ts';
import { fetchOrders, fetchSummary, portalKeys } from '../api.ts';
import { usePortal } from '../context.ts';
import { OrderStatusTag, PortalLoadFailed, PortalLoading, useMoney } from '../parts.tsx';

// Recharts is large: its own chunk, loaded with the dashboard's chart.
const TakingsChart = lazy(() => import('./TakingsChart.tsx'));

const RECENT_ORDERS = 6;

/** 概览: today's figures, the last 30 days' takings, the balance not settled yet, the latest orders. */
export function Dashboard() {
  const { t } = useTranslation();
  const { merchant } = usePortal();
  const money = useMoney();
  const summary = useQuery({
    queryKey: portalKeys.summary(merchant.id),
    queryFn: () => fetchSummary(merchant.id, 30),
  });
  if (summary.isPending) return <PortalLoading />;
  if (summary.isError)
    return <PortalLoadFailed error={summary.error} onRetry={() => void summary.refetch()} />;
  const { today, balance } = summary.data;
  return (
    <div className="portal-page">
      <Typography.Title level={3} className="portal-page-title">
        {t('portal.dashboard.title')}
      </Typography.Title>
      <Row gutter={[16, 16]}>
        <Col xs={24} sm={12} xl={6}>
          <Card variant="borderless" className="portal-fill">
            <Statistic
              title={t('portal.dashboard.takings')}
              styles={{ content: { color: BRAND_RED } }}
              valueRender={() => <span data-testid="dashboard-takings">{money(today.takings)}</span>}
            />
          </Card>
        </Col>
        <Col xs={24} sm={12} xl={6}>
          <Card variant="borderless" className="portal-fill">
            <Statistic
              title={t('portal.dashboard.payments')}
              valueRender={() => <span data-testid="dashboard-payments">{today.payments}</span>}
              suffix={t('portal.dashboard.paymentsUnit')}
            />
          </Card>
        </Col>
        <Col xs={24} sm={12} xl={6}>
          <Card variant="borderless" className="portal-fill">
            <Statistic
              title={t('portal.dashboard.refunds')}
              valueRender={() => <span data-testid="dashboard-refunds">{money(today.refunds)}</span>}
            />
          </Card>
        </Col>
        <Col xs={24} sm={12} xl={6}>
          <Card variant="borderless" className="portal-fill">
            <Statistic
              title={t('portal.dashboard.balance')}
              valueRender={() => <span data-testid="dashboard-balance">{money(balance)}</span>}
            />
            <Typography.Text type="secondary" className="portal-stat-note">
              {t('portal.dashboard.balanceNote')}
            </Typography.Text>
          </Card>
        </Col>
      </Row>
      <Card variant="borderless" title={t('portal.dashboard.chartTitle')} className="portal-section">
        <Suspense fallback={<PortalLoading />}>
          <TakingsChart days={summary.data.days} />
        </Suspense>
      </Card>
      <RecentOrders />
    </div>
  );
}

function RecentOrders() {
  const { t, i18n } = useTranslation();
  const { merchant } = usePortal();
  const money = useMoney();
  const orders = useQuery({
    queryKey: [...portalKeys.orders(merchant.id), 'recent'],
    queryFn: () => fetchOrders(merchant.id, {}, null),
  });
  const columns: TableProps<MerchantOrder>['columns'] = [
    {
      title: t('portal.orders.time'),
      key: 'time',
      render: (_, order) => formatDateTime(order.paidAt ?? order.createdAt, i18n.language),
    },
    {
      title: t('portal.orders.number'),
      dataIndex: 'merchantOrderId',
      render: (value: string) => <span className="portal-mono">{value}</span>,
    },
    { title: t('portal.orders.payer'), dataIndex: 'payer', render: (value: string | null) => value ?? '—' },
    {
      title: t('portal.orders.amount'),
      key: 'amount',
      align: 'right',
      render: (_, order) => money(order.amount),
    },
    {
      title: t('portal.orders.status'),
      key: 'status',
      render: (_, order) => <OrderStatusTag order={order} />,
    },
  ];
  return (
    <Card variant="borderless" title={t('portal.dashboard.recent')} className="portal-section">
      {orders.isError ? (
        <PortalLoadFailed error={orders.error} onRetry={() => void orders.refetch()} />
      ) : (
        <Table<MerchantOrder>
          data-testid="dashboard-recent"
          size="middle"
          rowKey="id"
          loading={orders.isPending}
          columns={columns}
          dataSource={orders.data?.orders.slice(0, RECENT_ORDERS) ?? []}
          pagination={false}
          locale={{ emptyText: t('portal.orders.empty') }}
        />
      )}
    </Card>
  );
}
