/**
 * 付款码 (issue 12): the code the holder shows at a till. First use explains it and turns it on
 * with the PIN (or a passkey); from then on the 18-digit code is derived here, offline, from the
 * secret this browser keeps (api/pay-code.ts) and the clock: a QR code, a Code 128 barcode, the
 * digits (hidden until asked for), and a countdown to the next one.
 *
 * While the screen is open it asks every 2 s whether a till's charge waits for the holder (above
 * the password-free limit): a sheet shows the shop and the amount, to pay with the PIN or to
 * decline, and the outcome follows.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { paymentCodeAt, paymentCodeStep } from '@qianbao/qr';
import { Button, Dialog, DotLoading, Popup, Toast } from 'antd-mobile';
import JsBarcode from 'jsbarcode';
import QRCode from 'qrcode';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, isApiError } from '../../api/client.ts';
import { newIdempotencyKey } from '../../api/money.ts';
import type { Confirmation } from '../../api/money.ts';
import {
  chargeEnded,
  confirmCharge,
  declineCharge,
  fetchCharge,
  fetchPaymentCodeStatus,
  fetchPendingCharges,
  forgetStoredCode,
  groupCode,
  loadStoredCode,
  paymentCodeKey,
  pendingChargesKey,
  secretBytes,
  storeCode,
  turnOffPaymentCode,
  turnOnPaymentCode,
} from '../../api/pay-code.ts';
import type { Charge, PaymentCodeStatus, StoredPaymentCode } from '../../api/pay-code.ts';
import { stepUpChallengeOf } from '../../api/risk.ts';
import { useMe } from '../../auth/session.ts';
import { Page } from '../../components/Page.tsx';
import { LoadFailed, Loading } from '../../components/States.tsx';
import { ConfirmSheet } from '../../components/money/ConfirmSheet.tsx';
import { moneyErrorMessage } from '../../components/money/errors.ts';
import { formatMoney } from '../../lib/format.ts';
import { DetailRows, MoneyError, ResultHead, useRefreshMoney } from './parts.tsx';
import { useStepUpGate } from './StepUp.tsx';
import './pay-code.css';

/** While the screen is open, how often it asks whether a till's charge waits for the holder. */
const PENDING_POLL_MS = 2000;

/** Whether this browser can derive codes: Web Crypto needs a secure page (HTTPS, localhost). */
function codesPossible(): boolean {
  return typeof globalThis.crypto?.subtle?.importKey === 'function';
}

export function PayCode() {
  const { t } = useTranslation();
  const me = useMe();
  if (me.isPending) {
    return (
      <Page title={t('money.payCode.title')} backTo="/">
        <Loading />
      </Page>
    );
  }
  if (me.isError) {
    return (
      <Page title={t('money.payCode.title')} backTo="/">
        <LoadFailed error={me.error} onRetry={() => void me.refetch()} />
      </Page>
    );
  }
  // Keyed by the holder: another holder on this browser starts from their own (absent) secret.
  return <PayCodeOf key={me.data.id} userId={me.data.id} />;
}

