import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MoneyArgumentError, MoneyFormatError } from './errors.ts';
import {
  applyRate,
  convertCurrency,
  divideRounded,
  multiplyRatio,
  parseRate,
  roundHalfUp,
  type RoundingMode,
} from './rounding.ts';

const modes: RoundingMode[] = ['halfUp', 'down', 'up'];
const numerators = fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n });
const denominators = fc
  .bigInt({ min: -(10n ** 12n), max: 10n ** 12n })
  .filter((denominator) => denominator !== 0n);

/** Half away from zero, computed a different way: ⌊(2|n| + |d|) / 2|d|⌋ with the sign put back. */
function referenceRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  const magnitude = (numerator < 0n ? -numerator : numerator) * 2n;
  const divisor = (denominator < 0n ? -denominator : denominator) * 2n;
  const rounded = (magnitude + divisor / 2n) / divisor;
  return numerator < 0n !== denominator < 0n ? -rounded : rounded;
}

function absolute(value: bigint): bigint {
  return value < 0n ? -value : value;
}

describe('roundHalfUp', () => {
  it.each([
    [5n, 2n, 3n],
    [-5n, 2n, -3n],
    [5n, -2n, -3n],
    [-5n, -2n, 3n],
    [7n, 3n, 2n],
    [-7n, 3n, -2n],
    [8n, 3n, 3n],
    [-8n, 3n, -3n],
    [1n, 2n, 1n],
    [-1n, 2n, -1n],
    [1n, 3n, 0n],
    [-1n, 3n, 0n],
    [0n, 5n, 0n],
    [12345n, 1000n, 12n],
    [12500n, 1000n, 13n],
    [-12500n, 1000n, -13n],
    [6n, 3n, 2n],
  ])('%s / %s → %s', (numerator, denominator, expected) => {
    expect(roundHalfUp(numerator, denominator)).toBe(expected);
  });

  it('matches a reference implementation', () => {
    fc.assert(
      fc.property(numerators, denominators, (numerator, denominator) => {
        expect(roundHalfUp(numerator, denominator)).toBe(referenceRoundHalfUp(numerator, denominator));
      }),
      { numRuns: 1000 },
    );
  });

  it('is the nearest integer, exact halves away from zero', () => {
    fc.assert(
      fc.property(numerators, denominators, (numerator, denominator) => {
        const rounded = roundHalfUp(numerator, denominator);
        const twiceError = absolute(2n * (numerator - rounded * denominator));
        expect(twiceError <= absolute(denominator)).toBe(true);
        if (twiceError === absolute(denominator)) {
          expect(absolute(rounded) * absolute(denominator) > absolute(numerator)).toBe(true);
        }
      }),
    );
  });

  it('refuses a zero denominator', () => {
    expect(() => roundHalfUp(1n, 0n)).toThrow(MoneyArgumentError);
  });
});

describe('divideRounded', () => {
  it.each([
    [29n, 10n, 'down', 2n],
    [-29n, 10n, 'down', -2n],
    [21n, 10n, 'up', 3n],
    [-21n, 10n, 'up', -3n],
    [20n, 10n, 'up', 2n],
    [25n, 10n, 'halfUp', 3n],
    [24n, 10n, 'halfUp', 2n],
  ] as const)('%s / %s %s → %s', (numerator, denominator, mode, expected) => {
    expect(divideRounded(numerator, denominator, mode)).toBe(expected);
  });

  it('brackets the exact quotient: |down| ≤ |exact| ≤ |up|, one apart unless exact', () => {
    fc.assert(
      fc.property(numerators, denominators, (numerator, denominator) => {
        const down = divideRounded(numerator, denominator, 'down');
        const up = divideRounded(numerator, denominator, 'up');
        const halfUp = divideRounded(numerator, denominator, 'halfUp');
        const exact = numerator % denominator === 0n;
        expect(absolute(up - down)).toBe(exact ? 0n : 1n);
        expect(absolute(down * denominator) <= absolute(numerator)).toBe(true);
        expect(absolute(up * denominator) >= absolute(numerator)).toBe(true);
        expect(halfUp === down || halfUp === up).toBe(true);
      }),
    );
  });

  it('is symmetric about zero in every mode', () => {
    fc.assert(
      fc.property(numerators, denominators, fc.constantFrom(...modes), (numerator, denominator, mode) => {
        expect(divideRounded(-numerator, denominator, mode)).toBe(
          -divideRounded(numerator, denominator, mode),
        );
      }),
    );
  });
});

