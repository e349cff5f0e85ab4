import { useQuery } from '@tanstack/react-query';
import { Button, Dialog, Tabs, Toast } from 'antd-mobile';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { ApiError, isApiError } from '../../api/client.ts';
import type { Confirmation } from '../../api/money.ts';
import {
  closeSplit,
  fetchMySplits,
  fetchOrganisedSplit,
  refundShare,
  remindSplit,
  splitRefOf,
  splitsKey,
} from '../../api/splits.ts';
import type { Split, SplitShare } from '../../api/splits.ts';
import { queryClient } from '../../auth/session.ts';
import { Page } from '../../components/Page.tsx';
import { LoadFailed, Loading } from '../../components/States.tsx';
import { ConfirmSheet } from '../../components/money/ConfirmSheet.tsx';
import { useConfirmAttempt } from '../../components/money/useConfirmAttempt.ts';
import { ShareLinkCard } from '../../components/share/ShareLinkCard.tsx';
import { formatDateTime, formatMoney } from '../../lib/format.ts';
import { DetailRows, ResultHead, useRefreshMoney } from '../money/parts.tsx';
import { SplitError, shareStateLabel, statusLabel } from './parts.tsx';

/** While a split is open, its organiser's page asks again this often (payments come in live). */
const POLL_MS = 3000;
/** SPLIT_REMINDER_INTERVAL_MINUTES's default (docs/splits.md): one round of reminders an hour. */
const REMINDER_INTERVAL_MS = 60 * 60 * 1000;

/** 我的 AA 收款: start one, and the splits I asked for and those I take part in, newest first. */
export function SplitsMine() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [search, setSearch] = useSearchParams();
  const role = search.get('role') === 'participant' ? 'participant' : 'organiser';
  return (
    <Page title={t('splits.mineTitle')} backTo="/">
      <section className="sp-hub" aria-label={t('splits.create')}>
        <p className="sp-hub-hint">{t('splits.hubHint')}</p>
        <Button
          shape="rounded"
          size="middle"
          className="sp-hub-create"
          onClick={() => void navigate('/splits/new')}
        >
          {t('splits.create')}
        </Button>
      </section>
      <Tabs
        activeKey={role}
        onChange={(key) => setSearch(key === 'participant' ? { role: 'participant' } : {}, { replace: true })}
        className="sp-tabs"
      >
        <Tabs.Tab title={t('splits.organised')} key="organiser">
          <SplitList role="organiser" />
        </Tabs.Tab>
        <Tabs.Tab title={t('splits.participating')} key="participant">
          <SplitList role="participant" />
        </Tabs.Tab>
      </Tabs>
    </Page>
  );
}

function SplitList(props: { role: 'organiser' | 'participant' }) {
  const { t, i18n } = useTranslation();
  const list = useQuery({
    queryKey: [...splitsKey, 'list', props.role],
    queryFn: () => fetchMySplits(props.role),
    refetchInterval: POLL_MS * 5,
  });
  if (list.isPending) return <Loading />;
  if (list.isError) return <LoadFailed error={list.error} onRetry={() => void list.refetch()} />;
  if (list.data.length === 0) {
    return (
      <p className="sp-empty">
        {props.role === 'organiser' ? t('splits.emptyOrganised') : t('splits.emptyParticipating')}
      </p>
    );
  }
  const organiser = props.role === 'organiser';
  return (
    <ul className="sp-list" data-testid={`sp-list-${props.role}`}>
      {list.data.map((split) => (
        <li key={split.id}>
          <Link
            to={organiser ? `/splits/mine/${split.id}` : `/splits/${splitRefOf(split)}`}
            className="sp-list-item"
            data-testid="sp-list-item"
          >
            <span className="sp-list-text">
              <span className="sp-list-title">{split.title}</span>
              <span className="sp-list-sub">
                {organiser
                  ? `${statusLabel(split)} · ${t('splits.listPaid', { paid: split.paidCount, count: split.payableCount })}`
                  : t('splits.from', { name: split.organiser.displayName })}
              </span>
              <span className="sp-list-sub">{formatDateTime(split.createdAt, i18n.language)}</span>
            </span>
            <span className="sp-list-end">
              {organiser ? (
                <span className="amount">{formatMoney(split.total, i18n.language)}</span>
              ) : (
                <>
                  <span className="amount">{formatMoney(split.myShare?.amount, i18n.language)}</span>
                  <span className="sp-list-status">
                    {split.myShare ? shareStateLabel(split.myShare) : statusLabel(split)}
                  </span>
                </>
              )}
            </span>
          </Link>
        </li>
      ))}
    </ul>
  );
}

/**
 * One of my splits, as its organiser follows it: collected and still to come, who has paid and
 * who has not (asked again every few seconds while it is open), 提醒未付款的人 (once an hour:
 * when it may be again is said with the time), 结束收款, and a paid share given back with the PIN.
 * Just created (`?created=1`): the link and QR code to share come first.
 */
