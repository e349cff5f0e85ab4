/**
 * The consumer's payment code (付款码, issue 12): each of a holder's devices gets a secret from
 * which its app derives an 18-digit code every step (60 s by default), offline, with
 * `@qianbao/qr`; a merchant's till sends the code it scanned and this file finds the secret and
 * the step the code was made for. Using a code once is the charge row's job (store.ts
 * `insertCharge`); paying is the merchants service's (service.ts `chargeCode`).
 *
 * - A secret is 32 random bytes, shown to the app once and stored sealed (SecretBox): a copy of
 *   the table does not give anyone codes.
 * - One active secret per (holder, device); issuing again replaces it, turning off ends it. The
 *   device index (6 digits inside every code) is unique among active secrets, so a code finds its
 *   secret with one indexed read.
 * - A device the holder reported lost (freeze module) gets no secret, and the codes of its secret
 *   are refused: a stolen phone keeps its secret, so the server must stop honouring it.
 */
import { randomBytes } from 'node:crypto';
import {
  DEFAULT_STEP_SECONDS,
  MAX_WINDOW,
  PaymentCodeError,
  parsePaymentCode,
  paymentCodeStep,
  verifyPaymentCode,
} from '@qianbao/qr';
import { derivedId, newId } from '@qianbao/ledger';
import { AppError } from '../../errors.ts';
import type { SecretBox } from '../../crypto/secret-box.ts';
import type { ConfirmationInput, PaymentToConfirm, SecurityService } from '../security/index.ts';
import type { MerchantsStore, PaymentCodeSecretRow } from './store.ts';
import { PAYMENT_CODE_SECRET_PURPOSE } from './module.ts';

const SECRET_PURPOSE = PAYMENT_CODE_SECRET_PURPOSE;
const SECRET_BYTES = 32;
/** Steps either side of the server's accepted (domain-rules §3: ±1). */
const ACCEPTED_WINDOW = 1;

export interface PaymentCodeDeps {
  store: MerchantsStore;
  secrets: Pick<SecretBox, 'seal' | 'open'>;
  security: Pick<SecurityService, 'verifyConfirmation'>;
  freeze: { isDeviceLost(userId: string, deviceId: string): Promise<boolean> };
  /** The step of new secrets (existing ones keep theirs); default 60. */
  stepSeconds?: number;
  now: () => Date;
}

export interface PaymentCodeStatus {
  active: boolean;
  deviceIndex: number | null;
  stepSeconds: number | null;
  issuedAt: Date | null;
  /** What a passkey signs to confirm issuing a secret for this device (POST /v1/me/confirmations/options). */
  confirmationPayment: PaymentToConfirm;
}

export interface IssuedPaymentCode {
  /** Base64url; shown this once. */
  secret: string;
  deviceIndex: number;
  stepSeconds: number;
  issuedAt: Date;
}

/** A scanned code the server accepts: its secret and the step it was made for. */
export interface VerifiedCode {
  secret: PaymentCodeSecretRow;
  step: number;
}

export class PaymentCodes {
  private readonly stepSeconds: number;

  constructor(private readonly deps: PaymentCodeDeps) {
    this.stepSeconds = deps.stepSeconds ?? DEFAULT_STEP_SECONDS;
    // paymentCodeStep refuses a bad step; asked once here, not at the first issue.
    paymentCodeStep(0, this.stepSeconds);
  }

  async status(input: { userId: string; deviceId: string }): Promise<PaymentCodeStatus> {
    const row = await this.deps.store.activeSecret(input.userId, input.deviceId);
    return {
      active: row !== null,
      deviceIndex: row?.device_index ?? null,
      stepSeconds: row?.step_seconds ?? null,
      issuedAt: row?.created_at ?? null,
      confirmationPayment: issuePayment(input),
    };
  }

