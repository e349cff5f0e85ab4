/**
 * The steps every payment takes before the ledger, in one place and one order (issue 10):
 *
 *   0. wallet state       a frozen payer (any freeze) or a payee wallet frozen in full refuses
 *                         (freeze module: WALLET_FROZEN, PAYEE_WALLET_FROZEN), read for every
 *                         payment so a freeze stops money at once on every server
 *   1. tier limits        the payer's tier (kyc); a kind that sends money out of the wallet needs
 *                         a tier that may (KYC_TIER_TOO_LOW)
 *   2. module checks      what only the module knows (the card exists, the request is payable …),
 *                         given the limits
 *   3. limits planned     the single-payment limit refuses now (LIMIT_EXCEEDED, before any PIN is
 *                         spent); the daily and yearly totals become ledger limit counters
 *   4. risk               the risk step's decision (risk.ts); `step_up` asks for the strongest factor;
 *                         `review` is refused, or — for a kind that holds for review — confirmed as
 *                         usual and then held by `holdForReview` (review.ts)
 *   5. factor             which factors this payment accepts (security), then the confirmation is
 *                         checked — or FACTOR_NOT_ACCEPTED when none was given and one is needed
 *
 * What comes out is what the ledger request carries: the limit counters of steps 3 and 5 (a
 * password-free payment counts toward the day's password-free allowance). The ledger request,
 * the module's record and the notices follow in the module (ledgerRefusal maps a refusal).
 *
 * Latency: the factor decision is fetched while the limits are (a guess that the risk step will
 * not ask for a step-up, asked again only if it does); a refusal in an earlier step still wins
 * over one of a later step, whatever answered first.
 */
import { TransferFlags } from '@qianbao/ledger';
import type { Ledger, TransferInput, TransferOutcome, TransferLimit } from '@qianbao/ledger';
import { AppError } from '../errors.ts';
import { limitExceededError, planPaymentLimits } from '../modules/kyc/limits.ts';
import { foreseeRefusal, payeeBalanceCap, refusalOf } from '../modules/kyc/index.ts';
import type { ForeseeInput, ForeseeLedger, KycService, Refusal, TierLimits } from '../modules/kyc/index.ts';
import type {
  ConfirmationFactor,
  ConfirmationInput,
  FactorDecision,
  PaymentToConfirm,
  SecurityService,
} from '../modules/security/index.ts';
import { PAYMENT_KINDS, type PaymentKind } from './kinds.ts';
import type { ReceivedInput, RefundRiskInput, RiskDecision, RiskInput, RiskStep } from './risk.ts';
import { HOLD_GRACE_SECONDS } from './review.ts';
import { settled } from './settled.ts';
import { inSpan } from '../tracing.ts';

export interface AuthorizerDeps {
  /**
   * Balances and today's transfers, read by `preview` to foresee a refusal; `createTransfers`,
   * through which `move` sends every payment's ledger request.
   */
  ledger: ForeseeLedger & Pick<Ledger, 'createTransfers' | 'getTransfer'>;
  kyc: Pick<KycService, 'limitsFor'>;
  security: Pick<SecurityService, 'requiredFactor' | 'verifyConfirmation'>;
  risk: RiskStep;
  /** The wallets' freeze state (freeze module); without it nothing is frozen. */
  freeze?: { assertMayPay(userId: string): Promise<void>; assertMayReceive(userId: string): Promise<void> };
  now: () => Date;
  log?: { warn(object: object, message: string): void };
  /**
   * Told once per payment at each step (metrics.ts): `authorize` with `authorized`, `review` or
   * the refusal's code; `move` with the ledger's result. Counted here, not in each module.
   */
  observe?: (step: 'authorize' | 'move', kind: string, outcome: string) => void;
}

export interface AuthorizeInput<Checked> {
  kind: PaymentKind;
  payerUserId: string;
  /** The payment as the confirmation binds it (a passkey signs exactly this). */
  payment: PaymentToConfirm;
  /** The holder's confirmation; null: none given (only a password-free payment passes then). */
  confirmation: ConfirmationInput | null;
  /** Step 2: the module's own checks, given the payer's limits; what they answer is passed on. */
  checks?: (limits: TierLimits) => Promise<Checked> | Checked;
  /** The payer's limits, when the caller started fetching them already. */
  payerLimits?: Promise<TierLimits>;
}

