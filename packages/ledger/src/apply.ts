/**
 * The pure heart of the ledger: given the state loaded (and locked) for one batch, apply every
 * request in arrival order and say what to write. No I/O here, so the rules can be read, tested
 * and reasoned about on their own; the store wraps this in one database transaction.
 */
import { isUuid } from './ids.ts';
import { AccountFlags, TransferFlags } from './types.ts';
import type { Transfer, TransferInput, TransferOutcome, TransferResult } from './types.ts';

export const MAX_USER_DATA_LENGTH = 512;
/** Ten years: a hold that outlives that is a bug, not a business case. */
export const MAX_TIMEOUT_SECONDS = 10 * 366 * 24 * 3600;
const MAX_COUNTER = (1n << 63n) - 1n; // PostgreSQL bigint
const KIND_FLAGS = TransferFlags.pending | TransferFlags.postPending | TransferFlags.voidPending;
const KNOWN_FLAGS = TransferFlags.linked | KIND_FLAGS | TransferFlags.expired;

export interface AccountState {
  id: string;
  currency: string;
  flags: number;
  debitsPending: bigint;
  debitsPosted: bigint;
  creditsPending: bigint;
  creditsPosted: bigint;
}

/** What the batch needs to know, loaded under the journal-head lock. */
export interface BatchState {
  accounts: Map<string, AccountState>;
  /** Committed transfers by id: the batch's own ids and every pending id they name. */
  transfers: Map<string, Transfer>;
  /** Pending ids that a committed post/void/expiry already resolved. */
  resolvedPendingIds: Set<string>;
  /** Ids that failed before, with their first result. */
  failures: Map<string, TransferResult>;
  /** Limit counters named by the batch's transfers (absent: 0). */
  limitUsage: Map<string, bigint>;
}

export interface BatchRequest {
  inputs: readonly TransferInput[];
  /** Only the ledger's own expiry worker may create `expired` voids. */
  internal: boolean;
}

export interface BatchEffects {
  outcomes: TransferOutcome[][];
  created: Transfer[];
  failures: { id: string; result: TransferResult }[];
  /** Accounts whose counters changed (their final state). */
  changedAccounts: AccountState[];
  /** Pending transfers created with a timeout (for the expiry index). */
  expiring: { id: string; expiresAt: bigint }[];
  /** Pending transfers resolved by this batch (leave the expiry index). */
  resolved: string[];
  /** Limit counters this batch changed (their final values). */
  changedLimits: { key: string; used: bigint }[];
}

/**
 * An account with new counters. Built field by field rather than by spreading: every account
 * state then has one shape, and the spread was the costliest line of applying a transfer.
 */
function withCounters(
  account: AccountState,
  debitsPending: bigint,
  debitsPosted: bigint,
  creditsPending: bigint,
  creditsPosted: bigint,
): AccountState {
  return {
    id: account.id,
    currency: account.currency,
    flags: account.flags,
    debitsPending,
    debitsPosted,
    creditsPending,
    creditsPosted,
  };
}

/** A failure with the details a caller needs to explain it. */
type Failure = Omit<TransferOutcome, 'id' | 'transfer'>;

/**
 * Apply requests in order. `firstTimestamp` is the ledger time of the first transfer created;
 * each created transfer takes the next microsecond, so timestamps are unique and increasing.
 */
