/**
 * 结算: the balance not settled yet, the card it is settled to (one of the owner's own bound debit
 * cards), settling it now, the settlements so far; and 对账单, a day's statement as CSV or PDF.
 * The statements are links (a download cannot send a header): the merchant goes as the `merchant`
 * query parameter, the session as the cookie.
 */
import { DownloadOutlined, FilePdfOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Empty,
  Popconfirm,
  Row,
  Select,
  Space,
  Statistic,
  Table,
  Tag,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import type { Dayjs } from 'dayjs';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError, errorMessage } from '../../api/client.ts';
import { bankNameOf } from '../../api/money.ts';
import { formatDateTime } from '../../lib/format.ts';
import {
  fetchOwnCards,
  fetchSettlementCard,
  fetchSettlements,
  portalKeys,
  setSettlementCard,
  settleNow,
  statementUrl,
} from '../api.ts';
import type { Settlement, SettlementCard } from '../api.ts';
import { usePortal } from '../context.ts';
import { shanghaiToday } from '../numbers.ts';
import { ErrorAlert, PortalLoadFailed, PortalLoading, useMoney } from '../parts.tsx';

export function Settlements() {
  const { t } = useTranslation();
  return (
    <div className="portal-page">
      <Typography.Title level={3} className="portal-page-title">
        {t('portal.settlements.title')}
      </Typography.Title>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <SettleCard />
        </Col>
        <Col xs={24} xl={12}>
          <StatementCard />
        </Col>
      </Row>
      <SettlementList />
    </div>
  );
}

function cardLabel(card: Pick<SettlementCard, 'bankName' | 'maskedNumber'>, language: string): string {
  return `${bankNameOf(card.bankName, language)} ${card.maskedNumber}`;
}

function SettleCard() {
  const { t, i18n } = useTranslation();
  const { merchant } = usePortal();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const money = useMoney();
  const current = useQuery({
    queryKey: portalKeys.settlementCard(merchant.id),
    queryFn: () => fetchSettlementCard(merchant.id),
  });
  const cards = useQuery({ queryKey: ['portal', 'own-cards'], queryFn: fetchOwnCards });
  const [picked, setPicked] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (cardId: string) => setSettlementCard(merchant.id, cardId),
    onSuccess: (card) => {
      queryClient.setQueryData(portalKeys.settlementCard(merchant.id), card);
      setPicked(null);
      void message.success(t('portal.settlements.cardSaved'));
    },
  });
  // One key per press of 立即结算; a retry of that press (no answer, a 5xx) sends it again.
  const attempt = useRef<string | null>(null);
  const settle = useMutation({
    mutationFn: () => {
      attempt.current ??= crypto.randomUUID();
      return settleNow(merchant.id, attempt.current);
    },
    onSuccess: (settlement) => {
      attempt.current = null;
      void message.success(
        settlement.status === 'succeeded'
          ? t('portal.settlements.settled', { amount: money(settlement.amount) })
          : t('portal.settlements.processing', { amount: money(settlement.amount) }),
      );
    },
    onError: (error) => {
      const retryable = error instanceof ApiError && (error.status === 0 || error.status >= 500);
      if (!retryable) attempt.current = null;
    },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: portalKeys.settlements(merchant.id) });
      void queryClient.invalidateQueries({ queryKey: portalKeys.merchant(merchant.id) });
      void queryClient.invalidateQueries({ queryKey: portalKeys.summary(merchant.id) });
    },
  });

  const debitCards = (cards.data ?? []).filter((card) => card.cardType === 'debit');
  const chosen = picked ?? current.data?.id ?? null;
  const nothingToSettle = merchant.balance.amount === '0';

  return (
    <Card variant="borderless" title={t('portal.settlements.balanceTitle')} className="portal-fill">
      <Statistic
        title={t('portal.settlements.balance')}
        valueRender={() => <span data-testid="settlement-balance">{money(merchant.balance)}</span>}
      />
      <Typography.Paragraph type="secondary" className="portal-stat-note">
        {t('portal.settlements.balanceNote')}
      </Typography.Paragraph>
      <Typography.Text strong>{t('portal.settlements.card')}</Typography.Text>
      {current.isPending || cards.isPending ? (
        <PortalLoading />
      ) : current.isError ? (
        <PortalLoadFailed error={current.error} onRetry={() => void current.refetch()} />
      ) : (
        <div className="portal-card-choice">
          {debitCards.length === 0 ? (
            <Typography.Paragraph type="secondary">
              {current.data ? `${cardLabel(current.data, i18n.language)} · ` : ''}
              {t('portal.settlements.noCards')}{' '}
              <Link to="/cards/bind">{t('portal.settlements.addCard')}</Link>
            </Typography.Paragraph>
          ) : (
            <Space.Compact block>
              <Select
                className="portal-card-select"
                aria-label={t('portal.settlements.card')}
                placeholder={t('portal.settlements.chooseCard')}
                value={chosen}
                onChange={setPicked}
                options={debitCards.map((card) => ({
                  value: card.id,
                  label: cardLabel(card, i18n.language),
                }))}
              />
              <Button
                disabled={!picked || picked === current.data?.id}
                loading={save.isPending}
                onClick={() => picked && save.mutate(picked)}
              >
                {t('portal.settlements.saveCard')}
              </Button>
            </Space.Compact>
          )}
          {current.data === null ? (
            <Typography.Paragraph type="warning" className="portal-note">
              {t('portal.settlements.cardNeeded')}
            </Typography.Paragraph>
          ) : (
            <Typography.Paragraph type="secondary" className="portal-note">
              {t('portal.settlements.daily')}
            </Typography.Paragraph>
          )}
          <ErrorAlert error={save.error} />
        </div>
      )}
      <ErrorAlert error={settle.error} />
      <Popconfirm
        title={t('portal.settlements.settleConfirm', { amount: money(merchant.balance) })}
        okText={t('portal.settlements.settleNow')}
        cancelText={t('common.cancel')}
        onConfirm={() => settle.mutate()}
        disabled={!current.data || nothingToSettle}
      >
        <Button type="primary" loading={settle.isPending} disabled={!current.data || nothingToSettle}>
          {t('portal.settlements.settleNow')}
        </Button>
      </Popconfirm>
    </Card>
  );
}

