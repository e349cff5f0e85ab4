import { FormError } from '../../components/FormBits.tsx';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Dialog, Selector, Toast } from 'antd-mobile';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { isApiError } from '../../api/client.ts';
import {
  cancelPaymentRequest,
  createPayment,
  createPaymentRequest,
  fetchMyPaymentRequests,
  fetchPaymentRequest,
  parseYuan,
  refusalError,
} from '../../api/money.ts';
import type { Confirmation, Factor, PaymentRequest, Transfer } from '../../api/money.ts';
import { ConfirmSheet } from '../../components/money/ConfirmSheet.tsx';
import { moneyErrorMessage } from '../../components/money/errors.ts';
import { Page } from '../../components/Page.tsx';
import { LoadFailed, Loading } from '../../components/States.tsx';
import { formatDateTime, formatMoney } from '../../lib/format.ts';
import {
  AmountInput,
  NoteField,
  DetailRows,
  MoneyError,
  ResultHead,
  resultOf,
  usePayment,
  useRefreshMoney,
} from './parts.tsx';

const EXPIRY = [
  { minutes: 60, key: 'expiry1h' },
  { minutes: 1440, key: 'expiry24h' },
  { minutes: 10080, key: 'expiry7d' },
] as const;

const requestsKey = ['payment-requests'] as const;

