import { DoneButtons } from '../../components/money/DoneButtons.tsx';
import { FormError } from '../../components/FormBits.tsx';
import { useQuery } from '@tanstack/react-query';
import { Button, Steps } from 'antd-mobile';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { ApiError } from '../../api/client.ts';
import { fetchBalance } from '../../api/identity.ts';
import { bankNameOf, cny, createPayment, fetchFunding, parseYuan, refusalError } from '../../api/money.ts';
import type { Confirmation, Factor, Funding as FundingView, FundingStatus } from '../../api/money.ts';
import { ConfirmSheet } from '../../components/money/ConfirmSheet.tsx';
import { moneyErrorMessage } from '../../components/money/errors.ts';
import { Page } from '../../components/Page.tsx';
import { LoadFailed, Loading } from '../../components/States.tsx';
import { formatDateTime, formatMoney } from '../../lib/format.ts';
import {
  AmountInput,
  CardPicker,
  DetailRows,
  MoneyError,
  ResultHead,
  resultOf,
  useCards,
  usePayment,
  useRefreshMoney,
} from './parts.tsx';

/**
 * 充值 (`top_up`) and 提现 (`withdrawal`): a bound card, an amount, the fee first, then the PIN or
 * a passkey. Each quote is a payment (`POST /v1/payments`); the one made on 确认 is confirmed.
 */
