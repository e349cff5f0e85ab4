/**
 * Company merchants' API (company.ts): the owner applies with the business licence (multipart);
 * operators with `merchants:review` read the queue and the licence and decide. Console screens
 * come with the operator console issue.
 */
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, signedIn } from '../../auth/index.ts';
import { AppError } from '../../errors.ts';
import { errorResponses } from '../../http/responses.ts';
import type { OperatorService } from '../operator/index.ts';
import type { CompanyApplication, CompanyMerchants } from './company.ts';
import { MAX_LICENCE_BYTES } from './company.ts';

const HOLDER_TAGS = ['merchants'];
const OPERATOR_TAGS = ['operator: merchants'];
const ERRORS = errorResponses(400, 403, 404, 409, 413);
const FIELDS = ['name', 'city', 'mcc', 'legalName', 'registrationNumber', 'representative'] as const;
const STATUSES = ['active', 'pending_review', 'rejected', 'suspended'] as const;

const fields = z.strictObject({
  name: z.string().trim().min(2).max(25),
  city: z.string().trim().min(1).max(15),
  mcc: z.string().regex(/^\d{4}$/),
  legalName: z.string().trim().min(2).max(100),
  registrationNumber: z.string().trim().min(18).max(18),
  representative: z.string().trim().min(2).max(40),
});

const applicationSchema = z.object({
  id: z.string().meta({ description: 'The merchant id.' }),
  status: z.enum(STATUSES).meta({
    description: '`pending_review` until an operator decides; then `active` (takes payments) or `rejected`.',
  }),
  name: z.string().meta({ description: 'The name payers see.' }),
  city: z.string().meta({ description: 'The city on its codes.' }),
  mcc: z.string().meta({ description: 'Merchant category code (ISO 18245).' }),
  legalName: z.string().meta({ description: "The company's name on its business licence." }),
  registrationNumber: z.string().meta({ description: 'The unified social credit code (统一社会信用代码).' }),
  representative: z.string().meta({ description: 'The legal representative on the licence.' }),
  submittedAt: z.string().meta({ description: 'When it applied (ISO 8601).' }),
  decidedAt: z.string().nullable().meta({ description: 'When an operator decided (ISO 8601).' }),
  reason: z.string().nullable().meta({ description: "The operator's reason, for a rejection." }),
  documents: z
    .array(
      z.object({
        id: z.string().meta({ description: 'The document id.' }),
        kind: z.literal('business_license').meta({ description: 'What it is.' }),
        contentType: z.string().meta({ description: 'image/jpeg, image/png or application/pdf.' }),
        bytes: z.number().int().meta({ description: 'Its size.' }),
      }),
    )
    .meta({ description: 'The documents sent with the application.' }),
});

const applicationJson = (application: CompanyApplication): z.infer<typeof applicationSchema> => ({
  id: application.merchant.id,
  status: application.merchant.status,
  name: application.merchant.name,
  city: application.merchant.city,
  mcc: application.merchant.mcc,
  legalName: application.legalName,
  registrationNumber: application.registrationNumber,
  representative: application.representative,
  submittedAt: application.submittedAt.toISOString(),
  decidedAt: application.decidedAt?.toISOString() ?? null,
  reason: application.reason,
  documents: application.documents,
});

