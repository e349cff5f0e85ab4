import type pg from 'pg';
import { derivedId, isUuid, newId } from '@qianbao/ledger';
import type { Ledger, TransferInput } from '@qianbao/ledger';
import { AppError } from '../../errors.ts';
import type { OutboxWake } from '../../outbox/index.ts';
import { ledgerRefusal, primaryFailure } from '../../payments/index.ts';
import type { PaymentAuthorizer } from '../../payments/index.ts';
import type { AccountDirectory } from '../../platform/accounts.ts';
import { AccountCodes, TransferCodes } from '../../platform/codes.ts';
import { maskPhone } from '../identity/index.ts';
import type { IdentityService } from '../identity/index.ts';
import type { TierLimits } from '../kyc/tiers.ts';
import type { ConfigurationReader } from './configuration.ts';
import { adjustmentApplied } from './events.ts';
import { TIER_NAMES, decisionRefusal, familyOf, parseSettingValue } from './plan.ts';
import type {
  AdjustmentDirection,
  AdjustmentPayload,
  AdjustmentReason,
  ChangeKind,
  ChangeStatus,
} from './plan.ts';
import type { ApprovalsStore, ChangeRow } from './store.ts';

/** An approved adjustment not finished after this long is finished by the `approvals.finish` job. */
export const UNFINISHED_GRACE_MS = 30_000;
/** A change takes effect at most this far ahead. */
const MAX_EFFECTIVE_AHEAD_MS = 366 * 24 * 3600_000;
/** A proposal's `effectiveAt` may lag the server's clock this much (the console's clock). */
const EFFECTIVE_SKEW_MS = 5 * 60_000;

export interface OperatorRef {
  id: string;
  displayName: string;
}

export interface ChangeView {
  id: string;
  kind: ChangeKind;
  setting: string | null;
  value: Record<string, unknown> | null;
  adjustment: AdjustmentPayload | null;
  reason: string;
  maker: OperatorRef;
  createdAt: Date;
  effectiveAt: Date;
  status: ChangeStatus;
  checker: OperatorRef | null;
  decidedAt: Date | null;
  decisionReason: string | null;
  movementId: string | null;
  failureCode: string | null;
  finishedAt: Date | null;
}

/** The configured defaults (environment, kyc's table), shown when no change is in force. */
export interface ConfigurationDefaults {
  tierLimits(): Promise<TierLimits[]>;
  withdrawalFee: { freeMonthlyMinor: bigint; basisPoints: number; minimumMinor: bigint };
  bankTransferFee: { basisPoints: number; minimumMinor: bigint; maximumMinor: bigint };
  passwordFree: { maxPerPaymentMinor: bigint; dailyMaxMinor: bigint };
  merchantRates: { byCategory: Readonly<Record<string, number>>; defaultBp: number };
}

export interface SettingView {
  setting: string;
  value: Record<string, unknown>;
  /** `change`: an approved change is in force (its id and time); `default`: the configuration. */
  source: 'default' | 'change';
  changeId: string | null;
  effectiveAt: Date | null;
  /** Approved changes that take effect later, soonest first. */
  scheduled: { id: string; value: Record<string, unknown>; effectiveAt: Date }[];
}

export interface HolderLookup {
  userId: string;
  phone: string;
  walletAccountId: string;
  balanceMinor: bigint;
  currency: string;
}

export interface ApprovalsServiceDeps {
  store: ApprovalsStore;
  configuration: ConfigurationReader;
  defaults: ConfigurationDefaults;
  operators: {
    /** With `db`, the entry is appended in that transaction (the change's own). */
    audit(
      input: {
        operatorId: string | null;
        action: string;
        target: string | null;
        details: Record<string, unknown>;
      },
      db?: pg.ClientBase,
    ): Promise<void>;
  };
  identity: Pick<IdentityService, 'getUser' | 'findUserByPhone'>;
  accounts: Pick<AccountDirectory, 'open'>;
  ledger: Pick<Ledger, 'createAccounts' | 'getBalance'>;
  payments: Pick<PaymentAuthorizer, 'move'>;
  events: OutboxWake;
  now: () => Date;
}

/** The id of the bank's adjustments account in a currency (the same on every server). */
export function adjustmentsAccountId(currency: string): string {
  return derivedId(`qianbao:system-account:adjustments:${currency}`);
}

