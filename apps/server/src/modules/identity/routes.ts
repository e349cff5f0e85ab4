import type { FastifyReply } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { newId } from '@qianbao/ledger';
import { principalOf, signedIn } from '../../auth/index.ts';
import { errorResponses } from '../../http/responses.ts';
import { clearSessionCookie, clientOf, sessionTokenOf, setSessionCookie } from './http.ts';
import type { CookiePolicy } from './http.ts';
import {
  deviceIdInput,
  deviceNameInput,
  idNumberInput,
  meJson,
  meSchema,
  ownSmsPurposeInput,
  passwordInput,
  phoneInput,
  publicSmsPurposeInput,
  sessionCreatedJson,
  sessionCreatedSchema,
  sessionJson,
  sessionSchema,
  smsCodeInput,
  smsCodeSentSchema,
} from './schemas.ts';
import type { IdentityService, NewSession } from './service.ts';

export interface IdentityRoutesOptions {
  service: IdentityService;
  cookie: CookiePolicy;
  idleTimeoutSeconds: number;
}

const AUTH_TAGS = ['identity: sign-up and sign-in'];
const ME_TAGS = ['identity: me and sessions'];
/** Either credential works: the bearer token, or the cookie the browser keeps. */

const ERRORS_4XX = errorResponses(400, 401, 403, 409, 422, 429, 503);
const done204 = { 204: z.null().meta({ description: 'Done; no body.' }) };

