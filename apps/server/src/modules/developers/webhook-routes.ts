/**
 * Webhook endpoints and their deliveries (issue 14, docs/developers.md "Webhooks"). Endpoints are
 * the owner's (`merchant:manage`, staff only: a key cannot redirect the merchant's events); the
 * deliveries can be read and re-sent by the owner or an API key that reads orders, as a shop's
 * server reconciling what it missed would.
 */
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, signedIn } from '../../auth/index.ts';
import { errorResponses } from '../../http/responses.ts';
import { WEBHOOK_EVENT_TYPES } from './webhook-events.ts';
import type { AttemptRow, DeliveryRow } from './webhook-store.ts';
import type { EndpointView, WebhooksService } from './webhooks.ts';

const TAGS = ['webhooks'];
const ERRORS = errorResponses(400, 404, 409, 422);
const OWNER = { principal: 'merchantStaff', permission: 'merchant:manage' } as const;
const READER = { principal: 'merchant', permission: 'orders:read' } as const;

const endpointId = z.string().uuid().meta({ description: 'The endpoint’s id.' });
const deliveryId = z
  .string()
  .regex(/^msg_[0-9a-f]{32}$/, 'must be a delivery id (msg_…)')
  .meta({ description: 'The delivery’s id: the `webhook-id` header it was posted with.' });
const events = z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1).max(WEBHOOK_EVENT_TYPES.length);

const endpointSchema = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string(),
  events: z.array(z.string()),
  status: z.enum(['enabled', 'disabled']),
  disabledReason: z.string().nullable(),
  failingSince: z.string().nullable().meta({ description: 'First failed delivery since the last success.' }),
  createdAt: z.string(),
  previousSecretExpiresAt: z
    .string()
    .nullable()
    .meta({ description: 'Until then the rotated secret’s predecessor signs too.' }),
});
const secretSchema = z.string().meta({ description: 'The signing secret, `whsec_…` (Standard Webhooks).' });

const deliverySchema = z.object({
  id: z.string(),
  endpointId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  status: z.enum(['pending', 'succeeded', 'failed']),
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  createdAt: z.string(),
  succeededAt: z.string().nullable(),
  body: z.string().meta({ description: 'The JSON posted, byte for byte (what the signature covers).' }),
});

const attemptSchema = z.object({
  n: z.number().int(),
  at: z.string(),
  statusCode: z.number().int().nullable(),
  durationMs: z.number().int(),
  error: z.string().nullable(),
  trigger: z.enum(['auto', 'resend']),
});

function endpointJson(view: EndpointView) {
  return {
    ...view,
    failingSince: view.failingSince?.toISOString() ?? null,
    createdAt: view.createdAt.toISOString(),
    previousSecretExpiresAt: view.previousSecretExpiresAt?.toISOString() ?? null,
  };
}

export function deliveryJson(row: DeliveryRow) {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at?.toISOString() ?? null,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    lastAttemptAt: row.last_attempt_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    succeededAt: row.succeeded_at?.toISOString() ?? null,
    body: row.body,
  };
}

function attemptJson(row: AttemptRow) {
  return {
    n: row.n,
    at: row.at.toISOString(),
    statusCode: row.status_code,
    durationMs: row.duration_ms,
    error: row.error,
    trigger: row.trigger,
  };
}

