/**
 * 配置: tier limits, password-free limits, fees and merchant discount rates (docs/approvals.md).
 * Every value in force with where it comes from and since when, what is scheduled, and a dialog to
 * propose a change (effective now or at a chosen time); below, the change requests, which another
 * operator approves or rejects. Needs `limits:configure`.
 */
import { SlidersOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Form,
  Input,
  InputNumber,
  Modal,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { TableProps } from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api/client.ts';
import { formatDateTime } from '../../lib/format.ts';
import { PortalLoadFailed } from '../../portal/parts.tsx';
import {
  approvalKeys,
  fetchConfiguration,
  newIdempotencyKey,
  proposeConfiguration,
} from '../approvals/api.ts';
import type { Change, SettingView } from '../approvals/api.ts';
import { ChangesCard } from '../approvals/parts.tsx';
import {
  FIELDS,
  familyOf,
  fenToYuan,
  settingName,
  valueParts,
  valueText,
  yuanToFen,
} from '../approvals/settings.ts';
import type { ConsolePage } from '../page.ts';

function Configuration() {
  const { t, i18n } = useTranslation();
  const settings = useQuery({ queryKey: approvalKeys.configuration, queryFn: fetchConfiguration });
  const [editing, setEditing] = useState<{ setting: string; value: Record<string, unknown> } | null>(null);
  const [newRate, setNewRate] = useState(false);
  const columns: TableProps<SettingView>['columns'] = [
    {
      title: t('console.configuration.settingLabel'),
      dataIndex: 'setting',
      width: 200,
      render: (setting: string) => <strong>{settingName(setting, t)}</strong>,
    },
    {
      title: t('console.configuration.value'),
      key: 'value',
      render: (_, row) => <ValueLines setting={row.setting} value={row.value} />,
    },
    {
      title: t('console.configuration.source'),
      key: 'source',
      width: 210,
      render: (_, row) =>
        row.source === 'change' ? (
          <Space orientation="vertical" size={0}>
            <Tag color="blue">{t('console.configuration.fromChange')}</Tag>
            <span className="approvals-checker">
              {t('console.configuration.since', {
                at: formatDateTime(row.effectiveAt ?? undefined, i18n.language),
              })}
            </span>
          </Space>
        ) : (
          <Tag>{t('console.configuration.fromDefault')}</Tag>
        ),
    },
    {
      title: t('console.configuration.scheduled'),
      key: 'scheduled',
      width: 240,
      render: (_, row) =>
        row.scheduled.length === 0
          ? '—'
          : row.scheduled.map((next) => (
              <div key={next.id} className="approvals-checker">
                {formatDateTime(next.effectiveAt, i18n.language)}:{' '}
                {valueText(row.setting, next.value, t, i18n.language)}
              </div>
            )),
    },
    {
      title: '',
      key: 'actions',
      width: 110,
      render: (_, row) => (
        <Button
          size="small"
          onClick={() => setEditing({ setting: row.setting, value: row.value })}
          aria-label={t('console.configuration.proposeFor', { name: settingName(row.setting, t) })}
        >
          {t('console.configuration.propose')}
        </Button>
      ),
    },
  ];
  return (
    <div className="approvals-page">
      <Typography.Title level={3}>{t('console.configuration.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('console.configuration.intro')}</Typography.Paragraph>
      <Space orientation="vertical" size="large" className="console-full">
        <Card
          variant="borderless"
          title={t('console.configuration.current')}
          extra={<Button onClick={() => setNewRate(true)}>{t('console.configuration.newRate')}</Button>}
        >
          {settings.isError ? (
            <PortalLoadFailed error={settings.error} onRetry={() => void settings.refetch()} />
          ) : (
            <Table<SettingView>
              data-testid="configuration-values"
              rowKey="setting"
              size="middle"
              loading={settings.isPending}
              columns={columns}
              dataSource={settings.data ?? []}
              pagination={false}
            />
          )}
        </Card>
        <Card variant="borderless" title={t('console.configuration.changes')}>
          <ChangesCard
            kind="configuration"
            testId="configuration-changes"
            describe={(change: Change) => (
              <Space orientation="vertical" size={0}>
                <strong>{settingName(change.setting ?? '', t)}</strong>
                <ChangedFields
                  setting={change.setting ?? ''}
                  value={change.value}
                  // a pending change is compared with the value in force now
                  current={
                    change.status === 'proposed'
                      ? (settings.data?.find((entry) => entry.setting === change.setting)?.value ?? null)
                      : null
                  }
                />
                <span className="approvals-checker">
                  {t('console.configuration.effectiveAt', {
                    at: formatDateTime(change.effectiveAt, i18n.language),
                  })}
                </span>
              </Space>
            )}
          />
        </Card>
      </Space>
      <ProposeDialog target={editing} onClose={() => setEditing(null)} />
      <NewRateDialog
        open={newRate}
        onClose={() => setNewRate(false)}
        onChosen={(setting) => {
          setNewRate(false);
          setEditing({ setting, value: { basisPoints: 38 } });
        }}
      />
    </div>
  );
}

/**
 * What a change sets: against the value in force, only the fields it changes (old → new);
 * without one (a decided change, a new merchant's rate), every field.
 */
function ChangedFields(props: {
  setting: string;
  value: Record<string, unknown> | null;
  current: Record<string, unknown> | null;
}) {
  const { t, i18n } = useTranslation();
  const next = valueParts(props.setting, props.value, t, i18n.language);
  if (!props.current) {
    return <span className="approvals-value">{valueText(props.setting, props.value, t, i18n.language)}</span>;
  }
  const now = valueParts(props.setting, props.current, t, i18n.language);
  const changed = next.filter((part, index) => part.text !== now[index]?.text);
  if (changed.length === 0) return <span>{t('console.configuration.unchanged')}</span>;
  return (
    <span className="approvals-value" data-testid="changed-fields">
      {changed
        .map(
          (part) => `${part.label} ${now.find((old) => old.label === part.label)?.text ?? ''} → ${part.text}`,
        )
        .join(' · ')}
    </span>
  );
}

/** A value as short label–text lines (tier limits have six). */
function ValueLines(props: { setting: string; value: Record<string, unknown> }) {
  const { t, i18n } = useTranslation();
  return (
    <dl className="approvals-lines">
      {valueParts(props.setting, props.value, t, i18n.language).map((part) => (
        <div key={part.label}>
          <dt>{part.label}</dt>
          <dd>{part.text}</dd>
        </div>
      ))}
    </dl>
  );
}

export const page: ConsolePage = {
  path: 'configuration',
  title: 'console.menu.configuration',
  permission: 'limits:configure',
  order: 60,
  icon: <SlidersOutlined />,
  component: Configuration,
};

type FormValues = Record<string, string | number | boolean | null | Dayjs | undefined> & {
  reason?: string;
  effectiveAt?: Dayjs | null;
};

/** The form of one setting, prefilled with the value in force; amounts in yuan. */
function ProposeDialog(props: {
  target: { setting: string; value: Record<string, unknown> } | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<FormValues>();
  const [key, setKey] = useState(newIdempotencyKey);
  const target = props.target;
  const fields = target ? FIELDS[familyOf(target.setting)] : [];
  useEffect(() => {
    if (!target) return;
    setKey(newIdempotencyKey());
    const initial: FormValues = { reason: '', effectiveAt: null };
    for (const field of FIELDS[familyOf(target.setting)]) {
      const value = target.value[field.name];
      if (field.type === 'flag') initial[field.name] = Boolean(value);
      else if (field.type === 'basisPoints') initial[field.name] = Number(value ?? 0);
      else initial[field.name] = typeof value === 'string' ? fenToYuan(value) : '';
    }
    form.setFieldsValue(initial);
  }, [target, form]);
  const propose = useMutation({
    mutationFn: (values: FormValues) => {
      const value: Record<string, unknown> = {};
      for (const field of fields) {
        const entered = values[field.name];
        if (field.type === 'flag') value[field.name] = Boolean(entered);
        else if (field.type === 'basisPoints') value[field.name] = Number(entered);
        else if (field.type === 'limit' && (entered === '' || entered === null || entered === undefined))
          value[field.name] = null;
        else value[field.name] = yuanToFen(String(entered));
      }
      return proposeConfiguration({
        setting: target!.setting,
        value,
        ...(values.effectiveAt ? { effectiveAt: values.effectiveAt.toISOString() } : {}),
        reason: String(values.reason ?? '').trim(),
        idempotencyKey: key,
      });
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: approvalKeys.all });
      void message.success(t('console.configuration.proposed'));
      props.onClose();
    },
  });
  return (
    <Modal
      open={target !== null}
      title={target ? t('console.configuration.proposeTitle', { name: settingName(target.setting, t) }) : ''}
      okText={t('console.configuration.submit')}
      okButtonProps={{ loading: propose.isPending }}
      cancelText={t('console.approvals.cancel')}
      onCancel={() => {
        propose.reset();
        props.onClose();
      }}
      onOk={() => form.submit()}
      forceRender
    >
      <Typography.Paragraph type="secondary">{t('console.configuration.proposeIntro')}</Typography.Paragraph>
      {propose.isError ? (
        <Alert type="error" showIcon title={errorMessage(propose.error)} role="alert" />
      ) : null}
      <Form form={form} layout="vertical" onFinish={(values) => propose.mutate(values)}>
        {fields.map((field) =>
          field.type === 'flag' ? (
            <Form.Item
              key={field.name}
              name={field.name}
              label={t(`console.configuration.field.${field.name}`)}
              valuePropName="checked"
            >
              <Switch />
            </Form.Item>
          ) : field.type === 'basisPoints' ? (
            <Form.Item
              key={field.name}
              name={field.name}
              label={t('console.configuration.field.basisPoints')}
              extra={t('console.configuration.basisPointsHelp')}
              rules={[{ required: true, message: t('console.configuration.required') }]}
            >
              <InputNumber min={0} max={10000} precision={0} className="console-full" />
            </Form.Item>
          ) : (
            <Form.Item
              key={field.name}
              name={field.name}
              label={t(`console.configuration.field.${field.name}`)}
              extra={field.type === 'limit' ? t('console.configuration.limitHelp') : undefined}
              rules={[
                {
                  validator: (_, value: string | undefined) =>
                    (field.type === 'limit' && (value === '' || value === undefined)) ||
                    yuanToFen(String(value ?? '')) !== null
                      ? Promise.resolve()
                      : Promise.reject(new Error(t('console.configuration.amountInvalid'))),
                },
              ]}
            >
              <Input prefix="¥" inputMode="decimal" autoComplete="off" />
            </Form.Item>
          ),
        )}
        <Form.Item
          name="effectiveAt"
          label={t('console.configuration.effectiveAtLabel')}
          extra={t('console.configuration.effectiveAtHelp')}
        >
          <DatePicker showTime className="console-full" />
        </Form.Item>
        <Form.Item
          name="reason"
          label={t('console.configuration.reason')}
          rules={[{ required: true, whitespace: true, message: t('console.approvals.reasonRequired') }]}
        >
          <Input.TextArea rows={2} maxLength={500} showCount />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** A rate for one merchant category (MCC) or one merchant, which has no row yet. */
function NewRateDialog(props: { open: boolean; onClose: () => void; onChosen: (setting: string) => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ target: string }>();
  useEffect(() => {
    if (props.open) form.resetFields();
  }, [props.open, form]);
  return (
    <Modal
      open={props.open}
      title={t('console.configuration.newRate')}
      okText={t('console.configuration.next')}
      cancelText={t('console.approvals.cancel')}
      onCancel={props.onClose}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        onFinish={({ target }) =>
          props.onChosen(
            /^\d{4}$/.test(target.trim())
              ? `merchant_rate.mcc.${target.trim()}`
              : `merchant_rate.merchant.${target.trim().toLowerCase()}`,
          )
        }
      >
        <Form.Item
          name="target"
          label={t('console.configuration.rateTarget')}
          extra={t('console.configuration.rateTargetHelp')}
          rules={[
            {
              pattern:
                /^(\d{4}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/,
              message: t('console.configuration.rateTargetInvalid'),
            },
            { required: true, message: t('console.configuration.rateTargetInvalid') },
          ]}
        >
          <Input autoComplete="off" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