/**
 * Maker-checker (ADR 0025): configuration changes and manual adjustments, each proposed by one
 * operator and approved or rejected by another; every step in the operator audit log. No HTTP.
 */
export class ApprovalsService {
  private readonly systemAccounts = new Map<string, Promise<void>>();

  constructor(private readonly deps: ApprovalsServiceDeps) {}

  // ---- proposing ---------------------------------------------------------------------------

  async proposeConfiguration(input: {
    operator: OperatorRef;
    setting: string;
    value: unknown;
    effectiveAt: Date | null;
    reason: string;
  }): Promise<ChangeView> {
    const parsed = parseSettingValue(input.setting, input.value);
    if (!parsed.ok) throw new AppError('APPROVAL_INVALID_VALUE', { details: { issues: parsed.issues } });
    const now = this.deps.now();
    const effectiveAt = input.effectiveAt ?? now;
    if (
      effectiveAt.getTime() < now.getTime() - EFFECTIVE_SKEW_MS ||
      effectiveAt.getTime() > now.getTime() + MAX_EFFECTIVE_AHEAD_MS
    ) {
      throw new AppError('APPROVAL_EFFECTIVE_AT_INVALID');
    }
    const row = await this.deps.store.insert(
      {
        id: newId(),
        kind: 'configuration',
        setting: input.setting,
        payload: parsed.value,
        reason: input.reason,
        maker_id: input.operator.id,
        maker_name: input.operator.displayName,
        created_at: now,
        effective_at: effectiveAt,
        target_user_id: null,
      },
      (client, written) =>
        this.audit(
          input.operator.id,
          'approvals.configuration_proposed',
          written,
          {
            setting: input.setting,
            value: parsed.value,
            effectiveAt: effectiveAt.toISOString(),
            reason: input.reason,
          },
          client,
        ),
    );
    return view(row);
  }

  async proposeAdjustment(input: {
    operator: OperatorRef;
    userId: string;
    direction: AdjustmentDirection;
    amountMinor: bigint;
    currency: string;
    reasonCode: AdjustmentReason;
    note: string;
  }): Promise<ChangeView> {
    const user = isUuid(input.userId) ? await this.deps.identity.getUser(input.userId) : null;
    if (!user) throw new AppError('ADJUSTMENT_HOLDER_NOT_FOUND');
    if (input.amountMinor <= 0n) throw new AppError('VALIDATION_FAILED');
    const walletAccountId = await this.deps.accounts.open({
      owner: `user:${user.id}`,
      currency: input.currency,
      purpose: 'wallet',
    });
    const now = this.deps.now();
    const payload: AdjustmentPayload = {
      userId: user.id,
      walletAccountId,
      direction: input.direction,
      amountMinor: input.amountMinor.toString(),
      currency: input.currency,
      reasonCode: input.reasonCode,
      note: input.note,
    };
    const row = await this.deps.store.insert(
      {
        id: newId(),
        kind: 'adjustment',
        setting: null,
        payload,
        reason: input.note,
        maker_id: input.operator.id,
        maker_name: input.operator.displayName,
        created_at: now,
        effective_at: now,
        target_user_id: user.id,
      },
      (client, written) =>
        this.audit(input.operator.id, 'approvals.adjustment_proposed', written, { ...payload }, client),
    );
    return view(row);
  }

  // ---- reading -----------------------------------------------------------------------------

  async get(kind: ChangeKind, id: string): Promise<ChangeView> {
    const row = isUuid(id) ? await this.deps.store.get(kind, id) : null;
    if (!row) throw new AppError('APPROVAL_NOT_FOUND');
    return view(row);
  }

  async list(input: {
    kind: ChangeKind;
    statuses: ChangeStatus[] | null;
    limit: number;
  }): Promise<ChangeView[]> {
    return (await this.deps.store.list(input)).map(view);
  }