export interface Authorization<Checked> {
  payerLimits: TierLimits;
  checked: Checked;
  risk: RiskDecision;
  factor: FactorDecision;
  /** Attach to the ledger transfer that moves the money (tier counters, password-free counter). */
  ledgerLimits: TransferLimit[];
  /** What the risk step judged; `move` tells it when the money moved. */
  riskInput: RiskInput;
  /**
   * The risk step wants a person to look at it and the kind holds for review: the module makes
   * its ledger transfer with `holdForReview`, never `move` (which refuses it).
   */
  review: boolean;
}

export interface PreviewInput<Checked> {
  kind: PaymentKind;
  payerUserId: string;
  /** The wallet whose transfers have used today's limits. */
  payerWalletAccountId: string;
  payment: PaymentToConfirm;
  checks?: (limits: TierLimits) => Promise<Checked> | Checked;
  /** What would leave a wallet (amount + fee); may still be being fetched (a fee). */
  debit?: ForeseeInput['debit'] | Promise<ForeseeInput['debit']>;
  /**
   * What would enter a wallet with a cap: `payer` for the payer's own wallet under the payer's
   * own tier (a top-up); else the payee's, which may still be being fetched (its limits).
   */
  credit?: 'payer' | ForeseeInput['credit'] | Promise<ForeseeInput['credit']>;
}

export interface Preview<Checked> {
  payerLimits: TierLimits;
  checked: Checked;
  risk: RiskDecision;
  /** How the holder would confirm it now (password-free, PIN, a step-up …). */
  factor: FactorDecision;
  /** The tier's limit counters the payment would carry (to tell what is left of each). */
  tierLimits: TransferLimit[];
  /** The first reason it would be refused if confirmed now; null: nothing known refuses it. */
  refusal: Refusal | null;
}

export class PaymentAuthorizer {
  constructor(private readonly deps: AuthorizerDeps) {}

  /** The steps, counted by outcome and traced as one span (`payment.authorize`). */
  async authorize<Checked = undefined>(input: AuthorizeInput<Checked>): Promise<Authorization<Checked>> {
    return inSpan('payment.authorize', { 'qianbao.payment.kind': input.kind }, async (span) => {
      try {
        const authorization = await this.runSteps(input);
        const outcome = authorization.review ? 'review' : 'authorized';
        span?.setAttribute('qianbao.payment.outcome', outcome);
        this.deps.observe?.('authorize', input.kind, outcome);
        return authorization;
      } catch (error) {
        this.deps.observe?.('authorize', input.kind, outcomeOf(error));
        throw error;
      }
    });
  }

