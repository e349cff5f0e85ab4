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

export interface CaseRoutesOptions {
  cases: ReviewCaseService;
  operators: Pick<OperatorService, 'audit'>;
}

export const caseRoutes: FastifyPluginCallbackZod<CaseRoutesOptions> = (app, options, done) => {
  const { cases, operators } = options;
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
          summary: 'One review case',
          params: idParams,
          response: { 200: caseSchema, ...ERRORS },
        },
      },
    ),
    async (request) => caseJson(await cases.get(request.params.id)),
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
        });
        await operators.audit({
          operatorId: operator.id,
          action: action === 'approve' ? 'risk.case_approved' : 'risk.case_rejected',
          target: row.id,
          details: { status: row.status, reason },
        });
        return caseJson(row);
      },
    );
  }

  done();
};
