/**
 * The risk engine in the server (issue 11): the payments pipeline's risk step (`RiskStep`), the
 * sign-in judgement, step-ups, rule sets and their backtests, deny and allow lists. The judging
 * itself is the pure engine (engine/): this class gathers the facts, reads the state from
 * PostgreSQL (store.ts), keeps every decision with the features it was made on, and acts on a
 * block (the wallet is frozen, by the freeze module).
 *
 * - Rule sets: the active one is read at most once a second per process (`RULES_TTL_MS`), so an
 *   activation takes effect everywhere within a second; every decision names its version.
 * - A preview (a quote) is judged like the payment, but neither counts nor is kept.
 * - Latency: two round trips on one connection — the holder's lock with the whole state read,
 *   then the decision and the holder's own counters written, committed and the lock released —
 *   before the answer; the counters other holders share follow, coalesced, not waited for.
 */
import type pg from 'pg';
import { newId } from '@qianbao/ledger';
import { AppError } from '../../errors.ts';
import { currentClient } from '../../http/request-context.ts';
import type { PlaceLookup } from '../../adapters/places/index.ts';
import { settled } from '../../payments/index.ts';
import type {
  ReceivedInput,
  RefundRiskInput,
  RiskDecision,
  RiskInput,
  RiskStep,
} from '../../payments/index.ts';
import type { ConfirmationInput, PaymentToConfirm } from '../security/index.ts';
import { paymentHash } from '../security/index.ts';
import { derive, refundPayee } from './engine/features.ts';
import type { StateChange } from './engine/features.ts';
import { evaluate, ruleSetSchema } from './engine/rules.ts';
import { DEFAULT_RULE_SET, MERCHANT_REFUND_RULES, RED_PACKET_RULES } from './engine/default-rules.ts';
import type {
  Decision,
  Facts,
  Features,
  Judgement,
  ListName,
  MerchantRefundFacts,
  PaymentFacts,
  RuleSet,
  SignInFacts,
  Subject,
} from './engine/types.ts';
import type { DecisionRow, PgRiskStateStore, RiskStore, RuleSetRow, StepUpRow } from './store.ts';
import { backtest } from './backtest.ts';
import type { Backtest } from './backtest.ts';

export type { Backtest } from './backtest.ts';

const RULES_TTL_MS = 1000;
/** How long a step-up challenge may be passed, and a passed one used. */
/** A review case's context: the holder's latest decisions and devices, at most. */
const CASE_CONTEXT_DECISIONS = 20;
const CASE_CONTEXT_DEVICES = 10;

export interface CaseContext {
  /** The rule-set version that held the payment (null: the case has no decision). */
  version: number | null;
  /** The rules that fired, with what each added to the score (null: not in that version). */
  firedRules: {
    id: string;
    score: number | null;
    decision: Decision | null;
    description: { zh: string; en: string } | null;
  }[];
  /** The features the decision was made on. */
  features: Record<string, number | boolean | null> | null;
  /** The holder's latest decisions, newest first (this payment's among them). */
  recentDecisions: DecisionRow[];
  devices: { deviceId: string; firstSeenAt: Date }[];
  lastSignIn: { at: Date; city: string | null } | null;
  credentialResetAt: Date | null;
}

export const STEP_UP_TTL_MS = 10 * 60 * 1000;

export type StepUpMethod = 'passkey' | 'totp' | 'sms';

