/**
 * 调账: a manual credit or debit of a holder's wallet (docs/approvals.md). The maker finds the
 * holder by phone number, proposes the movement with a reason code and a note; another operator
 * approves it, and the money moves through the payments pipeline then (or the change shows
 * failed, e.g. a debit the wallet cannot cover). Needs `balances:adjust`.
 */
import { AccountBookOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Descriptions, Form, Input, Radio, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api/client.ts';
import { formatMoney } from '../../lib/format.ts';
import {
  ADJUSTMENT_REASONS,
  approvalKeys,
  findHolder,
  newIdempotencyKey,
  proposeAdjustment,
} from '../approvals/api.ts';
import type { AdjustmentReason, Change, HolderFound } from '../approvals/api.ts';
import { ChangesCard } from '../approvals/parts.tsx';
import { yuanToFen } from '../approvals/settings.ts';
import type { ConsolePage } from '../page.ts';

interface AdjustmentForm {
  direction: 'credit' | 'debit';
  amount: string;
  reasonCode: AdjustmentReason;
  note: string;
}

function Adjustments() {
  const { t, i18n } = useTranslation();
  return (
    <div className="approvals-page">
      <Typography.Title level={3}>{t('console.adjustments.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('console.adjustments.intro')}</Typography.Paragraph>
      <Space orientation="vertical" size="large" className="console-full">
        <ProposeCard />
        <Card variant="borderless" title={t('console.adjustments.changes')}>
          <ChangesCard
            kind="adjustment"
            testId="adjustment-changes"
            describe={(change: Change) => {
              const adjustment = change.adjustment;
              if (!adjustment) return null;
              return (
                <Space orientation="vertical" size={0}>
                  <strong className="approvals-value">
                    {t(`console.adjustments.direction.${adjustment.direction}`)}{' '}
                    {formatMoney(adjustment.amount, i18n.language)}
                  </strong>
                  <span>{t(`console.adjustments.reason.${adjustment.reasonCode}`)}</span>
                  <span className="approvals-checker">
                    {t('console.adjustments.holderId', { id: adjustment.userId.slice(-8) })}
                  </span>
                </Space>
              );
            }}
          />
        </Card>
      </Space>
    </div>
  );
}

export const page: ConsolePage = {
  path: 'adjustments',
  title: 'console.menu.adjustments',
  permission: 'balances:adjust',
  order: 65,
  icon: <AccountBookOutlined />,
  component: Adjustments,
};

function ProposeCard() {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [phone, setPhone] = useState('');
  const [holder, setHolder] = useState<HolderFound | null>(null);
  const [key, setKey] = useState(newIdempotencyKey);
  const [form] = Form.useForm<AdjustmentForm>();
  const lookup = useMutation({
    mutationFn: (number: string) => findHolder(number.replace(/\s+/g, '')),
    onSuccess: (found) => setHolder(found),
    onError: () => setHolder(null),
  });
  const propose = useMutation({
    mutationFn: (values: AdjustmentForm) =>
      proposeAdjustment({
        userId: holder!.userId,
        direction: values.direction,
        amount: { amount: yuanToFen(values.amount)!, currency: 'CNY' },
        reasonCode: values.reasonCode,
        note: values.note.trim(),
        idempotencyKey: key,
      }),
    onSuccess: async () => {
      setKey(newIdempotencyKey());
      form.resetFields();
      await queryClient.invalidateQueries({ queryKey: approvalKeys.all });
      void message.success(t('console.adjustments.proposed'));
    },
  });
  return (
    <Card variant="borderless" title={t('console.adjustments.propose')}>
      <Space.Compact className="approvals-holder">
        <Input
          aria-label={t('console.adjustments.phone')}
          placeholder={t('console.adjustments.phonePlaceholder')}
          value={phone}
          inputMode="tel"
          autoComplete="off"
          onChange={(event) => setPhone(event.target.value)}
          onPressEnter={() => lookup.mutate(phone)}
          style={{ width: 240 }}
        />
        <Button type="primary" loading={lookup.isPending} onClick={() => lookup.mutate(phone)}>
          {t('console.adjustments.find')}
        </Button>
      </Space.Compact>
      {lookup.isError ? (
        <Alert type="error" showIcon title={errorMessage(lookup.error)} role="alert" />
      ) : null}
      {holder ? (
        <>
          <Descriptions size="small" column={3} className="approvals-holder" data-testid="adjustment-holder">
            <Descriptions.Item label={t('console.adjustments.phone')}>{holder.phone}</Descriptions.Item>
            <Descriptions.Item label={t('console.adjustments.holder')}>
              <span className="approvals-value">{holder.userId.slice(-8)}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('console.adjustments.balance')}>
              {formatMoney(holder.balance, i18n.language)}
            </Descriptions.Item>
          </Descriptions>
          {propose.isError ? (
            <Alert type="error" showIcon title={errorMessage(propose.error)} role="alert" />
          ) : null}
          <Form<AdjustmentForm>
            form={form}
            layout="vertical"
            initialValues={{ direction: 'credit', reasonCode: 'goodwill' }}
            onFinish={(values) => propose.mutate(values)}
            style={{ maxWidth: 520 }}
          >
            <Form.Item name="direction" label={t('console.adjustments.directionLabel')}>
              <Radio.Group
                optionType="button"
                options={[
                  { value: 'credit', label: t('console.adjustments.direction.credit') },
                  { value: 'debit', label: t('console.adjustments.direction.debit') },
                ]}
              />
            </Form.Item>
            <Form.Item
              name="amount"
              label={t('console.adjustments.amount')}
              rules={[
                {
                  validator: (_, value: string | undefined) => {
                    const fen = yuanToFen(value ?? '');
                    return fen !== null && BigInt(fen) > 0n
                      ? Promise.resolve()
                      : Promise.reject(new Error(t('console.adjustments.amountInvalid')));
                  },
                },
              ]}
            >
              <Input prefix="¥" inputMode="decimal" autoComplete="off" />
            </Form.Item>
            <Form.Item name="reasonCode" label={t('console.adjustments.reasonLabel')}>
              <Select
                options={ADJUSTMENT_REASONS.map((reason) => ({
                  value: reason,
                  label: t(`console.adjustments.reason.${reason}`),
                }))}
              />
            </Form.Item>
            <Form.Item
              name="note"
              label={t('console.adjustments.note')}
              extra={t('console.adjustments.noteHelp')}
              rules={[{ required: true, whitespace: true, message: t('console.approvals.reasonRequired') }]}
            >
              <Input.TextArea rows={2} maxLength={500} showCount />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={propose.isPending}>
              {t('console.adjustments.submit')}
            </Button>
          </Form>
        </>
      ) : null}
    </Card>
  );
}