describe('parseRate', () => {
  it.each([
    ['0.001', 1n, 1000n],
    ['7.1234', 35617n, 5000n],
    ['1', 1n, 1n],
    ['0', 0n, 1n],
    ['0.000', 0n, 1n],
    ['2.50', 5n, 2n],
    ['0.0000000001', 1n, 10000000000n],
  ])('parses %s exactly', (text, numerator, denominator) => {
    expect(parseRate(text)).toEqual({ numerator, denominator });
  });

  it.each(['', ' 1', '-0.1', '+1', '1e-3', '.5', '5.', '01.5', '1,5', 'NaN', '0.1.2', '1'.repeat(65)])(
    'rejects %j',
    (text) => {
      expect(() => parseRate(text)).toThrow(MoneyFormatError);
    },
  );
});

describe('applyRate', () => {
  it.each([
    [12345n, '0.001', 'halfUp', 12n],
    [12345n, '0.001', 'up', 13n],
    [12345n, '0.001', 'down', 12n],
    [12500n, '0.001', 'halfUp', 13n],
    [-12500n, '0.001', 'halfUp', -13n],
    [12499n, '0.001', 'halfUp', 12n],
    [100n, '7.1234', 'halfUp', 712n],
    [10000n, '7.1234', 'halfUp', 71234n],
    [99n, '0.006', 'halfUp', 1n],
    [12345n, '0', 'up', 0n],
    [12345n, '1', 'down', 12345n],
  ] as const)('%s × %s (%s) = %s', (amountMinor, rate, mode, expected) => {
    expect(applyRate(amountMinor, rate, mode)).toBe(expected);
  });

  it('equals multiplying by the exact fraction the text spells', () => {
    fc.assert(
      fc.property(
        numerators,
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.integer({ min: 0, max: 12 }),
        fc.constantFrom(...modes),
        (amountMinor, digits, places, mode) => {
          const padded = digits.toString().padStart(places + 1, '0');
          const text = places === 0 ? padded : `${padded.slice(0, -places)}.${padded.slice(-places)}`;
          const expected = multiplyRatio(amountMinor, digits, 10n ** BigInt(places), mode);
          expect(applyRate(amountMinor, text, mode)).toBe(expected);
        },
      ),
    );
  });
});

describe('convertCurrency', () => {
  it.each([
    [100n, 'CNY', 'JPY', '20.5', 'halfUp', 21n],
    [100n, 'CNY', 'JPY', '20.5', 'down', 20n],
    [-100n, 'CNY', 'JPY', '20.5', 'halfUp', -21n],
    [10000n, 'USD', 'CNY', '7.1234', 'halfUp', 71234n],
    [1000n, 'JPY', 'CNY', '0.048765', 'halfUp', 4877n],
    [1000n, 'JPY', 'CNY', '0.048765', 'down', 4876n],
    [10000n, 'CNY', 'BHD', '0.0529', 'halfUp', 5290n],
    [1n, 'KWD', 'JPY', '480.5', 'halfUp', 0n],
    [1n, 'KWD', 'JPY', '480.5', 'up', 1n],
    [1234n, 'BHD', 'KWD', '0.8123', 'halfUp', 1002n],
    [5n, 'JPY', 'BHD', '0.0025', 'halfUp', 13n],
  ] as const)('%s %s → %s at %s (%s) = %s', (amountMinor, fromCurrency, toCurrency, rate, mode, expected) => {
    expect(convertCurrency(amountMinor, fromCurrency, toCurrency, rate, mode)).toBe(expected);
  });

  it('equals applyRate between currencies of the same exponent', () => {
    fc.assert(
      fc.property(numerators, fc.constantFrom('1', '0.5', '7.1234', '0.1399'), (amountMinor, rate) => {
        expect(convertCurrency(amountMinor, 'USD', 'CNY', rate, 'halfUp')).toBe(
          applyRate(amountMinor, rate, 'halfUp'),
        );
      }),
    );
  });

  it('rescales by the exponents at rate 1', () => {
    fc.assert(
      fc.property(numerators, (amountMinor) => {
        expect(convertCurrency(amountMinor, 'JPY', 'BHD', '1', 'down')).toBe(amountMinor * 1000n);
        expect(convertCurrency(amountMinor * 10n, 'BHD', 'CNY', '1', 'down')).toBe(amountMinor);
      }),
    );
  });

  it('refuses a zero rate, a malformed rate and unknown currencies', () => {
    expect(() => convertCurrency(100n, 'CNY', 'USD', '0', 'halfUp')).toThrow(/must be positive/);
    expect(() => convertCurrency(100n, 'CNY', 'USD', '7,1', 'halfUp')).toThrow(MoneyFormatError);
    expect(() => convertCurrency(100n, 'CNY', 'XYZ', '1', 'halfUp')).toThrow(/Unknown currency/);
  });
});
