/**
 * The public API as its OpenAPI document describes it (issue 14): every operation an API key may
 * call — whatever its `security` lists `apiKey` for, today's and tomorrow's — has a stable
 * operationId, a summary and a description, every parameter, field and answer described, an
 * example of its request body and of each success answer that its own schema accepts, the scopes
 * that may call it, and every error code it can answer listed under the status it answers with.
 * The swagger UI at /docs shows this same document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { API_SCOPES } from '../auth/principal.ts';
import { ERRORS } from '../errors.ts';
import { createTestApp } from '../testing.ts';
import type { TestApp } from '../testing.ts';
import {
  BODY_CODES,
  ERROR_STATUSES,
  IDEMPOTENCY_CODES,
  MERCHANT_API_CODES,
  errorTitle,
  listedCodes,
} from './responses.ts';
import type { ErrorStatus } from './responses.ts';

interface Schema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
}

interface Media {
  schema: Schema;
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: Schema;
}

interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { description?: string; content?: Record<string, Media> }>;
}

interface Document {
  paths: Record<string, Record<string, Operation>>;
}

interface PublicOperation {
  name: string;
  method: string;
  path: string;
  operation: Operation;
}

/** Every operation whose security lists the API key: the public API. */
function publicOperations(document: Document): PublicOperation[] {
  const found: PublicOperation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!(operation.security ?? []).some((requirement) => 'apiKey' in requirement)) continue;
      found.push({ name: `${method.toUpperCase()} ${path}`, method, path, operation });
    }
  }
  return found;
}

/**
 * The names clients and the SDK call them by: renaming one breaks them, so these stay (new
 * operations add theirs; this list only says the old ones keep their names).
 */
const STABLE_OPERATION_IDS: Record<string, string> = {
  createOrder: 'POST /v1/me/merchant/orders',
  listOrders: 'GET /v1/me/merchant/orders',
  getOrder: 'GET /v1/me/merchant/orders/{merchantOrderId}',
  closeOrder: 'POST /v1/me/merchant/orders/{merchantOrderId}/close',
  createRefund: 'POST /v1/me/merchant/orders/{merchantOrderId}/refunds',
  getRefund: 'GET /v1/me/merchant/orders/{merchantOrderId}/refunds/{merchantRefundId}',
  createCharge: 'POST /v1/me/merchant/charges',
  getCharge: 'GET /v1/me/merchant/charges/{id}',
  getOrderCharge: 'GET /v1/me/merchant/orders/{merchantOrderId}/charge',
  createSettlement: 'POST /v1/me/merchant/settlements',
  listSettlements: 'GET /v1/me/merchant/settlements',
  getSettlement: 'GET /v1/me/merchant/settlements/{id}',
  getStatement: 'GET /v1/me/merchant/statements/{date}',
  createCheckout: 'POST /v1/me/merchant/checkouts',
  listWebhookDeliveries: 'GET /v1/me/merchant/webhook-endpoints/{id}/deliveries',
  getWebhookDelivery: 'GET /v1/me/merchant/webhook-deliveries/{id}',
  resendWebhookDelivery: 'POST /v1/me/merchant/webhook-deliveries/{id}/resend',
};

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

/** The examples a media object shows: `example`, or each of `examples`. */
function examplesOf(media: Media): unknown[] {
  if (media.example !== undefined) return [media.example];
  return Object.values(media.examples ?? {}).map((example) => example.value);
}

/** Why `value` does not fit the JSON Schema `schema` (zod's reading of it); empty when it fits. */
function misfits(schema: Schema, value: unknown): string[] {
  const result = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]).safeParse(value);
  return result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
}

/** The codes every operation (or every one with a body or a key) lists, whatever it does. */
const COMMON_CODES = new Set<string>([...MERCHANT_API_CODES, ...BODY_CODES, ...IDEMPOTENCY_CODES]);

const isSuccess = (status: string) => /^2\d\d$/.test(status);
const isError = (status: string) => Number(status) >= 400;

