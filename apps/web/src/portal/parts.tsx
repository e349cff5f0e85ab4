/** Small pieces the portal's (and the operator console's) pages share: loading, a failed load, money, status tags, the language switch. */
import type { MoneyJson } from '@qianbao/money';
import { Alert, Button, Result, Segmented, Spin, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../api/client.ts';
import type { MerchantOrder } from '../api/money.ts';
import { currentLanguage, setLanguage } from '../i18n/index.ts';
import type { Language } from '../i18n/index.ts';
import { formatMoney } from '../lib/format.ts';

export function PortalLoading() {
  const { t } = useTranslation();
  return (
    <div className="portal-loading" role="status">
      <Spin />
      <span className="visually-hidden">{t('common.loading')}</span>
    </div>
  );
}

export function PortalLoadFailed(props: { error: unknown; onRetry: () => void }) {
  const { t } = useTranslation();
  return (
    <Result
      status="warning"
      title={t('common.loadFailed')}
      subTitle={errorMessage(props.error)}
      extra={
        <Button type="primary" onClick={props.onRetry}>
          {t('common.retry')}
        </Button>
      }
    />
  );
}

/** A refusal in words, where a form shows it. */
export function ErrorAlert(props: { error: unknown; message?: string | null }) {
  const text = props.message ?? (props.error ? errorMessage(props.error) : null);
  if (!text) return null;
  return <Alert className="portal-alert" type="error" showIcon title={text} role="alert" />;
}

export function useMoney(): (value: MoneyJson | null | undefined) => string {
  const { i18n } = useTranslation();
  return (value) => formatMoney(value, i18n.language);
}

export function cny(fen: bigint | string): MoneyJson {
  return { amount: fen.toString(), currency: 'CNY' };
}

/** What is left to refund of a paid order, in fen. */
export function refundable(order: Pick<MerchantOrder, 'amount' | 'refunded' | 'status'>): bigint {
  if (order.status !== 'paid') return 0n;
  return BigInt(order.amount.amount) - BigInt(order.refunded.amount);
}

export type OrderState = MerchantOrder['status'] | 'refunded' | 'partlyRefunded';

export function orderState(order: Pick<MerchantOrder, 'amount' | 'refunded' | 'status'>): OrderState {
  if (order.status === 'paid' && order.refunded.amount !== '0') {
    return order.refunded.amount === order.amount.amount ? 'refunded' : 'partlyRefunded';
  }
  return order.status;
}

const STATE_COLOURS: Record<OrderState, string> = {
  open: 'processing',
  paying: 'processing',
  paid: 'success',
  closed: 'default',
  expired: 'default',
  refunded: 'warning',
  partlyRefunded: 'warning',
};

export function OrderStatusTag(props: { order: Pick<MerchantOrder, 'amount' | 'refunded' | 'status'> }) {
  const { t } = useTranslation();
  const state = orderState(props.order);
  return <Tag color={STATE_COLOURS[state]}>{t(`money.shop.orderStatus.${state}`)}</Tag>;
}

/** 中文 / English: the app's own language setting (the wallet follows it too). */
export function LanguageToggle() {
  const { t } = useTranslation();
  return (
    <Segmented<Language>
      aria-label={t('language.label')}
      value={currentLanguage()}
      onChange={(value) => setLanguage(value)}
      options={[
        { value: 'zh-CN', label: <span lang="zh-CN">中文</span> },
        { value: 'en', label: <span lang="en">English</span> },
      ]}
    />
  );
}
