/**
 * Maker-checker, the pure part (docs/approvals.md, ADR 0025): what can be changed, which value is
 * in force at a time, and who may decide a change. No I/O here; the service reads and writes.
 *
 * A change request is proposed by a maker and decided by a different operator, the checker:
 *
 *   proposed ─approve→ approved ─(adjustment executed)→ applied | failed
 *       │  └─reject→ rejected
 *       └─cancel (the maker)→ cancelled
 *
 * A configuration change is in force from its `effectiveAt` once approved; an adjustment moves
 * money once approved (then `applied`, or `failed` with the ledger's reason).
 */
import { z } from 'zod';

export type ChangeKind = 'configuration' | 'adjustment';
export type ChangeStatus = 'proposed' | 'approved' | 'rejected' | 'cancelled' | 'applied' | 'failed';

const MAX_AMOUNT_MINOR = 10n ** 15n - 1n;
const amountText = z
  .string()
  .regex(/^(0|[1-9]\d{0,14})$/, 'a whole number of fen, at most 15 digits')
  .meta({ description: 'Minor units (fen), a decimal string.' });
const limitText = amountText.nullable().meta({ description: 'Minor units (fen); null: no limit.' });
const basisPoints = (max: number) =>
  z
    .number()
    .int()
    .min(0)
    .max(max)
    .meta({ description: `Basis points (1 bp = 0.01 %), 0–${max}.` });

export const TIER_NAMES = ['T0', 'T1', 'T2', 'T3'] as const;

export const tierLimitsValue = z.strictObject({
  balanceCap: limitText,
  singlePayment: limitText,
  daily: limitText,
  yearly: limitText,
  mayWithdraw: z.boolean(),
  maySendAbroad: z.boolean(),
});
export const withdrawalFeeValue = z.strictObject({
  freeMonthly: amountText,
  basisPoints: basisPoints(1000),
  minimum: amountText,
});
export const bankTransferFeeValue = z
  .strictObject({ basisPoints: basisPoints(1000), minimum: amountText, maximum: amountText })
  .refine((value) => BigInt(value.minimum) <= BigInt(value.maximum), {
    message: 'the minimum is at most the maximum',
    path: ['maximum'],
  });
/** Domain rules §1: password-free (fewer than two factors) at most ¥1,000 a day. */
export const passwordFreeValue = z
  .strictObject({ maxPerPayment: amountText, dailyMax: amountText })
  .refine((value) => BigInt(value.dailyMax) <= 100_000n && BigInt(value.maxPerPayment) <= 100_000n, {
    message: 'password-free payments are at most ¥1,000 (domain rules §1)',
  })
  .refine((value) => BigInt(value.maxPerPayment) <= BigInt(value.dailyMax), {
    message: 'one payment is at most the daily total',
  });
export const merchantRateValue = z.strictObject({ basisPoints: basisPoints(10_000) });

export type TierLimitsValue = z.infer<typeof tierLimitsValue>;
export type WithdrawalFeeValue = z.infer<typeof withdrawalFeeValue>;
export type BankTransferFeeValue = z.infer<typeof bankTransferFeeValue>;
export type PasswordFreeValue = z.infer<typeof passwordFreeValue>;
export type MerchantRateValue = z.infer<typeof merchantRateValue>;

/** The settings a configuration change may set, by the shape of their key. */
export type SettingFamily =
  'tier_limits' | 'withdrawal_fee' | 'bank_transfer_fee' | 'password_free' | 'merchant_rate';

const SETTING_PATTERNS: { family: SettingFamily; pattern: RegExp; schema: z.ZodType }[] = [
  { family: 'tier_limits', pattern: /^tier_limits\.T[0-3]$/, schema: tierLimitsValue },
  { family: 'withdrawal_fee', pattern: /^withdrawal_fee$/, schema: withdrawalFeeValue },
  { family: 'bank_transfer_fee', pattern: /^bank_transfer_fee$/, schema: bankTransferFeeValue },
  { family: 'password_free', pattern: /^password_free$/, schema: passwordFreeValue },
  // the default rate, one merchant category's (MCC) or one merchant's (its id)
  {
    family: 'merchant_rate',
    pattern:
      /^merchant_rate\.(default|mcc\.\d{4}|merchant\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/,
    schema: merchantRateValue,
  },
];

export const SETTING_KEY_PATTERN =
  '^(tier_limits\\.T[0-3]|withdrawal_fee|bank_transfer_fee|password_free|merchant_rate\\.(default|mcc\\.\\d{4}|merchant\\.[0-9a-f-]{36}))$';

export function familyOf(setting: string): SettingFamily | null {
  return SETTING_PATTERNS.find((entry) => entry.pattern.test(setting))?.family ?? null;
}

/** The value checked against its setting's shape; null with the reason when it does not fit. */
export function parseSettingValue(
  setting: string,
  value: unknown,
): { ok: true; value: Record<string, unknown> } | { ok: false; issues: string[] } {
  const entry = SETTING_PATTERNS.find((candidate) => candidate.pattern.test(setting));
  if (!entry) return { ok: false, issues: [`unknown setting ${setting}`] };
  const parsed = entry.schema.safeParse(value);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((issue) => `${issue.path.join('.') || '(value)'}: ${issue.message}`),
    };
  }
  return { ok: true, value: parsed.data as Record<string, unknown> };
}

/** An approved configuration change, as the reader keeps it. */
export interface ApprovedSetting {
  id: string;
  setting: string;
  value: Record<string, unknown>;
  effectiveAt: Date;
  decidedAt: Date;
}

/**
 * The value of `setting` in force at `at`: the approved change with the latest `effectiveAt` not
 * after `at` (of two with the same time, the one approved last), else null — the configured
 * default (environment) applies.
 */
export function valueInForce(
  changes: readonly ApprovedSetting[],
  setting: string,
  at: Date,
): ApprovedSetting | null {
  let best: ApprovedSetting | null = null;
  for (const change of changes) {
    if (change.setting !== setting || change.effectiveAt.getTime() > at.getTime()) continue;
    if (
      !best ||
      change.effectiveAt.getTime() > best.effectiveAt.getTime() ||
      (change.effectiveAt.getTime() === best.effectiveAt.getTime() &&
        change.decidedAt.getTime() > best.decidedAt.getTime())
    ) {
      best = change;
    }
  }
  return best;
}

/** Why `operatorId` may not decide a change in `status` made by `makerId`; null: it may. */
export function decisionRefusal(input: {
  status: ChangeStatus;
  makerId: string;
  operatorId: string;
}): 'APPROVAL_OWN_CHANGE' | 'APPROVAL_ALREADY_DECIDED' | null {
  if (input.status !== 'proposed') return 'APPROVAL_ALREADY_DECIDED';
  if (input.makerId === input.operatorId) return 'APPROVAL_OWN_CHANGE';
  return null;
}

/** Why an adjustment moves money; a fixed list, so reports can count them. */
export const ADJUSTMENT_REASONS = ['goodwill', 'correction', 'fee_refund', 'chargeback_reversal'] as const;
export type AdjustmentReason = (typeof ADJUSTMENT_REASONS)[number];
export type AdjustmentDirection = 'credit' | 'debit';

export interface AdjustmentPayload {
  [key: string]: string;
  userId: string;
  walletAccountId: string;
  direction: AdjustmentDirection;
  amountMinor: string;
  currency: string;
  reasonCode: AdjustmentReason;
  note: string;
}

export { MAX_AMOUNT_MINOR };
