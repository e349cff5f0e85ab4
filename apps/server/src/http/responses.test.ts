import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ERRORS, errorResponseSchema } from '../errors.ts';
import { ERROR_STATUSES, errorMeaning, errorResponses, refusalOutput } from './responses.ts';

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
