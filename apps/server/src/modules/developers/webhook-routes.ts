/**
 * Webhook endpoints and their deliveries (issue 14, docs/developers.md "Webhooks"). Endpoints are
 * the owner's (`merchant:manage`, staff only: a key cannot redirect the merchant's events); the
 * deliveries can be read and re-sent by the owner or an API key that reads orders, as a shop's
 * server reconciling what it missed would.
 */
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, signedIn } from '../../auth/index.ts';
import { errorResponses, merchantApiErrors } from '../../http/responses.ts';
import { WEBHOOK_EVENT_TYPES } from './webhook-events.ts';
import type { AttemptRow, DeliveryRow } from './webhook-store.ts';
import type { EndpointView, WebhooksService } from './webhooks.ts';
import type { TestTwins } from './routes.ts';

const TAGS = ['webhooks'];
const ERRORS = errorResponses(400, 404, 409, 422);
const OWNER = { principal: 'merchantStaff', permission: 'merchant:manage' } as const;
const READER = { principal: 'merchant', permission: 'orders:read' } as const;

const CONNECTED =
  'Also the events of the merchants that granted this merchant access as their partner (ADR 0023), while ' +
  'their grant is active; each such body names its merchant in `merchantId`.';

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
  mode: z.enum(['live', 'test']).meta({
    description: '`test`: an endpoint of the merchant’s test mode, told only of test events (ADR 0022).',
  }),
  previousSecretExpiresAt: z
    .string()
    .nullable()
    .meta({ description: 'Until then the rotated secret’s predecessor signs too.' }),
  connected: z.boolean().meta({ description: CONNECTED }),
});
const secretSchema = z.string().meta({ description: 'The signing secret, `whsec_…` (Standard Webhooks).' });

const deliverySchema = z.object({
  id: z
    .string()
    .meta({ description: 'The delivery id, `msg_…`: the `webhook-id` of every attempt (your dedupe key).' }),
  endpointId: z.string().meta({ description: 'The endpoint it is posted to.' }),
  eventId: z.string().meta({ description: 'The event’s id, `evt_…`: the `id` in the body.' }),
  eventType: z.string().meta({ description: 'The event’s type, e.g. `payment.succeeded`.' }),
  status: z.enum(['pending', 'succeeded', 'failed']).meta({
    description:
      '`pending` while attempts remain (`nextAttemptAt`), `succeeded` once an attempt got a 2xx, `failed` after the ' +
      'last attempt.',
  }),
  attempts: z.number().int().meta({ description: 'How many attempts were made (re-sends included).' }),
  nextAttemptAt: z
    .string()
    .nullable()
    .meta({ description: 'When the next automatic attempt is due (ISO 8601).' }),
  lastStatusCode: z
    .number()
    .int()
    .nullable()
    .meta({ description: 'The HTTP status the last attempt got; null if it got none.' }),
  lastError: z
    .string()
    .nullable()
    .meta({ description: 'Why the last attempt failed without a status (timeout, refused …).' }),
  lastAttemptAt: z.string().nullable().meta({ description: 'When the last attempt was made (ISO 8601).' }),
  createdAt: z.string().meta({ description: 'When the event was written for this endpoint (ISO 8601).' }),
  succeededAt: z.string().nullable().meta({ description: 'When an attempt succeeded (ISO 8601).' }),
  body: z.string().meta({ description: 'The JSON posted, byte for byte (what the signature covers).' }),
});

const attemptSchema = z.object({
  n: z.number().int().meta({ description: 'Its number, from 1.' }),
  at: z.string().meta({ description: 'When it was made (ISO 8601).' }),
  statusCode: z.number().int().nullable().meta({ description: 'The HTTP status it got; null if none.' }),
  durationMs: z.number().int().meta({ description: 'How long the endpoint took to answer.' }),
  error: z.string().nullable().meta({ description: 'Why it got no status (timeout, refused …).' }),
  trigger: z
    .enum(['auto', 'resend'])
    .meta({ description: '`auto` (the schedule) or `resend` (POST …/resend).' }),
});

