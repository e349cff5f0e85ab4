import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, signedIn } from '../../auth/index.ts';
import { authenticationResponseInput, totpCodeInput } from '../../http/confirmation.ts';
import { errorResponses } from '../../http/responses.ts';
import { originOf } from '../security/routes.ts';
import { passkeyNameInput, registrationResponseInput, webauthnOptionsSchema } from '../security/schemas.ts';
import { setOperatorCookie } from './http.ts';
import type { OperatorPasskeyView, OperatorPasskeys } from './passkeys.ts';
import { operatorSchema, reasonSchema } from './routes.ts';

export interface OperatorPasskeyRoutesOptions {
  passkeys: OperatorPasskeys;
  secureCookies: boolean;
  sessionSeconds: number;
}

const SIGN_IN_TAGS = ['operator: sign-in and audit'];
const TAGS = ['operator: passkeys'];
const ADMIN_TAGS = ['operator: accounts and roles'];
const SIGN_IN_ERRORS = errorResponses(400, 401, 403, 409, 422, 423);
const ERRORS = errorResponses(400, 401, 403, 404, 409, 422, 423);

const passkeySchema = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  deviceType: z.enum(['singleDevice', 'multiDevice']),
  backedUp: z
    .boolean()
    .meta({ description: 'A synced passkey (iCloud Keychain, Google Password Manager …).' }),
});

function passkeyJson(passkey: OperatorPasskeyView): z.infer<typeof passkeySchema> {
  return {
    ...passkey,
    createdAt: passkey.createdAt.toISOString(),
    lastUsedAt: passkey.lastUsedAt?.toISOString() ?? null,
  };
}

