/**
 * The risk step-up (issue 11): when the risk engine wants one more check before a payment, its
 * confirm is answered STEP_UP_REQUIRED. `usePayment` (parts.tsx) then asks the gate provided here
 * to pass the step-up, and once it is passed sends the same confirm again (same Idempotency-Key,
 * same PIN), so every payment screen gets the step-up without code of its own.
 *
 * The gate shows one sheet at a time, over whatever screen is paying, and the confirmation sheet
 * steps aside while it is open. It says why, the amount, and the ways the holder can pass:
 * passkey, authenticator code, SMS code (whichever the server offers). Wrong codes are said next
 * to the input; an expired step-up is said, and the holder goes back to pay again.
 */
import { useQuery } from '@tanstack/react-query';
import { Button, DotLoading, Input, Popup } from 'antd-mobile';
import type { ReactNode } from 'react';
import { createContext, useCallback, useContext, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, isApiError } from '../../api/client.ts';
import { fetchStepUp, passStepUp, passStepUpWithPasskey } from '../../api/risk.ts';
import type { StepUpChallenge, StepUpMethod } from '../../api/risk.ts';
import { passkeyProblem, passkeysSupported, sendVerifyCode } from '../../api/security.ts';
import { useMe } from '../../auth/session.ts';
import { SandboxSmsHint } from '../../components/FormBits.tsx';
import { ShieldIcon } from '../../components/icons.tsx';
import { moneyErrorMessage } from '../../components/money/errors.ts';
import { SmsCodeButton } from '../../components/SmsCodeButton.tsx';
import { formatMoney } from '../../lib/format.ts';
import './step-up.css';

export interface StepUpGate {
  /**
   * Shows the step-up sheet. Resolves once the holder has passed it; the sheet then says the
   * payment goes on, until `finish`. Rejects — the sheet closing — when the holder leaves it
   * (with `refusal`, the STEP_UP_REQUIRED answer itself: nothing was paid) or when it expired
   * (STEP_UP_EXPIRED: the payment must be started again).
   */
  pass(challenge: StepUpChallenge, refusal: ApiError): Promise<void>;
  /** The payment has its answer: the sheet closes. */
  finish(): void;
  /** Whether the sheet is open (the confirmation sheet steps aside meanwhile). */
  active: boolean;
}

const StepUpContext = createContext<StepUpGate | null>(null);

/** The app's step-up gate; null outside `StepUpProvider`, where a step-up is a refusal like any. */
export function useStepUpGate(): StepUpGate | null {
  return useContext(StepUpContext);
}