/** One delivery, as the OpenAPI document shows it. */
const DELIVERY_EXAMPLE = {
  id: 'msg_5f0c9a2e4b1d4c7e8a3f6b9d2e1c0a47',
  endpointId: '0193a700-1b2c-7d3e-8f4a-5b6c7d8e9f01',
  eventId: 'evt_0193a5b41d2e7f308a415c6d7e8f9012',
  eventType: 'payment.succeeded',
  status: 'succeeded',
  attempts: 1,
  nextAttemptAt: null,
  lastStatusCode: 200,
  lastError: null,
  lastAttemptAt: '2026-12-07T04:12:10.000Z',
  createdAt: '2026-12-07T04:12:09.000Z',
  succeededAt: '2026-12-07T04:12:10.000Z',
  body:
    '{"id":"evt_0193a5b41d2e7f308a415c6d7e8f9012","type":"payment.succeeded","created":"2026-12-07T04:12:09.000Z",' +
    '"data":{"merchantOrderId":"A-1001","orderId":"0193a5b2-7c4e-7d1a-9f3e-2b8c6d4e1f20",' +
    '"amount":{"amount":"3800","currency":"CNY"},"status":"paid"}}',
} as const;

const ATTEMPT_EXAMPLE = {
  n: 1,
  at: '2026-12-07T04:12:10.000Z',
  statusCode: 200,
  durationMs: 84,
  error: null,
  trigger: 'auto',
} as const;

