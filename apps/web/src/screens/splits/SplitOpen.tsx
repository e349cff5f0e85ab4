import { useQuery } from '@tanstack/react-query';
import { Button } from 'antd-mobile';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { isApiError } from '../../api/client.ts';
import { refusalError } from '../../api/money.ts';
import type { Confirmation, Factor, PaymentToConfirm } from '../../api/money.ts';
import { fetchSplit, paySplit, previewSplitPayment, splitsKey } from '../../api/splits.ts';
import type { Split } from '../../api/splits.ts';
import { markSignedOut, queryClient } from '../../auth/session.ts';
import { Page } from '../../components/Page.tsx';
import { LinkedPage, SignInFirst } from '../../components/share/LinkedPage.tsx';
import { ConfirmSheet } from '../../components/money/ConfirmSheet.tsx';
import { useConfirmAttempt } from '../../components/money/useConfirmAttempt.ts';
import { formatDateTime, formatMoney } from '../../lib/format.ts';
import { DetailRows, ResultHead, useRefreshMoney } from '../money/parts.tsx';
import { SplitError, statusLabel } from './parts.tsx';

/**
 * A split opened by its link (its token), from 扫一扫, or from 我参与的: what it is for, who asks
 * (masked), my share and where the split stands. 支付 after the preview has said what would
 * refuse it (the balance, a limit, the organiser's cap: shown before any PIN), confirmed with
 * the PIN or a passkey in the confirmation sheet (password-free when the allowance covers it),
 * through the risk step-up when asked. Someone not signed in is asked to sign in or register,
 * and comes back here (`?next=`). The organiser is sent to the split's own page.
 */
export function SplitOpen() {
  const { t } = useTranslation();
  const { ref = '' } = useParams();
  return (
    <LinkedPage
      title={t('splits.payTitle')}
      backTo="/splits?role=participant"
      backLabel={t('splits.viewMine')}
      queryKey={[...splitsKey, 'open', ref]}
      fetch={() => fetchSplit(ref)}
      signIn={
        <SignInFirst
          title={t('splits.payTitle')}
          path={`/splits/${ref}`}
          signInLabel={t('splits.signIn')}
          registerLabel={t('splits.register')}
        >
          <section className="sp-head" aria-labelledby="sp-sign-in-title">
            <h2 id="sp-sign-in-title" className="sp-head-title">
              {t('splits.signInTitle')}
            </h2>
            <p className="sp-head-sub">{t('splits.signInBody')}</p>
          </section>
        </SignInFirst>
      }
      refusal={(error) => <SplitError error={error} />}
      mineTo={(split) => `/splits/mine/${split.id}`}
    >
      {(split) => <PayShare split={split} refKey={ref} />}
    </LinkedPage>
  );
}

