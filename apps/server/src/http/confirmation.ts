/**
 * How a holder confirms a payment, the same on every money-moving route: the `confirmation` of
 * the body is one factor — `{ pin }`, `{ totpCode }` or `{ passkeyResponse }` — or `{}` (or no
 * `confirmation` at all) for none, which only a password-free payment accepts. Which factors a
 * payment accepts is the security module's decision; the route passes on what was given.
 *
 * The answers that prepare a confirmation share their shapes too: `confirmationPlanOutput` (the
 * factor to ask for) and `paymentToSignOutput` (what a passkey signs).
 */
import { z } from 'zod';

const base64url = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9_-]*$/, 'must be base64url')
    .meta({ description: 'Base64url, as WebAuthn gives it.' });

export const pinInput = z
  .string()
  .regex(/^\d{6}$/, 'must be 6 digits')
  .meta({ format: 'password', description: 'The 6-digit transaction PIN.' });

export const totpCodeInput = z
  .string()
  .regex(/^\d{6}$/, 'must be the 6 digits shown by the authenticator app')
  .meta({
    description: 'The 6-digit code of the authenticator app (two-step verification).',
    example: '123456',
  });

/** `AuthenticationResponseJSON` (what `startAuthentication` of @simplewebauthn/browser resolves to). */
export const authenticationResponseInput = z
  .object({
    id: base64url(1400).min(1),
    rawId: base64url(1400).min(1),
    type: z.literal('public-key').meta({ description: 'Always `public-key`.' }),
    response: z
      .object({
        clientDataJSON: base64url(8192),
        authenticatorData: base64url(65_536),
        signature: base64url(2048),
        userHandle: base64url(256).optional(),
      })
      .meta({ description: "The authenticator's assertion." }),
    authenticatorAttachment: z
      .enum(['platform', 'cross-platform'])
      .optional()
      .meta({ description: 'Where the authenticator is, as the browser reports it.' }),
    clientExtensionResults: z
      .record(z.string(), z.unknown())
      .default({})
      .meta({ description: 'WebAuthn extension outputs; may be empty.' }),
  })
  .meta({
    description: 'The answer of `startAuthentication` (@simplewebauthn/browser); unknown fields are dropped.',
  });

/**
 * The one `confirmation` of a payment. Optional on every route: absent means `{}`. Strict
 * objects, so a body naming two factors is refused rather than confirmed by one of them.
 */
const pinFactor = z.strictObject({ pin: pinInput });
const totpFactor = z.strictObject({ totpCode: totpCodeInput });
const passkeyFactor = z.strictObject({ passkeyResponse: authenticationResponseInput });

export const confirmationInput = z
  .union([
    pinFactor,
    totpFactor,
    passkeyFactor,
    z.strictObject({}).meta({ description: 'No factor: only a password-free payment accepts it.' }),
  ])
  .optional()
  .meta({
    description:
      'What the payment is confirmed with: `{ pin }`, `{ totpCode }` or `{ passkeyResponse }` (from ' +
      'startAuthentication with the options of POST /v1/me/confirmations/options, for the `payment` the ' +
      'preview or quote named). `{}` or nothing: no factor, which only a password-free payment accepts ' +
      '(FACTOR_NOT_ACCEPTED otherwise, with `details.accepted`).',
  });

export type ConfirmationBody = z.infer<typeof confirmationInput>;
/** One factor, as the security module's `verifyConfirmation` takes it. */
export type GivenFactor =
  z.infer<typeof pinFactor> | z.infer<typeof totpFactor> | z.infer<typeof passkeyFactor>;

/** The factor a body gives, or null when it gives none (`{}` or no `confirmation`). */
export function givenFactor(confirmation: ConfirmationBody): GivenFactor | null {
  if (confirmation === undefined) return null;
  if ('pin' in confirmation) return { pin: confirmation.pin };
  if ('totpCode' in confirmation) return { totpCode: confirmation.totpCode };
  if ('passkeyResponse' in confirmation) return { passkeyResponse: confirmation.passkeyResponse };
  return null;
}

const factorEnum = z.enum(['none', 'pin', 'passkey', 'totp']).meta({
  description: '`none` (password-free), `pin`, `passkey` or `totp` (authenticator app).',
});

/** How to confirm a payment, as a preview or quote answers it. */
export const confirmationPlanOutput = z
  .object({
    factor: factorEnum.meta({ description: 'The factor to ask for first.' }),
    accepted: z.array(factorEnum).meta({ description: 'Every factor that confirms this payment.' }),
    reason: z.string().meta({
      description: 'Why: `passwordFree`, `standard`, `stepUp` or `stepUpUnavailable`.',
      example: 'standard',
    }),
  })
  .meta({ description: 'How to confirm: the factor to ask for first and every factor accepted.' });

export function confirmationPlanJson(plan: {
  factor: z.infer<typeof factorEnum>;
  accepted: readonly z.infer<typeof factorEnum>[];
  reason: string;
}): z.infer<typeof confirmationPlanOutput> {
  return { factor: plan.factor, accepted: [...plan.accepted], reason: plan.reason };
}

/**
 * The payment a passkey signs, named by a preview or quote before the payment is sent: pass it
 * as is to POST /v1/me/confirmations/options. Flat (amount beside currency) because it is the
 * exact text the signature binds (docs/security.md), not money to display.
 */
export const paymentToSignOutput = z
  .object({
    id: z.string().meta({ description: 'The payment id the Idempotency-Key derives.' }),
    amount: z.string().meta({ description: 'Integer minor units as a string.', example: '1234' }),
    currency: z.string().meta({ description: 'The ISO 4217 currency code.', example: 'CNY' }),
    payee: z.string().meta({ description: 'Who receives the money, as the payment names it.' }),
  })
  .meta({
    description: 'The payment to send to POST /v1/me/confirmations/options, to bind a passkey to it.',
  });

export function paymentToSignJson(payment: {
  id: string;
  amountMinor: bigint;
  currency: string;
  payee: string;
}): z.infer<typeof paymentToSignOutput> {
  return {
    id: payment.id,
    amount: payment.amountMinor.toString(),
    currency: payment.currency,
    payee: payment.payee,
  };
}
