/**
 * 运营后台: the operator console for bank staff, on a computer (antd; its own chunk, loaded only
 * when /console is opened). Operators are not wallet holders: they sign in here with a username,
 * a password and their authenticator's code — or with a passkey instead — and get the
 * `qb_operator` cookie. The menu is the
 * pages this operator's permissions allow (GET /v1/operator/me), read from the server; the server
 * checks the same permission again on every call. docs/operator-console.md.
 *
 * Pages are found, not listed: every `pages/*.tsx` exporting `page: ConsolePage` (page.ts).
 */
import {
  DownOutlined,
  KeyOutlined,
  LockOutlined,
  LogoutOutlined,
  SafetyOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  ConfigProvider,
  Divider,
  Dropdown,
  Form,
  Input,
  Layout,
  Menu,
  Result,
  Space,
  Tag,
  Typography,
} from 'antd';
import type { MenuProps } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { errorMessage, isApiError } from '../api/client.ts';
import { BRAND_RED } from '../brand.ts';
import { Logo } from '../components/Logo.tsx';
import i18n from '../i18n/index.ts';
import { LanguageToggle, PortalLoadFailed, PortalLoading } from '../portal/parts.tsx';
import '../portal/portal.css';
import './console.css';
import {
  OperatorContext,
  consoleKeys,
  fetchOperator,
  onConsoleSignedOut,
  operatorView,
  signIn,
  signOut,
} from './api.ts';
import type { OperatorView } from './api.ts';
import type { ConsolePage } from './page.ts';
import { MyPasskeys } from './passkeys/MyPasskeys.tsx';
import { PasskeySignIn } from './passkeys/PasskeySignIn.tsx';

// The console's strings: i18n/console/*.{zh-CN,en}.json, one pair per page, merged in here so
// the wallet's first screen never downloads them.
const BUNDLES = import.meta.glob<Record<string, unknown>>('../i18n/console/*.json', {
  eager: true,
  import: 'default',
});
for (const [file, bundle] of Object.entries(BUNDLES)) {
  i18n.addResourceBundle(file.endsWith('.en.json') ? 'en' : 'zh-CN', 'translation', bundle, true, false);
}

const PAGES: ConsolePage[] = Object.values(
  import.meta.glob<ConsolePage>('./pages/*.tsx', { eager: true, import: 'page' }),
)
  .filter((page): page is ConsolePage => page !== undefined)
  .sort((a, b) => a.order - b.order || a.path.localeCompare(b.path));

const FONT_FAMILY =
  "-apple-system, BlinkMacSystemFont, 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', " +
  "'Noto Sans CJK SC', 'Noto Sans SC', 'Segoe UI', Roboto, sans-serif";

export default function Console() {
  const { i18n: current } = useTranslation();
  const english = current.language === 'en';
  useEffect(() => {
    document.documentElement.classList.add('qb-portal');
    return () => document.documentElement.classList.remove('qb-portal');
  }, []);
  useEffect(() => {
    dayjs.locale(english ? 'en' : 'zh-cn');
  }, [english]);
  return (
    <ConfigProvider
      locale={english ? enUS : zhCN}
      theme={{ token: { colorPrimary: BRAND_RED, colorLink: BRAND_RED, fontFamily: FONT_FAMILY } }}
      button={{ autoInsertSpace: false }}
    >
      <AntApp>
        <ConsoleGate />
      </AntApp>
    </ConfigProvider>
  );
}

/** Signed in? Then the console; else its sign-in. */
function ConsoleGate() {
  const queryClient = useQueryClient();
  const me = useQuery({ queryKey: consoleKeys.me, queryFn: fetchOperator, retry: false, staleTime: 60_000 });
  useEffect(() => {
    onConsoleSignedOut(() => queryClient.setQueryData(consoleKeys.me, null));
    return () => onConsoleSignedOut(undefined);
  }, [queryClient]);
  const operator = useMemo(() => (me.data ? operatorView(me.data) : null), [me.data]);

  if (me.isPending) return <PortalLoading />;
  if (me.isError && !isApiError(me.error, 'UNAUTHORIZED') && !isApiError(me.error, 'SESSION_EXPIRED'))
    return <PortalLoadFailed error={me.error} onRetry={() => void me.refetch()} />;
  if (!operator) return <SignIn />;
  return (
    <OperatorContext.Provider value={operator}>
      <ConsoleLayout operator={operator} />
    </OperatorContext.Provider>
  );
}

interface SignInValues {
  username: string;
  password: string;
  totpCode: string;
}

