/**
 * 争议: holders' disputes of their movements (docs/disputes.md). The queue (open ones oldest
 * first; closed ones on demand) and one dispute: the movement, what the holder wrote, the evidence
 * (each view audited by the server), the timeline, and the steps — take it, ask the merchant and
 * record its answer, refund (the merchant's refund or a chargeback for a merchant payment, the
 * bank's goodwill otherwise) or reject with a reason the holder reads. Needs `disputes:resolve`.
 */
import { FileProtectOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Badge,
  Breadcrumb,
  Button,
  Card,
  Descriptions,
  Image,
  Segmented,
  Space,
  Table,
  Timeline,
  Typography,
} from 'antd';
import type { TableProps } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes, useNavigate, useParams } from 'react-router';
import { errorMessage } from '../../api/client.ts';
import { formatDateTime, formatMoney } from '../../lib/format.ts';
import { PortalLoadFailed, PortalLoading } from '../../portal/parts.tsx';
import { useOperator } from '../api.ts';
import type { ConsolePage } from '../page.ts';
import {
  QUEUE_FILTERS,
  disputeKeys,
  evidenceUrl,
  fetchDispute,
  fetchQueue,
  isOpen,
  takeStep,
} from '../disputes/api.ts';
import type { ConsoleDispute, ConsoleTimelineEntry, QueueFilter, Step } from '../disputes/api.ts';
import { DisputeStatusTag, StepDialog } from '../disputes/parts.tsx';
import type { DialogKind } from '../disputes/parts.tsx';
import '../disputes/disputes.css';
import { HolderLink } from '../HolderLink.tsx';

function Disputes() {
  return (
    <Routes>
      <Route index element={<Queue />} />
      <Route path=":id" element={<DisputeView />} />
    </Routes>
  );
}

export const page: ConsolePage = {
  path: 'disputes',
  title: 'console.menu.disputes',
  permission: 'disputes:resolve',
  order: 52,
  icon: <FileProtectOutlined />,
  component: Disputes,
};

const shortId = (id: string) => id.slice(-8);

function Queue() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const operator = useOperator();
  const [filter, setFilter] = useState<QueueFilter>('open');
  const queue = useQuery({
    queryKey: disputeKeys.list(filter),
    queryFn: () => fetchQueue(filter),
    refetchInterval: 15_000,
  });
  const columns: TableProps<ConsoleDispute>['columns'] = [
    {
      title: t('console.disputes.openedAt'),
      dataIndex: 'createdAt',
      render: (value: string) => formatDateTime(value, i18n.language),
    },
    {
      title: t('console.disputes.kindLabel'),
      dataIndex: 'kind',
      render: (value: string) => t(`console.disputes.kind.${value}`),
    },
    {
      title: t('console.disputes.reasonLabel'),
      dataIndex: 'reason',
      render: (value: string) => t(`console.disputes.reason.${value}`),
    },
    {
      title: t('console.disputes.counterparty'),
      dataIndex: 'counterparty',
      render: (value: string | null) => value ?? '—',
    },
    {
      title: t('console.disputes.amount'),
      key: 'amount',
      align: 'right',
      render: (_, row) => formatMoney(row.amount, i18n.language),
    },
    {
      title: t('console.disputes.statusLabel'),
      dataIndex: 'status',
      render: (value: ConsoleDispute['status']) => <DisputeStatusTag status={value} />,
    },
    {
      title: t('console.disputes.assignee'),
      dataIndex: 'assignedOperatorId',
      render: (value: string | null) =>
        value === null ? (
          '—'
        ) : value === operator.id ? (
          t('console.disputes.me')
        ) : (
          <span className="dispute-mono">{shortId(value)}</span>
        ),
    },
  ];
  return (
    <div className="dispute-page">
      <Typography.Title level={3}>
        {t('console.disputes.title')}{' '}
        {queue.data && filter === 'open' ? (
          <Badge count={queue.data.openCount} showZero color="#faad14" />
        ) : null}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('console.disputes.intro')}</Typography.Paragraph>
      <Card variant="borderless">
        <Segmented<QueueFilter>
          className="dispute-filter"
          aria-label={t('console.disputes.statusLabel')}
          value={filter}
          onChange={setFilter}
          options={QUEUE_FILTERS.map((value) => ({ value, label: t(`console.disputes.filter.${value}`) }))}
        />
        {queue.isError ? (
          <PortalLoadFailed error={queue.error} onRetry={() => void queue.refetch()} />
        ) : (
          <Table<ConsoleDispute>
            data-testid="console-disputes"
            rowKey="id"
            size="middle"
            loading={queue.isPending}
            columns={columns}
            dataSource={queue.data?.disputes ?? []}
            pagination={false}
            rowClassName="dispute-row"
            locale={{ emptyText: t(`console.disputes.empty.${filter}`) }}
            onRow={(row) => ({
              onClick: () => void navigate(row.id),
              onKeyDown: (event) => {
                if (event.key === 'Enter') void navigate(row.id);
              },
              tabIndex: 0,
              'aria-label': t('console.disputes.open', { id: shortId(row.id) }),
            })}
          />
        )}
      </Card>
    </div>
  );
}