  private async runSteps<Checked>(input: AuthorizeInput<Checked>): Promise<Authorization<Checked>> {
    const { deps } = this;
    const rules = PAYMENT_KINDS[input.kind];
    const { payment, payerUserId } = input;
    const now = deps.now();
    const given = input.confirmation !== null;
    // A payment confirmed with a factor is not password-free, even if it could be: once the
    // day's password-free allowance is spent the client simply sends the PIN.
    const allowPasswordFree = rules.passwordFree && !given;
    const factorFor = (riskStepUp: boolean) =>
      deps.security.requiredFactor({
        userId: payerUserId,
        amountMinor: payment.amountMinor,
        currency: payment.currency,
        payee: payment.payee,
        riskStepUp,
        allowPasswordFree,
      });
    const walletState = settled(this.walletState(payerUserId, payment.payee));
    const guessedFactor = settled(factorFor(false));
    const tier = settled(inSpan('payment.limits', {}, () => this.tierAndChecks(input)));
    // 0. The wallets' freeze state, read beside the tier and the factor; the risk step starts
    // only after it (a frozen payer's attempt is not judged, so it does not count).
    await walletState();
    const risk = this.judge(input, now, 'pay');
    // 1–2. Tier limits and the module's checks.
    const { payerLimits, checked } = await tier();
    // 3. Limits planned: the single-payment limit refuses before any factor is tried.
    const plan = planPaymentLimits({
      payerUserId,
      payerLimits,
      amountMinor: payment.amountMinor,
      now,
      countsTowardYear: rules.countsTowardYear,
      staticMerchantQr: rules.staticMerchantQr === true,
    });
    if (plan.refusal) {
      throw limitExceededError({
        key: 'single',
        maxMinor: plan.refusal.maxMinor,
        remainingMinor: plan.refusal.maxMinor,
        currency: payment.currency,
      });
    }
    // 4. Risk.
    const decision = await risk();
    const holds = rules.holdsForReview && deps.risk.reviews !== undefined;
    refuseOnRisk(decision, holds);
    // A step-up the holder passed for exactly this payment: its ordinary factor now suffices.
    const stepUps = deps.risk.stepUps;
    const stepUp =
      decision.decision === 'step_up' &&
      !(stepUps && (await stepUps.passed({ userId: payerUserId, payment, now })));
    // 5. The factor, and the confirmation.
    const factor = stepUp ? await factorFor(true) : await guessedFactor();
    if (stepUp && stepUps) {
      // Only a strong factor (passkey, TOTP) confirms a payment the engine wants stepped up;
      // anything else — no confirmation, the PIN, a holder with no strong factor — is answered
      // with a challenge first.
      const strongGiven =
        given &&
        factor.reason === 'stepUp' &&
        factor.accepted.includes(factorOfConfirmation(input.confirmation!));
      if (!strongGiven) {
        // The ordinary factor first: a wrong PIN is answered before any step-up is spent on it.
        if (given) {
          const ordinary = await guessedFactor();
          const checked = await deps.security.verifyConfirmation({
            userId: payerUserId,
            payment,
            accepted: ordinary.accepted,
            factor: input.confirmation!,
          });
          if (!checked.ok) throw checked.error;
        }
        throw await stepUps.challenge({ userId: payerUserId, payment, decision, now });
      }
    }
    if (given) {
      const result = await inSpan('payment.factor', { 'qianbao.payment.factor': factor.factor }, () =>
        deps.security.verifyConfirmation({
          userId: payerUserId,
          payment,
          accepted: factor.accepted,
          factor: input.confirmation!,
        }),
      );
      if (!result.ok) throw result.error;
    } else if (factor.factor !== 'none') {
      throw new AppError('FACTOR_NOT_ACCEPTED', {
        details: { accepted: [...factor.accepted], given: 'none' },
      });
    }
    return {
      payerLimits,
      checked,
      risk: decision,
      factor,
      ledgerLimits: [...plan.ledgerLimits, ...factor.ledgerLimits],
      riskInput: riskInputOf(input, now, 'pay'),
      review: decision.decision === 'review' && holds,
    };
  }

  /**
   * The same steps as `authorize`, up to the confirmation and without it, for a preview or a
   * quote: what the holder would be asked for, and what would refuse the payment if confirmed
   * now — the single-payment limit, the balance, the payee's cap, the day's limits (kyc/foresee.ts)
   * — as a value, so the confirmation sheet never opens for a payment that cannot succeed. What
   * the tier or the module's checks refuse outright (KYC_TIER_TOO_LOW, CARD_NOT_FOUND, a payment
   * lock) is thrown, as when paying.
   */
  async preview<Checked = undefined>(input: PreviewInput<Checked>): Promise<Preview<Checked>> {
    const { deps } = this;
    const rules = PAYMENT_KINDS[input.kind];
    const { payment, payerUserId } = input;
    const now = deps.now();
    // Read only to foresee; a failure is held until then (an earlier refusal wins).
    const debitRead = settled(Promise.resolve(input.debit));
    const creditRead = settled(Promise.resolve(input.credit));
    await this.walletState(payerUserId, payment.payee);
    const risk = this.judge(input, now, 'preview');
    const { payerLimits, checked } = await this.tierAndChecks(input);
    // The counters whatever the amount (amount 0): the single limit is foreseen below.
    const plan = planPaymentLimits({
      payerUserId,
      payerLimits,
      amountMinor: 0n,
      now,
      countsTowardYear: rules.countsTowardYear,
      staticMerchantQr: rules.staticMerchantQr === true,
    });
    const decision = await risk();
    const debit = await debitRead();
    const given = await creditRead();
    const credit: ForeseeInput['credit'] =
      given === 'payer'
        ? { walletAccountId: input.payerWalletAccountId, capMinor: payeeBalanceCap(payerLimits), own: true }
        : given;
    const [factor, refusal] = await Promise.all([
      deps.security.requiredFactor({
        userId: payerUserId,
        amountMinor: payment.amountMinor,
        currency: payment.currency,
        payee: payment.payee,
        riskStepUp: decision.decision === 'step_up',
        allowPasswordFree: rules.passwordFree,
      }),
      // The password-free allowance is not a refusal: past it, the holder confirms with the PIN.
      foreseeRefusal({
        ledger: deps.ledger,
        currency: payment.currency,
        amountMinor: payment.amountMinor,
        singleMinor: payerLimits.singlePaymentMinor,
        ...(debit ? { debit } : {}),
        ...(credit ? { credit } : {}),
        limits: { keys: plan.ledgerLimits, walletAccountId: input.payerWalletAccountId, now },
      }),
    ]);
    return {
      payerLimits,
      checked,
      risk: decision,
      factor,
      tierLimits: plan.ledgerLimits,
      refusal: foreseenRiskRefusal(
        decision,
        rules.holdsForReview && deps.risk.reviews !== undefined,
        refusal,
      ),
    };
  }

