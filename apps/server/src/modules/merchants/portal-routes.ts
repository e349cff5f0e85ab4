/**
 * The merchant portal's API besides the merchants API (routes.ts): which merchants a holder acts
 * for, the staff, the dashboard's figures, the live feed and the printable poster. Staff are
 * wallet holders acting for a merchant (staff.ts, ADR 0018); what each role may do is the
 * permission table's (auth/permissions.ts).
 */
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MERCHANT_STAFF_ROLES, principalOf, signedIn } from '../../auth/index.ts';
import { moneyJson, moneyOutput } from '../../http/money.ts';
import { errorResponses } from '../../http/responses.ts';
import { serveLiveStream } from '../notifications/index.ts';
import type { LiveNotifications } from '../notifications/index.ts';
import { merchantLiveKey } from './live.ts';
import type { MerchantsService } from './service.ts';
import type { MerchantStaff } from './staff.ts';

const TAGS = ['merchants'];
const ERRORS = errorResponses(400, 404, 409);

export interface PortalRoutesOptions {
  service: Pick<MerchantsService, 'summary' | 'get'>;
  staff: MerchantStaff;
  /** A staff member's masked name and phone number, as the staff list shows them. */
  describe(userId: string): Promise<{ name: string; phone: string }>;
  live: Pick<LiveNotifications, 'subscribe'>;
  heartbeatMs: number;
  posterPdf(input: { name: string; city: string; payload: string }): Promise<Buffer>;
  staticCode(merchantId: string): Promise<{ payload: string }>;
}

const staffMemberSchema = z.object({
  id: z.string().meta({ description: 'The member’s id (`owner` for the owner).' }),
  role: z.enum(MERCHANT_STAFF_ROLES).meta({ description: '`owner` or `cashier`.' }),
  name: z.string().meta({ description: 'The member’s masked name (`*明`) or masked phone number.' }),
  phone: z.string().meta({ description: 'The member’s masked phone number (`138****8000`).' }),
  addedAt: z
    .string()
    .meta({ description: 'When added (for the owner: when the merchant opened), ISO 8601.' }),
});

const dayFigures = {
  takings: moneyOutput.meta({ description: 'What payers paid that day.' }),
  payments: z.number().int().meta({ description: 'How many payments.' }),
  refunds: moneyOutput.meta({ description: 'What was refunded that day.' }),
};

