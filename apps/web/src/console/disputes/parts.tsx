/** The console's dispute pieces: the status tag and the dialog of each operator step. */
import { Alert, Form, Input, Modal, Radio, Tag } from 'antd';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api/client.ts';
import { parseYuan } from '../../api/money.ts';
import { formatMoney } from '../../lib/format.ts';
import { methodsOf } from './api.ts';
import type { ConsoleDispute, DisputeStatus, RefundMethod, Step } from './api.ts';

const STATUS_COLORS: Record<DisputeStatus, string> = {
  opened: 'gold',
  investigating: 'blue',
  awaiting_merchant: 'purple',
  refunding: 'cyan',
  resolved_refunded: 'green',
  resolved_rejected: 'red',
  withdrawn: 'default',
};

export function DisputeStatusTag(props: { status: DisputeStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATUS_COLORS[props.status]} data-testid="console-dispute-status">
      {t(`console.disputes.status.${props.status}`)}
    </Tag>
  );
}

export type DialogKind = 'ask-merchant' | 'merchant-answer' | 'reject' | 'refund';

interface Values {
  note?: string;
  accepts?: boolean;
  method?: RefundMethod;
  amount?: string;
  text?: string;
}

/**
 * One dialog for the steps that take words: ask the merchant, record its answer, reject, refund.
 * A refund's Idempotency-Key is made when the dialog opens, so pressing again after a lost answer
 * is the same refund.
 */
export function StepDialog(props: {
  kind: DialogKind | null;
  dispute: ConsoleDispute;
  pending: boolean;
  error: unknown;
  onCancel: () => void;
  onStep: (step: Step, idempotencyKey?: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const [form] = Form.useForm<Values>();
  const key = useRef('');
  const methods = methodsOf(props.dispute.kind);
  useEffect(() => {
    if (props.kind) {
      form.resetFields();
      key.current = crypto.randomUUID();
    }
  }, [props.kind, form]);
  // A refused refund was answered (and that answer is kept under its key): the next try is new.
  useEffect(() => {
    if (props.error) key.current = crypto.randomUUID();
  }, [props.error]);
  if (!props.kind) return null;
  const kind = props.kind;
  const textRules = [
    { required: true, whitespace: true, message: t('console.disputes.dialog.required') },
    { min: 2, max: 500, message: t('console.disputes.dialog.length') },
  ];
  const finish = (values: Values) => {
    const text = (values.text ?? '').trim();
    if (kind === 'ask-merchant') props.onStep({ path: kind, body: { note: text } });
    else if (kind === 'merchant-answer')
      props.onStep({ path: kind, body: { accepts: values.accepts ?? false, text } });
    else if (kind === 'reject') props.onStep({ path: kind, body: { reason: text } });
    else {
      const amount = values.amount?.trim() ? parseYuan(values.amount) : null;
      props.onStep(
        {
          path: 'refund',
          body: { method: values.method ?? methods[0]!, ...(amount ? { amount } : {}), reason: text },
        },
        key.current,
      );
    }
  };
  return (
    <Modal
      open
      title={t(`console.disputes.dialog.${kind}.title`)}
      okText={t(`console.disputes.dialog.${kind}.ok`)}
      okButtonProps={{ danger: kind === 'reject', loading: props.pending, id: 'dispute-dialog-ok' }}
      cancelText={t('console.disputes.dialog.cancel')}
      onCancel={props.onCancel}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <p>{t(`console.disputes.dialog.${kind}.intro`)}</p>
      {props.error ? <Alert type="error" showIcon title={errorMessage(props.error)} role="alert" /> : null}
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={{ method: methods[0], accepts: true }}
        onFinish={finish}
      >
        {kind === 'merchant-answer' ? (
          <Form.Item name="accepts" label={t('console.disputes.dialog.merchant-answer.accepts')}>
            <Radio.Group
              options={[
                { value: true, label: t('console.disputes.dialog.merchant-answer.yes') },
                { value: false, label: t('console.disputes.dialog.merchant-answer.no') },
              ]}
            />
          </Form.Item>
        ) : null}
        {kind === 'refund' ? (
          <>
            <Form.Item name="method" label={t('console.disputes.dialog.refund.method')}>
              <Radio.Group
                options={methods.map((method) => ({
                  value: method,
                  label: t(`console.disputes.method.${method}`),
                }))}
              />
            </Form.Item>
            <Form.Item
              name="amount"
              label={t('console.disputes.dialog.refund.amount')}
              extra={t('console.disputes.dialog.refund.amountHint', {
                amount: formatMoney(props.dispute.amount, i18n.language),
              })}
              rules={[
                {
                  validator: (_, value: string | undefined) => {
                    if (!value?.trim()) return Promise.resolve();
                    const parsed = parseYuan(value);
                    return parsed && BigInt(parsed.amount) <= BigInt(props.dispute.amount.amount)
                      ? Promise.resolve()
                      : Promise.reject(new Error(t('console.disputes.dialog.refund.amountInvalid')));
                  },
                },
              ]}
            >
              <Input
                inputMode="decimal"
                prefix="¥"
                placeholder={formatMoney(props.dispute.amount, i18n.language)}
              />
            </Form.Item>
          </>
        ) : null}
        <Form.Item name="text" label={t(`console.disputes.dialog.${kind}.text`)} rules={textRules}>
          <Input.TextArea rows={3} maxLength={500} showCount autoFocus data-testid="dispute-dialog-text" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
