/**
 * What a module gives the payment resource (intents.ts) for each kind of payment it makes: the
 * fields a client sends to create one, how to quote it, and how to carry it out. The resource
 * keeps the state (quoted → confirmed → a final state) and the attempt; the module keeps its own
 * rules and records, and runs the pipeline's steps (authorize.ts) as its own routes do.
 */
import type { z } from 'zod';
import type { HolderPrincipal } from '../auth/index.ts';
import type { GivenFactor } from '../http/confirmation.ts';
import type { PaymentKind } from './kinds.ts';

/** JSON as stored in `payments_intents` and answered to clients. */
export type JsonObject = { [key: string]: unknown };

/** Money as the HTTP kit writes it: `{"amount": "1234", "currency": "CNY"}`. */
export interface MoneyJson {
  amount: string;
  currency: string;
}

export interface IntentQuote {
  amount: MoneyJson;
  fee: MoneyJson;
  /** What leaves the payer's wallet: amount + fee (for a top-up: what the card is charged). */
  total: MoneyJson;
  /** How to confirm it now (`confirmationPlanJson`). */
  confirmation: JsonObject;
  /** What a passkey signs for this attempt (`paymentToSignJson`), for POST /v1/me/confirmations/options. */
  payment: JsonObject;
  /** Why it would be refused if confirmed now (the error body's `error` shape), or null. */
  refusal: JsonObject | null;
  /** What only this kind says: the payee (masked), limits left, the arrival time, the account … */
  details: JsonObject;
}

export interface IntentOutcome {
  /** `processing`: the bank has not answered yet; GET /v1/payments/:id follows it. */
  status: 'succeeded' | 'processing' | 'failed';
  /** The module's own answer (what its route answers: a transfer, a funding operation). */
  result: JsonObject;
}

export interface IntentKind<Request extends JsonObject> {
  kind: PaymentKind;
  /** The fields of POST /v1/payments for this kind (without `kind`); parsed, then stored as given. */
  fields: z.ZodType<Request>;
  /**
   * The quote of the payment as it would run now — the module's preview (the same pipeline steps
   * as confirming, without the confirmation). Refusals known before any factor (no such payee, a
   * tier too low, an unknown card) are thrown, as the module's own quote does.
   */
  quote(input: { holder: HolderPrincipal; request: Request; paymentId: string }): Promise<IntentQuote>;
  /**
   * Carry it out with the confirmation. `paymentId` is fixed per attempt (derived from the
   * payment's id): run again with the same id — after a crash, or by a second confirm — the module
   * answers the outcome of that run, never a second movement (`resumed` says the earlier run may
   * have moved money). A refusal is thrown (an `AppError`), and means nothing moved.
   */
  confirm(input: {
    holder: HolderPrincipal;
    request: Request;
    paymentId: string;
    /** The factor given; null: none (only a password-free payment passes then). */
    confirmation: GivenFactor | null;
    resumed: boolean;
  }): Promise<IntentOutcome>;
  /**
   * What is stored of the request, when some of it is secret (a bank account number): sealed
   * here, opened by `openRequest` before `confirm`. Unset: stored as given.
   */
  sealRequest?(request: Request): JsonObject;
  openRequest?(stored: JsonObject): Request;
  /** For an outcome still `processing`: its state now (the module's record). */
  refresh?(input: { holder: HolderPrincipal; result: JsonObject }): Promise<IntentOutcome>;
}

/** Declare a kind (typed by its fields). */
export function defineIntentKind<Request extends JsonObject>(kind: IntentKind<Request>): IntentKind<Request> {
  return kind;
}
