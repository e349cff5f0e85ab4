import fc from 'fast-check';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { registerErrorHandlers } from '../errors.ts';
import { MAX_MINOR_UNITS, minorUnitsInput, moneyInput, moneyJson, moneyOf, moneyOutput } from './money.ts';

/** Where each problem is and what it says, as VALIDATION_FAILED will name it. */
function problems(schema: z.ZodType, value: unknown): { path: string; issue: string }[] {
  const result = schema.safeParse(value);
  return result.success
    ? []
    : result.error.issues.map((issue) => ({ path: issue.path.join('.'), issue: issue.message }));
}

const cny = (amount: string) => ({ amount, currency: 'CNY' });

describe('moneyInput', () => {
  const schema = moneyInput();

  it('takes integer minor units as a string with the currency', () => {
    expect(schema.parse(cny('1234'))).toEqual(cny('1234'));
    expect(schema.parse(cny('1'))).toEqual(cny('1'));
    expect(schema.parse(cny('999999999999999'))).toEqual(cny('999999999999999'));
    expect(moneyOf(schema.parse(cny('1234')))).toEqual({ amountMinor: 1234n, currency: 'CNY' });
  });

  it.each([
    ['0', 'must be more than 0'],
    ['-1', 'no decimal point, sign, spaces or leading zeros'],
    ['1.5', 'no decimal point, sign, spaces or leading zeros'],
    ['01', 'no decimal point, sign, spaces or leading zeros'],
    ['0000000001', 'no decimal point, sign, spaces or leading zeros'],
    ['+1', 'no decimal point, sign, spaces or leading zeros'],
    [' 1', 'no decimal point, sign, spaces or leading zeros'],
    ['1e3', 'no decimal point, sign, spaces or leading zeros'],
    ['', 'no decimal point, sign, spaces or leading zeros'],
    ['1000000000000000', 'at most 15 digits'],
    ['99999999999999999999999999', 'at most 15 digits'],
  ])('refuses the amount %j, naming amount', (amount, issue) => {
    const found = problems(schema, cny(amount));
    expect(found).toHaveLength(1);
    expect(found[0]!.path).toBe('amount');
    expect(found[0]!.issue).toContain(issue);
  });

  it('refuses an amount that is not a string: JSON numbers lose integers and invite fractions', () => {
    for (const amount of [1234, 12.34, null, { amount: '1' }]) {
      expect(problems(schema, { amount, currency: 'CNY' })).toEqual([
        { path: 'amount', issue: expect.stringContaining('as a string of digits') as string },
      ]);
    }
  });

  it('refuses a wrong, unknown, lower-case or missing currency, naming currency', () => {
    for (const currency of ['USD', 'XYZ', 'cny', 'CNY ', '', 156]) {
      expect(problems(schema, { amount: '100', currency })).toEqual([
        { path: 'currency', issue: 'must be CNY' },
      ]);
    }
    expect(problems(schema, { amount: '100' })).toEqual([
      { path: 'currency', issue: 'required: the ISO 4217 code, CNY' },
    ]);
  });

  it('refuses what is not money at all, such as the bare string funding took before', () => {
    for (const value of ['10000', 10000, null, [], undefined]) {
      expect(problems(schema, value)).toEqual([
        { path: '', issue: 'must be money: {"amount": "1234", "currency": "CNY"}' },
      ]);
    }
    expect(problems(schema, {})).toEqual([
      { path: 'amount', issue: expect.stringContaining('required') as string },
      { path: 'currency', issue: expect.stringContaining('required') as string },
    ]);
  });

  it('ignores other properties, as packages/money does, so the shape can grow', () => {
    expect(schema.parse({ ...cny('5'), formatted: '¥0.05' })).toEqual(cny('5'));
  });

  it('keeps to the route bounds, shown in yuan as well', () => {
    const transfer = moneyInput({ max: 100_000_000_00n, currencies: ['CNY'] });
    expect(transfer.parse(cny('10000000000'))).toEqual(cny('10000000000'));
    expect(problems(transfer, cny('10000000001'))).toEqual([
      { path: 'amount', issue: 'must be at most 10000000000 (100000000.00 CNY)' },
    ]);
    const limit = moneyInput({ min: 0n, max: 20_000n });
    expect(limit.parse(cny('0'))).toEqual(cny('0'));
    expect(problems(limit, cny('-1'))[0]?.path).toBe('amount');
    expect(problems(limit, cny('20001'))).toEqual([
      { path: 'amount', issue: 'must be at most 20000 (200.00 CNY)' },
    ]);
    const floor = moneyInput({ min: 100n });
    expect(problems(floor, cny('99'))).toEqual([
      { path: 'amount', issue: 'must be at least 100 (1.00 CNY)' },
    ]);
  });

  it('takes the currencies a route names, and no others', () => {
    const several = moneyInput({ currencies: ['CNY', 'HKD', 'JPY'] });
    expect(several.parse({ amount: '100', currency: 'JPY' })).toEqual({ amount: '100', currency: 'JPY' });
    expect(problems(several, { amount: '100', currency: 'USD' })).toEqual([
      { path: 'currency', issue: 'must be one of CNY, HKD, JPY' },
    ]);
  });

  it('refuses to be declared with an unknown currency or impossible bounds (a programmer error)', () => {
    expect(() => moneyInput({ currencies: ['XYZ'] })).toThrow(/XYZ is not a known ISO 4217 code/);
    expect(() => moneyInput({ min: -1n })).toThrow(/bounds/);
    expect(() => moneyInput({ min: 10n, max: 5n })).toThrow(/bounds/);
    expect(() => moneyInput({ max: MAX_MINOR_UNITS + 1n })).toThrow(/bounds/);
  });

  it('accepts exactly the canonical text of every amount in range (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: MAX_MINOR_UNITS }), (amountMinor) => {
        const wire = moneyJson(amountMinor, 'CNY');
        expect(moneyOf(schema.parse(wire)).amountMinor).toBe(amountMinor);
        // The same number with a leading zero is another spelling: refused.
        expect(schema.safeParse(cny(`0${wire.amount}`)).success).toBe(false);
      }),
    );
  });

  it('is documented in the OpenAPI document: its shape, bounds and an example', () => {
    const document = z.toJSONSchema(moneyInput({ max: 500n }), { io: 'input' });
    expect(document).toMatchObject({
      type: 'object',
      required: ['amount', 'currency'],
      description: expect.stringContaining('Money') as string,
      example: { amount: '1234', currency: 'CNY' },
      properties: {
        amount: {
          type: 'string',
          maxLength: 15,
          pattern: expect.any(String) as string,
          description: expect.stringContaining('from 1 to 500') as string,
        },
        currency: { enum: ['CNY'], description: expect.any(String) as string },
      },
    });
  });
});

