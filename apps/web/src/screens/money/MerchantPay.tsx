import { useQuery } from '@tanstack/react-query';
import type { MoneyJson } from '@qianbao/money';
import { Button } from 'antd-mobile';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { ApiError } from '../../api/client.ts';
import { parseYuan, refusalError, scanMerchantCode } from '../../api/money.ts';
import type { Confirmation, Factor, MerchantOrder, ScannedMerchant } from '../../api/money.ts';
import { FormError } from '../../components/FormBits.tsx';
import { Page } from '../../components/Page.tsx';
import { LoadFailed, Loading } from '../../components/States.tsx';
import { ConfirmSheet } from '../../components/money/ConfirmSheet.tsx';
import { DoneButtons } from '../../components/money/DoneButtons.tsx';
import { formatDateTime, formatMoney } from '../../lib/format.ts';
import {
  AmountInput,
  DetailRows,
  MoneyError,
  ResultHead,
  resultOf,
  usePayment,
  useRefreshMoney,
} from './parts.tsx';

/**
 * Paying a merchant's code (扫码付款), reached from 扫一扫. The server reads the code first —
 * whose it is, and the amount if the code fixes it (an order's code) — so the holder sees the
 * merchant's name before typing anything; a static code asks for the amount. Then the quote,
 * the PIN (or nothing, for a password-free amount) and the receipt, as every payment.
 */
export function MerchantPay() {
  const { t } = useTranslation();
  const [search] = useSearchParams();
  const qr = search.get('qr') ?? '';
  const scanned = useQuery({
    queryKey: ['merchant-code', qr],
    queryFn: () => scanMerchantCode(qr),
    retry: false,
    enabled: qr !== '',
  });
  if (scanned.isPending) {
    return (
      <Page title={t('money.merchantPay.title')} backTo="/scan">
        <Loading />
      </Page>
    );
  }
  if (scanned.isError) {
    // The code says why it cannot be paid (paid, closed, expired, another scheme's …).
    const known = scanned.error instanceof ApiError && scanned.error.status < 500;
    return (
      <Page title={t('money.merchantPay.title')} backTo="/scan">
        {known ? (
          <div className="money-buttons">
            <MoneyError error={scanned.error} />
          </div>
        ) : (
          <LoadFailed error={scanned.error} onRetry={() => void scanned.refetch()} />
        )}
      </Page>
    );
  }
  return scanned.data.kind === 'merchant_static' ? (
    <PayCode kind="merchant_static" qr={qr} scanned={scanned.data} />
  ) : (
    <PayCode kind="merchant_order" qr={qr} scanned={scanned.data} />
  );
}

function PayCode<K extends 'merchant_static' | 'merchant_order'>(props: {
  kind: K;
  qr: string;
  scanned: ScannedMerchant;
}) {
  const { t, i18n } = useTranslation();
  const refresh = useRefreshMoney();
  const { scanned } = props;
  const payment = usePayment(props.kind);
  const [amountText, setAmountText] = useState('');
  const [fieldProblem, setFieldProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const [sheet, setSheet] = useState<Factor[] | null>(null);
  const [result, setResult] = useState<MerchantOrder | null>(null);
  const fixed = scanned.amount;
  const amount: MoneyJson | null = fixed ?? parseYuan(amountText);
  const money = (value: MoneyJson | null | undefined) => formatMoney(value, i18n.language);

  const send = async (confirmation: Confirmation) => {
    const done = await payment.confirm(confirmation);
    setSheet(null);
    setResult(resultOf(done));
    refresh();
  };

  const onPay = async () => {
    setError(null);
    if (!amount) {
      setFieldProblem(t('money.amountInvalid'));
      return;
    }
    setFieldProblem(null);
    setLoading(true);
    try {
      const fields = (
        props.kind === 'merchant_static' ? { qr: props.qr, amount } : { qr: props.qr }
      ) as Parameters<typeof payment.create>[0];
      const quoted = await payment.create(fields);
      const refused = refusalError(quoted.refusal);
      if (refused) {
        setError(refused);
        return;
      }
      const { factor, accepted } = quoted.confirmation;
      if (factor !== 'none') {
        setSheet(accepted.filter((item) => item !== 'none'));
        return;
      }
      await send({});
    } catch (failure) {
      if (failure instanceof ApiError && failure.code === 'FACTOR_NOT_ACCEPTED') setSheet(['pin']);
      else setError(failure);
    } finally {
      setLoading(false);
    }
  };

  if (result) {
    return (
      <Page title={t('money.merchantPay.title')} backTo="/">
        <ResultHead
          tone="ok"
          title={t('money.merchantPay.paidTitle')}
          amount={money(result.amount)}
          sub={t('money.merchantPay.to', { name: result.merchantName })}
        />
        <div className="money-card">
          <DetailRows
            rows={[
              {
                label: t('money.merchantPay.merchant'),
                value: result.merchantName,
                testId: 'receipt-merchant',
              },
              {
                label: t('money.merchantPay.orderNumber'),
                value: <code className="mono">{result.merchantOrderId}</code>,
              },
              {
                label: t('money.time'),
                value: result.paidAt ? formatDateTime(result.paidAt, i18n.language) : '—',
              },
              ...(result.transferId
                ? [
                    {
                      label: t('money.historyPage.transactionId'),
                      value: <code className="mono">{result.transferId}</code>,
                    },
                  ]
                : []),
            ]}
          />
        </div>
        <DoneButtons />
      </Page>
    );
  }

  return (
    <Page title={t('money.merchantPay.title')} backTo="/scan">
      <form
        className="money-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void onPay();
        }}
      >
        <section className="money-card preview-card" aria-labelledby="merchant-name">
          <p className="preview-to">{t('money.merchantPay.payTo')}</p>
          <p id="merchant-name" className="preview-payee" data-testid="merchant-name">
            {scanned.merchant.name}
          </p>
          <p className="field-hint">{scanned.merchant.city}</p>
          {fixed ? (
            <p className="preview-amount amount" data-testid="merchant-amount">
              {money(fixed)}
            </p>
          ) : (
            <label className="money-amount-field">
              <span className="money-field-label">{t('money.amount')}</span>
              <AmountInput label={t('money.amount')} value={amountText} onChange={setAmountText} />
              <span className="field-hint">{t('money.merchantPay.staticHint')}</span>
            </label>
          )}
          {scanned.order?.description ? (
            <DetailRows rows={[{ label: t('money.merchantPay.item'), value: scanned.order.description }]} />
          ) : null}
        </section>
        <div className="money-buttons">
          <FormError message={fieldProblem} />
          <MoneyError error={error} />
          <Button block type="submit" color="primary" size="large" shape="rounded" loading={loading}>
            {t('money.merchantPay.submit')}
          </Button>
        </div>
      </form>
      <ConfirmSheet
        visible={sheet !== null}
        title={t('money.merchantPay.to', { name: scanned.merchant.name })}
        amount={amount ?? { amount: '0', currency: 'CNY' }}
        accepted={sheet ?? ['pin']}
        paymentToSign={payment.paymentToSign}
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
