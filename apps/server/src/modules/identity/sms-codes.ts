import { newId } from '@qianbao/ledger';
import type { IdentityConfig } from '../../config.ts';
import { AppError } from '../../errors.ts';
import type { SmsSender } from '../../adapters/sms/sender.ts';
import type { ClientInfo } from './http.ts';
import { smsCodeText } from './messages.ts';
import { maskPhone } from './phone.ts';
import type { SecretHasher } from './secrets.ts';
import { newSmsCode } from './secrets.ts';
import type { IdentityStore, RateLimitRule, SmsPurpose } from './store.ts';

const HOUR_MS = 3600 * 1000;

export interface SmsCodeSent {
  /** Masked, e.g. 138****8000. */
  phone: string;
  purpose: SmsPurpose;
  expiresInSeconds: number;
  resendAfterSeconds: number;
}

export interface SmsCodesDeps {
  store: IdentityStore;
  hasher: SecretHasher;
  sms: SmsSender;
  config: IdentityConfig['smsCode'];
  now: () => Date;
  log: { warn(object: object, message: string): void };
}

/**
 * One-time SMS codes: 6 digits, stored as argon2id hashes, one live code per number and purpose,
 * limited tries, a minimum interval between sends, and rolling per-number and per-IP limits kept
 * in the database so that every server instance enforces the same ones.
 */
export class SmsCodes {
  constructor(private readonly deps: SmsCodesDeps) {}

  /**
   * Make and send a code. `deliver: false` goes through every step except the text itself, so
   * that asking for a sign-in code for a number with no wallet looks exactly like asking for one
   * that has one (same answer, same limits).
   */
  async issue(input: {
    phone: string;
    purpose: SmsPurpose;
    client: ClientInfo;
    deliver: boolean;
  }): Promise<SmsCodeSent> {
    const { store, hasher, config } = this.deps;
    const { phone, purpose } = input;
    const code = newSmsCode();
    const codeHash = await hasher.hash(code); // slow: outside the transaction
    const now = this.deps.now();
    const id = newId();
    // A refusal is returned, not thrown, so that a block the limiter starts is committed.
    const refusal = await store.transaction(async (tx): Promise<AppError | null> => {
      const previous = await tx.lockSmsCode(phone, purpose);
      if (previous) {
        const waitMs = previous.createdAt.getTime() + config.resendSeconds * 1000 - now.getTime();
        if (waitMs > 0) {
          const retryAfterSeconds = Math.ceil(waitMs / 1000);
          return new AppError('SMS_RESEND_TOO_SOON', { details: { retryAfterSeconds }, retryAfterSeconds });
        }
      }
      const verdict = await tx.hitRateLimits(this.rules(phone, input.client.ip), now);
      if (!verdict.allowed) {
        const retryAfterSeconds = Math.ceil(verdict.retryAfterMs / 1000);
        return new AppError('RATE_LIMITED', {
          message: 'Too many codes were asked for; try again later.',
          details: { retryAfterSeconds },
          retryAfterSeconds,
        });
      }
      await tx.replaceSmsCode({
        phone,
        purpose,
        id,
        codeHash,
        now,
        expiresAt: new Date(now.getTime() + config.ttlSeconds * 1000),
      });
      return null;
    });
    if (refusal) throw refusal;
    // The gateway is called outside the transaction: an external call never holds row locks.
    if (input.deliver) {
      const text = smsCodeText({ code, purpose, ttlMinutes: Math.round(config.ttlSeconds / 60) });
      const result = await this.deps.sms.send({ phone, text });
      if (!result.ok) {
        await store.deleteSmsCode({ phone, purpose, id });
        this.deps.log.warn(
          { phoneMasked: maskPhone(phone), purpose, reason: result.reason, sender: this.deps.sms.name },
          'SMS code not delivered',
        );
        throw new AppError('SMS_DELIVERY_FAILED');
      }
    }
    return {
      phone: maskPhone(phone),
      purpose,
      expiresInSeconds: config.ttlSeconds,
      resendAfterSeconds: config.resendSeconds,
    };
  }

  /**
   * Check a code and use it up. Every try counts, the right one included, and a try is taken
   * before the code is compared, so concurrent guesses cannot exceed the limit.
   */
  async verify(input: { phone: string; purpose: SmsPurpose; code: string }): Promise<void> {
    const { store, hasher, config } = this.deps;
    const { phone, purpose } = input;
    const now = this.deps.now();
    const attempt = await store.takeSmsCodeAttempt({ phone, purpose, now, maxAttempts: config.maxAttempts });
    if (!attempt) {
      const row = await store.findSmsCode(phone, purpose);
      if (!row || row.consumedAt) throw new AppError('SMS_CODE_INVALID');
      if (row.attempts >= config.maxAttempts) throw new AppError('SMS_CODE_ATTEMPTS_EXCEEDED');
      if (row.expiresAt <= now) throw new AppError('SMS_CODE_EXPIRED');
      throw new AppError('SMS_CODE_INVALID');
    }
    if (await hasher.verify(attempt.codeHash, input.code)) {
      if (await store.consumeSmsCode({ phone, purpose, id: attempt.id, now })) return;
      throw new AppError('SMS_CODE_INVALID'); // a concurrent request used it first
    }
    const attemptsRemaining = config.maxAttempts - attempt.attempts;
    if (attemptsRemaining <= 0) throw new AppError('SMS_CODE_ATTEMPTS_EXCEEDED');
    throw new AppError('SMS_CODE_INVALID', { details: { attemptsRemaining } });
  }

  private rules(phone: string, ip: string | null): RateLimitRule[] {
    const { config } = this.deps;
    const blockMs = config.blockSeconds * 1000;
    const rules: RateLimitRule[] = [
      { scope: 'sms:phone', key: phone, limit: config.maxPerPhonePerHour, windowMs: HOUR_MS, blockMs },
    ];
    if (ip)
      rules.push({ scope: 'sms:ip', key: ip, limit: config.maxPerIpPerHour, windowMs: HOUR_MS, blockMs });
    return rules;
  }
}
