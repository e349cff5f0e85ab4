import { startAuthentication } from '@simplewebauthn/browser';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import { Button, DotLoading, Popup } from 'antd-mobile';
import type { MoneyJson } from '@qianbao/money';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { isApiError } from '../../api/client.ts';
import { confirmationOptions } from '../../api/money.ts';
import type { Confirmation, Factor, PaymentToConfirm } from '../../api/money.ts';
import { passkeyProblem, passkeysSupported } from '../../api/security.ts';
import { formatMoney } from '../../lib/format.ts';
import { useStepUpGate } from '../../screens/money/StepUp.tsx';
import { ShieldIcon } from '../icons.tsx';
import { PinInput } from '../PinInput.tsx';
import { moneyErrorMessage } from './errors.ts';

/**
 * The bottom sheet that confirms a payment: what is paid to whom, then the six-digit PIN on the
 * app's number pad (or the authenticator's code, or a passkey, as the payment allows). A wrong
 * PIN stays here with the tries left; any other refusal closes the sheet and goes to `onFailed`.
 *
 * When the risk engine wants the payment stepped up, the quote accepts only the strong factors
 * (passkey, authenticator: `reason: 'stepUp'`, the only case without the PIN): the sheet says so
 * first, and asks for them. The PIN stays possible, followed by the step-up sheet (StepUp.tsx),
 * which this sheet steps aside for while it is open.
 */
export function ConfirmSheet(props: {
  visible: boolean;
  /** "向 *明 转账" */
  title: string;
  /** Absent for a confirmation that pays nothing (turning the payment code on). */
  amount?: MoneyJson;
  /** The factors the payment accepts (from the preview): pin, totp, passkey. */
  accepted: Factor[];
  /**
   * What a passkey signs for this attempt (the payment's `payment`, fetched again after a refused
   * confirm); absent: no passkey.
   */
  paymentToSign?: (() => Promise<PaymentToConfirm>) | null;
  onConfirm: (confirmation: Confirmation) => Promise<void>;
  onFailed: (error: unknown) => void;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const stepUpGate = useStepUpGate();
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [pinInstead, setPinInstead] = useState(false);
  const strong = props.accepted.filter((factor) => factor === 'passkey' || factor === 'totp');
  const stepUp = !props.accepted.includes('pin') && strong.length > 0;
  const usesTotp = stepUp && !pinInstead && strong.includes('totp');
  // Each opening starts from what the quote asks for.
  useEffect(() => {
    if (!props.visible) setPinInstead(false);
  }, [props.visible]);
  const passkeyPossible =
    props.accepted.includes('passkey') &&
    props.paymentToSign !== undefined &&
    props.paymentToSign !== null &&
    passkeysSupported();

  const submit = async (confirmation: Confirmation) => {
    setBusy(true);
    setProblem(null);
    try {
      await props.onConfirm(confirmation);
      setCode('');
    } catch (error) {
      setCode('');
      if (
        isApiError(error, 'PIN_INCORRECT') ||
        isApiError(error, 'TOTP_INVALID') ||
        isApiError(error, 'TOTP_REUSED')
      ) {
        setProblem(moneyErrorMessage(error));
      } else {
        props.onFailed(error);
      }
    } finally {
      setBusy(false);
    }
  };

  const withPasskey = async () => {
    if (!props.paymentToSign) return;
    setBusy(true);
    setProblem(null);
    try {
      const options = await confirmationOptions(await props.paymentToSign());
      if (!options.passkeyOptions) throw new Error('no passkey options');
      const response = await startAuthentication({
        optionsJSON: options.passkeyOptions as unknown as PublicKeyCredentialRequestOptionsJSON,
      });
      setBusy(false);
      await submit({ passkeyResponse: response });
    } catch (error) {
      setBusy(false);
      setProblem(
        passkeyProblem(error) === 'cancelled'
          ? t('money.confirm.passkeyCancelled')
          : moneyErrorMessage(error),
      );
    }
  };

  return (
    <Popup
      visible={props.visible && !stepUpGate?.active}
      onMaskClick={busy ? undefined : props.onClose}
      bodyClassName="confirm-sheet"
      destroyOnClose
    >
      <div role="dialog" aria-modal="true" aria-labelledby="confirm-sheet-title">
        <div className="confirm-sheet-head">
          <button
            type="button"
            className="icon-button confirm-sheet-close"
            aria-label={t('money.confirm.close')}
            onClick={props.onClose}
            disabled={busy}
          >
            ×
          </button>
          <h2 id="confirm-sheet-title" className="confirm-sheet-title">
            {usesTotp ? t('money.confirm.totpTitle') : t('money.confirm.title')}
          </h2>
        </div>
        <p className="confirm-sheet-what">{props.title}</p>
        {props.amount ? (
          <p className="confirm-sheet-amount amount" data-testid="confirm-amount">
            {formatMoney(props.amount, i18n.language)}
          </p>
        ) : null}
        {stepUp ? (
          <p className="confirm-sheet-step-up" data-testid="confirm-step-up">
            <ShieldIcon className="step-up-why-icon" />
            <span>
              {pinInstead
                ? t('money.confirm.stepUpPin')
                : strong.includes('passkey') && strong.includes('totp')
                  ? t('money.confirm.stepUpPasskeyOrTotp')
                  : strong.includes('totp')
                    ? t('money.confirm.stepUpTotp')
                    : t('money.confirm.stepUpPasskey')}
            </span>
          </p>
        ) : null}
        <PinInput
          // Switching from the authenticator code to the PIN starts a fresh input, focused.
          key={usesTotp ? 'totp' : 'pin'}
          value={code}
          onChange={setCode}
          onFill={(value) => void submit(usesTotp ? { totpCode: value } : { pin: value })}
          label={usesTotp ? t('money.confirm.totpLabel') : t('money.confirm.pinLabel')}
          error={problem !== null}
          autoFocus
        />
        <div className="confirm-sheet-status" aria-live="polite">
          {busy ? (
            <span>
              <DotLoading /> {t('money.confirm.paying')}
            </span>
          ) : problem ? (
            <span role="alert" className="confirm-sheet-error">
              {problem}
            </span>
          ) : null}
        </div>
        <div className="confirm-sheet-links">
          {passkeyPossible ? (
            <Button
              fill="none"
              size="small"
              className="nav-text-button"
              disabled={busy}
              onClick={() => void withPasskey()}
            >
              {t('money.confirm.usePasskey')}
            </Button>
          ) : null}
          {usesTotp ? (
            <Button
              fill="none"
              size="small"
              className="nav-text-button"
              disabled={busy}
              onClick={() => {
                setCode('');
                setProblem(null);
                setPinInstead(true);
              }}
            >
              {t('money.confirm.usePinInstead')}
            </Button>
          ) : (
            <Link to="/me/security/pin?forgot=1" className="confirm-sheet-forgot">
              {t('money.confirm.forgot')}
            </Link>
          )}
        </div>
      </div>
    </Popup>
  );
}