function PayCodeOf(props: { userId: string }) {
  const { t } = useTranslation();
  const { userId } = props;
  const queryClient = useQueryClient();
  const status = useQuery({ queryKey: paymentCodeKey, queryFn: fetchPaymentCodeStatus });
  const [stored, setStored] = useState<StoredPaymentCode | null>(() => loadStoredCode(userId));
  const charges = useChargesToConfirm();

  // The server says this device's code is off (turned off, replaced, the phone reported lost):
  // the secret kept here makes codes no till accepts, so it is forgotten. Offline, it stays.
  useEffect(() => {
    if (!status.data || !stored) return;
    if (!status.data.active || status.data.deviceIndex !== stored.deviceIndex) {
      forgetStoredCode(userId);
      setStored(null);
    }
  }, [status.data, stored, userId]);

  const turnedOn = async (issued: StoredPaymentCode) => {
    // A status asked before the secret was issued must not make it forgotten when it lands.
    await queryClient.cancelQueries({ queryKey: paymentCodeKey });
    queryClient.setQueryData<PaymentCodeStatus>(paymentCodeKey, (was) => ({
      active: true,
      deviceIndex: issued.deviceIndex,
      stepSeconds: issued.stepSeconds,
      issuedAt: issued.issuedAt,
      confirmationPayment: was?.confirmationPayment ?? { id: '', amount: '0', currency: 'CNY', payee: '' },
    }));
    storeCode(userId, issued);
    setStored(issued);
  };

  const turnOff = async () => {
    const sure = await Dialog.confirm({
      title: t('money.payCode.turnOffTitle'),
      content: t('money.payCode.turnOffBody'),
      confirmText: t('money.payCode.turnOff'),
      cancelText: t('common.cancel'),
    });
    if (!sure) return;
    try {
      await turnOffPaymentCode();
    } catch (error) {
      Toast.show({ icon: 'fail', content: moneyErrorMessage(error) });
      return;
    }
    forgetStoredCode(userId);
    setStored(null);
    await queryClient.cancelQueries({ queryKey: paymentCodeKey });
    queryClient.setQueryData<PaymentCodeStatus>(paymentCodeKey, (was) =>
      was ? { ...was, active: false, deviceIndex: null, stepSeconds: null, issuedAt: null } : was,
    );
    Toast.show({ icon: 'success', content: t('money.payCode.turnedOff') });
  };

  if (charges.outcome) {
    return (
      <Page title={t('money.payCode.title')} backTo="/">
        <ChargeOutcome outcome={charges.outcome} onBack={charges.closeOutcome} />
      </Page>
    );
  }

  return (
    <Page title={t('money.payCode.title')} backTo="/">
      {stored ? (
        <>
          <CodeCard code={stored} />
          <div className="money-buttons">
            <Button block fill="none" shape="rounded" onClick={() => void turnOff()}>
              {t('money.payCode.turnOff')}
            </Button>
          </div>
        </>
      ) : status.isError && !isApiError(status.error) ? (
        <LoadFailed error={status.error} onRetry={() => void status.refetch()} />
      ) : (
        <TurnOn onTurnedOn={turnedOn} />
      )}
      <ChargeSheets charges={charges} />
    </Page>
  );
}

// ---- First use: what it is, and turning it on ----

function TurnOn(props: { onTurnedOn: (issued: StoredPaymentCode) => Promise<void> }) {
  const { t } = useTranslation();
  const [sheet, setSheet] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const possible = codesPossible();

  const confirm = async (confirmation: Confirmation) => {
    const issued = await turnOnPaymentCode(confirmation);
    await props.onTurnedOn(issued);
    setSheet(false);
    Toast.show({ icon: 'success', content: t('money.payCode.turnedOn') });
  };

  return (
    <>
      <section className="money-card pay-code-intro" aria-labelledby="pay-code-intro-title">
        <h2 id="pay-code-intro-title" className="money-card-title">
          {t('money.payCode.introTitle')}
        </h2>
        <ul className="pay-code-points">
          <li>{t('money.payCode.introShow')}</li>
          <li>{t('money.payCode.introChanges')}</li>
          <li>{t('money.payCode.introOffline')}</li>
          <li>{t('money.payCode.introLimit')}</li>
          <li className="pay-code-warning">{t('money.payCode.introPrivate')}</li>
        </ul>
      </section>
      {possible ? null : <p className="notice">{t('money.payCode.unsupported')}</p>}
      <div className="money-buttons">
        <MoneyError error={error} />
        <Button
          block
          color="primary"
          size="large"
          shape="rounded"
          disabled={!possible}
          onClick={() => {
            setError(null);
            setSheet(true);
          }}
        >
          {t('money.payCode.turnOn')}
        </Button>
      </div>
      <ConfirmSheet
        visible={sheet}
        title={t('money.payCode.turnOnWhat')}
        accepted={['pin', 'passkey']}
        paymentToSign={async () => (await fetchPaymentCodeStatus()).confirmationPayment}
        onConfirm={confirm}
        onFailed={(failure) => {
          setSheet(false);
          setError(failure);
        }}
        onClose={() => setSheet(false)}
      />
    </>
  );
}

