/**
 * The one declaration of a signed-in route, end to end: a principal of the wrong kind is 401, one
 * of the right kind without the action is 403 before its body is looked at, and the OpenAPI
 * document says so for every signed-in route.
 */
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerHolder } from '../modules/identity/testing.ts';
import type { OperatorRole } from '../modules/operator/index.ts';
import { createTestApp, type TestApp } from '../testing.ts';

let subject: TestApp;

beforeAll(async () => {
  subject = await createTestApp();
});

afterAll(async () => {
  await subject.close();
});

async function operatorHeaders(role: OperatorRole, username: string) {
  const created = await subject.app.services.operator.create({ username, role });
  const totp = new TOTP({ secret: Secret.fromBase32(created.totpSecret), digits: 6, period: 30 });
  const login = await subject.app.inject({
    method: 'POST',
    url: '/v1/operator/login',
    payload: { username, password: created.password, totpCode: totp.generate() },
  });
  expect(login.statusCode, login.body).toBe(200);
  return { authorization: `Bearer ${login.json<{ token: string }>().token}` };
}

describe('signedIn', () => {
  it("answers 401 to another kind's credentials and 403 to a role without the action", async () => {
    const support = await operatorHeaders('support', 'support.signed-in');
    const holder = await registerHolder(subject.app);

    const operatorOnHolderRoute = await subject.app.inject({
      method: 'GET',
      url: '/v1/me',
      headers: support,
    });
    expect(operatorOnHolderRoute.statusCode).toBe(401);
    expect(operatorOnHolderRoute.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    expect(operatorOnHolderRoute.headers['www-authenticate']).toBe('Bearer');

    const holderOnOperatorRoute = await subject.app.inject({
      method: 'GET',
      url: '/v1/operator/me',
      headers: holder.headers,
    });
    expect(holderOnOperatorRoute.statusCode).toBe(401);

    // customer service may sign in and see itself, not review real-name documents
    const me = await subject.app.inject({ method: 'GET', url: '/v1/operator/me', headers: support });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ username: 'support.signed-in', role: 'support' });
    const queue = await subject.app.inject({
      method: 'GET',
      url: '/v1/operator/kyc/reviews',
      headers: support,
    });
    expect(queue.statusCode).toBe(403);
    expect(queue.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    // refused before the body is validated: the route's shape is none of its business
    const decision = await subject.app.inject({
      method: 'POST',
      url: '/v1/operator/kyc/reviews/not-a-uuid/decision',
      headers: support,
      payload: { decision: 'maybe' },
    });
    expect(decision.statusCode).toBe(403);

    // Tier limits change through a maker-checker proposal (issue 15, the approvals module).
    const finance = await operatorHeaders('finance', 'finance.signed-in');
    const limits = await subject.app.inject({
      method: 'POST',
      url: '/v1/operator/configuration/changes',
      headers: finance,
      payload: {},
    });
    expect(limits.statusCode).toBe(403);
  });

  it('documents the security and the 401/403 answers of every signed-in route', async () => {
    const document = (await subject.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, { security?: Record<string, string[]>[]; responses: object }>>;
    }>();
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        route: `${method.toUpperCase()} ${path}`,
        operation,
      })),
    );
    // A holder's own routes, and (under /v1/me/merchant) the staff's: a session acting for a merchant.
    const onboarding = ['POST /v1/me/merchant', 'POST /v1/me/merchant/company'];
    const isStaffRoute = (route: string) =>
      / \/v1\/me\/merchant(\/|$)/.test(route) && !onboarding.includes(route);
    const holderRoutes = operations.filter(
      ({ route }) => / \/v1\/me(\/|$)/.test(route) && !isStaffRoute(route),
    );
    expect(holderRoutes.length).toBeGreaterThan(30);
    for (const { route, operation } of holderRoutes) {
      expect(operation.security, route).toEqual([{ holderSession: [] }, { sessionCookie: [] }]);
      expect(operation.responses, route).toHaveProperty('401');
    }
    // The merchant API a shop's servers use takes the merchant's API keys too (ADR 0020), each
    // route listing the scopes that allow it (any one will do).
    const READERS = ['payments:write', 'refunds:write', 'read_only'];
    const API_KEY_ROUTES: Record<string, string[]> = {
      'POST /v1/me/merchant/orders': ['payments:write'],
      'GET /v1/me/merchant/orders': READERS,
      'GET /v1/me/merchant/orders/{merchantOrderId}': READERS,
      'POST /v1/me/merchant/orders/{merchantOrderId}/close': ['payments:write'],
      'POST /v1/me/merchant/orders/{merchantOrderId}/refunds': ['refunds:write'],
      'GET /v1/me/merchant/orders/{merchantOrderId}/refunds/{merchantRefundId}': READERS,
      'GET /v1/me/merchant/orders/{merchantOrderId}/charge': READERS,
      'POST /v1/me/merchant/charges': ['payments:write'],
      'GET /v1/me/merchant/charges/{id}': ['payments:write'],
      'POST /v1/me/merchant/checkouts': ['payments:write'],
      'GET /v1/me/merchant/settlements': ['payouts:write'],
      'POST /v1/me/merchant/settlements': ['payouts:write'],
      'GET /v1/me/merchant/settlements/{id}': ['payouts:write'],
      'GET /v1/me/merchant/statements/{date}': READERS,
      'GET /v1/me/merchant/webhook-endpoints/{id}/deliveries': READERS,
      'GET /v1/me/merchant/webhook-deliveries/{id}': READERS,
      'POST /v1/me/merchant/webhook-deliveries/{id}/resend': READERS,
    };
    const staffRoutes = operations.filter(({ route }) => isStaffRoute(route));
    expect(staffRoutes.length).toBeGreaterThan(20);
    const sessions = [
      { holderSession: [], merchantSelector: [] },
      { sessionCookie: [], merchantSelector: [] },
    ];
    for (const { route, operation } of staffRoutes) {
      const scopes = API_KEY_ROUTES[route] ?? [];
      const security = [...scopes.map((scope) => ({ apiKey: [scope] })), ...sessions];
      expect(operation.security, route).toEqual(security);
      expect(operation.responses, route).toHaveProperty('401');
    }
    expect(staffRoutes.filter(({ route }) => route in API_KEY_ROUTES)).toHaveLength(
      Object.keys(API_KEY_ROUTES).length,
    );
    const permissioned = operations.filter(({ route }) =>
      /\/v1\/operator\/(kyc|reconciliation|audit-log)/.test(route),
    );
    expect(permissioned).toHaveLength(7);
    for (const { route, operation } of permissioned) {
      expect(operation.security, route).toEqual([{ operatorSession: [] }]);
      expect(operation.responses, route).toHaveProperty('401');
      expect(operation.responses, route).toHaveProperty('403');
    }
    const login = operations.find(({ route }) => route === 'POST /v1/operator/login');
    expect(login?.operation.security).toBeUndefined();
  });
});