  /** Every setting with the value in force now, where it comes from, and what is scheduled. */
  async configuration(): Promise<SettingView[]> {
    const now = this.deps.now();
    const { defaults } = this.deps;
    const defaultValues = new Map<string, Record<string, unknown>>();
    const text = (value: bigint | null) => (value === null ? null : value.toString());
    for (const limits of await defaults.tierLimits()) {
      defaultValues.set(`tier_limits.${limits.tier}`, {
        balanceCap: text(limits.balanceCapMinor),
        singlePayment: text(limits.singlePaymentMinor),
        daily: text(limits.dailyMinor),
        yearly: text(limits.yearlyMinor),
        mayWithdraw: limits.mayWithdraw,
        maySendAbroad: limits.maySendAbroad,
      });
    }
    defaultValues.set('withdrawal_fee', {
      freeMonthly: defaults.withdrawalFee.freeMonthlyMinor.toString(),
      basisPoints: defaults.withdrawalFee.basisPoints,
      minimum: defaults.withdrawalFee.minimumMinor.toString(),
    });
    defaultValues.set('bank_transfer_fee', {
      basisPoints: defaults.bankTransferFee.basisPoints,
      minimum: defaults.bankTransferFee.minimumMinor.toString(),
      maximum: defaults.bankTransferFee.maximumMinor.toString(),
    });
    defaultValues.set('password_free', {
      maxPerPayment: defaults.passwordFree.maxPerPaymentMinor.toString(),
      dailyMax: defaults.passwordFree.dailyMaxMinor.toString(),
    });
    defaultValues.set('merchant_rate.default', { basisPoints: defaults.merchantRates.defaultBp });
    for (const [mcc, bp] of Object.entries(defaults.merchantRates.byCategory)) {
      defaultValues.set(`merchant_rate.mcc.${mcc}`, { basisPoints: bp });
    }
    const approved = await this.deps.store.approvedSettings(now);
    const settings = new Set([...defaultValues.keys(), ...approved.map((row) => row.setting!)]);
    const order = (setting: string) => {
      const family = familyOf(setting);
      const rank = ['tier_limits', 'password_free', 'withdrawal_fee', 'bank_transfer_fee', 'merchant_rate'];
      return `${rank.indexOf(family ?? 'merchant_rate')}:${setting}`;
    };
    return [...settings]
      .sort((a, b) => order(a).localeCompare(order(b)))
      .map((setting) => {
        const mine = approved.filter((row) => row.setting === setting);
        const current = mine.find((row) => row.effective_at.getTime() <= now.getTime()) ?? null;
        const scheduled = mine
          .filter((row) => row.effective_at.getTime() > now.getTime())
          .sort((a, b) => a.effective_at.getTime() - b.effective_at.getTime())
          .map((row) => ({ id: row.id, value: row.payload, effectiveAt: row.effective_at }));
        // A setting with no default (one merchant's rate) falls back to the rate above it.
        const value = current?.payload ?? defaultValues.get(setting) ?? null;
        return {
          setting,
          value: value ?? {},
          source: current ? ('change' as const) : ('default' as const),
          changeId: current?.id ?? null,
          effectiveAt: current?.effective_at ?? null,
          scheduled,
        };
      });
  }

  async findHolder(input: { phone?: string; userId?: string }): Promise<HolderLookup> {
    const user = input.userId
      ? isUuid(input.userId)
        ? await this.deps.identity.getUser(input.userId)
        : null
      : input.phone
        ? await this.deps.identity.findUserByPhone(input.phone).catch((error: unknown) => {
            if (error instanceof AppError) return null; // a malformed number finds nobody
            throw error;
          })
        : null;
    if (!user) throw new AppError('ADJUSTMENT_HOLDER_NOT_FOUND');
    const balance = await this.deps.ledger.getBalance(user.walletAccountId);
    return {
      userId: user.id,
      phone: maskPhone(user.phone),
      walletAccountId: user.walletAccountId,
      balanceMinor: balance?.availableBalance ?? 0n,
      currency: balance?.currency ?? 'CNY',
    };
  }

  // ---- deciding ----------------------------------------------------------------------------

