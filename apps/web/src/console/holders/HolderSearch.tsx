/** The 用户 page's search: one box, the query kept in the URL (`?q=`), a table of holders. */
import { useQuery } from '@tanstack/react-query';
import { Card, Input, Space, Table, Tag, Typography } from 'antd';
import type { TableProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { formatDateTime } from '../../lib/format.ts';
import { ErrorAlert } from '../../portal/parts.tsx';
import { backOfficeKeys, searchHolders } from './api.ts';
import type { HolderHit } from './api.ts';
import './holders.css';

export function HolderSearch() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const q = params.get('q')?.trim() ?? '';
  const results = useQuery({
    queryKey: backOfficeKeys.search(q),
    queryFn: () => searchHolders(q),
    enabled: q.length > 0,
  });
  const columns: TableProps<HolderHit>['columns'] = [
    {
      title: t('console.holders.phone'),
      dataIndex: 'phone',
      render: (v: string) => <span className="portal-mono">{v}</span>,
    },
    {
      title: t('console.holders.name'),
      dataIndex: 'name',
      render: (v: string | null) => v ?? t('console.holders.noRealName'),
    },
    {
      title: t('console.holders.idNumber'),
      dataIndex: 'idNumber',
      render: (v: string | null) => (v ? <span className="portal-mono">{v}</span> : '—'),
    },
    { title: t('console.holders.tier'), dataIndex: 'tier', render: (v: string) => <Tag>{v}</Tag> },
    {
      title: t('console.holders.matchedBy'),
      dataIndex: 'matchedBy',
      render: (by: string[], hit) => (
        <Space size={4} wrap>
          {by.map((name) => (
            <Tag key={name} color="blue">
              {t(`console.holders.match.${name}`)}
            </Tag>
          ))}
          {hit.merchants.map((merchant) => (
            <Tag key={merchant.id}>{merchant.name}</Tag>
          ))}
        </Space>
      ),
    },
    {
      title: t('console.holders.createdAt'),
      dataIndex: 'createdAt',
      render: (v: string) => formatDateTime(v, i18n.language),
    },
  ];
  return (
    <div className="portal-page backoffice-page">
      <Typography.Title level={2} className="portal-page-title">
        {t('console.holders.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('console.holders.intro')}</Typography.Paragraph>
      <Card>
        <Input.Search
          className="backoffice-search"
          defaultValue={q}
          key={q}
          allowClear
          enterButton={t('console.holders.search')}
          placeholder={t('console.holders.searchPlaceholder')}
          aria-label={t('console.holders.search')}
          maxLength={64}
          loading={results.isFetching}
          onSearch={(value) => setParams(value.trim() ? { q: value.trim() } : {})}
        />
        <ErrorAlert error={results.error} />
        {q ? (
          <Table<HolderHit>
            rowKey="userId"
            columns={columns}
            dataSource={results.data?.holders ?? []}
            loading={results.isPending}
            pagination={false}
            rowClassName={() => 'backoffice-row'}
            onRow={(hit) => ({ onClick: () => void navigate(`/console/holders/${hit.userId}`) })}
            locale={{ emptyText: t('console.holders.noneFound') }}
          />
        ) : null}
      </Card>
    </div>
  );
}