// ---- The code itself ----

interface Shown {
  step: number;
  code: string;
}

/** The current code as QR, barcode and (on request) digits, with the seconds until the next. */
function CodeCard(props: { code: StoredPaymentCode }) {
  const { t } = useTranslation();
  const { secret, deviceIndex, stepSeconds } = props.code;
  const now = useNow();
  const step = paymentCodeStep(now, stepSeconds);
  const secondsLeft = stepSeconds - (Math.floor(now / 1000) % stepSeconds);
  const [shown, setShown] = useState<Shown | null>(null);
  const [failed, setFailed] = useState(false);
  const [digitsShown, setDigitsShown] = useState(false);
  const [qr, setQr] = useState<string | null>(null);
  const barcode = useRef<SVGSVGElement>(null);

  useEffect(() => {
    let current = true;
    paymentCodeAt({ secret: secretBytes(secret), deviceIndex, step }).then(
      (code) => current && setShown({ step, code }),
      () => current && setFailed(true),
    );
    return () => {
      current = false;
    };
  }, [secret, deviceIndex, step]);

  const code = shown?.code ?? null;
  useEffect(() => {
    if (!code) return;
    let current = true;
    QRCode.toDataURL(code, { errorCorrectionLevel: 'M', margin: 1, width: 480 }).then(
      (url) => current && setQr(url),
      () => current && setQr(null),
    );
    if (barcode.current) {
      JsBarcode(barcode.current, code, {
        format: 'CODE128',
        displayValue: false,
        margin: 0,
        height: 80,
        width: 2,
        background: '#ffffff',
      });
    }
    return () => {
      current = false;
    };
  }, [code]);

  if (failed) return <p className="notice">{t('money.payCode.unsupported')}</p>;

  return (
    <section className="pay-code-card" aria-labelledby="pay-code-hint">
      <p id="pay-code-hint" className="pay-code-hint">
        {t('money.payCode.hint')}
      </p>
      <svg ref={barcode} className="pay-code-barcode" role="img" aria-label={t('money.payCode.barcodeAlt')} />
      <div className="pay-code-digits-row">
        <span
          className="pay-code-digits mono"
          data-testid="pay-code-digits"
          aria-label={t('money.payCode.digits')}
        >
          {code ? groupCode(digitsShown ? code : code.slice(0, 4) + '*'.repeat(code.length - 4)) : ' '}
        </span>
        <button
          type="button"
          className="text-button pay-code-toggle"
          aria-pressed={digitsShown}
          onClick={() => setDigitsShown(!digitsShown)}
        >
          {digitsShown ? t('money.payCode.hideDigits') : t('money.payCode.showDigits')}
        </button>
      </div>
      {qr ? (
        <img className="pay-code-qr" src={qr} alt={t('money.payCode.qrAlt')} width={220} height={220} />
      ) : (
        <div className="pay-code-qr pay-code-qr-loading">
          <DotLoading />
        </div>
      )}
      <p className="pay-code-refresh" aria-live="off" data-testid="pay-code-refresh">
        {t('money.payCode.refreshIn', { seconds: secondsLeft })}
      </p>
      <p className="pay-code-private">{t('money.payCode.private')}</p>
    </section>
  );
}

/** The time, once a second. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** Whole seconds until `iso` (0 once past), ticking; null without a time. */
export function useSecondsUntil(iso: string | null | undefined): number | null {
  const now = useNow();
  if (!iso) return null;
  return Math.max(0, Math.ceil((Date.parse(iso) - now) / 1000));
}

// ---- Charges waiting for the holder ----

interface Outcome {
  charge: Charge;
  /** Why it failed, when the confirm was refused. */
  error?: unknown;
}

type ChargeStep = 'ask' | 'pin';