export const companyRoutes: FastifyPluginAsyncZod<{
  companies: CompanyMerchants;
  operators: Pick<OperatorService, 'audit'>;
}> = async (app, { companies, operators }) => {
  await app.register(multipart, {
    limits: { fileSize: MAX_LICENCE_BYTES, files: 1, fields: FIELDS.length, parts: FIELDS.length + 1 },
  });

  app.post(
    '/v1/me/merchant/company',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: HOLDER_TAGS,
          summary:
            'Apply as a company merchant, with the business licence: pending until an operator decides',
          description:
            'multipart/form-data: fields name (2–25), city (1–15), mcc (4 digits), legalName, registrationNumber ' +
            '(the 18-character unified social credit code, checked), representative; and a file business_license ' +
            '(JPEG, PNG or PDF, at most 5 MB). Needs a real-name verified holder; one merchant per holder ' +
            '(MERCHANT_EXISTS); one per company (MERCHANT_REGISTRATION_TAKEN). It takes no payment until approved.',
          consumes: ['multipart/form-data'],
          response: { 201: applicationSchema, ...ERRORS },
        },
      },
    ),
    async (request, reply) => {
      const { userId } = principalOf(request, 'holder');
      if (!request.isMultipart()) {
        throw new AppError('MERCHANT_DOCUMENT_INVALID', { details: { problem: 'notMultipart' } });
      }
      const values: Record<string, string> = {};
      let licence: { contentType: string; content: Buffer } | null = null;
      try {
        for await (const part of request.parts()) {
          if (part.type === 'file') {
            if (part.fieldname !== 'business_license') {
              throw new AppError('MERCHANT_DOCUMENT_INVALID', {
                details: { field: part.fieldname.slice(0, 32) },
              });
            }
            licence = { contentType: part.mimetype, content: await part.toBuffer() };
          } else if ((FIELDS as readonly string[]).includes(part.fieldname)) {
            values[part.fieldname] = String(part.value);
          }
        }
      } catch (error) {
        if (error instanceof AppError) throw error;
        throw new AppError('MERCHANT_DOCUMENT_INVALID', {
          details: { problem: (error as { code?: string }).code ?? 'unreadable' },
        });
      }
      const parsed = fields.safeParse(values);
      if (!parsed.success) {
        throw new AppError('VALIDATION_FAILED', {
          details: { fields: parsed.error.issues.map((issue) => issue.path.join('.')) },
        });
      }
      if (!licence) throw new AppError('MERCHANT_DOCUMENT_INVALID', { details: { problem: 'missing' } });
      const application = await companies.apply({ userId, ...parsed.data, licence });
      return reply.code(201).send(applicationJson(application));
    },
  );

  app.get(
    '/v1/operator/merchants',
    signedIn(
      app,
      { principal: 'operator', permission: 'merchants:review' },
      {
        schema: {
          tags: OPERATOR_TAGS,
          summary: 'Company merchants by status, oldest first (the review queue: pending_review)',
          querystring: z.object({
            status: z.enum(STATUSES).default('pending_review').meta({ description: 'Which ones.' }),
            limit: z.coerce
              .number()
              .int()
              .min(1)
              .max(100)
              .default(50)
              .meta({ description: 'At most this many.' }),
          }),
          response: { 200: z.object({ merchants: z.array(applicationSchema) }), ...ERRORS },
        },
      },
    ),
    async (request) => ({
      merchants: (await companies.list({ status: request.query.status, limit: request.query.limit })).map(
        applicationJson,
      ),
    }),
  );

  const idParams = z.object({ id: z.uuid().meta({ description: 'The merchant id.' }) });

  app.get(
    '/v1/operator/merchants/:id',
    signedIn(
      app,
      { principal: 'operator', permission: 'merchants:review' },
      {
        schema: {
          tags: OPERATOR_TAGS,
          summary: "A company merchant's application",
          params: idParams,
          response: { 200: applicationSchema, ...ERRORS },
        },
      },
    ),
    async (request) => {
      const application = await companies.application(request.params.id);
      if (!application) throw new AppError('MERCHANT_NOT_FOUND');
      return applicationJson(application);
    },
  );

  app.get(
    '/v1/operator/merchants/:id/documents/:documentId',
    signedIn(
      app,
      { principal: 'operator', permission: 'merchants:review' },
      {
        schema: {
          tags: OPERATOR_TAGS,
          summary: 'A document of the application (the licence), as uploaded; viewing it is audited',
          params: idParams.extend({ documentId: z.uuid().meta({ description: 'The document id.' }) }),
        },
      },
    ),
    async (request, reply) => {
      const operator = principalOf(request, 'operator');
      const document = await companies.document({
        merchantId: request.params.id,
        documentId: request.params.documentId,
      });
      await operators.audit({
        operatorId: operator.id,
        action: 'merchants.document_viewed',
        target: request.params.id,
        details: { documentId: request.params.documentId },
      });
      return reply.header('cache-control', 'no-store').type(document.contentType).send(document.content);
    },
  );

  app.post(
    '/v1/operator/merchants/:id/decision',
    signedIn(
      app,
      { principal: 'operator', permission: 'merchants:review' },
      {
        schema: {
          tags: OPERATOR_TAGS,
          summary: 'Approve (active: it takes payments) or reject a company merchant; the owner is told',
          description: 'A rejection needs a reason (the owner reads it). MERCHANT_NOT_PENDING once decided.',
          params: idParams,
          body: z
            .strictObject({
              approve: z.boolean().meta({ description: 'true: approve; false: reject.' }),
              reason: z
                .string()
                .trim()
                .max(500)
                .optional()
                .meta({ description: 'Why (required to reject).' }),
            })
            .refine((body) => body.approve || Boolean(body.reason), {
              message: 'a rejection needs a reason',
              path: ['reason'],
            }),
          response: { 200: applicationSchema, ...ERRORS },
        },
      },
    ),
    async (request) => {
      const operator = principalOf(request, 'operator');
      const reason = request.body.reason ? request.body.reason : null;
      const application = await companies.decide({
        merchantId: request.params.id,
        approve: request.body.approve,
        reason,
        by: operator.username,
        // In the decision's transaction: no decision without its entry.
        audit: (client) =>
          operators.audit(
            {
              operatorId: operator.id,
              action: request.body.approve ? 'merchants.approved' : 'merchants.rejected',
              target: request.params.id,
              details: { reason },
            },
            client,
          ),
      });
      return applicationJson(application);
    },
  );
};
