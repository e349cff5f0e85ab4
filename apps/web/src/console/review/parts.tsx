/** Pieces the review pages (实名审核, 商户审核) share: status tags and the reject-with-a-reason dialog. */
import { Alert, Form, Input, Modal, Tag } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api/client.ts';
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
