/**
 * The configuration in force: what the modules whose settings operators change (kyc tier limits,
 * funding fees, security's password-free limits, merchants' discount rates) ask, with the time
 * they act at. Each answers null when no approved change is in force: the module's configured
 * default (its environment setting) applies.
 *
 * Reads are cached in the process for `ttlMs` (5 s): a payment asks for a fee or a limit on every
 * request, and one indexed query per payment per setting buys nothing — the answer changes only
 * when a checker approves a change, a few times a month. The cache holds, of each setting, the
 * change in force when it was loaded and every change scheduled after, so a change whose
 * `effectiveAt` arrives while it is cached is in force on time; only an approval made on another
 * server is seen up to `ttlMs` late (this server's own approvals clear it at once). ADR 0025.
 */
import type pg from 'pg';
import type { TierLimits } from '../kyc/tiers.ts';
import { valueInForce } from './plan.ts';
import type {
  ApprovedSetting,
  BankTransferFeeValue,
  PasswordFreeValue,
  TierLimitsValue,
  WithdrawalFeeValue,
} from './plan.ts';
import { ApprovalsStore } from './store.ts';

export const CONFIGURATION_CACHE_MS = 5000;

export class ConfigurationReader {
  private readonly store: ApprovalsStore;
  private readonly ttlMs: number;
  private cached: { loadedAtMs: number; at: Date; changes: ApprovedSetting[] } | null = null;
  private loading: Promise<{ at: Date; changes: ApprovedSetting[] }> | null = null;
  private generation = 0;

  constructor(deps: { pool: pg.Pool; ttlMs?: number }) {
    this.store = new ApprovalsStore(deps.pool);
    this.ttlMs = deps.ttlMs ?? CONFIGURATION_CACHE_MS;
  }

  /** A change was approved here: the next read loads again. */
  invalidate(): void {
    this.generation += 1;
    this.cached = null;
    this.loading = null;
  }

  /** The approved change of `setting` in force at `at`; null: the configured default applies. */
  async inForce(setting: string, at: Date): Promise<ApprovedSetting | null> {
    return valueInForce(await this.changesFor(at), setting, at);
  }

  async valueAt(setting: string, at: Date): Promise<Record<string, unknown> | null> {
    return (await this.inForce(setting, at))?.value ?? null;
  }

  async tierLimitsAt(tier: TierLimits['tier'], at: Date): Promise<TierLimits | null> {
    const value = (await this.valueAt(`tier_limits.${tier}`, at)) as TierLimitsValue | null;
    if (!value) return null;
    const amount = (text: string | null) => (text === null ? null : BigInt(text));
    return {
      tier,
      balanceCapMinor: amount(value.balanceCap),
      singlePaymentMinor: amount(value.singlePayment),
      dailyMinor: amount(value.daily),
      yearlyMinor: amount(value.yearly),
      mayWithdraw: value.mayWithdraw,
      maySendAbroad: value.maySendAbroad,
    };
  }

  async passwordFreeAt(at: Date): Promise<{ maxPerPaymentMinor: bigint; dailyMaxMinor: bigint } | null> {
    const value = (await this.valueAt('password_free', at)) as PasswordFreeValue | null;
    return value
      ? { maxPerPaymentMinor: BigInt(value.maxPerPayment), dailyMaxMinor: BigInt(value.dailyMax) }
      : null;
  }

  async withdrawalFeeAt(
    at: Date,
  ): Promise<{ freeMonthlyMinor: bigint; basisPoints: number; minimumMinor: bigint } | null> {
    const value = (await this.valueAt('withdrawal_fee', at)) as WithdrawalFeeValue | null;
    return value
      ? {
          freeMonthlyMinor: BigInt(value.freeMonthly),
          basisPoints: value.basisPoints,
          minimumMinor: BigInt(value.minimum),
        }
      : null;
  }

  async bankTransferFeeAt(
    at: Date,
  ): Promise<{ basisPoints: number; minimumMinor: bigint; maximumMinor: bigint } | null> {
    const value = (await this.valueAt('bank_transfer_fee', at)) as BankTransferFeeValue | null;
    return value
      ? {
          basisPoints: value.basisPoints,
          minimumMinor: BigInt(value.minimum),
          maximumMinor: BigInt(value.maximum),
        }
      : null;
  }

  /**
   * A merchant's discount rate in basis points set by a change: the merchant's own, else its
   * category's (MCC), else the default's; null when none is in force (the configured rates apply).
   */
  async merchantRateAt(input: { merchantId: string; mcc: string }, at: Date): Promise<number | null> {
    const changes = await this.changesFor(at);
    for (const setting of [
      `merchant_rate.merchant.${input.merchantId}`,
      `merchant_rate.mcc.${input.mcc}`,
      'merchant_rate.default',
    ]) {
      const found = valueInForce(changes, setting, at);
      if (found) return found.value.basisPoints as number;
    }
    return null;
  }

  /** The changes that decide values at `at`: the cache when it covers `at`, else a fresh read. */
  private async changesFor(at: Date): Promise<ApprovedSetting[]> {
    const cached = this.cached;
    if (cached && performance.now() - cached.loadedAtMs < this.ttlMs && covers(cached, at)) {
      return cached.changes;
    }
    if (cached && !covers(cached, at)) return this.load(at); // a past time the cache cannot answer: not kept
    this.loading ??= this.loadAndKeep(at);
    const loaded = await this.loading;
    return covers(loaded, at) ? loaded.changes : this.load(at);
  }

  private async loadAndKeep(at: Date): Promise<{ at: Date; changes: ApprovedSetting[] }> {
    const generation = this.generation;
    try {
      const changes = await this.load(at);
      if (generation === this.generation) {
        this.cached = { loadedAtMs: performance.now(), at, changes };
      }
      return { at, changes };
    } finally {
      if (generation === this.generation) this.loading = null;
    }
  }

  private async load(at: Date): Promise<ApprovedSetting[]> {
    const rows = await this.store.approvedSettings(at);
    return rows.map((row) => ({
      id: row.id,
      setting: row.setting!,
      value: row.payload,
      effectiveAt: row.effective_at,
      decidedAt: row.decided_at!,
    }));
  }
}

/**
 * Whether changes loaded at `loaded.at` decide values at `at` too: any later time, or an earlier
 * one when none of them took effect in between (each setting's change in force at `loaded.at` was
 * in force at `at` already, or none was). Requests that read the clock just before another's load
 * (a payment's payer and payee, in parallel) are answered from it rather than by a query each.
 */
function covers(loaded: { at: Date; changes: readonly ApprovedSetting[] }, at: Date): boolean {
  const time = at.getTime();
  const loadedAt = loaded.at.getTime();
  if (time >= loadedAt) return true;
  return loaded.changes.every((change) => {
    const effective = change.effectiveAt.getTime();
    return effective <= time || effective > loadedAt;
  });
}
