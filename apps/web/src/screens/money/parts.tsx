/** Pieces the money screens share: errors with a way out, rows of details, a card picker. */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Input, TextArea } from 'antd-mobile';
import type { ReactNode } from 'react';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError, isApiError } from '../../api/client.ts';
import {
  amountProblem,
  bankNameOf,
  cancelPayment,
  cardsKey,
  confirmPayment,
  createPayment,
  fetchCards,
  fetchPayment,
  newIdempotencyKey,
  refusalError,
  transactionsKey,
} from '../../api/money.ts';
import type {
  Card,
  Confirmation,
  PaymentFields,
  PaymentIntent,
  PaymentKind,
  PaymentToConfirm,
} from '../../api/money.ts';
import { stepUpChallengeOf } from '../../api/risk.ts';
import { moneyErrorMessage } from '../../components/money/errors.ts';
import { CheckCircleIcon, ClockIcon, CrossCircleIcon } from '../../components/money/icons.tsx';
import { useStepUpGate } from './StepUp.tsx';
import './money.css';

/** A refusal in words, with the screen that fixes it when there is one. */
export function MoneyError(props: { error: unknown }) {
  const { t } = useTranslation();
  if (!props.error) return null;
  const code = props.error instanceof ApiError ? props.error.code : null;
  return (
    <div className="form-error money-error" role="alert">
      <span>{moneyErrorMessage(props.error)}</span>
      {code === 'PIN_NOT_SET' || code === 'PAYMENTS_LOCKED' ? (
        <Link to="/me/security/pin" className="money-error-link">
          {t('money.confirm.setPin')}
        </Link>
      ) : code === 'REAL_NAME_REQUIRED' || code === 'KYC_TIER_TOO_LOW' ? (
        <Link to="/me/real-name" className="money-error-link">
          {t('money.bind.realNameGo')}
        </Link>
      ) : null}
    </div>
  );
}

/**
 * A payment of one kind as a screen holds it (docs/payments.md). `create` quotes it: a stored
 * payment, `requires_confirmation`, kept here (a changed quote is a new payment; the one it
 * replaces is canceled). `confirm` makes it with the factor given, under the Idempotency-Key of
 * the holder's current attempt: made on first use, kept while the attempt may be retried as it is
 * (no answer, a 5xx), dropped once the server has answered it — the server keeps that answer for
 * the key, so the next try (another PIN) needs a new one. A refused confirm leaves the payment
 * waiting for a confirm again, as a new attempt whose passkey signs another `payment`:
 * `paymentToSign` fetches it then. A payment left past its 15 minutes is quoted again.
 *
 * A confirm the risk engine wants stepped up (STEP_UP_REQUIRED) is not a refusal to show: the
 * step-up sheet (StepUp.tsx) opens, and once the holder has passed it the same confirm goes again
 * — the same key and confirmation, which the server answers as a run of the same attempt — so
 * the screen sees an ordinary success (or the refusal of that run). Left or expired, the step-up
 * is the confirm's refusal (STEP_UP_REQUIRED, STEP_UP_EXPIRED) and the key is dropped.
 */
