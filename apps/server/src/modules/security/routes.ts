import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, signedIn } from '../../auth/index.ts';
import { AppError } from '../../errors.ts';
import { moneyInput, moneyOf } from '../../http/money.ts';
import { errorResponses } from '../../http/responses.ts';
import { clientOf } from '../identity/index.ts';
import { setSessionCookie } from '../identity/http.ts';
import type { CookiePolicy } from '../identity/http.ts';
import {
  deviceIdInput,
  deviceNameInput,
  idNumberInput,
  passwordInput,
  sessionCreatedJson,
  sessionCreatedSchema,
  smsCodeInput,
} from '../identity/schemas.ts';
import {
  authenticationResponseInput,
  confirmationOptionsSchema,
  passkeyJson,
  passkeyNameInput,
  passkeySchema,
  paymentInput,
  pinInput,
  recoveryCodeInput,
  registrationResponseInput,
  summaryJson,
  summarySchema,
  totpCodeInput,
  webauthnOptionsSchema,
} from './schemas.ts';
import type { SecurityService } from './service.ts';

export interface SecurityRoutesOptions {
  service: SecurityService;
  /** The session cookie set by a passkey sign-in, as identity sets it. */
  cookie: CookiePolicy;
  idleTimeoutSeconds: number;
}

const TAGS = ['security: PIN, passkeys, two-step'];
const AUTH_TAGS = ['identity: sign-up and sign-in'];
const ERRORS_4XX = errorResponses(400, 401, 403, 404, 409, 422, 429);
const done204 = { 204: z.null().meta({ description: 'Done; no body.' }) };

/** The `Origin` of the page that calls (WebAuthn's relying party is chosen from it in sandbox mode). */
export function originOf(request: FastifyRequest): string | null {
  const origin = request.headers.origin;
  return typeof origin === 'string' ? origin : null;
}

/** Secrets shown once (TOTP seed, recovery codes) must not stay in any cache. */
function noStore(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store');
}