  /**
   * The pipeline's ledger step: a payment's one ledger request (its linked transfers with the
   * limit counters and balance cap `authorize` planned, or the post/void of its holds). Modules
   * never call the ledger themselves; this is where the money moves. The outcomes are answered
   * as they are: `ledgerRefusal` says what a refusal means to the holder.
   *
   * A movement authorized earlier (a red packet's share, judged when the packet was sent) moves
   * without an authorization; `received` tells the risk step whose wallet it credited. Only a
   * first `ok` counts: a retry the ledger answers `exists` was counted by the run that moved it.
   */
  async move(
    transfers: TransferInput[],
    authorization?: Pick<Authorization<unknown>, 'riskInput'> &
      Partial<Pick<Authorization<unknown>, 'review'>>,
    options: { received?: ReceivedInput } = {},
  ): Promise<TransferOutcome[]> {
    if (authorization?.review) {
      throw new Error('a payment held for review moves through holdForReview, not move');
    }
    const kind = authorization?.riskInput.kind ?? PREAUTHORIZED;
    const outcomes = await this.ledgerStep(kind, transfers);
    const moved = outcomes.length > 0 && outcomes.every((o) => o.result === 'ok' || o.result === 'exists');
    // The money moved: the engine learns of it for the next judgements. Never fails the payment
    // (the ledger has answered); a failure costs the engine one data point.
    const { risk } = this.deps;
    const record = (what: string, write: Promise<void> | undefined) =>
      write?.catch((error: unknown) => this.deps.log?.warn({ err: error }, `risk: could not record ${what}`));
    if (moved && authorization) await record('a moved payment', risk.moved?.(authorization.riskInput));
    if (options.received && outcomes.every((o) => o.result === 'ok')) {
      await record('money received', risk.received?.(options.received));
    }
    return outcomes;
  }

  /**
   * Whether a payment's transfer, left half-way by a crash, reached the ledger — and if it did
   * not, its id burnt first: the same transfer sent with a limit of 0, which the ledger refuses
   * and remembers, so a request still on its way can never move money with that id. Call it only
   * for a record older than any live request (a recovery job, a stale claim): the answer is then
   * final, moved or never.
   */
  async movedOrFenced(transfer: TransferInput): Promise<boolean> {
    if (await this.deps.ledger.getTransfer(transfer.id)) return true;
    const [outcome] = await this.deps.ledger.createTransfers([
      { ...transfer, limits: [{ key: `fence:${transfer.id}`, max: 0n }] },
    ]);
    // `exists…`: the request landed first after all (its fields differ from the fence's limits).
    return outcome?.result === 'exists' || outcome?.result === 'existsWithDifferentFields';
  }

