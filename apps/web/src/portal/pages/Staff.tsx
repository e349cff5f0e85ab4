/**
 * 店员: who works at the merchant (the owner first; names and phone numbers masked by the server),
 * adding a cashier by the phone number of their wallet, removing one. A cashier added can sign in
 * to this portal with their own wallet account at once; one removed is refused at their next call.
 */
import { UserAddOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, Popconfirm, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api/client.ts';
import { formatDateTime } from '../../lib/format.ts';
import { addCashier, fetchStaff, portalKeys, removeStaff } from '../api.ts';
import type { StaffMember } from '../api.ts';
import { usePortal } from '../context.ts';
import { staffPhone } from '../numbers.ts';
import { ErrorAlert, PortalLoadFailed } from '../parts.tsx';

export function Staff() {
  const { t, i18n } = useTranslation();
  const { merchant } = usePortal();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ phone: string }>();
  const staff = useQuery({ queryKey: portalKeys.staff(merchant.id), queryFn: () => fetchStaff(merchant.id) });
  const add = useMutation({
    mutationFn: (phone: string) => addCashier(merchant.id, phone),
    onSuccess: (member) => {
      form.resetFields();
      void message.success(t('portal.staff.added', { name: member.name }));
      void queryClient.invalidateQueries({ queryKey: portalKeys.staff(merchant.id) });
    },
  });
  const remove = useMutation({
    mutationFn: (member: StaffMember) => removeStaff(merchant.id, member.id),
    onSuccess: () => {
      void message.success(t('portal.staff.removed'));
      void queryClient.invalidateQueries({ queryKey: portalKeys.staff(merchant.id) });
    },
    // The row's button has no form to show it in.
    onError: (error) => void message.error(errorMessage(error)),
  });

  return (
    <div className="portal-page">
      <Typography.Title level={3} className="portal-page-title">
        {t('portal.staff.title')}
      </Typography.Title>
      <Card variant="borderless" title={t('portal.staff.addTitle')}>
        <Typography.Paragraph type="secondary">{t('portal.staff.addIntro')}</Typography.Paragraph>
        <Form<{ phone: string }>
          form={form}
          layout="inline"
          requiredMark={false}
          onFinish={(values) => add.mutate(staffPhone(values.phone)!)}
          aria-label={t('portal.staff.addTitle')}
        >
          <Form.Item
            name="phone"
            label={t('portal.staff.phone')}
            rules={[
              {
                validator: (_, value: string | undefined) =>
                  staffPhone(value ?? '')
                    ? Promise.resolve()
                    : Promise.reject(new Error(t('portal.staff.phoneInvalid'))),
              },
            ]}
          >
            <Input
              className="portal-phone-input"
              inputMode="tel"
              autoComplete="off"
              maxLength={16}
              placeholder={t('portal.staff.phonePlaceholder')}
              aria-label={t('portal.staff.phone')}
            />
          </Form.Item>
          <Form.Item>
            <Button
              type="primary"
              htmlType="submit"
              icon={<UserAddOutlined aria-hidden />}
              loading={add.isPending}
            >
              {t('portal.staff.add')}
            </Button>
          </Form.Item>
        </Form>
        <ErrorAlert error={add.error} />
      </Card>
      <Card variant="borderless" title={t('portal.staff.listTitle')} className="portal-section">
        {staff.isError ? (
          <PortalLoadFailed error={staff.error} onRetry={() => void staff.refetch()} />
        ) : (
          <Table<StaffMember>
            data-testid="staff-table"
            rowKey="id"
            size="middle"
            loading={staff.isPending}
            pagination={false}
            dataSource={staff.data ?? []}
            columns={[
              { title: t('portal.staff.name'), dataIndex: 'name' },
              {
                title: t('portal.staff.phone'),
                dataIndex: 'phone',
                render: (value: string) => <span className="portal-mono">{value}</span>,
              },
              {
                title: t('portal.staff.role'),
                dataIndex: 'role',
                render: (value: StaffMember['role']) => (
                  <Tag color={value === 'owner' ? 'gold' : 'blue'}>{t(`portal.role.${value}`)}</Tag>
                ),
              },
              {
                title: t('portal.staff.addedAt'),
                dataIndex: 'addedAt',
                render: (value: string) => formatDateTime(value, i18n.language),
              },
              {
                title: '',
                key: 'actions',
                align: 'right',
                render: (_, member) =>
                  member.role === 'owner' ? null : (
                    <Popconfirm
                      title={t('portal.staff.removeConfirm', { name: member.name, phone: member.phone })}
                      description={t('portal.staff.removeNote')}
                      okText={t('portal.staff.remove')}
                      okButtonProps={{ danger: true }}
                      cancelText={t('common.cancel')}
                      onConfirm={() => remove.mutate(member)}
                    >
                      <Button
                        danger
                        type="link"
                        loading={remove.isPending && remove.variables?.id === member.id}
                      >
                        {t('portal.staff.remove')}
                      </Button>
                    </Popconfirm>
                  ),
              },
            ]}
          />
        )}
      </Card>
    </div>
  );
}
