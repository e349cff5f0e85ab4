/** JSON shapes of the payment-security API. Amounts are strings of integer minor units. */
import { z } from 'zod';
import type { PasskeyView, SecuritySummary } from './service.ts';

const base64url = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9_-]*$/, 'must be base64url');

export const pinInput = z
  .string()
  .regex(/^\d{6}$/, 'must be 6 digits')
  .meta({ format: 'password', description: 'The 6-digit transaction PIN.' });

export const totpCodeInput = z
  .string()
  .regex(/^\d{6}$/, 'must be the 6 digits shown by the authenticator app')
  .meta({ example: '123456' });

export const recoveryCodeInput = z
  .string()
  .min(1)
  .max(32)
  .meta({ description: 'One of the recovery codes shown when two-step verification was turned on.' });

export const passkeyNameInput = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .meta({ description: 'Shown in the passkey list, e.g. "iPhone 15 · Face ID".' });

const amountString = z
  .string()
  .regex(/^\d{1,18}$/, 'must be a whole number of minor units, as a string')
  .meta({ description: 'Integer minor units as a string ("1234" CNY is ¥12.34).', example: '1234' });

const moneySchema = z.object({ amount: amountString, currency: z.string() });

export const moneyInput = z.object({
  amount: amountString,
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code'),
});

export function moneyJson(amountMinor: bigint, currency: string): z.infer<typeof moneySchema> {
  return { amount: amountMinor.toString(), currency };
}

/** What the holder is about to confirm; the same fields the transfer will carry. */
export const paymentInput = z.object({
  id: z.string().min(1).max(128).meta({ description: 'The payment (transfer) id the client chose.' }),
  amount: amountString,
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code'),
  payee: z
    .string()
    .min(1)
    .max(256)
    .meta({ description: 'Who receives the money, as the payment API names it.' }),
});

/**
 * `RegistrationResponseJSON` of WebAuthn Level 3 (what `startRegistration` of
 * @simplewebauthn/browser resolves to). Unknown fields are dropped.
 */
export const registrationResponseInput = z.object({
  id: base64url(1400).min(1),
  rawId: base64url(1400).min(1),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url(8192),
    attestationObject: base64url(65_536),
    transports: z
      .array(z.string().max(32))
      .max(8)
      .optional()
      .transform((transports) => transports?.filter(isKnownTransport)),
    authenticatorData: base64url(65_536).optional(),
    publicKey: base64url(8192).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
});

/** `AuthenticationResponseJSON` (what `startAuthentication` of @simplewebauthn/browser resolves to). */
export const authenticationResponseInput = z.object({
  id: base64url(1400).min(1),
  rawId: base64url(1400).min(1),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url(8192),
    authenticatorData: base64url(65_536),
    signature: base64url(2048),
    userHandle: base64url(256).optional(),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
});

const TRANSPORTS = ['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'] as const;

/** Transports a browser names that this server does not know are dropped, not refused. */
function isKnownTransport(transport: string): transport is (typeof TRANSPORTS)[number] {
  return (TRANSPORTS as readonly string[]).includes(transport);
}

export const webauthnOptionsSchema = z
  .record(z.string(), z.unknown())
  .meta({ description: 'WebAuthn options JSON: pass as `optionsJSON` to @simplewebauthn/browser.' });

export const summarySchema = z.object({
  pin: z.object({ set: z.boolean(), setAt: z.string().nullable() }),
  paymentsLockedUntil: z.string().nullable().meta({ description: 'Set while payments are locked.' }),
  passkeys: z.object({ count: z.number().int() }),
  totp: z.object({ enabled: z.boolean(), recoveryCodesRemaining: z.number().int() }),
  passwordFree: z.object({
    enabled: z.boolean(),
    limit: moneySchema.meta({ description: 'Per payment; "0" means off.' }),
    maxLimit: moneySchema.meta({ description: 'The highest limit a holder may choose.' }),
    dailyMax: moneySchema.meta({ description: 'Password-free payments together, per calendar day.' }),
  }),
});

export function summaryJson(summary: SecuritySummary): z.infer<typeof summarySchema> {
  return {
    pin: { set: summary.pinSet, setAt: summary.pinSetAt?.toISOString() ?? null },
    paymentsLockedUntil: summary.paymentsLockedUntil?.toISOString() ?? null,
    passkeys: { count: summary.passkeyCount },
    totp: { enabled: summary.totpEnabled, recoveryCodesRemaining: summary.recoveryCodesRemaining },
    passwordFree: {
      enabled: summary.passwordFreeLimitMinor > 0n,
      limit: moneyJson(summary.passwordFreeLimitMinor, 'CNY'),
      maxLimit: moneyJson(summary.passwordFreeMaxMinor, 'CNY'),
      dailyMax: moneyJson(summary.passwordFreeDailyMaxMinor, 'CNY'),
    },
  };
}

export const passkeySchema = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  deviceType: z.enum(['singleDevice', 'multiDevice']),
  backedUp: z.boolean(),
  transports: z.array(z.string()),
});

export function passkeyJson(passkey: PasskeyView): z.infer<typeof passkeySchema> {
  return {
    ...passkey,
    createdAt: passkey.createdAt.toISOString(),
    lastUsedAt: passkey.lastUsedAt?.toISOString() ?? null,
  };
}

const factorSchema = z.enum(['none', 'pin', 'passkey', 'totp']);

export const confirmationOptionsSchema = z.object({
  factor: factorSchema.meta({ description: 'Ask for this first.' }),
  accepted: z.array(factorSchema).meta({ description: 'Any of these confirms the payment.' }),
  reason: z.enum(['passwordFree', 'standard', 'stepUp', 'stepUpUnavailable']),
  passkeyOptions: webauthnOptionsSchema
    .optional()
    .meta({ description: 'Present when a passkey is accepted: options bound to this payment.' }),
});