export interface RiskServiceDeps {
  store: RiskStore;
  pool: pg.Pool;
  state: PgRiskStateStore;
  places: PlaceLookup;
  /** The freeze module: a block freezes the wallet. */
  freeze: {
    freeze(input: {
      userId: string;
      mode: 'full' | 'receive_only';
      source: 'engine';
      reason: string;
    }): Promise<unknown>;
  };
  /** The holder's strong factors (which step-up methods to offer) and their checks. */
  security: {
    summary(userId: string): Promise<{ passkeyCount: number; totpEnabled: boolean }>;
    verifyConfirmation(input: {
      userId: string;
      payment: PaymentToConfirm;
      accepted: readonly ('passkey' | 'totp')[];
      factor: ConfirmationInput;
    }): Promise<{ ok: true } | { ok: false; error: AppError }>;
    createChallenge(input: {
      userId: string;
      payment: PaymentToConfirm;
      origin?: string | null;
    }): Promise<{ passkeyOptions: unknown }>;
  };
  identity: {
    getUser(userId: string): Promise<{ phone: string } | null>;
    verifySmsCode(input: { phone: string; purpose: 'verify'; code: string }): Promise<void>;
  };
  /** The payer's available balance (account takeover drains it); null when unknown. */
  balanceOf(walletAccountId: string): Promise<bigint | null>;
  now: () => Date;
  log: { warn(object: object, message: string): void };
  /** Told how long each judgement took (metrics: qianbao_risk_decision_seconds). */
  observe?: (subject: Subject, decision: string, seconds: number) => void;
}

export interface StepUpView {
  id: string;
  state: 'pending' | 'passed';
  methods: StepUpMethod[];
  amountMinor: bigint;
  currency: string;
  expiresAt: Date;
}

export class RiskService implements RiskStep {
  private rules: { set: RuleSet; readAt: number } | null = null;

  constructor(private readonly deps: RiskServiceDeps) {}

  // ---- the payments pipeline's risk step --------------------------------------------------------

  async judge(input: RiskInput): Promise<RiskDecision> {
    const started = performance.now();
    if (input.mode === 'preview') {
      const facts = await this.paymentFacts(input);
      const [ruleSet, state] = await Promise.all([this.activeRules(), this.deps.state.read(facts)]);
      return decisionOf(evaluate(ruleSet, 'payment', derive(facts, state)), null);
    }
    // The payer's balance (a fact of its own, read from the ledger) is read while the state is:
    // the state's keys do not depend on it, and each is a round trip.
    const balance = settled(this.balanceOfPayer());
    const withoutBalance = await this.paymentFacts(input, { balance: false });
    const ruleSet = await this.activeRules();
    const decisionId = newId();
    // One holder's judgements one at a time (the holder's advisory lock, held from the state
    // read until the writes are committed): of 30 payments sent at once, each is judged on the
    // attempts before it, as if they had come one by one. Two round trips on one connection:
    // lock + read, then writes + commit + unlock (store.ts `readLocked`, `recordJudged`).
    const holderLock = `risk:${input.payerUserId}`;
    const client = await this.deps.pool.connect();
    let facts: PaymentFacts = withoutBalance;
    let unlocked = false;
    let judgement: Judgement;
    let shared: StateChange[];
    try {
      const store = this.deps.state.on(client);
      const state = await store.readLocked(withoutBalance, holderLock);
      facts = { ...withoutBalance, balanceMinor: await balance() };
      const features = derive(facts, state);
      judgement = evaluate(ruleSet, 'payment', features);
      shared = await store.recordJudged({
        facts,
        prior: state,
        decision: decisionRow(decisionId, facts, features, judgement, input.paymentId),
        holderLock,
      });
      unlocked = true;
    } finally {
      // A session lock outlives a failed statement: a connection that may still hold it (any
      // failure between the lock and the unlock) is closed — which ends the lock — never
      // returned to the pool, where the holder's next judgement would wait on it for ever.
      client.release(!unlocked);
    }
    // Decided, and the decision and the holder's own state are committed.
    this.deps.observe?.('payment', judgement.decision, (performance.now() - started) / 1000);
    // The counters other holders write too (an IP's, a payee's), after the holder's commit and
    // not waited for: coalesced with other payments' into one statement, they are bookkeeping
    // for later judgements (a crash may lose the last moments' of them, as it may the
    // judgements' own unflushed commits) and no reason to hold this payment up.
    void this.deps.state
      .flushShared(shared, input.payerUserId)
      .catch((error: unknown) => this.deps.log.warn({ err: error }, 'risk: shared counters not written'));
    if (judgement.decision === 'block') {
      await this.deps.freeze.freeze({
        userId: input.payerUserId,
        mode: 'full',
        source: 'engine',
        reason: `risk decision ${decisionId}: ${judgement.fired.join(', ')}`,
      });
    }
    return decisionOf(judgement, decisionId);
  }