export function applyBatch(
  requests: readonly BatchRequest[],
  state: BatchState,
  firstTimestamp: bigint,
): BatchEffects {
  const effects: BatchEffects = {
    outcomes: [],
    created: [],
    failures: [],
    changedAccounts: [],
    expiring: [],
    resolved: [],
    changedLimits: [],
  };
  const changed = new Set<string>();
  const changedLimitKeys = new Set<string>();
  let nextTimestamp = firstTimestamp;
  let undoLog: (() => void)[] | null = null;

  for (const request of requests) {
    const outcomes: TransferOutcome[] = new Array<TransferOutcome>(request.inputs.length);
    let chainStart = 0;
    while (chainStart < request.inputs.length) {
      let chainEnd = chainStart;
      while (chainEnd < request.inputs.length - 1 && isLinked(request.inputs[chainEnd]!)) chainEnd++;
      const open = isLinked(request.inputs[chainEnd]!);
      const chain = request.inputs.slice(chainStart, chainEnd + 1);
      const chainOutcomes = applyChain(chain, open, request.internal);
      chainOutcomes.forEach((outcome, i) => (outcomes[chainStart + i] = outcome));
      chainStart = chainEnd + 1;
    }
    effects.outcomes.push(outcomes);
  }
  effects.changedAccounts = [...changed].map((id) => state.accounts.get(id)!);
  effects.changedLimits = [...changedLimitKeys].map((key) => ({ key, used: state.limitUsage.get(key)! }));
  return effects;

  function applyChain(chain: readonly TransferInput[], open: boolean, internal: boolean): TransferOutcome[] {
    // Static validation of the whole chain first: a bad input fails the chain without touching state.
    const statics = chain.map((input, i) =>
      open && i === chain.length - 1 ? 'linkedChainOpen' : validateStatic(input, internal),
    );
    const staticFailure = statics.findIndex((r) => r !== null);
    if (staticFailure >= 0) {
      return chain.map((input, i) => ({
        id: input.id,
        result: i === staticFailure ? statics[i]! : (statics[i] ?? 'linkedEventFailed'),
      }));
    }

    if (chain.length === 1) {
      // A lone transfer changes nothing unless it succeeds, so it needs no undo log.
      const outcome = applyOne(chain[0]!);
      if (!isSuccess(outcome.result) && isRemembered(outcome.result))
        rememberFailure(outcome.id, outcome.result);
      return [outcome];
    }
    const undo = beginUndo();
    const outcomes: TransferOutcome[] = [];
    for (const input of chain) {
      const outcome = applyOne(input);
      outcomes.push(outcome);
      if (!isSuccess(outcome.result)) {
        // Roll the chain back and fail every member; remember them all when the cause depends
        // on state, so retrying the chain can never half-succeed later.
        undo.rollback();
        const remember = isRemembered(outcome.result);
        return chain.map((member) => {
          const result = member === input ? outcome.result : 'linkedEventFailed';
          if (remember) rememberFailure(member.id, result);
          return member === input ? outcome : { id: member.id, result };
        });
      }
    }
    undo.release();
    return outcomes;
  }

  function applyOne(input: TransferInput): TransferOutcome {
    const previousFailure = state.failures.get(input.id);
    if (previousFailure !== undefined) {
      return { id: input.id, result: 'idAlreadyFailed', failedWith: previousFailure };
    }
    const existing = state.transfers.get(input.id);
    if (existing) {
      return sameFields(input, existing)
        ? { id: input.id, result: 'exists', transfer: existing }
        : { id: input.id, result: 'existsWithDifferentFields' };
    }
    const flags = input.flags ?? 0;
    const result =
      flags & (TransferFlags.postPending | TransferFlags.voidPending)
        ? resolvePending(input, flags)
        : createSinglePhaseOrPending(input, flags);
    if (typeof result === 'string') return { id: input.id, result };
    if ('result' in result) return { id: input.id, ...result };
    return { id: input.id, result: 'ok', transfer: result };
  }

  function createSinglePhaseOrPending(
    input: TransferInput,
    flags: number,
  ): Transfer | TransferResult | Failure {
    const debit = state.accounts.get(input.debitAccountId!);
    if (!debit) return 'accountNotFound';
    const credit = state.accounts.get(input.creditAccountId!);
    if (!credit) return 'accountNotFound';
    if (debit.currency !== credit.currency || input.currency !== debit.currency) return 'currencyMismatch';
    // Test money and live money never meet (ADR 0022). A pending transfer's post or void moves
    // between the accounts its hold named, so the check at the hold covers it.
    if ((debit.flags ^ credit.flags) & AccountFlags.test) return 'modeMismatch';
    const amount = input.amount!;
    const pending = (flags & TransferFlags.pending) !== 0;

    const next = {
      debit: pending
        ? withCounters(
            debit,
            debit.debitsPending + amount,
            debit.debitsPosted,
            debit.creditsPending,
            debit.creditsPosted,
          )
        : withCounters(
            debit,
            debit.debitsPending,
            debit.debitsPosted + amount,
            debit.creditsPending,
            debit.creditsPosted,
          ),
      credit: pending
        ? withCounters(
            credit,
            credit.debitsPending,
            credit.debitsPosted,
            credit.creditsPending + amount,
            credit.creditsPosted,
          )
        : withCounters(
            credit,
            credit.debitsPending,
            credit.debitsPosted,
            credit.creditsPending,
            credit.creditsPosted + amount,
          ),
    };
    const balanceProblem = checkBalances(next.debit, next.credit);
    if (balanceProblem) return balanceProblem;
    if (input.creditBalanceCap !== undefined) {
      const upperBalance = next.credit.creditsPosted + next.credit.creditsPending - next.credit.debitsPosted;
      if (upperBalance > input.creditBalanceCap) {
        const before = upperBalance - amount;
        const remaining = input.creditBalanceCap > before ? input.creditBalanceCap - before : 0n;
        return { result: 'exceedsBalanceCap', balanceCapRemaining: remaining };
      }
    }
    for (const limit of input.limits ?? []) {
      const used = state.limitUsage.get(limit.key) ?? 0n;
      if (used + amount > limit.max) {
        const remaining = limit.max > used ? limit.max - used : 0n;
        return { result: 'limitExceeded', limit: { key: limit.key, max: limit.max, remaining } };
      }
    }

    const timeoutSeconds = input.timeoutSeconds ?? 0;
    const timestamp = nextTimestamp++;
    const transfer: Transfer = {
      id: input.id,
      debitAccountId: debit.id,
      creditAccountId: credit.id,
      amount,
      currency: debit.currency,
      code: input.code,
      flags,
      pendingId: null,
      timeoutSeconds,
      timestamp,
      expiresAt: pending && timeoutSeconds > 0 ? timestamp + BigInt(timeoutSeconds) * 1_000_000n : null,
      userData: input.userData ?? null,
      limitKeys: (input.limits ?? []).map((limit) => limit.key),
    };
    commit(transfer, next.debit, next.credit);
    if (transfer.expiresAt !== null)
      effects.expiring.push({ id: transfer.id, expiresAt: transfer.expiresAt });
    return transfer;
  }

  function resolvePending(input: TransferInput, flags: number): Transfer | TransferResult {
    const pending = state.transfers.get(input.pendingId!);
    if (!pending) return 'pendingNotFound';
    if ((pending.flags & TransferFlags.pending) === 0) return 'pendingNotPending';
    if (
      (input.debitAccountId !== undefined && input.debitAccountId !== pending.debitAccountId) ||
      (input.creditAccountId !== undefined && input.creditAccountId !== pending.creditAccountId)
    ) {
      return 'pendingAccountsMismatch';
    }
    if (input.currency !== undefined && input.currency !== pending.currency) return 'currencyMismatch';
    if (state.resolvedPendingIds.has(pending.id)) return 'pendingAlreadyResolved';
    const expiring = (flags & TransferFlags.expired) !== 0;
    // A hold past its timeout may only be voided by the expiry worker, even before it has run.
    if (!expiring && pending.expiresAt !== null && pending.expiresAt <= nextTimestamp)
      return 'pendingExpired';
    const posting = (flags & TransferFlags.postPending) !== 0;
    const amount = posting ? (input.amount ?? pending.amount) : pending.amount;
    if (amount > pending.amount) return 'postAmountExceedsPending';

    const debit = state.accounts.get(pending.debitAccountId)!;
    const credit = state.accounts.get(pending.creditAccountId)!;
    const next = {
      debit: withCounters(
        debit,
        debit.debitsPending - pending.amount,
        posting ? debit.debitsPosted + amount : debit.debitsPosted,
        debit.creditsPending,
        debit.creditsPosted,
      ),
      credit: withCounters(
        credit,
        credit.debitsPending,
        credit.debitsPosted,
        credit.creditsPending - pending.amount,
        posting ? credit.creditsPosted + amount : credit.creditsPosted,
      ),
    };
    const balanceProblem = checkBalances(next.debit, next.credit);
    if (balanceProblem) return balanceProblem;

    const transfer: Transfer = {
      id: input.id,
      debitAccountId: pending.debitAccountId,
      creditAccountId: pending.creditAccountId,
      amount,
      currency: pending.currency,
      code: input.code,
      flags,
      pendingId: pending.id,
      timeoutSeconds: 0,
      timestamp: nextTimestamp++,
      expiresAt: null,
      userData: input.userData ?? null,
      limitKeys: [],
    };
    state.resolvedPendingIds.add(pending.id);
    commit(transfer, next.debit, next.credit);
    if (pending.expiresAt !== null) effects.resolved.push(pending.id);
    return transfer;
  }

  function commit(transfer: Transfer, debit: AccountState, credit: AccountState): void {
    const limitsBefore = transfer.limitKeys.map((key) => ({
      key,
      used: state.limitUsage.get(key),
      wasChanged: changedLimitKeys.has(key),
    }));
    if (undoLog) {
      const before = { debit: state.accounts.get(debit.id)!, credit: state.accounts.get(credit.id)! };
      const wasChanged = { debit: changed.has(debit.id), credit: changed.has(credit.id) };
      const resolvedPendingId = transfer.pendingId;
      undoLog.push(() => {
        state.accounts.set(debit.id, before.debit);
        state.accounts.set(credit.id, before.credit);
        if (!wasChanged.debit) changed.delete(debit.id);
        if (!wasChanged.credit) changed.delete(credit.id);
        state.transfers.delete(transfer.id);
        if (resolvedPendingId !== null) state.resolvedPendingIds.delete(resolvedPendingId);
        for (const limit of limitsBefore) {
          if (limit.used === undefined) state.limitUsage.delete(limit.key);
          else state.limitUsage.set(limit.key, limit.used);
          if (!limit.wasChanged) changedLimitKeys.delete(limit.key);
        }
      });
    }
    for (const limit of limitsBefore) {
      state.limitUsage.set(limit.key, (limit.used ?? 0n) + transfer.amount);
      changedLimitKeys.add(limit.key);
    }
    state.accounts.set(debit.id, debit);
    state.accounts.set(credit.id, credit);
    changed.add(debit.id);
    changed.add(credit.id);
    state.transfers.set(transfer.id, transfer);
    effects.created.push(transfer);
  }

  function rememberFailure(id: string, result: TransferResult): void {
    if (state.failures.has(id) || state.transfers.has(id)) return;
    state.failures.set(id, result);
    effects.failures.push({ id, result });
  }

  /**
   * An undo log for one linked chain: `commit` records how to reverse each change, so rolling a
   * chain back costs what the chain did, not the size of the batch.
   */
  function beginUndo(): { rollback(): void; release(): void } {
    const lengths = {
      created: effects.created.length,
      expiring: effects.expiring.length,
      resolved: effects.resolved.length,
    };
    const timestampBefore = nextTimestamp;
    undoLog = [];
    return {
      rollback() {
        for (const action of undoLog!.reverse()) action();
        undoLog = null;
        effects.created.length = lengths.created;
        effects.expiring.length = lengths.expiring;
        effects.resolved.length = lengths.resolved;
        nextTimestamp = timestampBefore;
      },
      release() {
        undoLog = null;
      },
    };
  }
}

