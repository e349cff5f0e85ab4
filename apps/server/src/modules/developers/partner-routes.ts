/**
 * Partner grants (ADR 0023): the owner grants a partner — another merchant, a platform acting for
 * many — access with some scopes, lists the grants it gave, revokes one (refused from the
 * partner's next request, on every server); a partner's owner lists the grants it received.
 * Staff only, with `merchant:manage` (the owner): a key cannot grant access, not even its own.
 */
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { API_SCOPES, principalOf, signedIn } from '../../auth/index.ts';
import { errorResponses } from '../../http/responses.ts';
import type { GrantView, Partners } from './partners.ts';

const TAGS = ['developers'];
const ERRORS = errorResponses(400, 404, 422);
const OWNER = { principal: 'merchantStaff', permission: 'merchant:manage' } as const;

const grantSchema = z.object({
  id: z.string().meta({ description: 'The grant’s id.' }),
  merchantId: z.string().meta({ description: 'The merchant that granted access.' }),
  merchantName: z.string().meta({ description: 'Its name when it granted access.' }),
  partnerMerchantId: z.string().meta({ description: 'The partner granted access (a merchant id).' }),
  partnerName: z.string().meta({ description: 'Its name when it was granted access.' }),
  scopes: z.array(z.enum(API_SCOPES)).meta({
    description: 'What the partner’s keys may do for the merchant: these and their own scopes, both.',
  }),
  status: z.enum(['active', 'revoked']),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});

function grantJson(grant: GrantView) {
  return {
    ...grant,
    createdAt: grant.createdAt.toISOString(),
    revokedAt: grant.revokedAt?.toISOString() ?? null,
  };
}

export const partnerRoutes: FastifyPluginCallbackZod<{ partners: Partners }> = (app, options, done) => {
  const { partners } = options;
  const owner = (request: Parameters<typeof principalOf>[0]) => principalOf(request, 'merchantStaff');

  app.post(
    '/v1/me/merchant/partner-grants',
    signedIn(app, OWNER, {
      schema: {
        tags: TAGS,
        summary: 'Grant a partner (a platform, by its merchant id) access to act for this merchant',
        description:
          'The partner’s API keys then act for this merchant when their request sends `Qianbao-Merchant: ' +
          '<this merchant’s id>`, with the scopes both the key and the grant have; its webhook endpoints marked ' +
          '`connected` get this merchant’s events. Granting a partner again changes its scopes (200). ' +
          'PARTNER_NOT_FOUND: no merchant with that id; PARTNER_GRANT_LIMIT_REACHED past the partners a merchant ' +
          'may grant at once.',
        body: z.strictObject({
          partnerMerchantId: z
            .uuid()
            .meta({ description: 'The partner’s merchant id (it shows it in its portal).' }),
          scopes: z.array(z.enum(API_SCOPES)).min(1).max(API_SCOPES.length),
        }),
        response: { 200: grantSchema, 201: grantSchema, ...ERRORS },
      },
    }),
    async (request, reply) => {
      const principal = owner(request);
      const made = await partners.grant({
        merchantId: principal.merchantId,
        partnerMerchantId: request.body.partnerMerchantId,
        scopes: request.body.scopes,
        byUserId: principal.userId,
      });
      return reply.code(made.created ? 201 : 200).send(grantJson(made.grant));
    },
  );

  app.get(
    '/v1/me/merchant/partner-grants',
    signedIn(app, OWNER, {
      schema: {
        tags: TAGS,
        summary: 'The partners this merchant granted access, newest first (revoked ones too)',
        response: { 200: z.object({ grants: z.array(grantSchema) }), ...ERRORS },
      },
    }),
    async (request) => ({ grants: (await partners.given(owner(request).merchantId)).map(grantJson) }),
  );

  app.get(
    '/v1/me/merchant/partner-grants/received',
    signedIn(app, OWNER, {
      schema: {
        tags: TAGS,
        summary: 'The merchants that granted this merchant access as their partner, newest first',
        response: { 200: z.object({ grants: z.array(grantSchema) }), ...ERRORS },
      },
    }),
    async (request) => ({ grants: (await partners.received(owner(request).merchantId)).map(grantJson) }),
  );

  app.delete(
    '/v1/me/merchant/partner-grants/:id',
    signedIn(app, OWNER, {
      schema: {
        tags: TAGS,
        summary: 'Revoke a partner’s access: refused from its next request on, on every server',
        params: z.object({ id: z.string().max(64).meta({ description: 'The grant’s id.' }) }),
        response: { 200: grantSchema, ...ERRORS },
      },
    }),
    async (request) => {
      const principal = owner(request);
      return grantJson(
        await partners.revoke({
          merchantId: principal.merchantId,
          id: request.params.id,
          byUserId: principal.userId,
        }),
      );
    },
  );

  done();
};
