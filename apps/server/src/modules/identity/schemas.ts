/** JSON shapes of the identity API. Times are ISO 8601 strings; phone numbers leave the server masked. */
import { z } from 'zod';
import { maskPhone } from './phone.ts';
import type { NewSession, SessionView, User } from './service.ts';

export const phoneInput = z.string().min(1).max(32).meta({
  description: 'Mainland mobile number; a +86, 0086 or 86 prefix is accepted.',
  example: '13800138000',
});

export const smsCodeInput = z
  .string()
  .regex(/^\d{6}$/, 'must be the 6 digits of the SMS code')
  .meta({ example: '123456' });

/** The rules (length, digits, phone, common list) are the service's: refused with WEAK_PASSWORD. */
export const passwordInput = z.string().min(1).max(1024).meta({ format: 'password' });

export const deviceIdInput = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{8,128}$/, 'must be 8 to 128 letters, digits or . _ : -')
  .meta({ description: "The client's stable id for this device (keep it in local storage)." });

export const deviceNameInput = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .meta({ description: 'Shown in the device list, e.g. "iPhone 15 · Safari".' });

export const publicSmsPurposeInput = z
  .enum(['register', 'login', 'reset_password', 'new_device', 'report_loss'])
  .meta({ description: 'What the code is for; a code only works for its purpose.' });

/** Codes to the signed-in holder's own number: `verify` (PIN and other step-ups) or `unfreeze`. */
export const ownSmsPurposeInput = z
  .enum(['verify', 'unfreeze'])
  .meta({ description: 'What the code is for (default `verify`); a code only works for its purpose.' });

export const idNumberInput = z
  .string()
  .trim()
  .min(1)
  .max(32)
  .meta({ description: 'Resident ID number; needed once the wallet is real-name verified.' });

export const smsCodeSentSchema = z.object({
  phone: z.string().meta({ description: 'Masked, e.g. 138****8000.' }),
  purpose: z.string(),
  expiresInSeconds: z.number().int(),
  resendAfterSeconds: z.number().int(),
});

export const meSchema = z.object({
  id: z.string(),
  phone: z.string().meta({ description: 'Masked, e.g. 138****8000.' }),
  walletAccountId: z.string().meta({ description: 'The CNY wallet account in the ledger.' }),
  realNameVerified: z.boolean(),
  createdAt: z.string(),
});

export const sessionCreatedSchema = z.object({
  token: z.string().meta({ description: 'Bearer token (also set as the HttpOnly cookie qb_session).' }),
  tokenType: z.literal('Bearer'),
  sessionId: z.string(),
  deviceId: z.string(),
  expiresAt: z.string().meta({ description: 'Absolute end of the session.' }),
  idleTimeoutSeconds: z.number().int().meta({ description: 'The session ends after this long unused.' }),
  holder: meSchema,
});

export const sessionSchema = z.object({
  id: z.string(),
  deviceId: z.string(),
  deviceName: z.string().nullable(),
  method: z.string().meta({ description: 'How it was opened: register, password, sms or passkey.' }),
  userAgent: z.string().nullable(),
  ipAddress: z.string().nullable(),
  place: z.string().meta({ description: 'Coarse place from the IP address, e.g. "Local network".' }),
  createdAt: z.string(),
  lastUsedAt: z.string(),
  expiresAt: z.string(),
  current: z.boolean().meta({ description: 'The session of this request.' }),
});

export function meJson(user: User): z.infer<typeof meSchema> {
  return {
    id: user.id,
    phone: maskPhone(user.phone),
    walletAccountId: user.walletAccountId,
    realNameVerified: user.realNameVerified,
    createdAt: user.createdAt.toISOString(),
  };
}

export function sessionCreatedJson(
  session: NewSession,
  idleTimeoutSeconds: number,
): z.infer<typeof sessionCreatedSchema> {
  return {
    token: session.token,
    tokenType: 'Bearer',
    sessionId: session.sessionId,
    deviceId: session.deviceId,
    expiresAt: session.expiresAt.toISOString(),
    idleTimeoutSeconds,
    holder: meJson(session.user),
  };
}

export function sessionJson(session: SessionView): z.infer<typeof sessionSchema> {
  return {
    ...session,
    createdAt: session.createdAt.toISOString(),
    lastUsedAt: session.lastUsedAt.toISOString(),
    expiresAt: session.expiresAt.toISOString(),
  };
}