  /**
   * The checker's decision. Exactly one of any number of concurrent decisions of a change wins
   * (the store's compare-and-set); the maker's own is refused. An approved adjustment then moves
   * its money (`execute`) before the answer.
   */
  async decide(input: {
    kind: ChangeKind;
    id: string;
    operator: OperatorRef;
    decision: 'approve' | 'reject';
    reason: string | null;
  }): Promise<ChangeView> {
    const existing = isUuid(input.id) ? await this.deps.store.get(input.kind, input.id) : null;
    if (!existing) throw new AppError('APPROVAL_NOT_FOUND');
    // The checker's own approval retried after it failed half-way (a 5xx, a lost answer): the
    // money moves now if it did not then (once: the movement's id is the change's).
    if (
      existing.kind === 'adjustment' &&
      existing.status === 'approved' &&
      existing.checker_id === input.operator.id &&
      input.decision === 'approve'
    ) {
      return view(await this.execute(existing));
    }
    const refused = decisionRefusal({
      status: existing.status,
      makerId: existing.maker_id,
      operatorId: input.operator.id,
    });
    if (refused) {
      await this.audit(input.operator.id, `approvals.${input.kind}_decision_refused`, existing, {
        decision: input.decision,
        refusal: refused,
      });
      throw refusalError(refused, existing.status);
    }
    const decided = await this.deps.store.decide({
      kind: input.kind,
      id: existing.id,
      status: input.decision === 'approve' ? 'approved' : 'rejected',
      checkerId: input.operator.id,
      checkerName: input.operator.displayName,
      reason: input.reason,
      at: this.deps.now(),
      // The decision and its entry commit together.
      alongside: (client, row) =>
        this.audit(
          input.operator.id,
          `approvals.${input.kind}_${row.status}`,
          row,
          input.kind === 'configuration'
            ? {
                setting: row.setting,
                value: row.payload,
                effectiveAt: row.effective_at.toISOString(),
                makerId: row.maker_id,
                ...(input.reason ? { reason: input.reason } : {}),
              }
            : {
                ...row.payload,
                makerId: row.maker_id,
                ...(input.reason ? { reason: input.reason } : {}),
              },
          client,
        ),
    });
    if (!decided) {
      // another checker decided it first (or the maker cancelled it) between the read and the write
      const now = await this.deps.store.get(input.kind, existing.id);
      throw refusalError('APPROVAL_ALREADY_DECIDED', now?.status ?? existing.status);
    }
    if (decided.kind === 'configuration' && decided.status === 'approved') {
      this.deps.configuration.invalidate();
    }
    if (decided.kind === 'adjustment' && decided.status === 'approved')
      return view(await this.execute(decided));
    return view(decided);
  }

  async cancel(input: { kind: ChangeKind; id: string; operator: OperatorRef }): Promise<ChangeView> {
    const existing = isUuid(input.id) ? await this.deps.store.get(input.kind, input.id) : null;
    if (!existing) throw new AppError('APPROVAL_NOT_FOUND');
    if (existing.maker_id !== input.operator.id) throw new AppError('APPROVAL_NOT_MAKER');
    const cancelled = await this.deps.store.cancel({
      kind: input.kind,
      id: existing.id,
      makerId: input.operator.id,
      alongside: (client, row) =>
        this.audit(input.operator.id, `approvals.${input.kind}_cancelled`, row, {}, client),
    });
    if (!cancelled) {
      const now = await this.deps.store.get(input.kind, existing.id);
      throw refusalError('APPROVAL_ALREADY_DECIDED', now?.status ?? existing.status);
    }
    return view(cancelled);
  }

  // ---- executing adjustments ---------------------------------------------------------------

