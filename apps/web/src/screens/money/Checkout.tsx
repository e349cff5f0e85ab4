import { useQuery } from '@tanstack/react-query';
import { Button } from 'antd-mobile';
import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/client.ts';
import { fetchCheckout, payAsTestPayer, returnAddress } from '../../api/checkout.ts';
import type { Checkout as CheckoutView, TestPayer } from '../../api/checkout.ts';
import { refusalError } from '../../api/money.ts';
import type { Confirmation, Factor } from '../../api/money.ts';
import { hasSignedIn } from '../../auth/session.ts';
import { Page } from '../../components/Page.tsx';
import { LoadFailed, Loading } from '../../components/States.tsx';
import { ConfirmSheet } from '../../components/money/ConfirmSheet.tsx';
import { formatMoney } from '../../lib/format.ts';
import { DetailRows, MoneyError, ResultHead, usePayment } from './parts.tsx';

/** After paying, the customer goes back to the shop by itself after this long (or by the button). */
const RETURN_AFTER_MS = 3000;

/**
 * 收银台: Qianbao's hosted checkout page (docs/merchants.md). The shop sends its customer here
 * with a link; the page shows the shop, the amount and what for before anything else, asks the
 * customer to sign in (and comes back here after), then the PIN or a passkey as every payment,
 * and sends the customer back to the shop's return address with the outcome.
 */
export function Checkout() {
  const { t } = useTranslation();
  const { token = '' } = useParams();
  const checkout = useQuery({
    queryKey: ['checkout', token],
    queryFn: () => fetchCheckout(token),
    retry: false,
  });
  if (checkout.isPending) {
    return (
      <Page title={t('money.checkout.title')}>
        <Loading />
      </Page>
    );
  }
  if (checkout.isError) {
    return (
      <Page title={t('money.checkout.title')}>
        {checkout.error instanceof ApiError && checkout.error.status === 404 ? (
          <div className="money-buttons">
            <MoneyError error={checkout.error} />
          </div>
        ) : (
          <LoadFailed error={checkout.error} onRetry={() => void checkout.refetch()} />
        )}
      </Page>
    );
  }
  return <CheckoutPage checkout={checkout.data} token={token} onPaid={() => void checkout.refetch()} />;
}

