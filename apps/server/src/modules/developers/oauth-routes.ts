/**
 * `POST /v1/oauth/token`: OAuth 2 client credentials (RFC 6749 §4.4, oauth.ts). The body is
 * `application/x-www-form-urlencoded` as the RFC says (JSON is taken too); the client
 * authenticates with HTTP Basic or `client_id`/`client_secret` in the body. Answers and failures
 * are the RFC's shapes (§5.1, §5.2), not the API's usual error body, so that any OAuth client
 * library understands them.
 */
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readTokenRequest } from './oauth.ts';
import type { OAuthError } from './oauth.ts';
import type { DevelopersService } from './service.ts';

const oauthError = (description: string) =>
  z
    .object({
      error: z.enum(['invalid_request', 'invalid_client', 'unsupported_grant_type', 'invalid_scope']).meta({
        description: 'RFC 6749 §5.2.',
      }),
      error_description: z.string().meta({ description: 'What was wrong, for the developer.' }),
    })
    .meta({ description });

export const oauthRoutes: FastifyPluginCallbackZod<{ service: DevelopersService }> = (
  app,
  { service },
  done,
) => {
  // Form bodies, for this route only (the rest of the API speaks JSON).
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, parsed) => {
      parsed(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );

  app.post(
    '/v1/oauth/token',
    {
      schema: {
        tags: ['developers'],
        operationId: 'createAccessToken',
        summary: 'OAuth 2 client credentials: an access token for an API key’s credentials',
        description:
          'RFC 6749 §4.4. `client_id` is the key’s public part (`qbk_live_<id>`), `client_secret` the 64 hex ' +
          'characters after it; send them with HTTP Basic or in the body. The token (`qbo_…`) works for an hour ' +
          'as `Authorization: Bearer`, exactly as its key would — merchant, mode, allow-list, rate limit, request ' +
          'log — with `scope` (space-separated) narrowing the key’s scopes. Revoking the key refuses its tokens at ' +
          'once. Failures are RFC 6749 §5.2 bodies: `invalid_client` (401), `invalid_request`, ' +
          '`unsupported_grant_type`, `invalid_scope` (400).',
        body: z
          .object({
            grant_type: z
              .string()
              .meta({ description: '`client_credentials`.', example: 'client_credentials' }),
            client_id: z
              .string()
              .max(64)
              .optional()
              .meta({ description: 'Without HTTP Basic: `qbk_live_<id>`.' }),
            client_secret: z
              .string()
              .max(128)
              .optional()
              .meta({ description: 'Without HTTP Basic: the secret.' }),
            scope: z.string().max(200).optional().meta({
              description: 'Space-separated scopes, each one the key has; omitted: all of the key’s.',
              example: 'refunds:write',
            }),
          })
          .meta({ description: 'A token request (form-encoded, or JSON).' }),
        response: {
          200: z
            .object({
              access_token: z
                .string()
                .meta({ description: '`qbo_<id>_<secret>`: send it as a Bearer token.' }),
              token_type: z.literal('Bearer').meta({ description: 'Always `Bearer`.' }),
              expires_in: z.number().int().meta({ description: 'Seconds it works for (3600).' }),
              scope: z.string().meta({ description: 'The scopes it has, space-separated.' }),
            })
            .meta({
              description: 'The access token (RFC 6749 §5.1).',
              examples: [
                {
                  access_token: `qbo_3f9a0c2b7d1e4a56_${'5c'.repeat(32)}`,
                  token_type: 'Bearer',
                  expires_in: 3600,
                  scope: 'payments:write refunds:write',
                },
              ],
            }),
          400: oauthError('invalid_request, unsupported_grant_type or invalid_scope.'),
          401: oauthError('invalid_client: no such key, a wrong secret, or a revoked or expired key.'),
        },
      },
      // The body's own shape is the RFC's to judge: a missing grant_type is `invalid_request`.
      attachValidation: true,
    },
    async (request, reply) => {
      void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      const refuse = (error: OAuthError, description: string) =>
        reply
          .code(error === 'invalid_client' ? 401 : 400)
          .headers(error === 'invalid_client' ? { 'www-authenticate': 'Basic realm="qianbao"' } : {})
          .send({ error, error_description: description });
      const body = typeof request.body === 'object' && request.body !== null ? request.body : {};
      const asked = readTokenRequest(body, request.headers.authorization);
      if ('error' in asked) return refuse(asked.error, asked.description);
      // A key's allow-list and rate limit answer in the API's usual way (403, 429).
      const issued = await service.issueToken(request, asked);
      if (issued === null) return refuse('invalid_client', 'Unknown client or wrong secret.');
      if (issued === 'invalid_scope')
        return refuse('invalid_scope', 'The key does not have every scope asked for.');
      return {
        access_token: issued.token,
        token_type: 'Bearer' as const,
        expires_in: issued.expiresIn,
        scope: issued.scopes.join(' '),
      };
    },
  );
  done();
};
