/**
 * What 配置 and 调账 share: the list of change requests with the maker's name, and the checker's
 * approve / reject. An operator's own proposals show their buttons disabled (the server refuses
 * them too: APPROVAL_OWN_CHANGE); the maker may withdraw a proposal instead.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Form,
  Input,
  Modal,
  Popconfirm,
  Segmented,
  Space,
  Table,
  Tag,
  Tooltip,
} from 'antd';
import type { TableProps } from 'antd';
import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api/client.ts';
import { formatDateTime } from '../../lib/format.ts';
import { PortalLoadFailed } from '../../portal/parts.tsx';
import { useOperator } from '../api.ts';
import './approvals.css';
import { approvalKeys, cancelChange, decideChange, fetchChanges, newIdempotencyKey } from './api.ts';
import type { Change, ChangeKind, ChangeStatus } from './api.ts';

const STATUS_COLORS: Record<ChangeStatus, string> = {
  proposed: 'processing',
  approved: 'success',
  applied: 'success',
  rejected: 'error',
  failed: 'error',
  cancelled: 'default',
};

export function ChangeStatusTag(props: { status: ChangeStatus }) {
  const { t } = useTranslation();
  return <Tag color={STATUS_COLORS[props.status]}>{t(`console.approvals.status.${props.status}`)}</Tag>;
}

/**
 * The change requests of one kind: pending first by default, every status on demand. `describe`
 * renders what a change does (the setting and value, or the holder and amount).
 */
