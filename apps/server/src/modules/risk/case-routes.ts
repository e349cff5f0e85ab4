/**
 * Review cases for operators (API now, the console later): the queue, one case, approve and
 * reject. Every decision is in the operators' audit log. docs/risk.md, "Hold for review".
 */
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, signedIn } from '../../auth/index.ts';
import { errorResponses } from '../../http/responses.ts';
import { moneyJson, moneyOutput } from '../../http/money.ts';
import type { OperatorService } from '../operator/index.ts';
import type { ReviewCaseService } from './cases.ts';
import type { CaseRow } from './case-store.ts';
import { DECISIONS } from './engine/types.ts';
import { decisionJson, decisionSchema } from './routes.ts';
import type { CaseContext } from './service.ts';

const TAGS = ['operator: risk'];
const ERRORS = errorResponses(400, 404, 409);
const STATUSES = ['open', 'approved', 'rejected', 'expired', 'cancelled'] as const;

const caseSchema = z.object({
  id: z.string(),
  status: z.enum(STATUSES).meta({
    description:
      '`open` while the money is held; then `approved` (paid), `rejected` or `expired` (returned to the payer), ' +
      'or `cancelled` (nothing was held: the ledger refused the hold).',
  }),
  kind: z.string().meta({ description: 'The kind of payment (`transfer`).' }),
  holderId: z.string().meta({ description: 'The payer.' }),
  movementId: z.string().meta({ description: 'The ledger transfer that holds the money.' }),
  amount: moneyOutput,
  payee: z.string().meta({ description: 'The payee as the payment binds it (`user:<id>`).' }),
  decisionId: z.string().nullable().meta({ description: 'The risk decision that held it.' }),
  rules: z.array(z.string()).meta({ description: 'The rules that fired.' }),
  score: z.number().int(),
  outcome: z.enum(['approve', 'reject', 'expire', 'cancel']).nullable(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  reason: z.string().nullable(),
  openedAt: z.string(),
  expiresAt: z
    .string()
    .meta({ description: 'Undecided by then, the hold is voided and the money returned.' }),
  closedAt: z.string().nullable(),
});

const caseJson = (row: CaseRow): z.infer<typeof caseSchema> => ({
  id: row.id,
  status: row.status,
  kind: row.kind,
  holderId: row.holder_id,
  movementId: row.movement_id,
  amount: moneyJson(row.amount_minor, row.currency),
  payee: row.payee,
  decisionId: row.decision_id,
  rules: row.rules,
  score: row.score,
  outcome: row.outcome,
  decidedBy: row.decided_by,
  decidedAt: row.decided_at?.toISOString() ?? null,
  reason: row.reason,
  openedAt: row.opened_at.toISOString(),
  expiresAt: row.expires_at.toISOString(),
  closedAt: row.closed_at?.toISOString() ?? null,
});

/** A case's previous cases shown beside it, at most. */
const PREVIOUS_CASES = 10;

const caseSummarySchema = z.object({
  id: z.string(),
  status: z.enum(STATUSES),
  amount: moneyOutput,
  payee: z.string(),
  rules: z.array(z.string()),
  decidedBy: z.string().nullable(),
  reason: z.string().nullable(),
  openedAt: z.string(),
});

const caseDetailSchema = caseSchema.extend({
  context: z
    .object({
      version: z.number().int().nullable().meta({ description: 'The rule-set version that held it.' }),
      firedRules: z
        .array(
          z.object({
            id: z.string(),
            score: z.number().int().nullable().meta({ description: 'What the rule added to the score.' }),
            decision: z
              .enum(DECISIONS)
              .nullable()
              .meta({ description: 'A decision the rule makes by itself.' }),
            description: z.object({ zh: z.string(), en: z.string() }).nullable(),
          }),
        )
        .meta({ description: 'The rules that fired, as the version that judged has them.' }),
      features: z
        .record(z.string(), z.union([z.number(), z.boolean(), z.null()]))
        .nullable()
        .meta({ description: 'The features the decision was made on.' }),
      recentDecisions: z
        .array(decisionSchema)
        .meta({ description: "The holder's latest risk decisions (payments, sign-ins), newest first." }),
      devices: z
        .array(z.object({ deviceId: z.string(), firstSeenAt: z.string() }))
        .meta({ description: 'The devices the engine has seen the holder on, newest first.' }),
      lastSignIn: z.object({ at: z.string(), city: z.string().nullable() }).nullable(),
      credentialResetAt: z.string().nullable().meta({ description: 'The last password or PIN reset.' }),
      previousCases: z
        .array(caseSummarySchema)
        .meta({ description: "The holder's other cases, newest first." }),
    })
    .meta({
      description: "What the engine knows beside the case: the rules' scores, the holder's recent behaviour.",
    }),
});

const contextJson = (context: CaseContext, previous: CaseRow[]) => ({
  version: context.version,
  firedRules: context.firedRules,
  features: context.features,
  recentDecisions: context.recentDecisions.map(decisionJson),
  devices: context.devices.map((d) => ({ deviceId: d.deviceId, firstSeenAt: d.firstSeenAt.toISOString() })),
  lastSignIn: context.lastSignIn
    ? { at: context.lastSignIn.at.toISOString(), city: context.lastSignIn.city }
    : null,
  credentialResetAt: context.credentialResetAt?.toISOString() ?? null,
  previousCases: previous.map((row) => ({
    id: row.id,
    status: row.status,
    amount: moneyJson(row.amount_minor, row.currency),
    payee: row.payee,
    rules: row.rules,
    decidedBy: row.decided_by,
    reason: row.reason,
    openedAt: row.opened_at.toISOString(),
  })),
});

export interface CaseRoutesOptions {
  cases: ReviewCaseService;
  /** The engine's context of a case (RiskService.caseContext). */
  context: (input: {
    holderId: string;
    decisionId: string | null;
    rules: readonly string[];
  }) => Promise<CaseContext>;
  operators: Pick<OperatorService, 'audit'>;
}

export const caseRoutes: FastifyPluginCallbackZod<CaseRoutesOptions> = (app, options, done) => {
  const { cases, operators, context } = options;
  const idParams = z.object({ id: z.uuid() });

  app.get(
    '/v1/operator/risk/cases',
    signedIn(
      app,
      { principal: 'operator', permission: 'risk:decide' },
      {
        schema: {
          tags: TAGS,
          summary: 'Review cases, newest first (the queue: status=open)',
          querystring: z.object({
            status: z.enum(STATUSES).optional(),
            holderId: z.uuid().optional(),
            limit: z.coerce.number().int().min(1).max(100).default(50),
          }),
          response: { 200: z.object({ cases: z.array(caseSchema) }), ...ERRORS },
        },
      },
    ),
    async (request) => ({
      cases: (
        await cases.list({
          status: request.query.status ?? null,
          holderId: request.query.holderId ?? null,
          limit: request.query.limit,
        })
      ).map(caseJson),
    }),
  );

  app.get(
    '/v1/operator/risk/cases/:id',
    signedIn(
      app,
      { principal: 'operator', permission: 'risk:decide' },
      {
        schema: {
          tags: TAGS,
          summary: "One review case, with the rules that fired and the holder's recent behaviour",
          params: idParams,
          response: { 200: caseDetailSchema, ...ERRORS },
        },
      },
    ),
    async (request) => {
      const row = await cases.get(request.params.id);
      const [found, previous] = await Promise.all([
        context({ holderId: row.holder_id, decisionId: row.decision_id, rules: row.rules }),
        cases.list({ status: null, holderId: row.holder_id, limit: PREVIOUS_CASES + 1 }),
      ]);
      const others = previous.filter((other) => other.id !== row.id).slice(0, PREVIOUS_CASES);
      return { ...caseJson(row), context: contextJson(found, others) };
    },
  );

  for (const action of ['approve', 'reject'] as const) {
    app.post(
      `/v1/operator/risk/cases/:id/${action}`,
      signedIn(
        app,
        { principal: 'operator', permission: 'risk:decide' },
        {
          schema: {
            tags: TAGS,
            summary:
              action === 'approve'
                ? 'Approve a held payment: the hold is posted and the payee is paid'
                : 'Reject a held payment: the hold is voided and the money returns to the payer',
            description:
              'Answers the case as closed. The same decision again answers it as it is; the other decision on a ' +
              'decided case is RISK_CASE_CLOSED (409). A case whose hold the ledger never made closes as `cancelled`.',
            params: idParams,
            body: z.strictObject({
              reason:
                action === 'reject'
                  ? z
                      .string()
                      .trim()
                      .min(1)
                      .max(500)
                      .meta({ description: 'Why (kept with the case, audited).' })
                  : z.string().trim().max(500).optional(),
            }),
            response: { 200: caseSchema, ...ERRORS },
          },
        },
      ),
      async (request) => {
        const operator = principalOf(request, 'operator');
        const reason = request.body.reason ? request.body.reason : null;
        const row = await cases.decide({
          id: request.params.id,
          outcome: action,
          by: operator.username,
          reason,
          // In the decision's transaction, before the ledger settles it: `status` is the case's
          // then (open); what the ledger did is on the case.
          audit: (client, decided) =>
            operators.audit(
              {
                operatorId: operator.id,
                action: action === 'approve' ? 'risk.case_approved' : 'risk.case_rejected',
                target: decided.id,
                details: { status: decided.status, reason },
              },
              client,
            ),
        });
        return caseJson(row);
      },
    );
  }

  done();
};
