/**
 * 商户审核: company merchants' applications (docs/merchants.md, "Company merchants"). The queue
 * (pending first, oldest first; other statuses on demand) and one application: the company's
 * details, its business licence (an image shown, a PDF opened; each view audited by the server),
 * approve (it takes payments) or reject with a reason the owner reads. Needs `merchants:review`.
 */
import { ShopOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Descriptions, Image, Space } from 'antd';
import type { TableProps } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Route, Routes, useNavigate, useParams } from 'react-router';
import { formatDateTime } from '../../lib/format.ts';
import { PortalLoadFailed, PortalLoading } from '../../portal/parts.tsx';
import type { ConsolePage } from '../page.ts';
import {
  MERCHANT_STATUSES,
  companyDocumentUrl,
  decideCompany,
  fetchCompanies,
  fetchCompany,
  reviewKeys,
} from '../review/api.ts';
import type { CompanyApplication, MerchantStatus } from '../review/api.ts';
import {
  DecisionCard,
  DocumentsCard,
  RejectDialog,
  ReviewHeader,
  ReviewQueue,
  StatusTag,
} from '../review/parts.tsx';

function Merchants() {
  return (
    <Routes>
      <Route index element={<Queue />} />
      <Route path=":id" element={<ApplicationView />} />
    </Routes>
  );
}

export const page: ConsolePage = {
  path: 'merchants',
  title: 'console.menu.merchants',
  permission: 'merchants:review',
  order: 25,
  icon: <ShopOutlined />,
  component: Merchants,
};

function Queue() {
  const { t, i18n } = useTranslation();
  const [status, setStatus] = useState<MerchantStatus>('pending_review');
  const companies = useQuery({
    queryKey: reviewKeys.merchantList(status),
    queryFn: () => fetchCompanies(status),
    refetchInterval: 30_000,
  });
  const columns: TableProps<CompanyApplication>['columns'] = [
    {
      title: t('console.merchants.submittedAt'),
      dataIndex: 'submittedAt',
      render: (value: string) => formatDateTime(value, i18n.language),
    },
    { title: t('console.merchants.name'), dataIndex: 'name' },
    { title: t('console.merchants.legalName'), dataIndex: 'legalName' },
    {
      title: t('console.merchants.registrationNumber'),
      dataIndex: 'registrationNumber',
      render: (value: string) => <span className="review-mono">{value}</span>,
    },
    { title: t('console.merchants.city'), dataIndex: 'city' },
    {
      title: t('console.merchants.statusLabel'),
      dataIndex: 'status',
      render: (value: MerchantStatus) => <StatusTag status={value} prefix="console.merchants.status" />,
    },
  ];
  return (
    <ReviewQueue<MerchantStatus, CompanyApplication>
      ns="console.merchants"
      statuses={MERCHANT_STATUSES}
      status={status}
      onStatus={setStatus}
      query={companies}
      columns={columns}
      testId="merchant-applications"
      emptyText={t('console.merchants.empty')}
      rowLabel={(row) => t('console.merchants.open', { name: row.name })}
    />
  );
}

function ApplicationView() {
  const { t, i18n } = useTranslation();
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [rejecting, setRejecting] = useState(false);
  const application = useQuery({ queryKey: reviewKeys.merchant(id), queryFn: () => fetchCompany(id) });
  const decide = useMutation({
    mutationFn: (decision: { approve: boolean; reason?: string }) => decideCompany(id, decision),
    onSuccess: async (decided) => {
      setRejecting(false);
      queryClient.setQueryData(reviewKeys.merchant(id), decided);
      await queryClient.invalidateQueries({ queryKey: ['console', 'merchants', 'list'] });
      void message.success(
        t(decided.status === 'active' ? 'console.merchants.approved' : 'console.merchants.rejected'),
      );
      void navigate('/console/merchants');
    },
  });

  if (application.isPending) return <PortalLoading />;
  if (application.isError)
    return <PortalLoadFailed error={application.error} onRetry={() => void application.refetch()} />;
  const data = application.data;
  return (
    <div className="review-page">
      <ReviewHeader
        ns="console.merchants"
        listPath="/console/merchants"
        crumb={data.name}
        heading={data.name}
        status={data.status}
      />
      <Space orientation="vertical" size="large" className="console-full">
        <Card variant="borderless" title={t('console.merchants.company')}>
          <Descriptions column={{ xs: 1, md: 2 }} size="small">
            <Descriptions.Item label={t('console.merchants.legalName')}>{data.legalName}</Descriptions.Item>
            <Descriptions.Item label={t('console.merchants.registrationNumber')}>
              <span className="review-mono">{data.registrationNumber}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('console.merchants.representative')}>
              {data.representative}
            </Descriptions.Item>
            <Descriptions.Item label={t('console.merchants.name')}>{data.name}</Descriptions.Item>
            <Descriptions.Item label={t('console.merchants.city')}>{data.city}</Descriptions.Item>
            <Descriptions.Item label={t('console.merchants.mcc')}>
              <span className="review-mono">{data.mcc}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('console.merchants.submittedAt')}>
              {formatDateTime(data.submittedAt, i18n.language)}
            </Descriptions.Item>
            {data.decidedAt ? (
              <Descriptions.Item label={t('console.merchants.decidedAt')}>
                {formatDateTime(data.decidedAt, i18n.language)}
              </Descriptions.Item>
            ) : null}
            {data.reason ? (
              <Descriptions.Item label={t('console.merchants.reason')}>{data.reason}</Descriptions.Item>
            ) : null}
          </Descriptions>
        </Card>
        <DocumentsCard ns="console.merchants">
          <div className="review-documents">
            {data.documents.map((document) => {
              const url = companyDocumentUrl(data.id, document.id);
              return (
                <figure key={document.id} className="review-document">
                  {document.contentType.startsWith('image/') ? (
                    <Image src={url} alt={t('console.merchants.licence')} width="100%" />
                  ) : (
                    <Button href={url} target="_blank" rel="noopener">
                      {t('console.merchants.openPdf')}
                    </Button>
                  )}
                  <figcaption>
                    {t('console.merchants.licence')} · {Math.ceil(document.bytes / 1024)} KB
                  </figcaption>
                </figure>
              );
            })}
          </div>
        </DocumentsCard>
        {data.status === 'pending_review' ? (
          <DecisionCard
            ns="console.merchants"
            error={rejecting ? null : decide.error}
            approving={decide.isPending && !rejecting}
            onApprove={() => decide.mutate({ approve: true })}
            onReject={() => setRejecting(true)}
          />
        ) : null}
      </Space>
      <RejectDialog
        open={rejecting}
        title={t('console.merchants.rejectTitle')}
        intro={t('console.merchants.rejectIntro')}
        pending={decide.isPending}
        error={rejecting ? decide.error : null}
        onCancel={() => {
          setRejecting(false);
          decide.reset();
        }}
        onReject={(reason) => decide.mutate({ approve: false, reason })}
      />
    </div>
  );
}
