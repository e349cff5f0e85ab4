/**
 * OAuth 2 client credentials over API keys (oauth.ts, RFC 6749 §4.4): a key's credentials trade
 * for an hour's access token that acts as the key with its scopes or fewer, dies with the key, and
 * fails in the RFC's shapes.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecurityTestApp } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import { shopOf } from '../merchants/testing.ts';
import type { TestShop } from '../merchants/testing.ts';
import { cny, errorCode } from '../transfers/testing.ts';
import { grantedScopes, readTokenRequest } from './oauth.ts';

let subject: SecurityTestApp;
let shop: TestShop;
beforeAll(async () => {
  subject = await createSecurityTestApp();
  shop = await shopOf(subject);
});
afterAll(async () => subject?.close());

async function makeKey(scopes: string[], mode = 'live') {
  const response = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/merchant/api-keys',
    headers: shop.owner.headers,
    payload: { name: 'oauth client', scopes, mode },
  });
  expect(response.statusCode, response.body).toBe(201);
  const { id, secret } = response.json<{ id: string; secret: string }>();
  const split = secret.lastIndexOf('_');
  return { id, clientId: secret.slice(0, split), clientSecret: secret.slice(split + 1) };
}

function token(form: Record<string, string>, headers: Record<string, string> = {}) {
  return subject.app.inject({
    method: 'POST',
    url: '/v1/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams(form).toString(),
  });
}

function basic(clientId: string, clientSecret: string) {
  return { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` };
}

function makeOrder(bearer: string) {
  return subject.app.inject({
    method: 'POST',
    url: '/v1/me/merchant/orders',
    headers: { authorization: `Bearer ${bearer}` },
    payload: { merchantOrderId: `o${randomUUID().slice(0, 12)}`, amount: cny('100'), description: '面' },
  });
}

describe('the token endpoint', () => {
  it('trades a key’s credentials (Basic or body) for an hour’s token that acts as the key', async () => {
    const key = await makeKey(['payments:write', 'refunds:write']);
    const issued = await token({ grant_type: 'client_credentials' }, basic(key.clientId, key.clientSecret));
    expect(issued.statusCode, issued.body).toBe(200);
    expect(issued.headers['cache-control']).toBe('no-store');
    const body = issued.json<{
      access_token: string;
      token_type: string;
      expires_in: number;
      scope: string;
    }>();
    expect(body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'payments:write refunds:write',
    });
    expect(body.access_token).toMatch(/^qbo_[0-9a-f]{16}_[0-9a-f]{64}$/);
    const made = await makeOrder(body.access_token);
    expect(made.statusCode, made.body).toBe(201);
    // The request log is the key's (written after the answer, so it may trail it a moment).
    await expect
      .poll(async () => {
        const log = await subject.app.inject({
          method: 'GET',
          url: `/v1/me/merchant/api-keys/${key.id}/requests`,
          headers: shop.owner.headers,
        });
        return log.json<{ requests: { path: string }[] }>().requests.map((r) => r.path);
      })
      .toContain('/v1/me/merchant/orders');
    // In the body instead of Basic.
    const inBody = await token({
      grant_type: 'client_credentials',
      client_id: key.clientId,
      client_secret: key.clientSecret,
    });
    expect(inBody.statusCode, inBody.body).toBe(200);
  });

  it('narrows the scopes; a token of refunds only cannot make orders', async () => {
    const key = await makeKey(['payments:write', 'refunds:write']);
    const issued = await token(
      { grant_type: 'client_credentials', scope: 'refunds:write' },
      basic(key.clientId, key.clientSecret),
    );
    expect(issued.json()).toMatchObject({ scope: 'refunds:write' });
    const refused = await makeOrder(issued.json<{ access_token: string }>().access_token);
    expect(refused.statusCode).toBe(403);
    const wider = await token(
      { grant_type: 'client_credentials', scope: 'payouts:write' },
      basic(key.clientId, key.clientSecret),
    );
    expect(wider.statusCode).toBe(400);
    expect(wider.json()).toMatchObject({ error: 'invalid_scope' });
  });

  it('answers the RFC’s failures: invalid_client (401), unsupported_grant_type, invalid_request', async () => {
    const key = await makeKey(['read_only']);
    const wrong = await token({ grant_type: 'client_credentials' }, basic(key.clientId, 'ab'.repeat(32)));
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ error: 'invalid_client' });
    expect(wrong.headers['www-authenticate']).toContain('Basic');
    const grant = await token({ grant_type: 'password' }, basic(key.clientId, key.clientSecret));
    expect(grant.statusCode).toBe(400);
    expect(grant.json()).toMatchObject({ error: 'unsupported_grant_type' });
    const none = await token({}, basic(key.clientId, key.clientSecret));
    expect(none.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('a token dies with its key (revoked: refused at once) and after its hour', async () => {
    const key = await makeKey(['payments:write']);
    const issue = async () =>
      (await token({ grant_type: 'client_credentials' }, basic(key.clientId, key.clientSecret))).json<{
        access_token: string;
      }>().access_token;
    const first = await issue();
    subject.clock.advance(3599);
    expect((await makeOrder(first)).statusCode).toBe(201);
    subject.clock.advance(2);
    const expired = await makeOrder(first);
    expect(expired.statusCode).toBe(401);
    expect(errorCode(expired)).toBe('API_KEY_INVALID');

    const second = await issue();
    const revoked = await subject.app.inject({
      method: 'DELETE',
      url: `/v1/me/merchant/api-keys/${key.id}`,
      headers: shop.owner.headers,
    });
    expect(revoked.statusCode).toBe(200);
    expect((await makeOrder(second)).statusCode).toBe(401);
    const again = await token({ grant_type: 'client_credentials' }, basic(key.clientId, key.clientSecret));
    expect(again.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('a tampered token is refused', async () => {
    const key = await makeKey(['payments:write']);
    const issued = (
      await token({ grant_type: 'client_credentials' }, basic(key.clientId, key.clientSecret))
    ).json<{ access_token: string }>().access_token;
    const tampered = `${issued.slice(0, -1)}${issued.endsWith('0') ? '1' : '0'}`;
    expect((await makeOrder(tampered)).statusCode).toBe(401);
  });

  it('a test key’s token acts in test mode', async () => {
    const key = await makeKey(['payments:write'], 'test');
    expect(key.clientId).toMatch(/^qbk_test_/);
    const issued = (
      await token({ grant_type: 'client_credentials' }, basic(key.clientId, key.clientSecret))
    ).json<{ access_token: string }>().access_token;
    const made = await makeOrder(issued);
    expect(made.statusCode, made.body).toBe(201);
    const number = made.json<{ merchantOrderId: string }>().merchantOrderId;
    const seenLive = await subject.app.inject({
      method: 'GET',
      url: `/v1/me/merchant/orders/${number}`,
      headers: shop.owner.headers,
    });
    expect(seenLive.statusCode).toBe(404);
  });
});

describe('reading a token request (pure)', () => {
  it('takes Basic or the body, never both, and checks the scopes', () => {
    const id = `qbk_live_${'a'.repeat(16)}`;
    const auth = `Basic ${Buffer.from(`${id}:s3cret`).toString('base64')}`;
    expect(readTokenRequest({ grant_type: 'client_credentials' }, auth)).toEqual({
      key: `${id}_s3cret`,
      scopes: null,
    });
    expect(readTokenRequest({ grant_type: 'client_credentials', client_secret: 'x' }, auth)).toMatchObject({
      error: 'invalid_request',
    });
    expect(
      readTokenRequest(
        { grant_type: 'client_credentials', client_id: 'nope', client_secret: 'x' },
        undefined,
      ),
    ).toMatchObject({ error: 'invalid_client' });
    expect(readTokenRequest({ grant_type: 'client_credentials', scope: 'admin' }, auth)).toMatchObject({
      error: 'invalid_scope',
    });
    expect(grantedScopes(['payments:write'], ['payments:write', 'refunds:write'])).toBeNull();
    expect(grantedScopes(['payments:write', 'read_only'], null)).toEqual(['payments:write', 'read_only']);
  });
});