function endpointJson(view: EndpointView, mode: 'live' | 'test') {
  return {
    ...view,
    mode,
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

export const webhookRoutes: FastifyPluginCallbackZod<{ webhooks: WebhooksService; twins: TestTwins }> = (
  app,
  options,
  done,
) => {
  const { webhooks, twins } = options;
  const owner = (request: Parameters<typeof principalOf>[0]) => principalOf(request, 'merchantStaff');
  /**
   * The merchant a request acts for on endpoint or delivery `id`: an API key's own (its mode
   * chose it already); for staff, the test twin's when the object is the twin's (ADR 0022), else
   * the merchant's — which answers not-found for a stranger's. One indexed read of the object.
   */
  const actingFor = async (
    request: Parameters<typeof principalOf>[0],
    kind: 'endpoint' | 'delivery',
    id: string,
  ): Promise<string> => {
    const principal = principalOf(request, 'merchant');
    if (principal.kind === 'apiClient') return principal.merchantId;
    const owned = await webhooks.ownerOf(kind, id);
    if (owned === null || owned === principal.merchantId) return principal.merchantId;
    return owned === (await twins.twinIfAny(principal.merchantId)) ? owned : principal.merchantId;
  };
  const merchantOfEndpoint = (request: Parameters<typeof principalOf>[0], id: string) =>
    actingFor(request, 'endpoint', id);
  const merchantOfDelivery = (request: Parameters<typeof principalOf>[0], id: string) =>
    actingFor(request, 'delivery', id);
  const modeOf = (request: Parameters<typeof principalOf>[0], merchantId: string) =>
    merchantId === owner(request).merchantId ? 'live' : 'test';

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
          mode: z.enum(['live', 'test']).default('live').meta({
            description:
              '`test`: an endpoint of the merchant’s test mode, told only of test events (ADR 0022).',
          }),
          connected: z.boolean().default(false).meta({ description: CONNECTED }),
        }),
        response: { 201: endpointSchema.extend({ secret: secretSchema }), ...ERRORS },
      },
    }),
    async (request, reply) => {
      const live = owner(request).merchantId;
      const made = await webhooks.create({
        merchantId: request.body.mode === 'test' ? await twins.twinOf(live) : live,
        url: request.body.url,
        events: request.body.events,
        description: request.body.description ?? '',
        connected: request.body.connected,
      });
      return reply.code(201).send({ ...endpointJson(made.endpoint, request.body.mode), secret: made.secret });
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
    async (request) => {
      const live = owner(request).merchantId;
      const twin = await twins.twinIfAny(live);
      const endpoints = [
        ...(await webhooks.list(live)).map((endpoint) => endpointJson(endpoint, 'live')),
        ...(twin ? await webhooks.list(twin) : []).map((endpoint) => endpointJson(endpoint, 'test')),
      ];
      return { endpoints };
    },
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
          connected: z.boolean().optional().meta({ description: CONNECTED }),
        }),
        response: { 200: endpointSchema, ...ERRORS },
      },
    }),
    async (request) => {
      const merchantId = await merchantOfEndpoint(request, request.params.id);
      return endpointJson(
        await webhooks.update(merchantId, request.params.id, request.body),
        modeOf(request, merchantId),
      );
    },
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
      await webhooks.remove(await merchantOfEndpoint(request, request.params.id), request.params.id);
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
    async (request) => ({
      secret: await webhooks.secretOf(
        await merchantOfEndpoint(request, request.params.id),
        request.params.id,
      ),
    }),
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
      const merchantId = await merchantOfEndpoint(request, request.params.id);
      const rotated = await webhooks.rotateSecret(
        merchantId,
        request.params.id,
        request.body?.overlapHours ?? 24,
      );
      return { ...endpointJson(rotated.endpoint, modeOf(request, merchantId)), secret: rotated.secret };
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
    async (request) =>
      deliveryJson(
        await webhooks.ping(await merchantOfEndpoint(request, request.params.id), request.params.id),
      ),
  );

  app.get(
    '/v1/me/merchant/webhook-endpoints/:id/deliveries',
    signedIn(app, READER, {
      schema: {
        tags: TAGS,
        operationId: 'listWebhookDeliveries',
        summary: 'An endpoint’s deliveries, newest first',
        description:
          'What was posted to one endpoint and how it went: reconcile what your server missed. Pages of `limit`; ' +
          'pass `nextCursor` as `cursor` for the next (null: no more). WEBHOOK_ENDPOINT_NOT_FOUND for an endpoint ' +
          'not of this merchant.',
        params: z.object({ id: endpointId }),
        querystring: z.object({
          limit: z.coerce
            .number()
            .int()
            .min(1)
            .max(100)
            .default(50)
            .meta({ description: 'At most this many (1–100, default 50).' }),
          cursor: z
            .string()
            .max(100)
            .optional()
            .meta({ description: 'The `nextCursor` of the page before.' }),
        }),
        response: {
          200: z
            .object({
              deliveries: z.array(deliverySchema).meta({ description: 'Newest first.' }),
              nextCursor: z
                .string()
                .nullable()
                .meta({ description: 'The next page’s cursor; null at the end.' }),
            })
            .meta({
              description: 'A page of deliveries.',
              examples: [{ deliveries: [DELIVERY_EXAMPLE], nextCursor: null }],
            }),
          ...merchantApiErrors('GET', ['WEBHOOK_ENDPOINT_NOT_FOUND']),
        },
      },
    }),
    async (request) => {
      const page = await webhooks.deliveries({
        merchantId: await merchantOfEndpoint(request, request.params.id),
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
        operationId: 'getWebhookDelivery',
        summary: 'One delivery with every attempt',
        description:
          'The delivery (its body byte for byte) and each attempt: when, what status, how long, why it failed. ' +
          'WEBHOOK_DELIVERY_NOT_FOUND for an id not of this merchant.',
        params: z.object({ id: deliveryId }),
        response: {
          200: deliverySchema
            .extend({
              attempts: z.array(attemptSchema).meta({ description: 'Every attempt, oldest first.' }),
            })
            .meta({
              description: 'The delivery and its attempts.',
              examples: [{ ...DELIVERY_EXAMPLE, attempts: [ATTEMPT_EXAMPLE] }],
            }),
          ...merchantApiErrors('GET', ['WEBHOOK_DELIVERY_NOT_FOUND']),
        },
      },
    }),
    async (request) => {
      const found = await webhooks.delivery(
        await merchantOfDelivery(request, request.params.id),
        request.params.id,
      );
      return { ...deliveryJson(found.delivery), attempts: found.attempts.map(attemptJson) };
    },
  );

  app.post(
    '/v1/me/merchant/webhook-deliveries/:id/resend',
    signedIn(app, READER, {
      schema: {
        tags: TAGS,
        operationId: 'resendWebhookDelivery',
        summary: 'Post a delivery again now (the same webhook-id and body, a new timestamp and signature)',
        description:
          'One attempt, made before the answer, also to a disabled endpoint (after you fixed it); answers the ' +
          'delivery after it. It does not change the automatic schedule of a pending delivery. ' +
          'WEBHOOK_DELIVERY_IN_PROGRESS while an attempt is being made (`Retry-After`).',
        params: z.object({ id: deliveryId }),
        response: {
          200: deliverySchema.meta({
            description: 'The delivery after the attempt.',
            examples: [{ ...DELIVERY_EXAMPLE, attempts: 2, lastAttemptAt: '2026-12-07T09:30:00.000Z' }],
          }),
          ...merchantApiErrors('POST', ['WEBHOOK_DELIVERY_NOT_FOUND', 'WEBHOOK_DELIVERY_IN_PROGRESS']),
        },
      },
    }),
    async (request) =>
      deliveryJson(
        await webhooks.resend(await merchantOfDelivery(request, request.params.id), request.params.id),
      ),
  );

  done();
};
