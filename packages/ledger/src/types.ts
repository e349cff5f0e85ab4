/**
 * Public types of the ledger. Ids are UUID strings chosen by the client (UUIDv7 recommended so
 * index inserts stay local); amounts are `bigint` minor units of the accounts' currency.
 */

export const AccountFlags = {
  none: 0,
  /** Customer money: the account may never be overdrawn (debits ≤ credits, pending included). */
  debitsMustNotExceedCredits: 1 << 0,
  /** A liability-side limit account: credits ≤ debits, pending included. */
  creditsMustNotExceedDebits: 1 << 1,
  /**
   * Test money (a merchant's test mode, ADR 0022): a transfer moves between two test accounts or
   * two live ones, never across (`modeMismatch`), so nothing done with test keys reaches live money.
   */
  test: 1 << 2,
} as const;

export const TransferFlags = {
  none: 0,
  /** This transfer and the next one in the same request succeed or fail together. */
  linked: 1 << 0,
  /** A hold: moves the amount into the pending counters until posted, voided or expired. */
  pending: 1 << 1,
  /** Posts (a part of) the pending transfer named by `pendingId`. */
  postPending: 1 << 2,
  /** Voids the pending transfer named by `pendingId`. */
  voidPending: 1 << 3,
  /** Set by the ledger only: a void created by the expiry worker. Never accepted from callers. */
  expired: 1 << 4,
} as const;

export interface Account {
  id: string;
  currency: string;
  /** What the account is for (chart of accounts code), 1..65535. */
  code: number;
  /** Owner reference (e.g. `user:0192…`, `system:fees`), ≤ 128 characters. */
  ownerRef: string | null;
  flags: number;
  debitsPending: bigint;
  debitsPosted: bigint;
  creditsPending: bigint;
  creditsPosted: bigint;
  createdAt: Date;
}

export interface AccountBalance {
  accountId: string;
  currency: string;
  debitsPending: bigint;
  debitsPosted: bigint;
  creditsPending: bigint;
  creditsPosted: bigint;
  /** credits posted − debits posted (for a credit-normal customer account: what they hold). */
  postedBalance: bigint;
  /** posted balance − debits pending: what the owner can spend now. */
  availableBalance: bigint;
}

export interface CreateAccountInput {
  id: string;
  currency: string;
  code: number;
  ownerRef?: string | null;
  flags?: number;
}

export type CreateAccountResult = 'ok' | 'exists' | 'existsWithDifferentFields' | 'invalid';

/**
 * Which accounts `findAccounts` answers: an owner's, optionally only one currency and/or one code.
 * A malformed filter (an owner reference of 0 or more than 128 characters, a currency that is
 * not three capital letters, a code outside 1..65535) matches nothing.
 */
export interface AccountQuery {
  ownerRef: string;
  currency?: string;
  code?: number;
  /** At most this many accounts, 1..1000 (default 100). */
  limit?: number;
}

export interface TransferInput {
  id: string;
  /** For post/void this may be omitted (taken from the pending transfer); if given it must match. */
  debitAccountId?: string;
  creditAccountId?: string;
  /**
   * Required and > 0 for single-phase and pending transfers. For post-pending: omitted means the
   * full pending amount; a smaller amount posts part and releases the rest. Ignored for void.
   */
  amount?: bigint;
  /** ISO 4217 code; must equal both accounts' currency. Optional for post/void. */
  currency?: string;
  /** Why the money moves (1..65535), e.g. top-up, transfer, fee. */
  code: number;
  flags?: number;
  /** Required for post-pending and void-pending. */
  pendingId?: string;
  /** Pending only: seconds until the hold expires and is voided by the expiry worker; 0/omitted = never. */
  timeoutSeconds?: number;
  /** Free text for the caller (a reference, a JSON blob), ≤ 512 characters. */
  userData?: string;
  /**
   * Spending limits checked and counted atomically with this transfer (single-phase and holds
   * only): for each, the counter named `key` plus this amount must not pass `max`, and on success
   * the counter grows by the amount. The caller names the period in the key, e.g.
   * `pay:day:<user>:2026-11-21` (calendar day in its own time zone). At most 8.
   */
  limits?: readonly TransferLimit[];
  /**
   * The credit account's balance cap: after this transfer its credits (posted and pending) minus
   * its posted debits must not pass this amount. Single-phase and holds only.
   */
  creditBalanceCap?: bigint;
}

export interface TransferLimit {
  /** 1–128 characters of `A–Z a–z 0–9 : . _ -`. */
  key: string;
  /** ≥ 0 minor units. */
  max: bigint;
}

export interface Transfer {
  id: string;
  debitAccountId: string;
  creditAccountId: string;
  amount: bigint;
  currency: string;
  code: number;
  flags: number;
  pendingId: string | null;
  timeoutSeconds: number;
  /** Microseconds since the Unix epoch, unique and strictly increasing across the ledger. */
  timestamp: bigint;
  expiresAt: bigint | null;
  userData: string | null;
  /** The limit counters this transfer was counted in (empty when none). */
  limitKeys: string[];
}

