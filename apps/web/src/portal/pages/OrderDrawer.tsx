/**
 * One order in a drawer: what was paid, by whom, its refunds; a refund (in part or in full) for
 * staff with `refunds:create`, closing it for an order nobody has paid (`payments:create`).
 *
 * The refund number is made when the form opens and kept until the refund is answered: a retry of
 * the same refund (no answer, a 5xx) is the same refund on the server, never a second one.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { formatDecimal } from '@qianbao/money';
import type { MoneyJson } from '@qianbao/money';
import {
  App,
  Button,
  Descriptions,
  Divider,
  Drawer,
  Form,
  Input,
  Popconfirm,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useTranslation } from 'react-i18next';
import { amountProblem, parseYuan } from '../../api/money.ts';
import type { ShopRefund } from '../../api/shop.ts';
import { formatDateTime } from '../../lib/format.ts';
import { newOrderNumber } from '../../api/shop.ts';
import { closeOrder, fetchOrder, portalKeys, refundOrder } from '../api.ts';
import type { OrderDetail } from '../api.ts';
import { usePermission, usePortal } from '../context.ts';
import { refundNumberValid } from '../numbers.ts';
import {
  ErrorAlert,
  OrderStatusTag,
  PortalLoadFailed,
  PortalLoading,
  cny,
  refundable,
  useMoney,
} from '../parts.tsx';

export function OrderDrawer(props: { merchantOrderId: string | null; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Drawer
      open={props.merchantOrderId !== null}
      onClose={props.onClose}
      size={560}
      title={t('portal.order.title')}
      destroyOnHidden
    >
      {props.merchantOrderId ? <OrderView merchantOrderId={props.merchantOrderId} /> : null}
    </Drawer>
  );
}

function OrderView(props: { merchantOrderId: string }) {
  const { t, i18n } = useTranslation();
  const { merchant } = usePortal();
  const money = useMoney();
  const mayRefund = usePermission('refunds:create');
  const mayClose = usePermission('payments:create');
  const order = useQuery({
    queryKey: portalKeys.order(merchant.id, props.merchantOrderId),
    queryFn: () => fetchOrder(merchant.id, props.merchantOrderId),
  });
  if (order.isPending) return <PortalLoading />;
  if (order.isError) return <PortalLoadFailed error={order.error} onRetry={() => void order.refetch()} />;
  const data = order.data;
  const left = refundable(data);

  return (
    <div data-testid="order-drawer">
      <Descriptions
        column={2}
        bordered
        size="small"
        items={[
          {
            key: 'amount',
            label: t('portal.orders.amount'),
            children: <strong className="portal-amount">{money(data.amount)}</strong>,
          },
          {
            key: 'status',
            label: t('portal.orders.status'),
            children: (
              <span data-testid="order-status">
                <OrderStatusTag order={data} />
              </span>
            ),
          },
          {
            key: 'number',
            span: 2,
            label: t('portal.orders.number'),
            children: <span className="portal-mono">{data.merchantOrderId}</span>,
          },
          ...(data.description
            ? [
                {
                  key: 'description',
                  span: 2,
                  label: t('portal.orders.description'),
                  children: data.description,
                },
              ]
            : []),
          {
            key: 'channel',
            label: t('portal.orders.channel'),
            children: t(`portal.orders.channels.${data.channel}`),
          },
          ...(data.payer ? [{ key: 'payer', label: t('portal.orders.payer'), children: data.payer }] : []),
          { key: 'fee', label: t('portal.order.fee'), children: money(data.fee) },
          {
            key: 'refunded',
            label: t('portal.orders.refunded'),
            children: <span data-testid="order-refunded">{money(data.refunded)}</span>,
          },
          {
            key: 'created',
            label: t('portal.order.created'),
            children: formatDateTime(data.createdAt, i18n.language),
          },
          ...(data.paidAt
            ? [
                {
                  key: 'paid',
                  label: t('portal.order.paidAt'),
                  children: formatDateTime(data.paidAt, i18n.language),
                },
              ]
            : []),
        ]}
      />
      {data.status === 'open' && mayClose ? <CloseOrder order={data} /> : null}
      {/* Only a paid order has refunds: an open, closed or expired one has nothing to show here. */}
      {data.status === 'paid' || data.refunds.length > 0 ? (
        <>
          <Divider titlePlacement="start">{t('portal.order.refunds')}</Divider>
          <RefundList refunds={data.refunds} />
        </>
      ) : null}
      {mayRefund && left > 0n ? <RefundForm order={data} left={left} /> : null}
    </div>
  );
}

function RefundList(props: { refunds: ShopRefund[] }) {
  const { t, i18n } = useTranslation();
  const money = useMoney();
  return (
    <Table<ShopRefund>
      data-testid="order-refunds"
      size="small"
      rowKey="id"
      pagination={false}
      dataSource={props.refunds}
      locale={{ emptyText: t('portal.order.noRefunds') }}
      columns={[
        {
          title: t('portal.orders.time'),
          key: 'time',
          render: (_, refund) => formatDateTime(refund.createdAt, i18n.language),
        },
        {
          title: t('portal.order.refundNumber'),
          dataIndex: 'merchantRefundId',
          render: (value: string) => <span className="portal-mono">{value}</span>,
        },
        {
          title: t('portal.order.reason'),
          dataIndex: 'reason',
          render: (value: string | null) => value ?? '—',
        },
        {
          title: t('portal.orders.amount'),
          key: 'amount',
          align: 'right',
          render: (_, refund) => money(refund.amount),
        },
        {
          title: t('portal.orders.status'),
          dataIndex: 'status',
          render: (value: ShopRefund['status'], refund) => (
            <Tag
              color={value === 'succeeded' ? 'success' : value === 'failed' ? 'error' : 'processing'}
              title={refund.failure ?? undefined}
            >
              {t(`money.shop.refundStatus.${value}`)}
            </Tag>
          ),
        },
      ]}
    />
  );
}

