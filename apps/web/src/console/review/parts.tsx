/**
 * Pieces the review pages (实名审核, 商户审核) share: status tags, the queue, the detail header, the
 * documents card, the decision card and the reject-with-a-reason dialog.
 */
import type { UseQueryResult } from '@tanstack/react-query';
import {
  Alert,
  Breadcrumb,
  Button,
  Card,
  Form,
  Input,
  Modal,
  Popconfirm,
  Segmented,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { TableProps } from 'antd';
import { useEffect } from 'react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { errorMessage } from '../../api/client.ts';
import { PortalLoadFailed } from '../../portal/parts.tsx';
import './review.css';

const STATUS_COLORS: Record<string, string> = {
  pending: 'processing',
  pending_review: 'processing',
  approved: 'success',
  active: 'success',
  rejected: 'error',
  suspended: 'warning',
};

/** `prefix`: the i18n key of the statuses, e.g. `console.kyc.status`. */
export function StatusTag(props: { status: string; prefix: string }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATUS_COLORS[props.status] ?? 'default'}>
      {t(`${props.prefix}.${props.status}`, { defaultValue: props.status })}
    </Tag>
  );
}

export function shortId(id: string): string {
  return id.slice(-8);
}

/** A rejection needs a reason the applicant reads (2–500 characters). */
export function RejectDialog(props: {
  open: boolean;
  title: string;
  intro: string;
  pending: boolean;
  error: unknown;
  onCancel: () => void;
  onReject: (reason: string) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ reason: string }>();
  useEffect(() => {
    if (props.open) form.resetFields();
  }, [props.open, form]);
  return (
    <Modal
      open={props.open}
      title={props.title}
      okText={t('console.review.rejectConfirm')}
      okButtonProps={{ danger: true, loading: props.pending }}
      cancelText={t('console.review.cancel')}
      onCancel={props.onCancel}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <p>{props.intro}</p>
      {props.error ? <Alert type="error" showIcon title={errorMessage(props.error)} role="alert" /> : null}
      <Form form={form} layout="vertical" onFinish={(values) => props.onReject(values.reason.trim())}>
        <Form.Item
          name="reason"
          label={t('console.review.reason')}
          rules={[
            { required: true, whitespace: true, message: t('console.review.reasonRequired') },
            { min: 2, max: 500, message: t('console.review.reasonLength') },
          ]}
        >
          <Input.TextArea rows={4} maxLength={500} showCount autoFocus />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/**
 * A review queue: the page's title and intro, a status filter and the table (a row opens on click
 * or Enter). `ns`: the page's i18n namespace, e.g. `console.kyc` (uses `.title`, `.intro`,
 * `.statusLabel`, `.status.<value>`).
 */
export function ReviewQueue<S extends string, T extends { id: string }>(props: {
  ns: string;
  statuses: readonly S[];
  status: S;
  onStatus: (status: S) => void;
  query: UseQueryResult<T[]>;
  columns: TableProps<T>['columns'];
  testId: string;
  emptyText: string;
  rowLabel: (row: T) => string;
}) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { ns, query } = props;
  return (
    <div className="review-page">
      <Typography.Title level={3}>{t(`${ns}.title`)}</Typography.Title>
      <Typography.Paragraph type="secondary">{t(`${ns}.intro`)}</Typography.Paragraph>
      <Card variant="borderless">
        <Segmented<S>
          className="review-filter"
          aria-label={t(`${ns}.statusLabel`)}
          value={props.status}
          onChange={props.onStatus}
          options={props.statuses.map((value) => ({ value, label: t(`${ns}.status.${value}`) }))}
        />
        {query.isError ? (
          <PortalLoadFailed error={query.error} onRetry={() => void query.refetch()} />
        ) : (
          <Table<T>
            data-testid={props.testId}
            rowKey="id"
            size="middle"
            loading={query.isPending}
            columns={props.columns}
            dataSource={query.data ?? []}
            pagination={false}
            rowClassName="review-row"
            locale={{ emptyText: props.emptyText }}
            onRow={(row) => ({
              onClick: () => void navigate(row.id),
              onKeyDown: (event) => {
                if (event.key === 'Enter') void navigate(row.id);
              },
              tabIndex: 0,
              'aria-label': props.rowLabel(row),
            })}
          />
        )}
      </Card>
    </div>
  );
}

/** The breadcrumb back to the queue and the heading with the status. */
export function ReviewHeader(props: {
  ns: string;
  listPath: string;
  crumb: ReactNode;
  heading: ReactNode;
  status: string;
}) {
  const { t } = useTranslation();
  return (
    <>
      <Breadcrumb
        items={[{ title: <Link to={props.listPath}>{t(`${props.ns}.title`)}</Link> }, { title: props.crumb }]}
      />
      <Typography.Title level={3}>
        {props.heading} <StatusTag status={props.status} prefix={`${props.ns}.status`} />
      </Typography.Title>
    </>
  );
}

/** The documents card: `.documents` title, `.documentsIntro`, then the figures. */
export function DocumentsCard(props: { ns: string; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <Card variant="borderless" title={t(`${props.ns}.documents`)}>
      <Typography.Paragraph type="secondary">{t(`${props.ns}.documentsIntro`)}</Typography.Paragraph>
      {props.children}
    </Card>
  );
}

/** Approve (after a confirm) or open the reject dialog; `error` shows outside the dialog. */
export function DecisionCard(props: {
  ns: string;
  error: unknown;
  approving: boolean;
  onApprove: () => void;
  onReject: () => void;
}) {
  const { t } = useTranslation();
  const { ns } = props;
  return (
    <Card variant="borderless" title={t(`${ns}.decision`)}>
      <Typography.Paragraph>{t(`${ns}.decisionIntro`)}</Typography.Paragraph>
      {props.error ? <Alert type="error" showIcon title={errorMessage(props.error)} role="alert" /> : null}
      <Space className="review-actions">
        <Popconfirm
          title={t(`${ns}.approveConfirm`)}
          okText={t(`${ns}.approve`)}
          cancelText={t('console.review.cancel')}
          onConfirm={props.onApprove}
        >
          <Button type="primary" loading={props.approving}>
            {t(`${ns}.approve`)}
          </Button>
        </Popconfirm>
        <Button danger onClick={props.onReject}>
          {t(`${ns}.reject`)}
        </Button>
      </Space>
    </Card>
  );
}