export function Funding(props: { kind: 'top_up' | 'withdrawal' }) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const refresh = useRefreshMoney();
  const cards = useCards();
  const withdrawal = props.kind === 'withdrawal';
  const wallet = useQuery({ queryKey: ['balance'], queryFn: fetchBalance, enabled: withdrawal });
  const [chosen, setChosen] = useState<string | null>(null);
  const [amountText, setAmountText] = useState('');
  const [fieldProblem, setFieldProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [sheet, setSheet] = useState(false);
  const [accepted, setAccepted] = useState<Factor[]>(['pin']);
  const [preparing, setPreparing] = useState(false);
  const payment = usePayment(props.kind);
  const title = withdrawal ? t('money.funding.withdrawTitle') : t('money.funding.topUpTitle');

  const cardId = chosen ?? cards.data?.find((card) => card.isDefault)?.id ?? cards.data?.[0]?.id ?? null;
  const amount = parseYuan(amountText);
  const [debounced, setDebounced] = useState(amount?.amount ?? null);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(amount?.amount ?? null), 300);
    return () => clearTimeout(timer);
  }, [amount?.amount]);
  // Quoted while typing: the fee of a withdrawal, and for both what would refuse it (the single
  // or daily limit, the balance, the wallet's cap) before the button is pressed.
  const quote = useQuery({
    queryKey: ['funding-quote', props.kind, cardId, debounced],
    queryFn: () => createPayment(props.kind, { cardId: cardId ?? '', amount: cny(debounced ?? '') }),
    enabled: cardId !== null && debounced !== null && debounced === amount?.amount,
    staleTime: 10_000,
  });
  const withdrawalQuote = quote.data?.kind === 'withdrawal' ? { ...quote.data, ...quote.data.details } : null;
  const refusal = refusalError(quote.data?.refusal);
  const money = (value: Parameters<typeof formatMoney>[0]) => formatMoney(value, i18n.language);

  const onSubmit = async () => {
    setError(null);
    if (!amount || !cardId) {
      setFieldProblem(t('money.amountInvalid'));
      return;
    }
    setFieldProblem(null);
    setPreparing(true);
    try {
      // A fresh quote, the payment to confirm (its `payment` is what a passkey signs).
      const quoted = await payment.create({ cardId, amount });
      if (quoted.refusal) {
        // Refused already (the balance moved since the last quote, say): no PIN for it.
        setError(refusalError(quoted.refusal));
        return;
      }
      setAccepted(quoted.confirmation.accepted.filter((factor) => factor !== 'none'));
      setSheet(true);
    } catch (failure) {
      setError(failure);
    } finally {
      setPreparing(false);
    }
  };

  const confirm = async (confirmation: Confirmation) => {
    // `succeeded`, or `processing` while the bank works: its page follows the operation.
    const result = resultOf(await payment.confirm(confirmation));
    refresh();
    setSheet(false);
    void navigate(`/funding/${result.id}`, { replace: true, state: result });
  };

  if (cards.isPending) {
    return (
      <Page title={title} backTo="/">
        <Loading />
      </Page>
    );
  }
  if (cards.isError) {
    return (
      <Page title={title} backTo="/">
        <LoadFailed error={cards.error} onRetry={() => void cards.refetch()} />
      </Page>
    );
  }
  if (cards.data.length === 0) {
    return (
      <Page title={title} backTo="/">
        <div className="money-empty">
          <p>{t('money.noCard')}</p>
          <p className="section-hint">{t('money.cardsPage.empty')}</p>
          <Link
            to="/cards/bind"
            className="adm-button adm-button-primary adm-button-large adm-button-shape-rounded money-link-primary"
          >
            {t('money.bindFirst')}
          </Link>
        </div>
      </Page>
    );
  }

  const card = cards.data.find((item) => item.id === cardId);
  const amountReady = amount !== null && quote.data !== undefined && refusal === null;

  return (
    <Page title={title} backTo="/">
      <form
        className="money-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void onSubmit();
        }}
      >
        <div className="money-card">
          <CardPicker
            cards={cards.data}
            value={cardId}
            onChange={setChosen}
            label={withdrawal ? t('money.funding.to') : t('money.funding.from')}
          />
          <Link to="/cards/bind" className="text-button add-card-link">
            + {t('money.cardsPage.add')}
          </Link>
        </div>
        <div className="money-card">
          <label className="money-amount-field">
            <span className="money-field-label">
              {withdrawal ? t('money.funding.withdrawAmount') : t('money.funding.topUpAmount')}
            </span>
            <AmountInput
              label={t('money.amount')}
              value={amountText}
              onChange={setAmountText}
              problem={
                refusal
                  ? moneyErrorMessage(refusal)
                  : quote.isError && !withdrawal
                    ? moneyErrorMessage(quote.error)
                    : null
              }
            />
          </label>
          {withdrawal ? (
            <p className="field-hint">
              {t('money.funding.available', {
                amount: money(wallet.data?.available ?? wallet.data?.balance),
              })}
            </p>
          ) : (
            <p className="field-hint">{t('money.funding.topUpHint')}</p>
          )}
        </div>
        {withdrawal && amount ? (
          <section className="money-card" aria-labelledby="quote-title" data-testid="withdrawal-quote">
            <h2 id="quote-title" className="money-card-title">
              {t('money.funding.quoteTitle')}
            </h2>
            {withdrawalQuote ? (
              <>
                <DetailRows
                  rows={[
                    { label: t('money.amount'), value: money(withdrawalQuote.amount) },
                    {
                      label: t('money.fee'),
                      value:
                        withdrawalQuote.fee.amount === '0' ? t('money.free') : money(withdrawalQuote.fee),
                      testId: 'quote-fee',
                    },
                    {
                      label: t('money.total'),
                      value: money(withdrawalQuote.total),
                      testId: 'quote-total',
                      strong: true,
                    },
                  ]}
                />
                <p className="field-hint" data-testid="quote-hints">
                  {t('money.funding.freeRemaining', { amount: money(withdrawalQuote.freeRemaining) })}
                  <br />
                  {t('money.funding.arrives', {
                    time: formatDateTime(withdrawalQuote.arrives, i18n.language),
                  })}
                </p>
              </>
            ) : quote.isError ? (
              <FormError message={moneyErrorMessage(quote.error)} />
            ) : (
              <p className="field-hint">{t('money.funding.quoting')}</p>
            )}
          </section>
        ) : null}
        <div className="money-buttons">
          <FormError message={fieldProblem} />
          <MoneyError error={error} />
          <Button
            block
            type="submit"
            color="primary"
            size="large"
            shape="rounded"
            disabled={!amountReady}
            loading={preparing}
          >
            {withdrawal ? t('money.funding.withdrawSubmit') : t('money.funding.topUpSubmit')}
          </Button>
        </div>
      </form>
      {amount ? (
        <ConfirmSheet
          visible={sheet}
          title={`${title} · ${card ? `${bankNameOf(card.bankName, i18n.language)} ${card.maskedNumber}` : ''}`}
          amount={withdrawalQuote ? withdrawalQuote.total : amount}
          accepted={accepted}
          paymentToSign={payment.payment ? payment.paymentToSign : null}
          onConfirm={confirm}
          onFailed={(failure) => {
            setSheet(false);
            setError(failure);
          }}
          onClose={() => setSheet(false)}
        />
      ) : null}
    </Page>
  );
}

const TITLE_PREFIX = { top_up: 'topUp', withdrawal: 'withdrawal', bank_transfer: 'bankTransfer' } as const;
const STATUS_SUFFIX: Record<FundingStatus, string> = {
  processing: 'Processing',
  succeeded: 'Succeeded',
  failed: 'Failed',
  refunded: 'Refunded',
};

/**
 * The result of a top-up, withdrawal or transfer to a bank account, asked again every moment
 * while the bank works: processing → succeeded, or failed and refunded.
 */
