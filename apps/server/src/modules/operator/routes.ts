import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, signedIn } from '../../auth/index.ts';
import { errorResponses } from '../../http/responses.ts';
import { OPERATOR_COOKIE, setOperatorCookie } from './http.ts';
import type { OperatorService } from './service.ts';

export interface OperatorRoutesOptions {
  service: OperatorService;
  secureCookies: boolean;
  sessionSeconds: number;
}

const TAGS = ['operator: sign-in and audit'];
const ERRORS = errorResponses(400, 401, 403, 423);

const operatorSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: z.string(),
});

export const operatorRoutes: FastifyPluginCallbackZod<OperatorRoutesOptions> = (app, options, done) => {
  const { service } = options;

  app.post(
    '/v1/operator/login',
    {
      schema: {
        tags: TAGS,
        summary: 'Operator sign-in: password and authenticator code, always',
        description:
          'Five failures lock the operator for 15 minutes (OPERATOR_LOCKED). Each authenticator code works once.',
        body: z.strictObject({
          username: z.string().min(1).max(32),
          password: z.string().min(1).max(128),
          totpCode: z.string().regex(/^\d{6}$/, 'must be the 6-digit code of the authenticator app'),
        }),
        response: {
          200: z.object({ token: z.string(), expiresAt: z.string(), operator: operatorSchema }),
          ...ERRORS,
        },
      },
    },
    async (request, reply) => {
      const session = await service.login(request.body);
      setOperatorCookie(reply, session.token, options.secureCookies, options.sessionSeconds);
      return { token: session.token, expiresAt: session.expiresAt.toISOString(), operator: session.operator };
    },
  );

  app.post(
    '/v1/operator/logout',
    signedIn(
      app,
      { principal: 'operator' },
      {
        schema: {
          tags: TAGS,
          summary: 'End this operator session',
          response: { 204: z.null(), ...ERRORS },
        },
      },
    ),
    async (request, reply) => {
      await service.logout(principalOf(request, 'operator').sessionId);
      reply.clearCookie(OPERATOR_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/operator/me',
    signedIn(
      app,
      { principal: 'operator' },
      {
        schema: {
          tags: TAGS,
          summary: 'The signed-in operator',
          response: { 200: operatorSchema, ...ERRORS },
        },
      },
    ),
    (request) => {
      const { id, username, displayName, roles } = principalOf(request, 'operator');
      // One role per operator account today (operator_accounts.role).
      const [role] = roles;
      if (!role) throw new Error(`operator ${id} has no role`);
      return Promise.resolve({ id, username, displayName, role });
    },
  );

  app.get(
    '/v1/operator/audit-log',
    signedIn(
      app,
      { principal: 'operator', permission: 'audit:read' },
      {
        schema: {
          tags: TAGS,
          summary: 'The latest operator actions (admins only)',
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
          response: {
            200: z.object({
              entries: z.array(
                z.object({
                  id: z.string(),
                  operatorId: z.string().nullable(),
                  action: z.string(),
                  target: z.string().nullable(),
                  details: z.unknown(),
                  at: z.string(),
                }),
              ),
            }),
            ...ERRORS,
          },
        },
      },
    ),
    async (request) => {
      const entries = await service.auditLog(request.query.limit);
      return { entries: entries.map((e) => ({ ...e, at: e.at.toISOString() })) };
    },
  );
  done();
};
