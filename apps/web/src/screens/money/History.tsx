import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Button, InfiniteScroll, Popup, SearchBar, Selector, Steps } from 'antd-mobile';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import {
  fetchTransaction,
  fetchTransactions,
  parseYuan,
  transactionLabel,
  transactionsKey,
} from '../../api/money.ts';
import type { HistoryFilters, Transaction } from '../../api/money.ts';
import { FilterIcon } from '../../components/money/icons.tsx';
import { Page } from '../../components/Page.tsx';
import { LoadFailed, Loading } from '../../components/States.tsx';
import { formatDateTime, formatMoney } from '../../lib/format.ts';
import { DisputeEntry } from '../disputes/Disputes.tsx';
import { AmountInput, DetailRows } from './parts.tsx';

const TYPES = ['transfer', 'payment_request', 'top_up', 'withdrawal', 'bank_transfer', 'fee'] as const;

function signed(item: Pick<Transaction, 'amount' | 'direction'>, language: string): string {
  return `${item.direction === 'in' ? '+' : '−'}${formatMoney(item.amount, language)}`;
}

/**
 * How a status reads: a wallet-to-wallet transfer is pending only while held for review (the risk
 * engine's hold, an operator decides), so it says so; every other hold is "processing".
 */
function statusKey(type: string, status: Transaction['status']): string {
  return type === 'transfer' && status === 'pending'
    ? 'money.historyPage.statuses.underReview'
    : `money.historyPage.statuses.${status}`;
}

/** 账单: every movement, newest first, with filters and search; pages follow `nextCursor`. */
export function History() {
  const { t, i18n } = useTranslation();
  const [filters, setFilters] = useState<HistoryFilters>({});
  const [search, setSearch] = useState('');
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const timer = setTimeout(
      () => setFilters((current) => ({ ...current, q: search.trim() || undefined })),
      300,
    );
    return () => clearTimeout(timer);
  }, [search]);
  const history = useInfiniteQuery({
    queryKey: [...transactionsKey, filters],
    queryFn: ({ pageParam }) => fetchTransactions(filters, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });
  const all = history.data?.pages.flatMap((page) => page.transactions) ?? [];
  // A hold and its posting (or release) are two movements: once the outcome is here, the
  // "processing" hold row says nothing more.
  const resolved = new Set(all.map((item) => item.pendingId).filter((id): id is string => id !== null));
  const items = all.filter((item) => !(item.status === 'pending' && resolved.has(item.id)));
  const active = Object.entries(filters).filter(([name, value]) => name !== 'q' && value).length;

  return (
    <Page
      title={t('money.historyPage.title')}
      backTo="/"
      right={
        <button
          type="button"
          className="icon-button history-filter-button"
          aria-label={`${t('money.historyPage.filters')}${active ? ` (${active})` : ''}`}
          aria-expanded={open}
          onClick={() => setOpen(true)}
        >
          <FilterIcon />
          {active ? <span className="filter-count">{active}</span> : null}
        </button>
      }
    >
      <div className="history-search">
        <SearchBar
          placeholder={t('money.historyPage.search')}
          value={search}
          onChange={setSearch}
          aria-label={t('money.historyPage.search')}
        />
      </div>
      <div className="history-quick" role="group" aria-label={t('money.historyPage.direction')}>
        {([undefined, 'in', 'out'] as const).map((direction) => (
          <button
            key={direction ?? 'all'}
            type="button"
            className={filters.direction === direction ? 'chip selected' : 'chip'}
            aria-pressed={filters.direction === direction}
            onClick={() => setFilters({ ...filters, direction })}
          >
            {t(`money.historyPage.${direction ?? 'all'}`)}
          </button>
        ))}
      </div>
      {history.isPending ? (
        <Loading />
      ) : history.isError ? (
        <LoadFailed error={history.error} onRetry={() => void history.refetch()} />
      ) : (
        <>
          {items.length === 0 && !history.hasNextPage ? (
            <p className="empty">{t('money.historyPage.empty')}</p>
          ) : (
            <ul className="history-list" data-testid="history-list">
              {items.map((item) => (
                <li key={item.id}>
                  <Link to={`/history/${item.id}`} className="history-row">
                    <span className="history-row-main">
                      <span className="history-row-label">{transactionLabel(item, i18n.language)}</span>
                      <span className="history-row-sub">
                        {[item.counterparty?.displayName, item.note].filter(Boolean).join(' · ') ||
                          formatDateTime(item.createdAt, i18n.language)}
                      </span>
                      {item.counterparty || item.note ? (
                        <time className="history-row-time" dateTime={item.createdAt}>
                          {formatDateTime(item.createdAt, i18n.language)}
                        </time>
                      ) : null}
                    </span>
                    <span className="history-row-side">
                      <span className={`history-row-amount amount ${item.direction}`}>
                        {signed(item, i18n.language)}
                      </span>
                      {item.status === 'succeeded' ? null : (
                        <span className={`status-tag ${item.status}`}>
                          {t(statusKey(item.type, item.status))}
                        </span>
                      )}
                    </span>
                  </Link>
                </li>
              ))}
            </ul>
          )}
          <InfiniteScroll
            loadMore={async () => {
              await history.fetchNextPage();
            }}
            hasMore={history.hasNextPage}
          >
            {history.hasNextPage ? (
              <Loading />
            ) : items.length > 0 ? (
              <span>{t('money.historyPage.noMore')}</span>
            ) : null}
          </InfiniteScroll>
        </>
      )}
      <Popup visible={open} onMaskClick={() => setOpen(false)} bodyClassName="filter-sheet" destroyOnClose>
        <FilterForm
          initial={filters}
          onApply={(next) => {
            setFilters({ ...next, q: filters.q });
            setOpen(false);
          }}
        />
      </Popup>
    </Page>
  );
}

