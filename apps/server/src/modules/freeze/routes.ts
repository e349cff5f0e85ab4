import type { FastifyRequest } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, signedIn } from '../../auth/index.ts';
import { authenticationResponseInput, totpCodeInput } from '../../http/confirmation.ts';
import { errorResponses } from '../../http/responses.ts';
import { clientOf } from '../identity/index.ts';
import { deviceIdInput, idNumberInput, phoneInput, smsCodeInput } from '../identity/schemas.ts';
import type { OperatorService } from '../operator/index.ts';
import { holderMayLift } from './rules.ts';
import type { FreezeService, FreezeState, RequestContext } from './service.ts';
import type { FreezeRow } from './store.ts';

export interface FreezeRoutesOptions {
  service: FreezeService;
  /** The operator audit log: every operator freeze and lift is in it too. */
  operators: Pick<OperatorService, 'audit'>;
}

const HOLDER_TAGS = ['freeze: freeze, report loss, unfreeze'];
const OPERATOR_TAGS = ['operator: freezes'];
const ERRORS = errorResponses(400, 403, 404, 409, 422, 429, 503);

const modeInput = z
  .enum(['full', 'receive_only'])
  .meta({ description: '`full`: no money out, no money in. `receive_only`: money in, none out.' });

const sourceOutput = z
  .enum(['holder', 'report_loss', 'engine', 'operator'])
  .nullable()
  .meta({ description: 'Who set it: the holder, a lost-phone report, the risk checks, an operator.' });

const holderStateSchema = z.object({
  mode: z.enum(['none', 'full', 'receive_only']).meta({ description: '`none` when not frozen.' }),
  source: sourceOutput,
  since: z.string().nullable().meta({ description: 'When the freeze began (ISO 8601).' }),
  reason: z
    .string()
    .nullable()
    .meta({ description: "Why, for the holder's own kinds; null for the risk checks' and operators'." }),
  liftableBy: z
    .enum(['holder', 'operator'])
    .nullable()
    .meta({ description: '`holder`: POST /v1/me/unfreeze; `operator`: only customer service can lift it.' }),
});

function holderStateJson(state: FreezeState): z.infer<typeof holderStateSchema> {
  const own = state.source !== null && holderMayLift(state.source);
  return {
    mode: state.mode,
    source: state.source,
    since: state.since?.toISOString() ?? null,
    // The risk checks' and operators' reasons are theirs (a case, a suspicion), not the holder's.
    reason: own ? state.reason : null,
    liftableBy: state.source === null ? null : own ? 'holder' : 'operator',
  };
}

const operatorStateSchema = z.object({
  mode: z.enum(['none', 'full', 'receive_only']),
  source: sourceOutput,
  since: z.string().nullable(),
  reason: z.string().nullable(),
});

function operatorStateJson(state: FreezeState): z.infer<typeof operatorStateSchema> {
  return { ...state, since: state.since?.toISOString() ?? null };
}

const historySchema = z.object({
  id: z.string(),
  mode: z.enum(['full', 'receive_only']),
  source: z.enum(['holder', 'report_loss', 'engine', 'operator']),
  reason: z.string(),
  operatorId: z.string().nullable(),
  setAt: z.string(),
  changedAt: z.string(),
  liftedAt: z.string().nullable(),
  liftedBy: z.enum(['holder', 'operator']).nullable(),
  liftedByOperatorId: z.string().nullable(),
  liftReason: z.string().nullable(),
});

function historyJson(row: FreezeRow): z.infer<typeof historySchema> {
  return {
    id: row.id,
    mode: row.mode,
    source: row.source,
    reason: row.reason,
    operatorId: row.operatorId,
    setAt: row.setAt.toISOString(),
    changedAt: row.changedAt.toISOString(),
    liftedAt: row.liftedAt?.toISOString() ?? null,
    liftedBy: row.liftedBy,
    liftedByOperatorId: row.liftedByOperatorId,
    liftReason: row.liftReason,
  };
}

const secondFactorInput = z
  .union([
    z.strictObject({ totpCode: totpCodeInput }),
    z.strictObject({ passkeyResponse: authenticationResponseInput }),
  ])
  .meta({
    description:
      'A TOTP code of the authenticator app, or the passkey assertion answering POST /v1/me/unfreeze/options.',
  });

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
const reasonInput = z.string().trim().min(2).max(500).meta({ description: 'Why (kept in the audit).' });

/** The `Origin` of the page that calls (WebAuthn's relying party is chosen from it in sandbox mode). */
function originOf(request: FastifyRequest): string | null {
  const origin = request.headers.origin;
  return typeof origin === 'string' ? origin : null;
}

function contextOf(request: FastifyRequest, deviceId: string | null): RequestContext {
  const client = clientOf(request);
  return { ip: client.ip, userAgent: client.userAgent, deviceId };
}