  /**
   * A new secret for the holder's device, after its PIN or passkey: whoever holds an unlocked
   * phone for a minute must not be able to take the payment code elsewhere. Replaces the
   * device's active one (its codes stop at once).
   */
  async issue(input: {
    userId: string;
    deviceId: string;
    confirmation: ConfirmationInput;
  }): Promise<IssuedPaymentCode> {
    const checked = await this.deps.security.verifyConfirmation({
      userId: input.userId,
      payment: issuePayment(input),
      accepted: ['pin', 'passkey'],
      factor: input.confirmation,
    });
    if (!checked.ok) throw checked.error;
    if (await this.deps.freeze.isDeviceLost(input.userId, input.deviceId)) {
      throw new AppError('PAYMENT_CODE_DEVICE_LOST');
    }
    const secret = randomBytes(SECRET_BYTES);
    const row = await this.deps.store.issueSecret({
      id: newId(),
      userId: input.userId,
      deviceId: input.deviceId,
      secretSealed: this.deps.secrets.seal(secret.toString('base64url'), SECRET_PURPOSE),
      stepSeconds: this.stepSeconds,
      now: this.deps.now(),
    });
    return {
      secret: secret.toString('base64url'),
      deviceIndex: row.device_index,
      stepSeconds: row.step_seconds,
      issuedAt: row.created_at,
    };
  }

  /** The device's codes stop working; a repeat is a no-op. */
  async turnOff(input: { userId: string; deviceId: string }): Promise<void> {
    await this.deps.store.turnOffSecret({ ...input, now: this.deps.now() });
  }

  /**
   * The secret and step of a scanned code, or PAYMENT_CODE_INVALID (not ours, no active secret,
   * a lost device, a wrong value) or PAYMENT_CODE_EXPIRED (the code of a step before the window).
   * The till learns nothing about the payer from a refusal.
   */
  async verify(code: string): Promise<VerifiedCode> {
    let deviceIndex: number;
    try {
      deviceIndex = parsePaymentCode(code).deviceIndex;
    } catch (error) {
      if (error instanceof PaymentCodeError) {
        throw new AppError('PAYMENT_CODE_INVALID', {
          details: { reason: error.code === 'FOREIGN_PAYMENT_CODE' ? 'FOREIGN' : 'FORMAT' },
        });
      }
      throw error;
    }
    const secret = await this.deps.store.activeSecretOfIndex(deviceIndex);
    if (!secret) throw new AppError('PAYMENT_CODE_INVALID');
    const nowMs = this.deps.now().getTime();
    // Verified over the widest window the package allows, to tell a code a few minutes old
    // (EXPIRED: the payer refreshes the screen) from a wrong one; only ±1 step is accepted.
    const step = await verifyPaymentCode({
      secret: Buffer.from(this.deps.secrets.open(secret.secret_sealed, SECRET_PURPOSE), 'base64url'),
      code,
      nowMs,
      stepSeconds: secret.step_seconds,
      window: MAX_WINDOW,
    });
    if (step === null) throw new AppError('PAYMENT_CODE_INVALID');
    const current = paymentCodeStep(nowMs, secret.step_seconds);
    if (step < current - ACCEPTED_WINDOW) throw new AppError('PAYMENT_CODE_EXPIRED');
    if (step > current + ACCEPTED_WINDOW) throw new AppError('PAYMENT_CODE_INVALID');
    // Checked last: a lost phone's codes cost the same read as any other's.
    if (await this.deps.freeze.isDeviceLost(secret.user_id, secret.device_id)) {
      throw new AppError('PAYMENT_CODE_INVALID');
    }
    return { secret, step };
  }
}

/**
 * What a confirmation of issuing binds: the security service confirms payments only, so issuing
 * is named as one of a fen to `payment-code:<device>` — its id fixed per (holder, device), so the
 * app can ask for passkey options before it issues. No money moves under this id.
 */
function issuePayment(input: { userId: string; deviceId: string }): PaymentToConfirm {
  return {
    id: derivedId(`merchants:payment-code-issue:${input.userId}:${input.deviceId}`),
    amountMinor: 1n,
    currency: 'CNY',
    payee: `payment-code:${input.deviceId.slice(0, 100)}`,
  };
}
