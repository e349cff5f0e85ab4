/** The merchants module's declaration (modules/kit.ts): listed once, in ../catalog.ts. */
import { z } from 'zod';
import { defineModule, wholeNumber } from '../kit.ts';
import { MERCHANTS_ERRORS } from './errors.ts';
import { parseFeePolicy } from './fees.ts';
import { merchantsMigrations } from './migrations.ts';
import { checkoutMigrations } from './checkout-migrations.ts';
import { companyMigrations } from './company-migrations.ts';
import { staffMigrations } from './staff-migrations.ts';
import { testModeMigrations } from './test-mode-migrations.ts';
import { dispatchJobName } from '../../outbox/index.ts';
import { MERCHANT_LIVE_SUBSCRIBER } from './live.ts';

/** The module's job queues (index.ts defines the jobs). */
/** The purpose of the sealed payment-code device secrets (SecretBox). */
export const PAYMENT_CODE_SECRET_PURPOSE = 'merchants:payment-code';

export const MERCHANT_JOBS = {
  settleDaily: 'merchants.settle-daily',
  settleRecover: 'merchants.settle-recover',
  /** Orders past their time told expired, charges past their confirmation timed out (expiry.ts). */
  expire: 'merchants.expire',
} as const;

export const merchantsDeclaration = defineModule({
  name: 'merchants',
  hundred: 13,
  migrations: [
    ...merchantsMigrations,
    ...checkoutMigrations,
    ...companyMigrations,
    ...staffMigrations,
    ...testModeMigrations,
  ],
  errors: MERCHANTS_ERRORS,
  sealed: [
    {
      table: 'merchants_payment_code_secrets',
      column: 'secret_sealed',
      purpose: PAYMENT_CODE_SECRET_PURPOSE,
    },
  ],
  jobQueues: [...Object.values(MERCHANT_JOBS), dispatchJobName(MERCHANT_LIVE_SUBSCRIBER)],
  settings: {
    variables: {
      // The merchant discount rate in basis points, per merchant category code (fees.ts):
      // `5812:60,5411:30,default:38`.
      MERCHANT_FEE_RATES: z
        .string()
        .default('default:38')
        .refine(
          (text) => {
            try {
              parseFeePolicy(text);
              return true;
            } catch {
              return false;
            }
          },
          { message: 'must be <MCC or default>:<basis points 0–10000>, comma-separated' },
        ),
      // How long one payment code (付款码) lives, in seconds (domain-rules §3: 60, configurable);
      // the server accepts the codes of the step before and after.
      PAYMENT_CODE_STEP_SECONDS: wholeNumber({ min: 15, max: 300, fallback: 60 }),
    },
    read: (values) => ({
      feePolicy: parseFeePolicy(values.MERCHANT_FEE_RATES),
      paymentCodeStepSeconds: values.PAYMENT_CODE_STEP_SECONDS,
    }),
  },
});
