import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ERRORS, errorResponseSchema } from '../errors.ts';
import {
  ERROR_STATUSES,
  errorMeaning,
  errorResponses,
  errorTitle,
  listedCodes,
  merchantApiErrors,
  refusalOutput,
} from './responses.ts';

describe('errorResponses', () => {
  it('declares the statuses a route names, each with the one error body', () => {
    const declared = errorResponses(400, 401, 422);
    expect(Object.keys(declared)).toEqual(['400', '401', '422']);
    const body = {
      error: { code: 'INSUFFICIENT_FUNDS', message: 'The balance is insufficient.', details: {} },
    };
    for (const schema of Object.values(declared)) expect(schema.parse(body)).toEqual(body);
    expect(() => declared[422].parse({ code: 'INSUFFICIENT_FUNDS' })).toThrow();
  });

  it('documents what each status means, once, in the OpenAPI document', () => {
    const declared = errorResponses(400, 409, 503);
    expect(z.toJSONSchema(declared[400]).description).toContain('VALIDATION_FAILED');
    expect(z.toJSONSchema(declared[409]).description).toContain('IDEMPOTENCY_REQUEST_IN_FLIGHT');
    expect(z.toJSONSchema(declared[503]).description).toContain('Retry-After');
    // The shared schema keeps its own description; each status has a copy.
    expect(z.toJSONSchema(errorResponseSchema).description).toBe('Every error has this shape.');
  });

  it('knows every status an error code can have', () => {
    const statuses = new Set(Object.values(ERRORS).map((mapping) => mapping.status));
    for (const status of statuses) {
      expect(ERROR_STATUSES, `status ${status} of the ERRORS table`).toContain(status);
      expect(errorMeaning(status as (typeof ERROR_STATUSES)[number])).not.toBe('');
    }
  });
});

describe('merchantApiErrors', () => {
  it('declares every status of the codes, listing under each the codes it is answered with', () => {
    const read = merchantApiErrors('GET', ['ORDER_NOT_FOUND']);
    // What any call may meet, and the operation's own; a GET reads no body (no 413 or 415).
    expect(Object.keys(read)).toEqual(['400', '401', '403', '404', '429', '500', '503']);
    const described = (schema: z.ZodType | undefined) => z.toJSONSchema(schema!).description ?? '';
    expect(described(read[404]).startsWith(errorTitle(404))).toBe(true);
    expect(listedCodes(described(read[404]))).toEqual(['MERCHANT_NOT_FOUND', 'ORDER_NOT_FOUND']);
    expect(listedCodes(described(read[401]))).toEqual(['UNAUTHORIZED', 'SESSION_EXPIRED', 'API_KEY_INVALID']);
    expect(described(read[404])).toContain('`ORDER_NOT_FOUND`: No such order.');
    const write = merchantApiErrors('POST', ['ORDER_NOT_CLOSABLE', 'IDEMPOTENCY_KEY_REUSED']);
    expect(Object.keys(write)).toEqual([
      '400',
      '401',
      '403',
      '404',
      '409',
      '413',
      '415',
      '422',
      '429',
      '500',
      '503',
    ]);
    expect(listedCodes(described(write[409]))).toEqual(['ORDER_NOT_CLOSABLE']);
    expect(listedCodes(described(write[422]))).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    // The error body is the one body.
    const body = { error: { code: 'ORDER_NOT_FOUND', message: 'No such order.', details: {} } };
    expect(read[404]!.parse(body)).toEqual(body);
  });

  it('lists no codes in a description that has none', () => {
    expect(listedCodes(errorMeaning(404))).toEqual([]);
  });
});

describe('refusalOutput', () => {
  it('is null, or the error a payment would answer', () => {
    const schema = refusalOutput('LIMIT_EXCEEDED (details.limit).');
    expect(schema.parse(null)).toBeNull();
    const refusal = {
      code: 'LIMIT_EXCEEDED',
      message: 'This payment would pass a limit.',
      details: { limit: 'daily' },
    };
    expect(schema.parse(refusal)).toEqual(refusal);
    expect(z.toJSONSchema(schema).description).toContain('LIMIT_EXCEEDED (details.limit).');
  });
});
