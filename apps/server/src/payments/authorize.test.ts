import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { DEFAULT_TIER_LIMITS } from '../modules/kyc/index.ts';
import type { TierLimits } from '../modules/kyc/index.ts';
import type { FactorDecision } from '../modules/security/index.ts';
import type { ConfirmationResult } from '../modules/security/service.ts';
import { PaymentAuthorizer } from './authorize.ts';
import type { AuthorizerDeps } from './authorize.ts';
import type { PaymentKind } from './kinds.ts';
import type { RiskDecision } from './risk.ts';

const NOW = new Date('2026-12-06T04:00:00Z'); // 12:00 in Shanghai
const PIN_DECISION: FactorDecision = {
  factor: 'pin',
  accepted: ['pin'],
  reason: 'standard',
  ledgerLimits: [],
};
const FREE_DECISION: FactorDecision = {
  factor: 'none',
  accepted: ['none', 'pin'],
  reason: 'passwordFree',
  ledgerLimits: [{ key: 'pwfree:day:u1:2026-12-06', max: 100_000n }],
};

const STEP_UP_DECISION: FactorDecision = {
  factor: 'passkey',
  accepted: ['passkey', 'pin'],
  reason: 'stepUp',
  ledgerLimits: [],
};

/** The pipeline with recording fakes: every step says what it was asked, in order. */
function subject(options: {
  limits?: TierLimits;
  risk?: RiskDecision;
  factor?: (input: { riskStepUp?: boolean; allowPasswordFree?: boolean }) => FactorDecision;
  confirm?: boolean;
}) {
  const calls: string[] = [];
  const deps: AuthorizerDeps = {
    ledger: {
      getBalance: () => Promise.reject(new Error('authorize reads no balance')),
      listTransfers: () => Promise.reject(new Error('authorize reads no transfers')),
      createTransfers: () => Promise.reject(new Error('authorize moves no money')),
      getTransfer: () => Promise.reject(new Error('authorize reads no transfer')),
    },
    kyc: {
      limitsFor: (userId) => {
        calls.push(`limits ${userId}`);
        return Promise.resolve(options.limits ?? DEFAULT_TIER_LIMITS.T1);
      },
    },
    security: {
      requiredFactor: (input) => {
        calls.push(`factor stepUp=${input.riskStepUp} free=${input.allowPasswordFree}`);
        return Promise.resolve(options.factor ? options.factor(input) : PIN_DECISION);
      },
      verifyConfirmation: () => {
        calls.push('confirm');
        return Promise.resolve<ConfirmationResult>(
          options.confirm === false
            ? {
                ok: false as const,
                code: 'PIN_INCORRECT' as const,
                details: { attemptsRemaining: 4 },
                error: new AppError('PIN_INCORRECT', { details: { attemptsRemaining: 4 } }),
              }
            : { ok: true as const, factor: 'pin' as const, paymentHash: 'hash', evidence: null },
        );
      },
    },
    risk: {
      judge: (input) => {
        calls.push(`risk ${input.kind} ${input.amountMinor}`);
        return Promise.resolve(options.risk ?? { decision: 'allow', rules: [] });
      },
    },
    now: () => NOW,
  };
  return { authorizer: new PaymentAuthorizer(deps), calls };
}

function payment(amountMinor: bigint) {
  return { id: 'p1', amountMinor, currency: 'CNY', payee: 'user:u2' };
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; details?: unknown }> {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(AppError);
  const { code, details } = error as AppError;
  return { code, details };
}

