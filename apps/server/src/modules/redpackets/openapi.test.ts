/**
 * The red packets' routes in the OpenAPI document: every field described, money as
 * `{"amount", "currency"}`, each error status with its meaning (as http/openapi.test.ts checks the
 * other money routes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorMeaning } from '../../http/responses.ts';
import { createTestApp } from '../../testing.ts';
import type { TestApp } from '../../testing.ts';

interface Schema {
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  required?: string[];
}
interface Operation {
  parameters?: { name: string; in: string; description?: string; schema?: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema: Schema }> }>;
}

const ROUTES: [string, string][] = [
  ['post', '/v1/me/red-packets/preview'],
  ['post', '/v1/me/red-packets'],
  ['get', '/v1/me/red-packets'],
  ['get', '/v1/me/red-packets/{id}'],
  ['get', '/v1/red-packets/{ref}'],
  ['post', '/v1/red-packets/{ref}/claims'],
];

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

describe('the red packets API document', () => {
  let subject: TestApp;
  let paths: Record<string, Record<string, Operation>>;
  beforeAll(async () => {
    subject = await createTestApp();
    paths = (await subject.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, Operation>>;
    }>().paths;
  });
  afterAll(async () => subject?.close());

  it('describes every field, parameter and status', () => {
    const missing: string[] = [];
    for (const [method, path] of ROUTES) {
      const operation = paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      const { parameters = [], requestBody, responses } = operation!;
      for (const parameter of parameters) {
        if (!parameter.description && !parameter.schema?.description)
          missing.push(`${path} ${parameter.name}`);
      }
      const body = requestBody?.content['application/json']?.schema;
      if (body) missing.push(...undescribed(body, '').map((field) => `${path} body ${field}`));
      for (const [status, response] of Object.entries(responses)) {
        if (Number(status) >= 400) {
          expect(response.description).toBe(
            errorMeaning(Number(status) as Parameters<typeof errorMeaning>[0]),
          );
        }
        const schema = response.content?.['application/json']?.schema;
        if (schema) missing.push(...undescribed(schema, '').map((field) => `${path} ${status} ${field}`));
      }
    }
    expect(missing).toEqual([]);
  });

  it('takes the amount as money with its currency', () => {
    const body = paths['/v1/me/red-packets']!.post!.requestBody!.content['application/json']!.schema;
    expect(body.properties!.amount!.required).toEqual(['amount', 'currency']);
  });
});
