import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { MoneyJson } from '@qianbao/money';
import { Button, Input, Selector } from 'antd-mobile';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApiError, errorMessage, isApiError } from '../../api/client.ts';
import { parseYuan } from '../../api/money.ts';
import type { MerchantOrder } from '../../api/money.ts';
import { chargeEnded, chargePaymentCode, fetchMerchantCharge, readPaymentCode } from '../../api/pay-code.ts';
import type { Charge } from '../../api/pay-code.ts';
import {
  SHOP_CATEGORIES,
  createShopOrder,
  fetchShop,
  fetchShopCode,
  fetchShopOrder,
  fetchShopOrders,
  newOrderNumber,
  openShop,
  refundShopOrder,
  shopKey,
  shopOrdersKey,
} from '../../api/shop.ts';
import type { Shop as ShopView, ShopCode } from '../../api/shop.ts';
import { FormError } from '../../components/FormBits.tsx';
import { Page } from '../../components/Page.tsx';
import { LoadFailed, Loading } from '../../components/States.tsx';
import { formatDateTime, formatMoney } from '../../lib/format.ts';
import { cameraAvailable, scanWithCamera } from '../../lib/qr-reader.ts';
import { AmountInput, DetailRows, MoneyError, ResultHead } from './parts.tsx';
import { useSecondsUntil } from './PayCode.tsx';
import './pay-code.css';

/** While an order's code is on screen, how often the shop asks whether it was paid. */
const ORDER_POLL_MS = 1500;
/** While a charge of a customer's code waits for the customer, how often the till asks. */
const CHARGE_POLL_MS = 1500;

/**
 * 我的小店: a holder's own individual merchant (个体商户) in the wallet — open it, show the static
 * code for customers to scan, take one payment with an order's code (the amount in it), charge a
 * customer's pay code at the till, and see the orders with their refunds. The merchant portal
 * proper comes later (docs/merchants.md).
 */
export function Shop() {
  const { t } = useTranslation();
  const shop = useQuery({ queryKey: shopKey, queryFn: fetchShop, retry: false });
  if (shop.isPending) {
    return (
      <Page title={t('money.shop.title')} backTo="/">
        <Loading />
      </Page>
    );
  }
  if (shop.isError) {
    // No shop of one's own; a cashier of several shops works in the portal.
    return isApiError(shop.error, 'MERCHANT_NOT_FOUND') ? (
      <OpenShop />
    ) : isApiError(shop.error, 'MERCHANT_SELECTOR_REQUIRED') ? (
      <OpenShop cashierOf={null} />
    ) : (
      <Page title={t('money.shop.title')} backTo="/">
        <LoadFailed error={shop.error} onRetry={() => void shop.refetch()} />
      </Page>
    );
  }
  // A cashier of someone else's shop has none of its own here: the till is in the portal.
  if (shop.data.role === 'cashier') return <OpenShop cashierOf={shop.data.name} />;
  return <ShopHome shop={shop.data} />;
}

