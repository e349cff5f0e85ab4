/**
 * The risk engine's vocabulary (issue 11, domain-rules §7). The engine is pure: given the facts of
 * one movement or sign-in, the state kept about the parties (`RiskState`, read by a store) and a
 * rule set, it answers a judgement. Stores keep the state incrementally (features.ts says how
 * each event changes it); nothing is recomputed from history per request.
 *
 *   facts + state ──derive (features.ts)──▶ features ──evaluate (rules.ts)──▶ judgement
 *
 * Features are statistics, not money: amounts in them are plain numbers of minor units (exact
 * below 2^53, far above any limit), so a rule can say "amount > 3 × the holder's median". Money
 * itself stays `bigint` in the facts.
 */

/** What the engine decides, weakest first; the strongest of the score's and the rules' wins. */
export const DECISIONS = ['allow', 'step_up', 'review', 'block'] as const;
export type Decision = (typeof DECISIONS)[number];

/**
 * What a rule judges: a holder's payment, a holder's sign-in, or a merchant's refund to a payer
 * (staff act for the merchant; the money leaves the merchant's balance, never a holder's wallet,
 * so it has its own facts, features and rules and touches no holder's history).
 */
export const SUBJECTS = ['payment', 'sign_in', 'merchant_refund'] as const;
export type Subject = (typeof SUBJECTS)[number];

/** The payment kinds of the pipeline (payments/kinds.ts) and any later ones: a string here. */
export type MovementKind = string;

/**
 * One money movement as the pipeline judges it, before it reaches the ledger.
 * `payee` is the payment's payee reference as the confirmation binds it (`user:<id>`, `card:<id>`,
 * `bank:<digest>`, `merchant:<id>` …); for a top-up it is the card the money comes from.
 */
export interface PaymentFacts {
  subject: 'payment';
  kind: MovementKind;
  holderId: string;
  amountMinor: bigint;
  currency: string;
  payee: string;
  /** The payee's holder when the payee is a wallet (fan-in is counted per receiving holder). */
  payeeHolderId: string | null;
  deviceId: string | null;
  ip: string | null;
  /** A top-up's or withdrawal's card, and its BIN (first 6 digits), when there is one. */
  cardId: string | null;
  cardBin: string | null;
  /** The payer's available balance before the payment (account takeover drains it). */
  balanceMinor: bigint | null;
  at: Date;
}

export interface SignInFacts {
  subject: 'sign_in';
  holderId: string;
  deviceId: string | null;
  ip: string | null;
  at: Date;
}

/**
 * A merchant returning money to the payer of one of its orders (modules/merchants `refund`),
 * judged after the order and amount are known and before anything is reserved. At most what the
 * payer paid comes back to that payer, from the merchant's balance: the signals are the refund's
 * shape (its share of the order, how long after the payment) and the merchant's refunds against
 * its takings, not any holder's habits.
 */
export interface MerchantRefundFacts {
  subject: 'merchant_refund';
  merchantId: string;
  /** The holder who owns the merchant: its decisions are listed under them for operators. */
  ownerUserId: string;
  /** The refund being judged (its id once reserved: the decision's movement). */
  refundId: string;
  amountMinor: bigint;
  currency: string;
  /** What the payer paid for the order, and what was refunded of it before this refund. */
  orderPaidMinor: bigint;
  orderRefundedMinor: bigint;
  orderPaidAt: Date;
  /** Who gets the money back (the order's payer): the refund's payee is `user:<payerUserId>`. */
  payerUserId: string;
  at: Date;
}

/**
 * Money credited into a holder's wallet by a movement judged neither as the receiver's payment
 * nor, at that moment, as the sender's: a red packet's share as its claimer opens it (the packet
 * was judged when it was sent). Not a subject: nothing is decided, the state only learns of it
 * (features.ts `receivedChanges`).
 */
export interface ReceivedFacts {
  kind: 'red_packet_claim';
  /** Whose money it was (the packet's sender). */
  fromHolderId: string;
  /** Whose wallet was credited (the claimer). */
  toHolderId: string;
  /** When the receiver registered: a claimer registered less than a day before is a fresh account. */
  toHolderRegisteredAt: Date | null;
  amountMinor: bigint;
  currency: string;
  at: Date;
}

/** The facts of a holder's own request (a payment or a sign-in): they have a device and an IP. */
export type HolderFacts = PaymentFacts | SignInFacts;

export type Facts = HolderFacts | MerchantRefundFacts;

/** A place, from the IP-to-place adapter (adapters/places.ts: a sandbox with documented ranges). */
export interface Place {
  city: string;
  latitude: number;
  longitude: number;
}

/**
 * Counts and sums over one sliding window, for one key (features.ts `COUNTERS` names the keys and
 * windows). A store may keep them in time buckets: `count` and `sum` are then those of the
 * buckets the window covers.
 */
