/**
 * The risk module's API: a holder passes a step-up; operators (API now, the console later) keep
 * rule sets — drafts, backtests, activation — deny and allow lists, and read a holder's decisions.
 * docs/risk.md describes the flows.
 */
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, signedIn } from '../../auth/index.ts';
import { errorResponses } from '../../http/responses.ts';
import { moneyJson, moneyOutput } from '../../http/money.ts';
import type { OperatorService } from '../operator/index.ts';
import { DECISIONS, LIST_NAMES, SUBJECTS } from './engine/types.ts';
import type { Backtest, RiskService, StepUpView } from './service.ts';
import type { DecisionRow, RuleSetRow } from './store.ts';

const HOLDER_TAGS = ['risk: step-up'];
const OPERATOR_TAGS = ['operator: risk'];
const ERRORS = errorResponses(400, 404, 409, 410);

const stepUpSchema = z.object({
  id: z.string(),
  state: z.enum(['pending', 'passed']),
  methods: z.array(z.enum(['passkey', 'totp', 'sms'])).meta({
    description: 'How it can be passed: passkey and totp when the holder has them; sms always.',
  }),
  amount: moneyOutput,
  expiresAt: z.string(),
});

const stepUpJson = (view: StepUpView) => ({
  id: view.id,
  state: view.state,
  methods: view.methods,
  amount: moneyJson(view.amountMinor, view.currency),
  expiresAt: view.expiresAt.toISOString(),
});

const ruleSetSchema = z.object({
  version: z.number().int(),
  status: z.enum(['draft', 'active', 'retired']),
  note: z.string(),
  thresholds: z.record(z.string(), z.number()),
  rules: z.array(z.record(z.string(), z.unknown())),
  createdBy: z.string(),
  createdAt: z.string(),
  activatedBy: z.string().nullable(),
  activatedAt: z.string().nullable(),
});

const ruleSetJson = (row: RuleSetRow) => ({
  version: row.version,
  status: row.status,
  note: row.note,
  thresholds: { ...row.thresholds },
  rules: row.rules.map((rule) => ({ ...rule })),
  createdBy: row.created_by,
  createdAt: row.created_at.toISOString(),
  activatedBy: row.activated_by,
  activatedAt: row.activated_at?.toISOString() ?? null,
});

export const decisionSchema = z.object({
  id: z.string(),
  subject: z.enum(SUBJECTS),
  kind: z.string(),
  movementId: z.string().nullable(),
  amount: moneyOutput.nullable(),
  payee: z.string().nullable(),
  score: z.number().int(),
  decision: z.enum(DECISIONS),
  fired: z.array(z.string()),
  version: z.number().int(),
  features: z.record(z.string(), z.union([z.number(), z.boolean(), z.null()])),
  at: z.string(),
});

export const decisionJson = (row: DecisionRow) => ({
  id: row.id,
  subject: row.subject,
  kind: row.kind,
  movementId: row.movement_id,
  amount: row.amount_minor === null ? null : moneyJson(BigInt(row.amount_minor), row.currency ?? 'CNY'),
  payee: row.payee,
  score: row.score,
  decision: row.decision,
  fired: row.fired,
  version: row.version,
  features: row.features,
  at: row.at.toISOString(),
});

const backtestJson = (result: Backtest) => ({
  version: result.version,
  from: result.from.toISOString(),
  to: result.to.toISOString(),
  judged: result.judged,
  changed: result.changed,
  byChange: result.byChange,
  differences: result.differences.map((d) => ({
    decisionId: d.decisionId,
    subject: d.subject,
    kind: d.kind,
    holderId: d.holderId,
    movementId: d.movementId,
    amount: d.amountMinor === null ? null : moneyJson(BigInt(d.amountMinor), d.currency ?? 'CNY'),
    at: d.at.toISOString(),
    was: d.was,
    now: d.now,
  })),
});

const backtestDecisionSchema = z.object({
  decision: z.enum(DECISIONS),
  score: z.number().int(),
  fired: z.array(z.string()).meta({ description: 'The ids of the rules that fired, in rule-set order.' }),
});

const backtestSchema = z.object({
  version: z.number().int().meta({ description: 'The rule set judged with.' }),
  from: z.string(),
  to: z.string(),
  judged: z.number().int().meta({ description: 'Stored decisions of [from, to) judged again.' }),
  changed: z.number().int().meta({ description: 'How many of them would be decided differently.' }),
  byChange: z.record(z.string(), z.number().int()).meta({ description: '`was→now` → how many.' }),
  differences: z
    .array(
      z.object({
        decisionId: z.string(),
        subject: z.enum(SUBJECTS),
        kind: z.string(),
        holderId: z.string(),
        movementId: z.string().nullable(),
        amount: moneyOutput.nullable(),
        at: z.string(),
        was: backtestDecisionSchema.extend({
          version: z.number().int().meta({ description: 'The version that made the stored decision.' }),
        }),
        now: backtestDecisionSchema,
      }),
    )
    .meta({ description: 'The first `sample` decisions that would differ, oldest first.' }),
});