function PayShare(props: { split: Split; refKey: string }) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const refresh = useRefreshMoney();
  const [split, setSplit] = useState(props.split);
  const [paid, setPaid] = useState<Split | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [starting, setStarting] = useState(false);
  const [sheet, setSheet] = useState<Factor[] | null>(null);
  const [payment, setPayment] = useState<PaymentToConfirm | null>(null);
  const attempt = useConfirmAttempt();
  const money = (value: Split['total'] | null | undefined) => formatMoney(value, i18n.language);

  const state = split.myShare?.state;
  const settled = state === 'paid' || state === 'refunding' || state === 'refunded';
  const payable = split.status === 'open' && !settled;
  // What would refuse paying now (the balance, a limit, the organiser's cap), before 支付.
  const preview = useQuery({
    queryKey: [...splitsKey, 'preview', props.refKey],
    queryFn: () => previewSplitPayment(props.refKey),
    enabled: payable && paid === null,
    retry: false,
  });
  const refusal = refusalError(preview.data?.refusal) ?? (payable ? (preview.error ?? null) : null);
  const amount = preview.data?.amount ?? split.myShare?.amount ?? split.nextShare;

  const signInAgain = () => {
    markSignedOut();
    void navigate(`/sign-in?next=${encodeURIComponent(`/splits/${props.refKey}`)}`, { replace: true });
  };

  const pay = async (confirmation: Confirmation) => {
    try {
      await attempt.run(async (idempotencyKey) => {
        const done = await paySplit(props.refKey, idempotencyKey, confirmation);
        setSheet(null);
        setPaid(done);
        setSplit(done);
        queryClient.setQueryData([...splitsKey, 'open', props.refKey], done);
        void queryClient.invalidateQueries({ queryKey: [...splitsKey, 'list'] });
        refresh();
      });
    } catch (failure) {
      if (isApiError(failure) && failure.code.startsWith('SPLIT_')) {
        void fetchSplit(props.refKey).then(setSplit, () => undefined);
      }
      throw failure;
    }
  };

  /** A fresh preview; password-free when the allowance covers it, else the sheet. */
  const start = async () => {
    setError(null);
    setStarting(true);
    try {
      const fresh = await previewSplitPayment(props.refKey);
      queryClient.setQueryData([...splitsKey, 'preview', props.refKey], fresh);
      setSplit(fresh.split);
      if (fresh.refusal) {
        setError(refusalError(fresh.refusal));
        return;
      }
      setPayment(fresh.payment);
      if (fresh.confirmation.factor !== 'none') {
        setSheet(fresh.confirmation.accepted.filter((factor) => factor !== 'none'));
        return;
      }
      try {
        await pay({});
      } catch (failure) {
        if (isApiError(failure, 'FACTOR_NOT_ACCEPTED') || isApiError(failure, 'LIMIT_EXCEEDED')) {
          setSheet(['pin']);
        } else if (isApiError(failure) && failure.status === 401) {
          signInAgain();
        } else {
          setError(failure);
        }
      }
    } catch (failure) {
      if (isApiError(failure) && failure.status === 401) signInAgain();
      else setError(failure);
    } finally {
      setStarting(false);
    }
  };

  const title = t('splits.payTitle');
  if (paid) {
    return (
      <Page title={title} backTo="/splits?role=participant">
        <ResultHead
          tone="ok"
          title={t('splits.paidTitle')}
          amount={money(paid.myShare?.amount)}
          sub={t('splits.paidSub', { name: paid.organiser.displayName })}
        />
        <div className="money-card">
          <DetailRows
            rows={[
              { label: t('splits.titleLabel'), value: paid.title },
              { label: t('splits.organiser'), value: paid.organiser.displayName },
              {
                label: t('money.time'),
                value: formatDateTime(paid.myShare?.paidAt ?? undefined, i18n.language),
              },
            ]}
          />
        </div>
        <div className="money-buttons">
          <Button
            block
            color="primary"
            size="large"
            shape="rounded"
            onClick={() => void navigate('/', { replace: true })}
          >
            {t('splits.done')}
          </Button>
          <Link to="/splits?role=participant" className="text-button money-link-button">
            {t('splits.viewMine')}
          </Link>
        </div>
      </Page>
    );
  }

  const note =
    state === 'refunded'
      ? t('splits.youWereRefunded', { amount: money(split.myShare?.amount) })
      : settled
        ? t('splits.youPaid', { amount: money(split.myShare?.amount) })
        : split.status === 'closed'
          ? t('splits.closedNote')
          : split.status === 'completed'
            ? t('splits.fullNote')
            : null;

  return (
    <Page title={title} backTo="/splits?role=participant">
      <section className="money-card preview-card" aria-labelledby="sp-from">
        <p className="preview-to">{t('splits.organiser')}</p>
        <p id="sp-from" className="preview-payee" data-testid="sp-organiser">
          {split.organiser.displayName}
        </p>
        <p className="preview-amount amount" data-testid="sp-my-share">
          {money(amount)}
        </p>
        <DetailRows
          rows={[
            { label: t('splits.titleLabel'), value: split.title, testId: 'sp-title' },
            {
              label: split.myShare ? t('splits.myShare') : t('splits.nextShare'),
              value: money(amount),
            },
            { label: t('splits.total'), value: money(split.total) },
            {
              label: t('money.status'),
              value: `${statusLabel(split)} · ${t('splits.paidOf', { paid: split.paidCount, count: split.payableCount })}`,
              testId: 'sp-status',
            },
            { label: t('money.fee'), value: t('money.free') },
          ]}
        />
      </section>
      {note ? (
        <p className="sp-note" role="status" data-testid="sp-note">
          {note}
        </p>
      ) : null}
      <div className="money-buttons">
        <SplitError error={error ?? refusal} />
        {payable ? (
          <Button
            block
            color="primary"
            size="large"
            shape="rounded"
            loading={starting}
            disabled={refusal !== null || preview.isPending}
            onClick={() => void start()}
          >
            {amount ? t('splits.payMine', { amount: money(amount) }) : t('splits.pay')}
          </Button>
        ) : null}
        <Link to="/splits?role=participant" className="text-button money-link-button">
          {t('splits.viewMine')}
        </Link>
      </div>
      <ConfirmSheet
        visible={sheet !== null}
        title={t('splits.sheetTitle', { name: split.organiser.displayName })}
        amount={amount ?? undefined}
        accepted={sheet ?? ['pin']}
        paymentToSign={payment ? () => Promise.resolve(payment) : null}
        onConfirm={pay}
        onFailed={(failure) => {
          setSheet(null);
          if (isApiError(failure) && failure.status === 401) signInAgain();
          else setError(failure);
        }}
        onClose={() => setSheet(null)}
      />
    </Page>
  );
}
