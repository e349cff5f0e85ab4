/**
 * Money on the HTTP API (domain rules §9): `{"amount": "1234", "currency": "CNY"}` in every
 * request and every answer — the amount a string of integer minor units, never a float. Routes
 * declare money with `moneyInput()` and `moneyOutput` and convert with `moneyOf()` and
 * `moneyJson()`; nothing else in a route spells the shape.
 */
import { z } from 'zod';
import { formatDecimal, fromJson, isCurrencyCode, money, toJson } from '@qianbao/money';
import type { Money, MoneyJson } from '@qianbao/money';

/**
 * At most 15 digits (up to 999,999,999,999,999 minor units): exact in a JavaScript number too,
 * so a client that parses the string carelessly still gets the right integer, and far inside int8.
 */
export const MAX_MINOR_UNITS_DIGITS = 15;
export const MAX_MINOR_UNITS = 10n ** BigInt(MAX_MINOR_UNITS_DIGITS) - 1n;

/**
 * The currencies a route accepts unless it names others: a wallet holds CNY only today. A route
 * names its module's currency explicitly, so multi-currency is a change of that list, not of this.
 */
export const DEFAULT_CURRENCIES = ['CNY'] as const;

// One spelling per integer (as packages/money's JSON): no sign, no leading zeros, no decimal
// point. Canonical text lets idempotency compare request bodies as sent.
const MINOR_UNITS_PATTERN = /^(?:0|[1-9]\d*)$/;

const AMOUNT_SHAPE = 'integer minor units as a string of digits, e.g. "1234" for 12.34 CNY';

export interface MinorUnitsOptions {
  /** The smallest amount accepted: 1 unless given (paying nothing is a mistake); 0 for a setting. */
  min?: bigint;
  /** The largest amount accepted: `MAX_MINOR_UNITS` unless given. */
  max?: bigint;
  /** Named in the messages of `max`, to show it in major units as well. */
  currency?: string;
  example?: string;
}

/**
 * A count of minor units as text: the `amount` of `moneyInput`, and alone in a query string
 * (`?amount=1234`), where an object cannot go and the currency is the route's.
 */
export function minorUnitsInput(options: MinorUnitsOptions = {}) {
  const min = options.min ?? 1n;
  const max = options.max ?? MAX_MINOR_UNITS;
  assertBounds(min, max);
  const shown = (value: bigint) =>
    options.currency === undefined
      ? value.toString()
      : `${value} (${formatDecimal(value, options.currency)} ${options.currency})`;
  return (
    z
      .string({
        error: (issue) =>
          issue.input === undefined ? `required: ${AMOUNT_SHAPE}` : `must be ${AMOUNT_SHAPE}`,
      })
      // Each check stops at the first failure: `BigInt()` below only sees canonical digits.
      .max(MAX_MINOR_UNITS_DIGITS, {
        error: `must have at most ${MAX_MINOR_UNITS_DIGITS} digits`,
        abort: true,
      })
      .regex(MINOR_UNITS_PATTERN, {
        error: `must be ${AMOUNT_SHAPE}: no decimal point, sign, spaces or leading zeros`,
        abort: true,
      })
      .refine((text) => BigInt(text) >= min, {
        error: min === 1n ? 'must be more than 0' : `must be at least ${shown(min)}`,
        abort: true,
      })
      .refine((text) => BigInt(text) <= max, { error: `must be at most ${shown(max)}` })
      .meta({
        description:
          `Integer minor units (fen for CNY) as a string of digits, from ${min} to ${max}: ` +
          'no decimal point, sign or leading zeros.',
        example: options.example ?? '1234',
      })
  );
}

export interface MoneyInputOptions {
  /** 1 unless given; 0 where zero means something (a limit of "0" turns a feature off). */
  min?: bigint;
  /** The largest amount in minor units; `MAX_MINOR_UNITS` unless given. */
  max?: bigint;
  /** The ISO 4217 codes accepted; `DEFAULT_CURRENCIES` unless given. */
  currencies?: readonly [string, ...string[]];
  /** What this amount is, for the OpenAPI document. */
  description?: string;
  example?: string;
}

/**
 * Money in a request body. A wrong or missing part answers VALIDATION_FAILED naming it:
 * `amount.amount` for the amount, `amount.currency` for the currency. Other properties are
 * ignored, as packages/money's `fromJson` does, so the shape can grow.
 */
export function moneyInput(options: MoneyInputOptions = {}) {
  const currencies = options.currencies ?? DEFAULT_CURRENCIES;
  const unknown = currencies.find((code): boolean => !isCurrencyCode(code));
  if (unknown !== undefined) throw new Error(`moneyInput: ${unknown} is not a known ISO 4217 code`);
  const list = currencies.join(', ');
  const example = options.example ?? '1234';
  return z
    .object(
      {
        amount: minorUnitsInput({
          min: options.min,
          max: options.max,
          example,
          // One currency: bounds are shown in major units too (at most 100000000.00 CNY).
          currency: currencies.length === 1 ? currencies[0] : undefined,
        }),
        currency: z
          .enum(currencies, {
            error: (issue) =>
              issue.input === undefined
                ? `required: the ISO 4217 code, ${list}`
                : `must be ${currencies.length === 1 ? list : `one of ${list}`}`,
          })
          .meta({ description: `The ISO 4217 currency code: ${list}.`, example: currencies[0] }),
      },
      { error: `must be money: {"amount": "${example}", "currency": "${currencies[0]}"}` },
    )
    .meta({
      description:
        (options.description ? `${options.description} ` : '') +
        `Money: \`{"amount": "${example}", "currency": "${currencies[0]}"}\`; the amount in minor units.`,
      example: { amount: example, currency: currencies[0] },
    });
}

export type MoneyInput = z.infer<ReturnType<typeof moneyInput>>;

/** The validated money of a request, as packages/money's `Money` (bigint minor units). */
export function moneyOf(input: MoneyInput): Money {
  return fromJson(input);
}

/**
 * Money in an answer. Declared without checks: the server writes it from bigints with
 * `moneyJson`, and every response is validated against its schema on the way out.
 */
export const moneyOutput = z
  .object({
    amount: z.string().meta({
      description: 'Integer minor units (fen for CNY) as a string of digits: "1234" CNY is 12.34.',
      example: '1234',
    }),
    currency: z.string().meta({ description: 'The ISO 4217 currency code.', example: 'CNY' }),
  })
  .meta({
    description: 'Money: `{"amount": "1234", "currency": "CNY"}`; the amount in minor units.',
    example: { amount: '1234', currency: 'CNY' },
  });

/** `moneyJson(1234n, 'CNY')` → `{"amount": "1234", "currency": "CNY"}`. */
export function moneyJson(amountMinor: bigint, currency: string): MoneyJson {
  return toJson(money(amountMinor, currency));
}

function assertBounds(min: bigint, max: bigint): void {
  if (min < 0n || max < min || max > MAX_MINOR_UNITS) {
    throw new Error(`minor units: bounds ${min}..${max} must lie within 0..${MAX_MINOR_UNITS}`);
  }
}
