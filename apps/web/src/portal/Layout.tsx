import {
  AccountBookOutlined,
  ApiOutlined,
  DashboardOutlined,
  LogoutOutlined,
  QrcodeOutlined,
  ShopOutlined,
  TeamOutlined,
  UnorderedListOutlined,
  UserOutlined,
  WalletOutlined,
} from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Layout, Menu, Result, Select, Space, Tag, Typography } from 'antd';
import type { MenuProps } from 'antd';
import { Suspense, lazy } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { Logo } from '../components/Logo.tsx';
import { fetchSignedInHolder, portalKeys } from './api.ts';
import type { Permission } from './api.ts';
import { usePortal } from './context.ts';
import { useMerchantStream } from './live.ts';
import { LanguageToggle, PortalLoading } from './parts.tsx';

// Each page its own chunk (tables, date pickers and charts are large): a cashier's till does not
// download the owner's dashboard.
const Dashboard = lazy(() =>
  import('./pages/Dashboard.tsx').then((module) => ({ default: module.Dashboard })),
);
const Cashier = lazy(() => import('./pages/Cashier.tsx').then((module) => ({ default: module.Cashier })));
const Orders = lazy(() => import('./pages/Orders.tsx').then((module) => ({ default: module.Orders })));
const Settlements = lazy(() =>
  import('./pages/Settlements.tsx').then((module) => ({ default: module.Settlements })),
);
const Poster = lazy(() => import('./pages/Poster.tsx').then((module) => ({ default: module.Poster })));
const Staff = lazy(() => import('./pages/Staff.tsx').then((module) => ({ default: module.Staff })));
const Developers = lazy(() =>
  import('./pages/Developers.tsx').then((module) => ({ default: module.Developers })),
);

interface Section {
  path: string;
  /** What the menu and the page need; the menu shows only what the person may use. */
  permission: Permission;
  icon: React.ReactNode;
  page: React.ReactNode;
}

const SECTIONS: Section[] = [
  {
    path: 'dashboard',
    permission: 'orders:read',
    icon: <DashboardOutlined aria-hidden />,
    page: <Dashboard />,
  },
  { path: 'cashier', permission: 'payments:create', icon: <WalletOutlined aria-hidden />, page: <Cashier /> },
  {
    path: 'orders',
    permission: 'orders:readToday',
    icon: <UnorderedListOutlined aria-hidden />,
    page: <Orders />,
  },
  {
    path: 'settlements',
    permission: 'payouts:create',
    icon: <AccountBookOutlined aria-hidden />,
    page: <Settlements />,
  },
  { path: 'poster', permission: 'payments:create', icon: <QrcodeOutlined aria-hidden />, page: <Poster /> },
  { path: 'staff', permission: 'merchant:manage', icon: <TeamOutlined aria-hidden />, page: <Staff /> },
  {
    path: 'developers',
    permission: 'merchant:manage',
    icon: <ApiOutlined aria-hidden />,
    page: <Developers />,
  },
];

export function PortalLayout() {
  const { t } = useTranslation();
  const { merchant } = usePortal();
  const location = useLocation();
  const navigate = useNavigate();
  useMerchantStream(merchant.id);

  const allowed = SECTIONS.filter((section) => merchant.permissions.includes(section.permission));
  const current = location.pathname.split('/')[2] ?? '';
  const menuLabel = (path: string) =>
    path === 'orders' && !merchant.permissions.includes('orders:read')
      ? t('portal.menu.ordersToday')
      : t(`portal.menu.${path}`);
  const items: MenuProps['items'] = allowed.map((section) => ({
    key: section.path,
    icon: section.icon,
    label: menuLabel(section.path),
  }));

  return (
    <Layout className="portal-layout">
      <Layout.Sider width={220} className="portal-sider" theme="light" breakpoint="lg" collapsedWidth={64}>
        <div className="portal-brand">
          <Logo size={32} />
          <span className="portal-brand-name">{t('portal.title')}</span>
        </div>
        <nav aria-label={t('portal.menu.label')}>
          <Menu
            mode="inline"
            selectedKeys={[current]}
            items={items}
            onClick={(item) => void navigate(`/merchant/${item.key}`)}
          />
        </nav>
      </Layout.Sider>
      <Layout>
        <PortalHeader />
        <Layout.Content className="portal-content">
          <Suspense fallback={<PortalLoading />}>
            <Routes>
              {allowed[0] ? (
                <Route index element={<Navigate to={allowed[0].path} replace />} />
              ) : (
                <Route index element={<NothingAllowed />} />
              )}
              {SECTIONS.map((section) => (
                <Route
                  key={section.path}
                  path={section.path}
                  element={merchant.permissions.includes(section.permission) ? section.page : <NotAllowed />}
                />
              ))}
              <Route path="*" element={<Navigate to="/merchant" replace />} />
            </Routes>
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

function PortalHeader() {
  const { t } = useTranslation();
  const { merchant, memberships, choose, signOut } = usePortal();
  const me = useQuery({ queryKey: portalKeys.me, queryFn: fetchSignedInHolder, staleTime: Infinity });
  return (
    <Layout.Header className="portal-header">
      <Space size="middle" className="portal-header-merchant">
        <ShopOutlined aria-hidden className="portal-header-icon" />
        <Typography.Title level={4} className="portal-merchant-name" data-testid="portal-merchant-name">
          {merchant.name}
        </Typography.Title>
        <Tag color={merchant.role === 'owner' ? 'gold' : 'blue'} data-testid="portal-role">
          {t(`portal.role.${merchant.role}`)}
        </Tag>
        {merchant.status !== 'active' ? (
          <Tag color="red">{t(`portal.merchantStatus.${merchant.status}`)}</Tag>
        ) : null}
      </Space>
      <Space size="middle">
        {memberships.length > 1 ? (
          <Select
            aria-label={t('portal.switchMerchant')}
            className="portal-switcher"
            value={merchant.id}
            onChange={choose}
            options={memberships.map((one) => ({
              value: one.id,
              label: `${one.name} · ${t(`portal.role.${one.role}`)}`,
            }))}
          />
        ) : null}
        <LanguageToggle />
        {me.data ? (
          <Typography.Text type="secondary" className="portal-me" title={t('portal.signedInAs')}>
            <UserOutlined aria-hidden /> <span className="portal-mono">{me.data.phone}</span>
          </Typography.Text>
        ) : null}
        <Button icon={<LogoutOutlined aria-hidden />} onClick={signOut}>
          {t('portal.signOut')}
        </Button>
      </Space>
    </Layout.Header>
  );
}

function NotAllowed() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <Result
      status="403"
      title={t('portal.notAllowed.title')}
      subTitle={t('portal.notAllowed.intro')}
      extra={
        <Button type="primary" onClick={() => void navigate('/merchant')}>
          {t('portal.notAllowed.back')}
        </Button>
      }
    />
  );
}

function NothingAllowed() {
  const { t } = useTranslation();
  return <Result status="info" title={t('portal.nothingAllowed')} />;
}