function StatementCard() {
  const { t } = useTranslation();
  const { merchant } = usePortal();
  const today = dayjs(shanghaiToday());
  const opened = dayjs(merchant.createdAt);
  const [date, setDate] = useState<Dayjs>(today);
  const day = date.format('YYYY-MM-DD');
  return (
    <Card variant="borderless" title={t('portal.statements.title')} className="portal-fill">
      <Typography.Paragraph type="secondary">{t('portal.statements.intro')}</Typography.Paragraph>
      <Space wrap size="middle">
        <DatePicker
          aria-label={t('portal.statements.date')}
          value={date}
          allowClear={false}
          disabledDate={(value) => value.isAfter(today, 'day') || value.isBefore(opened, 'day')}
          onChange={(value: Dayjs | null) => value && setDate(value)}
        />
        <Button icon={<DownloadOutlined aria-hidden />} href={statementUrl(merchant.id, day, 'csv')} download>
          {t('portal.statements.csv')}
        </Button>
        <Button icon={<FilePdfOutlined aria-hidden />} href={statementUrl(merchant.id, day, 'pdf')} download>
          {t('portal.statements.pdf')}
        </Button>
      </Space>
    </Card>
  );
}

const SETTLEMENT_COLOURS: Record<Settlement['status'], string> = {
  processing: 'processing',
  succeeded: 'success',
  failed: 'error',
};

function SettlementList() {
  const { t, i18n } = useTranslation();
  const { merchant } = usePortal();
  const money = useMoney();
  const settlements = useQuery({
    queryKey: portalKeys.settlements(merchant.id),
    queryFn: () => fetchSettlements(merchant.id),
    // A settlement the bank has not answered yet: look again until it has.
    refetchInterval: (query) => (query.state.data?.some((one) => one.status === 'processing') ? 3000 : false),
  });
  return (
    <Card variant="borderless" title={t('portal.settlements.listTitle')} className="portal-section">
      {settlements.isError ? (
        <PortalLoadFailed error={settlements.error} onRetry={() => void settlements.refetch()} />
      ) : (
        <Table<Settlement>
          data-testid="settlements-table"
          size="middle"
          rowKey="id"
          loading={settlements.isPending}
          pagination={false}
          dataSource={settlements.data ?? []}
          locale={{ emptyText: <Empty description={t('portal.settlements.none')} /> }}
          columns={[
            {
              title: t('portal.orders.time'),
              key: 'time',
              render: (_, one) => formatDateTime(one.createdAt, i18n.language),
            },
            {
              title: t('portal.settlements.trigger'),
              dataIndex: 'trigger',
              render: (value: Settlement['trigger'], one) =>
                value === 'daily'
                  ? t('portal.settlements.triggers.daily', { date: one.businessDate ?? '' })
                  : t('portal.settlements.triggers.on_demand'),
            },
            {
              title: t('portal.settlements.card'),
              key: 'card',
              render: (_, one) => cardLabel(one.card, i18n.language),
            },
            {
              title: t('portal.orders.amount'),
              key: 'amount',
              align: 'right',
              render: (_, one) => money(one.amount),
            },
            {
              title: t('portal.orders.status'),
              key: 'status',
              render: (_, one) => (
                <Space orientation="vertical" size={0}>
                  <Tag color={SETTLEMENT_COLOURS[one.status]}>
                    {t(`portal.settlements.status.${one.status}`)}
                  </Tag>
                  {one.failure ? (
                    <Typography.Text type="danger">
                      {errorMessage(
                        new ApiError({
                          status: 422,
                          code: one.failure.code,
                          message: '',
                          details: one.failure.details,
                        }),
                      )}
                    </Typography.Text>
                  ) : null}
                </Space>
              ),
            },
          ]}
        />
      )}
    </Card>
  );
}