/** `/v1/auth/*` (anonymous) and `/v1/me/*` (signed in) of the identity module. */
export const identityRoutes: FastifyPluginCallbackZod<IdentityRoutesOptions> = (app, options, done) => {
  const { service, cookie, idleTimeoutSeconds } = options;

  function answerSession(reply: FastifyReply, session: NewSession, status: 200 | 201) {
    setSessionCookie(reply, session.token, cookie);
    return reply.code(status).send(sessionCreatedJson(session, idleTimeoutSeconds));
  }

  // ---- anonymous --------------------------------------------------------------------------

  app.post(
    '/v1/auth/sms-codes',
    {
      schema: {
        tags: AUTH_TAGS,
        summary: 'Send a one-time SMS code',
        description:
          'Sends a 6-digit code, valid 5 minutes, 5 tries, re-sendable after 60 s (SMS_RESEND_TOO_SOON before). ' +
          'A number or an IP asking for too many codes is refused for a while (RATE_LIMITED with Retry-After). ' +
          'The answer is the same whether or not the number has a wallet. In sandbox mode the text is kept in ' +
          'the outbox at /dev/sms instead of being sent.',
        body: z.strictObject({ phone: phoneInput, purpose: publicSmsPurposeInput }),
        response: { 200: smsCodeSentSchema, ...ERRORS_4XX },
      },
    },
    async (request) =>
      service.requestSmsCode({
        phone: request.body.phone,
        purpose: request.body.purpose,
        client: clientOf(request),
      }),
  );

  app.post(
    '/v1/auth/register',
    {
      schema: {
        tags: AUTH_TAGS,
        summary: 'Open a wallet: register with a `register` SMS code and a login password',
        description:
          'Creates the holder with a CNY wallet account and signs in (token in the body and the qb_session cookie). ' +
          'Password: 8–128 characters, not all digits, not containing the phone number, not a common password ' +
          '(WEAK_PASSWORD with details.reason). Without a deviceId the server makes one and returns it.',
        body: z.strictObject({
          phone: phoneInput,
          code: smsCodeInput,
          password: passwordInput,
          deviceId: deviceIdInput.optional(),
          deviceName: deviceNameInput.optional(),
        }),
        response: { 201: sessionCreatedSchema, ...ERRORS_4XX },
      },
    },
    async (request, reply) => {
      const { phone, code, password, deviceId, deviceName } = request.body;
      const session = await service.register({
        phone,
        code,
        password,
        device: { id: deviceId ?? newId(), name: deviceName ?? null },
        client: clientOf(request),
      });
      return answerSession(reply, session, 201);
    },
  );

  app.post(
    '/v1/auth/login/password',
    {
      schema: {
        tags: AUTH_TAGS,
        summary: 'Sign in with phone and password',
        description:
          'A wrong number or password answers INVALID_CREDENTIALS. Five wrong passwords lock password sign-in ' +
          'for 15 minutes (PASSWORD_LOGIN_LOCKED; SMS sign-in still works). On a device this holder never used ' +
          'the answer is NEW_DEVICE_VERIFICATION_REQUIRED: ask for a `new_device` code and send this request ' +
          'again with `smsCode`.',
        body: z.strictObject({
          phone: phoneInput,
          password: passwordInput,
          deviceId: deviceIdInput,
          deviceName: deviceNameInput.optional(),
          smsCode: smsCodeInput.optional().meta({ description: 'The `new_device` code, when asked for.' }),
        }),
        response: { 200: sessionCreatedSchema, ...ERRORS_4XX },
      },
    },
    async (request, reply) => {
      const { phone, password, deviceId, deviceName, smsCode } = request.body;
      const session = await service.loginWithPassword({
        phone,
        password,
        smsCode: smsCode ?? null,
        device: { id: deviceId, name: deviceName ?? null },
        client: clientOf(request),
      });
      return answerSession(reply, session, 200);
    },
  );

  app.post(
    '/v1/auth/login/sms',
    {
      schema: {
        tags: AUTH_TAGS,
        summary: 'Sign in with phone and a `login` SMS code',
        description: 'Also works while password sign-in is locked. The device becomes trusted.',
        body: z.strictObject({
          phone: phoneInput,
          code: smsCodeInput,
          deviceId: deviceIdInput,
          deviceName: deviceNameInput.optional(),
        }),
        response: { 200: sessionCreatedSchema, ...ERRORS_4XX },
      },
    },
    async (request, reply) => {
      const { phone, code, deviceId, deviceName } = request.body;
      const session = await service.loginWithSms({
        phone,
        code,
        device: { id: deviceId, name: deviceName ?? null },
        client: clientOf(request),
      });
      return answerSession(reply, session, 200);
    },
  );

  app.post(
    '/v1/auth/logout',
    {
      schema: {
        tags: AUTH_TAGS,
        summary: 'Sign out this session',
        description:
          'Ends the session of the bearer token or cookie at once, on every server instance, and clears the cookie. ' +
          'Answers 204 even when the session had already ended.',
        response: done204,
      },
    },
    async (request, reply) => {
      await service.logout(sessionTokenOf(request));
      clearSessionCookie(reply, cookie);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/auth/logout-all',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: AUTH_TAGS,
          summary: 'Sign out of all devices',
          description: 'Ends every session of the holder, this one included.',
          response: { ...done204, ...errorResponses(401) },
        },
      },
    ),
    async (request, reply) => {
      await service.endAllSessions({ userId: principalOf(request, 'holder').userId });
      clearSessionCookie(reply, cookie);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/auth/password-reset',
    {
      schema: {
        tags: AUTH_TAGS,
        summary: 'Reset a forgotten login password with a `reset_password` SMS code',
        description:
          'Once the wallet is real-name verified the ID number is needed too (ID_NUMBER_REQUIRED, ' +
          'ID_NUMBER_MISMATCH). Every session of the holder ends; sign in again afterwards.',
        body: z.strictObject({
          phone: phoneInput,
          code: smsCodeInput,
          newPassword: passwordInput,
          idNumber: idNumberInput.optional(),
        }),
        response: { ...done204, ...ERRORS_4XX },
      },
    },
    async (request, reply) => {
      const { phone, code, newPassword, idNumber } = request.body;
      await service.resetPassword({ phone, code, newPassword, idNumber: idNumber ?? null });
      return reply.code(204).send(null);
    },
  );

  // ---- signed in --------------------------------------------------------------------------

  app.get(
    '/v1/me',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: ME_TAGS,
          summary: 'The signed-in holder',
          response: { 200: meSchema, ...errorResponses(401) },
        },
      },
    ),
    async (request) => {
      const user = await service.getUser(principalOf(request, 'holder').userId);
      if (!user) throw new Error('a live session without its holder');
      return meJson(user);
    },
  );

  app.get(
    '/v1/me/sessions',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: ME_TAGS,
          summary: 'Signed-in devices: the sessions that still work, most recently used first',
          response: { 200: z.object({ sessions: z.array(sessionSchema) }), ...errorResponses(401) },
        },
      },
    ),
    async (request) => {
      const holder = principalOf(request, 'holder');
      const sessions = await service.listSessions({
        userId: holder.userId,
        currentSessionId: holder.sessionId,
      });
      return { sessions: sessions.map(sessionJson) };
    },
  );

  app.delete(
    '/v1/me/sessions/:id',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: ME_TAGS,
          summary: 'End one session (sign a device out)',
          description: "404 for any id that is not one of the holder's sessions.",
          params: z.object({ id: z.string().max(64) }),
          response: { ...done204, ...errorResponses(401, 404) },
        },
      },
    ),
    async (request, reply) => {
      const holder = principalOf(request, 'holder');
      await service.endSession({ userId: holder.userId, sessionId: request.params.id });
      if (request.params.id === holder.sessionId) clearSessionCookie(reply, cookie);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/me/password',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: ME_TAGS,
          summary: 'Change the login password',
          description:
            'Needs the current password (WRONG_PASSWORD, counted toward the lockout). Every other session ends.',
          body: z.strictObject({ oldPassword: passwordInput, newPassword: passwordInput }),
          response: { ...done204, ...ERRORS_4XX },
        },
      },
    ),
    async (request, reply) => {
      const holder = principalOf(request, 'holder');
      await service.changePassword({
        userId: holder.userId,
        sessionId: holder.sessionId,
        oldPassword: request.body.oldPassword,
        newPassword: request.body.newPassword,
      });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/me/sms-codes',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: ME_TAGS,
          summary: "Send a `verify` (or `unfreeze`) SMS code to the holder's own number",
          description:
            'For confirmations that need the phone, e.g. setting the payment PIN (`verify`, the default) or ' +
            'lifting a freeze (`unfreeze`, POST /v1/me/unfreeze).',
          body: z.strictObject({ purpose: ownSmsPurposeInput.optional() }).nullish(),
          response: { 200: smsCodeSentSchema, ...ERRORS_4XX },
        },
      },
    ),
    async (request) =>
      service.requestVerificationCode({
        userId: principalOf(request, 'holder').userId,
        client: clientOf(request),
        purpose: request.body?.purpose ?? 'verify',
      }),
  );
  done();
};
