/**
 * 收银台: the desktop till — the wallet shop's till (screens/money/Shop.tsx) on a computer, with a
 * barcode scanner or a webcam. An amount and the order number (made here, editable), then either
 * the customer's payment code (typed, scanned by a scanner that types it and presses Enter, or read
 * by the camera) → 收款, or 生成收款码: an order's code for the customer to scan. The result shows
 * on the right as it happens: paid, waiting for the customer to confirm (asked every second), or
 * refused in words.
 */
import { CameraOutlined, QrcodeOutlined, ReloadOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { MoneyJson } from '@qianbao/money';
import { Button, Card, Col, Descriptions, Form, Input, Result, Row, Space, Spin, Typography } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, errorMessage } from '../../api/client.ts';
import i18n from '../../i18n/index.ts';
import { amountProblem, parseYuan } from '../../api/money.ts';
import type { MerchantOrder } from '../../api/money.ts';
import { chargeEnded, readPaymentCode } from '../../api/pay-code.ts';
import type { Charge } from '../../api/pay-code.ts';
import { newOrderNumber } from '../../api/shop.ts';
import type { ShopCode } from '../../api/shop.ts';
import { cameraAvailable, scanWithCamera } from '../../lib/qr-reader.ts';
import { useSecondsUntil } from '../../screens/money/PayCode.tsx';
import {
  charge as chargeCode,
  closeOrder,
  createOrder,
  fetchCharge,
  fetchOrder,
  portalKeys,
} from '../api.ts';
import { usePortal } from '../context.ts';
import { orderNumberValid } from '../numbers.ts';
import { useMoney } from '../parts.tsx';

/** While a charge waits for the customer, how often the till asks. */
const CHARGE_POLL_MS = 1000;
/** While an order's code is on screen, how often the till asks whether it was paid. */
const ORDER_POLL_MS = 1500;

interface TillFields {
  amount: string;
  merchantOrderId: string;
  description?: string;
  paymentCode?: string;
}

type Outcome =
  | { kind: 'charge'; charge: Charge }
  | { kind: 'refused'; error: unknown; amount: MoneyJson }
  | { kind: 'order'; order: MerchantOrder & ShopCode };