function fenToYuan(fen: string | undefined): string {
  if (!fen) return '';
  const padded = fen.padStart(3, '0');
  return `${padded.slice(0, -2).replace(/^0+(?=\d)/, '')}.${padded.slice(-2)}`;
}

function FilterForm(props: { initial: HistoryFilters; onApply: (filters: HistoryFilters) => void }) {
  const { t } = useTranslation();
  const [type, setType] = useState(props.initial.type);
  const [direction, setDirection] = useState(props.initial.direction);
  const [from, setFrom] = useState(props.initial.from ?? '');
  const [to, setTo] = useState(props.initial.to ?? '');
  const [min, setMin] = useState(fenToYuan(props.initial.minAmount));
  const [max, setMax] = useState(fenToYuan(props.initial.maxAmount));
  return (
    <form
      className="filter-form"
      aria-label={t('money.historyPage.filters')}
      onSubmit={(event) => {
        event.preventDefault();
        props.onApply({
          type,
          direction,
          from: from || undefined,
          to: to || undefined,
          minAmount: parseYuan(min)?.amount,
          maxAmount: parseYuan(max)?.amount,
        });
      }}
    >
      <h2 className="filter-title">{t('money.historyPage.filters')}</h2>
      <p className="filter-label" id="filter-type">
        {t('money.historyPage.type')}
      </p>
      <Selector
        aria-labelledby="filter-type"
        columns={3}
        value={[type ?? '']}
        onChange={(value) => setType(value[0] || undefined)}
        options={[
          { label: t('money.historyPage.all'), value: '' },
          ...TYPES.map((name) => ({ label: t(`money.historyPage.types.${name}`), value: name })),
        ]}
      />
      <p className="filter-label" id="filter-direction">
        {t('money.historyPage.direction')}
      </p>
      <Selector
        aria-labelledby="filter-direction"
        columns={3}
        value={[direction ?? '']}
        onChange={(value) => setDirection(value[0] || undefined)}
        options={[
          { label: t('money.historyPage.all'), value: '' },
          { label: t('money.historyPage.in'), value: 'in' },
          { label: t('money.historyPage.out'), value: 'out' },
        ]}
      />
      <p className="filter-label">{t('money.historyPage.dateRange')}</p>
      <div className="filter-range">
        <input
          type="date"
          className="filter-date"
          aria-label={t('money.historyPage.from')}
          value={from}
          onChange={(event) => setFrom(event.target.value)}
        />
        <span aria-hidden="true">–</span>
        <input
          type="date"
          className="filter-date"
          aria-label={t('money.historyPage.to')}
          value={to}
          onChange={(event) => setTo(event.target.value)}
        />
      </div>
      <p className="filter-label">{t('money.historyPage.amountRange')}</p>
      <div className="filter-range">
        <AmountInput label={t('money.historyPage.minAmount')} value={min} onChange={setMin} />
        <span aria-hidden="true">–</span>
        <AmountInput label={t('money.historyPage.maxAmount')} value={max} onChange={setMax} />
      </div>
      <div className="filter-buttons">
        <Button
          shape="rounded"
          size="large"
          onClick={() => {
            setType(undefined);
            setDirection(undefined);
            setFrom('');
            setTo('');
            setMin('');
            setMax('');
          }}
        >
          {t('money.historyPage.reset')}
        </Button>
        <Button type="submit" color="primary" shape="rounded" size="large">
          {t('money.historyPage.apply')}
        </Button>
      </div>
    </form>
  );
}