/** `/v1/me/*` security settings, `/v1/auth/passkey/*` sign-in, and payment confirmation options. */
export const securityRoutes: FastifyPluginCallbackZod<SecurityRoutesOptions> = (app, options, done) => {
  const { service } = options;

  app.get(
    '/v1/me/security',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Security centre: PIN, lock, passkeys, two-step, password-free payments',
          response: { 200: summarySchema, ...errorResponses(401) },
        },
      },
    ),
    async (request) => summaryJson(await service.summary(principalOf(request, 'holder').userId)),
  );

  app.post(
    '/v1/me/pin',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Set the 6-digit transaction PIN, or replace a forgotten one',
          description:
            'Needs the login password (WRONG_PASSWORD, counted toward the sign-in lockout; check it first with ' +
            'POST /v1/me/password/check) and a `verify` SMS code (POST /v1/me/sms-codes). The old PIN is not ' +
            'asked, so this is also the way back from a forgotten PIN: replacing the PIN of a real-name verified ' +
            'holder needs `idNumber` too (ID_NUMBER_REQUIRED before the code is spent, ID_NUMBER_MISMATCH after ' +
            'it). Trivial PINs are refused with PIN_TOO_SIMPLE, details.reason one of sameDigit, sequence, ' +
            'repeatedPattern, birthDate. A new PIN also lifts a payment lock.',
          body: z.strictObject({
            password: passwordInput,
            smsCode: smsCodeInput,
            pin: pinInput,
            idNumber: idNumberInput.optional(),
          }),
          response: { 200: z.object({ changed: z.boolean() }), ...ERRORS_4XX },
        },
      },
    ),
    async (request) => {
      const { password, smsCode, pin, idNumber } = request.body;
      return service.setPin({
        userId: principalOf(request, 'holder').userId,
        password,
        smsCode,
        pin,
        idNumber: idNumber ?? null,
      });
    },
  );

  app.post(
    '/v1/me/password/check',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Check the login password before a flow asks for more (the PIN screen)',
          description:
            'The same check as sign-in: a wrong password answers WRONG_PASSWORD and counts toward the sign-in ' +
            'lockout (PASSWORD_LOGIN_LOCKED with the seconds left), a right one clears the count. Changes nothing.',
          body: z.strictObject({ password: passwordInput }),
          response: { ...done204, ...ERRORS_4XX },
        },
      },
    ),
    async (request, reply) => {
      await service.checkLoginPassword({
        userId: principalOf(request, 'holder').userId,
        password: request.body.password,
      });
      return reply.code(204).send(null);
    },
  );

  app.put(
    '/v1/me/password-free',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Set the password-free limit per payment ("0" turns it off)',
          description:
            'Needs the PIN. At most the configured maximum (PASSWORD_FREE_LIMIT_TOO_HIGH); password-free payments ' +
            'together are capped per day as well (domain rules §1).',
          body: z.strictObject({
            limit: moneyInput({
              min: 0n,
              currencies: ['CNY'],
              description: 'The most a payment may be without a factor; "0" turns password-free off.',
              example: '20000',
            }),
            pin: pinInput,
          }),
          response: { 200: summarySchema, ...ERRORS_4XX },
        },
      },
    ),
    async (request) => {
      const { limit, pin } = request.body;
      const summary = await service.setPasswordFreeLimit({
        userId: principalOf(request, 'holder').userId,
        limitMinor: moneyOf(limit).amountMinor,
        pin,
      });
      return summaryJson(summary);
    },
  );

  // ---- passkeys ---------------------------------------------------------------------------

  app.post(
    '/v1/me/passkeys/registration-options',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Start adding a passkey: options for navigator.credentials.create',
          description:
            'Pass the answer as `optionsJSON` to `startRegistration` of @simplewebauthn/browser, then POST the result ' +
            'to /v1/me/passkeys within the timeout (single-use challenge).',
          response: { 200: webauthnOptionsSchema, ...ERRORS_4XX },
        },
      },
    ),
    async (request) => ({
      ...(await service.passkeyRegistrationOptions({
        userId: principalOf(request, 'holder').userId,
        origin: originOf(request),
      })),
    }),
  );

  app.post(
    '/v1/me/passkeys',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Finish adding a passkey',
          description:
            'Body: the RegistrationResponseJSON from `startRegistration` and a name. User verification is required. ' +
            'CHALLENGE_EXPIRED when the options are older than 5 minutes or were used.',
          body: z.strictObject({ response: registrationResponseInput, name: passkeyNameInput }),
          response: { 201: passkeySchema, ...ERRORS_4XX },
        },
      },
    ),
    async (request, reply) => {
      const passkey = await service.registerPasskey({
        userId: principalOf(request, 'holder').userId,
        response: request.body.response,
        name: request.body.name,
      });
      return reply.code(201).send(passkeyJson(passkey));
    },
  );

  app.get(
    '/v1/me/passkeys',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: "The holder's passkeys, oldest first",
          response: { 200: z.object({ passkeys: z.array(passkeySchema) }), ...errorResponses(401) },
        },
      },
    ),
    async (request) => ({
      passkeys: (await service.listPasskeys(principalOf(request, 'holder').userId)).map(passkeyJson),
    }),
  );

  const passkeyParams = z.object({ id: z.string().max(64) });

  app.patch(
    '/v1/me/passkeys/:id',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Rename a passkey',
          description: "PASSKEY_NOT_FOUND (404) for any id that is not one of the holder's passkeys.",
          params: passkeyParams,
          body: z.strictObject({ name: passkeyNameInput }),
          response: { 200: passkeySchema, ...ERRORS_4XX },
        },
      },
    ),
    async (request) =>
      passkeyJson(
        await service.renamePasskey({
          userId: principalOf(request, 'holder').userId,
          passkeyId: request.params.id,
          name: request.body.name,
        }),
      ),
  );

  app.delete(
    '/v1/me/passkeys/:id',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Remove a passkey',
          description: "PASSKEY_NOT_FOUND (404) for any id that is not one of the holder's passkeys.",
          params: passkeyParams,
          response: { ...done204, ...ERRORS_4XX },
        },
      },
    ),
    async (request, reply) => {
      await service.removePasskey({
        userId: principalOf(request, 'holder').userId,
        passkeyId: request.params.id,
      });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/auth/passkey/options',
    {
      schema: {
        tags: AUTH_TAGS,
        summary: 'Start signing in with a passkey (no phone number needed)',
        description:
          'Options for navigator.credentials.get with discoverable credentials: pass as `optionsJSON` to ' +
          '`startAuthentication` of @simplewebauthn/browser, then POST the result to /v1/auth/passkey/login.',
        response: { 200: webauthnOptionsSchema, ...ERRORS_4XX },
      },
    },
    async (request) => ({ ...(await service.passkeyLoginOptions({ origin: originOf(request) })) }),
  );

  app.post(
    '/v1/auth/passkey/login',
    {
      schema: {
        tags: AUTH_TAGS,
        summary: 'Sign in with a passkey',
        description:
          'Body: the AuthenticationResponseJSON from `startAuthentication` and the device. User verification ' +
          'is required; a passkey counts as strong, so a new device needs no SMS code. Same answer as the other ' +
          'sign-in routes (token and qb_session cookie).',
        body: z.strictObject({
          response: authenticationResponseInput,
          deviceId: deviceIdInput,
          deviceName: deviceNameInput.optional(),
        }),
        response: { 200: sessionCreatedSchema, ...ERRORS_4XX },
      },
    },
    async (request, reply) => {
      const session = await service.loginWithPasskey({
        response: request.body.response,
        device: { id: request.body.deviceId, name: request.body.deviceName ?? null },
        client: clientOf(request),
      });
      setSessionCookie(reply, session.token, options.cookie);
      return reply.code(200).send(sessionCreatedJson(session, options.idleTimeoutSeconds));
    },
  );

  // ---- TOTP -------------------------------------------------------------------------------

  app.post(
    '/v1/me/totp/setup',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Start two-step verification: a new authenticator secret and its QR code',
          description:
            'Show the QR code (or the base32 secret) to the holder, then confirm a first code with ' +
            '/v1/me/totp/enable within 10 minutes. Asking again replaces a pending secret.',
          response: {
            200: z.object({
              secret: z.string().meta({ description: 'Base32, for typing in by hand.' }),
              otpauthUri: z.string(),
              qrSvg: z.string().meta({ description: 'The otpauth URI as an SVG QR code.' }),
              qrDataUrl: z.string().meta({ description: 'The same SVG as a data: URL, for <img src>.' }),
              expiresAt: z.string(),
            }),
            ...ERRORS_4XX,
          },
        },
      },
    ),
    async (request, reply) => {
      noStore(reply);
      const setup = await service.setupTotp(principalOf(request, 'holder').userId);
      return { ...setup, expiresAt: setup.expiresAt.toISOString() };
    },
  );

  app.post(
    '/v1/me/totp/enable',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Turn two-step verification on with a first code; answers 10 recovery codes, shown once',
          body: z.strictObject({ code: totpCodeInput }),
          response: { 200: z.object({ recoveryCodes: z.array(z.string()) }), ...ERRORS_4XX },
        },
      },
    ),
    async (request, reply) => {
      noStore(reply);
      return service.enableTotp({ userId: principalOf(request, 'holder').userId, code: request.body.code });
    },
  );

  app.post(
    '/v1/me/totp/disable',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'Turn two-step verification off with a current code or a recovery code',
          description:
            'Exactly one of `code` and `recoveryCode`. A code is accepted once (TOTP_REUSED), a recovery code once. ' +
            'Wrong ones count toward the payment lock like wrong PINs.',
          body: z.union([
            z.strictObject({ code: totpCodeInput }),
            z.strictObject({ recoveryCode: recoveryCodeInput }),
          ]),
          response: { ...done204, ...ERRORS_4XX },
        },
      },
    ),
    async (request, reply) => {
      const userId = principalOf(request, 'holder').userId;
      const body = request.body;
      await service.disableTotp(
        'code' in body ? { userId, code: body.code } : { userId, recoveryCode: body.recoveryCode },
      );
      return reply.code(204).send(null);
    },
  );

  // ---- payment confirmation ---------------------------------------------------------------

  app.post(
    '/v1/me/confirmations/options',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'How to confirm a payment: the factor it needs, and passkey options bound to it',
          description:
            'Call before showing the confirmation screen. When a passkey is accepted, `passkeyOptions` carry a ' +
            'single-use challenge bound to this exact payment (id, amount, currency, payee): pass them to ' +
            '`startAuthentication` and send the result with the payment request. PAYMENTS_LOCKED while locked.',
          body: z.strictObject({ payment: paymentInput }),
          response: { 200: confirmationOptionsSchema, ...ERRORS_4XX },
        },
      },
    ),
    async (request) => {
      const userId = principalOf(request, 'holder').userId;
      const { payment } = request.body;
      const toConfirm = {
        id: payment.id,
        amountMinor: BigInt(payment.amount),
        currency: payment.currency,
        payee: payment.payee,
      };
      const decision = await service.requiredFactor({
        userId,
        amountMinor: toConfirm.amountMinor,
        currency: toConfirm.currency,
        payee: toConfirm.payee,
      });
      const { ledgerLimits: _limits, ...answer } = decision;
      if (!decision.accepted.includes('passkey')) return answer;
      try {
        const { passkeyOptions } = await service.createChallenge({
          userId,
          payment: toConfirm,
          origin: originOf(request),
        });
        return { ...answer, passkeyOptions: { ...passkeyOptions } };
      } catch (error) {
        // Passkeys made for another host name (sandbox: localhost vs the public URL) do not count.
        if (error instanceof AppError && error.code === 'PASSKEY_NOT_FOUND') return answer;
        throw error;
      }
    },
  );

  done();
};