export const webhookRoutes: FastifyPluginCallbackZod<{ webhooks: WebhooksService }> = (
  app,
  options,
  done,
) => {
  const { webhooks } = options;
  const owner = (request: Parameters<typeof principalOf>[0]) => principalOf(request, 'merchantStaff');

  app.post(
    '/v1/me/merchant/webhook-endpoints',
    signedIn(app, OWNER, {
      schema: {
        tags: TAGS,
        summary: 'Register an endpoint for the merchant’s events (its signing secret is answered)',
        description:
          `Events: ${WEBHOOK_EVENT_TYPES.join(', ')}. Each is POSTed as JSON with the headers webhook-id, ` +
          'webhook-timestamp and webhook-signature (Standard Webhooks), retried for about 27 hours until a 2xx.',
        body: z.strictObject({
          url: z.string().max(2000).meta({ description: 'https:// (http:// in sandbox mode).' }),
          events,
          description: z.string().trim().max(100).optional(),
        }),
        response: { 201: endpointSchema.extend({ secret: secretSchema }), ...ERRORS },
      },
    }),
    async (request, reply) => {
      const made = await webhooks.create({
        merchantId: owner(request).merchantId,
        url: request.body.url,
        events: request.body.events,
        description: request.body.description ?? '',
      });
      return reply.code(201).send({ ...endpointJson(made.endpoint), secret: made.secret });
    },
  );

  app.get(
    '/v1/me/merchant/webhook-endpoints',
    signedIn(app, OWNER, {
      schema: {
        tags: TAGS,
        summary: 'The merchant’s webhook endpoints',
        response: { 200: z.object({ endpoints: z.array(endpointSchema) }), ...ERRORS },
      },
    }),
    async (request) => ({ endpoints: (await webhooks.list(owner(request).merchantId)).map(endpointJson) }),
  );

  app.patch(
    '/v1/me/merchant/webhook-endpoints/:id',
    signedIn(app, OWNER, {
      schema: {
        tags: TAGS,
        summary: 'Change an endpoint: its URL, events, description, or enable / disable it',
        description:
          'Enabling a disabled endpoint forgets its failing streak; deliveries resume with new events.',
        params: z.object({ id: endpointId }),
        body: z.strictObject({
          url: z.string().max(2000).optional(),
          events: events.optional(),
          description: z.string().trim().max(100).optional(),
          enabled: z.boolean().optional(),
        }),
        response: { 200: endpointSchema, ...ERRORS },
      },
    }),
    async (request) =>
      endpointJson(await webhooks.update(owner(request).merchantId, request.params.id, request.body)),
  );

  app.delete(
    '/v1/me/merchant/webhook-endpoints/:id',
    signedIn(app, OWNER, {
      schema: {
        tags: TAGS,
        summary: 'Remove an endpoint and its deliveries',
        params: z.object({ id: endpointId }),
        response: { 204: z.null(), ...ERRORS },
      },
    }),
    async (request, reply) => {
      await webhooks.remove(owner(request).merchantId, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/me/merchant/webhook-endpoints/:id/secret',
    signedIn(app, OWNER, {
      schema: {
        tags: TAGS,
        summary: 'Reveal an endpoint’s signing secret',
        params: z.object({ id: endpointId }),
        response: { 200: z.object({ secret: secretSchema }), ...ERRORS },
      },
    }),
    async (request) => ({ secret: await webhooks.secretOf(owner(request).merchantId, request.params.id) }),
  );

  app.post(
    '/v1/me/merchant/webhook-endpoints/:id/rotate-secret',
    signedIn(app, OWNER, {
      schema: {
        tags: TAGS,
        summary: 'A new signing secret; the old one signs too for an overlap (both signatures are sent)',
        params: z.object({ id: endpointId }),
        body: z.strictObject({ overlapHours: z.number().int().min(0).max(168).optional() }).optional(),
        response: { 200: endpointSchema.extend({ secret: secretSchema }), ...ERRORS },
      },
    }),
    async (request) => {
      const rotated = await webhooks.rotateSecret(
        owner(request).merchantId,
        request.params.id,
        request.body?.overlapHours ?? 24,
      );
      return { ...endpointJson(rotated.endpoint), secret: rotated.secret };
    },
  );

  app.post(
    '/v1/me/merchant/webhook-endpoints/:id/ping',
    signedIn(app, OWNER, {
      schema: {
        tags: TAGS,
        summary: 'Send a `webhook.ping` event to the endpoint now; answers the delivery after its attempt',
        params: z.object({ id: endpointId }),
        response: { 200: deliverySchema, ...ERRORS },
      },
    }),
    async (request) => deliveryJson(await webhooks.ping(owner(request).merchantId, request.params.id)),
  );

  app.get(
    '/v1/me/merchant/webhook-endpoints/:id/deliveries',
    signedIn(app, READER, {
      schema: {
        tags: TAGS,
        summary: 'An endpoint’s deliveries, newest first',
        params: z.object({ id: endpointId }),
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(100).default(50),
          cursor: z.string().max(100).optional(),
        }),
        response: {
          200: z.object({ deliveries: z.array(deliverySchema), nextCursor: z.string().nullable() }),
          ...ERRORS,
        },
      },
    }),
    async (request) => {
      const page = await webhooks.deliveries({
        merchantId: principalOf(request, 'merchant').merchantId,
        endpointId: request.params.id,
        limit: request.query.limit,
        cursor: request.query.cursor ?? null,
      });
      return { deliveries: page.deliveries.map(deliveryJson), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/me/merchant/webhook-deliveries/:id',
    signedIn(app, READER, {
      schema: {
        tags: TAGS,
        summary: 'One delivery with every attempt',
        params: z.object({ id: deliveryId }),
        response: { 200: deliverySchema.extend({ attempts: z.array(attemptSchema) }), ...ERRORS },
      },
    }),
    async (request) => {
      const found = await webhooks.delivery(principalOf(request, 'merchant').merchantId, request.params.id);
      return { ...deliveryJson(found.delivery), attempts: found.attempts.map(attemptJson) };
    },
  );

  app.post(
    '/v1/me/merchant/webhook-deliveries/:id/resend',
    signedIn(app, READER, {
      schema: {
        tags: TAGS,
        summary: 'Post a delivery again now (the same webhook-id and body, a new timestamp and signature)',
        params: z.object({ id: deliveryId }),
        response: { 200: deliverySchema, ...ERRORS },
      },
    }),
    async (request) =>
      deliveryJson(await webhooks.resend(principalOf(request, 'merchant').merchantId, request.params.id)),
  );

  done();
};
