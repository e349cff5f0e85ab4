import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, signedIn } from '../../auth/index.ts';
import type { Action } from '../../auth/permissions.ts';
import { moneyInput, moneyJson, moneyOf, moneyOutput } from '../../http/money.ts';
import { errorResponses } from '../../http/responses.ts';
import { ADJUSTMENT_REASONS, MAX_AMOUNT_MINOR, SETTING_KEY_PATTERN } from './plan.ts';
import type { ChangeKind, ChangeStatus } from './plan.ts';
import type { ApprovalsService, ChangeView, SettingView } from './service.ts';

const CONFIGURATION_TAGS = ['operator: configuration (maker-checker)'];
const ADJUSTMENT_TAGS = ['operator: manual adjustments (maker-checker)'];
const ERRORS = errorResponses(400, 403, 404, 409, 422);
const STATUSES = ['proposed', 'approved', 'rejected', 'cancelled', 'applied', 'failed'] as const;
const LIST_LIMIT = 200;
const ADJUSTMENT_CURRENCIES = ['CNY'] as const;

const operatorRef = z.object({
  id: z.string().meta({ description: 'The operator id.' }),
  displayName: z.string().meta({ description: "The operator's name." }),
});

const changeSchema = z.object({
  id: z.string().meta({ description: 'The change request id.' }),
  kind: z.enum(['configuration', 'adjustment']).meta({ description: 'What it changes.' }),
  setting: z.string().nullable().meta({ description: 'The setting a configuration change sets.' }),
  value: z
    .record(z.string(), z.unknown())
    .nullable()
    .meta({ description: "A configuration change's new value (amounts in fen, as strings)." }),
  adjustment: z
    .object({
      userId: z.string().meta({ description: 'The holder.' }),
      direction: z
        .enum(['credit', 'debit'])
        .meta({ description: 'Credit (into) or debit (out of) the wallet.' }),
      amount: moneyOutput.meta({ description: 'How much.' }),
      reasonCode: z.enum(ADJUSTMENT_REASONS).meta({ description: 'Why, from the fixed list.' }),
      note: z.string().meta({ description: "The maker's note." }),
    })
    .nullable()
    .meta({ description: "An adjustment's movement." }),
  reason: z.string().meta({ description: "The maker's reason." }),
  maker: operatorRef.meta({ description: 'Who proposed it.' }),
  createdAt: z.string().meta({ description: 'When it was proposed (ISO 8601).' }),
  effectiveAt: z
    .string()
    .meta({ description: 'When an approved configuration change is in force from (ISO 8601).' }),
  status: z.enum(STATUSES).meta({
    description:
      'proposed → approved | rejected | cancelled; an approved adjustment then ends applied or failed.',
  }),
  checker: operatorRef.nullable().meta({ description: 'Who approved or rejected it.' }),
  decidedAt: z.string().nullable().meta({ description: 'When it was decided (ISO 8601).' }),
  decisionReason: z.string().nullable().meta({ description: "The checker's reason, if any." }),
  movementId: z.string().nullable().meta({ description: "An adjustment's ledger transfer id." }),
  failureCode: z
    .string()
    .nullable()
    .meta({ description: 'Why a failed adjustment moved nothing, e.g. INSUFFICIENT_FUNDS.' }),
  finishedAt: z.string().nullable().meta({ description: 'When an adjustment was applied or failed.' }),
});

function changeJson(view: ChangeView): z.infer<typeof changeSchema> {
  const adjustment = view.adjustment;
  return {
    id: view.id,
    kind: view.kind,
    setting: view.setting,
    value: view.value,
    adjustment: adjustment
      ? {
          userId: adjustment.userId,
          direction: adjustment.direction,
          amount: moneyJson(BigInt(adjustment.amountMinor), adjustment.currency),
          reasonCode: adjustment.reasonCode,
          note: adjustment.note,
        }
      : null,
    reason: view.reason,
    maker: view.maker,
    createdAt: view.createdAt.toISOString(),
    effectiveAt: view.effectiveAt.toISOString(),
    status: view.status,
    checker: view.checker,
    decidedAt: view.decidedAt?.toISOString() ?? null,
    decisionReason: view.decisionReason,
    movementId: view.movementId,
    failureCode: view.failureCode,
    finishedAt: view.finishedAt?.toISOString() ?? null,
  };
}

const settingSchema = z.object({
  setting: z.string().meta({ description: 'e.g. tier_limits.T1, password_free, merchant_rate.mcc.5812.' }),
  value: z.record(z.string(), z.unknown()).meta({ description: 'The value in force now.' }),
  source: z.enum(['default', 'change']).meta({ description: 'The configuration, or an approved change.' }),
  changeId: z.string().nullable().meta({ description: 'The change in force, if any.' }),
  effectiveAt: z.string().nullable().meta({ description: 'Since when that change is in force.' }),
  scheduled: z
    .array(
      z.object({
        id: z.string().meta({ description: 'The change id.' }),
        value: z.record(z.string(), z.unknown()).meta({ description: 'Its value.' }),
        effectiveAt: z.string().meta({ description: 'When it takes effect.' }),
      }),
    )
    .meta({ description: 'Approved changes that take effect later.' }),
});