export function usePayment<K extends PaymentKind>(kind: K) {
  const [payment, setPayment] = useState<PaymentIntent<K> | null>(null);
  const held = useRef<Held<K> | null>(null);
  const key = useRef<string | null>(null);
  const stepUps = useStepUpGate();

  const hold = (next: Held<K> | null) => {
    held.current = next;
    setPayment(next?.payment ?? null);
  };

  const create = async (fields: PaymentFields<K>): Promise<PaymentIntent<K>> => {
    const created = await createPayment(kind, fields);
    const replaced = held.current?.payment;
    if (replaced?.status === 'requires_confirmation') void cancelPayment(replaced).catch(() => {});
    key.current = null;
    hold({ payment: created, fields, signable: true });
    return created;
  };

  const confirm = async (confirmation: Confirmation): Promise<PaymentIntent<K>> => {
    const current = held.current;
    if (!current) throw new Error('no payment to confirm');
    key.current ??= newIdempotencyKey();
    try {
      const done = await confirmPassingStepUps({ id: current.payment.id, kind }, key.current, confirmation);
      key.current = null;
      if (held.current === current) hold({ ...current, payment: done, signable: false });
      return done;
    } catch (failure) {
      // The next confirm may be a new attempt, whose passkey signs another payment.
      current.signable = false;
      const retryable =
        failure instanceof ApiError &&
        (failure.status === 0 || failure.status >= 500 || failure.code === 'IDEMPOTENCY_REQUEST_IN_FLIGHT');
      if (!retryable) key.current = null;
      if (isApiError(failure, 'PAYMENT_EXPIRED') && held.current === current) {
        // Not confirmed within 15 minutes: a fresh quote, and — unless it would be refused, or a
        // passkey signed the old payment — the same confirmation for it.
        const renewed = await create(current.fields);
        const refused = refusalError(renewed.refusal);
        if (refused) throw refused;
        if (!('passkeyResponse' in confirmation)) return confirm(confirmation);
      }
      throw failure;
    }
  };

  /** `confirmPayment`, with the step-ups the risk engine asks for passed in between. */
  const confirmPassingStepUps = async (
    target: { id: string; kind: K },
    idempotencyKey: string,
    confirmation: Confirmation,
  ): Promise<PaymentIntent<K>> => {
    let passed = false;
    try {
      for (let round = 0; ; round += 1) {
        try {
          return await confirmPayment(target, idempotencyKey, confirmation);
        } catch (failure) {
          const challenge = stepUpChallengeOf(failure);
          // A passed step-up covers the attempt: asked again, something is off — say so.
          if (!challenge || !stepUps || round >= MAX_STEP_UPS_PER_CONFIRM) throw failure;
          await stepUps.pass(challenge, failure as ApiError);
          passed = true;
        }
      }
    } finally {
      if (passed) stepUps?.finish();
    }
  };

  /** What a passkey signs for the next confirm. */
  const paymentToSign = async (): Promise<PaymentToConfirm> => {
    const current = held.current;
    if (!current) throw new Error('no payment to sign');
    if (current.signable) return current.payment.payment;
    const fresh = await fetchPayment({ id: current.payment.id, kind });
    if (held.current === current) hold({ ...current, payment: fresh, signable: true });
    return fresh.payment;
  };

  /** Back to the form: the payment waiting for its confirmation is canceled. */
  const discard = () => {
    const replaced = held.current?.payment;
    if (replaced?.status === 'requires_confirmation') void cancelPayment(replaced).catch(() => {});
    key.current = null;
    hold(null);
  };

  return { payment, create, confirm, paymentToSign, discard };
}

/** A step-up, passed, covers the payment's attempt; a second one for the same confirm is the last. */
const MAX_STEP_UPS_PER_CONFIRM = 2;

interface Held<K extends PaymentKind> {
  payment: PaymentIntent<K>;
  /** What created it: a payment past its time is created again from them. */
  fields: PaymentFields<K>;
  /** Whether `payment.payment` is what a passkey signs for the next confirm. */
  signable: boolean;
}

/** A confirmed payment's result; a payment without one is not what the API promises. */
export function resultOf<K extends PaymentKind>(
  payment: PaymentIntent<K>,
): NonNullable<PaymentIntent<K>['result']> {
  if (payment.result === null) {
    throw new ApiError({ status: 200, code: 'BAD_RESPONSE', message: 'The payment has no result.' });
  }
  return payment.result;
}

/** After money moved: whatever shows balances and movements asks again. */
export function useRefreshMoney() {
  const queryClient = useQueryClient();
  return () => {
    for (const queryKey of [['balance'], ['me'], transactionsKey, ['notifications'], ['kyc'], cardsKey]) {
      void queryClient.invalidateQueries({ queryKey });
    }
  };
}

export function DetailRows(props: {
  rows: { label: string; value: ReactNode; testId?: string; strong?: boolean }[];
}) {
  return (
    <dl className="detail-rows">
      {props.rows.map((row) => (
        <div key={row.label} className={row.strong ? 'detail-row strong' : 'detail-row'}>
          <dt>{row.label}</dt>
          <dd data-testid={row.testId}>{row.value}</dd>
        </div>
      ))}
    </dl>
  );
}

export type ResultTone = 'ok' | 'wait' | 'fail';

