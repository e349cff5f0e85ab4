/**
 * The owner's API keys (issue 14, ADR 0020): make one (its secret answered once), list them,
 * roll one with an overlap, revoke one, read one's request log. Staff only, with
 * `merchant:manage` (the owner): a key cannot make or see keys.
 */
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { API_SCOPES, principalOf, signedIn } from '../../auth/index.ts';
import { errorResponses } from '../../http/responses.ts';
import { KEY_MODES } from './keys.ts';
import { DEFAULT_OVERLAP_HOURS, MAX_OVERLAP_HOURS } from './service.ts';
import type { DevelopersService, KeyView } from './service.ts';
import type { RequestLogRow } from './store.ts';

const TAGS = ['developers'];
const ERRORS = errorResponses(400, 404, 409, 422);
const OWNER = { principal: 'merchantStaff', permission: 'merchant:manage' } as const;

const keyId = z
  .string()
  .regex(/^[0-9a-f]{16}$/, 'must be a key id (16 hex characters)')
  .meta({ description: 'The key’s id (the hex after `qbk_live_` or `qbk_test_`).' });

const keySchema = z.object({
  id: keyId,
  prefix: z.string().meta({ description: 'What identifies the key in lists: `qbk_live_<id>_…`.' }),
  mode: z.enum(KEY_MODES).meta({
    description:
      '`live`, or `test`: acts for the merchant’s test twin — its own orders and a balance of test money, ' +
      'paid by test payers; it never touches live money (docs/developers.md “Test mode”).',
  }),
  name: z.string(),
  scopes: z.array(z.enum(API_SCOPES)),
  ipAllow: z
    .array(z.string())
    .meta({ description: 'Addresses or CIDR ranges it may be used from; empty: anywhere.' }),
  status: z.enum(['active', 'expiring', 'expired', 'revoked']).meta({
    description: '`expiring`: rolled, works until `expiresAt`; `expired`, `revoked`: refused.',
  }),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  rolledTo: z.string().nullable().meta({ description: 'The id of the key it was rolled to.' }),
  lastUsedAt: z.string().nullable().meta({ description: 'Last request made with it (to the minute).' }),
  lastUsedIp: z.string().nullable(),
});

const secretSchema = z.string().meta({
  description:
    'The whole key, `qbk_live_<id>_<secret>` (`qbk_test_…` for a test key): shown this once, never again. ' +
    'Keep it on the server.',
});

function keyJson(key: KeyView) {
  return {
    ...key,
    createdAt: key.createdAt.toISOString(),
    expiresAt: key.expiresAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
  };
}

function requestJson(row: RequestLogRow) {
  return {
    id: row.id,
    method: row.method,
    path: row.path,
    status: row.status,
    idempotencyKey: row.idempotency_key,
    durationMs: row.duration_ms,
    ip: row.ip,
    body: row.body ?? null,
    at: row.at.toISOString(),
    actedFor: row.acted_for,
  };
}

/** The merchants module's test twins (ADR 0022), as the key routes need them. */
export interface TestTwins {
  /** The live merchant's twin id, made the first time. */
  twinOf(liveMerchantId: string): Promise<string>;
  /** Its twin id if it has one. */
  twinIfAny(liveMerchantId: string): Promise<string | null>;
  /** The id its twin has or will have (derived from the live id; no twin is made). */
  twinIdOf(liveMerchantId: string): string;
}

