/**
 * 订单: the merchant's orders, newest first, a page at a time (the API's cursor), searched by
 * order number and filtered by status, channel and dates. A cashier (no `orders:read`) sees
 * today's only — the server answers nothing else — and no date filter. A row opens the order with
 * its refunds, a refund form (`refunds:create`) and, for an order nobody has paid, closing it.
 */
import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, Card, DatePicker, Input, Select, Space, Table, Tag, Typography } from 'antd';
import type { TableProps } from 'antd';
import type { Dayjs } from 'dayjs';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MerchantOrder } from '../../api/money.ts';
import { formatDateTime } from '../../lib/format.ts';
import { fetchOrders, portalKeys } from '../api.ts';
import type { OrderFilters } from '../api.ts';
import { usePermission, usePortal } from '../context.ts';
import { shanghaiToday } from '../numbers.ts';
import { OrderStatusTag, PortalLoadFailed, useMoney } from '../parts.tsx';
import { OrderDrawer } from './OrderDrawer.tsx';

const STATUSES: MerchantOrder['status'][] = ['open', 'paying', 'paid', 'closed', 'expired'];
const CHANNELS: MerchantOrder['channel'][] = ['static', 'dynamic', 'code'];

export function Orders() {
  const { t, i18n } = useTranslation();
  const { merchant } = usePortal();
  const readAll = usePermission('orders:read');
  const money = useMoney();
  const [typed, setTyped] = useState('');
  const [filters, setFilters] = useState<OrderFilters>({});
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const [opened, setOpened] = useState<string | null>(null);

  const orders = useInfiniteQuery({
    queryKey: [...portalKeys.orders(merchant.id), 'list', filters],
    queryFn: ({ pageParam }) => fetchOrders(merchant.id, filters, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const rows = orders.data?.pages.flatMap((page) => page.orders) ?? [];
  const today = dayjs(shanghaiToday());

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
    {
      title: t('portal.orders.description'),
      dataIndex: 'description',
      className: 'portal-wrap',
      render: (value: string | null) => value ?? '—',
    },
    {
      title: t('portal.orders.channel'),
      dataIndex: 'channel',
      render: (value: MerchantOrder['channel']) => <Tag>{t(`portal.orders.channels.${value}`)}</Tag>,
    },
    {
      title: t('portal.orders.payer'),
      dataIndex: 'payer',
      render: (value: string | null) => value ?? '—',
    },
    {
      title: t('portal.orders.amount'),
      key: 'amount',
      align: 'right',
      render: (_, order) => <span className="portal-amount">{money(order.amount)}</span>,
    },
    {
      title: t('portal.orders.refunded'),
      key: 'refunded',
      align: 'right',
      render: (_, order) => (order.refunded.amount === '0' ? '—' : money(order.refunded)),
    },
    {
      title: t('portal.orders.status'),
      key: 'status',
      render: (_, order) => <OrderStatusTag order={order} />,
    },
  ];

  return (
    <div className="portal-page">
      <Typography.Title level={3} className="portal-page-title">
        {readAll ? t('portal.orders.title') : t('portal.orders.titleToday')}
      </Typography.Title>
      {readAll ? null : (
        <Typography.Paragraph type="secondary">{t('portal.orders.todayOnly')}</Typography.Paragraph>
      )}
      <Card variant="borderless">
        <Space wrap size="middle" className="portal-filters">
          <Input.Search
            allowClear
            className="portal-search"
            placeholder={t('portal.orders.search')}
            aria-label={t('portal.orders.search')}
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
            onSearch={(value) => setFilters((current) => ({ ...current, q: value.trim() || undefined }))}
          />
          <Select
            allowClear
            className="portal-filter"
            placeholder={t('portal.orders.anyStatus')}
            aria-label={t('portal.orders.status')}
            value={filters.status}
            onChange={(value?: MerchantOrder['status']) =>
              setFilters((current) => ({ ...current, status: value }))
            }
            options={STATUSES.map((value) => ({ value, label: t(`money.shop.orderStatus.${value}`) }))}
          />
          <Select
            allowClear
            className="portal-filter"
            placeholder={t('portal.orders.anyChannel')}
            aria-label={t('portal.orders.channel')}
            value={filters.channel}
            onChange={(value?: MerchantOrder['channel']) =>
              setFilters((current) => ({ ...current, channel: value }))
            }
            options={CHANNELS.map((value) => ({ value, label: t(`portal.orders.channels.${value}`) }))}
          />
          {readAll ? (
            <DatePicker.RangePicker
              aria-label={t('portal.orders.dates')}
              value={range}
              disabledDate={(day) => day.isAfter(today, 'day')}
              onChange={(dates) => {
                setRange(dates);
                setFilters((current) => ({
                  ...current,
                  from: dates?.[0]?.format('YYYY-MM-DD'),
                  to: dates?.[1]?.format('YYYY-MM-DD'),
                }));
              }}
            />
          ) : null}
        </Space>
        {orders.isError ? (
          <PortalLoadFailed error={orders.error} onRetry={() => void orders.refetch()} />
        ) : (
          <>
            <Table<MerchantOrder>
              data-testid="orders-table"
              rowKey="id"
              size="middle"
              loading={orders.isPending}
              columns={columns}
              dataSource={rows}
              pagination={false}
              rowClassName="portal-clickable-row"
              locale={{ emptyText: t('portal.orders.empty') }}
              onRow={(order) => ({
                onClick: () => setOpened(order.merchantOrderId),
                onKeyDown: (event) => {
                  if (event.key === 'Enter') setOpened(order.merchantOrderId);
                },
                tabIndex: 0,
              })}
            />
            <div className="portal-more">
              {orders.hasNextPage ? (
                <Button loading={orders.isFetchingNextPage} onClick={() => void orders.fetchNextPage()}>
                  {t('portal.orders.more')}
                </Button>
              ) : rows.length > 0 ? (
                <Typography.Text type="secondary">{t('portal.orders.end')}</Typography.Text>
              ) : null}
            </div>
          </>
        )}
      </Card>
      <OrderDrawer merchantOrderId={opened} onClose={() => setOpened(null)} />
    </div>
  );
}