/** `cashierOf`: the holder is a cashier (of that shop; null: of several) and may open its own. */
function OpenShop({ cashierOf }: { cashierOf?: string | null }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [city, setCity] = useState('');
  const [mcc, setMcc] = useState<string>(SHOP_CATEGORIES[0]);
  const [problem, setProblem] = useState<string | null>(null);
  const open = useMutation({
    mutationFn: openShop,
    onSuccess: (opened) => queryClient.setQueryData(shopKey, opened),
  });
  const submit = () => {
    const trimmed = { name: name.trim(), city: city.trim() };
    if ([...trimmed.name].length < 2 || [...trimmed.name].length > 25) {
      setProblem(t('money.shop.nameInvalid'));
      return;
    }
    if (trimmed.city === '' || [...trimmed.city].length > 15) {
      setProblem(t('money.shop.cityInvalid'));
      return;
    }
    setProblem(null);
    open.mutate({ ...trimmed, mcc });
  };
  return (
    <Page title={t('money.shop.openTitle')} backTo="/">
      {cashierOf !== undefined && (
        <p className="page-intro">
          {cashierOf === null
            ? t('money.shop.cashierOfSeveral')
            : t('money.shop.cashierOf', { name: cashierOf })}{' '}
          <Link to="/merchant">{t('portal.shopLink')}</Link>
        </p>
      )}
      <p className="page-intro">{t('money.shop.openIntro')}</p>
      <form
        className="money-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <div className="money-card">
          <label className="money-field">
            <span className="money-field-label">{t('money.shop.name')}</span>
            <Input
              className="money-field-input"
              placeholder={t('money.shop.namePlaceholder')}
              value={name}
              onChange={setName}
              maxLength={25}
            />
          </label>
          <label className="money-field">
            <span className="money-field-label">{t('money.shop.city')}</span>
            <Input
              className="money-field-input"
              placeholder={t('money.shop.cityPlaceholder')}
              value={city}
              onChange={setCity}
              maxLength={15}
            />
          </label>
          <div className="money-field">
            <span className="money-field-label" id="shop-category">
              {t('money.shop.category')}
            </span>
            <Selector
              aria-labelledby="shop-category"
              columns={2}
              value={[mcc]}
              onChange={(value) => value[0] && setMcc(value[0])}
              options={SHOP_CATEGORIES.map((code) => ({
                label: t(`money.shop.categories.${code}`),
                value: code,
              }))}
            />
          </div>
        </div>
        <div className="money-buttons">
          <FormError message={problem} />
          <MoneyError error={open.error} />
          <Button block type="submit" color="primary" size="large" shape="rounded" loading={open.isPending}>
            {t('money.shop.open')}
          </Button>
        </div>
      </form>
    </Page>
  );
}