/** Operators' passkeys: sign-in with one, their own list, and an admin's removal of another's. */
export const operatorPasskeyRoutes: FastifyPluginCallbackZod<OperatorPasskeyRoutesOptions> = (
  app,
  options,
  done,
) => {
  const { passkeys } = options;

  app.post(
    '/v1/operator/passkey/options',
    {
      schema: {
        tags: SIGN_IN_TAGS,
        summary: 'Start an operator sign-in with a passkey',
        description:
          'Without `username`: options for discoverable credentials (the browser offers the passkeys it ' +
          "holds); with it, that operator's. Pass as `optionsJSON` to `startAuthentication` of " +
          '@simplewebauthn/browser, then POST the result to /v1/operator/passkey/login.',
        body: z.strictObject({ username: z.string().trim().min(1).max(32).optional() }),
        response: { 200: webauthnOptionsSchema, ...SIGN_IN_ERRORS },
      },
    },
    async (request) => ({
      ...(await passkeys.signInOptions({ username: request.body.username, origin: originOf(request) })),
    }),
  );

  app.post(
    '/v1/operator/passkey/login',
    {
      schema: {
        tags: SIGN_IN_TAGS,
        summary: 'Operator sign-in with a passkey, instead of password and authenticator code',
        description:
          'User verification is required: possession of the key plus the fingerprint, face or device PIN ' +
          'are the two factors. Failures count with the password sign-in (OPERATOR_LOCKED); ' +
          'OPERATOR_PASSKEY_NOT_RECOGNISED (401, `details.reason`), CHALLENGE_EXPIRED (422, expired or used), ' +
          'OPERATOR_DISABLED (409). The same answer and cookie as POST /v1/operator/login.',
        body: z.strictObject({ response: authenticationResponseInput }),
        response: {
          200: z.object({
            token: z.string(),
            expiresAt: z.string(),
            operator: operatorSchema,
          }),
          ...SIGN_IN_ERRORS,
        },
      },
    },
    async (request, reply) => {
      const session = await passkeys.signIn({ response: request.body.response });
      setOperatorCookie(reply, session.token, options.secureCookies, options.sessionSeconds);
      return { token: session.token, expiresAt: session.expiresAt.toISOString(), operator: session.operator };
    },
  );

  app.get(
    '/v1/operator/me/passkeys',
    signedIn(
      app,
      { principal: 'operator' },
      {
        schema: {
          tags: TAGS,
          summary: "The signed-in operator's passkeys, oldest first",
          response: { 200: z.object({ passkeys: z.array(passkeySchema) }), ...ERRORS },
        },
      },
    ),
    async (request) => ({
      passkeys: (await passkeys.list(principalOf(request, 'operator').id)).map(passkeyJson),
    }),
  );

  app.post(
    '/v1/operator/me/passkeys/registration-options',
    signedIn(
      app,
      { principal: 'operator' },
      {
        schema: {
          tags: TAGS,
          summary:
            'Start adding a passkey: a fresh authenticator code, then options for navigator.credentials.create',
          description:
            'The code of the authenticator app now is the fresh proof (counted with the sign-in tries: ' +
            'OPERATOR_TOTP_INVALID, OPERATOR_LOCKED). The challenge is good once, for this session, within ' +
            'the timeout. OPERATOR_PASSKEY_LIMIT_REACHED (409) at 10 passkeys.',
          body: z.strictObject({ totpCode: totpCodeInput }),
          response: { 200: webauthnOptionsSchema, ...ERRORS },
        },
      },
    ),
    async (request) => {
      const operator = principalOf(request, 'operator');
      return {
        ...(await passkeys.registrationOptions({
          operatorId: operator.id,
          sessionId: operator.sessionId,
          username: operator.username,
          displayName: operator.displayName,
          totpCode: request.body.totpCode,
          origin: originOf(request),
        })),
      };
    },
  );

  app.post(
    '/v1/operator/me/passkeys',
    signedIn(
      app,
      { principal: 'operator' },
      {
        schema: {
          tags: TAGS,
          summary: 'Finish adding a passkey',
          description:
            'Body: the RegistrationResponseJSON of `startRegistration` and a name. PASSKEY_VERIFICATION_FAILED ' +
            '(422, `details.reason`), CHALLENGE_EXPIRED (422). Audited (`operator.passkey_added`).',
          body: z.strictObject({ response: registrationResponseInput, name: passkeyNameInput }),
          response: { 201: passkeySchema, ...ERRORS },
        },
      },
    ),
    async (request, reply) => {
      const operator = principalOf(request, 'operator');
      const passkey = await passkeys.register({
        operatorId: operator.id,
        sessionId: operator.sessionId,
        response: request.body.response,
        name: request.body.name,
      });
      return reply.code(201).send(passkeyJson(passkey));
    },
  );

  app.delete(
    '/v1/operator/me/passkeys/:passkeyId',
    signedIn(
      app,
      { principal: 'operator' },
      {
        schema: {
          tags: TAGS,
          summary: 'Remove one of your passkeys',
          description:
            'OPERATOR_PASSKEY_NOT_FOUND (404) for any other id. Audited (`operator.passkey_removed`).',
          params: z.object({ passkeyId: z.string().max(64) }),
          response: { 204: z.null(), ...ERRORS },
        },
      },
    ),
    async (request, reply) => {
      await passkeys.remove({
        operatorId: principalOf(request, 'operator').id,
        passkeyId: request.params.passkeyId,
      });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/operator/operators/:operatorId/passkeys/remove',
    signedIn(
      app,
      { principal: 'operator', permission: 'operators:manage' },
      {
        schema: {
          tags: ADMIN_TAGS,
          summary: "Remove every passkey of another operator (a lost phone: with the authenticator's reset)",
          description:
            'Its next sign-in needs password and code. OPERATOR_SELF_CHANGE (409), OPERATOR_NOT_FOUND (404). ' +
            'Audited with the reason (`operator.passkeys_removed`).',
          params: z.object({ operatorId: z.string().max(64) }),
          body: z.strictObject({ reason: reasonSchema }),
          response: { 200: z.object({ removed: z.number().int() }), ...ERRORS },
        },
      },
    ),
    async (request) =>
      passkeys.removeAll({
        actorId: principalOf(request, 'operator').id,
        operatorId: request.params.operatorId,
        reason: request.body.reason,
      }),
  );
  done();
};