let subject: TestApp;
let document: Document;
let operations: PublicOperation[];
beforeAll(async () => {
  subject = await createTestApp();
  document = (await subject.app.inject({ method: 'GET', url: '/openapi.json' })).json<Document>();
  operations = publicOperations(document);
});
afterAll(async () => subject?.close());

describe('the public API in the OpenAPI document', () => {
  it('is every operation an API key may call, each keeping its operationId', () => {
    expect(operations.length).toBeGreaterThanOrEqual(Object.keys(STABLE_OPERATION_IDS).length);
    const byId = new Map(operations.map((found) => [found.operation.operationId, found.name]));
    for (const [operationId, name] of Object.entries(STABLE_OPERATION_IDS)) {
      expect(byId.get(operationId), operationId).toBe(name);
    }
  });

  it('names each: a unique camelCase operationId, a summary and a description', () => {
    const problems: string[] = [];
    const ids = new Map<string, string>();
    for (const { path, method, operation } of Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
    )) {
      const id = operation.operationId;
      if (id === undefined) continue;
      if (ids.has(id)) problems.push(`${id}: ${ids.get(id)} and ${method} ${path}`);
      ids.set(id, `${method} ${path}`);
    }
    for (const { name, operation } of operations) {
      if (!/^[a-z][A-Za-z0-9]+$/.test(operation.operationId ?? '')) problems.push(`${name}: operationId`);
      if (!operation.summary) problems.push(`${name}: summary`);
      if (!operation.description || operation.description.length < 40) problems.push(`${name}: description`);
    }
    expect(problems).toEqual([]);
  });

  it('describes every parameter, every field of the request and of each answer, and each answer', () => {
    const missing: string[] = [];
    for (const { name, operation } of operations) {
      for (const parameter of operation.parameters ?? []) {
        if (!parameter.description && !parameter.schema?.description) {
          missing.push(`${name} ${parameter.in} ${parameter.name}`);
        }
      }
      for (const [type, media] of Object.entries(operation.requestBody?.content ?? {})) {
        if (!media.schema.description) missing.push(`${name} body (${type})`);
        missing.push(...undescribed(media.schema, '').map((field) => `${name} body ${field}`));
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!response.description || response.description === 'Default Response') {
          missing.push(`${name} ${status}`);
        }
        const schema = response.content?.['application/json']?.schema;
        if (isSuccess(status) && !schema?.properties) missing.push(`${name} ${status}: no fields`);
        if (schema) missing.push(...undescribed(schema, '').map((field) => `${name} ${status} ${field}`));
      }
    }
    expect(missing).toEqual([]);
  });

  it('shows an example of its request body and of each success answer, which its own schema accepts', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const { name, operation } of operations) {
      const shown: [where: string, media: Media][] = [
        ...Object.entries(operation.requestBody?.content ?? {}).map(
          ([type, media]) => [`body (${type})`, media] as [string, Media],
        ),
        ...Object.entries(operation.responses)
          .filter(([status]) => isSuccess(status))
          .flatMap(([status, response]) =>
            Object.entries(response.content ?? {}).map(
              ([type, media]) => [`${status} (${type})`, media] as [string, Media],
            ),
          ),
      ];
      for (const [where, media] of shown) {
        const examples = examplesOf(media);
        if (examples.length === 0) problems.push(`${name} ${where}: no example`);
        for (const example of examples) {
          checked += 1;
          problems.push(...misfits(media.schema, example).map((misfit) => `${name} ${where}: ${misfit}`));
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(operations.length);
  });

  it('lists under each error status every code the operation answers with it', () => {
    const problems: string[] = [];
    for (const { name, method, operation } of operations) {
      const listed = new Map<number, string[]>();
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!isError(status)) continue;
        const description = response.description ?? '';
        const codes = listedCodes(description);
        if (!ERROR_STATUSES.includes(Number(status) as ErrorStatus))
          problems.push(`${name} ${status}: unknown`);
        else if (!description.startsWith(errorTitle(Number(status) as ErrorStatus))) {
          problems.push(`${name} ${status}: not the kit's description`);
        }
        if (codes.length === 0) problems.push(`${name} ${status}: lists no code`);
        for (const code of codes) {
          const mapping = (ERRORS as Record<string, { status: number } | undefined>)[code];
          if (mapping?.status !== Number(status)) {
            problems.push(`${name} ${status}: ${code} is ${mapping ? mapping.status : 'no code'}`);
          }
        }
        listed.set(Number(status), codes);
      }
      const expectCodes = (status: number, codes: readonly string[]) => {
        for (const code of codes) {
          if (!listed.get(status)?.includes(code)) problems.push(`${name} ${status}: ${code} not listed`);
        }
      };
      // What any request with a key may meet: its version, its fields, its key, its scope, its rate.
      expectCodes(400, ['API_VERSION_UNKNOWN', 'BAD_REQUEST', 'VALIDATION_FAILED']);
      expectCodes(401, ['UNAUTHORIZED', 'API_KEY_INVALID']);
      expectCodes(403, ['FORBIDDEN', 'API_KEY_IP_NOT_ALLOWED']);
      expectCodes(429, ['RATE_LIMITED']);
      expectCodes(500, ['INTERNAL']);
      expectCodes(503, ['SERVICE_UNAVAILABLE']);
      // A body is read as JSON, whatever the operation.
      if (method !== 'get') {
        expectCodes(413, ['PAYLOAD_TOO_LARGE']);
        expectCodes(415, ['UNSUPPORTED_MEDIA_TYPE']);
      }
      const idempotent = (operation.parameters ?? []).some(
        (parameter) =>
          parameter.in === 'header' && parameter.name === 'Idempotency-Key' && parameter.required,
      );
      if (idempotent) {
        expectCodes(400, ['IDEMPOTENCY_KEY_REQUIRED']);
        expectCodes(422, ['IDEMPOTENCY_KEY_REUSED']);
        expectCodes(409, ['IDEMPOTENCY_REQUEST_IN_FLIGHT']);
      }
      // An operation on one thing (a path parameter) says what answers when that thing is wrong.
      const own = [...listed.values()].flat().filter((code) => !COMMON_CODES.has(code));
      if (/\{[^}]+\}/.test(name) && own.length === 0) problems.push(`${name}: no code of its own`);
    }
    expect(problems).toEqual([]);
  });

  it('names the API key scopes that may call each, any one of them', () => {
    for (const { name, operation } of operations) {
      const keys = (operation.security ?? []).filter((requirement) => 'apiKey' in requirement);
      expect(keys.length, name).toBeGreaterThan(0);
      for (const requirement of keys) {
        expect(Object.keys(requirement), name).toEqual(['apiKey']);
        expect(requirement.apiKey, name).toHaveLength(1);
        expect(API_SCOPES, name).toContain(requirement.apiKey![0]);
      }
    }
  });

  it('documents the Qianbao-Version header asked for and answered, and the Idempotency-Key of money-moving POSTs', () => {
    for (const { name, operation } of operations) {
      const version = (operation.parameters ?? []).find((parameter) => parameter.name === 'Qianbao-Version');
      expect(version, name).toMatchObject({ in: 'header', required: false });
      // A partner's key names the merchant it acts for (ADR 0023).
      const merchant = (operation.parameters ?? []).find(
        (parameter) => parameter.name.toLowerCase() === 'qianbao-merchant',
      );
      expect(merchant, name).toMatchObject({ in: 'header', required: false });
      for (const [status, response] of Object.entries(operation.responses)) {
        expect(response, `${name} ${status}`).toHaveProperty(['headers', 'Qianbao-Version']);
      }
    }
    const idempotent = operations
      .filter(({ operation }) => (operation.parameters ?? []).some((p) => p.name === 'Idempotency-Key'))
      .map(({ name }) => name);
    expect(idempotent).toEqual(
      expect.arrayContaining(['POST /v1/me/merchant/charges', 'POST /v1/me/merchant/settlements']),
    );
    expect(idempotent).not.toContain('POST /v1/me/merchant/orders');
  });

  it('is the document the swagger UI at /docs shows', async () => {
    const page = await subject.app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    const shown = await subject.app.inject({ method: 'GET', url: '/docs/json' });
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toEqual(document);
  });
});