/** One movement: amount, parties, status timeline and the PDF e-receipt. */
export function TransactionDetail() {
  const { t, i18n } = useTranslation();
  const { id = '' } = useParams();
  const detail = useQuery({
    queryKey: [...transactionsKey, 'detail', id],
    queryFn: () => fetchTransaction(id),
  });
  const title = t('money.historyPage.detailTitle');
  if (!detail.data) {
    return (
      <Page title={title} backTo="/history">
        {detail.isError ? (
          <LoadFailed error={detail.error} onRetry={() => void detail.refetch()} />
        ) : (
          <Loading />
        )}
      </Page>
    );
  }
  const item = detail.data;
  return (
    <Page title={title} backTo="/history">
      <section className="detail-head">
        <p className="detail-head-label">{transactionLabel(item, i18n.language)}</p>
        <p className={`detail-head-amount amount ${item.direction}`} data-testid="detail-amount">
          {signed(item, i18n.language)}
        </p>
        <span className={`status-tag ${item.status}`}>{t(statusKey(item.type, item.status))}</span>
      </section>
      <div className="money-card">
        <DetailRows
          rows={[
            ...(item.counterparty && !item.parties
              ? [{ label: t('money.historyPage.counterparty'), value: item.counterparty.displayName }]
              : []),
            ...(item.parties
              ? [
                  { label: t('money.historyPage.payer'), value: item.parties.payer },
                  { label: t('money.historyPage.payee'), value: item.parties.payee },
                ]
              : []),
            ...(item.note ? [{ label: t('money.note'), value: item.note }] : []),
            { label: t('money.time'), value: formatDateTime(item.createdAt, i18n.language) },
            { label: t('money.historyPage.transactionId'), value: <code className="mono">{item.id}</code> },
          ]}
        />
      </div>
      {item.timeline.length > 0 ? (
        <section className="money-card" aria-labelledby="detail-timeline">
          <h2 id="detail-timeline" className="money-card-title">
            {t('money.historyPage.timeline')}
          </h2>
          <Steps direction="vertical" current={item.timeline.length} className="money-timeline">
            {item.timeline.map((entry) => (
              <Steps.Step
                key={entry.ledgerTransferId + entry.status}
                status={
                  entry.status === 'released' ? 'error' : entry.status === 'succeeded' ? 'finish' : 'process'
                }
                title={t(statusKey(item.type, entry.status))}
                description={formatDateTime(entry.at, i18n.language)}
              />
            ))}
          </Steps>
        </section>
      ) : null}
      <div className="money-buttons">
        <DisputeEntry transactionId={item.id} />
        {item.fundingId ? (
          <Link to={`/funding/${item.fundingId}`} className="text-button money-link-button">
            {t('money.historyPage.bankProgress')}
          </Link>
        ) : null}
        <a
          href={item.receiptUrl}
          download={`receipt-${item.id}.pdf`}
          className="adm-button adm-button-default adm-button-block adm-button-large adm-button-shape-rounded money-link-primary"
          data-testid="receipt-link"
        >
          {t('money.historyPage.receipt')}
        </a>
      </div>
    </Page>
  );
}
