import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { MoneyJson } from '@qianbao/money';
import { Button, Input, Selector } from 'antd-mobile';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { isApiError } from '../../api/client.ts';
import { parseYuan } from '../../api/money.ts';
import type { MerchantOrder } from '../../api/money.ts';
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
import { AmountInput, DetailRows, MoneyError } from './parts.tsx';

/** While an order's code is on screen, how often the shop asks whether it was paid. */
const ORDER_POLL_MS = 1500;

/**
 * 我的小店: a holder's own individual merchant (个体商户) in the wallet — open it, show the static
 * code for customers to scan, take one payment with an order's code (the amount in it), and see
 * the orders with their refunds. The merchant portal proper comes later (docs/merchants.md).
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
    return isApiError(shop.error, 'MERCHANT_NOT_FOUND') ? (
      <OpenShop />
    ) : (
      <Page title={t('money.shop.title')} backTo="/">
        <LoadFailed error={shop.error} onRetry={() => void shop.refetch()} />
      </Page>
    );
  }
  return <ShopHome shop={shop.data} />;
}

function OpenShop() {
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