export const developersRoutes: FastifyPluginCallbackZod<{ service: DevelopersService; twins: TestTwins }> = (
  app,
  options,
  done,
) => {
  const { service, twins } = options;
  const merchantOf = (request: Parameters<typeof principalOf>[0]) => principalOf(request, 'merchantStaff');
  /** The owner's merchant and, once it has test keys, its test twin: whose keys the owner manages. */
  const merchantIdsOf = async (request: Parameters<typeof principalOf>[0]): Promise<string[]> => {
    const live = merchantOf(request).merchantId;
    const twin = await twins.twinIfAny(live);
    return twin ? [live, twin] : [live];
  };

  app.post(
    '/v1/me/merchant/api-keys',
    signedIn(app, OWNER, {
      schema: {
        tags: TAGS,
        summary: 'Make an API key for the merchant’s own servers (its secret is answered once)',
        description:
          'Send it as `Authorization: Bearer qbk_live_…` to the merchant API. Scopes: `payments:write` (orders, ' +
          'checkouts, charges, and order queries), `refunds:write` (refunds, and order queries), `payouts:write` ' +
          '(settlements), `read_only` (orders, refunds, settlements, statements). API_KEY_LIMIT_REACHED past the ' +
          'keys a merchant may have in use.',
        body: z.strictObject({
          name: z.string().trim().min(1).max(40).meta({ description: 'What it is for (“shop backend”).' }),
          scopes: z.array(z.enum(API_SCOPES)).min(1).max(4),
          ipAllow: z.array(z.string().max(64)).max(20).optional().meta({
            description: 'IP addresses or CIDR ranges (`203.0.113.0/24`); omitted or empty: anywhere.',
          }),
          mode: z.enum(KEY_MODES).default('live').meta({
            description: '`live` (default), or `test`: a key of the merchant’s test mode (test money only).',
          }),
        }),
        response: { 201: keySchema.extend({ secret: secretSchema }), ...ERRORS },
      },
    }),
    async (request, reply) => {
      const principal = merchantOf(request);
      const mode = request.body.mode;
      const made = await service.create({
        merchantId: mode === 'test' ? await twins.twinOf(principal.merchantId) : principal.merchantId,
        mode,
        ownerUserId: principal.userId,
        name: request.body.name,
        scopes: request.body.scopes,
        ipAllow: request.body.ipAllow ?? [],
      });
      return reply.code(201).send({ ...keyJson(made.key), secret: made.secret });
    },
  );

  app.get(
    '/v1/me/merchant/api-keys',
    signedIn(app, OWNER, {
      schema: {
        tags: TAGS,
        summary: 'The merchant’s API keys, newest first (never their secrets)',
        response: { 200: z.object({ keys: z.array(keySchema) }), ...ERRORS },
      },
    }),
    async (request) => ({ keys: (await service.list(await merchantIdsOf(request))).map(keyJson) }),
  );

  app.post(
    '/v1/me/merchant/api-keys/:id/roll',
    signedIn(app, OWNER, {
      schema: {
        tags: TAGS,
        summary: 'Roll a key: a new secret now, the old one working for an overlap',
        description:
          `The new key has the same name, scopes and allow-list. The old one works for \`overlapHours\` more ` +
          `(default ${DEFAULT_OVERLAP_HOURS}, at most ${MAX_OVERLAP_HOURS}; 0 stops it now). API_KEY_ALREADY_ROLLED ` +
          'for a key rolled, revoked or expired already.',
        params: z.object({ id: keyId }),
        body: z
          .strictObject({
            overlapHours: z.number().int().min(0).max(MAX_OVERLAP_HOURS).optional(),
          })
          .optional(),
        response: {
          201: keySchema.extend({
            secret: secretSchema,
            rolled: keySchema.meta({ description: 'The old key.' }),
          }),
          ...ERRORS,
        },
      },
    }),
    async (request, reply) => {
      const principal = merchantOf(request);
      const rolled = await service.roll({
        merchantIds: await merchantIdsOf(request),
        ownerUserId: principal.userId,
        id: request.params.id,
        overlapHours: request.body?.overlapHours ?? DEFAULT_OVERLAP_HOURS,
      });
      return reply
        .code(201)
        .send({ ...keyJson(rolled.key), secret: rolled.secret, rolled: keyJson(rolled.rolled) });
    },
  );

  app.delete(
    '/v1/me/merchant/api-keys/:id',
    signedIn(app, OWNER, {
      schema: {
        tags: TAGS,
        summary: 'Revoke a key: refused from its next request on, on every server',
        params: z.object({ id: keyId }),
        response: { 200: keySchema, ...ERRORS },
      },
    }),
    async (request) => keyJson(await service.revoke(await merchantIdsOf(request), request.params.id)),
  );

  app.get(
    '/v1/me/merchant/api-keys/:id/requests',
    signedIn(app, OWNER, {
      schema: {
        tags: TAGS,
        summary: 'What a key did: its requests, newest first (bodies with secrets redacted)',
        params: z.object({ id: keyId }),
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(100).default(50),
          cursor: z.string().max(100).optional().meta({ description: '`nextCursor` of the page before.' }),
        }),
        response: {
          200: z.object({
            requests: z.array(
              z.object({
                id: z.string(),
                method: z.string(),
                path: z.string(),
                status: z.number().int(),
                idempotencyKey: z.string().nullable(),
                durationMs: z.number().int(),
                ip: z.string().nullable(),
                body: z
                  .unknown()
                  .meta({ description: 'The request’s body, secrets `[redacted]`; null: none.' }),
                at: z.string(),
                actedFor: z.string().nullable().meta({
                  description:
                    'The merchant the key acted for as a partner (`Qianbao-Merchant`); null: its own.',
                }),
              }),
            ),
            nextCursor: z.string().nullable(),
          }),
          ...ERRORS,
        },
      },
    }),
    async (request) => {
      const page = await service.requests({
        merchantIds: await merchantIdsOf(request),
        id: request.params.id,
        limit: request.query.limit,
        cursor: request.query.cursor ?? null,
      });
      return { requests: page.requests.map(requestJson), nextCursor: page.nextCursor };
    },
  );

  done();
};
