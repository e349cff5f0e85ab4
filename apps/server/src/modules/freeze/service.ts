import type pg from 'pg';
import { isUuid } from '@qianbao/ledger';
import { AppError } from '../../errors.ts';
import type { IdentityService } from '../identity/index.ts';
import { parseIdNumber } from '../kyc/index.ts';
import type { SecurityService, StepUpFactors, StepUpInput } from '../security/index.ts';
import type { FreezeMode, FreezeSource } from './events.ts';
import { holderMayLift } from './rules.ts';
import type { AuditContext, FreezeRow, FreezeStore } from './store.ts';

export type { FreezeMode, FreezeSource } from './events.ts';

/** A wallet's freeze as everyone else sees it (`stateOf`). */
export interface FreezeState {
  mode: 'none' | FreezeMode;
  source: FreezeSource | null;
  /** When the live freeze began; null when not frozen. */
  since: Date | null;
  reason: string | null;
}

/** Where a request came from, for the audit (all optional: the risk engine has none). */
export interface RequestContext {
  ip?: string | null;
  userAgent?: string | null;
  deviceId?: string | null;
}

export interface FreezeServiceDeps {
  store: FreezeStore;
  identity: Pick<IdentityService, 'getUser' | 'findUserByPhone' | 'verifySmsCode' | 'endSessionsOfLostPhone'>;
  security: Pick<
    SecurityService,
    'idNumberMatches' | 'suspendPasskeys' | 'stepUpFactors' | 'stepUpOptions' | 'verifyStepUp'
  >;
  now: () => Date;
}

const NOT_FROZEN: FreezeState = { mode: 'none', source: null, since: null, reason: null };
const HISTORY_LIMIT = 50;
const REASON_MAX_LENGTH = 500;
const HOLDER_REASON = 'frozen by the holder';
const REPORT_LOSS_REASON = 'phone reported lost';

/**
 * Freezes of a holder's wallet (capability C15): `full` stops money out and in, `receive_only`
 * money out. Set by the holder, a lost-phone report, the risk engine or an operator; the holder
 * lifts its own kinds after proving who it is, only an operator lifts the others. The payments
 * pipeline asks `assertMayPay` / `assertMayReceive` for every payment. See docs/freeze.md.
 */
export class FreezeService {
  constructor(private readonly deps: FreezeServiceDeps) {}

  // ---- what the payments pipeline asks ----------------------------------------------------

  /** Wallets frozen now, by mode (`/metrics`). */
  frozenCounts(): Promise<Map<FreezeMode, number>> {
    return this.deps.store.liveCounts();
  }

  /** The wallet's freeze now: one indexed read, never cached. */
  async stateOf(userId: string): Promise<FreezeState> {
    const row = isUuid(userId) ? await this.deps.store.live(userId) : null;
    return row ? stateJson(row) : NOT_FROZEN;
  }

  /** WALLET_FROZEN (403) while any freeze stands: no money leaves a frozen wallet. */
  async assertMayPay(userId: string): Promise<void> {
    const state = await this.stateOf(userId);
    if (state.mode !== 'none') throw new AppError('WALLET_FROZEN', { details: { mode: state.mode } });
  }

  /**
   * PAYEE_WALLET_FROZEN (422) while a `full` freeze stands. Says nothing more to the payer: not
   * why, not since when, not who froze it — only that this payee cannot receive now.
   */
  async assertMayReceive(userId: string): Promise<void> {
    const state = await this.stateOf(userId);
    if (state.mode === 'full') throw new AppError('PAYEE_WALLET_FROZEN');
  }

  /** Whether the holder reported this device lost (payment codes, issue 12, refuse it). */
  isDeviceLost(userId: string, deviceId: string): Promise<boolean> {
    if (!isUuid(userId)) return Promise.resolve(false);
    return this.deps.store.isDeviceLost(userId, deviceId);
  }

  // ---- freezing and lifting ---------------------------------------------------------------

  /**
   * Freeze the wallet, or tighten the live freeze (rules.ts): a repeat is a no-op, a stricter
   * mode or a heavier source changes it, a freeze never loosens except the holder turning its own
   * from full to receive-only. FREEZE_NEEDS_OPERATOR when the holder asks for less than a freeze
   * only an operator may lift. Answers the state after.
   */
  async freeze(input: {
    userId: string;
    mode: FreezeMode;
    source: FreezeSource;
    reason: string;
    operatorId?: string | null;
    context?: RequestContext;
    /**
     * An operator's audit entry, appended in the freeze's transaction when it sets or changes the
     * freeze (a repeat that changes nothing writes none).
     */
    audit?: (client: pg.PoolClient) => Promise<void>;
  }): Promise<FreezeState> {
    if (input.source === 'operator' && !input.operatorId)
      throw new Error('an operator freeze names the operator');
    const outcome = await this.deps.store.freeze({
      userId: input.userId,
      mode: input.mode,
      source: input.source,
      reason: reasonText(input.reason),
      operatorId: input.operatorId ?? null,
      context: auditContext(input.source, input.operatorId ?? null, input.context),
      now: this.deps.now(),
      ...(input.audit ? { alongside: input.audit } : {}),
    });
    if (outcome.kind === 'needsOperator') throw new AppError('FREEZE_NEEDS_OPERATOR');
    return stateJson(outcome.row);
  }