export function ChangesCard(props: {
  kind: ChangeKind;
  describe: (change: Change) => ReactNode;
  testId: string;
}) {
  const { t, i18n } = useTranslation();
  const operator = useOperator();
  const [filter, setFilter] = useState<'proposed' | 'all'>('proposed');
  const changes = useQuery({
    queryKey: approvalKeys.list(props.kind, filter),
    queryFn: () => fetchChanges(props.kind, filter),
    refetchInterval: 15_000,
  });
  const columns: TableProps<Change>['columns'] = [
    {
      title: t('console.approvals.createdAt'),
      dataIndex: 'createdAt',
      width: 150,
      render: (value: string) => formatDateTime(value, i18n.language),
    },
    { title: t('console.approvals.what'), key: 'what', render: (_, change) => props.describe(change) },
    { title: t('console.approvals.reason'), dataIndex: 'reason', ellipsis: true },
    {
      title: t('console.approvals.maker'),
      key: 'maker',
      render: (_, change) => (
        <span data-testid="change-maker">
          {change.maker.displayName}
          {change.maker.id === operator.id ? ` (${t('console.approvals.you')})` : ''}
        </span>
      ),
    },
    {
      title: t('console.approvals.statusLabel'),
      key: 'status',
      render: (_, change) => (
        <Space orientation="vertical" size={0}>
          <ChangeStatusTag status={change.status} />
          {change.checker ? (
            <span className="approvals-checker">
              {t('console.approvals.checkedBy', { name: change.checker.displayName })}
            </span>
          ) : null}
          {change.failureCode ? (
            <span className="approvals-failure">
              {t(`errors.${change.failureCode}`, { defaultValue: change.failureCode })}
            </span>
          ) : null}
        </Space>
      ),
    },
    {
      title: t('console.approvals.actions'),
      key: 'actions',
      width: 230,
      render: (_, change) => (change.status === 'proposed' ? <Decision change={change} /> : null),
    },
  ];
  return (
    <>
      <Segmented<'proposed' | 'all'>
        className="approvals-filter"
        aria-label={t('console.approvals.filter')}
        value={filter}
        onChange={setFilter}
        options={[
          { value: 'proposed', label: t('console.approvals.pending') },
          { value: 'all', label: t('console.approvals.all') },
        ]}
      />
      {changes.isError ? (
        <PortalLoadFailed error={changes.error} onRetry={() => void changes.refetch()} />
      ) : (
        <Table<Change>
          data-testid={props.testId}
          rowKey="id"
          size="middle"
          loading={changes.isPending}
          columns={columns}
          dataSource={changes.data ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          locale={{ emptyText: t('console.approvals.empty') }}
        />
      )}
    </>
  );
}

/** Approve / reject for a checker; withdraw for the maker, whose approve stays disabled. */
function Decision(props: { change: Change }) {
  const { t } = useTranslation();
  const operator = useOperator();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [rejecting, setRejecting] = useState(false);
  const { change } = props;
  const own = change.maker.id === operator.id;
  const settle = async (done: Change) => {
    setRejecting(false);
    // Said at once; the list then refetches (and this row, decided, leaves the pending list).
    if (done.status === 'failed') {
      void message.error(
        t('console.approvals.failed', {
          reason: t(`errors.${done.failureCode ?? ''}`, { defaultValue: done.failureCode ?? '' }),
        }),
      );
    } else {
      void message.success(t(`console.approvals.done.${done.status}`));
    }
    await queryClient.invalidateQueries({ queryKey: approvalKeys.all });
  };
  const decide = useMutation({
    mutationFn: (input: { decision: 'approve' | 'reject'; reason?: string }) =>
      // The button is busy while a decision is on its way; and of any number of decisions of a
      // change the server lets exactly one count.
      decideChange({ kind: change.kind, id: change.id, ...input, idempotencyKey: newIdempotencyKey() }),
    onSuccess: settle,
    onError: async (error) => {
      void message.error(errorMessage(error));
      await queryClient.invalidateQueries({ queryKey: approvalKeys.all });
    },
  });
  const cancel = useMutation({
    mutationFn: () => cancelChange(change.kind, change.id),
    onSuccess: settle,
    onError: (error) => void message.error(errorMessage(error)),
  });
  const ownHint = t('console.approvals.ownChange');
  return (
    <Space wrap>
      <Tooltip title={own ? ownHint : undefined}>
        <Popconfirm
          title={t('console.approvals.approveConfirm')}
          okText={t('console.approvals.approve')}
          cancelText={t('console.approvals.cancel')}
          disabled={own}
          onConfirm={() => decide.mutate({ decision: 'approve' })}
        >
          <Button
            type="primary"
            size="small"
            disabled={own}
            loading={decide.isPending && !rejecting}
            data-testid="approve-change"
          >
            {t('console.approvals.approve')}
          </Button>
        </Popconfirm>
      </Tooltip>
      <Tooltip title={own ? ownHint : undefined}>
        <Button size="small" danger disabled={own} onClick={() => setRejecting(true)}>
          {t('console.approvals.reject')}
        </Button>
      </Tooltip>
      {own ? (
        <Popconfirm
          title={t('console.approvals.withdrawConfirm')}
          okText={t('console.approvals.withdraw')}
          cancelText={t('console.approvals.cancel')}
          onConfirm={() => cancel.mutate()}
        >
          <Button size="small" type="link" loading={cancel.isPending}>
            {t('console.approvals.withdraw')}
          </Button>
        </Popconfirm>
      ) : null}
      <RejectDialog
        open={rejecting}
        pending={decide.isPending}
        error={rejecting ? decide.error : null}
        onCancel={() => {
          setRejecting(false);
          decide.reset();
        }}
        onReject={(reason) => decide.mutate({ decision: 'reject', reason })}
      />
    </Space>
  );
}

function RejectDialog(props: {
  open: boolean;
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
      title={t('console.approvals.rejectTitle')}
      okText={t('console.approvals.reject')}
      okButtonProps={{ danger: true, loading: props.pending }}
      cancelText={t('console.approvals.cancel')}
      onCancel={props.onCancel}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      {props.error ? <Alert type="error" showIcon title={errorMessage(props.error)} role="alert" /> : null}
      <Form form={form} layout="vertical" onFinish={(values) => props.onReject(values.reason.trim())}>
        <Form.Item
          name="reason"
          label={t('console.approvals.rejectReason')}
          rules={[{ required: true, whitespace: true, message: t('console.approvals.reasonRequired') }]}
        >
          <Input.TextArea rows={3} maxLength={500} showCount autoFocus />
        </Form.Item>
      </Form>
    </Modal>
  );
}
