import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, signedIn } from '../../auth/index.ts';
import { ACTIONS } from '../../auth/permissions.ts';
import { errorResponses } from '../../http/responses.ts';
import { OPERATOR_COOKIE, setOperatorCookie } from './http.ts';
import { OPERATOR_ROLES } from './service.ts';
import type { OperatorAccount, OperatorService } from './service.ts';

export interface OperatorRoutesOptions {
  service: OperatorService;
  secureCookies: boolean;
  sessionSeconds: number;
}

const TAGS = ['operator: sign-in and audit'];
const ADMIN_TAGS = ['operator: accounts and roles'];
const ERRORS = errorResponses(400, 401, 403, 423);
const ADMIN_ERRORS = errorResponses(400, 401, 403, 404, 409);

const roleSchema = z.enum(OPERATOR_ROLES).meta({
  description: 'admin, support (customer service), kyc_reviewer (compliance), risk, finance',
});
export const reasonSchema = z
  .string()
  .trim()
  .min(1)
  .max(500)
  .meta({ description: 'Why; kept in the audit log.' });
const operatorIdParams = z.object({ operatorId: z.string().max(64) });
const accountSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: z.string(),
  createdAt: z.string(),
  disabledAt: z.string().nullable(),
  lockedUntil: z.string().nullable(),
  lastSignInAt: z.string().nullable(),
});
const enrolmentSchema = {
  totpSecret: z.string().meta({ description: 'Base32; shown once.' }),
  otpauthUri: z.string().meta({ description: 'For a QR code in an authenticator app; shown once.' }),
};
const auditEntrySchema = z.object({
  seq: z.string(),
  id: z.string(),
  operatorId: z.string().nullable(),
  operatorUsername: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  details: z.unknown(),
  at: z.string(),
});
const verifySchema = z.object({
  ok: z.boolean(),
  entries: z.number(),
  unchained: z.number(),
  headSeq: z.string().nullable(),
  firstBrokenSeq: z
    .string()
    .nullable()
    .meta({ description: 'The first missing, changed or unlinked entry.' }),
  problems: z.array(
    z.object({
      seq: z.string().nullable().meta({ description: 'Null for a checkpoint line that proves nothing.' }),
      problem: z.string(),
    }),
  ),
  problemCount: z.number(),
  checkpoints: z
    .object({
      lines: z.number(),
      authentic: z.number(),
      newest: z.object({ seq: z.string(), at: z.string() }).nullable(),
    })
    .nullable()
    .meta({ description: 'The audit checkpoints of LEDGER_CHECKPOINT_FILE; null when it does not exist.' }),
});

function accountJson(account: OperatorAccount) {
  return {
    id: account.id,
    username: account.username,
    displayName: account.displayName,
    role: account.role,
    createdAt: account.createdAt.toISOString(),
    disabledAt: account.disabledAt?.toISOString() ?? null,
    lockedUntil: account.lockedUntil?.toISOString() ?? null,
    lastSignInAt: account.lastSignInAt?.toISOString() ?? null,
  };
}

export const operatorSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: z.string(),
});

