/**
 * The holder page's dialogs: reveal (asks why, then shows the value until closed), freeze (mode
 * and reason) and unfreeze (reason). Each reason lands in the operator audit log.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Form, Input, Modal, Radio, Typography } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api/client.ts';
import { backOfficeKeys, freezeHolder, reveal, unfreezeHolder } from './api.ts';

export function RevealDialog(props: {
  userId: string;
  target: { field: 'idNumber' } | { field: 'cardNumber'; cardId: string; label: string } | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ reason: string }>();
  const revealing = useMutation({
    mutationFn: (reason: string) =>
      reveal(props.userId, {
        field: props.target!.field,
        ...(props.target?.field === 'cardNumber' ? { cardId: props.target.cardId } : {}),
        reason,
      }),
  });
  const open = props.target !== null;
  useEffect(() => {
    if (open) {
      form.resetFields();
      revealing.reset();
    }
  }, [open]);
  const shown = revealing.data;
  return (
    <Modal
      open={open}
      title={t(
        props.target?.field === 'cardNumber'
          ? 'console.holders.reveal.cardTitle'
          : 'console.holders.reveal.idTitle',
      )}
      okText={shown ? t('console.holders.reveal.done') : t('console.holders.reveal.submit')}
      cancelButtonProps={shown ? { style: { display: 'none' } } : {}}
      cancelText={t('console.holders.cancel')}
      okButtonProps={{ loading: revealing.isPending }}
      onCancel={props.onClose}
      onOk={() => (shown ? props.onClose() : form.submit())}
      destroyOnHidden
    >
      {shown ? (
        <div data-testid="revealed">
          <Typography.Paragraph type="secondary">
            {t('console.holders.reveal.shownNote')}
          </Typography.Paragraph>
          <Typography.Text className="backoffice-revealed" copyable>
            {shown.value}
          </Typography.Text>
          {!shown.complete ? (
            <Alert
              className="portal-alert"
              type="info"
              showIcon
              title={t('console.holders.reveal.partial')}
            />
          ) : null}
        </div>
      ) : (
        <>
          <Typography.Paragraph>{t('console.holders.reveal.intro')}</Typography.Paragraph>
          {revealing.isError ? (
            <Alert type="error" showIcon title={errorMessage(revealing.error)} role="alert" />
          ) : null}
          <Form form={form} layout="vertical" onFinish={(values) => revealing.mutate(values.reason.trim())}>
            <Form.Item
              name="reason"
              label={t('console.holders.reason')}
              rules={[
                { required: true, whitespace: true, message: t('console.holders.reasonRequired') },
                { min: 4, max: 200, message: t('console.holders.reveal.reasonLength') },
              ]}
            >
              <Input.TextArea rows={3} maxLength={200} showCount autoFocus />
            </Form.Item>
          </Form>
        </>
      )}
    </Modal>
  );
}

export function FreezeDialog(props: { userId: string; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ mode: 'full' | 'receive_only'; reason: string }>();
  const freezing = useMutation({
    mutationFn: (values: { mode: 'full' | 'receive_only'; reason: string }) =>
      freezeHolder(props.userId, values),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: backOfficeKeys.holder(props.userId) });
      props.onClose();
    },
  });
  useEffect(() => {
    if (props.open) {
      form.resetFields();
      freezing.reset();
    }
  }, [props.open]);
  return (
    <Modal
      open={props.open}
      title={t('console.holders.freeze.title')}
      okText={t('console.holders.freeze.submit')}
      okButtonProps={{ danger: true, loading: freezing.isPending }}
      cancelText={t('console.holders.cancel')}
      onCancel={props.onClose}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <Typography.Paragraph>{t('console.holders.freeze.intro')}</Typography.Paragraph>
      {freezing.isError ? (
        <Alert type="error" showIcon title={errorMessage(freezing.error)} role="alert" />
      ) : null}
      <Form
        form={form}
        layout="vertical"
        initialValues={{ mode: 'full' }}
        onFinish={(values) => freezing.mutate({ mode: values.mode, reason: values.reason.trim() })}
      >
        <Form.Item name="mode" label={t('console.holders.freeze.mode')}>
          <Radio.Group
            options={[
              { value: 'full', label: t('console.holders.freezeMode.full') },
              { value: 'receive_only', label: t('console.holders.freezeMode.receive_only') },
            ]}
          />
        </Form.Item>
        <ReasonField max={500} />
      </Form>
    </Modal>
  );
}

export function UnfreezeDialog(props: { userId: string; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ reason: string }>();
  const lifting = useMutation({
    mutationFn: (reason: string) => unfreezeHolder(props.userId, { reason }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: backOfficeKeys.holder(props.userId) });
      props.onClose();
    },
  });
  useEffect(() => {
    if (props.open) {
      form.resetFields();
      lifting.reset();
    }
  }, [props.open]);
  return (
    <Modal
      open={props.open}
      title={t('console.holders.unfreeze.title')}
      okText={t('console.holders.unfreeze.submit')}
      okButtonProps={{ loading: lifting.isPending }}
      cancelText={t('console.holders.cancel')}
      onCancel={props.onClose}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <Typography.Paragraph>{t('console.holders.unfreeze.intro')}</Typography.Paragraph>
      {lifting.isError ? (
        <Alert type="error" showIcon title={errorMessage(lifting.error)} role="alert" />
      ) : null}
      <Form form={form} layout="vertical" onFinish={(values) => lifting.mutate(values.reason.trim())}>
        <ReasonField max={500} />
      </Form>
    </Modal>
  );
}

function ReasonField(props: { max: number }) {
  const { t } = useTranslation();
  return (
    <Form.Item
      name="reason"
      label={t('console.holders.reason')}
      rules={[
        { required: true, whitespace: true, message: t('console.holders.reasonRequired') },
        { min: 2, max: props.max, message: t('console.holders.reasonLength', { max: props.max }) },
      ]}
    >
      <Input.TextArea rows={3} maxLength={props.max} showCount />
    </Form.Item>
  );
}
