/** JSON shapes of the payment-security API. Amounts are strings of integer minor units. */
import { z } from 'zod';
import { moneyJson, moneyOutput } from '../../http/money.ts';
import type { PasskeyView, SecuritySummary } from './service.ts';

// The factors of a confirmation are the HTTP kit's (one shape on every route that takes them).
export { authenticationResponseInput, pinInput, totpCodeInput } from '../../http/confirmation.ts';

const base64url = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9_-]*$/, 'must be base64url');

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

// Flat, not Money: the exact text a passkey's signature binds (docs/security.md).
const amountString = z
  .string()
  .regex(/^\d{1,18}$/, 'must be a whole number of minor units, as a string')
  .meta({ description: 'Integer minor units as a string ("1234" CNY is ¥12.34).', example: '1234' });

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

const TRANSPORTS = ['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'] as const;

/** Transports a browser names that this server does not know are dropped, not refused. */
function isKnownTransport(transport: string): transport is (typeof TRANSPORTS)[number] {
  return (TRANSPORTS as readonly string[]).includes(transport);
}

export const webauthnOptionsSchema = z
  .record(z.string(), z.unknown())
  .meta({ description: 'WebAuthn options JSON: pass as `optionsJSON` to @simplewebauthn/browser.' });

export const summarySchema = z.object({
  pin: z
    .object({
      set: z.boolean().meta({ description: 'Whether a transaction PIN is set.' }),
      setAt: z.string().nullable().meta({ description: 'When it was set (ISO 8601).' }),
    })
    .meta({ description: 'The transaction PIN.' }),
  paymentsLockedUntil: z.string().nullable().meta({ description: 'Set while payments are locked.' }),
  passkeys: z
    .object({
      count: z
        .number()
        .int()
        .meta({ description: 'How many passkeys the holder can use (suspended ones not counted).' }),
    })
    .meta({ description: 'Passkeys that confirm payments and sign in.' }),
  totp: z
    .object({
      enabled: z.boolean().meta({ description: 'Whether two-step verification (authenticator app) is on.' }),
      recoveryCodesRemaining: z.number().int().meta({ description: 'Recovery codes not used yet.' }),
    })
    .meta({ description: 'Two-step verification with an authenticator app.' }),
  passwordFree: z
    .object({
      enabled: z.boolean().meta({ description: 'Whether small payments need no factor.' }),
      limit: moneyOutput.meta({ description: 'Per payment; "0" means off.' }),
      maxLimit: moneyOutput.meta({ description: 'The highest limit a holder may choose.' }),
      dailyMax: moneyOutput.meta({ description: 'Password-free payments together, per calendar day.' }),
    })
    .meta({ description: 'Payments without a factor, up to a limit.' }),
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
  suspendedAt: z.string().nullable().meta({
    description: 'Set once the phone was reported lost: it works no more (remove it, add another).',
  }),
});

export function passkeyJson(passkey: PasskeyView): z.infer<typeof passkeySchema> {
  return {
    ...passkey,
    createdAt: passkey.createdAt.toISOString(),
    lastUsedAt: passkey.lastUsedAt?.toISOString() ?? null,
    suspendedAt: passkey.suspendedAt?.toISOString() ?? null,
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