function ShopHome(props: { shop: ShopView }) {
  const { t, i18n } = useTranslation();
  const { shop } = props;
  const code = useQuery({ queryKey: [...shopKey, 'code'], queryFn: fetchShopCode, staleTime: Infinity });
  const orders = useQuery({ queryKey: shopOrdersKey, queryFn: fetchShopOrders });
  const money = (value: MoneyJson) => formatMoney(value, i18n.language);
  return (
    <Page title={shop.name} backTo="/">
      <section className="money-card" aria-labelledby="shop-balance-label">
        <DetailRows
          rows={[
            {
              label: t('money.shop.balance'),
              value: money(shop.balance),
              testId: 'shop-balance',
              strong: true,
            },
            { label: t('money.shop.feeRate'), value: `${(shop.feeRateBp / 100).toFixed(2)} %` },
          ]}
        />
      </section>
      {/* The merchant portal: the same shop on a computer (till, orders, settlement, staff). */}
      <p className="form-switch">
        <Link to="/merchant">{t('portal.shopLink')}</Link> · {t('portal.shopLinkHint')}
      </p>
      <section className="receive-card" aria-labelledby="shop-static-title">
        <h2 id="shop-static-title" className="money-card-title">
          {t('money.shop.staticTitle')}
        </h2>
        {code.isPending ? (
          <Loading />
        ) : code.isError ? (
          <LoadFailed error={code.error} onRetry={() => void code.refetch()} />
        ) : (
          <CodeImage
            code={code.data}
            alt={t('money.shop.staticAlt', { name: shop.name })}
            testId="shop-static"
          />
        )}
        <p className="receive-hint">{t('money.shop.staticHint')}</p>
      </section>
      <TakePayment />
      <ChargeCustomerCode />
      <section className="money-card" aria-labelledby="shop-orders-title">
        <h2 id="shop-orders-title" className="money-card-title">
          {t('money.shop.orders')}
        </h2>
        {orders.isPending ? (
          <Loading />
        ) : orders.isError ? (
          <LoadFailed error={orders.error} onRetry={() => void orders.refetch()} />
        ) : orders.data.orders.length === 0 ? (
          <p className="empty">{t('money.shop.noOrders')}</p>
        ) : (
          <ul className="history-list" data-testid="shop-orders">
            {orders.data.orders.map((order) => (
              <li key={order.id}>
                <Link
                  to={`/shop/orders/${encodeURIComponent(order.merchantOrderId)}`}
                  className="history-row"
                >
                  <span className="history-row-main">
                    <span className="history-row-label">{order.description ?? order.merchantOrderId}</span>
                    <span className="history-row-sub">
                      {[order.payer, formatDateTime(order.paidAt ?? order.createdAt, i18n.language)]
                        .filter(Boolean)
                        .join(' · ')}
                    </span>
                  </span>
                  <span className="history-row-side">
                    <span className="history-row-amount amount in">{money(order.amount)}</span>
                    <span className={`status-tag ${order.status}`}>{orderStatus(t, order)}</span>
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>
    </Page>
  );
}

/** 收款: an amount (and what for) → an order's code on screen, watched until it is paid. */
function TakePayment() {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const [amountText, setAmountText] = useState('');
  const [description, setDescription] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [current, setCurrent] = useState<(MerchantOrder & ShopCode) | null>(null);
  const create = useMutation({ mutationFn: createShopOrder, onSuccess: setCurrent });
  const watched = useQuery({
    queryKey: [...shopOrdersKey, current?.merchantOrderId],
    queryFn: () => fetchShopOrder(current!.merchantOrderId),
    enabled: current !== null,
    refetchInterval: (query) => (query.state.data?.status === 'paid' ? false : ORDER_POLL_MS),
  });
  const status = watched.data?.status ?? current?.status;
  if (status === 'paid') void queryClient.invalidateQueries({ queryKey: shopKey });

  const submit = () => {
    const amount = parseYuan(amountText);
    if (!amount) {
      setProblem(t('money.amountInvalid'));
      return;
    }
    setProblem(null);
    create.mutate({
      merchantOrderId: newOrderNumber(),
      amount,
      ...(description.trim() ? { description: description.trim() } : {}),
    });
  };

  return (
    <section className="money-card" aria-labelledby="shop-take-title">
      <h2 id="shop-take-title" className="money-card-title">
        {t('money.shop.takeTitle')}
      </h2>
      {current ? (
        <div className="receive-card" data-testid="shop-order-code">
          <CodeImage code={current} alt={t('money.shop.orderAlt')} testId="shop-order" />
          <p className="receive-amount amount">{formatMoney(current.amount, i18n.language)}</p>
          <p className="receive-hint" role="status" data-testid="shop-order-status">
            {status === 'paid'
              ? t('money.shop.paidBy', { name: watched.data?.payer ?? '' })
              : t('money.shop.waiting')}
          </p>
          <Button block shape="rounded" onClick={() => setCurrent(null)}>
            {status === 'paid' ? t('money.shop.next') : t('money.shop.cancelCode')}
          </Button>
        </div>
      ) : (
        <form
          className="money-form"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            submit();
          }}
        >
          <label className="money-amount-field">
            <span className="money-field-label">{t('money.amount')}</span>
            <AmountInput label={t('money.shop.takeAmount')} value={amountText} onChange={setAmountText} />
          </label>
          <label className="money-field">
            <span className="money-field-label">{t('money.shop.description')}</span>
            <Input
              className="money-field-input"
              placeholder={t('money.shop.descriptionPlaceholder')}
              value={description}
              onChange={setDescription}
              maxLength={100}
            />
          </label>
          <FormError message={problem} />
          <MoneyError error={create.error} />
          <Button block type="submit" color="primary" shape="rounded" loading={create.isPending}>
            {t('money.shop.makeCode')}
          </Button>
        </form>
      )}
    </section>
  );
}

/**
 * 收顾客付款码: the till. An amount and the customer's 18-digit pay code (scanned from its QR
 * code with the camera, or typed) → the charge. Within the customer's password-free limit it is
 * paid at once; above it, the customer confirms on their phone while the till asks every 1.5 s.
 * The order number is the charge's Idempotency-Key, kept while the same attempt may be sent again
 * (no answer, a 5xx), so a retry cannot charge twice.
 */
function ChargeCustomerCode() {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const [amountText, setAmountText] = useState('');
  const [codeText, setCodeText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [charge, setCharge] = useState<Charge | null>(null);
  const [cameraOn, setCameraOn] = useState(false);
  const attempt = useRef<{ orderNumber: string; what: string } | null>(null);
  const video = useRef<HTMLVideoElement>(null);
  const cameraPossible = cameraAvailable();

  const watched = useQuery({
    queryKey: ['shop', 'charges', charge?.id],
    queryFn: () => fetchMerchantCharge(charge!.id),
    enabled: charge !== null && !chargeEnded(charge),
    refetchInterval: (query) => (query.state.data && chargeEnded(query.state.data) ? false : CHARGE_POLL_MS),
  });
  const shown = watched.data ?? charge;
  const secondsLeft = useSecondsUntil(shown?.status === 'awaiting_confirmation' ? shown.confirmBy : null);
  const paid = shown?.status === 'succeeded';
  const ended = shown !== null && chargeEnded(shown);
  // Paid: the balance and the orders change; declined or timed out: its order is closed.
  useEffect(() => {
    if (!ended) return;
    void queryClient.invalidateQueries({ queryKey: shopKey });
  }, [ended, queryClient]);

  const submit = async (scanned?: string) => {
    const amount = parseYuan(amountText);
    if (!amount) {
      setProblem(t('money.amountInvalid'));
      return;
    }
    const paymentCode = readPaymentCode(scanned ?? codeText);
    if (!paymentCode) {
      setProblem(t('money.shop.till.codeInvalid'));
      return;
    }
    setProblem(null);
    setError(null);
    const what = `${paymentCode} ${amount.amount}`;
    if (attempt.current?.what !== what) attempt.current = { orderNumber: newOrderNumber(), what };
    setBusy(true);
    try {
      const answered = await chargePaymentCode({
        paymentCode,
        amount,
        merchantOrderId: attempt.current.orderNumber,
      });
      attempt.current = null;
      setCharge(answered);
    } catch (failure) {
      const retryable =
        failure instanceof ApiError &&
        (failure.status === 0 || failure.status >= 500 || failure.code === 'IDEMPOTENCY_REQUEST_IN_FLIGHT');
      if (!retryable) attempt.current = null;
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  // The camera's loop calls the latest `submit` (with the amount typed by then).
  const submitLatest = useRef(submit);
  submitLatest.current = submit;

  useEffect(() => {
    if (!cameraOn || !video.current) return;
    return scanWithCamera(
      video.current,
      (text) => {
        const code = readPaymentCode(text);
        if (!code) return false;
        setCodeText(code);
        setCameraOn(false);
        void submitLatest.current(code);
        return true;
      },
      () => {
        setProblem(t('money.scanPage.cameraDenied'));
        setCameraOn(false);
      },
    );
  }, [cameraOn, t]);

  const next = () => {
    setCharge(null);
    setCodeText('');
    setAmountText('');
    setError(null);
  };

  return (
    <section className="money-card" aria-labelledby="shop-till-title">
      <h2 id="shop-till-title" className="money-card-title">
        {t('money.shop.till.title')}
      </h2>
      {shown ? (
        <div className="till-result" data-testid="till-result">
          <ResultHead
            tone={paid ? 'ok' : ended ? 'fail' : 'wait'}
            title={tillTitle(t, shown)}
            amount={formatMoney(shown.amount, i18n.language)}
            sub={
              paid
                ? shown.order.payer
                  ? t('money.shop.till.paidBy', { name: shown.order.payer })
                  : null
                : shown.status === 'failed' && shown.failure
                  ? tillRefusal(
                      t,
                      i18n.exists,
                      new ApiError({ status: 422, code: shown.failure, message: '' }),
                    )
                  : shown.status === 'awaiting_confirmation'
                    ? t('money.shop.till.waitingHint', { seconds: secondsLeft ?? 60 })
                    : null
            }
          />
          <Button block shape="rounded" color={ended ? 'primary' : 'default'} onClick={next}>
            {t('money.shop.till.next')}
          </Button>
        </div>
      ) : (
        <form
          className="money-form"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void submit();
          }}
        >
          <p className="field-hint">{t('money.shop.till.hint')}</p>
          <label className="money-amount-field">
            <span className="money-field-label">{t('money.amount')}</span>
            <AmountInput label={t('money.shop.takeAmount')} value={amountText} onChange={setAmountText} />
          </label>
          <label className="money-field">
            <span className="money-field-label">{t('money.shop.till.code')}</span>
            <Input
              className="money-field-input mono-input"
              aria-label={t('money.shop.till.code')}
              placeholder={t('money.shop.till.codePlaceholder')}
              inputMode="numeric"
              autoComplete="off"
              value={codeText}
              onChange={(value) => setCodeText(value.replace(/[^\d ]/g, '').slice(0, 24))}
            />
          </label>
          {cameraOn ? (
            <div className="till-camera">
              <video ref={video} muted playsInline />
              <p className="scan-aim">{t('money.shop.till.aim')}</p>
            </div>
          ) : null}
          <FormError message={problem} />
          {error ? (
            <div className="form-error money-error" role="alert">
              <span>{tillRefusal(t, i18n.exists, error)}</span>
            </div>
          ) : null}
          <div className="till-buttons">
            {cameraPossible ? (
              <Button block fill="outline" shape="rounded" onClick={() => setCameraOn(!cameraOn)}>
                {cameraOn ? t('money.shop.till.stopScan') : t('money.shop.till.scan')}
              </Button>
            ) : null}
            <Button block type="submit" color="primary" shape="rounded" loading={busy}>
              {t('money.shop.till.charge')}
            </Button>
          </div>
        </form>
      )}
    </section>
  );
}

function tillTitle(t: (key: string) => string, charge: Charge): string {
  switch (charge.status) {
    case 'succeeded':
      return t('money.shop.till.paid');
    case 'pending':
    case 'awaiting_confirmation':
      return t('money.shop.till.waiting');
    case 'declined':
      return t('money.shop.till.declined');
    case 'timed_out':
      return t('money.shop.till.timedOut');
    case 'failed':
      return t('money.shop.till.failed');
  }
}

/**
 * A refusal as the cashier should read it: the customer's wallet, balance or limits are the
 * customer's (never "your wallet is frozen"), and what they hold is not told to the till.
 */
function tillRefusal(t: (key: string) => string, exists: (key: string) => boolean, error: unknown): string {
  if (error instanceof ApiError) {
    const key = `money.shop.till.refused.${error.code}`;
    if (exists(key)) return t(key);
  }
  return errorMessage(error);
}

/** One order: what was paid, by whom, the refunds, and a refund form while there is more to refund. */
export function ShopOrder() {
  const { t, i18n } = useTranslation();
  const { merchantOrderId = '' } = useParams();
  const queryClient = useQueryClient();
  const order = useQuery({
    queryKey: [...shopOrdersKey, merchantOrderId],
    queryFn: () => fetchShopOrder(merchantOrderId),
  });
  const [amountText, setAmountText] = useState('');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [refundNumber, setRefundNumber] = useState(() => newOrderNumber());
  const refund = useMutation({
    mutationFn: refundShopOrder,
    onSuccess: () => {
      setAmountText('');
      setReason('');
      setRefundNumber(newOrderNumber());
      void queryClient.invalidateQueries({ queryKey: shopKey });
    },
  });
  const money = (value: MoneyJson) => formatMoney(value, i18n.language);
  if (order.isPending) {
    return (
      <Page title={t('money.shop.orderTitle')} backTo="/shop">
        <Loading />
      </Page>
    );
  }
  if (order.isError) {
    return (
      <Page title={t('money.shop.orderTitle')} backTo="/shop">
        <LoadFailed error={order.error} onRetry={() => void order.refetch()} />
      </Page>
    );
  }
  const data = order.data;
  const left = BigInt(data.amount.amount) - BigInt(data.refunded.amount);
  const submit = () => {
    const amount = parseYuan(amountText);
    if (!amount || BigInt(amount.amount) > left) {
      setProblem(
        t('money.shop.refundInvalid', { amount: money({ amount: left.toString(), currency: 'CNY' }) }),
      );
      return;
    }
    setProblem(null);
    // The refund number is kept until the refund is answered: a retry is the same refund.
    refund.mutate({
      merchantOrderId,
      merchantRefundId: refundNumber,
      amount,
      ...(reason.trim() ? { reason: reason.trim() } : {}),
    });
  };
  return (
    <Page title={t('money.shop.orderTitle')} backTo="/shop">
      <section className="money-card">
        <DetailRows
          rows={[
            { label: t('money.amount'), value: money(data.amount), strong: true },
            { label: t('money.shop.status'), value: orderStatus(t, data), testId: 'order-status' },
            ...(data.description ? [{ label: t('money.shop.description'), value: data.description }] : []),
            ...(data.payer ? [{ label: t('money.shop.payer'), value: data.payer }] : []),
            { label: t('money.shop.fee'), value: money(data.fee) },
            { label: t('money.shop.refunded'), value: money(data.refunded), testId: 'order-refunded' },
            {
              label: t('money.merchantPay.orderNumber'),
              value: <code className="mono">{data.merchantOrderId}</code>,
            },
            {
              label: t('money.time'),
              value: formatDateTime(data.paidAt ?? data.createdAt, i18n.language),
            },
          ]}
        />
      </section>
      {data.refunds.length > 0 ? (
        <section className="money-card" aria-labelledby="order-refunds">
          <h2 id="order-refunds" className="money-card-title">
            {t('money.shop.refunds')}
          </h2>
          <DetailRows
            rows={data.refunds.map((item) => ({
              label: `${formatDateTime(item.createdAt, i18n.language)}${item.reason ? ` · ${item.reason}` : ''}`,
              value: `${money(item.amount)} · ${t(`money.shop.refundStatus.${item.status}`)}`,
            }))}
          />
        </section>
      ) : null}
      {data.status === 'paid' && left > 0n ? (
        <form
          className="money-form"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            submit();
          }}
        >
          <div className="money-card">
            <label className="money-amount-field">
              <span className="money-field-label">{t('money.shop.refundAmount')}</span>
              <AmountInput label={t('money.shop.refundAmount')} value={amountText} onChange={setAmountText} />
              <span className="field-hint">
                {t('money.shop.refundLeft', { amount: money({ amount: left.toString(), currency: 'CNY' }) })}
              </span>
            </label>
            <label className="money-field">
              <span className="money-field-label">{t('money.shop.reason')}</span>
              <Input
                className="money-field-input"
                placeholder={t('money.shop.reasonPlaceholder')}
                value={reason}
                onChange={setReason}
                maxLength={100}
              />
            </label>
          </div>
          <div className="money-buttons">
            <FormError message={problem} />
            <MoneyError error={refund.error} />
            <Button
              block
              type="submit"
              color="primary"
              size="large"
              shape="rounded"
              loading={refund.isPending}
            >
              {t('money.shop.refund')}
            </Button>
          </div>
        </form>
      ) : null}
    </Page>
  );
}

function CodeImage(props: { code: ShopCode; alt: string; testId: string }) {
  const { t } = useTranslation();
  return (
    <>
      <img className="receive-qr" src={props.code.qrDataUrl} alt={props.alt} width={240} height={240} />
      <details className="receive-payload">
        <summary>{t('money.receivePage.code')}</summary>
        <code data-testid={`${props.testId}-payload`}>{props.code.payload}</code>
      </details>
    </>
  );
}

function orderStatus(t: (key: string) => string, order: MerchantOrder): string {
  if (order.status === 'paid' && order.refunded.amount !== '0') {
    return order.refunded.amount === order.amount.amount
      ? t('money.shop.orderStatus.refunded')
      : t('money.shop.orderStatus.partlyRefunded');
  }
  return t(`money.shop.orderStatus.${order.status}`);
}
