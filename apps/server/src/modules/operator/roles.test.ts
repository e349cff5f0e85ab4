/**
 * Permissions are data that admins edit: operator_role_permissions, seeded with the code's
 * defaults, read with the session on every request. Customer service is refused the real routes
 * of risk decisions, balance adjustments and limits; an admin taking an action from a role makes
 * that role's next request 403; the change is audited with before and after; admins cannot lock
 * themselves out. Operator accounts: made, re-roled, disabled (sessions end at once), TOTP reset.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS } from '../../auth/permissions.ts';
import { createTestApp, type TestApp } from '../../testing.ts';
import { OPERATOR_ROLES } from './service.ts';
import { signedInOperator, type SignedInOperator } from './testing.ts';

let subject: TestApp;
let admin: SignedInOperator;

beforeAll(async () => {
  subject = await createTestApp();
  admin = await signedInOperator(subject, 'admin');
});
afterAll(async () => {
  await subject.close();
});

const NO_SUCH_ID = '0193a000-0000-7000-8000-000000000000';

async function call(
  operator: SignedInOperator,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
) {
  return subject.app.inject({
    method,
    url,
    headers: operator.headers,
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
}

async function lastAudit(action: string) {
  const { rows } = await subject.database.pool.query<{
    operator_id: string;
    target: string;
    details: Record<string, unknown>;
  }>(
    'SELECT operator_id, target, details FROM operator_audit_log WHERE action = $1 ORDER BY seq DESC LIMIT 1',
    [action],
  );
  return rows[0];
}

/** Every mutating route under /v1/operator, from the OpenAPI document: "POST /v1/operator/…/{id}". */
function mutatingOperatorRoutes(): string[] {
  const document = subject.app.swagger() as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(document.paths)
    .filter(([path]) => path.startsWith('/v1/operator/'))
    .flatMap(([path, operations]) =>
      Object.keys(operations)
        .filter((method) => ['post', 'put', 'patch', 'delete'].includes(method))
        .map((method) => `${method.toUpperCase()} ${path}`),
    )
    .sort();
}

/** A route with a concrete id in each path parameter. */
function concrete(route: string): { method: 'POST' | 'PUT' | 'PATCH' | 'DELETE'; url: string } {
  const [method, path] = route.split(' ') as ['POST' | 'PUT' | 'PATCH' | 'DELETE', string];
  return { method, url: path.replace(/\{role\}/, 'support').replace(/\{[^}]+\}/g, NO_SUCH_ID) };
}

describe('the table', () => {
  it('is seeded with the defaults of auth/permissions.ts', async () => {
    const response = await call(admin, 'GET', '/v1/operator/roles');
    expect(response.statusCode, response.body).toBe(200);
    const matrix = response.json<{ actions: string[]; roles: { role: string; actions: string[] }[] }>();
    expect(matrix.roles.map((row) => row.role).sort()).toEqual([...OPERATOR_ROLES].sort());
    for (const row of matrix.roles)
      expect(new Set(row.actions), row.role).toEqual(
        new Set(PERMISSIONS.operator[row.role as keyof typeof PERMISSIONS.operator]),
      );
    expect(new Set(matrix.actions)).toEqual(new Set(PERMISSIONS.operator.admin));
  });

  it('GET /v1/operator/me answers the permissions read from it', async () => {
    const support = await signedInOperator(subject, 'support');
    const me = await call(support, 'GET', '/v1/operator/me');
    expect(me.statusCode).toBe(200);
    expect(new Set(me.json<{ permissions: string[] }>().permissions)).toEqual(
      new Set(PERMISSIONS.operator.support),
    );
  });

  it('is for operators:manage only', async () => {
    const risk = await signedInOperator(subject, 'risk');
    expect((await call(risk, 'GET', '/v1/operator/roles')).statusCode).toBe(403);
    expect(
      (await call(risk, 'PUT', '/v1/operator/roles/risk', { actions: ['risk:decide'], reason: 'me' }))
        .statusCode,
    ).toBe(403);
    expect((await call(risk, 'GET', '/v1/operator/operators')).statusCode).toBe(403);
  });
});

