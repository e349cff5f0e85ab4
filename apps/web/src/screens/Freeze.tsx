import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Dialog, Tag, Toast } from 'antd-mobile';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { errorMessage } from '../api/client.ts';
import { fetchFreeze, freezeKey, freezeWallet } from '../api/freeze.ts';
import type { FreezeMode, FreezeState } from '../api/freeze.ts';
import { fetchSecurity, securityKey } from '../api/security.ts';
import { useMe } from '../auth/session.ts';
import { Page } from '../components/Page.tsx';
import { LoadFailed, Loading } from '../components/States.tsx';
import { formatDateTime } from '../lib/format.ts';
import './freeze.css';

const MODES: readonly FreezeMode[] = ['receive_only', 'full'];

/**
 * 冻结钱包: the wallet's freeze now, and the two ways to freeze it, each saying plainly what still
 * works and what stops. Freezing needs no PIN and works at once (it only ever protects); the
 * way back is the unfreeze screen (SMS code + ID number + passkey or authenticator app), so the
 * screen warns first when that way is closed (no real-name record, no second factor).
 */
export function FreezeWallet() {
  const { t } = useTranslation();
  const freeze = useQuery({ queryKey: freezeKey, queryFn: fetchFreeze });
  if (freeze.isPending) return <FreezePage body={<Loading />} />;
  if (freeze.isError) {
    return <FreezePage body={<LoadFailed error={freeze.error} onRetry={() => void freeze.refetch()} />} />;
  }
  return (
    <FreezePage
      body={
        <>
          <p className="page-intro">{t('freeze.intro')}</p>
          <FreezeStatus state={freeze.data} />
          <ModeChoice state={freeze.data} />
        </>
      }
    />
  );
}

function FreezePage(props: { body: ReactNode }) {
  const { t } = useTranslation();
  return (
    <Page title={t('freeze.title')} backTo="/me/security">
      {props.body}
    </Page>
  );
}

function FreezeStatus(props: { state: FreezeState }) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const { state } = props;
  if (state.mode === 'none') {
    return (
      <section className="freeze-status" aria-label={t('freeze.title')} data-testid="freeze-status">
        <p>{t('freeze.stateNone')}</p>
      </section>
    );
  }
  return (
    <section className="freeze-status" aria-labelledby="freeze-status-title" data-testid="freeze-status">
      <h2 id="freeze-status-title">{t(`freeze.stateTitle.${state.mode}`)}</h2>
      <p>
        {state.source ? t(`freeze.by.${state.source}`) : null}
        {state.since ? ` · ${t('freeze.since', { time: formatDateTime(state.since, i18n.language) })}` : null}
      </p>
      <p>{t(`freeze.banner.${state.mode}`)}</p>
      {state.liftableBy === 'holder' ? (
        <div className="page-actions">
          <Button
            block
            color="primary"
            size="large"
            shape="rounded"
            onClick={() => void navigate('/me/security/unfreeze')}
          >
            {t('freeze.unfreeze')}
          </Button>
        </div>
      ) : (
        <p className="notice" role="status">
          {t('freeze.operatorOnly')}
        </p>
      )}
    </section>
  );
}

/** The two modes side by side; the current one marked, a looser one closed when only an operator may loosen. */
function ModeChoice(props: { state: FreezeState }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const me = useMe();
  const security = useQuery({ queryKey: securityKey, queryFn: fetchSecurity });
  const { state } = props;
  const apply = useMutation({
    mutationFn: freezeWallet,
    onSuccess: (next, mode) => {
      queryClient.setQueryData(freezeKey, next);
      Toast.show({ icon: 'success', content: t(`freeze.done.${mode}`) });
    },
    onError: (error) => Toast.show({ content: errorMessage(error) }),
  });

  const choose = async (mode: FreezeMode) => {
    const confirmed = await Dialog.confirm({
      title: t(`freeze.confirmTitle.${mode}`),
      content: t(`freeze.confirmBody.${mode}`),
      confirmText: t('freeze.confirm'),
      cancelText: t('common.cancel'),
    });
    if (confirmed) apply.mutate(mode);
  };

  // Said before freezing: when the holder could not lift it alone.
  const noRealName = me.data !== undefined && me.data.realNameVerified === false;
  const noSecondFactor =
    security.data !== undefined && security.data.passkeys.count === 0 && !security.data.totp.enabled;
  const operatorOnly = state.liftableBy === 'operator';
  return (
    <>
      <h2 className="freeze-modes-title">{t('freeze.chooseTitle')}</h2>
      <div className="freeze-modes">
        {MODES.map((mode) => {
          const current = state.mode === mode;
          const looser = mode === 'receive_only' && state.mode === 'full';
          return (
            <section
              key={mode}
              className={`freeze-mode${current ? ' current' : ''}`}
              aria-labelledby={`freeze-mode-${mode}`}
            >
              <div className="freeze-mode-head">
                <h3 id={`freeze-mode-${mode}`}>{t(`freeze.mode.${mode}`)}</h3>
                {current ? (
                  <Tag color="primary" fill="outline">
                    {t('freeze.current')}
                  </Tag>
                ) : null}
              </div>
              <ul>
                <li className="works">
                  <span aria-hidden="true">✓</span>
                  <span>{t(`freeze.works.${mode}`)}</span>
                </li>
                <li className="stops">
                  <span aria-hidden="true">✕</span>
                  <span>{t(`freeze.stops.${mode}`)}</span>
                </li>
              </ul>
              {current ? null : (
                <Button
                  block
                  size="large"
                  shape="rounded"
                  color={mode === 'full' ? 'primary' : 'default'}
                  fill={mode === 'full' ? 'solid' : 'outline'}
                  disabled={looser && operatorOnly}
                  loading={apply.isPending && apply.variables === mode}
                  onClick={() => void choose(mode)}
                >
                  {t(`freeze.choose.${mode}`)}
                </Button>
              )}
            </section>
          );
        })}
      </div>
      {state.mode === 'none' && noRealName ? (
        <p className="notice" role="note">
          {t('freeze.noRealName')}
        </p>
      ) : null}
      {state.mode === 'none' && !noRealName && noSecondFactor ? (
        <p className="notice" role="note">
          {t('freeze.noSecondFactor')}
        </p>
      ) : null}
      <p className="freeze-note">{t('freeze.unfreezeNeeds')}</p>
    </>
  );
}
