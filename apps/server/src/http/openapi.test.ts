/**
 * The OpenAPI document of the routes that take or answer money: every field described, money in
 * one shape in requests and answers, and every error status documented by the HTTP kit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../testing.ts';
import type { TestApp } from '../testing.ts';
import { ERRORS } from '../errors.ts';
import { errorMeaning, errorTitle, listedCodes } from './responses.ts';
import type { ErrorStatus } from './responses.ts';

interface Schema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  enum?: unknown[];
  $ref?: string;
}

interface Operation {
  tags?: string[];
  parameters?: { name: string; in: string; description?: string; schema?: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema: Schema }> }>;
}

type Document = { paths: Record<string, Record<string, Operation>> };

/** Routes that take or answer money. */
const MONEY_ROUTES: [method: string, path: string][] = [
  ['post', '/v1/me/transfers/preview'],
  ['post', '/v1/me/transfers'],
  ['get', '/v1/me/receive-code'],
  ['post', '/v1/me/payment-requests'],
  ['get', '/v1/me/payment-requests'],
  ['get', '/v1/payment-requests/{id}'],
  ['post', '/v1/payment-requests/{id}/preview'],
  ['post', '/v1/payment-requests/{id}/pay'],
  ['post', '/v1/payment-requests/{id}/cancel'],
  ['post', '/v1/me/top-ups/quote'],
  ['post', '/v1/me/withdrawals/quote'],
  ['post', '/v1/me/bank-transfers/quote'],
  ['post', '/v1/me/top-ups'],
  ['post', '/v1/me/withdrawals'],
  ['post', '/v1/me/bank-transfers'],
  ['get', '/v1/me/funding/{id}'],
  ['get', '/v1/me/transactions'],
  ['get', '/v1/me/transactions/{id}'],
  ['get', '/v1/me/balance'],
  ['get', '/v1/me/wallet'],
  ['post', '/v1/payments'],
  ['get', '/v1/payments/{id}'],
  ['post', '/v1/payments/{id}/confirm'],
  ['post', '/v1/payments/{id}/cancel'],
  ['put', '/v1/me/password-free'],
  ['post', '/v1/me/merchant'],
  ['get', '/v1/me/merchant'],
  ['get', '/v1/me/merchant/qr'],
  ['post', '/v1/me/merchant/orders'],
  ['get', '/v1/me/merchant/orders'],
  ['get', '/v1/me/merchant/orders/{merchantOrderId}'],
  ['post', '/v1/me/merchant/orders/{merchantOrderId}/close'],
  ['post', '/v1/me/merchant/orders/{merchantOrderId}/refunds'],
  ['get', '/v1/me/merchant/orders/{merchantOrderId}/refunds/{merchantRefundId}'],
  ['post', '/v1/merchant-codes/scan'],
  ['post', '/v1/me/merchant/checkouts'],
  ['get', '/v1/checkouts/{token}'],
  ['get', '/v1/me/payment-code'],
  ['post', '/v1/me/payment-code'],
  ['delete', '/v1/me/payment-code'],
  ['post', '/v1/me/merchant/charges'],
  ['get', '/v1/me/merchant/charges/{id}'],
  ['get', '/v1/me/merchant/orders/{merchantOrderId}/charge'],
  ['get', '/v1/me/charges/pending'],
  ['get', '/v1/me/charges/{id}'],
  ['post', '/v1/me/charges/{id}/confirm'],
  ['post', '/v1/me/charges/{id}/decline'],
  ['put', '/v1/me/merchant/settlement-card'],
  ['get', '/v1/me/merchant/settlement-card'],
  ['post', '/v1/me/merchant/settlements'],
  ['get', '/v1/me/merchant/settlements'],
  ['get', '/v1/me/merchant/settlements/{id}'],
  ['get', '/v1/me/merchant/statements/{date}'],
  ['get', '/v1/me/merchants'],
  ['get', '/v1/me/merchant/summary'],
  ['get', '/v1/me/merchant/staff'],
  ['post', '/v1/me/merchant/staff'],
  ['post', '/v1/me/red-packets/preview'],
  ['post', '/v1/me/red-packets'],
  ['get', '/v1/me/red-packets'],
  ['get', '/v1/me/red-packets/{id}'],
  ['get', '/v1/red-packets/{ref}'],
  ['post', '/v1/red-packets/{ref}/claims'],
  ['post', '/v1/me/splits'],
  ['get', '/v1/me/splits'],
  ['get', '/v1/me/splits/{id}'],
  ['post', '/v1/me/splits/{id}/reminders'],
  ['post', '/v1/me/splits/{id}/close'],
  ['post', '/v1/me/splits/{id}/shares/{shareId}/refund'],
  ['get', '/v1/splits/{ref}'],
  ['post', '/v1/splits/{ref}/preview'],
  ['post', '/v1/splits/{ref}/pay'],
];

/** Every property below `schema` without a description, as dotted paths. */
function undescribed(schema: Schema, at: string): string[] {
  const found: string[] = [];
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const path = at ? `${at}.${name}` : name;
    if (!property.description) found.push(path);
    found.push(...undescribed(property, path));
  }
  if (schema.items) found.push(...undescribed(schema.items, `${at}[]`));
  for (const part of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) {
    found.push(...undescribed(part, at));
  }
  return found;
}

