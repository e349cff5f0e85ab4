/**
 * How a route becomes an operation of the OpenAPI document (`/openapi.json`, `/docs`): its zod
 * schemas turned into JSON Schema (fastify-type-provider-zod), plus what every route has in
 * common but declares nowhere itself — the `Qianbao-Version` header asked for and answered
 * (api-version.ts), the `Qianbao-Merchant` a partner's key names its merchant with (ADR 0023), and
 * the `Idempotency-Key` a money-moving POST requires (`config.idempotent`, ../idempotency.ts).
 */
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { API_VERSION_HEADER, apiVersionParameter, apiVersionResponseHeader } from './api-version.ts';

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];
type JsonObject = Record<string, unknown>;

export const IDEMPOTENCY_KEY_PARAMETER = {
  type: 'string',
  minLength: 1,
  maxLength: 255,
  description:
    'Required: a key of your own for this request (a UUID is fine), at most 255 characters. The same key ' +
    'and body again answer the first answer (`Idempotency-Replayed: true`); another body with it is 422 ' +
    'IDEMPOTENCY_KEY_REUSED; while the first runs, 409 IDEMPOTENCY_REQUEST_IN_FLIGHT.',
} as const;

/**
 * `Qianbao-Merchant` as an API key sends it (ADR 0023): a partner's key naming the merchant it acts
 * for. Staff send the same header (the `merchantSelector` scheme) to name the merchant they work at.
 */
export const PARTNER_MERCHANT_HEADER = 'qianbao-merchant';
export const PARTNER_MERCHANT_PARAMETER = {
  type: 'string',
  format: 'uuid',
  description:
    'A partner’s API key: the merchant it acts for, which must have granted the key’s merchant access ' +
    '(403 PARTNER_ACCESS_NOT_GRANTED otherwise); the key then has the scopes both it and the grant have, and a ' +
    'test key acts for that merchant’s test mode. Omitted (or the key’s own merchant): the key acts for its own ' +
    'merchant. Staff: the merchant they act for.',
} as const;

/** `transform` of @fastify/swagger (app.ts). */
export function openapiTransform(input: TransformInput): ReturnType<typeof jsonSchemaTransform> {
  const transformed = jsonSchemaTransform(input);
  const schema = transformed.schema as JsonObject | undefined;
  if (!schema || schema.hide) return transformed;
  const idempotent = (input.route as { config?: { idempotent?: boolean } } | undefined)?.config?.idempotent;
  const headers = (schema.headers as JsonObject | undefined) ?? { type: 'object', properties: {} };
  const byApiKey = ((schema.security as JsonObject[] | undefined) ?? []).some(
    (requirement) => 'apiKey' in requirement,
  );
  headers.properties = {
    ...(headers.properties as JsonObject | undefined),
    [API_VERSION_HEADER]: apiVersionParameter,
    // Lower case: @fastify/swagger leaves out a parameter spelled as a security scheme's header
    // (staff's `merchantSelector` is `Qianbao-Merchant`); header names are case-insensitive.
    ...(byApiKey ? { [PARTNER_MERCHANT_HEADER]: PARTNER_MERCHANT_PARAMETER } : {}),
    ...(idempotent ? { 'Idempotency-Key': IDEMPOTENCY_KEY_PARAMETER } : {}),
  };
  if (idempotent) {
    headers.required = [...((headers.required as string[] | undefined) ?? []), 'Idempotency-Key'];
  }
  schema.headers = headers;
  for (const response of Object.values((schema.response as Record<string, JsonObject> | undefined) ?? {})) {
    response.headers = {
      ...(response.headers as JsonObject | undefined),
      [API_VERSION_HEADER]: apiVersionResponseHeader,
    };
  }
  return transformed;
}