describe('the steps every payment takes before the ledger', () => {
  it('plans the tier counters and adds the password-free counter of a payment without a PIN', async () => {
    const { authorizer, calls } = subject({ factor: () => FREE_DECISION });
    const result = await authorizer.authorize({
      kind: 'transfer',
      payerUserId: 'u1',
      payment: payment(1_000n),
      confirmation: null,
    });
    expect(result.ledgerLimits.map((limit) => limit.key)).toEqual([
      'kyc:day:u1:2026-12-06',
      'kyc:year:u1:2026',
      'pwfree:day:u1:2026-12-06',
    ]);
    expect(result.risk.decision).toBe('allow');
    expect(calls).not.toContain('confirm');
    expect(calls).toContain('factor stepUp=false free=true');
  });

  it('never lets a top-up, withdrawal or bank transfer go password-free, and a given PIN is checked', async () => {
    for (const kind of ['top_up', 'withdrawal', 'bank_transfer'] satisfies PaymentKind[]) {
      const { authorizer, calls } = subject({ limits: DEFAULT_TIER_LIMITS.T2 });
      await authorizer.authorize({
        kind,
        payerUserId: 'u1',
        payment: payment(1_000n),
        confirmation: { pin: '1' },
      });
      expect(calls).toContain('factor stepUp=false free=false');
      expect(calls.at(-1)).toBe('confirm');
    }
  });

  it('counts own card ↔ own wallet toward the day but not the year (domain-rules §1)', async () => {
    const { authorizer } = subject({ limits: DEFAULT_TIER_LIMITS.T2 });
    const result = await authorizer.authorize({
      kind: 'top_up',
      payerUserId: 'u1',
      payment: payment(1_000n),
      confirmation: { pin: '1' },
    });
    expect(result.ledgerLimits.map((limit) => limit.key)).toEqual(['kyc:day:u1:2026-12-06']);
  });

  it('refuses over the single-payment limit before any factor is tried', async () => {
    const { authorizer, calls } = subject({ limits: DEFAULT_TIER_LIMITS.T1 }); // single 5,000.00
    const refused = await refusal(
      authorizer.authorize({
        kind: 'transfer',
        payerUserId: 'u1',
        payment: payment(500_001n),
        confirmation: { pin: '1' },
      }),
    );
    expect(refused).toEqual({
      code: 'LIMIT_EXCEEDED',
      details: {
        limit: 'single',
        max: { amount: '500000', currency: 'CNY' },
        remaining: { amount: '500000', currency: 'CNY' },
      },
    });
    expect(calls).not.toContain('confirm');
  });

  it('refuses a T0 withdrawal or bank transfer with KYC_TIER_TOO_LOW before the module checks', async () => {
    for (const kind of ['withdrawal', 'bank_transfer'] satisfies PaymentKind[]) {
      const { authorizer, calls } = subject({ limits: DEFAULT_TIER_LIMITS.T0 });
      const refused = await refusal(
        authorizer.authorize({
          kind,
          payerUserId: 'u1',
          payment: payment(100n),
          confirmation: { pin: '1' },
          checks: () => {
            calls.push('checks');
            return 'card';
          },
        }),
      );
      expect(refused).toEqual({ code: 'KYC_TIER_TOO_LOW', details: { tier: 'T0' } });
      expect(calls).not.toContain('checks');
    }
  });

  it('runs the module checks after the tier and before the limits, and passes on what they found', async () => {
    const { authorizer, calls } = subject({ limits: DEFAULT_TIER_LIMITS.T1 });
    const result = await authorizer.authorize({
      kind: 'withdrawal',
      payerUserId: 'u1',
      payment: payment(100n),
      confirmation: { pin: '1' },
      checks: (limits) => {
        calls.push(`checks ${limits.tier}`);
        return { cardId: 'c1' };
      },
    });
    expect(result.checked).toEqual({ cardId: 'c1' });
    expect(calls.indexOf('checks T1')).toBeGreaterThan(calls.indexOf('limits u1'));
    expect(calls.indexOf('checks T1')).toBeLessThan(calls.indexOf('confirm'));
    // A refusal of the module's checks wins over the single limit.
    const over = subject({ limits: DEFAULT_TIER_LIMITS.T1 });
    const refused = await refusal(
      over.authorizer.authorize({
        kind: 'withdrawal',
        payerUserId: 'u1',
        payment: payment(900_000n),
        confirmation: { pin: '1' },
        checks: () => {
          throw new AppError('CARD_NOT_FOUND');
        },
      }),
    );
    expect(refused.code).toBe('CARD_NOT_FOUND');
  });

  it('asks for the factor again with a step-up when the risk step says so', async () => {
    const { authorizer, calls } = subject({
      risk: { decision: 'step_up', rules: ['new_payee_large_amount'] },
      factor: (input) => (input.riskStepUp ? STEP_UP_DECISION : FREE_DECISION),
    });
    const refused = await refusal(
      authorizer.authorize({
        kind: 'transfer',
        payerUserId: 'u1',
        payment: payment(1_000n),
        confirmation: null,
      }),
    );
    expect(refused).toEqual({
      code: 'FACTOR_NOT_ACCEPTED',
      details: { accepted: ['passkey', 'pin'], given: 'none' },
    });
    expect(calls).toContain('factor stepUp=true free=true');
    expect(calls).toContain('risk transfer 1000');
  });

  it('answers a wrong PIN as the security service says, and asks for a factor when none was given', async () => {
    const wrong = subject({ confirm: false });
    expect(
      await refusal(
        wrong.authorizer.authorize({
          kind: 'transfer',
          payerUserId: 'u1',
          payment: payment(100n),
          confirmation: { pin: '9' },
        }),
      ),
    ).toEqual({ code: 'PIN_INCORRECT', details: { attemptsRemaining: 4 } });
    const none = subject({});
    expect(
      await refusal(
        none.authorizer.authorize({
          kind: 'top_up',
          payerUserId: 'u1',
          payment: payment(100n),
          confirmation: null,
        }),
      ),
    ).toEqual({ code: 'FACTOR_NOT_ACCEPTED', details: { accepted: ['pin'], given: 'none' } });
  });
});
