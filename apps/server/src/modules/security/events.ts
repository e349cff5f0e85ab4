/**
 * The domain events of the security module (outbox/, ADR 0015) and the notices they give.
 * `security.payments_locked` is appended in the transaction that records the lock (store.ts
 * `finishFactorTry`), so the lock and the holder's notice of it can no longer part: a crash
 * between them used to lose the notice.
 */
import type { NewEvent, OutboxEvent } from '../../outbox/index.ts';
import type { NoticeRenderers } from '../notifications/index.ts';
import { paymentsLockedNotice } from './messages.ts';

export const SECURITY_EVENTS = { paymentsLocked: 'security.payments_locked' } as const;

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
  return {
    type: SECURITY_EVENTS.paymentsLocked,
    aggregateType: 'security_holder',
    aggregateId: input.userId,
    payload,
    createdAt: input.at,
  };
}

/** The holder's notice of the lock, text exactly as messages.ts has it. */
export const SECURITY_NOTICES: NoticeRenderers = {
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
