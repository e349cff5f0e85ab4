import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, DotLoading, List, Popup, Radio, Switch, Toast } from 'antd-mobile';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { errorMessage, isApiError } from '../api/client.ts';
import { fetchSecurity, securityKey, setPasswordFreeLimit } from '../api/security.ts';
import type { SecurityStatus } from '../api/security.ts';
import { Page } from '../components/Page.tsx';
import { PinInput } from '../components/PinInput.tsx';
import { LoadFailed, Loading } from '../components/States.tsx';
import { formatMoney } from '../lib/format.ts';
import { RESET_PIN_PATH } from './PaymentPin.tsx';

/** Limits offered per payment (fen), as far as the server's maximum allows; the maximum itself too. */
const PRESETS_FEN = [5_000n, 10_000n, 20_000n, 50_000n, 100_000n];

/** The choices for a server whose highest limit is `maxFen`, smallest first. */
export function limitChoices(maxFen: bigint): bigint[] {
  const choices = PRESETS_FEN.filter((fen) => fen <= maxFen);
  if (maxFen > 0n && !choices.includes(maxFen)) choices.push(maxFen);
  return choices;
}

/**
 * 小额免密支付: the holder's password-free limit per payment — off, or one of the amounts the
 * server allows (`passwordFree.maxLimit`). Payments within it need no PIN, all of them together
 * at most `dailyMax` a day. The server asks for the PIN to change it (PUT /v1/me/password-free),
 * so turning it on, off or changing the amount opens the PIN pad.
 */
export function PasswordFree() {
  const { t } = useTranslation();
  const security = useQuery({ queryKey: securityKey, queryFn: fetchSecurity });
  return (
    <Page title={t('passwordFree.title')} backTo="/me/security">
      {security.isPending ? (
        <Loading />
      ) : security.isError ? (
        <LoadFailed error={security.error} onRetry={() => void security.refetch()} />
      ) : (
        <PasswordFreeSettings status={security.data} />
      )}
    </Page>
  );
}

function PasswordFreeSettings({ status }: { status: SecurityStatus }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const current = BigInt(status.passwordFree.limit.amount);
  const choices = limitChoices(BigInt(status.passwordFree.maxLimit.amount));
  const [draft, setDraft] = useState<bigint>(current);
  const [asking, setAsking] = useState(false);
  const yuan = (fen: bigint) => formatMoney({ amount: fen.toString(), currency: 'CNY' }, i18n.language);
  const dailyMax = formatMoney(status.passwordFree.dailyMax, i18n.language);
  const on = draft > 0n;

  const saved = (next: SecurityStatus) => {
    queryClient.setQueryData(securityKey, next);
    setAsking(false);
    const limit = BigInt(next.passwordFree.limit.amount);
    Toast.show({
      icon: 'success',
      content: limit > 0n ? t('passwordFree.savedOn', { amount: yuan(limit) }) : t('passwordFree.savedOff'),
    });
  };

  return (
    <>
      <p className="page-intro">{t('passwordFree.intro', { daily: dailyMax })}</p>
      {status.pin.set ? null : (
        <p className="notice" role="status">
          {t('passwordFree.needsPin')} <Link to="/me/security/pin">{t('passwordFree.setPin')}</Link>
        </p>
      )}
      <List>
        <List.Item
          extra={
            <Switch
              checked={on}
              disabled={!status.pin.set}
              aria-label={t('passwordFree.switch')}
              onChange={(checked) => setDraft(checked ? (current > 0n ? current : (choices[0] ?? 0n)) : 0n)}
            />
          }
          description={
            current > 0n
              ? t('passwordFree.currentOn', { amount: yuan(current) })
              : t('passwordFree.currentOff')
          }
        >
          {t('passwordFree.switch')}
        </List.Item>
      </List>
      {on ? (
        <List header={t('passwordFree.limitHeader')}>
          <Radio.Group value={draft.toString()} onChange={(value) => setDraft(BigInt(String(value)))}>
            {choices.map((fen) => (
              <List.Item key={fen.toString()}>
                <Radio value={fen.toString()} block className="password-free-choice">
                  {t('passwordFree.perPayment', { amount: yuan(fen) })}
                </Radio>
              </List.Item>
            ))}
          </Radio.Group>
        </List>
      ) : null}
      <div className="page-actions">
        <Button
          block
          size="large"
          shape="rounded"
          color="primary"
          disabled={!status.pin.set || draft === current}
          onClick={() => setAsking(true)}
        >
          {t('passwordFree.save')}
        </Button>
      </div>
      <PinSheet
        visible={asking}
        what={on ? t('passwordFree.confirmOn', { amount: yuan(draft) }) : t('passwordFree.confirmOff')}
        limitFen={draft}
        onSaved={saved}
        onClose={() => setAsking(false)}
      />
    </>
  );
}

/** The PIN pad in a bottom sheet; a wrong PIN stays here with the tries left. */
function PinSheet(props: {
  visible: boolean;
  what: string;
  limitFen: bigint;
  onSaved: (status: SecurityStatus) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [locked, setLocked] = useState(false);

  const submit = async (value: string) => {
    setBusy(true);
    setProblem(null);
    try {
      props.onSaved(await setPasswordFreeLimit({ limitFen: props.limitFen.toString(), pin: value }));
    } catch (error) {
      setLocked(isApiError(error, 'PAYMENTS_LOCKED'));
      setProblem(pinErrorMessage(error, t));
    } finally {
      setPin('');
      setBusy(false);
    }
  };

  return (
    <Popup
      visible={props.visible}
      onMaskClick={busy ? undefined : props.onClose}
      bodyClassName="confirm-sheet"
      destroyOnClose
      afterClose={() => {
        setProblem(null);
        setLocked(false);
      }}
    >
      <div role="dialog" aria-modal="true" aria-labelledby="password-free-pin-title">
        <div className="confirm-sheet-head">
          <button
            type="button"
            className="icon-button confirm-sheet-close"
            aria-label={t('common.cancel')}
            onClick={props.onClose}
            disabled={busy}
          >
            ×
          </button>
          <h2 id="password-free-pin-title" className="confirm-sheet-title">
            {t('passwordFree.pinTitle')}
          </h2>
        </div>
        <p className="confirm-sheet-what">{props.what}</p>
        <PinInput
          value={pin}
          onChange={setPin}
          onFill={(value) => void submit(value)}
          label={t('passwordFree.pinTitle')}
          error={problem !== null}
          autoFocus
        />
        <div className="confirm-sheet-status" aria-live="polite">
          {busy ? (
            <span>
              <DotLoading /> {t('passwordFree.saving')}
            </span>
          ) : problem ? (
            <span role="alert" className="confirm-sheet-error">
              {problem}
            </span>
          ) : null}
        </div>
        <div className="confirm-sheet-links">
          <Link to={RESET_PIN_PATH} className="confirm-sheet-forgot">
            {locked ? t('passwordFree.unlock') : t('passwordFree.forgotPin')}
          </Link>
        </div>
      </div>
    </Popup>
  );
}

function pinErrorMessage(
  error: unknown,
  t: (key: string, options?: Record<string, unknown>) => string,
): string {
  if (isApiError(error, 'PIN_INCORRECT') && typeof error.details.attemptsRemaining === 'number') {
    return t('passwordFree.pinIncorrect', { count: error.details.attemptsRemaining });
  }
  return errorMessage(error);
}
