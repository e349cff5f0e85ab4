import type { FastifyRequest } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses } from '../../http/responses.ts';
import { OPERATOR_COOKIE, requireOperator, setOperatorCookie } from './http.ts';
import type { OperatorService } from './service.ts';

export interface OperatorRoutesOptions {
  service: OperatorService;
  authenticate: (request: FastifyRequest) => Promise<void>;
  secureCookies: boolean;
  sessionSeconds: number;
}

const TAGS = ['operator: sign-in and audit'];
export const OPERATOR_SECURITY: Record<string, string[]>[] = [{ operatorSession: [] }];
const ERRORS = errorResponses(400, 401, 403, 423);

const operatorSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: z.string(),
});

export const operatorRoutes: FastifyPluginCallbackZod<OperatorRoutesOptions> = (app, options, done) => {
  const { service, authenticate } = options;

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
    {
      onRequest: authenticate,
      schema: {
        tags: TAGS,
        summary: 'End this operator session',
        security: OPERATOR_SECURITY,
        response: { 204: z.null(), ...ERRORS },
      },
    },
    async (request, reply) => {
      await service.logout(requireOperator(request).sessionId);
      reply.clearCookie(OPERATOR_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/operator/me',
    {
      onRequest: authenticate,
      schema: {
        tags: TAGS,
        summary: 'The signed-in operator',
        security: OPERATOR_SECURITY,
        response: { 200: operatorSchema, ...ERRORS },
      },
    },
    (request) => {
      const { sessionId: _sessionId, ...operator } = requireOperator(request);
      return Promise.resolve(operator);
    },
  );

  app.get(
    '/v1/operator/audit-log',
    {
      onRequest: authenticate,
      schema: {
        tags: TAGS,
        summary: 'The latest operator actions (admins only)',
        security: OPERATOR_SECURITY,
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
    async (request) => {
      requireOperator(request, ['admin']);
      const entries = await service.auditLog(request.query.limit);
      return { entries: entries.map((e) => ({ ...e, at: e.at.toISOString() })) };
    },
  );
  done();
};
