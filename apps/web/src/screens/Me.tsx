import { ActionSheet, Badge, Button, Dialog, List } from 'antd-mobile';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { signOut } from '../api/identity.ts';
import { markSignedOut, useMe } from '../auth/session.ts';
import { ButtonRow, LinkRow } from '../components/ListRows.tsx';
import { useKyc } from '../components/TierCard.tsx';
import { BellIcon, GlobeIcon, IdCardIcon, ShieldIcon, UserIcon } from '../components/icons.tsx';
import { LANGUAGES, currentLanguage, setLanguage } from '../i18n/index.ts';
import { UNKNOWN } from '../lib/format.ts';
import { useUnreadCount } from './Inbox.tsx';
import { HelpIcon } from './help/HelpIcon.tsx';
import { SupportIcon } from './support/SupportIcon.tsx';

export function MeScreen() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const me = useMe();
  const unread = useUnreadCount();
  const kyc = useKyc();
  const [choosingLanguage, setChoosingLanguage] = useState(false);

  const confirmSignOut = async () => {
    const confirmed = await Dialog.confirm({
      content: t('me.signOutConfirm'),
      confirmText: t('me.signOut'),
      cancelText: t('common.cancel'),
    });
    if (!confirmed) return;
    // Even if the server cannot be reached, this browser forgets the session.
    await signOut().catch(() => undefined);
    markSignedOut();
    void navigate('/sign-in', { replace: true });
  };

  return (
    <div className="me">
      <header className="me-header">
        <span className="avatar" aria-hidden="true">
          <UserIcon />
        </span>
        <div>
          <h1 className="me-phone">{me.data?.phone || UNKNOWN}</h1>
          <p className="me-caption">{t('me.caption')}</p>
        </div>
      </header>
      <List className="me-list">
        <LinkRow
          to="/me/real-name"
          prefix={<IdCardIcon />}
          extra={
            kyc.data
              ? t('kyc.tierLine', { tier: kyc.data.tier, name: t(`kyc.tierName.${kyc.data.tier}`) })
              : null
          }
        >
          {t('kyc.title')}
        </LinkRow>
        <LinkRow to="/me/security" prefix={<ShieldIcon />}>
          {t('security.title')}
        </LinkRow>
        <LinkRow
          to="/inbox"
          prefix={<BellIcon />}
          extra={
            unread > 0 ? (
              <>
                <Badge content={String(unread)} />
                <span className="visually-hidden">{t('inbox.unreadCount', { count: unread })}</span>
              </>
            ) : null
          }
        >
          {t('inbox.title')}
        </LinkRow>
        <LinkRow to="/help" prefix={<HelpIcon />}>
          {t('help.entry')}
        </LinkRow>
        <LinkRow to="/support" prefix={<SupportIcon />}>
          {t('support.entry')}
        </LinkRow>
        <ButtonRow
          prefix={<GlobeIcon />}
          extra={t('language.name', { lng: currentLanguage() })}
          onClick={() => setChoosingLanguage(true)}
        >
          {t('language.label')}
        </ButtonRow>
      </List>
      <div className="me-actions">
        <Button
          block
          size="large"
          shape="rounded"
          className="sign-out-button"
          onClick={() => void confirmSignOut()}
        >
          {t('me.signOut')}
        </Button>
      </div>
      <ActionSheet
        visible={choosingLanguage}
        onClose={() => setChoosingLanguage(false)}
        cancelText={t('common.cancel')}
        extra={t('language.choose')}
        actions={LANGUAGES.map((language) => ({
          key: language,
          text: t('language.name', { lng: language }),
          description: language === currentLanguage() ? t('language.current') : undefined,
          onClick: () => {
            setLanguage(language);
            setChoosingLanguage(false);
          },
        }))}
      />
    </div>
  );
}