export function Cashier() {
  const { t } = useTranslation();
  const { merchant } = usePortal();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<TillFields>();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState<'charge' | 'order' | null>(null);
  const [orderError, setOrderError] = useState<unknown>(null);
  const [cameraOn, setCameraOn] = useState(false);
  const [cameraProblem, setCameraProblem] = useState<string | null>(null);
  /** The attempt a retry (no answer, a 5xx) sends again with the same Idempotency-Key. */
  const attempt = useRef<{ key: string; what: string } | null>(null);
  const video = useRef<HTMLVideoElement>(null);
  const cameraPossible = cameraAvailable();

  const refreshLists = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: portalKeys.orders(merchant.id) });
    void queryClient.invalidateQueries({ queryKey: portalKeys.summary(merchant.id) });
  }, [merchant.id, queryClient]);
  /** Answered: the next charge or code is a new order. */
  const nextOrderNumber = () => form.setFieldValue('merchantOrderId', newOrderNumber());

  const submitCharge = async (values: TillFields) => {
    const amount = parseYuan(values.amount)!;
    const paymentCode = readPaymentCode(values.paymentCode ?? '')!;
    const input = {
      paymentCode,
      amount,
      merchantOrderId: values.merchantOrderId.trim(),
      ...(values.description?.trim() ? { description: values.description.trim() } : {}),
    };
    const what = JSON.stringify(input);
    if (attempt.current?.what !== what) attempt.current = { key: crypto.randomUUID(), what };
    setBusy('charge');
    setOrderError(null);
    try {
      const answered = await chargeCode(merchant.id, attempt.current.key, input);
      attempt.current = null;
      setOutcome({ kind: 'charge', charge: answered });
      nextOrderNumber();
      // A code is good once: the next charge needs the customer's next one.
      form.setFieldValue('paymentCode', '');
    } catch (error) {
      const retryable =
        error instanceof ApiError &&
        (error.status === 0 || error.status >= 500 || error.code === 'IDEMPOTENCY_REQUEST_IN_FLIGHT');
      if (!retryable) {
        attempt.current = null;
        // Refused after its order was made (funds, limits): that number is taken now.
        if (error instanceof ApiError && typeof error.details.chargeId === 'string') nextOrderNumber();
      }
      setOutcome({ kind: 'refused', error, amount });
    } finally {
      setBusy(null);
      refreshLists();
    }
  };

  const submitOrder = async () => {
    let values: TillFields;
    try {
      values = await form.validateFields(['amount', 'merchantOrderId', 'description']);
    } catch {
      return;
    }
    setBusy('order');
    setOrderError(null);
    try {
      const order = await createOrder(merchant.id, {
        merchantOrderId: values.merchantOrderId.trim(),
        amount: parseYuan(values.amount)!,
        ...(values.description?.trim() ? { description: values.description.trim() } : {}),
      });
      setOutcome({ kind: 'order', order });
      nextOrderNumber();
      refreshLists();
    } catch (error) {
      setOrderError(error);
    } finally {
      setBusy(null);
    }
  };

  // The camera's loop submits with the latest form (the amount typed by then).
  const fromCamera = useRef<(code: string) => void>(() => undefined);
  fromCamera.current = (code) => {
    form.setFieldValue('paymentCode', code);
    form.submit();
  };
  useEffect(() => {
    if (!cameraOn || !video.current) return;
    return scanWithCamera(
      video.current,
      (text) => {
        const code = readPaymentCode(text);
        if (!code) return false;
        setCameraOn(false);
        fromCamera.current(code);
        return true;
      },
      () => {
        setCameraProblem(t('money.scanPage.cameraDenied'));
        setCameraOn(false);
      },
    );
  }, [cameraOn, t]);

  const nextCustomer = () => {
    setOutcome(null);
    setOrderError(null);
    form.setFieldsValue({ amount: '', paymentCode: '', description: '' });
  };

  return (
    <div className="portal-page">
      <Typography.Title level={3} className="portal-page-title">
        {t('portal.cashier.title')}
      </Typography.Title>
      <Row gutter={[24, 24]}>
        <Col xs={24} lg={12}>
          <Card variant="borderless" title={t('portal.cashier.formTitle')}>
            <Form<TillFields>
              form={form}
              layout="vertical"
              requiredMark={false}
              initialValues={{
                amount: '',
                merchantOrderId: newOrderNumber(),
                description: '',
                paymentCode: '',
              }}
              onFinish={(values) => void submitCharge(values)}
              aria-label={t('portal.cashier.formTitle')}
            >
              <Form.Item
                name="amount"
                label={t('portal.cashier.amount')}
                rules={[{ validator: (_, value: string) => amountRule(t, value) }]}
              >
                <Input
                  size="large"
                  prefix="¥"
                  inputMode="decimal"
                  autoComplete="off"
                  placeholder="0.00"
                  className="portal-amount-input"
                  aria-label={t('portal.cashier.amount')}
                />
              </Form.Item>
              <Form.Item
                name="paymentCode"
                label={t('portal.cashier.code')}
                extra={t('portal.cashier.codeHint')}
                rules={[
                  {
                    validator: (_, value: string | undefined) =>
                      readPaymentCode(value ?? '')
                        ? Promise.resolve()
                        : Promise.reject(new Error(t('portal.cashier.codeInvalid'))),
                  },
                ]}
                normalize={(value: string) => value.replace(/[^\d -]/g, '').slice(0, 24)}
              >
                <Input
                  size="large"
                  className="portal-mono portal-code-input"
                  inputMode="numeric"
                  autoComplete="off"
                  placeholder={t('portal.cashier.codePlaceholder')}
                  aria-label={t('portal.cashier.code')}
                  suffix={
                    cameraPossible ? (
                      <Button
                        type="link"
                        size="small"
                        icon={<CameraOutlined aria-hidden />}
                        onClick={() => {
                          setCameraProblem(null);
                          setCameraOn(!cameraOn);
                        }}
                      >
                        {cameraOn ? t('portal.cashier.stopScan') : t('portal.cashier.scan')}
                      </Button>
                    ) : null
                  }
                />
              </Form.Item>
              {cameraOn ? (
                <div className="portal-camera">
                  <video ref={video} muted playsInline />
                  <p>{t('money.shop.till.aim')}</p>
                </div>
              ) : null}
              {cameraProblem ? <Typography.Text type="danger">{cameraProblem}</Typography.Text> : null}
              <Row gutter={16}>
                <Col span={12}>
                  <Form.Item
                    name="merchantOrderId"
                    label={t('portal.cashier.orderNumber')}
                    rules={[
                      {
                        validator: (_, value: string) =>
                          orderNumberValid((value ?? '').trim())
                            ? Promise.resolve()
                            : Promise.reject(new Error(t('portal.cashier.orderNumberInvalid'))),
                      },
                    ]}
                  >
                    <Input
                      className="portal-mono"
                      autoComplete="off"
                      maxLength={25}
                      aria-label={t('portal.cashier.orderNumber')}
                      suffix={
                        <Button
                          type="text"
                          size="small"
                          icon={<ReloadOutlined aria-hidden />}
                          aria-label={t('portal.cashier.newNumber')}
                          title={t('portal.cashier.newNumber')}
                          onClick={nextOrderNumber}
                        />
                      }
                    />
                  </Form.Item>
                </Col>
                <Col span={12}>
                  <Form.Item name="description" label={t('portal.cashier.description')}>
                    <Input
                      maxLength={100}
                      placeholder={t('portal.cashier.descriptionPlaceholder')}
                      aria-label={t('portal.cashier.description')}
                    />
                  </Form.Item>
                </Col>
              </Row>
              <Space size="middle" wrap>
                <Button type="primary" size="large" htmlType="submit" loading={busy === 'charge'}>
                  {t('portal.cashier.charge')}
                </Button>
                <Button
                  size="large"
                  icon={<QrcodeOutlined aria-hidden />}
                  loading={busy === 'order'}
                  onClick={() => void submitOrder()}
                >
                  {t('portal.cashier.makeCode')}
                </Button>
              </Space>
              {orderError ? (
                <Typography.Paragraph type="danger" className="portal-form-error" role="alert">
                  {errorMessage(orderError)}
                </Typography.Paragraph>
              ) : null}
            </Form>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card variant="borderless" title={t('portal.cashier.resultTitle')} className="portal-till-result">
            {outcome === null ? (
              <Result
                icon={<WalletIdle />}
                title={t('portal.cashier.idle')}
                subTitle={t('portal.cashier.idleHint')}
              />
            ) : outcome.kind === 'charge' ? (
              <ChargeOutcome charge={outcome.charge} onNext={nextCustomer} onEnded={refreshLists} />
            ) : outcome.kind === 'refused' ? (
              <Result
                status="error"
                title={t('portal.cashier.refused')}
                subTitle={<span data-testid="till-refusal">{tillRefusal(t, outcome.error)}</span>}
                extra={
                  <Button type="primary" onClick={() => setOutcome(null)}>
                    {t('portal.cashier.tryAgain')}
                  </Button>
                }
              />
            ) : (
              <OrderOutcome order={outcome.order} onNext={nextCustomer} onEnded={refreshLists} />
            )}
          </Card>
        </Col>
      </Row>
    </div>
  );
}

