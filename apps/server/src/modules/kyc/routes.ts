import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, signedIn } from '../../auth/index.ts';
import { AppError } from '../../errors.ts';
import { errorResponses } from '../../http/responses.ts';
import type { OperatorService } from '../operator/index.ts';
import { DOCUMENT_KINDS, MAX_DOCUMENT_BYTES } from './service.ts';
import type { DocumentKind, KycProfile, KycService, ReviewView, UploadedDocument } from './service.ts';
import { TIERS } from './tiers.ts';
import type { TierLimits } from './tiers.ts';

export interface KycRoutesOptions {
  service: KycService;
  operators: Pick<OperatorService, 'audit'>;
}

const HOLDER_TAGS = ['kyc: real-name tiers'];
const OPERATOR_TAGS = ['operator: KYC review'];
const ERRORS = errorResponses(400, 401, 403, 404, 409, 422, 429, 503);

/** Amounts as strings of fen; `null` = no limit. */
const limitAmount = z
  .string()
  .regex(/^\d{1,18}$/)
  .nullable();
const tierLimitsSchema = z.object({
  tier: z.enum(TIERS),
  balanceCap: limitAmount,
  singlePayment: limitAmount,
  daily: limitAmount,
  yearly: limitAmount,
  mayWithdraw: z.boolean(),
  maySendAbroad: z.boolean(),
  currency: z.literal('CNY'),
});

function tierLimitsJson(limits: TierLimits): z.infer<typeof tierLimitsSchema> {
  const text = (value: bigint | null) => (value === null ? null : value.toString());
  return {
    tier: limits.tier,
    balanceCap: text(limits.balanceCapMinor),
    singlePayment: text(limits.singlePaymentMinor),
    daily: text(limits.dailyMinor),
    yearly: text(limits.yearlyMinor),
    mayWithdraw: limits.mayWithdraw,
    maySendAbroad: limits.maySendAbroad,
    currency: 'CNY',
  };
}

const profileSchema = z.object({
  tier: z.enum(TIERS),
  limits: tierLimitsSchema,
  realName: z.object({ name: z.string(), idNumber: z.string(), verifiedAt: z.string() }).nullable(),
  sameNameCard: z.boolean(),
  review: z
    .object({ id: z.string(), status: z.string(), reason: z.string().nullable(), submittedAt: z.string() })
    .nullable(),
});

function profileJson(profile: KycProfile): z.infer<typeof profileSchema> {
  return {
    tier: profile.tier,
    limits: tierLimitsJson(profile.limits),
    realName: profile.realName
      ? { ...profile.realName, verifiedAt: profile.realName.verifiedAt.toISOString() }
      : null,
    sameNameCard: profile.sameNameCardAt !== null,
    review: profile.review
      ? { ...profile.review, submittedAt: profile.review.submittedAt.toISOString() }
      : null,
  };
}

const reviewSchema = z.object({
  id: z.string(),
  userId: z.string(),
  status: z.string(),
  submittedAt: z.string(),
  decidedAt: z.string().nullable(),
  decidedBy: z.string().nullable(),
  reason: z.string().nullable(),
  tier: z.enum(TIERS),
  realName: z.object({ name: z.string(), idNumber: z.string() }).nullable(),
  documents: z.array(
    z.object({ id: z.string(), kind: z.string(), contentType: z.string(), sizeBytes: z.number() }),
  ),
});

function reviewJson(review: ReviewView): z.infer<typeof reviewSchema> {
  return {
    ...review,
    submittedAt: review.submittedAt.toISOString(),
    decidedAt: review.decidedAt?.toISOString() ?? null,
  };
}

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

