/**
 * The domain events of the security module (outbox/, ADR 0015) and the notices they give. Each
 * is appended by store.ts in the transaction that records its change — a PIN set or replaced,
 * the password-free limit changed, a passkey added or removed, two-step verification turned on
 * or off, payments locked by wrong answers — so the change and the holder's notice of it can no
 * longer part: a crash between them used to lose the notice. All are events of the aggregate
 * `security_holder` (the holder's user id); each transaction takes the holder's row lock before
 * its first write, so a holder's events keep the order of the changes.
 */
import { formatDecimal } from '@qianbao/money';
import { moneyPayload } from '../../outbox/index.ts';
import type { NewEvent, OutboxEvent } from '../../outbox/index.ts';
import type { NoticeRenderers } from '../notifications/index.ts';
import {
  passkeyAddedNotice,
  passkeyRemovedNotice,
  passwordFreeChangedNotice,
  paymentsLockedNotice,
  pinSetNotice,
  totpDisabledNotice,
  totpEnabledNotice,
} from './messages.ts';

export const SECURITY_EVENTS = {
  pinSet: 'security.pin_set',
  passwordFreeLimitChanged: 'security.password_free_limit_changed',
  passkeyAdded: 'security.passkey_added',
  passkeyRemoved: 'security.passkey_removed',
  totpEnabled: 'security.totp_enabled',
  totpDisabled: 'security.totp_disabled',
  paymentsLocked: 'security.payments_locked',
} as const;

const AGGREGATE_TYPE = 'security_holder';

function holderEvent(type: string, userId: string, payload: NewEvent['payload'], at: Date): NewEvent {
  return { type, aggregateType: AGGREGATE_TYPE, aggregateId: userId, payload, createdAt: at };
}

export interface PinSetPayload {
  [key: string]: string | boolean;
  userId: string;
  /** True when a PIN was there before (changed or forgotten and replaced). */
  changed: boolean;
}

export function pinSet(input: { userId: string; changed: boolean; at: Date }): NewEvent {
  const payload: PinSetPayload = { userId: input.userId, changed: input.changed };
  return holderEvent(SECURITY_EVENTS.pinSet, input.userId, payload, input.at);
}

export interface PasswordFreeLimitChangedPayload {
  [key: string]: string | { amount: string; currency: string };
  userId: string;
  /** The new limit per payment; zero turns password-free payments off. */
  limit: { amount: string; currency: string };
}

export function passwordFreeLimitChanged(input: {
  userId: string;
  limitMinor: bigint;
  currency: string;
  at: Date;
}): NewEvent {
  const payload: PasswordFreeLimitChangedPayload = {
    userId: input.userId,
    limit: moneyPayload(input.limitMinor, input.currency),
  };
  return holderEvent(SECURITY_EVENTS.passwordFreeLimitChanged, input.userId, payload, input.at);
}

export interface PasskeyPayload {
  [key: string]: string;
  userId: string;
  passkeyId: string;
  /** The name the holder gave it (what the notice shows). */
  name: string;
}

export function passkeyAdded(input: { userId: string; passkeyId: string; name: string; at: Date }): NewEvent {
  const payload: PasskeyPayload = { userId: input.userId, passkeyId: input.passkeyId, name: input.name };
  return holderEvent(SECURITY_EVENTS.passkeyAdded, input.userId, payload, input.at);
}

export function passkeyRemoved(input: {
  userId: string;
  passkeyId: string;
  name: string;
  at: Date;
}): NewEvent {
  const payload: PasskeyPayload = { userId: input.userId, passkeyId: input.passkeyId, name: input.name };
  return holderEvent(SECURITY_EVENTS.passkeyRemoved, input.userId, payload, input.at);
}

export interface TotpEnabledPayload {
  [key: string]: string;
  userId: string;
}

export function totpEnabled(input: { userId: string; at: Date }): NewEvent {
  const payload: TotpEnabledPayload = { userId: input.userId };
  return holderEvent(SECURITY_EVENTS.totpEnabled, input.userId, payload, input.at);
}

export interface TotpDisabledPayload {
  [key: string]: string | boolean;
  userId: string;
  /** Turned off with a recovery code rather than a current code. */
  withRecoveryCode: boolean;
}

export function totpDisabled(input: { userId: string; withRecoveryCode: boolean; at: Date }): NewEvent {
  const payload: TotpDisabledPayload = { userId: input.userId, withRecoveryCode: input.withRecoveryCode };
  return holderEvent(SECURITY_EVENTS.totpDisabled, input.userId, payload, input.at);
}

export interface PaymentsLockedPayload {
  [key: string]: string;
  userId: string;
  /** Wrong answers in a row that locked payments, and for how long (decimal strings). */
  failures: string;
  lockMinutes: string;
  lockedUntil: string;
}

export function paymentsLocked(input: {
  userId: string;
  failures: number;
  lockMs: number;
  lockedUntil: Date;
  at: Date;
}): NewEvent {
  const payload: PaymentsLockedPayload = {
    userId: input.userId,
    failures: String(input.failures),
    lockMinutes: String(Math.round(input.lockMs / 60_000)),
    lockedUntil: input.lockedUntil.toISOString(),
  };
  return holderEvent(SECURITY_EVENTS.paymentsLocked, input.userId, payload, input.at);
}

/** The holder's notice of each change, texts exactly as messages.ts has them. */
export const SECURITY_NOTICES: NoticeRenderers = {
  [SECURITY_EVENTS.pinSet]: (event: OutboxEvent) => {
    const payload = event.payload as PinSetPayload;
    return [{ userId: payload.userId, notice: pinSetNotice({ changed: payload.changed }) }];
  },
  [SECURITY_EVENTS.passwordFreeLimitChanged]: (event: OutboxEvent) => {
    const payload = event.payload as PasswordFreeLimitChangedPayload;
    const limitYuan = formatDecimal(BigInt(payload.limit.amount), payload.limit.currency);
    return [{ userId: payload.userId, notice: passwordFreeChangedNotice({ limitYuan }) }];
  },
  [SECURITY_EVENTS.passkeyAdded]: (event: OutboxEvent) => {
    const payload = event.payload as PasskeyPayload;
    return [{ userId: payload.userId, notice: passkeyAddedNotice({ name: payload.name }) }];
  },
  [SECURITY_EVENTS.passkeyRemoved]: (event: OutboxEvent) => {
    const payload = event.payload as PasskeyPayload;
    return [{ userId: payload.userId, notice: passkeyRemovedNotice({ name: payload.name }) }];
  },
  [SECURITY_EVENTS.totpEnabled]: (event: OutboxEvent) => {
    const payload = event.payload as TotpEnabledPayload;
    return [{ userId: payload.userId, notice: totpEnabledNotice() }];
  },
  [SECURITY_EVENTS.totpDisabled]: (event: OutboxEvent) => {
    const payload = event.payload as TotpDisabledPayload;
    return [
      {
        userId: payload.userId,
        notice: totpDisabledNotice({ withRecoveryCode: payload.withRecoveryCode }),
      },
    ];
  },
  [SECURITY_EVENTS.paymentsLocked]: (event: OutboxEvent) => {
    const payload = event.payload as PaymentsLockedPayload;
    return [
      {
        userId: payload.userId,
        notice: paymentsLockedNotice({
          failures: Number(payload.failures),
          lockMinutes: Number(payload.lockMinutes),
        }),
      },
    ];
  },
};