const versionParams = z.object({ version: z.coerce.number().int().min(1).max(1_000_000) });

export const riskRoutes: FastifyPluginCallbackZod<{
  service: RiskService;
  operators: Pick<OperatorService, 'audit'>;
}> = (app, { service, operators }, done) => {
  // ---- holder: step-ups

  app.get(
    '/v1/me/step-ups/:id',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: HOLDER_TAGS,
          summary: 'A step-up a payment asked for',
          params: z.object({ id: z.string().max(64) }),
          response: { 200: stepUpSchema, ...ERRORS },
        },
      },
    ),
    async (request) => {
      const { userId } = principalOf(request, 'holder');
      return stepUpJson(await service.getStepUp({ userId, id: request.params.id }));
    },
  );

  app.post(
    '/v1/me/step-ups/:id/passkey-options',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: HOLDER_TAGS,
          summary: 'WebAuthn options to pass a step-up with a passkey',
          params: z.object({ id: z.string().max(64) }),
          response: { 200: z.object({ passkeyOptions: z.record(z.string(), z.unknown()) }), ...ERRORS },
        },
      },
    ),
    async (request) => {
      const { userId } = principalOf(request, 'holder');
      const passkeyOptions = await service.stepUpPasskeyOptions({
        userId,
        id: request.params.id,
        origin: request.headers.origin ?? null,
      });
      return { passkeyOptions: passkeyOptions as Record<string, unknown> };
    },
  );

  app.post(
    '/v1/me/step-ups/:id/pass',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: HOLDER_TAGS,
          summary: 'Pass a step-up',
          description:
            'With one of its `methods`: a TOTP code, an SMS code (request one with POST /v1/me/sms-codes) ' +
            'or a passkey assertion (options from …/passkey-options). Then send the payment again ' +
            'with the same Idempotency-Key.',
          params: z.object({ id: z.string().max(64) }),
          body: z.union([
            z.strictObject({ totpCode: z.string().regex(/^\d{6}$/) }),
            z.strictObject({ smsCode: z.string().regex(/^\d{6}$/) }),
            z.strictObject({ passkeyResponse: z.record(z.string(), z.unknown()) }),
          ]),
          response: { 200: stepUpSchema, ...ERRORS },
        },
      },
    ),
    async (request) => {
      const { userId } = principalOf(request, 'holder');
      return stepUpJson(await service.passStepUp({ userId, id: request.params.id, proof: request.body }));
    },
  );

  // ---- operators: rule sets

  app.get(
    '/v1/operator/risk/rule-sets',
    signedIn(
      app,
      { principal: 'operator', permission: 'risk:rules' },
      {
        schema: {
          tags: OPERATOR_TAGS,
          summary: 'Every rule set version, newest first',
          response: { 200: z.object({ ruleSets: z.array(ruleSetSchema) }), ...ERRORS },
        },
      },
    ),
    async () => ({ ruleSets: (await service.ruleSets()).map(ruleSetJson) }),
  );

  app.get(
    '/v1/operator/risk/rule-sets/:version',
    signedIn(
      app,
      { principal: 'operator', permission: 'risk:rules' },
      {
        schema: {
          tags: OPERATOR_TAGS,
          summary: 'One rule set version',
          params: versionParams,
          response: { 200: ruleSetSchema, ...ERRORS },
        },
      },
    ),
    async (request) => ruleSetJson(await service.ruleSet(request.params.version)),
  );

  app.post(
    '/v1/operator/risk/rule-sets',
    signedIn(
      app,
      { principal: 'operator', permission: 'risk:rules' },
      {
        schema: {
          tags: OPERATOR_TAGS,
          summary: 'Save a new draft rule set',
          description:
            'The whole set: rules (conditions over the features of docs/risk.md) and thresholds. ' +
            'It gets the next version and judges nothing until activated.',
          body: z.strictObject({
            rules: z.array(z.unknown()).max(200),
            thresholds: z.unknown(),
            note: z.string().max(500).default(''),
          }),
          response: { 201: ruleSetSchema, ...ERRORS },
        },
      },
    ),
    async (request, reply) => {
      const operator = principalOf(request, 'operator');
      const row = await service.createDraft({
        ...request.body,
        by: operator.username,
        audit: (client, draft) =>
          operators.audit(
            {
              operatorId: operator.id,
              action: 'risk.rule_set_drafted',
              target: String(draft.version),
              details: { rules: draft.rules.length },
            },
            client,
          ),
      });
      return reply.code(201).send(ruleSetJson(row));
    },
  );

  app.post(
    '/v1/operator/risk/rule-sets/:version/backtest',
    signedIn(
      app,
      { principal: 'operator', permission: 'risk:rules' },
      {
        schema: {
          tags: OPERATOR_TAGS,
          summary: 'Judge past movements again under a rule set',
          description:
            'Every decision stored in [from, to) is judged again on the features it was made on; ' +
            'answers how many would be decided differently, and up to `sample` of them.',
          params: versionParams,
          body: z.strictObject({
            from: z.iso.datetime({ offset: true }),
            to: z.iso.datetime({ offset: true }),
            sample: z.number().int().min(0).max(1000).default(100),
          }),
          response: { 200: backtestSchema, ...ERRORS },
        },
      },
    ),
    async (request) =>
      backtestJson(
        await service.backtest({
          version: request.params.version,
          from: new Date(request.body.from),
          to: new Date(request.body.to),
          sample: request.body.sample,
        }),
      ),
  );

  app.post(
    '/v1/operator/risk/rule-sets/:version/activate',
    signedIn(
      app,
      { principal: 'operator', permission: 'risk:rules' },
      {
        schema: {
          tags: OPERATOR_TAGS,
          summary: 'Activate a draft rule set (the active one retires)',
          description:
            'Maker-checker: the operator who saved the draft cannot activate it (403 RISK_RULE_SET_OWN_DRAFT); ' +
            'a second operator with risk:rules does, after reading it and its backtest. A version no longer a ' +
            'draft (activated already, or retired) is 409 RISK_RULE_SET_NOT_DRAFT.',
          params: versionParams,
          response: { 200: ruleSetSchema, ...ERRORS },
        },
      },
    ),
    async (request) => {
      const operator = principalOf(request, 'operator');
      const row = await service.activate({
        version: request.params.version,
        by: operator.username,
        audit: (client, activated) =>
          operators.audit(
            {
              operatorId: operator.id,
              action: 'risk.rule_set_activated',
              target: String(activated.version),
              details: { draftedBy: activated.created_by },
            },
            client,
          ),
      });
      return ruleSetJson(row);
    },
  );

  // ---- operators: lists and decisions

  const listEntrySchema = z.object({
    list: z.enum(LIST_NAMES),
    value: z.string(),
    kind: z.enum(['deny', 'allow']),
    note: z.string(),
    createdBy: z.string(),
    createdAt: z.string(),
  });

  app.get(
    '/v1/operator/risk/lists',
    signedIn(
      app,
      { principal: 'operator', permission: 'risk:rules' },
      {
        schema: {
          tags: OPERATOR_TAGS,
          summary: 'The deny and allow lists',
          response: { 200: z.object({ entries: z.array(listEntrySchema) }), ...ERRORS },
        },
      },
    ),
    async () => ({
      entries: (await service.listEntries()).map((e) => ({
        list: e.list,
        value: e.value,
        kind: e.kind,
        note: e.note,
        createdBy: e.created_by,
        createdAt: e.created_at.toISOString(),
      })),
    }),
  );

  app.put(
    '/v1/operator/risk/lists/:list/:value',
    signedIn(
      app,
      { principal: 'operator', permission: 'risk:rules' },
      {
        schema: {
          tags: OPERATOR_TAGS,
          summary: 'Put a payee, device, IP or card BIN on the deny or allow list',
          description:
            'Values: a payee as the payment binds it (`user:<id>`, `card:<id>`, `bank:<digest>`), a device id, ' +
            'an IP address, a card BIN (6 digits).',
          params: z.object({ list: z.enum(LIST_NAMES), value: z.string().min(1).max(200) }),
          body: z.strictObject({ kind: z.enum(['deny', 'allow']), note: z.string().max(500).default('') }),
          response: { 204: z.null(), ...ERRORS },
        },
      },
    ),
    async (request, reply) => {
      const operator = principalOf(request, 'operator');
      await service.setListEntry({
        ...request.params,
        ...request.body,
        by: operator.username,
        audit: (client) =>
          operators.audit(
            {
              operatorId: operator.id,
              action: 'risk.list_entry_set',
              target: `${request.params.list}:${request.params.value}`,
              details: { kind: request.body.kind },
            },
            client,
          ),
      });
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/v1/operator/risk/lists/:list/:value',
    signedIn(
      app,
      { principal: 'operator', permission: 'risk:rules' },
      {
        schema: {
          tags: OPERATOR_TAGS,
          summary: 'Take an entry off its list',
          params: z.object({ list: z.enum(LIST_NAMES), value: z.string().min(1).max(200) }),
          response: { 204: z.null(), ...ERRORS },
        },
      },
    ),
    async (request, reply) => {
      const operator = principalOf(request, 'operator');
      await service.removeListEntry({
        list: request.params.list,
        value: request.params.value,
        audit: (client) =>
          operators.audit(
            {
              operatorId: operator.id,
              action: 'risk.list_entry_removed',
              target: `${request.params.list}:${request.params.value}`,
              details: {},
            },
            client,
          ),
      });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/operator/holders/:userId/risk-decisions',
    signedIn(
      app,
      { principal: 'operator', permission: 'holders:read' },
      {
        schema: {
          tags: OPERATOR_TAGS,
          summary: "A holder's latest risk decisions, with the features each was made on",
          params: z.object({ userId: z.uuid() }),
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
          response: { 200: z.object({ decisions: z.array(decisionSchema) }), ...ERRORS },
        },
      },
    ),
    async (request) => ({
      decisions: (await service.decisionsOf(request.params.userId, request.query.limit)).map(decisionJson),
    }),
  );

  done();
};