function SignIn() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<SignInValues>();
  const signedIn = async () => {
    // Another operator's pages may have been open in this browser: forget them, read who we are.
    queryClient.removeQueries({
      predicate: (query) => query.queryKey[0] === 'console' && query.queryKey[1] !== 'me',
    });
    await queryClient.resetQueries({ queryKey: consoleKeys.me });
  };
  const login = useMutation({
    mutationFn: signIn,
    onSuccess: signedIn,
    // A used or wrong code: clear it, the person types the next one.
    onError: () => form.setFieldValue('totpCode', ''),
  });
  return (
    <main className="console-sign-in">
      <Card className="console-sign-in-card">
        <Space orientation="vertical" size="large" className="console-full">
          <Space align="center">
            <Logo size={36} />
            <Typography.Title level={3} className="console-title">
              {t('console.title')}
            </Typography.Title>
          </Space>
          <Typography.Text type="secondary">{t('console.signIn.intro')}</Typography.Text>
          {login.isError ? (
            <Alert type="error" showIcon title={errorMessage(login.error)} role="alert" />
          ) : null}
          <Form<SignInValues>
            form={form}
            layout="vertical"
            requiredMark={false}
            onFinish={(values) => login.mutate(values)}
            aria-label={t('console.signIn.title')}
          >
            <Form.Item
              name="username"
              label={t('console.signIn.username')}
              rules={[{ required: true, message: t('console.signIn.usernameRequired') }]}
            >
              <Input prefix={<UserOutlined aria-hidden />} autoComplete="username" autoFocus />
            </Form.Item>
            <Form.Item
              name="password"
              label={t('console.signIn.password')}
              rules={[{ required: true, message: t('console.signIn.passwordRequired') }]}
            >
              <Input.Password prefix={<LockOutlined aria-hidden />} autoComplete="current-password" />
            </Form.Item>
            <Form.Item
              name="totpCode"
              label={t('console.signIn.totpCode')}
              extra={t('console.signIn.totpHelp')}
              rules={[{ required: true, pattern: /^\d{6}$/, message: t('console.signIn.totpInvalid') }]}
            >
              <Input
                prefix={<SafetyOutlined aria-hidden />}
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={6}
              />
            </Form.Item>
            <Button type="primary" htmlType="submit" block size="large" loading={login.isPending}>
              {t('console.signIn.submit')}
            </Button>
          </Form>
          <Divider plain>{t('console.passkeys.or')}</Divider>
          <PasskeySignIn
            username={() => form.getFieldValue('username') as string | undefined}
            onSignedIn={signedIn}
          />
          <div className="console-sign-in-language">
            <LanguageToggle />
          </div>
        </Space>
      </Card>
    </main>
  );
}

function ConsoleLayout({ operator }: { operator: OperatorView }) {
  const { t } = useTranslation();
  const location = useLocation();
  const navigate = useNavigate();
  const allowed = PAGES.filter((page) => page.permission === null || operator.can(page.permission));
  const current = location.pathname.split('/')[2] ?? '';
  const items: MenuProps['items'] = allowed.map((page) => ({
    key: page.path,
    icon: page.icon,
    label: t(page.title),
  }));
  return (
    <Layout className="portal-layout">
      <Layout.Sider width={220} className="portal-sider" theme="light" breakpoint="lg" collapsedWidth={64}>
        <div className="portal-brand console-brand">
          <Logo size={32} />
          <span className="portal-brand-name">{t('console.title')}</span>
        </div>
        <nav aria-label={t('console.menu.label')}>
          <Menu
            mode="inline"
            selectedKeys={[current]}
            items={items}
            onClick={(item) => void navigate(`/console/${item.key}`)}
          />
        </nav>
      </Layout.Sider>
      <Layout>
        <ConsoleHeader operator={operator} />
        <Layout.Content className="portal-content">
          <Routes>
            {allowed[0] ? (
              <Route index element={<Navigate to={allowed[0].path} replace />} />
            ) : (
              <Route index element={<Result status="info" title={t('console.nothingAllowed')} />} />
            )}
            {PAGES.map((page) => (
              <Route
                key={page.path}
                path={`${page.path}/*`}
                element={
                  page.permission === null || operator.can(page.permission) ? (
                    <page.component />
                  ) : (
                    <NotAllowed />
                  )
                }
              />
            ))}
            <Route path="me/passkeys" element={<MyPasskeys />} />
            <Route path="*" element={<Navigate to="/console" replace />} />
          </Routes>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

function ConsoleHeader({ operator }: { operator: OperatorView }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const leave = useMutation({
    mutationFn: signOut,
    onSettled: () => {
      // The gate observes `me`: set it, never remove it (a removed query's observer hears nothing).
      queryClient.removeQueries({
        predicate: (query) => query.queryKey[0] === 'console' && query.queryKey[1] !== 'me',
      });
      queryClient.setQueryData(consoleKeys.me, null);
    },
  });
  return (
    <Layout.Header className="portal-header">
      <Space size="middle">
        <Typography.Title level={4} className="portal-merchant-name">
          {t('console.heading')}
        </Typography.Title>
      </Space>
      <Space size="middle">
        <LanguageToggle />
        {/* The user menu: what every operator has of their own, whatever their role. */}
        <Dropdown
          trigger={['click']}
          menu={{
            items: [
              { key: 'passkeys', icon: <KeyOutlined aria-hidden />, label: t('console.passkeys.menu') },
            ],
            onClick: () => void navigate('/console/me/passkeys'),
          }}
        >
          <Button type="text" data-testid="console-operator" aria-haspopup="menu">
            <UserOutlined aria-hidden /> {operator.displayName}{' '}
            <span className="portal-mono">({operator.username})</span>
            <DownOutlined aria-hidden />
          </Button>
        </Dropdown>
        <Tag color={operator.role === 'admin' ? 'gold' : 'blue'} data-testid="console-role">
          {t(`console.role.${operator.role}`)}
        </Tag>
        <Button
          icon={<LogoutOutlined aria-hidden />}
          onClick={() => leave.mutate()}
          loading={leave.isPending}
        >
          {t('console.signOut')}
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
      title={t('console.notAllowed.title')}
      subTitle={t('console.notAllowed.intro')}
      extra={
        <Button type="primary" onClick={() => void navigate('/console')}>
          {t('console.notAllowed.back')}
        </Button>
      }
    />
  );
}
