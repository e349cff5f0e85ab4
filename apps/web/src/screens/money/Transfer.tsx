import { DoneButtons } from '../../components/money/DoneButtons.tsx';
import { FormError } from '../../components/FormBits.tsx';
import { Button, Input } from 'antd-mobile';
import type { MoneyJson } from '@qianbao/money';
import { formatDecimal } from '@qianbao/money';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { ApiError } from '../../api/client.ts';
import { amountInCode, parseYuan, refusalError } from '../../api/money.ts';
import type { Confirmation, Factor, Payee, Transfer as TransferResult } from '../../api/money.ts';
import { ConfirmSheet } from '../../components/money/ConfirmSheet.tsx';
import { Page } from '../../components/Page.tsx';
import { formatDateTime, formatMoney, isMainlandMobile, normalisePhone } from '../../lib/format.ts';
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

type Step = 'form' | 'preview' | 'done';

/**
 * 转账: to a mobile number, or to a scanned receive code (`?toQr=`). The preview shows the
 * payee's masked real name and the limits left before anything is confirmed; then the PIN (or
 * nothing, for a password-free amount); then the receipt.
 */
export function Transfer() {
  const { t, i18n } = useTranslation();
  const refresh = useRefreshMoney();
  const [search] = useSearchParams();
  const toQr = search.get('toQr');
  const fixedFen = toQr ? amountInCode(toQr) : null;
  const [phone, setPhone] = useState('');
  const [amountText, setAmountText] = useState(fixedFen ? formatDecimal(BigInt(fixedFen), 'CNY') : '');
  const [note, setNote] = useState('');
  const [step, setStep] = useState<Step>('form');
  const [error, setError] = useState<unknown>(null);
  const [fieldProblem, setFieldProblem] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [sheet, setSheet] = useState<Factor[] | null>(null);
  const [result, setResult] = useState<TransferResult | null>(null);
  // The payment, as quoted by the preview: its payee, limits and any refusal.
  const transfer = usePayment('transfer');
  const preview = transfer.payment;

  const payee: Payee = toQr ? { toQr } : { toPhone: normalisePhone(phone) };
  const amount: MoneyJson | null = parseYuan(amountText);

  const onPreview = async () => {
    setError(null);
    if (!toQr && !isMainlandMobile(phone)) {
      setFieldProblem(t('money.transferPage.phoneInvalid'));
      return;
    }
    if (!amount) {
      setFieldProblem(t('money.amountInvalid'));
      return;
    }
    setFieldProblem(null);
    setLoading(true);
    try {
      await transfer.create({ ...payee, amount, ...(note.trim() ? { note: note.trim() } : {}) });
      setStep('preview');
    } catch (failure) {
      setError(failure);
    } finally {
      setLoading(false);
    }
  };

  const send = async (confirmation: Confirmation) => {
    const sent = await transfer.confirm(confirmation);
    setSheet(null);
    setResult(resultOf(sent));
    setStep('done');
    refresh();
  };

  const onConfirm = async () => {
    if (!preview) return;
    setError(null);
    const { factor, accepted } = preview.confirmation;
    if (factor !== 'none') {
      setSheet(accepted.filter((item) => item !== 'none'));
      return;
    }
    // Within the password-free limit: no PIN, unless the day's password-free allowance is spent.
    setLoading(true);
    try {
      await send({});
    } catch (failure) {
      if (
        failure instanceof ApiError &&
        (failure.code === 'FACTOR_NOT_ACCEPTED' ||
          (failure.code === 'LIMIT_EXCEEDED' && failure.details.limit === 'passwordFreeDaily'))
      ) {
        setSheet(['pin']);
      } else {
        setError(failure);
      }
    } finally {
      setLoading(false);
    }
  };

  const money = (value: MoneyJson | null | undefined) => formatMoney(value, i18n.language);

  if (step === 'done' && result) {
    return (
      <Page title={t('money.transferPage.title')} backTo="/">
        {result.status === 'under_review' ? (
          // Held by the risk engine: the money is on hold, not sent; the holder is told either way.
          <ResultHead
            tone="wait"
            title={t('money.transferPage.reviewTitle')}
            amount={money(result.amount)}
            sub={t('money.transferPage.reviewSub', { name: result.payee.displayName })}
          />
        ) : (
          <ResultHead
            tone="ok"
            title={t('money.transferPage.successTitle')}
            amount={money(result.amount)}
            sub={t('money.transferPage.to', { name: result.payee.displayName })}
          />
        )}
        <div className="money-card">
          <DetailRows
            rows={[
              {
                label: t('money.transferPage.payee'),
                value: result.payee.displayName,
                testId: 'receipt-payee',
              },
              { label: t('money.fee'), value: t('money.free') },
              ...(result.note ? [{ label: t('money.note'), value: result.note }] : []),
              { label: t('money.time'), value: formatDateTime(result.createdAt, i18n.language) },
              {
                label: t('money.historyPage.transactionId'),
                value: <code className="mono">{result.id}</code>,
              },
            ]}
          />
        </div>
        <DoneButtons />
      </Page>
    );
  }

  if (step === 'preview' && preview && amount) {
    const { limits, payee: previewPayee } = preview.details;
    // What would refuse it now (a limit, the balance, the payee's cap): no PIN is asked for then.
    const refusal = refusalError(preview.refusal);
    return (
      <Page title={t('money.transferPage.previewTitle')} backTo="/transfer">
        <section className="money-card preview-card" aria-labelledby="preview-payee">
          <p className="preview-to">{t('money.transferPage.payee')}</p>
          <p id="preview-payee" className="preview-payee" data-testid="payee-name">
            {previewPayee.displayName}
          </p>
          {previewPayee.realNameVerified ? null : (
            <p className="field-hint warn">{t('money.transferPage.payeeUnverified')}</p>
          )}
          <p className="preview-amount amount" data-testid="preview-amount">
            {money(preview.amount)}
          </p>
          <DetailRows
            rows={[
              { label: t('money.fee'), value: t('money.free'), testId: 'preview-fee' },
              ...(note.trim() ? [{ label: t('money.note'), value: note.trim() }] : []),
              {
                label: t('money.limits.single'),
                value: limits.single.max ? money(limits.single.max) : t('money.limits.noLimit'),
              },
              {
                label: t('money.limits.daily'),
                value: limits.daily.remaining
                  ? t('money.limits.dailyLeft', { amount: money(limits.daily.remaining) })
                  : limits.daily.max
                    ? money(limits.daily.max)
                    : t('money.limits.noLimit'),
                testId: 'preview-daily-left',
              },
            ]}
          />
          {limits.daily.max ? <p className="field-hint">{t('money.limits.dailyShared')}</p> : null}
        </section>
        <p className="page-intro">{t('money.transferPage.checkName')}</p>
        <div className="money-buttons">
          <MoneyError error={error ?? refusal} />
          <Button
            block
            color="primary"
            size="large"
            shape="rounded"
            disabled={refusal !== null}
            loading={loading}
            onClick={() => void onConfirm()}
          >
            {t('money.transferPage.submit')}
          </Button>
          <button type="button" className="text-button" onClick={() => setStep('form')}>
            {t('money.transferPage.edit')}
          </button>
        </div>
        <ConfirmSheet
          visible={sheet !== null}
          title={t('money.transferPage.to', { name: previewPayee.displayName })}
          amount={amount}
          accepted={sheet ?? ['pin']}
          paymentToSign={transfer.paymentToSign}
          onConfirm={send}
          onFailed={(failure) => {
            setSheet(null);
            setError(failure);
          }}
          onClose={() => setSheet(null)}
        />
      </Page>
    );
  }

  return (
    <Page title={t('money.transferPage.title')} backTo="/">
      <form
        className="money-form"
        onSubmit={(event) => {
          event.preventDefault();
          void onPreview();
        }}
        noValidate
      >
        <div className="money-card">
          {toQr ? (
            <div className="money-field">
              <span className="money-field-label">{t('money.transferPage.toQr')}</span>
              <span className="money-field-value">{t('money.transferPage.toQrValue')}</span>
            </div>
          ) : (
            <label className="money-field">
              <span className="money-field-label">{t('money.transferPage.toPhone')}</span>
              <Input
                className="money-field-input"
                type="tel"
                inputMode="tel"
                autoComplete="off"
                placeholder={t('money.transferPage.toPhonePlaceholder')}
                value={phone}
                onChange={setPhone}
                maxLength={16}
              />
            </label>
          )}
          <label className="money-amount-field">
            <span className="money-field-label">{t('money.amount')}</span>
            <AmountInput
              label={t('money.amount')}
              value={amountText}
              onChange={setAmountText}
              disabled={fixedFen !== null}
            />
            {fixedFen ? <span className="field-hint">{t('money.transferPage.fixedAmount')}</span> : null}
          </label>
          <NoteField value={note} onChange={setNote} />
        </div>
        <div className="money-buttons">
          <FormError message={fieldProblem} />
          <MoneyError error={error} />
          <Button block type="submit" color="primary" size="large" shape="rounded" loading={loading}>
            {t('money.next')}
          </Button>
        </div>
      </form>
    </Page>
  );
}