function DisputeView() {
  const { t, i18n } = useTranslation();
  const { id = '' } = useParams();
  const operator = useOperator();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [dialog, setDialog] = useState<DialogKind | null>(null);
  const detail = useQuery({ queryKey: disputeKeys.one(id), queryFn: () => fetchDispute(id) });
  const step = useMutation({
    mutationFn: (input: { step: Step; key?: string }) => takeStep(id, input.step, input.key),
    onSuccess: async (_, input) => {
      setDialog(null);
      await queryClient.invalidateQueries({ queryKey: disputeKeys.all });
      void message.success(t(`console.disputes.done.${input.step.path}`));
    },
    onError: async () => {
      // A refund refused by the money step sent the dispute back to investigating: show it.
      await queryClient.invalidateQueries({ queryKey: disputeKeys.one(id) });
    },
  });

  if (detail.isPending) return <PortalLoading />;
  if (detail.isError) return <PortalLoadFailed error={detail.error} onRetry={() => void detail.refetch()} />;
  const { dispute, timeline, evidence } = detail.data;
  const deciding = dispute.status === 'investigating' || dispute.status === 'awaiting_merchant';
  const mine = dispute.assignedOperatorId === operator.id;
  const images = evidence.filter((file) => file.contentType.startsWith('image/'));
  const documents = evidence.filter((file) => !file.contentType.startsWith('image/'));
  return (
    <div className="dispute-page">
      <Breadcrumb
        items={[
          { title: <Link to="/console/disputes">{t('console.disputes.title')}</Link> },
          { title: t('console.disputes.one') },
        ]}
      />
      <Typography.Title level={3}>
        {t('console.disputes.one')} <DisputeStatusTag status={dispute.status} />
      </Typography.Title>
      <Space orientation="vertical" size="large" className="console-full">
        {dispute.lastFailure && deciding ? (
          <Alert
            type="warning"
            showIcon
            title={t('console.disputes.lastFailure', { code: dispute.lastFailure })}
            description={t(`errors.${dispute.lastFailure}`, { defaultValue: '' })}
          />
        ) : null}
        <Card variant="borderless" title={t('console.disputes.claim')}>
          <Descriptions column={{ xs: 1, md: 2 }} size="small">
            <Descriptions.Item label={t('console.disputes.reasonLabel')}>
              {t(`console.disputes.reason.${dispute.reason}`)}
            </Descriptions.Item>
            <Descriptions.Item label={t('console.disputes.amount')}>
              <span data-testid="console-dispute-amount">{formatMoney(dispute.amount, i18n.language)}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('console.disputes.text')} span={2}>
              <Typography.Text className="dispute-text">{dispute.text}</Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label={t('console.disputes.holder')}>
              <HolderLink userId={dispute.userId} className="dispute-mono" />
            </Descriptions.Item>
            <Descriptions.Item label={t('console.disputes.openedAt')}>
              {formatDateTime(dispute.createdAt, i18n.language)}
            </Descriptions.Item>
            {dispute.refund ? (
              <Descriptions.Item label={t('console.disputes.refund')}>
                {t(`console.disputes.method.${dispute.refund.method}`)} ·{' '}
                {formatMoney(dispute.refund.amount, i18n.language)}
              </Descriptions.Item>
            ) : null}
            {dispute.decisionReason ? (
              <Descriptions.Item label={t('console.disputes.decisionReason')}>
                {dispute.decisionReason}
              </Descriptions.Item>
            ) : null}
          </Descriptions>
        </Card>
        <Card variant="borderless" title={t('console.disputes.transaction')}>
          <Descriptions column={{ xs: 1, md: 2 }} size="small" data-testid="console-dispute-transaction">
            <Descriptions.Item label={t('console.disputes.kindLabel')}>
              {t(`console.disputes.kind.${dispute.kind}`)}
            </Descriptions.Item>
            <Descriptions.Item label={t('console.disputes.transactionAmount')}>
              {formatMoney(dispute.transactionAmount, i18n.language)}
            </Descriptions.Item>
            <Descriptions.Item label={t('console.disputes.transactionAt')}>
              {formatDateTime(dispute.transactionAt, i18n.language)}
            </Descriptions.Item>
            <Descriptions.Item label={t('console.disputes.counterparty')}>
              {dispute.counterparty ?? '—'}
            </Descriptions.Item>
            {dispute.merchantOrderId ? (
              <Descriptions.Item label={t('console.disputes.order')}>
                <span className="dispute-mono">{dispute.merchantOrderId}</span>
              </Descriptions.Item>
            ) : null}
            {dispute.merchantId ? (
              <Descriptions.Item label={t('console.disputes.merchant')}>
                <span className="dispute-mono">{dispute.merchantId}</span>
              </Descriptions.Item>
            ) : null}
            <Descriptions.Item label={t('console.disputes.transactionId')} span={2}>
              <span className="dispute-mono">{dispute.transactionId}</span>
            </Descriptions.Item>
          </Descriptions>
        </Card>
        <Card variant="borderless" title={t('console.disputes.evidence', { count: evidence.length })}>
          {evidence.length === 0 ? (
            <Typography.Text type="secondary">{t('console.disputes.noEvidence')}</Typography.Text>
          ) : (
            <>
              <Typography.Paragraph type="secondary">
                {t('console.disputes.evidenceIntro')}
              </Typography.Paragraph>
              <Image.PreviewGroup>
                <div className="dispute-evidence" data-testid="console-dispute-evidence">
                  {images.map((file) => (
                    <figure key={file.id} className="dispute-evidence-item">
                      <Image src={evidenceUrl(dispute.id, file.id)} alt={file.fileName} height={180} />
                      <figcaption>{file.fileName}</figcaption>
                    </figure>
                  ))}
                </div>
              </Image.PreviewGroup>
              {documents.length > 0 ? (
                <ul className="dispute-documents">
                  {documents.map((file) => (
                    <li key={file.id}>
                      <a href={evidenceUrl(dispute.id, file.id)} target="_blank" rel="noreferrer">
                        {file.fileName}
                      </a>{' '}
                      ({Math.ceil(file.sizeBytes / 1024)} KB)
                    </li>
                  ))}
                </ul>
              ) : null}
            </>
          )}
        </Card>
        <Card variant="borderless" title={t('console.disputes.timeline')}>
          <Timeline
            data-testid="console-dispute-timeline"
            items={timeline.map((entry, index) => ({
              key: `${entry.at}-${index}`,
              color: entryColor(entry),
              title: formatDateTime(entry.at, i18n.language),
              content: (
                <>
                  <Typography.Text strong>{stepTitle(t, entry)}</Typography.Text>{' '}
                  <Typography.Text type="secondary">
                    {t(`console.disputes.actor.${entry.actor}`)}
                    {entry.operatorId
                      ? ` ${entry.operatorId === operator.id ? t('console.disputes.me') : shortId(entry.operatorId)}`
                      : ''}
                  </Typography.Text>
                  {entry.note ? <div className="dispute-note">{entry.note}</div> : null}
                </>
              ),
            }))}
          />
        </Card>
        {isOpen(dispute.status) ? (
          <Card variant="borderless" title={t('console.disputes.actions')}>
            {step.isError && dialog === null ? (
              <Alert type="error" showIcon title={errorMessage(step.error)} role="alert" />
            ) : null}
            {dispute.status === 'refunding' ? (
              <Typography.Paragraph>{t('console.disputes.refundingNow')}</Typography.Paragraph>
            ) : (
              <Space wrap className="dispute-actions">
                {dispute.status === 'opened' || (deciding && !mine) ? (
                  <Button
                    type={dispute.status === 'opened' ? 'primary' : 'default'}
                    loading={step.isPending && dialog === null}
                    onClick={() => step.mutate({ step: { path: 'take', body: {} } })}
                  >
                    {t(dispute.status === 'opened' ? 'console.disputes.take' : 'console.disputes.takeOver')}
                  </Button>
                ) : null}
                {dispute.status === 'investigating' && dispute.kind === 'merchant_payment' ? (
                  <Button onClick={() => setDialog('ask-merchant')}>
                    {t('console.disputes.askMerchant')}
                  </Button>
                ) : null}
                {dispute.status === 'awaiting_merchant' ? (
                  <Button onClick={() => setDialog('merchant-answer')}>
                    {t('console.disputes.merchantAnswer')}
                  </Button>
                ) : null}
                {deciding ? (
                  <>
                    <Button type="primary" onClick={() => setDialog('refund')} data-testid="dispute-refund">
                      {t('console.disputes.refundAction')}
                    </Button>
                    <Button danger onClick={() => setDialog('reject')}>
                      {t('console.disputes.reject')}
                    </Button>
                  </>
                ) : null}
              </Space>
            )}
            {dispute.status === 'opened' ? (
              <Typography.Paragraph type="secondary" className="dispute-hint">
                {t('console.disputes.takeFirst')}
              </Typography.Paragraph>
            ) : null}
          </Card>
        ) : null}
      </Space>
      <StepDialog
        kind={dialog}
        dispute={dispute}
        pending={step.isPending}
        error={dialog ? step.error : null}
        onCancel={() => {
          setDialog(null);
          step.reset();
        }}
        onStep={(next, key) => step.mutate({ step: next, ...(key ? { key } : {}) })}
      />
    </div>
  );
}

function entryColor(entry: ConsoleTimelineEntry): string {
  if (entry.toStatus === 'resolved_refunded') return 'green';
  if (entry.toStatus === 'resolved_rejected' || entry.step === 'refund_failed') return 'red';
  if (entry.toStatus === 'withdrawn') return 'gray';
  return 'blue';
}

function stepTitle(t: (key: string) => string, entry: ConsoleTimelineEntry): string {
  const step = entry.step.startsWith('refund:') ? 'refund' : entry.step;
  return t(`console.disputes.step.${step}`);
}
