/**
 * 我的通行密钥: every signed-in operator's own passkeys (from the user menu in the header): add
 * one (named; the authenticator code of now first), see when each was added and last used, and
 * remove one. Adding and removing are in the audit log. docs/operator-console.md.
 */
import { KeyOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Form,
  Input,
  Modal,
  Popconfirm,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { TableProps } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api/client.ts';
import { formatDateTime } from '../../lib/format.ts';
import { PortalLoadFailed, PortalLoading } from '../../portal/parts.tsx';
import {
  MAX_PASSKEYS,
  addMyPasskey,
  fetchMyPasskeys,
  passkeyKeys,
  passkeysSupported,
  removeMyPasskey,
} from './api.ts';
import type { OperatorPasskey } from './api.ts';
import { passkeyErrorMessage } from './PasskeySignIn.tsx';

export function MyPasskeys() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [adding, setAdding] = useState(false);
  const list = useQuery({ queryKey: passkeyKeys.mine, queryFn: fetchMyPasskeys });
  const remove = useMutation({
    mutationFn: removeMyPasskey,
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: passkeyKeys.mine });
      void message.success(t('console.passkeys.removed'));
    },
    onError: (error) => void message.error(errorMessage(error)),
  });

  if (list.isPending) return <PortalLoading />;
  if (list.isError) return <PortalLoadFailed error={list.error} onRetry={() => void list.refetch()} />;
  const supported = passkeysSupported();
  const full = list.data.length >= MAX_PASSKEYS;

  const columns: TableProps<OperatorPasskey>['columns'] = [
    {
      title: t('console.passkeys.name'),
      dataIndex: 'name',
      render: (name: string, row) => (
        <Space size="small">
          <KeyOutlined aria-hidden />
          <span>{name}</span>
          {row.backedUp ? <Tag>{t('console.passkeys.synced')}</Tag> : null}
        </Space>
      ),
    },
    {
      title: t('console.passkeys.createdAt'),
      dataIndex: 'createdAt',
      width: 190,
      render: (at: string) => formatDateTime(at, i18n.language),
    },
    {
      title: t('console.passkeys.lastUsedAt'),
      dataIndex: 'lastUsedAt',
      width: 190,
      render: (at: string | null) =>
        at ? formatDateTime(at, i18n.language) : t('console.passkeys.neverUsed'),
    },
    {
      title: t('console.passkeys.actions'),
      key: 'actions',
      width: 120,
      render: (_, row) => (
        <Popconfirm
          title={t('console.passkeys.removeConfirm', { name: row.name })}
          okText={t('console.passkeys.remove')}
          cancelText={t('console.passkeys.cancel')}
          okButtonProps={{ danger: true }}
          onConfirm={() => remove.mutate(row.id)}
        >
          <Button size="small" danger aria-label={t('console.passkeys.removeNamed', { name: row.name })}>
            {t('console.passkeys.remove')}
          </Button>
        </Popconfirm>
      ),
    },
  ];

  return (
    <Card
      variant="borderless"
      title={t('console.passkeys.title')}
      extra={
        <Button type="primary" disabled={!supported || full} onClick={() => setAdding(true)}>
          {t('console.passkeys.add')}
        </Button>
      }
    >
      <Space orientation="vertical" size="middle" className="console-full">
        <Typography.Paragraph type="secondary">{t('console.passkeys.intro')}</Typography.Paragraph>
        {!supported ? (
          <Alert type="warning" showIcon title={t('console.passkeys.problem.unsupported')} />
        ) : null}
        {full ? (
          <Alert type="info" showIcon title={t('console.passkeys.full', { max: MAX_PASSKEYS })} />
        ) : null}
        <Table
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={list.data}
          pagination={false}
          locale={{ emptyText: t('console.passkeys.empty') }}
          data-testid="my-passkeys"
        />
      </Space>
      {adding ? <AddDialog onClose={() => setAdding(false)} /> : null}
    </Card>
  );
}

interface AddValues {
  name: string;
  totpCode: string;
}

function AddDialog(props: { onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<AddValues>();
  const add = useMutation({
    mutationFn: (values: AddValues) => addMyPasskey({ name: values.name.trim(), totpCode: values.totpCode }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: passkeyKeys.mine });
      props.onClose();
      void message.success(t('console.passkeys.added'));
    },
    // A used or wrong code: clear it, the person types the next one.
    onError: () => form.setFieldValue('totpCode', ''),
  });
  return (
    <Modal
      open
      title={t('console.passkeys.addTitle')}
      okText={t('console.passkeys.addSubmit')}
      cancelText={t('console.passkeys.cancel')}
      confirmLoading={add.isPending}
      onOk={() => form.submit()}
      onCancel={props.onClose}
      destroyOnHidden
    >
      <Form<AddValues>
        form={form}
        layout="vertical"
        requiredMark={false}
        onFinish={(values) => add.mutate(values)}
        aria-label={t('console.passkeys.addTitle')}
      >
        {add.isError ? (
          <Alert type="error" showIcon title={passkeyErrorMessage(add.error, t)} role="alert" />
        ) : null}
        <Typography.Paragraph type="secondary">{t('console.passkeys.addIntro')}</Typography.Paragraph>
        <Form.Item
          name="name"
          label={t('console.passkeys.name')}
          extra={t('console.passkeys.nameHelp')}
          rules={[{ required: true, whitespace: true, max: 64, message: t('console.passkeys.nameRequired') }]}
        >
          <Input maxLength={64} autoFocus />
        </Form.Item>
        <Form.Item
          name="totpCode"
          label={t('console.passkeys.totpCode')}
          extra={t('console.passkeys.totpHelp')}
          rules={[{ required: true, pattern: /^\d{6}$/, message: t('console.passkeys.totpInvalid') }]}
        >
          <Input inputMode="numeric" autoComplete="one-time-code" maxLength={6} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