export const operatorRoutes: FastifyPluginCallbackZod<OperatorRoutesOptions> = (app, options, done) => {
  const { service } = options;

  app.post(
    '/v1/operator/login',
    {
      schema: {
        tags: TAGS,
        summary: 'Operator sign-in: password and authenticator code, always',
        description:
          'Five failures lock the operator for 15 minutes (OPERATOR_LOCKED). Each authenticator code works once.',
        body: z.strictObject({
          username: z.string().min(1).max(32),
          password: z.string().min(1).max(128),
          totpCode: z.string().regex(/^\d{6}$/, 'must be the 6-digit code of the authenticator app'),
        }),
        response: {
          200: z.object({ token: z.string(), expiresAt: z.string(), operator: operatorSchema }),
          ...ERRORS,
        },
      },
    },
    async (request, reply) => {
      const session = await service.login(request.body);
      setOperatorCookie(reply, session.token, options.secureCookies, options.sessionSeconds);
      return { token: session.token, expiresAt: session.expiresAt.toISOString(), operator: session.operator };
    },
  );

  app.post(
    '/v1/operator/logout',
    signedIn(
      app,
      { principal: 'operator' },
      {
        schema: {
          tags: TAGS,
          summary: 'End this operator session',
          response: { 204: z.null(), ...ERRORS },
        },
      },
    ),
    async (request, reply) => {
      const operator = principalOf(request, 'operator');
      await service.logout(operator.id, operator.sessionId);
      reply.clearCookie(OPERATOR_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/operator/me',
    signedIn(
      app,
      { principal: 'operator' },
      {
        schema: {
          tags: TAGS,
          summary: 'The signed-in operator',
          response: {
            200: operatorSchema.extend({
              permissions: z
                .array(z.string())
                .meta({ description: 'The actions this operator may take now.' }),
            }),
            ...ERRORS,
          },
        },
      },
    ),
    (request) => {
      const { id, username, displayName, roles, permissions: loaded } = principalOf(request, 'operator');
      // What its role may do now: operator_role_permissions, read with this very request's session.
      const permissions = ACTIONS.filter((action) => loaded.includes(action));
      // One role per operator account today (operator_accounts.role).
      const [role] = roles;
      if (!role) throw new Error(`operator ${id} has no role`);
      return Promise.resolve({ id, username, displayName, role, permissions });
    },
  );

  app.get(
    '/v1/operator/audit-log',
    signedIn(
      app,
      { principal: 'operator', permission: 'audit:read' },
      {
        schema: {
          tags: TAGS,
          summary: 'Search the operator audit log, newest first',
          description:
            '`operator`: an id or username; `action`: exact, or a prefix ending with `*` (`kyc.*`); ' +
            "`from`/`to`: the time range [from, to); `cursor`: the previous page's `nextCursor`.",
          querystring: z.object({
            operator: z.string().max(64).optional(),
            action: z.string().max(64).optional(),
            target: z.string().max(128).optional(),
            from: z.iso.datetime({ offset: true }).optional(),
            to: z.iso.datetime({ offset: true }).optional(),
            cursor: z
              .string()
              .regex(/^\d{1,18}$/)
              .optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
          }),
          response: {
            200: z.object({ entries: z.array(auditEntrySchema), nextCursor: z.string().nullable() }),
            ...ERRORS,
          },
        },
      },
    ),
    async (request) => {
      const { operator, action, target, from, to, cursor, limit } = request.query;
      const page = await service.auditLog({
        operator,
        action,
        target,
        from: from === undefined ? undefined : new Date(from),
        to: to === undefined ? undefined : new Date(to),
        cursor: cursor === undefined ? undefined : BigInt(cursor),
        limit,
      });
      return {
        entries: page.entries.map((entry) => ({
          ...entry,
          seq: entry.seq.toString(),
          at: entry.at.toISOString(),
        })),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.post(
    '/v1/operator/audit-log/verify',
    signedIn(
      app,
      { principal: 'operator', permission: 'audit:read' },
      {
        schema: {
          tags: TAGS,
          summary: "Recompute the audit log's hash chain (the check `npx qianbao verify` runs)",
          description: 'Reads the whole log; the run itself is recorded in the log (`audit.verify`).',
          response: { 200: verifySchema, ...ERRORS },
        },
      },
    ),
    async (request) => {
      const report = await service.verifyAuditLog();
      const operator = principalOf(request, 'operator');
      await service.audit({
        operatorId: operator.id,
        action: 'audit.verify',
        target: null,
        details: { ok: report.ok, entries: report.entries, firstBrokenSeq: report.firstBrokenSeq },
      });
      return report;
    },
  );

  app.get(
    '/v1/operator/operators',
    signedIn(
      app,
      { principal: 'operator', permission: 'operators:manage' },
      {
        schema: {
          tags: ADMIN_TAGS,
          summary: 'Every operator account',
          response: { 200: z.object({ operators: z.array(accountSchema) }), ...ADMIN_ERRORS },
        },
      },
    ),
    async () => ({ operators: (await service.list()).map(accountJson) }),
  );

  app.post(
    '/v1/operator/operators',
    signedIn(
      app,
      { principal: 'operator', permission: 'operators:manage' },
      {
        schema: {
          tags: ADMIN_TAGS,
          summary: 'Make an operator account: its password and authenticator secret are shown once',
          description: 'OPERATOR_EXISTS (409) when the username is taken. Audited (`operator.create`).',
          body: z.strictObject({
            username: z
              .string()
              .trim()
              .toLowerCase()
              .regex(/^[a-z][a-z0-9._-]{2,31}$/, '3–32 characters: a letter, then letters, digits, . _ -'),
            displayName: z.string().trim().min(1).max(64).optional(),
            role: roleSchema,
          }),
          response: {
            201: z.object({ operator: operatorSchema, password: z.string(), ...enrolmentSchema }),
            ...ADMIN_ERRORS,
          },
        },
      },
    ),
    async (request, reply) => {
      const actor = principalOf(request, 'operator');
      const created = await service.create({ ...request.body, actorId: actor.id });
      return reply.code(201).send(created);
    },
  );

  app.put(
    '/v1/operator/operators/:operatorId/role',
    signedIn(
      app,
      { principal: 'operator', permission: 'operators:manage' },
      {
        schema: {
          tags: ADMIN_TAGS,
          summary: "Change another operator's role (from its next request)",
          description:
            'OPERATOR_SELF_CHANGE (409) for your own account, OPERATOR_DISABLED (409), OPERATOR_NOT_FOUND (404). ' +
            'Audited with before and after (`operator.role_change`).',
          params: operatorIdParams,
          body: z.strictObject({ role: roleSchema, reason: reasonSchema }),
          response: { 200: z.object({ operator: operatorSchema }), ...ADMIN_ERRORS },
        },
      },
    ),
    async (request) => ({
      operator: await service.changeRole({
        actorId: principalOf(request, 'operator').id,
        operatorId: request.params.operatorId,
        ...request.body,
      }),
    }),
  );

  app.post(
    '/v1/operator/operators/:operatorId/disable',
    signedIn(
      app,
      { principal: 'operator', permission: 'operators:manage' },
      {
        schema: {
          tags: ADMIN_TAGS,
          summary: 'Disable another operator: its sessions end at once',
          description:
            'Disabling a disabled operator changes nothing. OPERATOR_SELF_CHANGE (409), OPERATOR_NOT_FOUND (404). ' +
            'Audited (`operator.disable`).',
          params: operatorIdParams,
          body: z.strictObject({ reason: reasonSchema }),
          response: { 200: z.object({ operator: accountSchema }), ...ADMIN_ERRORS },
        },
      },
    ),
    async (request) => {
      const account = await service.disable({
        actorId: principalOf(request, 'operator').id,
        operatorId: request.params.operatorId,
        reason: request.body.reason,
      });
      return { operator: accountJson(account) };
    },
  );

  app.post(
    '/v1/operator/operators/:operatorId/totp-reset',
    signedIn(
      app,
      { principal: 'operator', permission: 'operators:manage' },
      {
        schema: {
          tags: ADMIN_TAGS,
          summary: 'Give another operator a new authenticator secret (shown once); its sessions end',
          description:
            'OPERATOR_SELF_CHANGE (409), OPERATOR_DISABLED (409), OPERATOR_NOT_FOUND (404). Audited (`operator.totp_reset`).',
          params: operatorIdParams,
          body: z.strictObject({ reason: reasonSchema }),
          response: { 200: z.object(enrolmentSchema), ...ADMIN_ERRORS },
        },
      },
    ),
    async (request) =>
      service.resetTotp({
        actorId: principalOf(request, 'operator').id,
        operatorId: request.params.operatorId,
        reason: request.body.reason,
      }),
  );

  app.get(
    '/v1/operator/roles',
    signedIn(
      app,
      { principal: 'operator', permission: 'operators:manage' },
      {
        schema: {
          tags: ADMIN_TAGS,
          summary: 'What each role may do: the roles × actions table',
          response: {
            200: z.object({
              actions: z.array(z.string()),
              roles: z.array(z.object({ role: z.string(), actions: z.array(z.string()) })),
            }),
            ...ADMIN_ERRORS,
          },
        },
      },
    ),
    async () => service.roleMatrix(),
  );

  app.put(
    '/v1/operator/roles/:role',
    signedIn(
      app,
      { principal: 'operator', permission: 'operators:manage' },
      {
        schema: {
          tags: ADMIN_TAGS,
          summary: 'Set what a role may do (every operator with it, from their next request)',
          description:
            'OPERATOR_UNKNOWN_ACTION (400) for an action that is not a back-office one; OPERATOR_ROLE_LOCKOUT (409) ' +
            'for admin without operators:manage. Audited with before and after (`operator.role_permissions`).',
          params: z.object({ role: roleSchema }),
          body: z.strictObject({
            actions: z.array(z.string().max(64)).max(64),
            reason: reasonSchema,
          }),
          response: {
            200: z.object({ role: z.string(), actions: z.array(z.string()) }),
            ...ADMIN_ERRORS,
          },
        },
      },
    ),
    async (request) =>
      service.setRoleActions({
        actorId: principalOf(request, 'operator').id,
        role: request.params.role,
        actions: request.body.actions,
        reason: request.body.reason,
      }),
  );
  done();
};