function CheckoutPage(props: { checkout: CheckoutView; token: string; onPaid: () => void }) {
  const { t, i18n } = useTranslation();
  const { checkout } = props;
  const { order } = checkout;
  const payment = usePayment('merchant_order');
  const [sheet, setSheet] = useState<Factor[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const paid = order.status === 'paid';
  const amount = formatMoney(order.amount, i18n.language);

  useEffect(() => {
    if (!paid) return;
    const timer = setTimeout(() => window.location.assign(returnAddress(checkout, 'paid')), RETURN_AFTER_MS);
    return () => clearTimeout(timer);
  }, [paid, checkout]);

  const send = async (confirmation: Confirmation) => {
    await payment.confirm(confirmation);
    setSheet(null);
    props.onPaid();
  };

  const onPay = async () => {
    if (!checkout.payload) return;
    setError(null);
    setLoading(true);
    try {
      const quoted = await payment.create({ qr: checkout.payload });
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

  const details = (
    <div className="money-card">
      <DetailRows
        rows={[
          ...(order.description ? [{ label: t('money.merchantPay.item'), value: order.description }] : []),
          {
            label: t('money.merchantPay.orderNumber'),
            value: <code className="mono">{order.merchantOrderId}</code>,
          },
        ]}
      />
    </div>
  );

  // The shop and the amount, and the way back unpaid: the same on a live and a test checkout.
  const payCard = (
    <section className="money-card preview-card" aria-labelledby="checkout-amount">
      <p className="preview-to">{t('money.merchantPay.payTo')}</p>
      <p className="preview-payee">{checkout.merchantName}</p>
      <p id="checkout-amount" className="preview-amount amount" data-testid="checkout-amount">
        {amount}
      </p>
    </section>
  );
  const leave = (
    <button
      type="button"
      className="text-button"
      onClick={() => window.location.assign(returnAddress(checkout, 'cancelled'))}
    >
      {t('money.checkout.leave', { name: checkout.merchantName })}
    </button>
  );

  if (paid) {
    return (
      <Page title={t('money.checkout.title')}>
        <ResultHead
          tone="ok"
          title={t('money.merchantPay.paidTitle')}
          amount={amount}
          sub={t('money.checkout.returning', { name: checkout.merchantName })}
        />
        {details}
        <div className="money-buttons">
          <Button
            block
            color="primary"
            size="large"
            shape="rounded"
            onClick={() => window.location.assign(returnAddress(checkout, 'paid'))}
          >
            {t('money.checkout.back', { name: checkout.merchantName })}
          </Button>
        </div>
      </Page>
    );
  }

  if (checkout.testMode && order.status === 'open') {
    return <TestCheckout {...props} details={details} payCard={payCard} leave={leave} />;
  }

  if (!checkout.payload) {
    // Closed by the shop, or expired: nothing to pay here any more.
    return (
      <Page title={t('money.checkout.title')}>
        <ResultHead
          tone="fail"
          title={t(order.status === 'expired' ? 'money.checkout.expired' : 'money.checkout.closed')}
          amount={amount}
          sub={t('money.checkout.askShop', { name: checkout.merchantName })}
        />
        {details}
        <div className="money-buttons">
          <Button
            block
            size="large"
            shape="rounded"
            onClick={() => window.location.assign(returnAddress(checkout, 'cancelled'))}
          >
            {t('money.checkout.back', { name: checkout.merchantName })}
          </Button>
        </div>
      </Page>
    );
  }

  const signedIn = hasSignedIn();
  return (
    <Page title={t('money.checkout.title')}>
      {payCard}
      {details}
      <div className="money-buttons">
        <MoneyError error={error} />
        {signedIn ? (
          <Button
            block
            color="primary"
            size="large"
            shape="rounded"
            loading={loading}
            onClick={() => void onPay()}
          >
            {t('money.checkout.pay')}
          </Button>
        ) : (
          <Link
            to={`/sign-in?next=${encodeURIComponent(`/checkout/${props.token}`)}`}
            className="adm-button adm-button-primary adm-button-block adm-button-large adm-button-shape-rounded link-button"
          >
            {t('money.checkout.signIn')}
          </Link>
        )}
        {leave}
      </div>
      <ConfirmSheet
        visible={sheet !== null}
        title={t('money.merchantPay.to', { name: checkout.merchantName })}
        amount={order.amount}
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

/**
 * A test order (made with the shop's test key, ADR 0022): no sign-in and no wallet — the
 * customer (the shop's developer) chooses how the test payer answers, and the server pays it
 * from test money through the same pipeline, or the ledger refuses the empty test wallet.
 */
function TestCheckout(props: {
  checkout: CheckoutView;
  token: string;
  onPaid: () => void;
  details: ReactNode;
  payCard: ReactNode;
  leave: ReactNode;
}) {
  const { t } = useTranslation();
  const { checkout } = props;
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState<TestPayer | null>(null);
  const pay = async (payer: TestPayer) => {
    setError(null);
    setLoading(payer);
    try {
      await payAsTestPayer(props.token, payer);
      props.onPaid();
    } catch (failure) {
      setError(failure);
    } finally {
      setLoading(null);
    }
  };
  return (
    <Page title={t('money.checkout.title')}>
      <section className="money-card test-mode-card" role="note" aria-labelledby="test-mode-title">
        <p id="test-mode-title" className="test-mode-badge">
          {t('money.checkout.testMode')}
        </p>
        <p>{t('money.checkout.testModeBody', { name: checkout.merchantName })}</p>
      </section>
      {props.payCard}
      {props.details}
      <div className="money-buttons">
        {error instanceof ApiError && error.code === 'INSUFFICIENT_FUNDS' ? (
          // The refusal this button exists to show: say it is the test payer's, not the customer's.
          <div className="form-error money-error" role="alert">
            <span>{t('money.checkout.testInsufficient')}</span>
          </div>
        ) : (
          <MoneyError error={error} />
        )}
        <Button
          block
          color="primary"
          size="large"
          shape="rounded"
          loading={loading === 'succeeds'}
          disabled={loading !== null}
          onClick={() => void pay('succeeds')}
        >
          {t('money.checkout.testPaySucceeds')}
        </Button>
        <Button
          block
          size="large"
          shape="rounded"
          loading={loading === 'insufficient_funds'}
          disabled={loading !== null}
          onClick={() => void pay('insufficient_funds')}
        >
          {t('money.checkout.testPayInsufficient')}
        </Button>
        {props.leave}
      </div>
    </Page>
  );
}