/**
 * The charges a till made of this holder's code that wait for a confirmation: the first one is
 * shown (once; a decided one is not shown again while the list catches up), and its end — paid,
 * declined, timed out, refused — is the outcome.
 */
function useChargesToConfirm() {
  const refresh = useRefreshMoney();
  const stepUps = useStepUpGate();
  const pending = useQuery({
    queryKey: pendingChargesKey,
    queryFn: fetchPendingCharges,
    refetchInterval: PENDING_POLL_MS,
  });
  const [current, setCurrent] = useState<Charge | null>(null);
  const [step, setStep] = useState<ChargeStep>('ask');
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  const decided = useRef(new Set<string>());
  const key = useRef<string | null>(null);

  const end = (charge: Charge, error?: unknown) => {
    decided.current.add(charge.id);
    key.current = null;
    setCurrent(null);
    setStep('ask');
    setOutcome(error === undefined ? { charge } : { charge, error });
    if (charge.status === 'succeeded') refresh();
  };

  const list = pending.data;
  useEffect(() => {
    if (!list) return;
    if (current) {
      // Gone from the list while shown: it timed out (or ended elsewhere). Ask how it ended.
      if (!busy && !list.some((charge) => charge.id === current.id)) {
        void fetchCharge(current.id).then(
          (charge) => {
            if (chargeEnded(charge)) end(charge);
          },
          () => undefined,
        );
      }
      return;
    }
    if (outcome) return;
    const next = list.find((charge) => !decided.current.has(charge.id));
    if (next) {
      key.current = null;
      setStep('ask');
      setCurrent(next);
    }
    // `end` and the refs are stable in what they do; the list (and a closed outcome) drive this.
  }, [list, outcome]);

  /** One attempt (its own Idempotency-Key, kept for a retry of the same attempt). */
  const confirm = async (confirmation: Confirmation) => {
    const charge = current;
    if (!charge) return;
    key.current ??= newIdempotencyKey();
    setBusy(true);
    let passed = false;
    try {
      for (let round = 0; ; round += 1) {
        try {
          const done = await confirmCharge(charge.id, key.current, confirmation);
          end(done);
          return;
        } catch (failure) {
          const challenge = stepUpChallengeOf(failure);
          if (!challenge || !stepUps || round >= 2) throw failure;
          await stepUps.pass(challenge, failure as ApiError);
          passed = true;
        }
      }
    } catch (failure) {
      const retryable =
        failure instanceof ApiError &&
        (failure.status === 0 || failure.status >= 500 || failure.code === 'IDEMPOTENCY_REQUEST_IN_FLIGHT');
      if (!retryable) key.current = null;
      throw failure;
    } finally {
      if (passed) stepUps?.finish();
      setBusy(false);
    }
  };

  /** A refusal other than a wrong PIN: the charge's state says what became of it. */
  const failed = async (error: unknown) => {
    const charge = current;
    if (!charge) return;
    try {
      const now = await fetchCharge(charge.id);
      if (now.status === 'awaiting_confirmation') {
        // Still waiting (a passkey cancelled, a step-up left): the sheet asks again.
        setStep('ask');
        Toast.show({ icon: 'fail', content: moneyErrorMessage(error) });
        return;
      }
      end(now, now.status === 'failed' ? error : undefined);
    } catch {
      end({ ...charge, status: 'failed' }, error);
    }
  };

  const decline = async () => {
    const charge = current;
    if (!charge) return;
    setBusy(true);
    try {
      end(await declineCharge(charge.id));
    } catch (error) {
      if (isApiError(error, 'CHARGE_NOT_AWAITING')) {
        end(await fetchCharge(charge.id).catch(() => charge));
      } else {
        Toast.show({ icon: 'fail', content: moneyErrorMessage(error) });
      }
    } finally {
      setBusy(false);
    }
  };

  return {
    current,
    step,
    busy,
    outcome,
    setStep,
    confirm,
    failed,
    decline,
    closeOutcome: () => setOutcome(null),
  };
}