function WalletIdle() {
  return <QrcodeOutlined aria-hidden className="portal-idle-icon" />;
}

function ChargeOutcome(props: { charge: Charge; onNext: () => void; onEnded: () => void }) {
  const { t } = useTranslation();
  const { merchant } = usePortal();
  const money = useMoney();
  const { onEnded } = props;
  const watched = useQuery({
    queryKey: ['portal', merchant.id, 'charge', props.charge.id],
    queryFn: () => fetchCharge(merchant.id, props.charge.id),
    enabled: !chargeEnded(props.charge),
    refetchInterval: (query) => (query.state.data && chargeEnded(query.state.data) ? false : CHARGE_POLL_MS),
  });
  const shown = watched.data ?? props.charge;
  const ended = chargeEnded(shown);
  const secondsLeft = useSecondsUntil(shown.status === 'awaiting_confirmation' ? shown.confirmBy : null);
  useEffect(() => {
    if (ended) onEnded();
  }, [ended, onEnded]);

  const next = (
    <Button type={ended ? 'primary' : 'default'} size="large" onClick={props.onNext}>
      {t('portal.cashier.next')}
    </Button>
  );
  const details = (
    <Descriptions
      column={1}
      size="small"
      className="portal-result-details"
      items={[
        {
          key: 'order',
          label: t('portal.orders.number'),
          children: (
            <span className="portal-mono" data-testid="till-order-number">
              {shown.merchantOrderId}
            </span>
          ),
        },
        ...(shown.description
          ? [{ key: 'what', label: t('portal.cashier.description'), children: shown.description }]
          : []),
      ]}
    />
  );
  if (shown.status === 'succeeded') {
    return (
      <Result
        status="success"
        title={<span data-testid="till-status">{t('portal.cashier.paid')}</span>}
        subTitle={
          <>
            <span className="portal-result-amount" data-testid="till-amount">
              {money(shown.amount)}
            </span>
            {shown.order.payer ? (
              <span className="portal-result-payer" data-testid="till-payer">
                {t('portal.cashier.paidBy', { name: shown.order.payer })}
              </span>
            ) : null}
          </>
        }
        extra={[<div key="details">{details}</div>, <div key="next">{next}</div>]}
      />
    );
  }
  if (!ended) {
    return (
      <Result
        icon={<Spin size="large" />}
        title={<span data-testid="till-status">{t('portal.cashier.waiting')}</span>}
        subTitle={
          <>
            <span className="portal-result-amount">{money(shown.amount)}</span>
            <span>
              {shown.status === 'awaiting_confirmation'
                ? t('portal.cashier.waitingHint', { seconds: secondsLeft ?? 60 })
                : t('portal.cashier.working')}
            </span>
          </>
        }
        extra={[<div key="details">{details}</div>]}
      />
    );
  }
  const reason =
    shown.status === 'failed' && shown.failure
      ? tillRefusal(t, new ApiError({ status: 422, code: shown.failure, message: '' }))
      : t(`portal.cashier.ended.${shown.status}`);
  return (
    <Result
      status="error"
      title={<span data-testid="till-status">{t('portal.cashier.refused')}</span>}
      subTitle={
        <>
          <span className="portal-result-amount">{money(shown.amount)}</span>
          <span data-testid="till-refusal">{reason}</span>
        </>
      }
      extra={[<div key="details">{details}</div>, <div key="next">{next}</div>]}
    />
  );
}