  /**
   * Lift the live freeze. `by: 'holder'` lifts only a freeze of the holder's kinds
   * (FREEZE_NEEDS_OPERATOR) and proves nothing itself: the holder's route calls
   * `unfreezeByHolder`, which checks who is asking first. FREEZE_NOT_FROZEN when none stands.
   */
  async lift(input: {
    userId: string;
    by: 'holder' | 'operator';
    reason: string;
    operatorId?: string | null;
    context?: RequestContext;
    /** An operator's audit entry, appended in the lift's transaction. */
    audit?: (client: pg.PoolClient) => Promise<void>;
  }): Promise<FreezeState> {
    if (input.by === 'operator' && !input.operatorId) throw new Error('an operator lift names the operator');
    const outcome = await this.deps.store.lift({
      userId: input.userId,
      by: input.by,
      operatorId: input.operatorId ?? null,
      reason: reasonText(input.reason),
      context: auditContext(input.by, input.operatorId ?? null, input.context),
      now: this.deps.now(),
      ...(input.audit ? { alongside: input.audit } : {}),
    });
    if (outcome.kind === 'notFrozen') throw new AppError('FREEZE_NOT_FROZEN');
    if (outcome.kind === 'needsOperator') throw new AppError('FREEZE_NEEDS_OPERATOR');
    return NOT_FROZEN;
  }

  // ---- the holder -------------------------------------------------------------------------

  /** The holder freezes its own wallet: at once, no PIN (it only ever protects the holder). */
  freezeByHolder(input: { userId: string; mode: FreezeMode; context: RequestContext }): Promise<FreezeState> {
    return this.freeze({ ...input, source: 'holder', reason: HOLDER_REASON });
  }

  /**
   * What lifting the live freeze will take: whether the holder may at all, and the second
   * factors set up before the freeze (`stepUpFactors`). With a passkey among them, options for
   * `startAuthentication` (a single-use challenge of this holder).
   */
  async unfreezeOptions(input: { userId: string; origin: string | null }): Promise<{
    usable: StepUpFactors;
    passkeyOptions: Awaited<ReturnType<SecurityService['stepUpOptions']>>['passkeyOptions'] | null;
  }> {
    const live = await this.liftableByHolder(input.userId);
    const usable = await this.deps.security.stepUpFactors({
      userId: input.userId,
      enrolledBefore: live.setAt,
    });
    if (!usable.passkey) return { usable, passkeyOptions: null };
    try {
      const { passkeyOptions } = await this.deps.security.stepUpOptions({
        userId: input.userId,
        enrolledBefore: live.setAt,
        origin: input.origin,
      });
      return { usable, passkeyOptions };
    } catch (error) {
      // Passkeys made for another host name (sandbox: localhost vs the public URL) do not count here.
      if (error instanceof AppError && error.code === 'PASSKEY_NOT_FOUND') {
        return { usable: { ...usable, passkey: false }, passkeyOptions: null };
      }
      throw error;
    }
  }

  /**
   * The holder lifts a freeze of its own kinds, proving who it is three ways: an `unfreeze` SMS
   * code to its number, its resident ID number (the real-name record's), and a passkey or TOTP
   * code set up before the freeze. What can be refused without spending anything is refused
   * first (not frozen, FREEZE_NEEDS_OPERATOR, no real-name record, no usable second factor, a
   * malformed ID number); then the SMS code is used up, so each wrong ID number or second factor
   * costs a code (and a wrong TOTP code counts toward the payment lock, as a wrong PIN does).
   */
  async unfreezeByHolder(input: {
    userId: string;
    smsCode: string;
    idNumber: string;
    secondFactor: StepUpInput;
    context: RequestContext;
  }): Promise<FreezeState> {
    const live = await this.liftableByHolder(input.userId);
    const user = await this.deps.identity.getUser(input.userId);
    if (!user) throw new AppError('UNAUTHORIZED');
    if (!user.realNameVerified) throw new AppError('FREEZE_REAL_NAME_REQUIRED');
    const usable = await this.deps.security.stepUpFactors({
      userId: input.userId,
      enrolledBefore: live.setAt,
    });
    if (!usable.passkey && !usable.totp) throw new AppError('FREEZE_SECOND_FACTOR_REQUIRED');
    const given = 'totpCode' in input.secondFactor ? 'totp' : 'passkey';
    if (!usable[given]) {
      throw new AppError('FREEZE_FACTOR_NOT_USABLE', {
        details: { given, usable: (['passkey', 'totp'] as const).filter((factor) => usable[factor]) },
      });
    }
    assertIdNumberFormat(input.idNumber, this.deps.now());
    await this.deps.identity.verifySmsCode({ phone: user.phone, purpose: 'unfreeze', code: input.smsCode });
    if (!(await this.deps.security.idNumberMatches(input.userId, input.idNumber))) {
      throw new AppError('ID_NUMBER_MISMATCH');
    }
    await this.deps.security.verifyStepUp({
      userId: input.userId,
      enrolledBefore: live.setAt,
      factor: input.secondFactor,
    });
    return this.lift({
      userId: input.userId,
      by: 'holder',
      reason: `lifted by the holder: SMS code, ID number and ${given === 'totp' ? 'TOTP code' : 'passkey'}`,
      context: input.context,
    });
  }

