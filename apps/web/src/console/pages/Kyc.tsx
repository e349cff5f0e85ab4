/**
 * 实名审核: holders' ID documents for T3 (docs/kyc.md). The queue (pending first, oldest first;
 * decided ones on demand) and one review: the holder's masked real name and tier, the three
 * images (each view is audited by the server), approve (the holder's tier rises to T3) or reject
 * with a reason the holder reads. Needs `kyc:review`.
 */
import { SafetyCertificateOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Card, Descriptions, Image, Space } from 'antd';
import type { TableProps } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Route, Routes, useNavigate, useParams } from 'react-router';
import { formatDateTime } from '../../lib/format.ts';
import { PortalLoadFailed, PortalLoading } from '../../portal/parts.tsx';
import type { ConsolePage } from '../page.ts';
import {
  REVIEW_STATUSES,
  decideKycReview,
  fetchKycReview,
  fetchKycReviews,
  kycDocumentUrl,
  reviewKeys,
} from '../review/api.ts';
import type { KycDocument, KycReview, ReviewStatus } from '../review/api.ts';
import {
  DecisionCard,
  DocumentsCard,
  RejectDialog,
  ReviewHeader,
  ReviewQueue,
  StatusTag,
  shortId,
} from '../review/parts.tsx';

function Kyc() {
  return (
    <Routes>
      <Route index element={<Queue />} />
      <Route path=":id" element={<ReviewView />} />
    </Routes>
  );
}

export const page: ConsolePage = {
  path: 'kyc',
  title: 'console.menu.kyc',
  permission: 'kyc:review',
  order: 20,
  icon: <SafetyCertificateOutlined />,
  component: Kyc,
};

function Queue() {
  const { t, i18n } = useTranslation();
  const [status, setStatus] = useState<ReviewStatus>('pending');
  const reviews = useQuery({
    queryKey: reviewKeys.kycList(status),
    queryFn: () => fetchKycReviews(status),
    refetchInterval: 15_000,
  });
  const columns: TableProps<KycReview>['columns'] = [
    {
      title: t('console.kyc.submittedAt'),
      dataIndex: 'submittedAt',
      render: (value: string) => formatDateTime(value, i18n.language),
    },
    {
      title: t('console.kyc.holder'),
      dataIndex: 'userId',
      render: (value: string) => (
        <span className="review-mono" title={value}>
          {shortId(value)}
        </span>
      ),
    },
    { title: t('console.kyc.name'), key: 'name', render: (_, row) => row.realName?.name ?? '—' },
    {
      title: t('console.kyc.idNumber'),
      key: 'idNumber',
      render: (_, row) => <span className="review-mono">{row.realName?.idNumber ?? '—'}</span>,
    },
    { title: t('console.kyc.tier'), dataIndex: 'tier' },
    {
      title: t('console.kyc.statusLabel'),
      dataIndex: 'status',
      render: (value: ReviewStatus) => <StatusTag status={value} prefix="console.kyc.status" />,
    },
    ...(status === 'rejected'
      ? [{ title: t('console.kyc.reason'), dataIndex: 'reason', ellipsis: true } as const]
      : []),
  ];
  return (
    <ReviewQueue<ReviewStatus, KycReview>
      ns="console.kyc"
      statuses={REVIEW_STATUSES}
      status={status}
      onStatus={setStatus}
      query={reviews}
      columns={columns}
      testId="kyc-reviews"
      emptyText={t(`console.kyc.empty.${status}`)}
      rowLabel={(row) => t('console.kyc.open', { name: row.realName?.name ?? shortId(row.userId) })}
    />
  );
}

const KIND_ORDER = ['id_front', 'id_back', 'selfie'];
const byKind = (a: KycDocument, b: KycDocument) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind);

function ReviewView() {
  const { t, i18n } = useTranslation();
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [rejecting, setRejecting] = useState(false);
  const review = useQuery({ queryKey: reviewKeys.kyc(id), queryFn: () => fetchKycReview(id) });
  const decide = useMutation({
    mutationFn: (decision: { decision: 'approve' } | { decision: 'reject'; reason: string }) =>
      decideKycReview(id, decision),
    onSuccess: async (decided) => {
      setRejecting(false);
      queryClient.setQueryData(reviewKeys.kyc(id), decided);
      await queryClient.invalidateQueries({ queryKey: ['console', 'kyc', 'list'] });
      void message.success(
        t(decided.status === 'approved' ? 'console.kyc.approved' : 'console.kyc.rejected'),
      );
      void navigate('/console/kyc');
    },
  });

  if (review.isPending) return <PortalLoading />;
  if (review.isError) return <PortalLoadFailed error={review.error} onRetry={() => void review.refetch()} />;
  const data = review.data;
  const pending = data.status === 'pending';
  return (
    <div className="review-page">
      <ReviewHeader
        ns="console.kyc"
        listPath="/console/kyc"
        crumb={t('console.kyc.one')}
        heading={t('console.kyc.one')}
        status={data.status}
      />
      <Space orientation="vertical" size="large" className="console-full">
        <Card variant="borderless" title={t('console.kyc.holderCard')}>
          <Descriptions column={{ xs: 1, md: 2 }} size="small">
            <Descriptions.Item label={t('console.kyc.name')}>{data.realName?.name ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('console.kyc.idNumber')}>
              <span className="review-mono">{data.realName?.idNumber ?? '—'}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('console.kyc.tier')}>
              <span data-testid="kyc-tier">{data.tier}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('console.kyc.holder')}>
              <span className="review-mono">{data.userId}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('console.kyc.submittedAt')}>
              {formatDateTime(data.submittedAt, i18n.language)}
            </Descriptions.Item>
            {data.decidedAt ? (
              <Descriptions.Item label={t('console.kyc.decidedAt')}>
                {formatDateTime(data.decidedAt, i18n.language)}
              </Descriptions.Item>
            ) : null}
            {data.reason ? (
              <Descriptions.Item label={t('console.kyc.reason')}>{data.reason}</Descriptions.Item>
            ) : null}
          </Descriptions>
        </Card>
        <DocumentsCard ns="console.kyc">
          <Image.PreviewGroup>
            <div className="review-documents">
              {[...data.documents].sort(byKind).map((document) => (
                <figure key={document.id} className="review-document">
                  <Image
                    src={kycDocumentUrl(data.id, document.id)}
                    alt={t(`console.kyc.kind.${document.kind}`)}
                    width="100%"
                  />
                  <figcaption>{t(`console.kyc.kind.${document.kind}`)}</figcaption>
                </figure>
              ))}
            </div>
          </Image.PreviewGroup>
        </DocumentsCard>
        {pending ? (
          <DecisionCard
            ns="console.kyc"
            error={rejecting ? null : decide.error}
            approving={decide.isPending && !rejecting}
            onApprove={() => decide.mutate({ decision: 'approve' })}
            onReject={() => setRejecting(true)}
          />
        ) : null}
      </Space>
      <RejectDialog
        open={rejecting}
        title={t('console.kyc.rejectTitle')}
        intro={t('console.kyc.rejectIntro')}
        pending={decide.isPending}
        error={rejecting ? decide.error : null}
        onCancel={() => {
          setRejecting(false);
          decide.reset();
        }}
        onReject={(reason) => decide.mutate({ decision: 'reject', reason })}
      />
    </div>
  );
}
