import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Dialog, List, Tag, Toast } from 'antd-mobile';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { errorMessage } from '../api/client.ts';
import { endSession, fetchSessions, signOutEverywhere } from '../api/identity.ts';
import type { Session } from '../api/identity.ts';
import { markSignedOut } from '../auth/session.ts';
import { LinkRow } from '../components/ListRows.tsx';
import { Page } from '../components/Page.tsx';
import { LoadFailed, Loading } from '../components/States.tsx';
import { DeviceIcon, KeyIcon, KeypadIcon, LockIcon, OtpIcon, ShieldIcon } from '../components/icons.tsx';
import { fetchSecurity, securityKey } from '../api/security.ts';
import { fetchFreeze, freezeKey } from '../api/freeze.ts';
import { FreezeIcon } from '../components/FreezeBanner.tsx';
import { formatDateTime, formatMoney } from '../lib/format.ts';

export const sessionsKey = ['sessions'] as const;

/**
 * The security centre: one list of settings, then the devices signed in. Each capability adds
 * its own row to "account security" when it works (transaction PIN, passkeys, two-step
 * verification), never before.
 */
export function Security() {
  const { t, i18n } = useTranslation();
  const security = useQuery({ queryKey: securityKey, queryFn: fetchSecurity });
  const freeze = useQuery({ queryKey: freezeKey, queryFn: fetchFreeze });
  const status = security.data;
  const lockedUntil = status?.paymentsLockedUntil;
  const locked = lockedUntil ? new Date(lockedUntil).getTime() > Date.now() : false;
  return (
    <Page title={t('security.title')} backTo="/me">
      {locked ? (
        <p className="notice" role="status">
          {t('security.paymentsLocked', { time: formatDateTime(lockedUntil ?? undefined, i18n.language) })}
        </p>
      ) : null}
      <List header={t('security.account')}>
        <LinkRow to="/me/security/password" prefix={<LockIcon />} extra={t('security.change')}>
          {t('security.loginPassword')}
        </LinkRow>
        <LinkRow
          to="/me/security/pin"
          prefix={<KeypadIcon />}
          extra={status ? (status.pin.set ? t('security.change') : t('security.notSet')) : null}
        >
          {t('security.pin')}
        </LinkRow>
        <LinkRow
          to="/me/security/passkeys"
          prefix={<KeyIcon />}
          extra={
            status
              ? status.passkeys.count > 0
                ? t('security.passkeyCount', { count: status.passkeys.count })
                : t('security.notAdded')
              : null
          }
        >
          {t('security.passkeys')}
        </LinkRow>
        <LinkRow
          to="/me/security/two-step"
          prefix={<OtpIcon />}
          extra={status ? (status.totp.enabled ? t('security.on') : t('security.off')) : null}
        >
          {t('security.totp')}
        </LinkRow>
        <LinkRow
          to="/me/security/password-free"
          prefix={<ShieldIcon />}
          extra={
            status
              ? status.passwordFree.enabled
                ? t('security.passwordFreeOn', {
                    amount: formatMoney(status.passwordFree.limit, i18n.language),
                  })
                : t('security.off')
              : null
          }
        >
          {t('security.passwordFree')}
        </LinkRow>
        <LinkRow
          to="/me/security/freeze"
          prefix={<FreezeIcon />}
          extra={
            freeze.data
              ? freeze.data.mode === 'none'
                ? t('freeze.rowNone')
                : freeze.data.mode === 'full'
                  ? t('freeze.rowFull')
                  : t('freeze.rowReceiveOnly')
              : null
          }
        >
          {t('freeze.title')}
        </LinkRow>
      </List>
      <Sessions />
      <SignOutEverywhere />
    </Page>
  );
}

function Sessions() {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const sessions = useQuery({ queryKey: sessionsKey, queryFn: fetchSessions });
  const end = useMutation({
    mutationFn: (session: Session) => endSession(session.id),
    onSuccess: () => {
      Toast.show({ content: t('security.sessionEnded') });
      return queryClient.invalidateQueries({ queryKey: sessionsKey });
    },
    onError: (error) => Toast.show({ content: errorMessage(error) }),
  });

  const confirmEnd = async (session: Session) => {
    const confirmed = await Dialog.confirm({
      content: t('security.endSessionConfirm', { device: session.deviceName || t('security.unknownDevice') }),
      confirmText: t('security.endSession'),
      cancelText: t('common.cancel'),
    });
    if (confirmed) end.mutate(session);
  };

  if (sessions.isPending) return <Loading />;
  if (sessions.isError) return <LoadFailed error={sessions.error} onRetry={() => void sessions.refetch()} />;
  // This device first, then the most recently used.
  const ordered = [...sessions.data].sort(
    (a, b) => Number(b.current) - Number(a.current) || b.lastUsedAt.localeCompare(a.lastUsedAt),
  );
  return (
    <List header={t('security.devices')} className="session-list" aria-label={t('security.devices')}>
      {ordered.map((session) => (
        <List.Item
          key={session.id}
          prefix={<DeviceIcon />}
          description={
            <>
              <span>{placeName(session.place, t)} · </span>
              <span>
                {t('security.lastUsed', { time: formatDateTime(session.lastUsedAt, i18n.language) })}
              </span>
            </>
          }
          extra={
            session.current ? null : (
              <Button
                size="small"
                fill="outline"
                className="end-session-button"
                loading={end.isPending && end.variables.id === session.id}
                aria-label={t('security.endSessionOf', {
                  device: session.deviceName || t('security.unknownDevice'),
                })}
                onClick={() => void confirmEnd(session)}
              >
                {t('security.endSession')}
              </Button>
            )
          }
        >
          <span className="session-device">{session.deviceName || t('security.unknownDevice')}</span>
          {session.current ? (
            <Tag color="primary" fill="outline" className="this-device">
              {t('security.thisDevice')}
            </Tag>
          ) : null}
        </List.Item>
      ))}
    </List>
  );
}

/** The server names a place in English words or gives the IP address; the words are translated. */
const PLACE_KEYS: Readonly<Record<string, string>> = {
  'This computer': 'places.thisComputer',
  'Local network': 'places.localNetwork',
  'Carrier network': 'places.carrierNetwork',
  Unknown: 'places.unknown',
};

function placeName(place: string, t: TFunction): string {
  const key = PLACE_KEYS[place];
  return key ? t(key) : place;
}

function SignOutEverywhere() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const confirm = async () => {
    const confirmed = await Dialog.confirm({
      title: t('security.signOutAll'),
      content: t('security.signOutAllConfirm'),
      confirmText: t('security.signOutAll'),
      cancelText: t('common.cancel'),
    });
    if (!confirmed) return;
    try {
      await signOutEverywhere();
    } catch (error) {
      Toast.show({ content: errorMessage(error) });
      return;
    }
    markSignedOut();
    void navigate('/sign-in', { replace: true });
    Toast.show({ content: t('security.signedOutAll') });
  };
  return (
    <div className="page-actions">
      <Button block size="large" shape="rounded" className="danger-button" onClick={() => void confirm()}>
        {t('security.signOutAll')}
      </Button>
    </div>
  );
}