  /**
   * The ledger step of a payment the risk step holds for review (review.ts): its case opens, then
   * its one transfer is made as a hold that outlives the case by HOLD_GRACE_SECONDS. A refused
   * hold (funds, limits, the payee's cap) closes the case and is answered as `move` answers it;
   * a case decided already (a retry after its expiry) holds nothing: CASE_CLOSED is thrown.
   */
  async holdForReview(
    transfer: TransferInput & { amount: bigint; currency: string },
    authorization: Pick<Authorization<unknown>, 'riskInput' | 'review' | 'risk'>,
  ): Promise<{ outcome: TransferOutcome; caseId: string; expiresAt: Date }> {
    const reviews = this.deps.risk.reviews;
    if (!authorization.review || !reviews) throw new Error('holdForReview of a payment not held for review');
    const { riskInput, risk } = authorization;
    const opened = await reviews.open({
      kind: riskInput.kind,
      payerUserId: riskInput.payerUserId,
      movementId: transfer.id,
      amountMinor: transfer.amount,
      currency: transfer.currency,
      payee: riskInput.payee,
      decisionId: risk.decisionId ?? null,
      rules: risk.rules,
      score: risk.score ?? 0,
      now: riskInput.now,
    });
    if (opened.status !== 'open') {
      throw new AppError('RISK_REVIEW_CLOSED', { details: { caseId: opened.caseId, status: opened.status } });
    }
    const seconds = Math.ceil((opened.expiresAt.getTime() - this.deps.now().getTime()) / 1000);
    const [outcome] = await this.ledgerStep(riskInput.kind, [
      {
        ...transfer,
        flags: (transfer.flags ?? 0) | TransferFlags.pending,
        timeoutSeconds: Math.max(1, seconds) + HOLD_GRACE_SECONDS,
      },
    ]);
    if (!outcome) throw new Error('the ledger answered no outcome');
    if (outcome.result !== 'ok' && outcome.result !== 'exists') await reviews.nothingHeld(opened.caseId);
    return { outcome, caseId: opened.caseId, expiresAt: opened.expiresAt };
  }

  /**
   * The risk step of a movement no holder confirms: a merchant's refund, made by its staff. It
   * is judged as a refund (risk.ts `judgeRefund`), not as the owner's payment, and refused unless
   * the engine lets it through — there is no factor to step up and no hold to review it in:
   * `block` → RISK_BLOCKED, `review` or `step_up` → RISK_REVIEW_REQUIRED (`details.rules`). The
   * caller judges before it reserves anything, so a refused refund leaves nothing behind; its
   * money then moves through `move` like every payment's.
   */
  async judgeRefund(input: Omit<RefundRiskInput, 'now'>): Promise<RiskDecision> {
    const risk = this.deps.risk;
    if (!risk.judgeRefund) return { decision: 'allow', rules: [] };
    const decision = await risk.judgeRefund({ ...input, now: this.deps.now() });
    const details = { rules: [...decision.rules] };
    if (decision.decision === 'block') throw new AppError('RISK_BLOCKED', { details });
    if (decision.decision !== 'allow') throw new AppError('RISK_REVIEW_REQUIRED', { details });
    return decision;
  }

  /** The ledger request of a payment, counted by its result and traced (`payment.ledger`). */
  private ledgerStep(kind: string, transfers: TransferInput[]): Promise<TransferOutcome[]> {
    return inSpan('payment.ledger', { 'qianbao.payment.kind': kind }, async (span) => {
      let outcomes: TransferOutcome[];
      try {
        outcomes = await this.deps.ledger.createTransfers(transfers);
      } catch (error) {
        this.deps.observe?.('move', kind, 'error');
        throw error;
      }
      const result = resultOf(outcomes);
      span?.setAttribute('qianbao.ledger.result', result);
      this.deps.observe?.('move', kind, result);
      return outcomes;
    });
  }

  /** Step 0: a frozen payer pays nothing; a payee wallet frozen in full receives nothing. */
  private async walletState(payerUserId: string, payee: string): Promise<void> {
    const freeze = this.deps.freeze;
    if (!freeze) return;
    const payeeUserId = payee.startsWith('user:') ? payee.slice('user:'.length) : null;
    await Promise.all([
      freeze.assertMayPay(payerUserId),
      ...(payeeUserId ? [freeze.assertMayReceive(payeeUserId)] : []),
    ]);
  }