describe('customer service (support)', () => {
  it('cannot approve a risk case, adjust a balance or change limits: the real routes answer 403', async () => {
    const support = await signedInOperator(subject, 'support');
    const riskApprove = await call(support, 'POST', `/v1/operator/risk/cases/${NO_SUCH_ID}/approve`, {});
    expect(riskApprove.statusCode).toBe(403);
    expect(riskApprove.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    // the same call by an admin passes the permission check (and finds no such case)
    expect(
      (await call(admin, 'POST', `/v1/operator/risk/cases/${NO_SUCH_ID}/approve`, {})).statusCode,
    ).not.toBe(403);

    // Every mutating route that takes balances:adjust or limits:configure (adjustments, tier limits,
    // fees): found by path, each refused to support and not to an admin.
    const moneyAndLimits = mutatingOperatorRoutes().filter((route) =>
      /\/(adjustments|configuration|kyc\/tiers|limits|fees)\b/.test(route),
    );
    for (const route of moneyAndLimits) {
      const { method, url } = concrete(route);
      const refused = await call(support, method, url, {});
      expect(refused.statusCode, `${route}: ${refused.body}`).toBe(403);
      expect((await call(admin, method, url, {})).statusCode, route).not.toBe(403);
    }
  });
});

describe('an admin edits a role', () => {
  it("taking an action from a role makes that role's next request 403, audited with before and after", async () => {
    const kyc = await signedInOperator(subject, 'kyc_reviewer');
    expect((await call(kyc, 'GET', '/v1/operator/kyc/reviews')).statusCode).toBe(200);

    const without = PERMISSIONS.operator.kyc_reviewer.filter((action) => action !== 'kyc:review');
    const edit = await call(admin, 'PUT', '/v1/operator/roles/kyc_reviewer', {
      actions: without,
      reason: 'reviews move to the new team',
    });
    expect(edit.statusCode, edit.body).toBe(200);

    // the same session, its very next request
    const refused = await call(kyc, 'GET', '/v1/operator/kyc/reviews');
    expect(refused.statusCode).toBe(403);
    const me = await call(kyc, 'GET', '/v1/operator/me');
    expect(me.json<{ permissions: string[] }>().permissions).not.toContain('kyc:review');

    const entry = await lastAudit('operator.role_permissions');
    expect(entry).toMatchObject({
      operator_id: admin.id,
      target: 'role:kyc_reviewer',
      details: {
        role: 'kyc_reviewer',
        removed: ['kyc:review'],
        added: [],
        reason: 'reviews move to the new team',
        before: expect.arrayContaining(['kyc:review']) as string[],
        after: expect.not.arrayContaining(['kyc:review']) as string[],
      },
    });

    // and giving it back works from the next request too
    const back = await call(admin, 'PUT', '/v1/operator/roles/kyc_reviewer', {
      actions: [...PERMISSIONS.operator.kyc_reviewer],
      reason: 'undo',
    });
    expect(back.statusCode).toBe(200);
    expect((await call(kyc, 'GET', '/v1/operator/kyc/reviews')).statusCode).toBe(200);
  });

  it('refuses an unknown action and taking operators:manage from admin', async () => {
    const unknown = await call(admin, 'PUT', '/v1/operator/roles/support', {
      actions: ['holders:read', 'wallet:manage', 'everything:all'],
      reason: 'x',
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({
      error: { code: 'OPERATOR_UNKNOWN_ACTION', details: { actions: ['wallet:manage', 'everything:all'] } },
    });
    const lockout = await call(admin, 'PUT', '/v1/operator/roles/admin', {
      actions: PERMISSIONS.operator.admin.filter((action) => action !== 'operators:manage'),
      reason: 'oops',
    });
    expect(lockout.statusCode).toBe(409);
    expect(lockout.json()).toMatchObject({ error: { code: 'OPERATOR_ROLE_LOCKOUT' } });
    expect((await call(admin, 'GET', '/v1/operator/roles')).statusCode).toBe(200);
    const noReason = await call(admin, 'PUT', '/v1/operator/roles/support', { actions: [], reason: '  ' });
    expect(noReason.statusCode).toBe(400);
  });
});

describe('operator accounts', () => {
  it('an admin makes one: password and TOTP secret shown once, and it signs in with them', async () => {
    const made = await call(admin, 'POST', '/v1/operator/operators', {
      username: 'New.Support',
      displayName: '客服小王',
      role: 'support',
    });
    expect(made.statusCode, made.body).toBe(201);
    const body = made.json<{
      operator: { id: string; username: string; role: string };
      password: string;
      totpSecret: string;
      otpauthUri: string;
    }>();
    expect(body.operator).toMatchObject({ username: 'new.support', role: 'support' });
    expect(body.otpauthUri).toMatch(/^otpauth:\/\/totp\/Qianbao:new\.support\?/);
    const login = await subject.app.inject({
      method: 'POST',
      url: '/v1/operator/login',
      payload: {
        username: 'new.support',
        password: body.password,
        totpCode: new TOTP({ secret: Secret.fromBase32(body.totpSecret) }).generate(),
      },
    });
    expect(login.statusCode, login.body).toBe(200);
    expect(await lastAudit('operator.create')).toMatchObject({
      operator_id: admin.id,
      target: body.operator.id,
      details: { username: 'new.support', role: 'support' },
    });
    const again = await call(admin, 'POST', '/v1/operator/operators', {
      username: 'new.support',
      role: 'risk',
    });
    expect(again.statusCode).toBe(409);
    const list = await call(admin, 'GET', '/v1/operator/operators');
    const listed = list.json<{
      operators: { username: string; displayName: string; lastSignInAt: string | null }[];
    }>();
    expect(listed.operators.find((o) => o.username === 'new.support')).toMatchObject({
      displayName: '客服小王',
      lastSignInAt: expect.any(String) as string,
    });
  });

  it('changing a role applies to the next request; disabling ends its sessions at once', async () => {
    const target = await signedInOperator(subject, 'support');
    expect((await call(target, 'GET', '/v1/operator/risk/cases')).statusCode).toBe(403);
    const reRole = await call(admin, 'PUT', `/v1/operator/operators/${target.id}/role`, {
      role: 'risk',
      reason: 'moved to risk',
    });
    expect(reRole.statusCode, reRole.body).toBe(200);
    expect((await call(target, 'GET', '/v1/operator/risk/cases')).statusCode).toBe(200);
    expect(await lastAudit('operator.role_change')).toMatchObject({
      target: target.id,
      details: { before: 'support', after: 'risk', reason: 'moved to risk' },
    });

    // 30 identical disables at once: one takes effect and is audited, all answer the disabled account
    const disables = await Promise.all(
      Array.from({ length: 30 }, () =>
        call(admin, 'POST', `/v1/operator/operators/${target.id}/disable`, { reason: 'left the bank' }),
      ),
    );
    for (const response of disables) expect(response.statusCode, response.body).toBe(200);
    expect(
      disables[0]?.json<{ operator: { disabledAt: string | null } }>().operator.disabledAt,
    ).not.toBeNull();
    const { rows } = await subject.database.pool.query<{ count: string }>(
      `SELECT count(*)::text FROM operator_audit_log WHERE action = 'operator.disable' AND target = $1`,
      [target.id],
    );
    expect(rows[0]?.count).toBe('1');
    expect((await call(target, 'GET', '/v1/operator/me')).statusCode).toBe(401);
    const reRoleDisabled = await call(admin, 'PUT', `/v1/operator/operators/${target.id}/role`, {
      role: 'support',
      reason: 'x',
    });
    expect(reRoleDisabled.json()).toMatchObject({ error: { code: 'OPERATOR_DISABLED' } });
  });

  it('a TOTP reset ends the sessions and only the new secret signs in; nobody changes their own account', async () => {
    const created = await subject.app.services.operator.create({ username: 'lost.phone', role: 'finance' });
    const oldTotp = new TOTP({ secret: Secret.fromBase32(created.totpSecret) });
    const reset = await call(admin, 'POST', `/v1/operator/operators/${created.operator.id}/totp-reset`, {
      reason: 'lost phone',
    });
    expect(reset.statusCode, reset.body).toBe(200);
    const { totpSecret } = reset.json<{ totpSecret: string }>();
    const withOld = await subject.app.inject({
      method: 'POST',
      url: '/v1/operator/login',
      payload: { username: 'lost.phone', password: created.password, totpCode: oldTotp.generate() },
    });
    expect(withOld.statusCode).toBe(401);
    const withNew = await subject.app.inject({
      method: 'POST',
      url: '/v1/operator/login',
      payload: {
        username: 'lost.phone',
        password: created.password,
        totpCode: new TOTP({ secret: Secret.fromBase32(totpSecret) }).generate(),
      },
    });
    expect(withNew.statusCode, withNew.body).toBe(200);
    expect(await lastAudit('operator.totp_reset')).toMatchObject({ target: created.operator.id });

    for (const [method, path, payload] of [
      ['PUT', 'role', { role: 'support', reason: 'x' }],
      ['POST', 'disable', { reason: 'x' }],
      ['POST', 'totp-reset', { reason: 'x' }],
    ] as const) {
      const self = await call(admin, method, `/v1/operator/operators/${admin.id}/${path}`, payload);
      expect(self.json(), path).toMatchObject({ error: { code: 'OPERATOR_SELF_CHANGE' } });
    }
    const missing = await call(admin, 'POST', `/v1/operator/operators/${NO_SUCH_ID}/disable`, {
      reason: 'x',
    });
    expect(missing.statusCode).toBe(404);
  });
});

/**
 * Every operator action leaves an audit entry. Each mutating route under /v1/operator has a row
 * here naming the entry it writes; a new route without a row fails the first test, so whoever
 * adds one says what it records (and the module's own test checks the entry is written).
 */
const AUDITED: Record<string, string> = {
  'POST /v1/operator/login': 'operator.login (operator.login_failed)',
  'POST /v1/operator/logout': 'operator.logout',
  'POST /v1/operator/audit-log/verify': 'audit.verify',
  'POST /v1/operator/operators': 'operator.create',
  'PUT /v1/operator/operators/{operatorId}/role': 'operator.role_change',
  'POST /v1/operator/operators/{operatorId}/disable': 'operator.disable',
  'POST /v1/operator/operators/{operatorId}/totp-reset': 'operator.totp_reset',
  'PUT /v1/operator/roles/{role}': 'operator.role_permissions',
  // passkeys (passkeys.ts; passkeys.test.ts checks the entries)
  'POST /v1/operator/passkey/login': 'operator.login (operator.login_failed), with method passkey',
  'POST /v1/operator/me/passkeys': 'operator.passkey_added',
  'DELETE /v1/operator/me/passkeys/{passkeyId}': 'operator.passkey_removed',
  'POST /v1/operator/me/passkeys/registration-options': 'operator.reauth_failed when the code is wrong',
  'POST /v1/operator/operators/{operatorId}/passkeys/remove': 'operator.passkeys_removed',
  'POST /v1/operator/kyc/reviews/{reviewId}/decision': 'kyc.review_approved | kyc.review_rejected',
  'POST /v1/operator/holders/{userId}/freeze': 'freeze.frozen',
  'POST /v1/operator/holders/{userId}/unfreeze': 'freeze.lifted',
  'POST /v1/operator/risk/cases/{id}/approve': 'risk.case_approved',
  'POST /v1/operator/risk/cases/{id}/reject': 'risk.case_rejected',
  'POST /v1/operator/risk/rule-sets': 'risk.rule_set_drafted',
  'POST /v1/operator/risk/rule-sets/{version}/activate': 'risk.rule_set_activated',
  'PUT /v1/operator/risk/lists/{list}/{value}': 'risk.list_entry_set',
  'DELETE /v1/operator/risk/lists/{list}/{value}': 'risk.list_entry_removed',
  'POST /v1/operator/merchants/{id}/decision': 'merchants.approved | merchants.rejected',
  // issue 15's other modules (approvals, console, disputes, help, support)
  'POST /v1/operator/adjustments': 'approvals.adjustment_proposed',
  'POST /v1/operator/adjustments/{id}/cancel': 'approvals.adjustment_cancelled',
  'POST /v1/operator/adjustments/{id}/decision': 'approvals.adjustment_… (decision, refused, posted)',
  'POST /v1/operator/configuration/changes': 'approvals.configuration_proposed',
  'POST /v1/operator/configuration/changes/{id}/cancel': 'approvals.configuration_cancelled',
  'POST /v1/operator/configuration/changes/{id}/decision': 'approvals.configuration_… (decision, refused)',
  'POST /v1/operator/disputes/{id}/ask-merchant': 'disputes.merchant_asked',
  'POST /v1/operator/disputes/{id}/merchant-answer': 'disputes.merchant_answered',
  'POST /v1/operator/disputes/{id}/refund': 'disputes.refunded',
  'POST /v1/operator/disputes/{id}/reject': 'disputes.rejected',
  'POST /v1/operator/disputes/{id}/take': 'disputes.taken',
  'POST /v1/operator/help/articles': 'help.article_created',
  'PUT /v1/operator/help/articles/{id}': 'help.article_updated',
  'POST /v1/operator/help/articles/{id}/publication': 'help.article_published | help.article_unpublished',
  'POST /v1/operator/holders/{userId}/notes': 'console.note_added',
  'POST /v1/operator/holders/{userId}/reveal': 'console.pii_revealed',
  'POST /v1/operator/ledger/verify': 'console.ledger_verified',
  'POST /v1/operator/support/templates': 'support.template_created',
  'PUT /v1/operator/support/templates/{templateId}': 'support.template_changed',
  'DELETE /v1/operator/support/templates/{templateId}': 'support.template_deleted',
  'POST /v1/operator/support/tickets/{id}/assign': 'support.assigned',
  'POST /v1/operator/support/tickets/{id}/claim': 'support.claimed',
  'POST /v1/operator/support/tickets/{id}/close': 'support.closed',
  'POST /v1/operator/support/tickets/{id}/messages': 'support.answered',
  'POST /v1/operator/support/tickets/{id}/resolve': 'support.resolved',
  // A single-use sign-in challenge, before anyone is known; nothing else changes.
  'POST /v1/operator/passkey/options': 'none: only a short-lived challenge',
  // A backtest only computes (what a draft would have decided); nothing changes.
  'POST /v1/operator/risk/rule-sets/{version}/backtest': 'none: changes nothing',
};

describe('every operator action leaves an audit entry', () => {
  it('each mutating route under /v1/operator is in the table (new ones: add a row)', () => {
    const missing = mutatingOperatorRoutes().filter((route) => !(route in AUDITED));
    expect(missing, 'routes with no audit entry declared').toEqual([]);
    // and each declared entry is written somewhere in the modules' code: a literal action, or
    // (approvals writes `approvals.${kind}_…`) its module's prefix in a template
    const source = readModulesSource();
    for (const [route, declared] of Object.entries(AUDITED)) {
      if (declared.startsWith('none:')) continue;
      const action = /^[a-z_]+\.[a-z_]+/.exec(declared)?.[0] ?? declared;
      const literal = source.includes(`'${action}'`) || source.includes(`'${action}`);
      const templated = source.includes(`\`${action.split('.')[0]}.\${`);
      expect(literal || templated, `${route} → ${declared}`).toBe(true);
    }
  });

  it("this module's routes write theirs (the others' modules test their own)", async () => {
    const { rows } = await subject.database.pool.query<{ action: string }>(
      'SELECT DISTINCT action FROM operator_audit_log',
    );
    const written = new Set(rows.map((row) => row.action));
    for (const action of [
      'operator.login',
      'operator.create',
      'operator.role_change',
      'operator.disable',
      'operator.totp_reset',
      'operator.role_permissions',
    ])
      expect(written, action).toContain(action);
    const logout = await call(admin, 'POST', '/v1/operator/logout');
    expect(logout.statusCode).toBe(204);
    expect(await lastAudit('operator.logout')).toMatchObject({ operator_id: admin.id });
  });
});

/** The server modules' code (not tests): where audit actions are written. */
function readModulesSource(): string {
  const root = path.resolve(import.meta.dirname, '..');
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.includes('node_modules'))
    .map((file) => readFileSync(path.join(root, file), 'utf8'))
    .join('\n');
}