/**
 * The outcome of one transfer, in precedence order (the first that applies is returned):
 *
 * 1. Static validation, from the input alone (never remembered: the same input always fails the
 *    same way): `invalidId`, `invalidFlags`, `invalidCode`, `accountIdRequired`,
 *    `accountsMustBeDifferent`, `pendingIdRequired`, `pendingIdMustBeAbsent`,
 *    `amountMustBePositive`, `currencyRequired`, `timeoutReservedForPending`, `invalidTimeout`,
 *    `userDataTooLong`, `invalidLimits`, `linkedChainOpen`.
 * 2. History: `idAlreadyFailed` (this id failed before: a retry never flips the outcome),
 *    `exists` (same id, same fields: the first result stands, treat as ok),
 *    `existsWithDifferentFields`.
 * 3. References: `pendingNotFound`, `pendingNotPending`, `accountNotFound`, `currencyMismatch`,
 *    `modeMismatch` (one account is test money, the other live), `pendingAccountsMismatch`, `pendingAlreadyResolved`, `pendingExpired`,
 *    `postAmountExceedsPending`.
 * 4. Balances: `overflow`, `insufficientFunds` (debit account flagged debitsMustNotExceedCredits —
 *    TigerBeetle's exceeds_credits), `exceedsDebits` (credit account flagged
 *    creditsMustNotExceedDebits), `exceedsBalanceCap` (the credit account's cap),
 *    `limitExceeded` (a limit counter would pass its max; the outcome names it).
 * 5. Chain: `linkedEventFailed` (another transfer of the same linked chain failed).
 *
 * `ok` and `exists` mean the transfer is durable. Every state-dependent failure (groups 3–5) is
 * remembered, so `idAlreadyFailed` answers any later attempt with the same id.
 */
export type TransferResult =
  | 'ok'
  | 'exists'
  | 'existsWithDifferentFields'
  | 'idAlreadyFailed'
  | 'invalidId'
  | 'invalidFlags'
  | 'invalidCode'
  | 'accountIdRequired'
  | 'currencyRequired'
  | 'invalidTimeout'
  | 'amountMustBePositive'
  | 'accountsMustBeDifferent'
  | 'pendingIdRequired'
  | 'pendingIdMustBeAbsent'
  | 'timeoutReservedForPending'
  | 'userDataTooLong'
  | 'invalidLimits'
  | 'linkedChainOpen'
  | 'accountNotFound'
  | 'currencyMismatch'
  | 'modeMismatch'
  | 'pendingNotFound'
  | 'pendingNotPending'
  | 'pendingAccountsMismatch'
  | 'pendingAlreadyResolved'
  | 'pendingExpired'
  | 'postAmountExceedsPending'
  | 'overflow'
  | 'insufficientFunds'
  | 'exceedsDebits'
  | 'exceedsBalanceCap'
  | 'limitExceeded'
  | 'linkedEventFailed';

export interface TransferOutcome {
  id: string;
  result: TransferResult;
  /** The committed transfer for `ok` and `exists`. */
  transfer?: Transfer;
  /** For `idAlreadyFailed`: the result of the first attempt. */
  failedWith?: TransferResult;
  /** For `limitExceeded`: which limit, and how much of it was left before this transfer. */
  limit?: { key: string; max: bigint; remaining: bigint };
  /** For `exceedsBalanceCap`: how much more the credit account could have received. */
  balanceCapRemaining?: bigint;
}

/** Raised (as a rejected promise) when the batch queue is full: the caller should back off. */
export class LedgerOverloadedError extends Error {
  readonly code = 'overloaded';
  constructor() {
    super('ledger queue is full');
  }
}

/** Raised when the ledger is shutting down and no longer accepts work. */
export class LedgerClosedError extends Error {
  readonly code = 'closed';
  constructor() {
    super('ledger is shutting down');
  }
}

/**
 * Raised when the database stayed unavailable (connections lost, no writable leader) for longer
 * than the ledger waits (`unavailableAfterMs`) while the caller's batch tried to commit: the
 * transfers may or may not have been committed (ADR 0027). The caller retries with the same ids,
 * which the ledger answers idempotently.
 */
export class LedgerUnavailableError extends Error {
  readonly code = 'unavailable';
  constructor(options?: { cause?: unknown }) {
    super('the database is unavailable; retry with the same transfer ids', options);
  }
}

export interface TransferPage {
  transfers: Transfer[];
  /** Pass back as `cursor` for the next (older) page; null at the end. */
  nextCursor: string | null;
}

export interface VerifyReport {
  ok: boolean;
  batches: number;
  transfers: number;
  accounts: number;
  /** Per currency: total debits and credits posted (must be equal). */
  trialBalance: {
    currency: string;
    debitsPosted: bigint;
    creditsPosted: bigint;
    debitsPending: bigint;
    creditsPending: bigint;
  }[];
  /**
   * The journal's keying (ADR 0010): the first record hashed with the journal key (null: the
   * journal is not sealed), when it was sealed, and whether this run checked the keyed hashes.
   */
  journal: { keyedFromSeq: bigint | null; sealedAt: Date | null; keyChecked: boolean };
  /**
   * The journal checkpoints checked (ADR 0010), null when none were given: lines read (other
   * chains' lines in the same file left out), how many were authentic, and the newest authentic
   * one (the highest record).
   */
  checkpoints: { lines: number; authentic: number; newest: { seq: bigint; at: string } | null } | null;
  /** Every broken place found, described for a human (at most MAX_LISTED_PROBLEMS of them). */
  problems: string[];
  /** How many broken places were found in all (≥ problems.length). */
  problemsFound: number;
}