  /**
   * Move an approved adjustment's money through the payments pipeline's ledger step, once: the
   * transfer's id is derived from the change's, so a second run (a crash before the status was
   * written, the recovery job) gets the ledger's first answer back — `exists`, or the failure it
   * remembers — and never moves money twice. A debit the wallet cannot cover is refused by the
   * ledger (wallets never go below zero) and the change ends `failed` with the reason.
   */
  async execute(row: ChangeRow): Promise<ChangeRow> {
    if (row.kind !== 'adjustment' || row.status !== 'approved') return row;
    const payload = row.payload as AdjustmentPayload;
    const amount = BigInt(payload.amountMinor);
    await this.ensureAdjustmentsAccount(payload.currency);
    const counter = adjustmentsAccountId(payload.currency);
    const credit = payload.direction === 'credit';
    const transfer: TransferInput = {
      id: derivedId(`approvals:adjustment:${row.id}`),
      debitAccountId: credit ? counter : payload.walletAccountId,
      creditAccountId: credit ? payload.walletAccountId : counter,
      amount,
      currency: payload.currency,
      code: credit ? TransferCodes.adjustmentCredit : TransferCodes.adjustmentDebit,
      userData: `approvals:${row.id}`,
    };
    const outcomes = await this.deps.payments.move([transfer]);
    const failure = primaryFailure(outcomes);
    const failureCode = failure ? failureCodeOf(outcomes) : null;
    const at = this.deps.now();
    const finished = await this.deps.store.finish({
      id: row.id,
      status: failure ? 'failed' : 'applied',
      movementId: transfer.id,
      failureCode,
      at,
      event: (written) =>
        written.status === 'applied'
          ? adjustmentApplied({
              userId: payload.userId,
              adjustmentId: written.id,
              direction: payload.direction,
              amountMinor: amount,
              currency: payload.currency,
              reasonCode: payload.reasonCode,
              at,
            })
          : null,
      // The outcome and its entry commit together; a run that finds it finished writes neither.
      alongside: (client, written) =>
        this.deps.operators.audit(
          {
            operatorId: null,
            action: `approvals.adjustment_${written.status}`,
            target: written.id,
            details: { movementId: transfer.id, ...(failureCode ? { failureCode } : {}) },
          },
          client,
        ),
    });
    if (!finished) return (await this.deps.store.get('adjustment', row.id)) ?? row; // finished by another run
    this.deps.events.wake();
    return finished;
  }

  /** The recovery job: approved adjustments a crash left unfinished, finished now (idempotent). */
  async finishUnfinished(limit = 100): Promise<number> {
    const before = new Date(this.deps.now().getTime() - UNFINISHED_GRACE_MS);
    const rows = await this.deps.store.unfinished(before, limit);
    for (const row of rows) await this.execute(row);
    return rows.length;
  }

  private ensureAdjustmentsAccount(currency: string): Promise<void> {
    let made = this.systemAccounts.get(currency);
    if (!made) {
      made = this.deps.ledger
        .createAccounts([
          {
            id: adjustmentsAccountId(currency),
            currency,
            code: AccountCodes.adjustments,
            ownerRef: 'system:adjustments',
          },
        ])
        .then(([result]) => {
          if (!result || (result.result !== 'ok' && result.result !== 'exists')) {
            throw new Error(`the adjustments account could not be made: ${result?.result}`);
          }
        });
      made.catch(() => this.systemAccounts.delete(currency));
      this.systemAccounts.set(currency, made);
    }
    return made;
  }

  private async audit(
    operatorId: string,
    action: string,
    row: ChangeRow,
    details: Record<string, unknown>,
    /** The change's own transaction; none for a refusal, which changes nothing. */
    client?: pg.PoolClient,
  ): Promise<void> {
    await this.deps.operators.audit({ operatorId, action, target: row.id, details }, client);
  }
}

function refusalError(code: 'APPROVAL_OWN_CHANGE' | 'APPROVAL_ALREADY_DECIDED', status: ChangeStatus) {
  return code === 'APPROVAL_OWN_CHANGE'
    ? new AppError('APPROVAL_OWN_CHANGE')
    : new AppError('APPROVAL_ALREADY_DECIDED', { details: { status } });
}

/** The error code a refused adjustment is shown with (INSUFFICIENT_FUNDS …), else the ledger's result. */
function failureCodeOf(outcomes: Parameters<typeof ledgerRefusal>[0]): string {
  try {
    return ledgerRefusal(outcomes, { credit: 'other' }).code;
  } catch {
    const primary = primaryFailure(outcomes);
    return String(primary?.failedWith ?? primary?.result ?? 'unknown');
  }
}

export function view(row: ChangeRow): ChangeView {
  return {
    id: row.id,
    kind: row.kind,
    setting: row.setting,
    value: row.kind === 'configuration' ? row.payload : null,
    adjustment: row.kind === 'adjustment' ? (row.payload as AdjustmentPayload) : null,
    reason: row.reason,
    maker: { id: row.maker_id, displayName: row.maker_name },
    createdAt: row.created_at,
    effectiveAt: row.effective_at,
    status: row.status,
    checker: row.checker_id ? { id: row.checker_id, displayName: row.checker_name ?? '' } : null,
    decidedAt: row.decided_at,
    decisionReason: row.decision_reason,
    movementId: row.movement_id,
    failureCode: row.failure_code,
    finishedAt: row.finished_at,
  };
}

export { TIER_NAMES };