function checkBalances(debit: AccountState, credit: AccountState): TransferResult | null {
  for (const account of [debit, credit]) {
    if (
      account.debitsPending > MAX_COUNTER ||
      account.debitsPosted > MAX_COUNTER ||
      account.creditsPending > MAX_COUNTER ||
      account.creditsPosted > MAX_COUNTER ||
      account.debitsPending + account.debitsPosted > MAX_COUNTER ||
      account.creditsPending + account.creditsPosted > MAX_COUNTER
    ) {
      return 'overflow';
    }
  }
  if (
    debit.flags & AccountFlags.debitsMustNotExceedCredits &&
    debit.debitsPending + debit.debitsPosted > debit.creditsPosted
  ) {
    return 'insufficientFunds';
  }
  if (
    credit.flags & AccountFlags.creditsMustNotExceedDebits &&
    credit.creditsPending + credit.creditsPosted > credit.debitsPosted
  ) {
    return 'exceedsDebits';
  }
  return null;
}

/** Checks that need nothing but the input itself, in documented precedence. */
export function validateStatic(input: TransferInput, internal = false): TransferResult | null {
  if (!isUuid(input.id)) return 'invalidId';
  const flags = input.flags ?? 0;
  const kind = flags & KIND_FLAGS;
  if (
    !Number.isInteger(flags) ||
    (flags & ~KNOWN_FLAGS) !== 0 ||
    (kind !== 0 && (kind & (kind - 1)) !== 0) ||
    (flags & TransferFlags.expired && (!internal || kind !== TransferFlags.voidPending))
  ) {
    return 'invalidFlags';
  }
  if (!Number.isInteger(input.code) || input.code < 1 || input.code > 65535) return 'invalidCode';
  const resolving = kind === TransferFlags.postPending || kind === TransferFlags.voidPending;
  if (resolving) {
    for (const id of [input.debitAccountId, input.creditAccountId]) {
      if (id !== undefined && !isUuid(id)) return 'invalidId';
    }
    if (input.pendingId === undefined) return 'pendingIdRequired';
    if (!isUuid(input.pendingId)) return 'invalidId';
    if (input.amount !== undefined && kind === TransferFlags.postPending && input.amount <= 0n) {
      return 'amountMustBePositive';
    }
  } else {
    if (input.debitAccountId === undefined || input.creditAccountId === undefined) return 'accountIdRequired';
    if (!isUuid(input.debitAccountId) || !isUuid(input.creditAccountId)) return 'invalidId';
    if (input.debitAccountId === input.creditAccountId) return 'accountsMustBeDifferent';
    if (input.pendingId !== undefined) return 'pendingIdMustBeAbsent';
    if (input.amount === undefined || input.amount <= 0n) return 'amountMustBePositive';
    if (input.currency === undefined) return 'currencyRequired';
  }
  const timeoutSeconds = input.timeoutSeconds ?? 0;
  if (timeoutSeconds !== 0 && kind !== TransferFlags.pending) return 'timeoutReservedForPending';
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 0 || timeoutSeconds > MAX_TIMEOUT_SECONDS) {
    return 'invalidTimeout';
  }
  if (input.userData !== undefined && input.userData.length > MAX_USER_DATA_LENGTH) return 'userDataTooLong';
  if (input.limits !== undefined || input.creditBalanceCap !== undefined) {
    if (resolving || !validLimits(input)) return 'invalidLimits';
  }
  return null;
}