describe('minorUnitsInput (an amount alone, in a query string)', () => {
  it('has the rules of the amount of moneyInput', () => {
    const query = minorUnitsInput();
    expect(query.parse('100')).toBe('100');
    for (const text of ['0', '-1', '1.5', '01', '1000000000000000']) {
      expect(query.safeParse(text).success, text).toBe(false);
    }
    expect(minorUnitsInput({ min: 0n }).parse('0')).toBe('0');
  });
});

describe('moneyOutput and moneyJson', () => {
  it('answers minor units as a string with the currency', () => {
    expect(moneyJson(1234n, 'CNY')).toEqual({ amount: '1234', currency: 'CNY' });
    expect(moneyJson(0n, 'JPY')).toEqual({ amount: '0', currency: 'JPY' });
    expect(moneyOutput.parse(moneyJson(123456789012345678n, 'CNY'))).toEqual({
      amount: '123456789012345678',
      currency: 'CNY',
    });
    expect(() => moneyJson(1n, 'XYZ')).toThrow();
  });

  it('describes both fields', () => {
    const document = z.toJSONSchema(moneyOutput, { io: 'output' }) as {
      description?: string;
      properties: Record<string, { description?: string }>;
    };
    expect(document.description).toContain('minor units');
    expect(document.properties.amount?.description).toContain('minor units');
    expect(document.properties.currency?.description).toContain('ISO 4217');
  });
});

describe('a route declaring money', () => {
  async function appWithRoute() {
    const app = Fastify({ logger: false }).withTypeProvider<ZodTypeProvider>();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    registerErrorHandlers(app);
    app.post(
      '/pay',
      {
        schema: {
          body: z.object({ amount: moneyInput({ max: 10_000n, currencies: ['CNY'] }) }),
          response: { 200: z.object({ paid: moneyOutput }) },
        },
      },
      (request) => ({ paid: moneyJson(moneyOf(request.body.amount).amountMinor, 'CNY') }),
    );
    await app.ready();
    return app;
  }

  it('answers VALIDATION_FAILED with the field path for a wrong currency, an old shape, a bad amount', async () => {
    const app = await appWithRoute();
    const post = (amount: unknown) => app.inject({ method: 'POST', url: '/pay', payload: { amount } });
    const cases: [unknown, string, string][] = [
      [{ amount: '100', currency: 'USD' }, 'amount.currency', 'must be CNY'],
      [{ amount: '100' }, 'amount.currency', 'required: the ISO 4217 code, CNY'],
      ['100', 'amount', 'must be money: {"amount": "1234", "currency": "CNY"}'],
      [{ amount: '1.5', currency: 'CNY' }, 'amount.amount', 'no decimal point'],
      [{ amount: '10001', currency: 'CNY' }, 'amount.amount', 'must be at most 10000 (100.00 CNY)'],
    ];
    for (const [amount, path, issue] of cases) {
      const response = await post(amount);
      expect(response.statusCode, JSON.stringify(amount)).toBe(400);
      expect(response.json()).toEqual({
        error: {
          code: 'VALIDATION_FAILED',
          message: 'Some fields of the request are invalid.',
          details: { fields: [{ in: 'body', path, issue: expect.stringContaining(issue) as string }] },
        },
      });
    }
    const paid = await post({ amount: '100', currency: 'CNY' });
    expect(paid.statusCode, paid.body).toBe(200);
    expect(paid.json()).toEqual({ paid: { amount: '100', currency: 'CNY' } });
    await app.close();
  });
});