  async moved(input: RiskInput): Promise<void> {
    // What a success changes needs no balance: not read again.
    await this.deps.state.recordSuccess(await this.paymentFacts(input, { balance: false }));
  }

  /** A red packet's share credited: the claimer's incoming money and the sender's fan-out. */
  async received(input: ReceivedInput): Promise<void> {
    await this.deps.state.recordReceived({
      kind: input.kind,
      fromHolderId: input.fromUserId,
      toHolderId: input.toUserId,
      toHolderRegisteredAt: input.toRegisteredAt,
      amountMinor: input.amountMinor,
      currency: input.currency,
      at: input.now,
    });
  }

  /**
   * Judge a merchant refund (subject `merchant_refund`), before anything is reserved. One
   * merchant's refunds are judged one at a time — its lock (`risk:merchant:<id>`) held from the
   * state read until the decision and, when the refund is let through, its counts are committed
   * (the same two round trips as a payment's) — so refunds sent at once are each judged on the
   * ones let through before them. A block freezes nothing: the money is the merchant's, and the
   * payer's wallet is not what is judged. Decisions are kept under the merchant's owner.
   */
  async judgeRefund(input: RefundRiskInput): Promise<RiskDecision> {
    const started = performance.now();
    const facts: MerchantRefundFacts = {
      subject: 'merchant_refund',
      merchantId: input.merchantId,
      ownerUserId: input.merchantOwnerUserId,
      refundId: input.refundId,
      amountMinor: input.amountMinor,
      currency: input.currency,
      orderPaidMinor: input.orderPaidMinor,
      orderRefundedMinor: input.orderRefundedMinor,
      orderPaidAt: input.orderPaidAt,
      payerUserId: input.payerUserId,
      at: input.now,
    };
    const ruleSet = await this.activeRules();
    const decisionId = newId();
    const lock = `risk:merchant:${input.merchantId}`;
    const client = await this.deps.pool.connect();
    let unlocked = false;
    let judgement: Judgement;
    try {
      const store = this.deps.state.on(client);
      const features = derive(facts, await store.readLocked(facts, lock));
      judgement = evaluate(ruleSet, 'merchant_refund', features);
      await store.recordRefundJudged({
        facts,
        decision: decisionRow(decisionId, facts, features, judgement, input.refundId),
        counted: judgement.decision === 'allow',
        lock,
      });
      unlocked = true;
    } finally {
      // As a payment's judgement: a connection that may still hold the lock is closed, not pooled.
      client.release(!unlocked);
    }
    this.deps.observe?.('merchant_refund', judgement.decision, (performance.now() - started) / 1000);
    return decisionOf(judgement, decisionId);
  }

  readonly stepUps = {
    passed: async (input: { userId: string; payment: PaymentToConfirm; now: Date }): Promise<boolean> =>
      (await this.deps.store.passedStepUp({
        holderId: input.userId,
        paymentId: input.payment.id,
        paymentHash: paymentHash(input.payment),
        now: input.now,
      })) !== null,
    challenge: async (input: {
      userId: string;
      payment: PaymentToConfirm;
      decision: RiskDecision;
      now: Date;
    }): Promise<AppError> => {
      const row: StepUpRow = {
        id: newId(),
        holder_id: input.userId,
        payment_id: input.payment.id,
        payment_hash: paymentHash(input.payment),
        amount_minor: input.payment.amountMinor,
        currency: input.payment.currency,
        payee: input.payment.payee,
        decision_id: input.decision.decisionId ?? newId(),
        state: 'pending',
        method: null,
        created_at: input.now,
        expires_at: new Date(input.now.getTime() + STEP_UP_TTL_MS),
        passed_at: null,
      };
      await this.deps.store.insertStepUp(row);
      const methods = await this.methodsOf(input.userId);
      return new AppError('STEP_UP_REQUIRED', {
        details: { stepUpId: row.id, methods, expiresAt: row.expires_at.toISOString() },
      });
    },
  };