function ChargeSheets(props: { charges: ReturnType<typeof useChargesToConfirm> }) {
  const { t, i18n } = useTranslation();
  const { current, step, busy } = props.charges;
  const secondsLeft = useSecondsUntil(current?.confirmBy);
  return (
    <>
      <Popup visible={current !== null && step === 'ask'} bodyClassName="confirm-sheet" destroyOnClose>
        {current ? (
          <div
            role="dialog"
            aria-modal="true"
            aria-labelledby="charge-sheet-title"
            data-testid="charge-sheet"
          >
            <div className="confirm-sheet-head">
              <h2 id="charge-sheet-title" className="confirm-sheet-title">
                {t('money.payCode.charge.title')}
              </h2>
            </div>
            <p className="confirm-sheet-what" data-testid="charge-merchant">
              {t('money.payCode.charge.asks', { name: current.merchantName })}
            </p>
            <p className="confirm-sheet-amount amount" data-testid="charge-amount">
              {formatMoney(current.amount, i18n.language)}
            </p>
            {current.description ? <p className="charge-sheet-item">{current.description}</p> : null}
            <p className="charge-sheet-why">{t('money.payCode.charge.why')}</p>
            {secondsLeft !== null ? (
              <p className="charge-sheet-time" aria-live="off">
                {t('money.payCode.charge.timeLeft', { seconds: secondsLeft })}
              </p>
            ) : null}
            <div className="charge-sheet-buttons">
              <Button
                block
                color="primary"
                size="large"
                shape="rounded"
                disabled={busy}
                onClick={() => props.charges.setStep('pin')}
              >
                {t('money.payCode.charge.confirm')}
              </Button>
              <Button
                block
                size="large"
                shape="rounded"
                loading={busy}
                onClick={() => void props.charges.decline()}
              >
                {t('money.payCode.charge.decline')}
              </Button>
            </div>
          </div>
        ) : null}
      </Popup>
      <ConfirmSheet
        visible={current !== null && step === 'pin'}
        title={current ? t('money.payCode.charge.to', { name: current.merchantName }) : ''}
        {...(current ? { amount: current.amount } : {})}
        accepted={['pin', 'passkey']}
        paymentToSign={current ? async () => (await fetchCharge(current.id)).payment : null}
        onConfirm={props.charges.confirm}
        onFailed={(error) => void props.charges.failed(error)}
        onClose={() => props.charges.setStep('ask')}
      />
    </>
  );
}

function ChargeOutcome(props: { outcome: Outcome; onBack: () => void }) {
  const { t, i18n } = useTranslation();
  const { charge, error } = props.outcome;
  const paid = charge.status === 'succeeded';
  const title = paid
    ? t('money.payCode.outcome.paid')
    : charge.status === 'declined'
      ? t('money.payCode.outcome.declined')
      : charge.status === 'timed_out'
        ? t('money.payCode.outcome.timedOut')
        : t('money.payCode.outcome.failed');
  return (
    <>
      <ResultHead
        tone={paid ? 'ok' : 'fail'}
        title={title}
        amount={formatMoney(charge.amount, i18n.language)}
        sub={t('money.payCode.outcome.to', { name: charge.merchantName })}
      />
      {error ? (
        <div className="money-buttons">
          <MoneyError error={error} />
        </div>
      ) : null}
      <div className="money-card">
        <DetailRows
          rows={[
            { label: t('money.merchantPay.merchant'), value: charge.merchantName, testId: 'charge-merchant' },
            ...(charge.description
              ? [{ label: t('money.merchantPay.item'), value: charge.description }]
              : []),
            {
              label: t('money.merchantPay.orderNumber'),
              value: <code className="mono">{charge.merchantOrderId}</code>,
            },
          ]}
        />
      </div>
      <div className="money-buttons">
        <Button block color="primary" size="large" shape="rounded" onClick={props.onBack}>
          {t('money.payCode.outcome.back')}
        </Button>
      </div>
    </>
  );
}