interface RefundFields {
  amount: string;
  reason?: string;
  merchantRefundId: string;
}

function RefundForm(props: { order: OrderDetail; left: bigint }) {
  const { t } = useTranslation();
  const { merchant } = usePortal();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const money = useMoney();
  const [form] = Form.useForm<RefundFields>();
  const leftMoney = cny(props.left);
  const refund = useMutation({
    mutationFn: (input: { amount: MoneyJson; reason?: string; merchantRefundId: string }) =>
      refundOrder(merchant.id, { merchantOrderId: props.order.merchantOrderId, ...input }),
    onSuccess: (done) => {
      void message.success(t('portal.order.refunded', { amount: money(done.amount) }));
      form.resetFields();
      form.setFieldValue('merchantRefundId', newOrderNumber());
      void queryClient.invalidateQueries({ queryKey: portalKeys.orders(merchant.id) });
      void queryClient.invalidateQueries({ queryKey: portalKeys.summary(merchant.id) });
      void queryClient.invalidateQueries({ queryKey: portalKeys.merchant(merchant.id) });
    },
  });
  const send = (values: RefundFields, amount: MoneyJson) => {
    refund.mutate({
      amount,
      merchantRefundId: values.merchantRefundId.trim(),
      ...(values.reason?.trim() ? { reason: values.reason.trim() } : {}),
    });
  };
  const refundAll = async () => {
    let values: RefundFields;
    try {
      values = await form.validateFields(['reason', 'merchantRefundId']);
    } catch {
      return;
    }
    form.setFieldValue('amount', formatDecimal(props.left, 'CNY'));
    send(values, leftMoney);
  };

  return (
    <div className="portal-refund">
      <Typography.Title level={5}>{t('portal.order.refundTitle')}</Typography.Title>
      <Form<RefundFields>
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={{ amount: '', reason: '', merchantRefundId: newOrderNumber() }}
        onFinish={(values) => send(values, parseYuan(values.amount)!)}
        aria-label={t('portal.order.refundTitle')}
      >
        <Form.Item
          name="amount"
          label={t('portal.order.refundAmount')}
          extra={t('portal.order.refundLeft', { amount: money(leftMoney) })}
          rules={[
            {
              validator: (_, value: string | undefined) => {
                const text = (value ?? '').trim();
                const amount = parseYuan(text);
                if (amount && BigInt(amount.amount) <= props.left) return Promise.resolve();
                const problem = text === '' ? null : amountProblem(text);
                return Promise.reject(
                  new Error(
                    problem
                      ? t(`money.amountProblem.${problem}`)
                      : t('portal.order.refundTooMuch', { amount: money(leftMoney) }),
                  ),
                );
              },
            },
          ]}
        >
          <Input
            prefix="¥"
            inputMode="decimal"
            autoComplete="off"
            placeholder="0.00"
            aria-label={t('portal.order.refundAmount')}
          />
        </Form.Item>
        <Form.Item name="reason" label={t('portal.order.reason')}>
          <Input
            maxLength={100}
            placeholder={t('portal.order.reasonPlaceholder')}
            aria-label={t('portal.order.reason')}
          />
        </Form.Item>
        <Form.Item
          name="merchantRefundId"
          label={t('portal.order.refundNumber')}
          rules={[
            {
              validator: (_, value: string | undefined) =>
                refundNumberValid((value ?? '').trim())
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('portal.order.refundNumberInvalid'))),
            },
          ]}
        >
          <Input
            className="portal-mono"
            maxLength={32}
            autoComplete="off"
            aria-label={t('portal.order.refundNumber')}
          />
        </Form.Item>
        <ErrorAlert error={refund.error} />
        <Space>
          <Button type="primary" htmlType="submit" loading={refund.isPending}>
            {t('portal.order.refund')}
          </Button>
          <Popconfirm
            title={t('portal.order.refundAllConfirm', { amount: money(leftMoney) })}
            okText={t('portal.order.refundAll')}
            cancelText={t('common.cancel')}
            onConfirm={() => void refundAll()}
          >
            <Button danger disabled={refund.isPending}>
              {t('portal.order.refundAll')}
            </Button>
          </Popconfirm>
        </Space>
      </Form>
    </div>
  );
}

function CloseOrder(props: { order: OrderDetail }) {
  const { t } = useTranslation();
  const { merchant } = usePortal();
  const queryClient = useQueryClient();
  const close = useMutation({
    mutationFn: () => closeOrder(merchant.id, props.order.merchantOrderId),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: portalKeys.orders(merchant.id) }),
  });
  return (
    <div className="portal-close-order">
      <ErrorAlert error={close.error} />
      <Popconfirm
        title={t('portal.order.closeConfirm')}
        okText={t('portal.order.close')}
        cancelText={t('common.cancel')}
        onConfirm={() => close.mutate()}
      >
        <Button loading={close.isPending}>{t('portal.order.close')}</Button>
      </Popconfirm>
    </div>
  );
}
