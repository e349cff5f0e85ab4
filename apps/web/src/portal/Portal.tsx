/**
 * 商户后台: the merchant portal, on a computer (antd; loaded only when /merchant is opened, so the
 * wallet's first screen never downloads it). Staff are wallet holders: the wallet's session signs
 * them in, and the merchant they act for is chosen here (remembered on this browser) and named on
 * every call. What the menu offers follows the person's permissions at that merchant
 * (GET /v1/me/merchant), never the name of their role. docs/merchants.md, "Merchant portal".
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, Card, ConfigProvider, Result, Typography } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { isApiError } from '../api/client.ts';
import { signOut as endSession } from '../api/identity.ts';
import { hasSignedIn, markSignedOut } from '../auth/session.ts';
import { BRAND_RED } from '../brand.ts';
import { Logo } from '../components/Logo.tsx';
import {
  fetchMemberships,
  fetchPortalMerchant,
  onPortalSignedOut,
  portalKeys,
  rememberMerchant,
  rememberedMerchant,
} from './api.ts';
import type { MerchantMembership } from './api.ts';
import { PortalContext } from './context.ts';
import type { PortalContextValue } from './context.ts';
import { PortalLayout } from './Layout.tsx';
import { LanguageToggle, PortalLoadFailed, PortalLoading } from './parts.tsx';
import './portal.css';

const FONT_FAMILY =
  "-apple-system, BlinkMacSystemFont, 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', " +
  "'Noto Sans CJK SC', 'Noto Sans SC', 'Segoe UI', Roboto, sans-serif";

export function Portal() {
  const { i18n } = useTranslation();
  const english = i18n.language === 'en';
  // The wallet's page is a phone-width column; the portal uses the whole window.
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
      // "收款", not "收 款": antd spaces out two-character Chinese labels by default.
      button={{ autoInsertSpace: false }}
    >
      <AntApp>
        <PortalGate />
      </AntApp>
    </ConfigProvider>
  );
}

/** Signed in? At which merchants? Then the chosen merchant's portal. */
function PortalGate() {
  const queryClient = useQueryClient();
  const [signedIn, setSignedIn] = useState(hasSignedIn);

  const signedOut = useCallback(() => {
    markSignedOut();
    rememberMerchant(null);
    setSignedIn(false);
  }, []);
  useEffect(() => {
    onPortalSignedOut(signedOut);
    return () => onPortalSignedOut(undefined);
  }, [signedOut]);

  const signOut = useCallback(() => {
    void endSession()
      .catch(() => undefined)
      .finally(signedOut);
  }, [signedOut]);

  const memberships = useQuery({
    queryKey: portalKeys.memberships,
    queryFn: fetchMemberships,
    enabled: signedIn,
  });

  if (!signedIn) return <SignInCard />;
  if (memberships.isPending) return <PortalLoading />;
  if (memberships.isError) {
    return (
      <CentredPage>
        <PortalLoadFailed error={memberships.error} onRetry={() => void memberships.refetch()} />
      </CentredPage>
    );
  }
  if (memberships.data.length === 0) return <NoMerchant onSignOut={signOut} />;
  return (
    <ChosenMerchant
      memberships={memberships.data}
      onSignOut={signOut}
      onGone={() => void queryClient.invalidateQueries({ queryKey: portalKeys.memberships })}
    />
  );
}

function ChosenMerchant(props: {
  memberships: MerchantMembership[];
  onSignOut: () => void;
  onGone: () => void;
}) {
  const { memberships, onSignOut, onGone } = props;
  const navigate = useNavigate();
  const [chosen, setChosen] = useState<string>(() => {
    const remembered = rememberedMerchant();
    return memberships.find((one) => one.id === remembered)?.id ?? memberships[0]!.id;
  });
  // Removed from the one remembered (or it was closed): the first of those left.
  const merchantId = memberships.some((one) => one.id === chosen) ? chosen : memberships[0]!.id;
  useEffect(() => rememberMerchant(merchantId), [merchantId]);

  const merchant = useQuery({
    queryKey: portalKeys.merchant(merchantId),
    queryFn: () => fetchPortalMerchant(merchantId),
  });
  const gone = merchant.isError && isApiError(merchant.error, 'MERCHANT_NOT_FOUND');
  useEffect(() => {
    if (gone) onGone();
  }, [gone, onGone]);

  const choose = useCallback(
    (id: string) => {
      setChosen(id);
      // Another merchant, other permissions: start from its first page.
      void navigate('/merchant', { replace: true });
    },
    [navigate],
  );
  const value = useMemo<PortalContextValue | null>(
    () => (merchant.data ? { merchant: merchant.data, memberships, choose, signOut: onSignOut } : null),
    [merchant.data, memberships, choose, onSignOut],
  );

  if (merchant.isPending) return <PortalLoading />;
  if (!value) {
    return (
      <CentredPage>
        <PortalLoadFailed error={merchant.error} onRetry={() => void merchant.refetch()} />
      </CentredPage>
    );
  }
  return (
    <PortalContext.Provider value={value}>
      <PortalLayout key={merchantId} />
    </PortalContext.Provider>
  );
}

function CentredPage(props: { children: React.ReactNode }) {
  return (
    <div className="portal-centred">
      <div className="portal-centred-top">
        <LanguageToggle />
      </div>
      {props.children}
    </div>
  );
}

/** Not signed in: the wallet's own sign-in screen, which comes back here. */
function SignInCard() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <CentredPage>
      <Card className="portal-sign-in" variant="borderless">
        <div className="portal-sign-in-logo">
          <Logo size={56} />
        </div>
        <Typography.Title level={3}>{t('portal.signIn.title')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('portal.signIn.intro')}</Typography.Paragraph>
        <Button type="primary" size="large" block onClick={() => void navigate('/sign-in?next=/merchant')}>
          {t('portal.signIn.button')}
        </Button>
        <Typography.Paragraph type="secondary" className="portal-sign-in-note">
          {t('portal.signIn.note')}
        </Typography.Paragraph>
      </Card>
    </CentredPage>
  );
}

/** Signed in, but no merchant owns or employs this holder. */
function NoMerchant(props: { onSignOut: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <CentredPage>
      <Card className="portal-sign-in" variant="borderless">
        <Result
          status="info"
          title={t('portal.noMerchant.title')}
          subTitle={t('portal.noMerchant.intro')}
          extra={[
            <Button key="shop" type="primary" onClick={() => void navigate('/shop')}>
              {t('portal.noMerchant.openShop')}
            </Button>,
            <Button key="out" onClick={props.onSignOut}>
              {t('portal.signOut')}
            </Button>,
          ]}
        />
      </Card>
    </CentredPage>
  );
}

export default Portal;