export function SplitOrganised() {
  const { t, i18n } = useTranslation();
  const { id = '' } = useParams();
  const [search] = useSearchParams();
  const justCreated = search.get('created') === '1';
  const refresh = useRefreshMoney();
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<'remind' | 'close' | null>(null);
  const [refunding, setRefunding] = useState<SplitShare | null>(null);
  // When the split may be reminded again, as the server said (a reminder's answer, or its 429).
  const [nextReminder, setNextReminder] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());
  // The page may stay open past the wait: the clock the button compares with moves on.
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);
  const refundAttempt = useConfirmAttempt();
  const split = useQuery({
    queryKey: [...splitsKey, 'mine', id],
    queryFn: () => fetchOrganisedSplit(id),
    refetchInterval: (query) => (query.state.data?.status === 'open' ? POLL_MS : false),
    retry: false,
  });
  const update = (next: Split) => {
    queryClient.setQueryData([...splitsKey, 'mine', id], next);
    void queryClient.invalidateQueries({ queryKey: [...splitsKey, 'list'] });
  };

  const remind = async () => {
    setBusy('remind');
    setError(null);
    setNotice(null);
    try {
      const result = await remindSplit(id);
      setNextReminder(result.nextReminderAt);
      setNow(Date.now());
      setNotice(
        t('splits.remindedNotice', {
          count: result.reminded,
          time: formatDateTime(result.nextReminderAt, i18n.language),
        }),
      );
      void split.refetch();
    } catch (failure) {
      if (
        isApiError(failure, 'SPLIT_REMINDER_TOO_SOON') &&
        typeof failure.details.nextReminderAt === 'string'
      ) {
        setNextReminder(failure.details.nextReminderAt);
        setNow(Date.now());
      } else {
        setError(failure);
      }
    } finally {
      setBusy(null);
    }
  };

  const close = async () => {
    const confirmed = await Dialog.confirm({
      content: t('splits.closeConfirm'),
      confirmText: t('splits.close'),
      cancelText: t('common.cancel'),
    });
    if (!confirmed) return;
    setBusy('close');
    setError(null);
    try {
      update(await closeSplit(id));
      Toast.show({ icon: 'success', content: t('splits.closed') });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(null);
    }
  };

  const askRefund = async (share: SplitShare) => {
    const confirmed = await Dialog.confirm({
      content: t('splits.refundConfirm', {
        name: share.participant?.displayName ?? '',
        amount: formatMoney(share.amount, i18n.language),
      }),
      confirmText: t('splits.refund'),
      cancelText: t('common.cancel'),
    });
    if (!confirmed) return;
    setError(null);
    setNotice(null);
    refundAttempt.key.current = null;
    setRefunding(share);
  };

  /** The refund, under one key per attempt, through the risk step-up when asked. */
  const refund = async (confirmation: Confirmation) => {
    if (!refunding) return;
    const share = refunding;
    await refundAttempt.run(async (idempotencyKey) => {
      const next = await refundShare(id, share.id, idempotencyKey, confirmation);
      setRefunding(null);
      update(next);
      refresh();
      Toast.show({ icon: 'success', content: t('splits.refunded') });
    });
  };

  const title = t('splits.splitTitle');
  if (split.isPending) {
    return (
      <Page title={title} backTo="/splits">
        <Loading />
      </Page>
    );
  }
  if (split.isError) {
    return (
      <Page title={title} backTo="/splits">
        {split.error instanceof ApiError && split.error.status === 404 ? (
          <div className="money-buttons">
            <SplitError error={split.error} />
          </div>
        ) : (
          <LoadFailed error={split.error} onRetry={() => void split.refetch()} />
        )}
      </Page>
    );
  }
  const data = split.data;
  const money = (value: Split['total'] | null | undefined) => formatMoney(value, i18n.language);
  const fresh = justCreated && data.status === 'open' && data.paidCount === 0;
  const open = data.status === 'open';
  const unpaidNamed = data.mode === 'named' && (data.shares ?? []).some((share) => share.state === 'unpaid');
  // Once an hour (the server's default; its own answer when it gave one): until then the button waits.
  const remindAt =
    nextReminder ??
    (data.lastRemindedAt
      ? new Date(Date.parse(data.lastRemindedAt) + REMINDER_INTERVAL_MS).toISOString()
      : null);
  const remindWaits = remindAt !== null && Date.parse(remindAt) > now;
  const paidNow = data.paidCount;
  return (
    <Page title={fresh ? t('splits.createdTitle') : title} backTo="/splits">
      {fresh ? (
        <ResultHead
          tone="ok"
          title={t('splits.createdTitle')}
          amount={money(data.total)}
          sub={data.mode === 'open' ? t('splits.createdSubLink') : t('splits.createdSubNamed')}
        />
      ) : null}
      <section className="sp-head" aria-labelledby="sp-head-title">
        <h2 id="sp-head-title" className="sp-head-title" data-testid="sp-title">
          {data.title}
        </h2>
        <p className="sp-head-sub" data-testid="sp-status">
          {statusLabel(data)} · {t('splits.paidOf', { paid: paidNow, count: data.payableCount })}
          {open ? ` · ${t('splits.live')}` : ''}
        </p>
        {fresh ? null : (
          <p className="sp-head-amount amount" data-testid="sp-total">
            {money(data.total)}
          </p>
        )}
        <div className="sp-figures">
          <p className="sp-figure">
            <span className="sp-figure-label">{t('splits.collected')}</span>
            <span className="sp-figure-value amount" data-testid="sp-collected">
              {money(data.collected)}
            </span>
          </p>
          <p className="sp-figure">
            <span className="sp-figure-label">
              {open ? t('splits.outstanding') : t('splits.uncollected')}
            </span>
            <span className="sp-figure-value amount" data-testid="sp-outstanding">
              {money(data.outstanding)}
            </span>
          </p>
        </div>
      </section>
      {open ? <ShareLinkCard link={data.link} ns="splits" prefix="sp" /> : null}
      <section className="money-card" aria-labelledby="sp-shares-title">
        <h3 id="sp-shares-title" className="money-card-title" data-testid="sp-progress">
          {t('splits.paidOf', { paid: paidNow, count: data.payableCount })}
        </h3>
        <ul className="sp-shares">
          {(data.shares ?? []).map((share) => (
            <li key={share.id} className="sp-share-row" data-testid="sp-share" data-state={share.state}>
              <span className="sp-avatar" aria-hidden="true">
                {share.state === 'own'
                  ? t('splits.me').slice(0, 1)
                  : (share.participant?.displayName.replace(/\*/g, '').slice(-1) ?? '') || '?'}
              </span>
              <span className="sp-share-who">
                <span className="sp-share-name">
                  {share.state === 'own'
                    ? t('splits.me')
                    : (share.participant?.displayName ?? t('splits.nobodyYet'))}
                </span>
                {share.paidAt || share.refundedAt ? (
                  <span className="sp-share-time">
                    {formatDateTime(share.refundedAt ?? share.paidAt ?? undefined, i18n.language)}
                  </span>
                ) : null}
              </span>
              <span className="sp-share-end">
                <span className="amount">{money(share.amount)}</span>
                <span className={`sp-state ${share.state}`}>{shareStateLabel(share)}</span>
                {share.state === 'paid' ? (
                  <button
                    type="button"
                    className="sp-refund"
                    aria-label={t('splits.refundTitle', {
                      name: share.participant?.displayName ?? '',
                      amount: money(share.amount),
                    })}
                    onClick={() => void askRefund(share)}
                  >
                    {t('splits.refund')}
                  </button>
                ) : null}
              </span>
            </li>
          ))}
        </ul>
        <DetailRows
          rows={[
            { label: t('splits.howSplit'), value: t(`splits.${data.split}`) },
            {
              label: t('splits.whoLabel'),
              value: data.mode === 'open' ? t('splits.modeOpen') : t('splits.modeNamed'),
            },
            { label: t('splits.createdAt'), value: formatDateTime(data.createdAt, i18n.language) },
            ...(data.lastRemindedAt
              ? [
                  {
                    label: t('splits.lastRemindedLabel'),
                    value: formatDateTime(data.lastRemindedAt, i18n.language),
                    testId: 'sp-last-reminded',
                  },
                ]
              : []),
          ]}
        />
      </section>
      <div className="money-buttons">
        {notice ? (
          <p className="notice" role="status" data-testid="sp-notice">
            {notice}
          </p>
        ) : null}
        <SplitError error={error} />
        {open && data.mode === 'named' && unpaidNamed ? (
          <>
            {remindWaits && !notice ? (
              <p className="notice" role="status" data-testid="sp-notice">
                {t('splits.remindWait', { time: formatDateTime(remindAt ?? undefined, i18n.language) })}
              </p>
            ) : null}
            <Button
              block
              color="primary"
              size="large"
              shape="rounded"
              loading={busy === 'remind'}
              disabled={remindWaits}
              onClick={() => void remind()}
            >
              {t('splits.remind')}
            </Button>
          </>
        ) : null}
        {open && data.mode === 'open' ? <p className="field-hint">{t('splits.remindOpenHint')}</p> : null}
        {open ? (
          <Button block size="large" shape="rounded" loading={busy === 'close'} onClick={() => void close()}>
            {t('splits.close')}
          </Button>
        ) : null}
        <Link to="/splits/new" className="text-button money-link-button">
          {t('splits.createAnother')}
        </Link>
      </div>
      <ConfirmSheet
        visible={refunding !== null}
        title={
          refunding
            ? t('splits.refundTitle', {
                name: refunding.participant?.displayName ?? '',
                amount: money(refunding.amount),
              })
            : ''
        }
        amount={refunding?.amount}
        accepted={['pin']}
        paymentToSign={null}
        onConfirm={refund}
        onFailed={(failure) => {
          setRefunding(null);
          setError(failure);
          void split.refetch();
        }}
        onClose={() => setRefunding(null)}
      />
    </Page>
  );
}
