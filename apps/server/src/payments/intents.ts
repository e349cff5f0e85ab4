/**
 * The payment resource (issue 10, ADR 0014 "The client's shape"): one shape for every kind of
 * payment, as Stripe's payment intents have it.
 *
 *   POST /v1/payments              { kind, …fields }   → a stored quote: `requires_confirmation`,
 *                                                          amount, fee, total, how to confirm,
 *                                                          what a passkey signs, any refusal
 *   POST /v1/payments/:id/confirm  { confirmation }     → `succeeded` | `processing` (the bank
 *                                                          works; GET follows it) — or the refusal,
 *                                                          and the payment waits for a confirm again
 *   GET  /v1/payments/:id                                → where it stands
 *   POST /v1/payments/:id/cancel                         → `canceled` (only while it waits)
 *
 * A kind is a module's (`IntentKind`, intent-kinds.ts): transfers give `transfer` and
 * `payment_request`, funding gives `top_up`, `withdrawal` and `bank_transfer`; each quote and
 * confirm runs the module's own code, so the pipeline's steps (authorize.ts) and the module's
 * records are exactly those of its own routes.
 *
 * Money moves at most once per payment:
 * - a confirm claims the row (compare-and-set on status and attempt): of concurrent confirms one
 *   runs, the others answer PAYMENT_IN_PROGRESS;
 * - the movement's id is derived from (payment, attempt): the same attempt run again — a retry
 *   after a crash, once the claim has lapsed — answers what that attempt did (`resumed`), never
 *   a second movement;
 * - a refusal means nothing moved: the attempt ends and the next confirm is a new one — except
 *   STEP_UP_REQUIRED, passed for this attempt's movement: the next confirm is the same attempt.
 */
import { derivedId, newId } from '@qianbao/ledger';
import type { HolderPrincipal } from '../auth/index.ts';
import { AppError, ERRORS, isUnfinished } from '../errors.ts';
import { defineJob } from '../jobs/index.ts';
import type { JobDefinition } from '../jobs/index.ts';
import type { GivenFactor } from '../http/confirmation.ts';
import type { IntentKind, IntentOutcome, IntentQuote, JsonObject } from './intent-kinds.ts';
import type { IntentRow, IntentStatus, IntentStore } from './intent-store.ts';
import type { PaymentKind } from './kinds.ts';

/** A quote is good this long; a payment not confirmed by then is `expired`. */
export const INTENT_MINUTES = 15;
/** Payments that never moved money are deleted this long after their expiry (`payments.prune`). */
export const UNCONFIRMED_RETENTION_DAYS = 7;
export const PAYMENTS_JOBS = { prune: 'payments.prune' } as const;
/** A confirm holds the payment this long; past it, a process that died is taken over. */
const CLAIM_SECONDS = 30;

export interface PaymentIntentView {
  id: string;
  kind: PaymentKind;
  status: IntentStatus;
  /** The quote's figures (`amount`, `fee`, `total`, `confirmation`, `payment`, `refusal`, `details`). */
  quote: IntentQuote;
  /** The module's answer once confirmed (a transfer, a funding operation); null before. */
  result: JsonObject | null;
  /** Why the last confirm was refused (the error body's `error`); null after a success. */
  lastError: JsonObject | null;
  expiresAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

export interface PaymentIntentsDeps {
  store: IntentStore;
  now: () => Date;
}

export class PaymentIntents {
  private readonly kinds = new Map<PaymentKind, IntentKind<JsonObject>>();

  constructor(private readonly deps: PaymentIntentsDeps) {}

  /** `payments.prune`, daily: payments never confirmed (every quote a screen made) do not pile up. */
  jobs(): JobDefinition[] {
    return [
      defineJob({
        name: PAYMENTS_JOBS.prune,
        schedule: { cron: '50 3 * * *' },
        retry: { limit: 2, delaySeconds: 300, backoff: true },
        timeoutSeconds: 3600,
        handler: async () => {
          const before = new Date(this.deps.now().getTime() - UNCONFIRMED_RETENTION_DAYS * 86_400_000);
          return { deleted: await this.deps.store.prune(before) };
        },
      }),
    ];
  }

  /** Add a module's kinds (in app.ts, before the routes are registered). */
  register(...kinds: IntentKind<JsonObject>[]): void {
    for (const kind of kinds) {
      if (this.kinds.has(kind.kind)) throw new Error(`payment kind ${kind.kind} is registered twice`);
      this.kinds.set(kind.kind, kind);
    }
  }
  registered(): IntentKind<JsonObject>[] {
    return [...this.kinds.values()];
  }

  async create(input: {
    holder: HolderPrincipal;
    kind: PaymentKind;
    request: JsonObject;
  }): Promise<PaymentIntentView> {
    const kind = this.kindOf(input.kind);
    const id = newId();
    const now = this.deps.now();
    const quote = await kind.quote({
      holder: input.holder,
      request: input.request,
      paymentId: movementId(id, 0),
    });
    const row = await this.deps.store.insert({
      id,
      user_id: input.holder.userId,
      kind: input.kind,
      request: kind.sealRequest ? kind.sealRequest(input.request) : input.request,
      quote,
      status: 'requires_confirmation',
      created_at: now,
      updated_at: now,
      expires_at: new Date(now.getTime() + INTENT_MINUTES * 60_000),
    });
    return viewOf(row);
  }