export function FundingResult() {
  const { t, i18n } = useTranslation();
  const refresh = useRefreshMoney();
  const { id = '' } = useParams();
  const location = useLocation();
  const initial = (location.state as FundingView | null) ?? undefined;
  const funding = useQuery({
    queryKey: ['funding', id],
    queryFn: () => fetchFunding(id),
    initialData: initial?.id === id ? initial : undefined,
    refetchInterval: (query) => (query.state.data?.status === 'processing' ? 1500 : false),
  });
  const status = funding.data?.status;
  useEffect(() => {
    if (status && status !== 'processing') refresh();
  }, [status]);

  const kindTitle =
    funding.data?.kind === 'withdrawal'
      ? t('money.funding.withdrawTitle')
      : funding.data?.kind === 'bank_transfer'
        ? t('money.bankTransfer.title')
        : t('money.funding.topUpTitle');
  if (!funding.data) {
    return (
      <Page title={t('money.funding.resultTitle')} backTo="/">
        {funding.isError ? (
          <LoadFailed error={funding.error} onRetry={() => void funding.refetch()} />
        ) : (
          <Loading />
        )}
      </Page>
    );
  }
  const view = funding.data;
  const prefix = TITLE_PREFIX[view.kind];
  const money = (value: Parameters<typeof formatMoney>[0]) => formatMoney(value, i18n.language);
  const failureText = view.failure
    ? moneyErrorMessage(
        new ApiError({ status: 422, code: view.failure.code, message: '', details: view.failure.details }),
      )
    : null;
  const sub =
    view.status === 'processing'
      ? t('money.funding.processingHint')
      : view.status === 'refunded'
        ? failureText
          ? t('money.bankTransfer.refundedWithReason', { reason: failureText, amount: money(view.total) })
          : t('money.bankTransfer.refundedHint', { amount: money(view.total) })
        : (failureText ?? undefined);
  const target = view.account
    ? [
        {
          label: t('money.bankTransfer.payee'),
          value: view.account.name,
          testId: 'funding-payee',
        },
        {
          label: t('money.bankTransfer.account'),
          value: `${bankNameOf(view.account.bankName, i18n.language)} ${view.account.maskedNumber}`,
        },
      ]
    : view.card
      ? [
          {
            label: t('money.card'),
            value: `${bankNameOf(view.card.bankName, i18n.language)} ${view.card.maskedNumber}`,
          },
        ]
      : [];
  return (
    <Page title={kindTitle} backTo="/">
      <ResultHead
        tone={view.status === 'succeeded' ? 'ok' : view.status === 'processing' ? 'wait' : 'fail'}
        title={t(`money.funding.${prefix}${STATUS_SUFFIX[view.status]}`)}
        amount={money(view.amount)}
        sub={sub}
      />
      <div className="money-card">
        <DetailRows
          rows={[
            ...target,
            {
              label: t('money.fee'),
              value: view.fee.amount === '0' ? t('money.free') : money(view.fee),
              testId: 'funding-fee',
            },
            { label: t('money.total'), value: money(view.total), strong: true },
            ...(view.note ? [{ label: t('money.note'), value: view.note }] : []),
            { label: t('money.time'), value: formatDateTime(view.createdAt, i18n.language) },
            ...(view.bankReference
              ? [
                  {
                    label: t('money.funding.reference'),
                    value: <code className="mono">{view.bankReference}</code>,
                  },
                ]
              : []),
          ]}
        />
      </div>
      <section className="money-card" aria-labelledby="funding-timeline" data-testid="funding-timeline">
        <h2 id="funding-timeline" className="money-card-title">
          {t('money.funding.timeline')}
        </h2>
        <Steps
          direction="vertical"
          current={view.status === 'processing' ? view.timeline.length - 1 : view.timeline.length}
          className="money-timeline"
        >
          {view.timeline.map((entry, index) => (
            <Steps.Step
              key={`${entry.state}-${entry.at}`}
              status={
                entry.status === 'failed'
                  ? 'error'
                  : view.status === 'processing' && index === view.timeline.length - 1
                    ? 'process'
                    : 'finish'
              }
              title={stepTitle(entry, view.kind)}
              description={formatDateTime(entry.at, i18n.language)}
            />
          ))}
        </Steps>
      </section>
      <DoneButtons />
    </Page>
  );

  function stepTitle(entry: FundingView['timeline'][number], kind: FundingView['kind']): string {
    // A bank transfer's money is refunded at its last step; a top-up's never left the card.
    const key =
      kind === 'bank_transfer' && i18n.exists(`money.bankTransfer.state.${entry.state}`)
        ? `money.bankTransfer.state.${entry.state}`
        : `money.funding.state.${entry.state}`;
    return i18n.exists(key) ? t(key) : entry.state;
  }
}