/** Every schema below `schema` (itself included) shaped like money: `amount` beside `currency`. */
function moneyShapes(schema: Schema, at: string): [string, Schema][] {
  const found: [string, Schema][] = [];
  const properties = schema.properties ?? {};
  if (properties.amount && properties.currency) found.push([at, schema]);
  for (const [name, property] of Object.entries(properties)) {
    found.push(...moneyShapes(property, at ? `${at}.${name}` : name));
  }
  if (schema.items) found.push(...moneyShapes(schema.items, `${at}[]`));
  for (const part of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) {
    found.push(...moneyShapes(part, at));
  }
  return found;
}

describe('the OpenAPI document of the routes with money', () => {
  let subject: TestApp;
  let document: Document;
  beforeAll(async () => {
    subject = await createTestApp();
    document = (await subject.app.inject({ method: 'GET', url: '/openapi.json' })).json<Document>();
  });
  afterAll(async () => subject?.close());

  const operation = (method: string, path: string): Operation => {
    const found = document.paths[path]?.[method];
    if (!found) throw new Error(`${method.toUpperCase()} ${path} is not in the OpenAPI document`);
    return found;
  };

  it('describes every field of every request and answer, and every parameter', () => {
    const missing: string[] = [];
    for (const [method, path] of MONEY_ROUTES) {
      const { parameters = [], requestBody, responses } = operation(method, path);
      const route = `${method.toUpperCase()} ${path}`;
      for (const parameter of parameters) {
        if (!parameter.description && !parameter.schema?.description) {
          missing.push(`${route} ${parameter.in} ${parameter.name}`);
        }
      }
      const body = requestBody?.content['application/json']?.schema;
      if (body) missing.push(...undescribed(body, '').map((field) => `${route} body ${field}`));
      for (const [status, response] of Object.entries(responses)) {
        if (!response.description) missing.push(`${route} ${status}`);
        const schema = response.content?.['application/json']?.schema;
        if (schema) missing.push(...undescribed(schema, '').map((field) => `${route} ${status} ${field}`));
      }
    }
    expect(missing).toEqual([]);
  });

  it('takes money as {"amount", "currency"} with the currency named, on every route with an amount', () => {
    const bodies: string[] = [];
    for (const [method, path] of MONEY_ROUTES) {
      const body = operation(method, path).requestBody?.content['application/json']?.schema;
      if (!body) continue;
      for (const [field, schema] of moneyShapes(body, '')) {
        bodies.push(`${method.toUpperCase()} ${path} ${field}`);
        expect(schema.required, `${path} ${field}`).toEqual(['amount', 'currency']);
        expect(schema.properties!.amount).toMatchObject({ type: 'string', maxLength: 15 });
        expect(schema.properties!.currency!.enum, `${path} ${field}`).toEqual(['CNY']);
      }
      // No amount is a bare string any more.
      expect(body.properties?.amount?.type, `${path} amount`).not.toBe('string');
    }
    expect(bodies).toEqual([
      'POST /v1/me/transfers/preview amount',
      'POST /v1/me/transfers amount',
      'POST /v1/me/payment-requests amount',
      'POST /v1/me/top-ups/quote amount',
      'POST /v1/me/withdrawals/quote amount',
      'POST /v1/me/bank-transfers/quote amount',
      'POST /v1/me/top-ups amount',
      'POST /v1/me/withdrawals amount',
      'POST /v1/me/bank-transfers amount',
      // One per kind with an amount: transfer, top_up, withdrawal, bank_transfer, merchant_static.
      'POST /v1/payments amount',
      'POST /v1/payments amount',
      'POST /v1/payments amount',
      'POST /v1/payments amount',
      'POST /v1/payments amount',
      'PUT /v1/me/password-free limit',
      'POST /v1/me/merchant/orders amount',
      'POST /v1/me/merchant/orders/{merchantOrderId}/refunds amount',
      'POST /v1/me/merchant/checkouts amount',
      'POST /v1/me/merchant/charges amount',
      'POST /v1/me/merchant/settlements amount',
      'POST /v1/me/red-packets/preview amount',
      'POST /v1/me/red-packets amount',
      'POST /v1/me/splits amount',
      'POST /v1/me/splits participants[].amount',
      'POST /v1/me/splits myAmount',
    ]);
  });

  it('documents each error status with what it means, or with the codes the route answers with it', () => {
    for (const [method, path] of MONEY_ROUTES) {
      for (const [status, response] of Object.entries(operation(method, path).responses)) {
        if (Number(status) < 400) continue;
        const route = `${method} ${path} ${status}`;
        const codes = listedCodes(response.description ?? '');
        if (codes.length === 0) {
          expect(response.description, route).toBe(errorMeaning(Number(status) as ErrorStatus));
          continue;
        }
        expect(response.description?.startsWith(errorTitle(Number(status) as ErrorStatus)), route).toBe(true);
        for (const code of codes) {
          expect(ERRORS[code as keyof typeof ERRORS]?.status, `${route} ${code}`).toBe(Number(status));
        }
      }
    }
  });
});