  /** A step-up the holder was asked for. */
  async getStepUp(input: { userId: string; id: string }): Promise<StepUpView> {
    const row = await this.deps.store.stepUp(input.id, input.userId);
    if (!row) throw new AppError('STEP_UP_NOT_FOUND');
    return { ...viewOf(row), methods: await this.methodsOf(input.userId) };
  }

  /** WebAuthn options to pass a step-up with a passkey (the assertion signs the step-up and its payment). */
  async stepUpPasskeyOptions(input: { userId: string; id: string; origin: string | null }): Promise<unknown> {
    const row = await this.pendingStepUp(input);
    const { passkeyOptions } = await this.deps.security.createChallenge({
      userId: input.userId,
      payment: stepUpPayment(row),
      origin: input.origin,
    });
    return passkeyOptions;
  }

  /**
   * Pass a step-up with a passkey assertion, a TOTP code or an SMS code (`verify`, sent by
   * POST /v1/me/sms-codes). Wrong codes count toward the factor's lockout like any confirmation.
   */
  async passStepUp(input: {
    userId: string;
    id: string;
    proof: { totpCode: string } | { smsCode: string } | { passkeyResponse: unknown };
  }): Promise<StepUpView> {
    const row = await this.pendingStepUp(input);
    let method: StepUpMethod;
    if ('smsCode' in input.proof) {
      const user = await this.deps.identity.getUser(input.userId);
      if (!user) throw new AppError('STEP_UP_NOT_FOUND');
      await this.deps.identity.verifySmsCode({
        phone: user.phone,
        purpose: 'verify',
        code: input.proof.smsCode,
      });
      method = 'sms';
    } else {
      const factor = input.proof as ConfirmationInput;
      const result = await this.deps.security.verifyConfirmation({
        userId: input.userId,
        payment: stepUpPayment(row),
        accepted: ['passkey', 'totp'],
        factor,
      });
      if (!result.ok) throw result.error;
      method = 'totpCode' in input.proof ? 'totp' : 'passkey';
    }
    const passed = await this.deps.store.passStepUp({
      id: row.id,
      holderId: input.userId,
      method,
      now: this.deps.now(),
    });
    // Passed twice at once (or expired meanwhile): the first pass stands.
    const current = passed ?? (await this.deps.store.stepUp(row.id, input.userId));
    if (!current || current.state !== 'passed') throw new AppError('STEP_UP_EXPIRED');
    return { ...viewOf(current), methods: await this.methodsOf(input.userId) };
  }

  // ---- sign-ins --------------------------------------------------------------------------------

  /**
   * Judge a sign-in whose credentials were right, before its session is made; the decision is
   * kept. A block freezes the wallet (the sign-in itself goes on, so the holder sees why and can
   * unfreeze); identity asks a password sign-in judged `step_up` or `review` for an SMS code.
   */
  async judgeSignIn(input: {
    userId: string;
    deviceId: string | null;
    ip: string | null;
  }): Promise<Judgement> {
    const started = performance.now();
    const facts = this.signInFacts(input);
    const [ruleSet, state] = await Promise.all([this.activeRules(), this.deps.state.read(facts)]);
    const features = derive(facts, state);
    const judgement = evaluate(ruleSet, 'sign_in', features);
    await this.deps.store.insertDecision(decisionRow(newId(), facts, features, judgement, null));
    this.deps.observe?.('sign_in', judgement.decision, (performance.now() - started) / 1000);
    if (judgement.decision === 'block') {
      await this.deps.freeze.freeze({
        userId: input.userId,
        mode: 'full',
        source: 'engine',
        reason: `risk decision on a sign-in: ${judgement.fired.join(', ')}`,
      });
    }
    return judgement;
  }

  /** A session was made: this sign-in becomes the holder's last place and time, its device seen. */
  async signedIn(input: { userId: string; deviceId: string | null; ip: string | null }): Promise<void> {
    const facts = this.signInFacts(input);
    await this.deps.state.recordSignIn(facts, this.deps.places.placeOf(facts.ip));
  }