  /** Step 4 started early (read after step 3): the risk step's decision on this payment. */
  private judge(
    input: { kind: PaymentKind; payerUserId: string; payment: PaymentToConfirm },
    now: Date,
    mode: RiskInput['mode'],
  ): () => Promise<RiskDecision> {
    return settled(inSpan('payment.risk', {}, () => this.deps.risk.judge(riskInputOf(input, now, mode))));
  }

  /** Steps 1 and 2: the payer's tier (a kind that sends money out needs one that may), then the module's checks. */
  private async tierAndChecks<Checked>(input: {
    kind: PaymentKind;
    payerUserId: string;
    payerLimits?: Promise<TierLimits>;
    checks?: (limits: TierLimits) => Promise<Checked> | Checked;
  }): Promise<{ payerLimits: TierLimits; checked: Checked }> {
    const payerLimits = await (input.payerLimits ?? this.deps.kyc.limitsFor(input.payerUserId));
    if (PAYMENT_KINDS[input.kind].needsWithdrawTier && !payerLimits.mayWithdraw) {
      throw new AppError('KYC_TIER_TOO_LOW', { details: { tier: payerLimits.tier } });
    }
    const checked = (input.checks ? await input.checks(payerLimits) : undefined) as Checked;
    return { payerLimits, checked };
  }
}

/** The kind of a movement authorized earlier (`move` without an authorization: a red packet's share). */
const PREAUTHORIZED = 'preauthorized';

/**
 * A ledger request's result: its first transfer's refusal that is not another's echo (linked
 * transfers fail together, the others answer `linkedEventFailed`), else the first result.
 */
function resultOf(outcomes: readonly TransferOutcome[]): string {
  const refused = outcomes.find(
    (o) => o.result !== 'ok' && o.result !== 'exists' && o.result !== 'linkedEventFailed',
  );
  return (refused ?? outcomes[0])?.result ?? 'none';
}

/** A refusal's stable code; anything else (a bug, the database) is `error`. */
function outcomeOf(error: unknown): string {
  return error instanceof AppError ? error.code : 'error';
}

function riskInputOf(
  input: { kind: PaymentKind; payerUserId: string; payment: PaymentToConfirm },
  now: Date,
  mode: RiskInput['mode'],
): RiskInput {
  const { payment } = input;
  return {
    kind: input.kind,
    payerUserId: input.payerUserId,
    amountMinor: payment.amountMinor,
    currency: payment.currency,
    payee: payment.payee,
    paymentId: payment.id,
    mode,
    now,
  };
}

/** What the risk step refuses outright (risk.ts): a block, and a review the kind cannot hold. */
/**
 * A preview's refusal with the risk step's in its place, as `authorize` orders them: the single
 * limit first, then a `review` of a kind that does not hold for review (RISK_REVIEW_REQUIRED,
 * known before the PIN: asking for it would only spend the holder's time), then the ledger's.
 * A `block` is not foreseen: a preview tells nothing a confirmed payment would freeze the wallet
 * for, so probing previews cannot find the line without paying for it.
 */
function foreseenRiskRefusal(
  decision: RiskDecision,
  holdsForReview: boolean,
  refusal: Refusal | null,
): Refusal | null {
  if (decision.decision !== 'review' || holdsForReview) return refusal;
  if (refusal?.code === 'LIMIT_EXCEEDED' && refusal.details['limit'] === 'single') return refusal;
  return refusalOf(new AppError('RISK_REVIEW_REQUIRED', { details: { rules: [...decision.rules] } }));
}

function refuseOnRisk(decision: RiskDecision, holdsForReview: boolean): void {
  const details = { rules: [...decision.rules] };
  if (decision.decision === 'block') throw new AppError('RISK_BLOCKED', { details });
  if (decision.decision === 'review' && !holdsForReview)
    throw new AppError('RISK_REVIEW_REQUIRED', { details });
}

function factorOfConfirmation(confirmation: ConfirmationInput): ConfirmationFactor {
  if ('pin' in confirmation) return 'pin';
  if ('totpCode' in confirmation) return 'totp';
  return 'passkey';
}