function settingJson(view: SettingView): z.infer<typeof settingSchema> {
  return {
    ...view,
    effectiveAt: view.effectiveAt?.toISOString() ?? null,
    scheduled: view.scheduled.map((entry) => ({ ...entry, effectiveAt: entry.effectiveAt.toISOString() })),
  };
}

const idParams = z.object({ id: z.string().max(64).meta({ description: 'The change request id.' }) });
const listQuery = z.object({
  status: z
    .string()
    .max(100)
    .optional()
    .meta({ description: 'Comma-separated statuses to list, e.g. `proposed`; all by default.' }),
  limit: z.coerce.number().int().min(1).max(LIST_LIMIT).default(50).meta({ description: 'At most 200.' }),
});
const decisionBody = z.strictObject({
  decision: z.enum(['approve', 'reject']).meta({ description: 'The checker approves or rejects.' }),
  reason: z.string().trim().min(1).max(500).optional().meta({ description: 'Why (shown to the maker).' }),
});

function statusesOf(text: string | undefined): ChangeStatus[] | null {
  if (!text) return null;
  const wanted = text.split(',').map((part) => part.trim());
  return STATUSES.filter((status) => wanted.includes(status));
}

export const approvalsRoutes: FastifyPluginCallbackZod<{ service: ApprovalsService }> = (
  app,
  { service },
  done,
) => {
  // The same four routes for both kinds, each under its own permission (docs/approvals.md).
  const kinds: { kind: ChangeKind; base: string; permission: Action; tags: string[] }[] = [
    {
      kind: 'configuration',
      base: '/v1/operator/configuration/changes',
      permission: 'limits:configure',
      tags: CONFIGURATION_TAGS,
    },
    {
      kind: 'adjustment',
      base: '/v1/operator/adjustments',
      permission: 'balances:adjust',
      tags: ADJUSTMENT_TAGS,
    },
  ];
  for (const { kind, base, permission, tags } of kinds) {
    app.get(
      base,
      signedIn(
        app,
        { principal: 'operator', permission },
        {
          schema: {
            tags,
            summary:
              kind === 'configuration' ? 'Configuration changes, newest first' : 'Adjustments, newest first',
            querystring: listQuery,
            response: { 200: z.object({ changes: z.array(changeSchema) }), ...ERRORS },
          },
        },
      ),
      async (request) => ({
        changes: (
          await service.list({ kind, statuses: statusesOf(request.query.status), limit: request.query.limit })
        ).map(changeJson),
      }),
    );

    app.get(
      `${base}/:id`,
      signedIn(
        app,
        { principal: 'operator', permission },
        {
          schema: {
            tags,
            summary: 'One change request',
            params: idParams,
            response: { 200: changeSchema, ...ERRORS },
          },
        },
      ),
      async (request) => changeJson(await service.get(kind, request.params.id)),
    );

    app.post(
      `${base}/:id/decision`,
      signedIn(
        app,
        { principal: 'operator', permission },
        {
          config: { idempotent: true },
          schema: {
            tags,
            summary: 'Approve or reject (the checker: another operator than the maker; audited)',
            description:
              'Exactly one decision of a change counts: APPROVAL_ALREADY_DECIDED for the others, ' +
              'APPROVAL_OWN_CHANGE for the maker. An approved adjustment moves its money before the ' +
              'answer, which shows it `applied` or `failed` (failureCode).',
            params: idParams,
            body: decisionBody,
            response: { 200: changeSchema, ...ERRORS },
          },
        },
      ),
      async (request) => {
        const operator = principalOf(request, 'operator');
        return changeJson(
          await service.decide({
            kind,
            id: request.params.id,
            operator: { id: operator.id, displayName: operator.displayName },
            decision: request.body.decision,
            reason: request.body.reason ?? null,
          }),
        );
      },
    );

    app.post(
      `${base}/:id/cancel`,
      signedIn(
        app,
        { principal: 'operator', permission },
        {
          schema: {
            tags,
            summary: 'Withdraw a proposal (its maker, before it is decided; audited)',
            params: idParams,
            response: { 200: changeSchema, ...ERRORS },
          },
        },
      ),
      async (request) => {
        const operator = principalOf(request, 'operator');
        return changeJson(
          await service.cancel({
            kind,
            id: request.params.id,
            operator: { id: operator.id, displayName: operator.displayName },
          }),
        );
      },
    );
  }

  app.get(
    '/v1/operator/configuration',
    signedIn(
      app,
      { principal: 'operator', permission: 'limits:configure' },
      {
        schema: {
          tags: CONFIGURATION_TAGS,
          summary: 'Every setting operators change: the value in force, since when, and what is scheduled',
          response: { 200: z.object({ settings: z.array(settingSchema) }), ...ERRORS },
        },
      },
    ),
    async () => ({ settings: (await service.configuration()).map(settingJson) }),
  );

  app.post(
    '/v1/operator/configuration/changes',
    signedIn(
      app,
      { principal: 'operator', permission: 'limits:configure' },
      {
        config: { idempotent: true },
        schema: {
          tags: CONFIGURATION_TAGS,
          summary: 'Propose a configuration change (the maker; another operator approves it)',
          description:
            'Settings: `tier_limits.T0`–`T3` {balanceCap, singlePayment, daily, yearly (fen or null), ' +
            'mayWithdraw, maySendAbroad}; `password_free` {maxPerPayment, dailyMax}; `withdrawal_fee` ' +
            '{freeMonthly, basisPoints, minimum}; `bank_transfer_fee` {basisPoints, minimum, maximum}; ' +
            '`merchant_rate.default`, `merchant_rate.mcc.<MCC>`, `merchant_rate.merchant.<id>` {basisPoints}. ' +
            'APPROVAL_INVALID_VALUE, APPROVAL_EFFECTIVE_AT_INVALID.',
          body: z.strictObject({
            setting: z
              .string()
              .regex(new RegExp(SETTING_KEY_PATTERN))
              .meta({ description: 'Which setting.' }),
            value: z
              .record(z.string(), z.unknown())
              .meta({ description: 'Its new value (amounts in fen, strings).' }),
            effectiveAt: z.iso.datetime({ offset: true }).optional().meta({
              description: 'When it takes effect once approved; now by default, at most a year ahead.',
            }),
            reason: z
              .string()
              .trim()
              .min(1)
              .max(500)
              .meta({ description: 'Why (for the checker and the audit).' }),
          }),
          response: { 201: changeSchema, ...ERRORS },
        },
      },
    ),
    async (request, reply) => {
      const operator = principalOf(request, 'operator');
      const { body } = request;
      const change = await service.proposeConfiguration({
        operator: { id: operator.id, displayName: operator.displayName },
        setting: body.setting,
        value: body.value,
        effectiveAt: body.effectiveAt ? new Date(body.effectiveAt) : null,
        reason: body.reason,
      });
      return reply.code(201).send(changeJson(change));
    },
  );

  app.post(
    '/v1/operator/adjustments',
    signedIn(
      app,
      { principal: 'operator', permission: 'balances:adjust' },
      {
        config: { idempotent: true },
        schema: {
          tags: ADJUSTMENT_TAGS,
          summary:
            "Propose a manual credit or debit of a holder's wallet (the maker; another operator approves it)",
          description: 'ADJUSTMENT_HOLDER_NOT_FOUND. Nothing moves until a different operator approves it.',
          body: z.strictObject({
            userId: z
              .string()
              .max(64)
              .meta({ description: 'The holder (see GET /v1/operator/adjustments/holder).' }),
            direction: z.enum(['credit', 'debit']).meta({ description: 'Into or out of the wallet.' }),
            amount: moneyInput({ min: 1n, max: MAX_AMOUNT_MINOR, currencies: ADJUSTMENT_CURRENCIES }).meta({
              description: 'How much.',
            }),
            reasonCode: z.enum(ADJUSTMENT_REASONS).meta({ description: 'Why, from the fixed list.' }),
            note: z.string().trim().min(1).max(500).meta({ description: 'Free text: the case, the ticket.' }),
          }),
          response: { 201: changeSchema, ...ERRORS },
        },
      },
    ),
    async (request, reply) => {
      const operator = principalOf(request, 'operator');
      const { body } = request;
      const { amountMinor, currency } = moneyOf(body.amount);
      const change = await service.proposeAdjustment({
        operator: { id: operator.id, displayName: operator.displayName },
        userId: body.userId,
        direction: body.direction,
        amountMinor,
        currency,
        reasonCode: body.reasonCode,
        note: body.note,
      });
      return reply.code(201).send(changeJson(change));
    },
  );

  app.get(
    '/v1/operator/adjustments/holder',
    signedIn(
      app,
      { principal: 'operator', permission: 'balances:adjust' },
      {
        schema: {
          tags: ADJUSTMENT_TAGS,
          summary: 'Find the holder to adjust, by phone number or id (masked phone, wallet balance)',
          querystring: z.object({
            phone: z.string().max(20).optional().meta({ description: 'The mobile number.' }),
            userId: z.string().max(64).optional().meta({ description: 'Or the holder id.' }),
          }),
          response: {
            200: z.object({
              userId: z.string().meta({ description: 'The holder id.' }),
              phone: z.string().meta({ description: 'Masked.' }),
              balance: moneyOutput.meta({ description: "The wallet's available balance." }),
            }),
            ...ERRORS,
          },
        },
      },
    ),
    async (request) => {
      const found = await service.findHolder({
        ...(request.query.phone ? { phone: request.query.phone } : {}),
        ...(request.query.userId ? { userId: request.query.userId } : {}),
      });
      return {
        userId: found.userId,
        phone: found.phone,
        balance: moneyJson(found.balanceMinor, found.currency),
      };
    },
  );

  done();
};