interface Asking {
  challenge: StepUpChallenge;
  refusal: ApiError;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface Shown {
  asking: Asking;
  open: boolean;
  /** Passed: the confirm is being sent again. */
  paying: boolean;
}

/** Holds the step-up sheet for the whole signed-in app (one payment is paid at a time). */
export function StepUpProvider(props: { children: ReactNode }) {
  const [shown, setShown] = useState<Shown | null>(null);
  const current = useRef<Asking | null>(null);

  const pass = useCallback(
    (challenge: StepUpChallenge, refusal: ApiError) =>
      new Promise<void>((resolve, reject) => {
        // A step-up still asking belongs to a payment given up; a settled one ignores this.
        current.current?.reject(current.current.refusal);
        const asking: Asking = { challenge, refusal, resolve, reject };
        current.current = asking;
        setShown({ asking, open: true, paying: false });
      }),
    [],
  );

  const finish = useCallback(() => {
    current.current = null;
    setShown((was) => (was ? { ...was, open: false } : null));
  }, []);

  /**
   * The holder left, or the step-up expired: the payment's confirm rejects first, and the sheet
   * closes once the screen has taken the refusal (its confirmation sheet closes with it, rather
   * than coming back for a moment).
   */
  const giveUp = (asking: Asking, error: unknown) => {
    if (current.current !== asking) return;
    current.current = null;
    asking.reject(error);
    setTimeout(() => setShown((was) => (was?.asking === asking ? { ...was, open: false } : was)), 0);
  };

  const onPassed = (asking: Asking) => {
    if (current.current !== asking) return;
    asking.resolve();
    setShown((was) => (was?.asking === asking ? { ...was, paying: true } : was));
  };

  const active = shown?.open ?? false;
  const gate = useMemo<StepUpGate>(() => ({ pass, finish, active }), [pass, finish, active]);

  return (
    <StepUpContext.Provider value={gate}>
      {props.children}
      {shown ? (
        <StepUpSheet
          key={shown.asking.challenge.stepUpId}
          visible={shown.open}
          challenge={shown.asking.challenge}
          paying={shown.paying}
          onPassed={() => onPassed(shown.asking)}
          onLeave={() => giveUp(shown.asking, shown.asking.refusal)}
          onExpired={(error) => giveUp(shown.asking, error)}
          afterClose={() => setShown((was) => (was && !was.open ? null : was))}
        />
      ) : null}
    </StepUpContext.Provider>
  );
}

const CODE_LENGTH = 6;

function expiredError(): ApiError {
  return new ApiError({ status: 410, code: 'STEP_UP_EXPIRED', message: 'The step-up has expired.' });
}

/** The sheet: why, the amount, the methods; then "verified, paying", or "expired". */
function StepUpSheet(props: {
  visible: boolean;
  challenge: StepUpChallenge;
  paying: boolean;
  onPassed: () => void;
  onLeave: () => void;
  onExpired: (error: ApiError) => void;
  afterClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const { stepUpId } = props.challenge;
  // The amount as the step-up binds it (the refusal carries only the id, methods and expiry).
  const stepUp = useQuery({
    queryKey: ['step-up', stepUpId],
    queryFn: () => fetchStepUp(stepUpId),
    retry: false,
    staleTime: Infinity,
    gcTime: 0,
  });
  const methods = props.challenge.methods.filter((method) => method !== 'passkey' || passkeysSupported());
  const [method, setMethod] = useState<StepUpMethod>(methods[0] ?? 'sms');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [expired, setExpired] = useState<ApiError | null>(null);
  // Expired as the server says when a code is given; gone (NOT_FOUND) as soon as it is read.
  const gone = expired ?? (isApiError(stepUp.error, 'STEP_UP_NOT_FOUND') ? expiredError() : null);

  const choose = (next: StepUpMethod) => {
    setMethod(next);
    setCode('');
    setProblem(null);
  };

  const attempt = async (run: () => Promise<unknown>) => {
    setBusy(true);
    setProblem(null);
    try {
      await run();
      props.onPassed();
    } catch (error) {
      if (isApiError(error, 'STEP_UP_ALREADY_PASSED')) {
        props.onPassed();
      } else if (isApiError(error, 'STEP_UP_EXPIRED') || isApiError(error, 'STEP_UP_NOT_FOUND')) {
        setExpired(isApiError(error, 'STEP_UP_EXPIRED') ? error : expiredError());
      } else {
        setCode('');
        setProblem(
          passkeyProblem(error) === 'cancelled'
            ? t('money.confirm.passkeyCancelled')
            : moneyErrorMessage(error),
        );
      }
    } finally {
      setBusy(false);
    }
  };

  const submitCode = () => {
    if (!new RegExp(`^\\d{${CODE_LENGTH}}$`).test(code)) {
      setProblem(t('money.stepUp.codeIncomplete'));
      return;
    }
    void attempt(() => passStepUp(stepUpId, method === 'totp' ? { totpCode: code } : { smsCode: code }));
  };

  const leave = () => {
    if (busy || props.paying) return;
    if (gone) props.onExpired(gone);
    else props.onLeave();
  };

  return (
    <Popup
      visible={props.visible}
      onMaskClick={leave}
      afterClose={props.afterClose}
      bodyClassName="confirm-sheet step-up-sheet"
      destroyOnClose
    >
      <div role="dialog" aria-modal="true" aria-labelledby="step-up-title" data-testid="step-up-sheet">
        <div className="confirm-sheet-head">
          <button
            type="button"
            className="icon-button confirm-sheet-close"
            aria-label={t('money.stepUp.close')}
            onClick={leave}
            disabled={busy || props.paying}
          >
            ×
          </button>
          <h2 id="step-up-title" className="confirm-sheet-title">
            {t('money.stepUp.title')}
          </h2>
        </div>
        <p className="step-up-why">
          <ShieldIcon className="step-up-why-icon" />
          <span>
            {t('money.stepUp.why')}
            {gone ? null : (
              <>
                <br />
                <span className="step-up-why-more">{t('money.stepUp.after')}</span>
              </>
            )}
          </span>
        </p>
        <p className="confirm-sheet-what">{t('money.stepUp.amount')}</p>
        <p className="confirm-sheet-amount amount step-up-amount" data-testid="step-up-amount">
          {stepUp.data ? formatMoney(stepUp.data.amount, i18n.language) : <DotLoading />}
        </p>

        {gone ? (
          <div className="step-up-expired" role="alert">
            <p className="form-error">{t('money.stepUp.expired')}</p>
            <Button block color="primary" size="large" shape="rounded" onClick={() => props.onExpired(gone)}>
              {t('money.stepUp.expiredButton')}
            </Button>
          </div>
        ) : props.paying ? (
          <p className="step-up-paying" role="status">
            <DotLoading /> {t('money.stepUp.paying')}
          </p>
        ) : (
          <>
            {methods.length > 1 ? (
              <div className="step-up-methods" role="radiogroup" aria-label={t('money.stepUp.methodsLabel')}>
                {methods.map((option) => (
                  <button
                    key={option}
                    type="button"
                    role="radio"
                    aria-checked={option === method}
                    className="step-up-method"
                    disabled={busy}
                    onClick={() => choose(option)}
                  >
                    {t(`money.stepUp.method.${option}`)}
                  </button>
                ))}
              </div>
            ) : null}
            {method === 'passkey' ? (
              <div className="step-up-body">
                <p className="step-up-hint">{t('money.stepUp.passkeyHint')}</p>
                <Problem message={problem} />
                <Button
                  block
                  color="primary"
                  size="large"
                  shape="rounded"
                  loading={busy}
                  onClick={() => void attempt(() => passStepUpWithPasskey(stepUpId))}
                >
                  {t('money.stepUp.passkeyButton')}
                </Button>
              </div>
            ) : (
              <form
                className="step-up-body"
                noValidate
                onSubmit={(event) => {
                  event.preventDefault();
                  submitCode();
                }}
              >
                {method === 'sms' ? <SmsTarget /> : null}
                <div className="step-up-code-row">
                  <label className="step-up-code-label" htmlFor="step-up-code">
                    {method === 'totp' ? t('money.stepUp.totpLabel') : t('money.stepUp.smsLabel')}
                  </label>
                  <Input
                    id="step-up-code"
                    className="step-up-code-input"
                    inputMode="numeric"
                    autoComplete="one-time-code"
                    placeholder={
                      method === 'totp' ? t('money.stepUp.totpPlaceholder') : t('money.stepUp.smsPlaceholder')
                    }
                    value={code}
                    onChange={(value) => setCode(value.replace(/\D/g, '').slice(0, CODE_LENGTH))}
                    aria-invalid={problem !== null}
                    aria-describedby={problem ? 'step-up-problem' : undefined}
                    disabled={busy}
                  />
                  {method === 'sms' ? <SmsCodeButton send={sendVerifyCode} /> : null}
                </div>
                <Problem message={problem} />
                {method === 'sms' ? <SandboxSmsHint /> : null}
                <Button block type="submit" color="primary" size="large" shape="rounded" loading={busy}>
                  {t('money.stepUp.submit')}
                </Button>
              </form>
            )}
          </>
        )}
      </div>
    </Popup>
  );
}

/** Where the SMS code goes: the holder's own number, masked. */
function SmsTarget() {
  const { t } = useTranslation();
  const me = useMe();
  return (
    <p className="step-up-hint">
      {me.data ? t('money.stepUp.smsTo', { phone: me.data.phone }) : t('money.stepUp.smsToYou')}
    </p>
  );
}

/** A wrong code (or a refused passkey) in the server's words, next to the input. */
function Problem(props: { message: string | null }) {
  if (!props.message) return null;
  return (
    <p id="step-up-problem" className="step-up-problem" role="alert">
      {props.message}
    </p>
  );
}