  private signInFacts(input: { userId: string; deviceId: string | null; ip: string | null }): SignInFacts {
    return {
      subject: 'sign_in',
      holderId: input.userId,
      deviceId: input.deviceId,
      ip: input.ip,
      at: this.deps.now(),
    };
  }

  /** A password or PIN was reset (SIM swap: a reset, then an immediate payout). */
  async credentialReset(userId: string): Promise<void> {
    await this.deps.state.recordCredentialReset(userId, this.deps.now());
  }

  /** A wrong PIN or code (velocity of failed factors). */
  async factorFailed(userId: string): Promise<void> {
    await this.deps.state.recordFactorFailure(userId, this.deps.now());
  }

  // ---- rule sets -------------------------------------------------------------------------------

  /**
   * The shipped rules become version 1, active, on a database that has none (start-up). A
   * database whose rule sets were made before a group of rules shipped — refunds (no version has
   * a `merchant_refund` rule), red packets (no version has any of their ids) — gets a new version:
   * the active one's rules, unchanged, plus the group's, activated by `system`. It changes no
   * other rule's decision, and without it those payments would be judged by no rule of theirs.
   * Once any version has had them this does nothing, so an operator's later choice (even removing
   * them) stands. Idempotent, and safe when several servers start at once (store.ts
   * `addShippedRules` takes the table's lock).
   */
  async seedDefaultRules(): Promise<void> {
    const at = this.deps.now();
    await this.deps.store.seed({
      rules: DEFAULT_RULE_SET.rules,
      thresholds: DEFAULT_RULE_SET.thresholds,
      at,
    });
    const shipped = [
      {
        what: 'merchant-refund',
        rules: MERCHANT_REFUND_RULES,
        unless: { subject: 'merchant_refund' as const },
      },
      {
        what: 'red-packet',
        rules: RED_PACKET_RULES,
        unless: { ruleIds: RED_PACKET_RULES.map((rule) => rule.id) },
      },
    ];
    for (const { what, rules, unless } of shipped) {
      const added = await this.deps.store.addShippedRules({
        rules,
        unless,
        note: `The shipped ${what} rules, added to the active rules (no other rule changed).`,
        at,
      });
      if (added === null) continue;
      this.rules = null;
      this.deps.log.warn(
        { version: added },
        `risk: the shipped ${what} rules were added as a new active rule-set version`,
      );
    }
  }

  async ruleSets(): Promise<RuleSetRow[]> {
    return this.deps.store.ruleSets();
  }

  async ruleSet(version: number): Promise<RuleSetRow> {
    const row = await this.deps.store.ruleSet(version);
    if (!row) throw new AppError('RISK_RULE_SET_NOT_FOUND');
    return row;
  }

  /** A new draft version; checked whole (every rule's features, operators and thresholds). */
  async createDraft(input: {
    rules: unknown;
    thresholds: unknown;
    note: string;
    by: string;
    /** The operator's audit entry, appended in the draft's transaction. */
    audit: (client: pg.PoolClient, draft: RuleSetRow) => Promise<void>;
  }): Promise<RuleSetRow> {
    const parsed = ruleSetSchema.safeParse({ version: 1, rules: input.rules, thresholds: input.thresholds });
    if (!parsed.success) {
      throw new AppError('RISK_RULE_SET_INVALID', {
        details: {
          issues: parsed.error.issues
            .slice(0, 20)
            .map((i) => ({ path: i.path.join('.'), message: i.message })),
        },
      });
    }
    return this.deps.store.insertDraft({
      rules: parsed.data.rules,
      thresholds: parsed.data.thresholds,
      note: input.note,
      by: input.by,
      at: this.deps.now(),
      alongside: input.audit,
    });
  }