/**
 * `/v1/me/freeze`, `/v1/me/unfreeze` (signed in), `/v1/freeze/report-loss` (signed out) and the
 * operators' `/v1/operator/holders/:userId/…`. None moves money: like the other such POSTs they
 * take no Idempotency-Key, and each is safe to repeat (docs/freeze.md).
 */
export const freezeRoutes: FastifyPluginCallbackZod<FreezeRoutesOptions> = (app, options, done) => {
  const { service, operators } = options;

  app.get(
    '/v1/me/freeze',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: HOLDER_TAGS,
          summary: "The wallet's freeze: none, full or receive-only, who set it, and who may lift it",
          response: { 200: holderStateSchema, ...ERRORS },
        },
      },
    ),
    async (request) => holderStateJson(await service.stateOf(principalOf(request, 'holder').userId)),
  );

  app.post(
    '/v1/me/freeze',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: HOLDER_TAGS,
          summary: 'Freeze the wallet at once (no PIN: it only protects)',
          description:
            '`full` stops money out and in, `receive_only` money out. Safe to repeat: the same mode again ' +
            'changes nothing and answers the same state. Another mode changes it, except that a freeze set by ' +
            'the risk checks or an operator cannot be loosened (FREEZE_NEEDS_OPERATOR).',
          body: z.strictObject({ mode: modeInput }),
          response: { 200: holderStateSchema, ...ERRORS },
        },
      },
    ),
    async (request) => {
      const { userId, deviceId } = principalOf(request, 'holder');
      const state = await service.freezeByHolder({
        userId,
        mode: request.body.mode,
        context: contextOf(request, deviceId),
      });
      return holderStateJson(state);
    },
  );

  app.post(
    '/v1/me/unfreeze/options',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: HOLDER_TAGS,
          summary: 'What lifting the freeze takes: the second factors that count, and passkey options',
          description:
            'A passkey or TOTP counts only if it was set up before the freeze (and a passkey was not suspended ' +
            'by a lost-phone report). With a passkey, `passkeyOptions` carry a single-use challenge for ' +
            '`startAuthentication`. FREEZE_NOT_FROZEN, FREEZE_NEEDS_OPERATOR.',
          response: {
            200: z.object({
              usable: z.object({ passkey: z.boolean(), totp: z.boolean() }),
              passkeyOptions: z.record(z.string(), z.unknown()).nullable(),
            }),
            ...ERRORS,
          },
        },
      },
    ),
    async (request) => {
      const answer = await service.unfreezeOptions({
        userId: principalOf(request, 'holder').userId,
        origin: originOf(request),
      });
      return {
        usable: answer.usable,
        passkeyOptions: answer.passkeyOptions ? { ...answer.passkeyOptions } : null,
      };
    },
  );

  app.post(
    '/v1/me/unfreeze',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: HOLDER_TAGS,
          summary:
            'Lift a freeze set by the holder or a lost-phone report: SMS code + ID number + passkey or TOTP',
          description:
            'The SMS code is an `unfreeze` one (POST /v1/me/sms-codes with `{"purpose": "unfreeze"}`); the ID ' +
            "number is the real-name record's. Refused without spending the code: FREEZE_NOT_FROZEN, " +
            'FREEZE_NEEDS_OPERATOR (the risk checks or an operator set it), FREEZE_REAL_NAME_REQUIRED, ' +
            'FREEZE_SECOND_FACTOR_REQUIRED (none set up before the freeze: contact customer service), ' +
            'FREEZE_FACTOR_NOT_USABLE, INVALID_ID_NUMBER. Then the code is used up and: SMS_CODE_INVALID, ' +
            'ID_NUMBER_MISMATCH, TOTP_INVALID / TOTP_REUSED / PAYMENTS_LOCKED (wrong TOTP codes count toward the ' +
            'payment lock), PASSKEY_VERIFICATION_FAILED, CHALLENGE_EXPIRED.',
          body: z.strictObject({
            smsCode: smsCodeInput,
            idNumber: idNumberInput,
            secondFactor: secondFactorInput,
          }),
          response: { 200: holderStateSchema, ...ERRORS },
        },
      },
    ),
    async (request) => {
      const { userId, deviceId } = principalOf(request, 'holder');
      const state = await service.unfreezeByHolder({
        userId,
        smsCode: request.body.smsCode,
        idNumber: request.body.idNumber,
        secondFactor: request.body.secondFactor,
        context: contextOf(request, deviceId),
      });
      return holderStateJson(state);
    },
  );

  app.post(
    '/v1/freeze/report-loss',
    {
      schema: {
        tags: HOLDER_TAGS,
        summary: 'Report a lost phone from any device, signed out: freeze everything, end every session',
        description:
          'Needs the number, a `report_loss` SMS code (POST /v1/auth/sms-codes; the answer is the same whether ' +
          'or not the number has a wallet) and the ID number of the real-name record. Then: a `full` freeze, ' +
          'every session of the holder ended, the devices that had one marked lost and no longer trusted for ' +
          'sign-in (`deviceId`, the reporting device, excepted), every passkey suspended. INVALID_ID_NUMBER ' +
          'before the code is spent; SMS_CODE_INVALID, ID_NUMBER_MISMATCH, FREEZE_REAL_NAME_REQUIRED after it ' +
          '(each wrong ID number costs a code; codes are limited per number and per address). Safe to repeat.',
        body: z.strictObject({
          phone: phoneInput,
          smsCode: smsCodeInput,
          idNumber: idNumberInput,
          deviceId: deviceIdInput.optional().meta({ description: 'The reporting device: not marked lost.' }),
        }),
        response: {
          200: z.object({
            mode: z.enum(['full', 'receive_only']),
            sessionsEnded: z.number().int().meta({ description: 'Sessions ended now.' }),
            devicesLost: z.number().int().meta({ description: 'Devices marked lost now.' }),
            passkeysSuspended: z.number().int().meta({ description: 'Passkeys suspended now.' }),
          }),
          ...ERRORS,
        },
      },
    },
    async (request) => {
      const { phone, smsCode, idNumber, deviceId } = request.body;
      const report = await service.reportLoss({
        phone,
        smsCode,
        idNumber,
        context: contextOf(request, deviceId ?? null),
      });
      return {
        mode: report.state.mode === 'receive_only' ? ('receive_only' as const) : ('full' as const),
        sessionsEnded: report.sessionsEnded,
        devicesLost: report.devicesLost,
        passkeysSuspended: report.passkeysSuspended,
      };
    },
  );

  // ---- operators --------------------------------------------------------------------------

  const holderParams = z.object({ userId: uuid });

  app.get(
    '/v1/operator/holders/:userId/freezes',
    signedIn(
      app,
      { principal: 'operator', permission: 'holders:read' },
      {
        schema: {
          tags: OPERATOR_TAGS,
          summary: "A holder's freeze now and the freezes before, newest first",
          params: holderParams,
          response: {
            200: z.object({ state: operatorStateSchema, history: z.array(historySchema) }),
            ...ERRORS,
          },
        },
      },
    ),
    async (request) => {
      const { userId } = request.params;
      await service.requireHolder(userId);
      const [state, history] = await Promise.all([service.stateOf(userId), service.history(userId)]);
      return { state: operatorStateJson(state), history: history.map(historyJson) };
    },
  );

  app.post(
    '/v1/operator/holders/:userId/freeze',
    signedIn(
      app,
      { principal: 'operator', permission: 'holders:freeze' },
      {
        schema: {
          tags: OPERATOR_TAGS,
          summary: "Freeze a holder's wallet (customer service, risk, admins; audited)",
          description:
            'An operator freeze takes a live one over: only an operator can lift it. A freeze never loosens: to ' +
            'go from full to receive-only, unfreeze first. FREEZE_HOLDER_NOT_FOUND.',
          params: holderParams,
          body: z.strictObject({ mode: modeInput, reason: reasonInput }),
          response: { 200: operatorStateSchema, ...ERRORS },
        },
      },
    ),
    async (request) => {
      const operator = principalOf(request, 'operator');
      const { userId } = request.params;
      await service.requireHolder(userId);
      const state = await service.freeze({
        userId,
        mode: request.body.mode,
        source: 'operator',
        reason: request.body.reason,
        operatorId: operator.id,
        context: contextOf(request, null),
        audit: (client) =>
          operators.audit(
            {
              operatorId: operator.id,
              action: 'freeze.frozen',
              target: userId,
              details: { mode: request.body.mode, reason: request.body.reason },
            },
            client,
          ),
      });
      return operatorStateJson(state);
    },
  );

  app.post(
    '/v1/operator/holders/:userId/unfreeze',
    signedIn(
      app,
      { principal: 'operator', permission: 'holders:unfreeze' },
      {
        schema: {
          tags: OPERATOR_TAGS,
          summary: "Lift a holder's freeze, whoever set it (risk, admins; audited)",
          description: 'FREEZE_NOT_FROZEN when none stands; FREEZE_HOLDER_NOT_FOUND.',
          params: holderParams,
          body: z.strictObject({ reason: reasonInput }),
          response: { 200: operatorStateSchema, ...ERRORS },
        },
      },
    ),
    async (request) => {
      const operator = principalOf(request, 'operator');
      const { userId } = request.params;
      await service.requireHolder(userId);
      const state = await service.lift({
        userId,
        by: 'operator',
        reason: request.body.reason,
        operatorId: operator.id,
        context: contextOf(request, null),
        audit: (client) =>
          operators.audit(
            {
              operatorId: operator.id,
              action: 'freeze.lifted',
              target: userId,
              details: { reason: request.body.reason },
            },
            client,
          ),
      });
      return operatorStateJson(state);
    },
  );

  done();
};
