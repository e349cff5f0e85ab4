/**
 * 操作员与权限: operator accounts (list, create — the password and the authenticator secret are
 * shown once —, change role, disable, reset the authenticator) and the roles matrix: which role
 * may take which back-office action, edited with checkboxes and a reason. Every change is in the
 * audit log. Needs `operators:manage`. docs/operator-console.md.
 */
import { TeamOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Descriptions,
  Form,
  Input,
  Modal,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import type { TableProps } from 'antd';
import QRCode from 'qrcode';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api/client.ts';
import { formatDateTime } from '../../lib/format.ts';
import { PortalLoadFailed, PortalLoading } from '../../portal/parts.tsx';
import { consoleKeys, consoleRequest, useOperator } from '../api.ts';
import type { ConsolePage } from '../page.ts';

const ROLES = ['admin', 'support', 'kyc_reviewer', 'risk', 'finance'] as const;
type Role = (typeof ROLES)[number];

interface OperatorAccount {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  createdAt: string;
  disabledAt: string | null;
  lockedUntil: string | null;
  lastSignInAt: string | null;
}

interface Enrolment {
  totpSecret: string;
  otpauthUri: string;
}

interface Created extends Enrolment {
  operator: { id: string; username: string; role: Role };
  password: string;
}

interface RoleMatrix {
  actions: string[];
  roles: { role: Role; actions: string[] }[];
}

const keys = {
  operators: ['console', 'operators', 'list'] as const,
  roles: ['console', 'operators', 'roles'] as const,
};

/** i18next reads `a:b` as namespace `a`: action keys use `_`. */
const actionKey = (action: string) => `console.operators.action.${action.replace(':', '_')}`;

function Operators() {
  const { t } = useTranslation();
  return (
    <div className="portal-page" data-testid="console-operators">
      <Typography.Title level={2} className="portal-page-title">
        {t('console.operators.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('console.operators.intro')}</Typography.Paragraph>
      <Tabs
        items={[
          { key: 'accounts', label: t('console.operators.tabs.accounts'), children: <Accounts /> },
          { key: 'roles', label: t('console.operators.tabs.roles'), children: <RolesMatrix /> },
        ]}
      />
    </div>
  );
}

export const page: ConsolePage = {
  path: 'operators',
  title: 'console.menu.operators',
  permission: 'operators:manage',
  order: 90,
  icon: <TeamOutlined />,
  component: Operators,
};

function Accounts() {
  const { t, i18n } = useTranslation();
  const me = useOperator();
  const list = useQuery({
    queryKey: keys.operators,
    queryFn: () => consoleRequest<{ operators: OperatorAccount[] }>('GET', '/v1/operator/operators'),
  });
  const [creating, setCreating] = useState(false);
  const [shown, setShown] = useState<{ title: string; username: string; password?: string } & Enrolment>();
  const [changing, setChanging] = useState<{
    kind: 'role' | 'disable' | 'totp' | 'passkeys';
    account: OperatorAccount;
  }>();

  if (list.isPending) return <PortalLoading />;
  if (list.isError) return <PortalLoadFailed error={list.error} onRetry={() => void list.refetch()} />;

  const columns: TableProps<OperatorAccount>['columns'] = [
    {
      title: t('console.operators.username'),
      dataIndex: 'username',
      render: (username: string, row) => (
        <Space orientation="vertical" size={0}>
          <strong>{row.displayName}</strong>
          <Typography.Text type="secondary">{username}</Typography.Text>
        </Space>
      ),
    },
    {
      title: t('console.operators.role'),
      dataIndex: 'role',
      width: 120,
      render: (role: Role) => (
        <Tag color={role === 'admin' ? 'red' : 'blue'}>{t(`console.role.${role}`)}</Tag>
      ),
    },
    {
      title: t('console.operators.status'),
      key: 'status',
      width: 120,
      render: (_, row) =>
        row.disabledAt ? (
          <Tag>{t('console.operators.disabled')}</Tag>
        ) : row.lockedUntil && new Date(row.lockedUntil) > new Date() ? (
          <Tag color="orange">{t('console.operators.locked')}</Tag>
        ) : (
          <Tag color="green">{t('console.operators.active')}</Tag>
        ),
    },
    {
      title: t('console.operators.lastSignIn'),
      dataIndex: 'lastSignInAt',
      width: 180,
      render: (at: string | null) => (at ? formatDateTime(at, i18n.language) : '—'),
    },
    {
      title: t('console.operators.actions'),
      key: 'actions',
      width: 260,
      render: (_, row) =>
        row.id === me.id ? (
          <Typography.Text type="secondary">{t('console.operators.you')}</Typography.Text>
        ) : row.disabledAt ? null : (
          <Space size="small" wrap>
            <Button size="small" onClick={() => setChanging({ kind: 'role', account: row })}>
              {t('console.operators.changeRole')}
            </Button>
            <Button size="small" onClick={() => setChanging({ kind: 'totp', account: row })}>
              {t('console.operators.resetTotp')}
            </Button>
            <Button size="small" onClick={() => setChanging({ kind: 'passkeys', account: row })}>
              {t('console.operators.removePasskeys')}
            </Button>
            <Button size="small" danger onClick={() => setChanging({ kind: 'disable', account: row })}>
              {t('console.operators.disable')}
            </Button>
          </Space>
        ),
    },
  ];

  return (
    <Card
      variant="borderless"
      title={t('console.operators.listTitle')}
      extra={
        <Button type="primary" onClick={() => setCreating(true)}>
          {t('console.operators.create')}
        </Button>
      }
    >
      <Table
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={list.data.operators}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        data-testid="operators-table"
      />
      <CreateDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(created) => {
          setCreating(false);
          setShown({
            title: t('console.operators.createdTitle', { username: created.operator.username }),
            username: created.operator.username,
            password: created.password,
            totpSecret: created.totpSecret,
            otpauthUri: created.otpauthUri,
          });
        }}
      />
      {changing ? (
        <ChangeDialog
          kind={changing.kind}
          account={changing.account}
          onClose={() => setChanging(undefined)}
          onEnrolment={(enrolment) =>
            setShown({
              title: t('console.operators.resetTitle', { username: changing.account.username }),
              username: changing.account.username,
              ...enrolment,
            })
          }
        />
      ) : null}
      {shown ? <ShownOnce {...shown} onClose={() => setShown(undefined)} /> : null}
    </Card>
  );
}

interface CreateValues {
  username: string;
  displayName?: string;
  role: Role;
}

function CreateDialog(props: { open: boolean; onClose: () => void; onCreated: (created: Created) => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<CreateValues>();
  const create = useMutation({
    mutationFn: (values: CreateValues) =>
      consoleRequest<Created>('POST', '/v1/operator/operators', { body: values }),
    onSuccess: async (created) => {
      form.resetFields();
      await queryClient.invalidateQueries({ queryKey: keys.operators });
      props.onCreated(created);
    },
  });
  return (
    <Modal
      open={props.open}
      title={t('console.operators.createTitle')}
      okText={t('console.operators.createSubmit')}
      cancelText={t('console.operators.cancel')}
      confirmLoading={create.isPending}
      onOk={() => form.submit()}
      onCancel={props.onClose}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={{ role: 'support' }}
        onFinish={(values) => create.mutate(values)}
        requiredMark={false}
      >
        {create.isError ? (
          <Alert type="error" showIcon title={errorMessage(create.error)} role="alert" />
        ) : null}
        <Form.Item
          name="username"
          label={t('console.operators.username')}
          extra={t('console.operators.usernameHelp')}
          rules={[
            {
              required: true,
              pattern: /^[a-zA-Z][a-zA-Z0-9._-]{2,31}$/,
              message: t('console.operators.usernameInvalid'),
            },
          ]}
        >
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="displayName" label={t('console.operators.displayName')} rules={[{ max: 64 }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="role" label={t('console.operators.role')} rules={[{ required: true }]}>
          <Select options={ROLES.map((role) => ({ value: role, label: t(`console.role.${role}`) }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function ChangeDialog(props: {
  kind: 'role' | 'disable' | 'totp' | 'passkeys';
  account: OperatorAccount;
  onClose: () => void;
  onEnrolment: (enrolment: Enrolment) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ role: Role; reason: string }>();
  const { kind, account } = props;
  const change = useMutation({
    mutationFn: async (values: { role: Role; reason: string }) => {
      const base = `/v1/operator/operators/${account.id}`;
      if (kind === 'role')
        return consoleRequest('PUT', `${base}/role`, { body: { role: values.role, reason: values.reason } });
      if (kind === 'disable')
        return consoleRequest('POST', `${base}/disable`, { body: { reason: values.reason } });
      if (kind === 'passkeys')
        return consoleRequest('POST', `${base}/passkeys/remove`, { body: { reason: values.reason } });
      return consoleRequest<Enrolment>('POST', `${base}/totp-reset`, { body: { reason: values.reason } });
    },
    onSuccess: async (answer) => {
      await queryClient.invalidateQueries({ queryKey: keys.operators });
      props.onClose();
      if (kind === 'totp') props.onEnrolment(answer as Enrolment);
      else void message.success(t('console.operators.saved'));
    },
  });
  return (
    <Modal
      open
      title={t(`console.operators.${kind}Title`, { username: account.username })}
      okText={t(`console.operators.${kind}Submit`)}
      okButtonProps={{ danger: kind !== 'role' }}
      cancelText={t('console.operators.cancel')}
      confirmLoading={change.isPending}
      onOk={() => form.submit()}
      onCancel={props.onClose}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={{ role: account.role }}
        onFinish={(values) => change.mutate(values)}
        requiredMark={false}
      >
        {change.isError ? (
          <Alert type="error" showIcon title={errorMessage(change.error)} role="alert" />
        ) : null}
        <Typography.Paragraph type="secondary">{t(`console.operators.${kind}Intro`)}</Typography.Paragraph>
        {kind === 'role' ? (
          <Form.Item name="role" label={t('console.operators.role')}>
            <Select options={ROLES.map((role) => ({ value: role, label: t(`console.role.${role}`) }))} />
          </Form.Item>
        ) : null}
        <Form.Item
          name="reason"
          label={t('console.operators.reason')}
          rules={[
            { required: true, whitespace: true, max: 500, message: t('console.operators.reasonRequired') },
          ]}
        >
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** The password and the authenticator enrolment: shown here once, never again. */
function ShownOnce(
  props: { title: string; username: string; password?: string | undefined } & Enrolment & {
      onClose: () => void;
    },
) {
  const { t } = useTranslation();
  const [qr, setQr] = useState<string>();
  useEffect(() => {
    let live = true;
    void QRCode.toDataURL(props.otpauthUri, { errorCorrectionLevel: 'M', margin: 1, width: 200 }).then(
      (url) => {
        if (live) setQr(url);
      },
    );
    return () => {
      live = false;
    };
  }, [props.otpauthUri]);
  return (
    <Modal
      open
      title={props.title}
      footer={
        <Button type="primary" onClick={props.onClose}>
          {t('console.operators.shownDone')}
        </Button>
      }
      onCancel={props.onClose}
      maskClosable={false}
      width={560}
    >
      <Space orientation="vertical" size="middle" className="console-full" data-testid="operator-credentials">
        <Alert type="warning" showIcon title={t('console.operators.shownOnce')} />
        <Descriptions column={1} bordered size="small">
          <Descriptions.Item label={t('console.operators.username')}>{props.username}</Descriptions.Item>
          {props.password ? (
            <Descriptions.Item label={t('console.operators.password')}>
              <Typography.Text code copyable data-testid="new-password">
                {props.password}
              </Typography.Text>
            </Descriptions.Item>
          ) : null}
          <Descriptions.Item label={t('console.operators.totpSecret')}>
            <Typography.Text code copyable data-testid="new-totp-secret">
              {props.totpSecret}
            </Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label={t('console.operators.otpauthUri')}>
            <Typography.Text copyable={{ text: props.otpauthUri }} style={{ wordBreak: 'break-all' }}>
              {props.otpauthUri}
            </Typography.Text>
          </Descriptions.Item>
        </Descriptions>
        {qr ? (
          <Space align="center">
            <img src={qr} width={160} height={160} alt={t('console.operators.qrAlt')} />
            <Typography.Text type="secondary">{t('console.operators.qrHelp')}</Typography.Text>
          </Space>
        ) : null}
      </Space>
    </Modal>
  );
}

function RolesMatrix() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const matrix = useQuery({
    queryKey: keys.roles,
    queryFn: () => consoleRequest<RoleMatrix>('GET', '/v1/operator/roles'),
  });
  const [edited, setEdited] = useState<Record<string, Set<string>>>({});
  const [reason, setReason] = useState('');
  const saved = useMemo(
    () => Object.fromEntries((matrix.data?.roles ?? []).map((row) => [row.role, new Set(row.actions)])),
    [matrix.data],
  );
  const current = (role: string) => edited[role] ?? saved[role] ?? new Set<string>();
  const changedRoles = ROLES.filter((role) => {
    const now = edited[role];
    const before = saved[role];
    if (!now || !before) return false;
    return now.size !== before.size || [...now].some((action) => !before.has(action));
  });
  const save = useMutation({
    mutationFn: async () => {
      for (const role of changedRoles)
        await consoleRequest('PUT', `/v1/operator/roles/${role}`, {
          body: { actions: [...current(role)], reason: reason.trim() },
        });
    },
    onSuccess: async () => {
      setEdited({});
      setReason('');
      void message.success(t('console.operators.matrixSaved'));
      await queryClient.invalidateQueries({ queryKey: keys.roles });
      // the signed-in admin's own menu follows
      await queryClient.invalidateQueries({ queryKey: consoleKeys.me });
    },
    onError: async () => {
      await queryClient.invalidateQueries({ queryKey: keys.roles });
    },
  });

  if (matrix.isPending) return <PortalLoading />;
  if (matrix.isError) return <PortalLoadFailed error={matrix.error} onRetry={() => void matrix.refetch()} />;

  const toggle = (role: string, action: string, on: boolean) => {
    const next = new Set(current(role));
    if (on) next.add(action);
    else next.delete(action);
    setEdited((previous) => ({ ...previous, [role]: next }));
  };
  const columns: TableProps<{ action: string }>['columns'] = [
    {
      title: t('console.operators.actionColumn'),
      dataIndex: 'action',
      render: (action: string) => (
        <Space orientation="vertical" size={0}>
          <span>{t(actionKey(action))}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {action}
          </Typography.Text>
        </Space>
      ),
    },
    ...ROLES.map((role) => ({
      title: t(`console.role.${role}`),
      key: role,
      width: 90,
      align: 'center' as const,
      render: (_: unknown, row: { action: string }) => {
        const locked = role === 'admin' && row.action === 'operators:manage';
        return (
          <Checkbox
            checked={current(role).has(row.action)}
            disabled={locked}
            aria-label={`${t(`console.role.${role}`)} · ${row.action}`}
            onChange={(event) => toggle(role, row.action, event.target.checked)}
          />
        );
      },
    })),
  ];
  return (
    <Card variant="borderless" title={t('console.operators.matrixTitle')}>
      <Typography.Paragraph type="secondary">{t('console.operators.matrixIntro')}</Typography.Paragraph>
      <Table
        rowKey="action"
        size="small"
        columns={columns}
        dataSource={matrix.data.actions.map((action) => ({ action }))}
        pagination={false}
        data-testid="roles-matrix"
      />
      <Space orientation="vertical" className="console-full" style={{ marginTop: 16 }}>
        {save.isError ? <Alert type="error" showIcon title={errorMessage(save.error)} role="alert" /> : null}
        <Typography.Text>
          {changedRoles.length === 0
            ? t('console.operators.matrixNoChanges')
            : t('console.operators.matrixChanged', {
                roles: changedRoles.map((role) => t(`console.role.${role}`)).join('、'),
              })}
        </Typography.Text>
        <Space.Compact className="console-full">
          <Input
            value={reason}
            maxLength={500}
            onChange={(event) => setReason(event.target.value)}
            placeholder={t('console.operators.matrixReason')}
            aria-label={t('console.operators.reason')}
          />
          <Button
            type="primary"
            disabled={changedRoles.length === 0 || reason.trim() === ''}
            loading={save.isPending}
            onClick={() => save.mutate()}
          >
            {t('console.operators.matrixSave')}
          </Button>
        </Space.Compact>
      </Space>
    </Card>
  );
}