  /**
   * Activate a draft (maker-checker): `by` must not be the operator who made it — a second
   * operator with `risk:rules` checks the immutable version the first saved (docs/risk.md).
   */
  async activate(input: {
    version: number;
    by: string;
    /** The operator's audit entry, appended in the activation's transaction (not when refused). */
    audit: (client: pg.PoolClient, activated: RuleSetRow) => Promise<void>;
  }): Promise<RuleSetRow> {
    const result = await this.deps.store.activate({
      version: input.version,
      by: input.by,
      at: this.deps.now(),
      alongside: input.audit,
    });
    if ('refused' in result) {
      if (result.refused === 'not_found') throw new AppError('RISK_RULE_SET_NOT_FOUND');
      if (result.refused === 'not_draft')
        throw new AppError('RISK_RULE_SET_NOT_DRAFT', { details: { status: result.row.status } });
      throw new AppError('RISK_RULE_SET_OWN_DRAFT', { details: { createdBy: result.row.created_by } });
    }
    this.rules = null;
    return result.activated;
  }

  /**
   * Judge the stored decisions of [from, to) again under rule set `version`, on the features
   * they were made on: how many would be decided differently, and up to `sample` of them.
   */
  async backtest(input: { version: number; from: Date; to: Date; sample?: number }): Promise<Backtest> {
    return backtest(this.deps.store, toRuleSet(await this.ruleSet(input.version)), input);
  }

  // ---- lists and decisions ---------------------------------------------------------------------

  async setListEntry(input: {
    list: ListName;
    value: string;
    kind: 'deny' | 'allow';
    note: string;
    by: string;
    /** The operator's audit entry, appended in the change's transaction (none when nothing changed). */
    audit: (client: pg.PoolClient) => Promise<void>;
  }) {
    const { audit, ...entry } = input;
    await this.deps.store.setListEntry({ ...entry, at: this.deps.now(), alongside: audit });
  }

  async removeListEntry(input: {
    list: ListName;
    value: string;
    /** The operator's audit entry, appended in the removal's transaction. */
    audit: (client: pg.PoolClient) => Promise<void>;
  }): Promise<void> {
    if (!(await this.deps.store.removeListEntry(input.list, input.value, input.audit)))
      throw new AppError('RISK_LIST_ENTRY_NOT_FOUND');
  }

  async listEntries() {
    return this.deps.store.listEntries();
  }

  async decisionsOf(holderId: string, limit = 50): Promise<DecisionRow[]> {
    return this.deps.store.decisionsOf(holderId, limit);
  }

  /**
   * What an operator deciding a review case reads beside it, from the engine's own data: the
   * rules that fired with their scores (from the version that judged), the features the decision
   * was made on, and the holder's recent behaviour — decisions (payments and sign-ins), devices,
   * last sign-in. Previous cases come from the case store (case-routes.ts).
   */
  async caseContext(input: {
    holderId: string;
    decisionId: string | null;
    rules: readonly string[];
  }): Promise<CaseContext> {
    const decision = input.decisionId ? await this.deps.store.decision(input.decisionId) : null;
    const [ruleSet, recent, devices, holder] = await Promise.all([
      decision ? this.deps.store.ruleSet(decision.version) : Promise.resolve(null),
      this.deps.store.decisionsOf(input.holderId, CASE_CONTEXT_DECISIONS),
      this.deps.store.devicesOf(input.holderId, CASE_CONTEXT_DEVICES),
      this.deps.store.holderOf(input.holderId),
    ]);
    const byId = new Map((ruleSet?.rules ?? []).map((rule) => [rule.id, rule]));
    return {
      version: decision?.version ?? null,
      firedRules: input.rules.map((id) => {
        const rule = byId.get(id);
        return {
          id,
          score: rule?.score ?? null,
          decision: rule?.decision ?? null,
          description: rule?.description ?? null,
        };
      }),
      features: decision?.features ?? null,
      recentDecisions: recent,
      devices: devices.map((d) => ({ deviceId: d.device_id, firstSeenAt: d.first_seen_at })),
      lastSignIn: holder?.last_sign_in_at
        ? { at: holder.last_sign_in_at, city: holder.last_sign_in_city }
        : null,
      credentialResetAt: holder?.credential_reset_at ?? null,
    };
  }

  // ---- internals -------------------------------------------------------------------------------

  private async activeRules(): Promise<RuleSet> {
    const cached = this.rules;
    if (cached && Date.now() - cached.readAt < RULES_TTL_MS) return cached.set;
    const row = await this.deps.store.activeRuleSet();
    const set = row ? toRuleSet(row) : DEFAULT_RULE_SET;
    this.rules = { set, readAt: Date.now() };
    return set;
  }