export const kycRoutes: FastifyPluginAsyncZod<KycRoutesOptions> = async (app, options) => {
  const { service, operators } = options;
  await app.register(multipart, {
    limits: {
      fileSize: MAX_DOCUMENT_BYTES,
      files: DOCUMENT_KINDS.length,
      fields: 0,
      parts: DOCUMENT_KINDS.length,
    },
  });

  app.get(
    '/v1/kyc/tiers',
    {
      schema: {
        tags: HOLDER_TAGS,
        summary: 'The real-name tiers and their limits (amounts in fen)',
        response: { 200: z.object({ tiers: z.array(tierLimitsSchema) }) },
      },
    },
    async () => ({ tiers: (await service.listTierLimits()).map(tierLimitsJson) }),
  );

  app.get(
    '/v1/me/kyc',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: HOLDER_TAGS,
          summary: 'My tier, limits, real name (masked) and document review',
          response: { 200: profileSchema, ...ERRORS },
        },
      },
    ),
    async (request) => profileJson(await service.getProfile(principalOf(request, 'holder').userId)),
  );

  app.post(
    '/v1/me/kyc/real-name',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: HOLDER_TAGS,
          summary: 'Verify legal name and ID number (T1)',
          description:
            'The number is checked (format, region, birth date, checksum) before the identity verifier is ' +
            'called. Sandbox magic values are in docs/kyc.md. At most 5 checks a day.',
          body: z.strictObject({
            legalName: z.string().min(1).max(30),
            idNumber: z.string().min(1).max(18),
          }),
          response: { 200: profileSchema, ...ERRORS },
        },
      },
    ),
    async (request) =>
      profileJson(
        await service.submitRealName({
          userId: principalOf(request, 'holder').userId,
          legalName: request.body.legalName,
          idNumber: request.body.idNumber,
        }),
      ),
  );

  app.post(
    '/v1/me/kyc/documents',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: HOLDER_TAGS,
          summary: 'Upload ID front, back and a selfie for review (T3)',
          description:
            'multipart/form-data with three files named id_front, id_back and selfie: JPEG or PNG, at most 5 MB ' +
            'each. An operator reviews them.',
          consumes: ['multipart/form-data'],
          response: { 200: profileSchema, ...ERRORS },
        },
      },
    ),
    async (request) => {
      const { userId } = principalOf(request, 'holder');
      if (!request.isMultipart())
        throw new AppError('DOCUMENT_INVALID', { details: { problem: 'notMultipart' } });
      const documents: UploadedDocument[] = [];
      try {
        for await (const part of request.files()) {
          if (!DOCUMENT_KINDS.includes(part.fieldname as DocumentKind)) {
            throw new AppError('DOCUMENT_INVALID', { details: { field: part.fieldname.slice(0, 32) } });
          }
          const content = await part.toBuffer();
          documents.push({ kind: part.fieldname as DocumentKind, contentType: part.mimetype, content });
        }
      } catch (error) {
        if (error instanceof AppError) throw error;
        // Too large, too many parts: @fastify/multipart's own errors.
        throw new AppError('DOCUMENT_INVALID', {
          details: { problem: (error as { code?: string }).code ?? 'unreadable' },
        });
      }
      return profileJson(await service.submitDocuments({ userId, documents }));
    },
  );

  // ---- operators ------------------------------------------------------------------------------

  app.get(
    '/v1/operator/kyc/reviews',
    signedIn(
      app,
      { principal: 'operator', permission: 'kyc:review' },
      {
        schema: {
          tags: OPERATOR_TAGS,
          summary: 'The review queue, oldest first',
          querystring: z.object({
            status: z.enum(['pending', 'approved', 'rejected']).default('pending'),
            limit: z.coerce.number().int().min(1).max(100).default(50),
          }),
          response: { 200: z.object({ reviews: z.array(reviewSchema) }), ...ERRORS },
        },
      },
    ),
    async (request) => {
      return { reviews: (await service.listReviews(request.query)).map(reviewJson) };
    },
  );

  app.get(
    '/v1/operator/kyc/reviews/:reviewId',
    signedIn(
      app,
      { principal: 'operator', permission: 'kyc:review' },
      {
        schema: {
          tags: OPERATOR_TAGS,
          summary: 'One review',
          params: z.object({ reviewId: uuid }),
          response: { 200: reviewSchema, ...ERRORS },
        },
      },
    ),
    async (request) => {
      return reviewJson(await service.getReview(request.params.reviewId));
    },
  );

  app.get(
    '/v1/operator/kyc/reviews/:reviewId/documents/:documentId',
    signedIn(
      app,
      { principal: 'operator', permission: 'kyc:review' },
      {
        schema: {
          tags: OPERATOR_TAGS,
          summary: 'A document image (every view is audited)',
          params: z.object({ reviewId: uuid, documentId: uuid }),
        },
      },
    ),
    async (request, reply) => {
      const operator = principalOf(request, 'operator');
      const document = await service.getDocument(request.params);
      await operators.audit({
        operatorId: operator.id,
        action: 'kyc.document_viewed',
        target: request.params.documentId,
        details: { reviewId: request.params.reviewId },
      });
      return reply
        .header('content-type', document.contentType)
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .send(document.content);
    },
  );

  app.post(
    '/v1/operator/kyc/reviews/:reviewId/decision',
    signedIn(
      app,
      { principal: 'operator', permission: 'kyc:review' },
      {
        schema: {
          tags: OPERATOR_TAGS,
          summary: 'Approve (→ T3) or reject with a reason',
          params: z.object({ reviewId: uuid }),
          body: z.discriminatedUnion('decision', [
            z.strictObject({ decision: z.literal('approve') }),
            z.strictObject({ decision: z.literal('reject'), reason: z.string().trim().min(2).max(500) }),
          ]),
          response: { 200: reviewSchema, ...ERRORS },
        },
      },
    ),
    async (request) => {
      const operator = principalOf(request, 'operator');
      const body = request.body;
      const review = await service.decideReview({
        reviewId: request.params.reviewId,
        operatorId: operator.id,
        decision: body.decision,
        ...(body.decision === 'reject' ? { reason: body.reason } : {}),
        // In the decision's transaction: no decision without its entry, no entry for a repeat.
        audit: (client, decided) =>
          operators.audit(
            {
              operatorId: operator.id,
              action: body.decision === 'approve' ? 'kyc.review_approved' : 'kyc.review_rejected',
              target: decided.id,
              details: { userId: decided.userId },
            },
            client,
          ),
      });
      return reviewJson(review);
    },
  );
};
