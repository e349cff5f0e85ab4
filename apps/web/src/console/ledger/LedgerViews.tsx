/** The 账本 page's views: the tabs (accounts, journal, verify, reconciliation), one account, one transfer. */
import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import {
  Alert,
  Breadcrumb,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Input,
  Result,
  Space,
  Statistic,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { formatDateTime } from '../../lib/format.ts';
import { ErrorAlert, PortalLoadFailed, PortalLoading, useMoney } from '../../portal/parts.tsx';
import { useOperator } from '../api.ts';
import {
  backOfficeKeys,
  fetchAccountTransfers,
  fetchJournal,
  fetchLedgerAccount,
  fetchLedgerTransfer,
  fetchReconciliation,
  findLedgerAccounts,
  verifyBooks,
} from '../holders/api.ts';
import type { LedgerAccount, LedgerTransfer, ReconciliationItem } from '../holders/api.ts';
import '../holders/holders.css';

const TABS = ['accounts', 'journal', 'verify', 'reconciliation'] as const;
type Tab = (typeof TABS)[number];

export function LedgerHome() {
  const { t } = useTranslation();
  const operator = useOperator();
  const [params, setParams] = useSearchParams();
  const tab = (TABS as readonly string[]).includes(params.get('tab') ?? '')
    ? (params.get('tab') as Tab)
    : 'accounts';
  const items = [
    { key: 'accounts', label: t('console.ledger.tabs.accounts'), children: <AccountSearch /> },
    { key: 'journal', label: t('console.ledger.tabs.journal'), children: <Journal /> },
    { key: 'verify', label: t('console.ledger.tabs.verify'), children: <Verify /> },
    ...(operator.can('reconciliation:read')
      ? [
          {
            key: 'reconciliation',
            label: t('console.ledger.tabs.reconciliation'),
            children: <ReconciliationReport />,
          },
        ]
      : []),
  ];
  return (
    <div className="portal-page backoffice-page">
      <Typography.Title level={2} className="portal-page-title">
        {t('console.ledger.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('console.ledger.intro')}</Typography.Paragraph>
      <Card>
        <Tabs activeKey={tab} onChange={(key) => setParams({ tab: key })} items={items} destroyOnHidden />
      </Card>
    </div>
  );
}

function useLabel() {
  const { i18n } = useTranslation();
  return (label: LedgerAccount['label'], code: number) =>
    label ? `${i18n.language === 'en' ? label.en : label['zh-CN']} (${code})` : String(code);
}

function AccountSearch() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const money = useMoney();
  const label = useLabel();
  const [q, setQ] = useState('');
  const accounts = useQuery({
    queryKey: backOfficeKeys.accounts(q),
    queryFn: () => findLedgerAccounts(q),
    enabled: q.length > 0,
  });
  return (
    <Space orientation="vertical" size="middle" className="console-full">
      <Input.Search
        className="backoffice-search"
        allowClear
        enterButton={t('console.ledger.accounts.search')}
        placeholder={t('console.ledger.accounts.placeholder')}
        aria-label={t('console.ledger.accounts.search')}
        maxLength={128}
        onSearch={(value) => setQ(value.trim())}
        loading={accounts.isFetching}
      />
      <ErrorAlert error={accounts.error} />
      {q ? (
        <Table<LedgerAccount>
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={accounts.data?.accounts ?? []}
          loading={accounts.isPending}
          rowClassName={() => 'backoffice-row'}
          onRow={(account) => ({ onClick: () => void navigate(`/console/ledger/accounts/${account.id}`) })}
          locale={{ emptyText: t('console.ledger.accounts.none') }}
          columns={[
            {
              title: t('console.ledger.accounts.id'),
              dataIndex: 'id',
              render: (v: string) => <span className="portal-mono">{v}</span>,
            },
            {
              title: t('console.ledger.accounts.owner'),
              dataIndex: 'ownerRef',
              render: (v: string | null) => v ?? '—',
            },
            {
              title: t('console.ledger.accounts.kind'),
              dataIndex: 'label',
              render: (v: LedgerAccount['label'], a) => label(v, a.code),
            },
            { title: t('console.ledger.accounts.currency'), dataIndex: 'currency' },
            {
              title: t('console.ledger.accounts.balance'),
              dataIndex: 'balance',
              align: 'right',
              render: (v: LedgerAccount['balance']) => money(v),
            },
            {
              title: t('console.ledger.accounts.flags'),
              dataIndex: 'flags',
              render: (v: number) => <FlagTags flags={v} />,
            },
          ]}
        />
      ) : null}
    </Space>
  );
}

/** AccountFlags of packages/ledger: 1 debits ≤ credits, 2 credits ≤ debits, 4 test money. */
function FlagTags({ flags }: { flags: number }) {
  const { t } = useTranslation();
  const names = (['noOverdraft', 'creditLimit', 'test'] as const).filter(
    (_, bit) => (flags & (1 << bit)) !== 0,
  );
  if (names.length === 0) return <span>—</span>;
  return (
    <Space size={4} wrap>
      {names.map((name) => (
        <Tag key={name}>{t(`console.ledger.flags.${name}`)}</Tag>
      ))}
    </Space>
  );
}

export function AccountView() {
  const { accountId = '' } = useParams();
  const { t, i18n } = useTranslation();
  const money = useMoney();
  const label = useLabel();
  const account = useQuery({
    queryKey: backOfficeKeys.account(accountId),
    queryFn: () => fetchLedgerAccount(accountId),
  });
  const transfers = useInfiniteQuery({
    queryKey: backOfficeKeys.transfers(accountId),
    queryFn: ({ pageParam }) => fetchAccountTransfers(accountId, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  if (account.isPending) return <PortalLoading />;
  if (account.isError)
    return <PortalLoadFailed error={account.error} onRetry={() => void account.refetch()} />;
  const a = account.data;
  return (
    <div className="portal-page backoffice-page" data-testid="ledger-account">
      <Breadcrumb
        items={[{ title: <Link to="/console/ledger">{t('console.ledger.title')}</Link> }, { title: a.id }]}
      />
      <Card title={label(a.label, a.code)}>
        <Descriptions
          column={{ xs: 1, md: 2, xl: 3 }}
          items={[
            {
              key: 'id',
              label: t('console.ledger.accounts.id'),
              children: <span className="portal-mono">{a.id}</span>,
            },
            { key: 'owner', label: t('console.ledger.accounts.owner'), children: a.ownerRef ?? '—' },
            { key: 'currency', label: t('console.ledger.accounts.currency'), children: a.currency },
            {
              key: 'balance',
              label: t('console.ledger.accounts.balance'),
              children: <strong>{money(a.balance)}</strong>,
            },
            { key: 'available', label: t('console.ledger.accounts.available'), children: money(a.available) },
            {
              key: 'flags',
              label: t('console.ledger.accounts.flags'),
              children: <FlagTags flags={a.flags} />,
            },
            {
              key: 'dp',
              label: t('console.ledger.counters.debitsPosted'),
              children: a.counters.debitsPosted,
            },
            {
              key: 'cp',
              label: t('console.ledger.counters.creditsPosted'),
              children: a.counters.creditsPosted,
            },
            {
              key: 'dpe',
              label: t('console.ledger.counters.debitsPending'),
              children: a.counters.debitsPending,
            },
            {
              key: 'cpe',
              label: t('console.ledger.counters.creditsPending'),
              children: a.counters.creditsPending,
            },
            {
              key: 'created',
              label: t('console.ledger.accounts.createdAt'),
              children: formatDateTime(a.createdAt, i18n.language),
            },
          ]}
        />
      </Card>
      <Card title={t('console.ledger.transfers.title')}>
        <ErrorAlert error={transfers.error} />
        <TransferTable
          accountId={a.id}
          transfers={transfers.data?.pages.flatMap((page) => page.transfers) ?? []}
          loading={transfers.isPending}
        />
        {transfers.hasNextPage ? (
          <Button onClick={() => void transfers.fetchNextPage()} loading={transfers.isFetchingNextPage}>
            {t('console.ledger.more')}
          </Button>
        ) : null}
      </Card>
    </div>
  );
}

function TransferTable(props: { accountId: string; transfers: LedgerTransfer[]; loading: boolean }) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const money = useMoney();
  const label = useLabel();
  return (
    <Table<LedgerTransfer>
      size="small"
      rowKey="id"
      pagination={false}
      loading={props.loading}
      dataSource={props.transfers}
      rowClassName={() => 'backoffice-row'}
      onRow={(transfer) => ({ onClick: () => void navigate(`/console/ledger/transfers/${transfer.id}`) })}
      locale={{ emptyText: t('console.ledger.transfers.none') }}
      columns={[
        {
          title: t('console.ledger.transfers.at'),
          dataIndex: 'at',
          render: (v: string) => formatDateTime(v, i18n.language),
        },
        {
          title: t('console.ledger.transfers.kind'),
          dataIndex: 'label',
          render: (v: LedgerTransfer['label'], x) => label(v, x.code),
        },
        {
          title: t('console.ledger.transfers.side'),
          key: 'side',
          render: (_: unknown, x) =>
            x.debitAccountId === props.accountId ? (
              <Tag color="orange">{t('console.ledger.transfers.debit')}</Tag>
            ) : (
              <Tag color="green">{t('console.ledger.transfers.credit')}</Tag>
            ),
        },
        {
          title: t('console.ledger.transfers.amount'),
          dataIndex: 'amount',
          align: 'right',
          render: (v: LedgerTransfer['amount']) => money(v),
        },
        {
          title: t('console.ledger.transfers.flags'),
          dataIndex: 'flags',
          render: (v: number) => <TransferFlagTags flags={v} />,
        },
        {
          title: t('console.ledger.transfers.id'),
          dataIndex: 'id',
          render: (v: string) => <span className="portal-mono">{v.slice(-12)}</span>,
        },
      ]}
    />
  );
}

/** TransferFlags of packages/ledger: linked 1, pending 2, post 4, void 8, expired 16. */
function TransferFlagTags({ flags }: { flags: number }) {
  const { t } = useTranslation();
  const names = (['linked', 'pending', 'post', 'void', 'expired'] as const).filter(
    (_, bit) => (flags & (1 << bit)) !== 0,
  );
  if (names.length === 0) return <span>—</span>;
  return (
    <Space size={4} wrap>
      {names.map((name) => (
        <Tag key={name}>{t(`console.ledger.transferFlags.${name}`)}</Tag>
      ))}
    </Space>
  );
}

export function TransferView() {
  const { transferId = '' } = useParams();
  const { t, i18n } = useTranslation();
  const money = useMoney();
  const label = useLabel();
  const transfer = useQuery({
    queryKey: backOfficeKeys.transfer(transferId),
    queryFn: () => fetchLedgerTransfer(transferId),
  });
  if (transfer.isPending) return <PortalLoading />;
  if (transfer.isError)
    return <PortalLoadFailed error={transfer.error} onRetry={() => void transfer.refetch()} />;
  const x = transfer.data;
  const account = (id: string) => (
    <Link to={`/console/ledger/accounts/${id}`} className="portal-mono">
      {id}
    </Link>
  );
  return (
    <div className="portal-page backoffice-page" data-testid="ledger-transfer">
      <Breadcrumb
        items={[{ title: <Link to="/console/ledger">{t('console.ledger.title')}</Link> }, { title: x.id }]}
      />
      <Card title={label(x.label, x.code)}>
        <Descriptions
          column={1}
          items={[
            {
              key: 'id',
              label: t('console.ledger.transfers.id'),
              children: <span className="portal-mono">{x.id}</span>,
            },
            {
              key: 'amount',
              label: t('console.ledger.transfers.amount'),
              children: <strong>{money(x.amount)}</strong>,
            },
            {
              key: 'debit',
              label: t('console.ledger.transfers.debitAccount'),
              children: account(x.debitAccountId),
            },
            {
              key: 'credit',
              label: t('console.ledger.transfers.creditAccount'),
              children: account(x.creditAccountId),
            },
            {
              key: 'at',
              label: t('console.ledger.transfers.at'),
              children: `${formatDateTime(x.at, i18n.language)} (${x.timestamp} µs)`,
            },
            {
              key: 'flags',
              label: t('console.ledger.transfers.flags'),
              children: <TransferFlagTags flags={x.flags} />,
            },
            {
              key: 'pending',
              label: t('console.ledger.transfers.pendingId'),
              children: x.pendingId ? (
                <Link to={`/console/ledger/transfers/${x.pendingId}`}>{x.pendingId}</Link>
              ) : (
                '—'
              ),
            },
            {
              key: 'limits',
              label: t('console.ledger.transfers.limitKeys'),
              children: x.limitKeys.join(', ') || '—',
            },
            { key: 'data', label: t('console.ledger.transfers.userData'), children: x.userData ?? '—' },
          ]}
        />
      </Card>
    </div>
  );
}

function Journal() {
  const { t, i18n } = useTranslation();
  const journal = useInfiniteQuery({
    queryKey: backOfficeKeys.journal,
    queryFn: ({ pageParam }) => fetchJournal(pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextBefore,
  });
  return (
    <Space orientation="vertical" size="middle" className="console-full">
      <Typography.Paragraph type="secondary">{t('console.ledger.journal.intro')}</Typography.Paragraph>
      <ErrorAlert error={journal.error} />
      <Table
        size="small"
        rowKey="seq"
        pagination={false}
        loading={journal.isPending}
        dataSource={journal.data?.pages.flatMap((page) => page.records) ?? []}
        data-testid="ledger-journal"
        columns={[
          { title: t('console.ledger.journal.seq'), dataIndex: 'seq' },
          {
            title: t('console.ledger.journal.committedAt'),
            dataIndex: 'committedAt',
            render: (v: string) => formatDateTime(v, i18n.language),
          },
          { title: t('console.ledger.journal.transfers'), dataIndex: 'transferCount', align: 'right' },
          {
            title: t('console.ledger.journal.hash'),
            dataIndex: 'hash',
            render: (v: string) => <Hash value={v} />,
          },
          {
            title: t('console.ledger.journal.prevHash'),
            dataIndex: 'prevHash',
            render: (v: string) => <Hash value={v} />,
          },
        ]}
      />
      {journal.hasNextPage ? (
        <Button onClick={() => void journal.fetchNextPage()} loading={journal.isFetchingNextPage}>
          {t('console.ledger.more')}
        </Button>
      ) : null}
    </Space>
  );
}

/** A SHA-256 in hex, shortened to its ends (the whole of it on hover and when copied). */
function Hash({ value }: { value: string }) {
  return (
    <Typography.Text className="backoffice-hash" title={value} copyable={{ text: value }}>
      {`${value.slice(0, 12)}…${value.slice(-8)}`}
    </Typography.Text>
  );
}

function Verify() {
  const { t } = useTranslation();
  const verifying = useMutation({ mutationFn: verifyBooks });
  const report = verifying.data;
  return (
    <Space orientation="vertical" size="middle" className="console-full" data-testid="ledger-verify">
      <Typography.Paragraph type="secondary">{t('console.ledger.verify.intro')}</Typography.Paragraph>
      <Button type="primary" onClick={() => verifying.mutate()} loading={verifying.isPending}>
        {t('console.ledger.verify.run')}
      </Button>
      <ErrorAlert error={verifying.error} />
      {report ? (
        <>
          <Result
            status={report.ok ? 'success' : 'error'}
            title={report.ok ? t('console.ledger.verify.ok') : t('console.ledger.verify.broken')}
            subTitle={t('console.ledger.verify.summary', {
              batches: report.batches,
              transfers: report.transfers,
              accounts: report.accounts,
              entries: report.auditLog.entries,
            })}
          />
          <Space wrap size="large">
            <Statistic
              title={t('console.ledger.verify.books')}
              value={report.books.ok ? 'OK' : t('console.ledger.verify.brokenShort')}
            />
            <Statistic
              title={t('console.ledger.verify.auditLog')}
              value={report.auditLog.ok ? 'OK' : t('console.ledger.verify.brokenShort')}
            />
            <Statistic
              title={t('console.ledger.verify.problems')}
              value={report.problemsFound + report.auditLog.problemCount}
            />
            <Statistic
              title={t('console.ledger.verify.keying')}
              value={
                report.journal.keyChecked
                  ? t('console.ledger.verify.keyed')
                  : t('console.ledger.verify.notKeyed')
              }
            />
            <Statistic
              title={t('console.ledger.verify.checkpoints')}
              value={report.checkpoints ? `${report.checkpoints.authentic}/${report.checkpoints.lines}` : '—'}
            />
          </Space>
          {report.problems.length > 0 ? (
            <Alert
              type="error"
              showIcon
              title={t('console.ledger.verify.problemList')}
              description={
                <ul>
                  {report.problems.map((problem) => (
                    <li key={problem}>{problem}</li>
                  ))}
                </ul>
              }
            />
          ) : null}
          <Table
            size="small"
            rowKey="currency"
            pagination={false}
            dataSource={report.trialBalance}
            columns={[
              { title: t('console.ledger.accounts.currency'), dataIndex: 'currency' },
              { title: t('console.ledger.counters.debitsPosted'), dataIndex: 'debitsPosted', align: 'right' },
              {
                title: t('console.ledger.counters.creditsPosted'),
                dataIndex: 'creditsPosted',
                align: 'right',
              },
              {
                title: t('console.ledger.counters.debitsPending'),
                dataIndex: 'debitsPending',
                align: 'right',
              },
              {
                title: t('console.ledger.counters.creditsPending'),
                dataIndex: 'creditsPending',
                align: 'right',
              },
            ]}
          />
        </>
      ) : null}
    </Space>
  );
}

function ReconciliationReport() {
  const { t } = useTranslation();
  const [date, setDate] = useState<Dayjs>(() => dayjs().subtract(1, 'day'));
  const day = date.format('YYYY-MM-DD');
  const report = useQuery({
    queryKey: backOfficeKeys.reconciliation(day),
    queryFn: () => fetchReconciliation(day),
  });
  const rows: (ReconciliationItem & { problem: string })[] = report.data
    ? [
        ...report.data.missing.map((item) => ({ ...item, problem: 'missing' })),
        ...report.data.extra.map((item) => ({ ...item, problem: 'extra' })),
        ...report.data.amountMismatch.map((item) => ({ ...item, problem: 'amountMismatch' })),
        ...report.data.statusMismatch.map((item) => ({ ...item, problem: 'statusMismatch' })),
      ]
    : [];
  return (
    <Space orientation="vertical" size="middle" className="console-full" data-testid="ledger-reconciliation">
      <Typography.Paragraph type="secondary">{t('console.ledger.reconciliation.intro')}</Typography.Paragraph>
      <DatePicker
        value={date}
        allowClear={false}
        onChange={(value) => value && setDate(value)}
        aria-label={t('console.ledger.reconciliation.date')}
      />
      <ErrorAlert error={report.error} />
      {report.data ? (
        <>
          <Space wrap size="large">
            <Statistic title={t('console.ledger.reconciliation.bankLines')} value={report.data.bankLines} />
            <Statistic title={t('console.ledger.reconciliation.operations')} value={report.data.operations} />
            <Statistic title={t('console.ledger.reconciliation.mismatches')} value={report.data.mismatches} />
          </Space>
          <Table
            size="small"
            rowKey={(row) => `${row.problem}:${row.operationId}`}
            pagination={false}
            dataSource={rows}
            locale={{ emptyText: t('console.ledger.reconciliation.allMatch') }}
            columns={[
              {
                title: t('console.ledger.reconciliation.problem'),
                dataIndex: 'problem',
                render: (v: string) => (
                  <Tag color="error">{t(`console.ledger.reconciliation.problems.${v}`)}</Tag>
                ),
              },
              {
                title: t('console.ledger.reconciliation.operation'),
                dataIndex: 'operationId',
                render: (v: string) => <span className="portal-mono">{v}</span>,
              },
              { title: t('console.ledger.reconciliation.kind'), dataIndex: 'kind' },
              {
                title: t('console.ledger.reconciliation.bank'),
                dataIndex: 'bank',
                render: (v: ReconciliationItem['bank']) => (v ? `${v.amount} · ${v.status}` : '—'),
              },
              {
                title: t('console.ledger.reconciliation.ours'),
                dataIndex: 'ours',
                render: (v: ReconciliationItem['ours']) => (v ? `${v.amount} · ${v.state}` : '—'),
              },
            ]}
          />
        </>
      ) : report.isPending ? (
        <PortalLoading />
      ) : null}
    </Space>
  );
}