/** 收款: a request for an amount, shown as a QR code and a link; below, the holder's requests. */
export function RequestMoney() {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const [amountText, setAmountText] = useState('');
  const [note, setNote] = useState('');
  const [expiry, setExpiry] = useState(1440);
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<PaymentRequest | null>(null);
  const mine = useQuery({ queryKey: requestsKey, queryFn: fetchMyPaymentRequests });

  const create = async () => {
    const amount = parseYuan(amountText);
    if (!amount) {
      setProblem(t('money.amountInvalid'));
      return;
    }
    setProblem(null);
    setError(null);
    setBusy(true);
    try {
      setCreated(
        await createPaymentRequest({
          amount,
          ...(note.trim() ? { note: note.trim() } : {}),
          expiresInMinutes: expiry,
        }),
      );
      void queryClient.invalidateQueries({ queryKey: requestsKey });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  if (created) {
    return (
      <Page title={t('money.requestPage.title')} backTo="/">
        <section className="receive-card" aria-labelledby="request-created">
          <h2 id="request-created" className="section-title">
            {t('money.requestPage.createdTitle')}
          </h2>
          <p className="receive-amount amount">{formatMoney(created.amount, i18n.language)}</p>
          {created.note ? <p className="receive-hint">{created.note}</p> : null}
          {created.qrDataUrl ? (
            <img
              className="receive-qr"
              src={created.qrDataUrl}
              alt={t('money.requestPage.qrAlt')}
              width={240}
              height={240}
            />
          ) : null}
          <p className="receive-hint">
            {t('money.requestPage.expiresAt', { time: formatDateTime(created.expiresAt, i18n.language) })}
          </p>
          <div className="request-link">
            <span className="money-field-label">{t('money.requestPage.link')}</span>
            <a href={created.link} data-testid="request-link" className="request-link-url">
              {created.link}
            </a>
          </div>
          <Button
            size="middle"
            shape="rounded"
            color="primary"
            fill="outline"
            onClick={() =>
              void navigator.clipboard
                .writeText(created.link)
                .then(() => Toast.show({ icon: 'success', content: t('money.copied') }))
                .catch(() => undefined)
            }
          >
            {t('money.requestPage.copyLink')}
          </Button>
        </section>
        <div className="money-buttons">
          <Link
            to={`/pay/requests/${created.id}`}
            className="adm-button adm-button-default adm-button-block adm-button-large adm-button-shape-rounded money-link-primary"
          >
            {t('money.requestPage.viewStatus')}
          </Link>
        </div>
      </Page>
    );
  }

  return (
    <Page title={t('money.requestPage.title')} backTo="/">
      <p className="page-intro">{t('money.requestPage.intro')}</p>
      <form
        className="money-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void create();
        }}
      >
        <div className="money-card">
          <label className="money-amount-field">
            <span className="money-field-label">{t('money.amount')}</span>
            <AmountInput label={t('money.amount')} value={amountText} onChange={setAmountText} />
          </label>
          <NoteField value={note} onChange={setNote} />
          <div className="money-field expiry-field" role="group" aria-labelledby="expiry-label">
            <span id="expiry-label" className="money-field-label">
              {t('money.requestPage.expiry')}
            </span>
            <Selector
              className="expiry-selector"
              columns={3}
              value={[expiry]}
              onChange={(value) => value[0] && setExpiry(value[0])}
              options={EXPIRY.map((option) => ({
                label: t(`money.requestPage.${option.key}`),
                value: option.minutes,
              }))}
            />
          </div>
        </div>
        <div className="money-buttons">
          <FormError message={problem} />
          <MoneyError error={error} />
          <Button block type="submit" size="large" shape="rounded" color="primary" loading={busy}>
            {t('money.requestPage.create')}
          </Button>
        </div>
      </form>
      <section className="money-section" aria-labelledby="my-requests">
        <h2 id="my-requests" className="money-section-title">
          {t('money.requestPage.mine')}
        </h2>
        {mine.data && mine.data.length > 0 ? (
          <ul className="request-list">
            {mine.data.map((request) => (
              <li key={request.id}>
                <Link to={`/pay/requests/${request.id}`} className="request-row">
                  <span className="request-row-main">
                    <span className="amount">{formatMoney(request.amount, i18n.language)}</span>
                    <span className="request-row-note">
                      {request.note ?? formatDateTime(request.createdAt, i18n.language)}
                    </span>
                  </span>
                  <span className={`status-tag ${request.status}`}>
                    {t(`money.payRequest.status.${request.status}`)}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        ) : mine.isPending ? (
          <Loading />
        ) : (
          <p className="empty small">{t('money.requestPage.none')}</p>
        )}
      </section>
    </Page>
  );
}

/**
 * `/pay/requests/:id`: a payment request as anyone signed in sees it — amount, the requester's
 * masked name, status — with 立即付款 (PIN) for others and 取消收款 for the requester.
 */
export function PayRequest() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const refresh = useRefreshMoney();
  const { id = '' } = useParams();
  const request = useQuery({
    queryKey: [...requestsKey, id],
    queryFn: () => fetchPaymentRequest(id),
    refetchInterval: (query) => (query.state.data?.status === 'paying' ? 1500 : false),
  });
  const [sheet, setSheet] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [paid, setPaid] = useState<Transfer | null>(null);
  const [starting, setStarting] = useState(false);
  const [accepted, setAccepted] = useState<Factor[]>(['pin']);
  // The payment that pays it: quoted afresh on 立即付款, then confirmed.
  const paying = usePayment('payment_request');
  // For a payer: what would refuse paying it now (the balance, a limit, the requester's cap),
  // shown before 立即付款 is pressed; the sheet never opens for it.
  const payable =
    request.data !== undefined &&
    !request.data.mine &&
    (request.data.status === 'open' || request.data.status === 'paying');
  const preview = useQuery({
    queryKey: [...requestsKey, id, 'preview'],
    queryFn: () => createPayment('payment_request', { paymentRequestId: id }),
    enabled: payable && paid === null,
    retry: false,
  });
  const refusal = refusalError(preview.data?.refusal);

  const pay = async (confirmation: Confirmation) => {
    try {
      const transfer = resultOf(await paying.confirm(confirmation));
      setSheet(false);
      setPaid(transfer);
      refresh();
      void queryClient.invalidateQueries({ queryKey: requestsKey });
    } catch (failure) {
      if (isApiError(failure) && failure.code.startsWith('PAYMENT_REQUEST_')) {
        void request.refetch();
      }
      throw failure;
    }
  };

  /** Password-free when the amount allows it (`{}`), else the sheet with the factors accepted. */
  const start = async () => {
    if (!request.data) return;
    setError(null);
    setStarting(true);
    try {
      const fresh = await paying.create({ paymentRequestId: id });
      if (fresh.refusal) {
        setError(refusalError(fresh.refusal));
        void preview.refetch();
        return;
      }
      setAccepted(fresh.confirmation.accepted.filter((factor) => factor !== 'none'));
      if (fresh.confirmation.factor !== 'none') {
        setSheet(true);
        return;
      }
      try {
        await pay({});
      } catch (failure) {
        if (isApiError(failure, 'FACTOR_NOT_ACCEPTED') || isApiError(failure, 'LIMIT_EXCEEDED')) {
          setAccepted(['pin']);
          setSheet(true);
        } else {
          setError(failure);
        }
      }
    } catch (failure) {
      setError(failure);
    } finally {
      setStarting(false);
    }
  };

  const cancel = async () => {
    const confirmed = await Dialog.confirm({
      content: t('money.payRequest.cancelConfirm'),
      confirmText: t('money.payRequest.cancel'),
      cancelText: t('common.cancel'),
    });
    if (!confirmed) return;
    try {
      await cancelPaymentRequest(id);
      Toast.show({ icon: 'success', content: t('money.payRequest.cancelled') });
    } catch (failure) {
      Toast.show({ content: moneyErrorMessage(failure) });
    }
    void queryClient.invalidateQueries({ queryKey: requestsKey });
  };

  const title = t('money.payRequest.title');
  if (request.isPending) {
    return (
      <Page title={title} backTo="/">
        <Loading />
      </Page>
    );
  }
  if (request.isError) {
    return (
      <Page title={title} backTo="/">
        <LoadFailed error={request.error} onRetry={() => void request.refetch()} />
      </Page>
    );
  }
  const view = request.data;
  const money = formatMoney(view.amount, i18n.language);

  if (paid) {
    return (
      <Page title={title} backTo="/">
        <ResultHead
          tone="ok"
          title={t('money.payRequest.paid')}
          amount={formatMoney(paid.amount, i18n.language)}
          sub={t('money.transferPage.to', { name: paid.payee.displayName })}
        />
        <div className="money-card">
          <DetailRows
            rows={[
              { label: t('money.payRequest.requester'), value: paid.payee.displayName },
              ...(paid.note ? [{ label: t('money.note'), value: paid.note }] : []),
              { label: t('money.time'), value: formatDateTime(paid.createdAt, i18n.language) },
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
            {t('money.done')}
          </Button>
        </div>
      </Page>
    );
  }

  return (
    <Page title={title} backTo="/">
      <section className="money-card preview-card" aria-labelledby="request-requester">
        <p className="preview-to">{t('money.payRequest.requester')}</p>
        <p id="request-requester" className="preview-payee" data-testid="requester-name">
          {view.requester.displayName}
        </p>
        <p className="preview-amount amount" data-testid="request-amount">
          {money}
        </p>
        <DetailRows
          rows={[
            {
              label: t('money.status'),
              value: (
                <span className={`status-tag ${view.status}`}>
                  {t(`money.payRequest.status.${view.status}`)}
                </span>
              ),
              testId: 'request-status',
            },
            ...(view.note ? [{ label: t('money.note'), value: view.note }] : []),
            { label: t('money.fee'), value: t('money.free') },
            { label: t('money.payRequest.expiresAt'), value: formatDateTime(view.expiresAt, i18n.language) },
          ]}
        />
      </section>
      <div className="money-buttons">
        <MoneyError error={error ?? refusal} />
        {view.mine ? (
          <>
            {view.status === 'open' ? (
              <p className="page-intro center">{t('money.payRequest.mineHint')}</p>
            ) : null}
            {view.status === 'open' ? (
              <Button block size="large" shape="rounded" onClick={() => void cancel()}>
                {t('money.payRequest.cancel')}
              </Button>
            ) : null}
          </>
        ) : view.status === 'open' || view.status === 'paying' ? (
          <Button
            block
            size="large"
            shape="rounded"
            color="primary"
            loading={starting}
            disabled={refusal !== null}
            onClick={() => void start()}
          >
            {t('money.payRequest.pay')}
          </Button>
        ) : null}
      </div>
      <ConfirmSheet
        visible={sheet}
        title={t('money.transferPage.to', { name: view.requester.displayName })}
        amount={view.amount}
        accepted={accepted}
        paymentToSign={paying.payment ? paying.paymentToSign : null}
        onConfirm={pay}
        onFailed={(failure) => {
          setSheet(false);
          setError(failure);
        }}
        onClose={() => setSheet(false)}
      />
    </Page>
  );
}