export const portalRoutes: FastifyPluginCallbackZod<PortalRoutesOptions> = (app, options, done) => {
  const { service, staff } = options;

  app.get(
    '/v1/me/merchants',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: TAGS,
          summary: 'The merchants I own or work at, with my role at each',
          description:
            'What a portal offers to choose from; send the chosen id as the `Qianbao-Merchant` header.',
          response: {
            200: z.object({
              merchants: z
                .array(
                  z.object({
                    id: z.string().meta({ description: 'The merchant id.' }),
                    name: z.string().meta({ description: 'Its name.' }),
                    kind: z.enum(['individual', 'company']).meta({ description: 'Individual or company.' }),
                    status: z
                      .enum(['active', 'pending_review', 'rejected', 'suspended'])
                      .meta({ description: 'Only an `active` merchant takes payments.' }),
                    role: z.enum(MERCHANT_STAFF_ROLES).meta({ description: 'My role there.' }),
                  }),
                )
                .meta({ description: 'The one I own first, then those I work at.' }),
            }),
          },
        },
      },
    ),
    async (request) => ({
      merchants: (await staff.merchantsOf(principalOf(request, 'holder').userId)).map((m) => ({
        id: m.merchantId,
        name: m.name,
        kind: m.kind,
        status: m.status,
        role: m.role,
      })),
    }),
  );

  app.get(
    '/v1/me/merchant/staff',
    signedIn(
      app,
      { principal: 'merchantStaff', permission: 'merchant:manage' },
      {
        schema: {
          tags: TAGS,
          summary: 'The staff: the owner, then the cashiers',
          response: {
            200: z.object({ staff: z.array(staffMemberSchema).meta({ description: 'The owner first.' }) }),
            ...ERRORS,
          },
        },
      },
    ),
    async (request) => {
      const members = await staff.list(principalOf(request, 'merchantStaff').merchantId);
      return {
        staff: await Promise.all(
          members.map(async (member) => ({
            id: member.id,
            role: member.role,
            ...(await options.describe(member.userId)),
            addedAt: member.addedAt.toISOString(),
          })),
        ),
      };
    },
  );

  app.post(
    '/v1/me/merchant/staff',
    signedIn(
      app,
      { principal: 'merchantStaff', permission: 'merchant:manage' },
      {
        schema: {
          tags: TAGS,
          summary: 'Add a cashier by their wallet’s phone number',
          description:
            'The cashier signs in with their own wallet account and may take payments and see today’s orders ' +
            '— not refund, settle, or manage staff. STAFF_HOLDER_NOT_FOUND when no wallet has the number, ' +
            'STAFF_EXISTS when already on the staff, STAFF_IS_OWNER for the owner’s own number.',
          body: z.strictObject({
            phone: z
              .string()
              .regex(/^1\d{10}$/, 'must be an 11-digit mobile number')
              .meta({ description: 'The cashier’s phone number (11 digits).' }),
            role: z.enum(['cashier']).meta({ description: 'Only `cashier` today.' }),
          }),
          response: { 201: staffMemberSchema, ...ERRORS },
        },
      },
    ),
    async (request, reply) => {
      const principal = principalOf(request, 'merchantStaff');
      const member = await staff.add({
        merchantId: principal.merchantId,
        byUserId: principal.userId,
        phone: request.body.phone,
        role: request.body.role,
      });
      return reply.code(201).send({
        id: member.id,
        role: member.role,
        ...(await options.describe(member.userId)),
        addedAt: member.addedAt.toISOString(),
      });
    },
  );

  app.delete(
    '/v1/me/merchant/staff/:id',
    signedIn(
      app,
      { principal: 'merchantStaff', permission: 'merchant:manage' },
      {
        schema: {
          tags: TAGS,
          summary: 'Remove a cashier: refused from their next request on',
          params: z.object({ id: z.string().max(64).meta({ description: 'The member’s id.' }) }),
          response: { 204: z.null(), ...ERRORS },
        },
      },
    ),
    async (request, reply) => {
      const principal = principalOf(request, 'merchantStaff');
      await staff.remove({
        merchantId: principal.merchantId,
        staffId: request.params.id,
        byUserId: principal.userId,
      });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/me/merchant/summary',
    signedIn(
      app,
      { principal: 'merchantStaff', permission: 'orders:read' },
      {
        schema: {
          tags: TAGS,
          summary: 'The dashboard: takings, payments and refunds per day, and the balance',
          querystring: z.object({
            days: z.coerce
              .number()
              .int()
              .min(1)
              .max(90)
              .default(30)
              .meta({ description: 'How many days back, today included (1–90, default 30).' }),
          }),
          response: {
            200: z.object({
              balance: moneyOutput.meta({ description: 'Takings not settled yet.' }),
              today: z.object(dayFigures).meta({ description: 'Today (Asia/Shanghai) so far.' }),
              days: z
                .array(
                  z.object({
                    date: z.string().meta({ description: 'The day, YYYY-MM-DD (Asia/Shanghai).' }),
                    ...dayFigures,
                  }),
                )
                .meta({ description: 'Oldest first, every day present, today last.' }),
            }),
            ...ERRORS,
          },
        },
      },
    ),
    async (request) => {
      const summary = await service.summary({
        merchantId: principalOf(request, 'merchantStaff').merchantId,
        days: request.query.days,
      });
      const days = summary.days.map((day) => ({
        date: day.date,
        takings: moneyJson(day.takingsMinor, summary.currency),
        payments: day.payments,
        refunds: moneyJson(day.refundsMinor, summary.currency),
      }));
      const today = days.at(-1)!;
      return {
        balance: moneyJson(summary.balanceMinor, summary.currency),
        today: { takings: today.takings, payments: today.payments, refunds: today.refunds },
        days,
      };
    },
  );

  app.get(
    '/v1/me/merchant/poster.pdf',
    signedIn(
      app,
      { principal: 'merchantStaff', permission: 'payments:create' },
      {
        schema: {
          tags: TAGS,
          summary: 'The static code as a printable poster (PDF, A5) with the merchant’s name',
          querystring: z.object({
            merchant: z
              .string()
              .max(64)
              .optional()
              .meta({ description: 'The merchant (instead of the header).' }),
          }),
          produces: ['application/pdf'],
          response: { 200: z.any().meta({ description: 'application/pdf' }), ...ERRORS },
        },
      },
    ),
    async (request, reply) => {
      const { merchantId } = principalOf(request, 'merchantStaff');
      const merchant = await service.get(merchantId);
      const { payload } = await options.staticCode(merchantId);
      const pdf = await options.posterPdf({ name: merchant.name, city: merchant.city, payload });
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', 'attachment; filename="qianbao-poster.pdf"')
        .header('cache-control', 'private, no-store')
        .send(pdf);
    },
  );

  app.get(
    '/v1/me/merchant/stream',
    signedIn(
      app,
      { principal: 'merchantStaff', permission: 'orders:readToday' },
      {
        schema: {
          tags: TAGS,
          summary: 'Payments and refunds as they happen (server-sent events)',
          description:
            'text/event-stream. Events: `ready` {}, then `order` {type: payment|refund, orderId, ' +
            'merchantOrderId, status, amount} for each. EventSource cannot send headers: name the merchant ' +
            'with `?merchant=`. Every heartbeat the session and the membership are checked again: a ' +
            'removed cashier’s stream ends. At most 5 streams per merchant on a server process.',
          querystring: z.object({
            merchant: z
              .string()
              .max(64)
              .optional()
              .meta({ description: 'The merchant (instead of the header).' }),
          }),
          response: errorResponses(429),
        },
      },
    ),
    async (request, reply) => {
      const { merchantId } = principalOf(request, 'merchantStaff');
      return serveLiveStream(reply, {
        live: options.live,
        key: merchantLiveKey(merchantId),
        heartbeatMs: options.heartbeatMs,
        ready: {},
        toEvent: (push) => ({ event: 'order', data: push.params }),
        // Signed out, or removed from the staff meanwhile: the stream ends.
        stillAllowed: () => app.authenticators.merchantStaff(request),
        tooMany: 'Too many open streams for this merchant.',
      });
    },
  );

  done();
};