export const MAX_LIMITS_PER_TRANSFER = 8;
const LIMIT_KEY_PATTERN = /^[A-Za-z0-9:._-]{1,128}$/;

function validLimits(input: TransferInput): boolean {
  const limits = input.limits ?? [];
  if (limits.length > MAX_LIMITS_PER_TRANSFER) return false;
  const keys = new Set<string>();
  for (const limit of limits) {
    if (!LIMIT_KEY_PATTERN.test(limit.key) || typeof limit.max !== 'bigint' || limit.max < 0n) return false;
    if (keys.has(limit.key)) return false;
    keys.add(limit.key);
  }
  return (
    input.creditBalanceCap === undefined ||
    (typeof input.creditBalanceCap === 'bigint' && input.creditBalanceCap >= 0n)
  );
}

/** Same id, same content: everything the caller stated must match what was committed. */
function sameFields(input: TransferInput, stored: Transfer): boolean {
  return (
    (input.flags ?? 0) === stored.flags &&
    input.code === stored.code &&
    (input.userData ?? null) === stored.userData &&
    (input.pendingId ?? null) === stored.pendingId &&
    (input.timeoutSeconds ?? 0) === stored.timeoutSeconds &&
    (input.debitAccountId === undefined || input.debitAccountId === stored.debitAccountId) &&
    (input.creditAccountId === undefined || input.creditAccountId === stored.creditAccountId) &&
    (input.currency === undefined || input.currency === stored.currency) &&
    (input.amount === undefined || input.amount === stored.amount)
  );
}

function isLinked(input: TransferInput): boolean {
  return ((input.flags ?? 0) & TransferFlags.linked) !== 0;
}

function isSuccess(result: TransferResult): boolean {
  return result === 'ok' || result === 'exists';
}

/** Failures that depend on the ledger's state, and so must answer every retry the same way. */
function isRemembered(result: TransferResult): boolean {
  return result !== 'idAlreadyFailed' && result !== 'existsWithDifferentFields';
}