  /**
   * A phone reported lost, from any device, signed out: the number, its `report_loss` SMS code
   * and the holder's ID number. Then, in this order so that money stops first: a `full` freeze
   * (source `report_loss`), every session ended, the devices that had one marked lost (not the
   * reporting device) and no longer trusted for sign-in, every passkey suspended. Each step is
   * safe to repeat, so a report cut off half-way is finished by the next. The ID number is
   * checked after the code is used up: each guess costs a code, and codes are rate-limited per
   * number and per address (identity). A number without a wallet never gets a code, so it
   * answers SMS_CODE_INVALID like any wrong code.
   */
  async reportLoss(input: {
    phone: string;
    smsCode: string;
    idNumber: string;
    context: RequestContext;
  }): Promise<{ state: FreezeState; sessionsEnded: number; devicesLost: number; passkeysSuspended: number }> {
    assertIdNumberFormat(input.idNumber, this.deps.now());
    await this.deps.identity.verifySmsCode({
      phone: input.phone,
      purpose: 'report_loss',
      code: input.smsCode,
    });
    const user = await this.deps.identity.findUserByPhone(input.phone);
    if (!user) throw new AppError('SMS_CODE_INVALID'); // no code is ever sent to such a number
    if (!user.realNameVerified) throw new AppError('FREEZE_REAL_NAME_REQUIRED');
    if (!(await this.deps.security.idNumberMatches(user.id, input.idNumber))) {
      throw new AppError('ID_NUMBER_MISMATCH');
    }
    const state = await this.freeze({
      userId: user.id,
      mode: 'full',
      source: 'report_loss',
      reason: REPORT_LOSS_REASON,
      context: input.context,
    });
    const { sessionsEnded, deviceIds } = await this.deps.identity.endSessionsOfLostPhone({
      userId: user.id,
      reportingDeviceId: input.context.deviceId ?? null,
    });
    const passkeysSuspended = await this.deps.security.suspendPasskeys({ userId: user.id });
    const live = await this.deps.store.live(user.id);
    if (live) {
      await this.deps.store.recordLossReport({
        userId: user.id,
        freeze: live,
        deviceIds,
        sessionsEnded,
        passkeysSuspended,
        context: auditContext('report_loss', null, input.context),
        now: this.deps.now(),
      });
    }
    return { state, sessionsEnded, devicesLost: deviceIds.length, passkeysSuspended };
  }

  // ---- operators --------------------------------------------------------------------------

  /** FREEZE_HOLDER_NOT_FOUND for an id that names no holder. */
  async requireHolder(userId: string): Promise<void> {
    if (!(await this.deps.identity.getUser(userId))) throw new AppError('FREEZE_HOLDER_NOT_FOUND');
  }

  /** The holder's freezes, newest first (the live one, if any, first). */
  async history(userId: string): Promise<FreezeRow[]> {
    return isUuid(userId) ? this.deps.store.history(userId, HISTORY_LIMIT) : [];
  }

  // ---- internals --------------------------------------------------------------------------

  private async liftableByHolder(userId: string): Promise<FreezeRow> {
    const live = await this.deps.store.live(userId);
    if (!live) throw new AppError('FREEZE_NOT_FROZEN');
    if (!holderMayLift(live.source)) throw new AppError('FREEZE_NEEDS_OPERATOR');
    return live;
  }
}

function stateJson(row: FreezeRow): FreezeState {
  return { mode: row.mode, source: row.source, since: row.setAt, reason: row.reason };
}

function reasonText(reason: string): string {
  const text = reason.trim().slice(0, REASON_MAX_LENGTH);
  if (text.length === 0) throw new Error('a freeze or lift needs a reason');
  return text;
}

function auditContext(
  actor: FreezeSource,
  operatorId: string | null,
  context: RequestContext | undefined,
): AuditContext {
  return {
    actor,
    operatorId,
    ip: context?.ip ?? null,
    userAgent: context?.userAgent ?? null,
    deviceId: context?.deviceId ?? null,
  };
}

/** A malformed number is refused before any code is spent (the kyc module's GB 11643 check). */
function assertIdNumberFormat(idNumber: string, now: Date): void {
  const parsed = parseIdNumber(idNumber, now);
  if (!parsed.ok) throw new AppError('INVALID_ID_NUMBER', { details: { problem: parsed.problem } });
}