export interface WindowTotals {
  count: number;
  sum: number;
}

/** What a store reads for one judgement (features.ts `stateKeys` says which keys). */
export interface RiskState {
  /** `${counterKey}@${windowSeconds}` → totals; a key never seen is absent (zero). */
  windows: Record<string, WindowTotals>;
  /** The holder's amounts of successful outgoing payments over about 90 days: a histogram (features.ts `AMOUNT_BINS`). */
  amountHistogram: number[] | null;
  /** When the holder first paid this payee successfully; null: never. */
  payeeFirstPaidAt: Date | null;
  /** When the engine first saw this holder on this device (a sign-in or a payment); null: never. */
  deviceFirstSeenAt: Date | null;
  /**
   * When the engine first saw this holder at all: the earliest first sight of any of its devices
   * (registration is a sign-in, so for a holder registered since the engine runs it is the
   * registration); null: never. It tells an established holder on a new device (a takeover's
   * shape) from a new holder on their first device.
   */
  holderFirstSeenAt: Date | null;
  /** The holder's previous sign-in (before this one, for a sign-in): where and when. */
  lastSignIn: { at: Date; place: Place | null } | null;
  /** This request's place (from its IP). */
  place: Place | null;
  /** The holder's last password or PIN reset (SIM swap: a reset, then an immediate payout). */
  lastCredentialResetAt: Date | null;
  /** Deny and allow list hits, per list (risk_lists). */
  lists: { deny: ListName[]; allow: ListName[] };
}

export const LIST_NAMES = ['payee', 'device', 'ip', 'card_bin'] as const;
export type ListName = (typeof LIST_NAMES)[number];

/** The features rules read: numbers and booleans; null where a feature has no value (no history). */
export type Features = Record<string, number | boolean | null>;

/** Comparison operators of a condition. */
export const OPERATORS = ['>', '>=', '<', '<=', '==', '!='] as const;
export type Operator = (typeof OPERATORS)[number];

/**
 * A rule's condition, as stored (JSON). A comparison against a feature that is null is false.
 * - `{ feature, op, value }`: the feature against a constant;
 * - `{ feature, op, other, times }`: against another feature times a factor
 *   ("amount_minor > 3 × holder_amount_median");
 * - `all`, `any`, `not`.
 */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { feature: string; op: Operator; value: number | boolean }
  | { feature: string; op: Operator; other: string; times?: number };

export interface Rule {
  /** Stable id, snake_case: what a decision records as fired. */
  id: string;
  subject: Subject;
  description: { zh: string; en: string };
  when: Condition;
  /** Added to the score when the rule fires (may be negative: an allow-listed device). */
  score: number;
  /** A decision the rule makes by itself when it fires, whatever the score. */
  decision?: Decision;
}

export interface Thresholds {
  /** score ≥ stepUp → step_up; ≥ review → review; ≥ block → block (and freeze). */
  stepUp: number;
  review: number;
  block: number;
}

export interface RuleSet {
  version: number;
  thresholds: Thresholds;
  rules: Rule[];
}

export interface Judgement {
  /** 0–100: the fired rules' scores summed, clamped. */
  score: number;
  decision: Decision;
  /** Ids of the fired rules, in rule-set order. */
  fired: string[];
  /** The rule set's version that judged. */
  version: number;
}

/**
 * Where the state lives: PostgreSQL in the server (../store.ts), memory in the synthetic
 * evaluation (memory-store.ts). Both apply the same changes (features.ts), so the same facts
 * give the same features in both (a test feeds one event stream to both).
 */
export interface RiskStateStore {
  /** The state one judgement needs (features.ts `stateKeys(facts)` names the windows). */
  read(facts: Facts): Promise<RiskState>;
  /** Every judged payment attempt counts in the velocity windows, whatever was decided. */
  recordAttempt(facts: PaymentFacts, judgement: Judgement): Promise<void>;
  /** A payment that moved money: the amount history, the payee first paid, the success sums. */
  recordSuccess(facts: PaymentFacts): Promise<void>;
  /** A merchant refund the engine let through: the merchant's refund counters. */
  recordRefund(facts: MerchantRefundFacts): Promise<void>;
  /** Money credited into a wallet unjudged (a red packet's share): the receiver's and sender's counts. */
  recordReceived(facts: ReceivedFacts): Promise<void>;
  /** A sign-in that succeeded: the holder's last place and time, the device first seen. */
  recordSignIn(facts: SignInFacts, place: Place | null): Promise<void>;
  /** A password or PIN reset (SIM swap). */
  recordCredentialReset(holderId: string, at: Date): Promise<void>;
  /** A wrong PIN (velocity of failed PINs). */
  recordFactorFailure(holderId: string, at: Date): Promise<void>;
}