/** The top of a result screen: an icon, what happened, the amount. */
export function ResultHead(props: { tone: ResultTone; title: string; amount?: string; sub?: ReactNode }) {
  const Icon = props.tone === 'ok' ? CheckCircleIcon : props.tone === 'wait' ? ClockIcon : CrossCircleIcon;
  return (
    <section className={`result-head ${props.tone}`} aria-live="polite">
      <Icon className="result-icon" />
      <h2 className="result-title" data-testid="result-title">
        {props.title}
      </h2>
      {props.amount ? <p className="result-amount amount">{props.amount}</p> : null}
      {props.sub ? <p className="result-sub">{props.sub}</p> : null}
    </section>
  );
}

export function useCards() {
  return useQuery({ queryKey: cardsKey, queryFn: fetchCards });
}

/** The bound cards as radio buttons, default first. */
export function CardPicker(props: {
  cards: Card[];
  value: string | null;
  onChange: (id: string) => void;
  label: string;
}) {
  const { t, i18n } = useTranslation();
  return (
    <fieldset className="card-picker">
      <legend className="card-picker-legend">{props.label}</legend>
      {props.cards.map((card) => (
        <label key={card.id} className={card.id === props.value ? 'card-option selected' : 'card-option'}>
          <input
            type="radio"
            name="card"
            value={card.id}
            checked={card.id === props.value}
            onChange={() => props.onChange(card.id)}
          />
          <BankBadge code={card.bankCode} />
          <span className="card-option-text">
            <span className="card-option-bank">
              {bankNameOf(card.bankName, i18n.language)} {t(`money.cardsPage.${card.cardType}`)}
            </span>
            <span className="card-option-number">{card.maskedNumber}</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}

const BANK_COLOURS: Record<string, string> = {
  ICBC: '#c7000b',
  ABC: '#008f6b',
  BOC: '#a71e32',
  CCB: '#0a4ea2',
  BOCOM: '#1d3f8f',
  CMB: '#c8152d',
  PSBC: '#007a3d',
  CITIC: '#b8001f',
};

/** A round mark in the bank's colour with its short name. */
export function BankBadge(props: { code: string }) {
  return (
    <span
      className="bank-badge"
      aria-hidden="true"
      style={{ background: BANK_COLOURS[props.code] ?? '#5f5f64' }}
    >
      {props.code.slice(0, 4)}
    </span>
  );
}

/**
 * An amount in yuan, typed as text and never turned into a float. What is wrong with the text
 * (three decimals, zero) is said under it while typing; so is `problem`, what the screen knows
 * from the server about this amount (over a limit, more than the balance).
 */
export function AmountInput(props: {
  value: string;
  onChange: (value: string) => void;
  id?: string;
  disabled?: boolean;
  autoFocus?: boolean;
  label: string;
  problem?: string | null;
}) {
  const { t } = useTranslation();
  const typed = amountProblem(props.value);
  const message = typed ? t(`money.amountProblem.${typed}`) : (props.problem ?? null);
  return (
    <>
      <span className="amount-input">
        <span className="amount-input-sign" aria-hidden="true">
          ¥
        </span>
        <Input
          id={props.id}
          aria-label={message ? `${props.label}: ${message}` : props.label}
          inputMode="decimal"
          placeholder="0.00"
          value={props.value}
          disabled={props.disabled ?? false}
          autoFocus={props.autoFocus ?? false}
          onChange={(value) => props.onChange(value.replace(/[^\d.]/g, '').slice(0, 12))}
        />
      </span>
      {message ? (
        <span className="field-hint amount-problem" role="alert" data-testid="amount-problem">
          {message}
        </span>
      ) : null}
    </>
  );
}

/** The optional note of a payment (≤ 50 characters, as the API allows), growing to three lines. */
export function NoteField(props: { value: string; onChange: (value: string) => void }) {
  const { t } = useTranslation();
  return (
    <label className="money-field note-field">
      <span className="money-field-label">{t('money.note')}</span>
      <TextArea
        className="money-field-input"
        placeholder={t('money.notePlaceholder')}
        value={props.value}
        onChange={props.onChange}
        maxLength={50}
        rows={1}
        autoSize={{ minRows: 1, maxRows: 3 }}
      />
    </label>
  );
}
