/**
 * 合作伙伴 (partners, the owner's), on the 开发者 page: the shop's own merchant id, to give a
 * platform that will act for it; grant a partner (by its merchant id) what it may do — its keys
 * then act for this shop with `Qianbao-Merchant` — and the grants given, each revoked at once;
 * and, for a platform, the shops that granted it access. docs/developers.md "Partners", ADR 0023.
 */
import { TeamOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api/client.ts';
import { formatDateTime } from '../../lib/format.ts';
import {
  fetchPartnerGrants,
  fetchReceivedPartnerGrants,
  grantPartner,
  partnerKeys,
  revokePartnerGrant,
} from '../api.ts';
import type { ApiScope, PartnerGrant } from '../api.ts';
import { usePortal } from '../context.ts';
import { ScopeChoices, ScopeTags } from './scopes.tsx';
import { ErrorAlert, PortalLoadFailed } from '../parts.tsx';

interface GrantForm {
  partnerMerchantId: string;
  scopes: ApiScope[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function Partners() {
  const { t, i18n } = useTranslation();
  const { merchant } = usePortal();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<GrantForm>();
  const given = useQuery({
    queryKey: partnerKeys.given(merchant.id),
    queryFn: () => fetchPartnerGrants(merchant.id),
  });
  const received = useQuery({
    queryKey: partnerKeys.received(merchant.id),
    queryFn: () => fetchReceivedPartnerGrants(merchant.id),
  });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: partnerKeys.given(merchant.id) });
  const grant = useMutation({
    mutationFn: (values: GrantForm) =>
      grantPartner(merchant.id, {
        partnerMerchantId: values.partnerMerchantId.trim(),
        scopes: values.scopes,
      }),
    onSuccess: (made) => {
      form.resetFields();
      void message.success(t('portal.partners.granted', { name: made.partnerName }));
      refresh();
    },
  });
  const revoke = useMutation({
    mutationFn: (row: PartnerGrant) => revokePartnerGrant(merchant.id, row.id),
    onSuccess: (row) => {
      void message.success(t('portal.partners.revoked', { name: row.partnerName }));
      refresh();
    },
    onError: (error) => void message.error(errorMessage(error)),
  });
  const statusTag = (row: PartnerGrant) => (
    <Tag color={row.status === 'active' ? 'green' : 'red'}>{t(`portal.partners.state.${row.status}`)}</Tag>
  );

  return (
    <>
      <Card
        variant="borderless"
        className="portal-section"
        title={
          <Space>
            <TeamOutlined aria-hidden />
            {t('portal.partners.title')}
          </Space>
        }
      >
        <Typography.Paragraph type="secondary">{t('portal.partners.intro')}</Typography.Paragraph>
        <Typography.Paragraph>
          {t('portal.partners.ownId')}{' '}
          <Typography.Text
            className="portal-mono"
            data-testid="own-merchant-id"
            copyable={{ text: merchant.id }}
          >
            {merchant.id}
          </Typography.Text>
        </Typography.Paragraph>
        <Form<GrantForm>
          form={form}
          layout="vertical"
          requiredMark={false}
          initialValues={{ scopes: ['payments:write', 'read_only'] }}
          onFinish={(values) => grant.mutate(values)}
          aria-label={t('portal.partners.grantTitle')}
        >
          <Form.Item
            name="partnerMerchantId"
            label={t('portal.partners.partnerId')}
            extra={t('portal.partners.partnerIdHint')}
            rules={[
              {
                required: true,
                pattern: UUID,
                transform: (value: string | undefined) => value?.trim(),
                message: t('portal.partners.partnerIdInvalid'),
              },
            ]}
          >
            <Input className="portal-mono" placeholder="0193a5b2-7c4e-7d1a-9f3e-2b8c6d4e1f20" />
          </Form.Item>
          <Form.Item
            name="scopes"
            label={t('portal.partners.scopes')}
            rules={[
              { required: true, type: 'array', min: 1, message: t('portal.developers.scopesRequired') },
            ]}
          >
            <ScopeChoices />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" loading={grant.isPending}>
              {t('portal.partners.grant')}
            </Button>
          </Form.Item>
        </Form>
        <ErrorAlert error={grant.error} />
        {given.isError ? (
          <PortalLoadFailed error={given.error} onRetry={() => void given.refetch()} />
        ) : (
          <Table<PartnerGrant>
            data-testid="partner-grants-table"
            rowKey="id"
            size="middle"
            loading={given.isPending}
            pagination={false}
            dataSource={given.data ?? []}
            locale={{ emptyText: t('portal.partners.none') }}
            columns={[
              {
                title: t('portal.partners.partner'),
                key: 'partner',
                render: (_, row) => (
                  <Space orientation="vertical" size={0}>
                    {row.partnerName}
                    <Typography.Text type="secondary" className="portal-mono portal-small">
                      {row.partnerMerchantId}
                    </Typography.Text>
                  </Space>
                ),
              },
              {
                title: t('portal.partners.scopes'),
                dataIndex: 'scopes',
                render: (scopes: ApiScope[]) => <ScopeTags scopes={scopes} />,
              },
              { title: t('portal.developers.status'), key: 'status', render: (_, row) => statusTag(row) },
              {
                title: t('portal.partners.since'),
                dataIndex: 'createdAt',
                render: (value: string) => formatDateTime(value, i18n.language),
              },
              {
                title: '',
                key: 'actions',
                align: 'right',
                render: (_, row) =>
                  row.status === 'active' ? (
                    <Popconfirm
                      title={t('portal.partners.revokeConfirm', { name: row.partnerName })}
                      description={t('portal.partners.revokeNote')}
                      okText={t('portal.partners.revoke')}
                      okButtonProps={{ danger: true }}
                      cancelText={t('common.cancel')}
                      onConfirm={() => revoke.mutate(row)}
                    >
                      <Button
                        danger
                        type="link"
                        loading={revoke.isPending && revoke.variables?.id === row.id}
                      >
                        {t('portal.partners.revoke')}
                      </Button>
                    </Popconfirm>
                  ) : null,
              },
            ]}
          />
        )}
      </Card>

      <Card variant="borderless" className="portal-section" title={t('portal.partners.receivedTitle')}>
        <Typography.Paragraph type="secondary">{t('portal.partners.receivedIntro')}</Typography.Paragraph>
        {received.isError ? (
          <PortalLoadFailed error={received.error} onRetry={() => void received.refetch()} />
        ) : (
          <Table<PartnerGrant>
            data-testid="partner-grants-received-table"
            rowKey="id"
            size="middle"
            loading={received.isPending}
            pagination={false}
            dataSource={received.data ?? []}
            locale={{ emptyText: t('portal.partners.noneReceived') }}
            columns={[
              {
                title: t('portal.partners.merchant'),
                key: 'merchant',
                render: (_, row) => (
                  <Space orientation="vertical" size={0}>
                    {row.merchantName}
                    <Typography.Text
                      type="secondary"
                      className="portal-mono portal-small"
                      copyable={{ text: row.merchantId }}
                    >
                      Qianbao-Merchant: {row.merchantId}
                    </Typography.Text>
                  </Space>
                ),
              },
              {
                title: t('portal.partners.scopes'),
                dataIndex: 'scopes',
                render: (scopes: ApiScope[]) => <ScopeTags scopes={scopes} />,
              },
              { title: t('portal.developers.status'), key: 'status', render: (_, row) => statusTag(row) },
              {
                title: t('portal.partners.since'),
                dataIndex: 'createdAt',
                render: (value: string) => formatDateTime(value, i18n.language),
              },
            ]}
          />
        )}
      </Card>
    </>
  );
}