  /** The signed-in payer's available balance (account takeover drains it); null when unknown. */
  private async balanceOfPayer(): Promise<bigint | null> {
    const { walletAccountId } = currentClient();
    return walletAccountId ? this.deps.balanceOf(walletAccountId) : null;
  }

  private async paymentFacts(
    input: RiskInput,
    options: { balance: boolean } = { balance: true },
  ): Promise<PaymentFacts> {
    const client = currentClient();
    const card = input.payee.startsWith('card:') ? input.payee.slice('card:'.length) : null;
    const balance = options.balance ? await this.balanceOfPayer() : null;
    return {
      subject: 'payment',
      kind: input.kind,
      holderId: input.payerUserId,
      amountMinor: input.amountMinor,
      currency: input.currency,
      payee: input.payee,
      payeeHolderId: input.payee.startsWith('user:') ? input.payee.slice('user:'.length) : null,
      deviceId: client.deviceId,
      ip: client.ip,
      cardId: card,
      cardBin: null,
      balanceMinor: balance,
      at: input.now,
    };
  }

  private async pendingStepUp(input: { userId: string; id: string }): Promise<StepUpRow> {
    const row = await this.deps.store.stepUp(input.id, input.userId);
    if (!row) throw new AppError('STEP_UP_NOT_FOUND');
    if (row.state === 'passed') throw new AppError('STEP_UP_ALREADY_PASSED');
    if (row.expires_at.getTime() <= this.deps.now().getTime()) throw new AppError('STEP_UP_EXPIRED');
    return row;
  }

  private async methodsOf(userId: string): Promise<StepUpMethod[]> {
    const summary = await this.deps.security.summary(userId);
    return [
      ...(summary.passkeyCount > 0 ? (['passkey'] as const) : []),
      ...(summary.totpEnabled ? (['totp'] as const) : []),
      'sms',
    ];
  }
}

export function toRuleSet(row: RuleSetRow): RuleSet {
  return { version: row.version, rules: row.rules, thresholds: row.thresholds };
}

function decisionOf(judgement: Judgement, decisionId: string | null): RiskDecision {
  return {
    decision: judgement.decision,
    rules: judgement.fired,
    score: judgement.score,
    version: judgement.version,
    decisionId,
  };
}

function decisionRow(
  id: string,
  facts: Facts,
  features: Features,
  judgement: Judgement,
  movementId: string | null,
): DecisionRow {
  if (facts.subject === 'merchant_refund') {
    return {
      id,
      subject: facts.subject,
      kind: 'merchant_refund',
      holder_id: facts.ownerUserId,
      movement_id: movementId,
      amount_minor: facts.amountMinor,
      currency: facts.currency,
      payee: refundPayee(facts),
      features,
      score: judgement.score,
      decision: judgement.decision,
      fired: judgement.fired,
      version: judgement.version,
      at: facts.at,
    };
  }
  const payment = facts.subject === 'payment' ? facts : null;
  return {
    id,
    subject: facts.subject,
    kind: payment ? payment.kind : 'sign_in',
    holder_id: facts.holderId,
    movement_id: movementId,
    amount_minor: payment ? payment.amountMinor : null,
    currency: payment ? payment.currency : null,
    payee: payment ? payment.payee : null,
    features,
    score: judgement.score,
    decision: judgement.decision,
    fired: judgement.fired,
    version: judgement.version,
    at: facts.at,
  };
}

function stepUpPayment(row: StepUpRow): PaymentToConfirm {
  // The assertion or code proves this step-up of this payment: its own id, the payment's amount and payee.
  return { id: row.id, amountMinor: row.amount_minor, currency: row.currency, payee: row.payee };
}

function viewOf(row: StepUpRow): Omit<StepUpView, 'methods'> {
  return {
    id: row.id,
    state: row.state,
    amountMinor: row.amount_minor,
    currency: row.currency,
    expiresAt: row.expires_at,
  };
}