  /** Where the payment stands; a `processing` one is asked of its module again. */
  async get(input: { holder: HolderPrincipal; id: string }): Promise<PaymentIntentView> {
    let row = await this.find(input);
    row = await this.expireIfDue(row);
    if (row.status === 'processing' && row.result && row.claimed_until === null) {
      const kind = this.kindOf(row.kind as PaymentKind);
      if (kind.refresh) {
        const outcome = await kind.refresh({ holder: input.holder, result: row.result });
        if (outcome.status !== 'processing') {
          row =
            (await this.deps.store.settle({
              id: row.id,
              attempt: row.attempt,
              status: outcome.status,
              result: outcome.result,
              now: this.deps.now(),
            })) ?? (await this.find(input));
        }
      }
    }
    return viewOf(row);
  }

  async confirm(input: {
    holder: HolderPrincipal;
    id: string;
    confirmation: GivenFactor | null;
  }): Promise<PaymentIntentView> {
    const { store } = this.deps;
    let row = await this.expireIfDue(await this.find(input));
    // Done already: the answer is where it stands (a retry with another key moves nothing).
    if (row.status === 'succeeded' || row.status === 'failed') return viewOf(row);
    if (row.status === 'processing' && row.result !== null && row.claimed_until === null) {
      return this.get(input);
    }
    if (row.status === 'canceled') throw new AppError('PAYMENT_CANCELED');
    if (row.status === 'expired') throw new AppError('PAYMENT_EXPIRED');
    const now = this.deps.now();
    const claimed = await store.claim({
      id: row.id,
      from: { status: row.status, attempt: row.attempt },
      now,
      until: new Date(now.getTime() + CLAIM_SECONDS * 1000),
    });
    if (!claimed) {
      row = await this.find(input);
      if (row.status === 'succeeded' || row.status === 'failed') return viewOf(row);
      throw new AppError('PAYMENT_IN_PROGRESS');
    }
    // Taken over from a confirm that ended unanswered: its attempt may have moved the money.
    const resumed = row.status === 'processing';
    const kind = this.kindOf(claimed.kind as PaymentKind);
    let outcome: IntentOutcome;
    try {
      outcome = await kind.confirm({
        holder: input.holder,
        request: kind.openRequest ? kind.openRequest(claimed.request) : claimed.request,
        paymentId: movementId(claimed.id, claimed.attempt),
        confirmation: input.confirmation,
        resumed,
      });
    } catch (error) {
      if (error instanceof AppError && ERRORS[error.code].status < 500) {
        // Refused: nothing moved. The payment waits for a confirm again, as a new attempt — but
        // a step-up is passed for this attempt's movement, so after one the attempt stays.
        await store.refuse({
          id: claimed.id,
          attempt: claimed.attempt,
          error: { code: error.code, message: error.message, details: error.details ?? {} },
          now: this.deps.now(),
          sameAttempt: isUnfinished(error.code),
        });
      } else {
        // Unanswered: the attempt may have moved money; a retry takes it over (`resumed`).
        await store
          .release({ id: claimed.id, attempt: claimed.attempt, now: this.deps.now() })
          .catch(() => {});
      }
      throw error;
    }
    const finished = await store.finish({
      id: claimed.id,
      attempt: claimed.attempt,
      status: outcome.status,
      result: outcome.result,
      now: this.deps.now(),
    });
    return viewOf(finished ?? (await this.find(input)));
  }

  async cancel(input: { holder: HolderPrincipal; id: string }): Promise<PaymentIntentView> {
    const row = await this.expireIfDue(await this.find(input));
    if (row.status === 'canceled') return viewOf(row);
    const canceled = await this.deps.store.close({ id: row.id, to: 'canceled', now: this.deps.now() });
    if (canceled) return viewOf(canceled);
    const now = await this.find(input);
    if (now.status === 'canceled') return viewOf(now);
    throw new AppError('PAYMENT_NOT_CANCELABLE', { details: { status: now.status } });
  }

  private kindOf(kind: PaymentKind) {
    const found = this.kinds.get(kind);
    if (!found) throw new Error(`payment kind ${kind} is not registered`);
    return found;
  }

  private async find(input: { holder: HolderPrincipal; id: string }): Promise<IntentRow> {
    const row = /^[0-9a-f-]{36}$/i.test(input.id)
      ? await this.deps.store.get(input.id, input.holder.userId)
      : null;
    if (!row) throw new AppError('PAYMENT_NOT_FOUND');
    return row;
  }

  private async expireIfDue(row: IntentRow): Promise<IntentRow> {
    const now = this.deps.now();
    if (row.status !== 'requires_confirmation' || row.expires_at.getTime() > now.getTime()) return row;
    return (await this.deps.store.close({ id: row.id, to: 'expired', now })) ?? row;
  }
}

/** The id of attempt `attempt`'s movement: the module's payment id (ledger transfer, operation). */
export function movementId(intentId: string, attempt: number): string {
  return derivedId(`payment-intent:${intentId}:${attempt}`);
}

function viewOf(row: IntentRow): PaymentIntentView {
  // A passkey signs the current attempt's movement (the quote named attempt 0's); a kind whose
  // payment is named otherwise (a payment request's own id) keeps its name.
  const named = row.quote.payment;
  const quote =
    row.attempt > 0 && named.id === movementId(row.id, 0)
      ? { ...row.quote, payment: { ...named, id: movementId(row.id, row.attempt) } }
      : row.quote;
  return {
    id: row.id,
    kind: row.kind as PaymentKind,
    status: row.status,
    quote,
    result: row.result,
    lastError: row.last_error,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