function OrderOutcome(props: { order: MerchantOrder & ShopCode; onNext: () => void; onEnded: () => void }) {
  const { t } = useTranslation();
  const { merchant } = usePortal();
  const money = useMoney();
  const { onEnded } = props;
  const [closing, setClosing] = useState(false);
  const [closeError, setCloseError] = useState<unknown>(null);
  const watched = useQuery({
    queryKey: [...portalKeys.orders(merchant.id), 'code', props.order.merchantOrderId],
    queryFn: () => fetchOrder(merchant.id, props.order.merchantOrderId),
    refetchInterval: (query) =>
      query.state.data && query.state.data.status !== 'open' && query.state.data.status !== 'paying'
        ? false
        : ORDER_POLL_MS,
  });
  const status = watched.data?.status ?? props.order.status;
  const open = status === 'open' || status === 'paying';
  useEffect(() => {
    if (!open) onEnded();
  }, [open, onEnded]);

  const close = async () => {
    setClosing(true);
    setCloseError(null);
    try {
      await closeOrder(merchant.id, props.order.merchantOrderId);
      await watched.refetch();
    } catch (error) {
      setCloseError(error);
    } finally {
      setClosing(false);
    }
  };
  return (
    <div className="portal-order-code" data-testid="till-order">
      <img
        src={props.order.qrDataUrl}
        alt={t('money.shop.orderAlt')}
        width={220}
        height={220}
        className={open ? undefined : 'portal-code-used'}
      />
      <div className="portal-result-amount">{money(props.order.amount)}</div>
      <Typography.Paragraph className="portal-mono" type="secondary">
        {props.order.merchantOrderId}
        {props.order.description ? ` · ${props.order.description}` : ''}
      </Typography.Paragraph>
      <Typography.Title level={4} data-testid="till-order-status" role="status">
        {status === 'paid'
          ? t('portal.cashier.orderPaid', { name: watched.data?.payer ?? '' })
          : open
            ? t('portal.cashier.orderWaiting')
            : t(`money.shop.orderStatus.${status}`)}
      </Typography.Title>
      {closeError ? (
        <Typography.Paragraph type="danger" role="alert">
          {errorMessage(closeError)}
        </Typography.Paragraph>
      ) : null}
      <Space>
        {open ? (
          <Button loading={closing} onClick={() => void close()}>
            {t('portal.cashier.closeOrder')}
          </Button>
        ) : null}
        <Button type={open ? 'default' : 'primary'} onClick={props.onNext}>
          {t('portal.cashier.next')}
        </Button>
      </Space>
    </div>
  );
}

function amountRule(t: (key: string) => string, value: string | undefined): Promise<void> {
  const text = (value ?? '').trim();
  if (text === '') return Promise.reject(new Error(t('portal.cashier.amountRequired')));
  if (parseYuan(text)) return Promise.resolve();
  const problem = amountProblem(text) ?? 'format';
  return Promise.reject(new Error(t(`money.amountProblem.${problem}`)));
}

/**
 * A refusal as the cashier should read it: the customer's balance, limits or frozen wallet are the
 * customer's (the wallet's till words), anything else as the API's error in words.
 */
export function tillRefusal(t: (key: string) => string, error: unknown): string {
  if (error instanceof ApiError) {
    const key = `money.shop.till.refused.${error.code}`;
    if (i18n.exists(key)) return t(key);
  }
  return errorMessage(error);
}
