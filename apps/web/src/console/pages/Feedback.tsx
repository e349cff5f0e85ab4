/**
 * 意见反馈: what holders think of the app (the wallet's 意见反馈, docs/help.md). Newest first,
 * filtered by rating, screen or words in the text, with the count and average rating of what the
 * filters select. Needs `tickets:answer` (customer service).
 */
import { MessageOutlined } from '@ant-design/icons';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, Card, Form, Input, Progress, Rate, Select, Space, Statistic, Table, Typography } from 'antd';
import type { TableProps } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../lib/format.ts';
import { PortalLoadFailed } from '../../portal/parts.tsx';
import type { ConsolePage } from '../page.ts';
import { fetchFeedback, reviewKeys } from '../review/api.ts';
import type { Feedback, FeedbackFilter } from '../review/api.ts';
import '../review/review.css';

export const page: ConsolePage = {
  path: 'feedback',
  title: 'console.menu.feedback',
  permission: 'tickets:answer',
  order: 55,
  icon: <MessageOutlined />,
  component: FeedbackPage,
};

function FeedbackPage() {
  const { t, i18n } = useTranslation();
  const [filter, setFilter] = useState<FeedbackFilter>({});
  const feedback = useInfiniteQuery({
    queryKey: reviewKeys.feedback(filter),
    queryFn: ({ pageParam }) => fetchFeedback(filter, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next,
    refetchInterval: 60_000,
  });
  const rows = feedback.data?.pages.flatMap((p) => p.feedback) ?? [];
  const summary = feedback.data?.pages[0]?.summary;

  const columns: TableProps<Feedback>['columns'] = [
    {
      title: t('console.feedback.at'),
      dataIndex: 'createdAt',
      width: 170,
      render: (value: string) => formatDateTime(value, i18n.language),
    },
    {
      title: t('console.feedback.rating'),
      dataIndex: 'rating',
      width: 150,
      render: (value: number) => (
        <span aria-label={t('console.feedback.stars', { count: value })}>
          <Rate disabled value={value} style={{ fontSize: 14 }} />
        </span>
      ),
    },
    {
      title: t('console.feedback.text'),
      dataIndex: 'text',
      render: (value: string) =>
        value ? (
          <div className="feedback-text">{value}</div>
        ) : (
          <Typography.Text type="secondary">{t('console.feedback.noText')}</Typography.Text>
        ),
    },
    {
      title: t('console.feedback.screen'),
      dataIndex: 'screen',
      width: 160,
      render: (value: string | null) =>
        value ? (
          <Typography.Link
            className="review-mono feedback-screen"
            title={value}
            onClick={() => setFilter((f) => ({ ...f, screen: value }))}
          >
            {value}
          </Typography.Link>
        ) : (
          '—'
        ),
    },
    {
      title: t('console.feedback.holder'),
      key: 'holder',
      width: 140,
      render: (_, row) => (
        <span className="review-mono" title={row.holder.id}>
          {row.holder.phone ?? row.holder.id.slice(-8)}
        </span>
      ),
    },
    {
      title: t('console.feedback.device'),
      dataIndex: 'userAgent',
      ellipsis: true,
      width: 200,
      render: (value: string | null) => <span title={value ?? ''}>{value ?? '—'}</span>,
    },
  ];

  return (
    <div className="review-page">
      <Typography.Title level={3}>{t('console.feedback.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('console.feedback.intro')}</Typography.Paragraph>
      <Space orientation="vertical" size="large" className="console-full">
        <Card variant="borderless">
          <Space size={48} wrap align="start">
            <Statistic title={t('console.feedback.count')} value={summary?.count ?? 0} />
            <Statistic
              title={t('console.feedback.average')}
              value={summary?.average ?? '—'}
              precision={(summary?.average ?? null) === null ? undefined : 2}
              suffix={(summary?.average ?? null) === null ? undefined : '/ 5'}
            />
            <div className="console-feedback-bars" aria-label={t('console.feedback.distribution')}>
              {[5, 4, 3, 2, 1].map((stars) => {
                const n = summary?.ratings[stars - 1] ?? 0;
                const percent = summary?.count ? Math.round((n / summary.count) * 100) : 0;
                return (
                  <Space key={stars} size="small" style={{ width: 260 }}>
                    <span style={{ width: 36, display: 'inline-block' }}>
                      {t('console.feedback.starsShort', { count: stars })}
                    </span>
                    <Progress percent={percent} size="small" style={{ width: 160 }} showInfo={false} />
                    <span>{n}</span>
                  </Space>
                );
              })}
            </div>
          </Space>
        </Card>
        <Card variant="borderless">
          <Form
            layout="inline"
            className="review-filter"
            aria-label={t('console.feedback.filters')}
            onFinish={(values: { rating?: number; screen?: string; q?: string }) =>
              setFilter({
                ...(values.rating ? { rating: values.rating } : {}),
                ...(values.screen?.trim() ? { screen: values.screen.trim() } : {}),
                ...(values.q?.trim() ? { q: values.q.trim() } : {}),
              })
            }
            key={JSON.stringify(filter)}
            initialValues={filter}
          >
            <Form.Item name="rating" label={t('console.feedback.rating')}>
              <Select
                allowClear
                style={{ width: 140 }}
                placeholder={t('console.feedback.allRatings')}
                options={[5, 4, 3, 2, 1].map((value) => ({
                  value,
                  label: t('console.feedback.starsShort', { count: value }),
                }))}
              />
            </Form.Item>
            <Form.Item name="screen" label={t('console.feedback.screen')}>
              <Input allowClear style={{ width: 160 }} placeholder="/transfer" />
            </Form.Item>
            <Form.Item name="q" label={t('console.feedback.search')}>
              <Input allowClear style={{ width: 200 }} />
            </Form.Item>
            <Form.Item>
              <Space>
                <Button type="primary" htmlType="submit">
                  {t('console.feedback.apply')}
                </Button>
                <Button onClick={() => setFilter({})}>{t('console.feedback.clear')}</Button>
              </Space>
            </Form.Item>
          </Form>
          {feedback.isError ? (
            <PortalLoadFailed error={feedback.error} onRetry={() => void feedback.refetch()} />
          ) : (
            <>
              <Table<Feedback>
                data-testid="feedback-table"
                rowKey="id"
                size="middle"
                loading={feedback.isPending}
                columns={columns}
                dataSource={rows}
                pagination={false}
                locale={{ emptyText: t('console.feedback.empty') }}
              />
              {feedback.hasNextPage ? (
                <div style={{ textAlign: 'center', marginTop: 16 }}>
                  <Button onClick={() => void feedback.fetchNextPage()} loading={feedback.isFetchingNextPage}>
                    {t('console.feedback.more')}
                  </Button>
                </div>
              ) : null}
            </>
          )}
        </Card>
      </Space>
    </div>
  );
}
