/**
 * JSON shapes of the internal ledger API and their mapping to the ledger's types. Amounts and
 * other int8 values travel as strings of digits (never JSON numbers, which lose precision above
 * 2^53); flags travel as lists of names rather than bit masks.
 */
import { z } from 'zod';
import { AccountFlags, MAX_TIMEOUT_SECONDS, MAX_USER_DATA_LENGTH, TransferFlags } from '@qianbao/ledger';
import type {
  Account,
  AccountBalance,
  CreateAccountInput,
  CreateAccountResult,
  Transfer,
  TransferInput,
  TransferOutcome,
  TransferResult,
} from '@qianbao/ledger';
import { TRANSFER_FAILURES, transferFailure } from '../errors.ts';

export const MAX_ACCOUNTS_PER_REQUEST = 1000;
export const MAX_TRANSFERS_PER_REQUEST = 1000;
const MAX_PAGE_SIZE = 200;
const DEFAULT_PAGE_SIZE = 50;

// The ledger's canonical form: lowercase. Accepting other spellings would let one id look like two.
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MICROS_PATTERN = /^\d{1,19}$/;

export const idSchema = z
  .string()
  .regex(UUID_PATTERN, 'must be a UUID in lowercase hex, e.g. 0192f0c4-8f3a-7b2c-9d1e-0242ac120002')
  .meta({ format: 'uuid', example: '0192f0c4-8f3a-7b2c-9d1e-0242ac120002' });

const currencySchema = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code in capitals, e.g. CNY')
  .meta({ example: 'CNY' });

const codeSchema = z.number().int().min(1).max(65535);

/** A positive-or-zero amount in minor units; the ledger itself rejects zero where it matters. */
const amountInputSchema = z
  .string()
  .regex(/^(0|[1-9]\d{0,18})$/, 'must be a whole number of minor units written as digits, e.g. "1234"')
  .transform((digits) => BigInt(digits))
  .meta({ description: 'Minor units (fen for CNY) as a string of digits.', example: '1234' });

const signedAmountSchema = z
  .string()
  .regex(/^-?\d+$/)
  .meta({ description: 'Minor units as a string of digits, possibly negative.', example: '1234' });

const microsSchema = z
  .string()
  .regex(MICROS_PATTERN)
  .meta({ description: 'Microseconds since the Unix epoch (ledger time), as a string.' });

// ---- flags -------------------------------------------------------------------------------------

const ACCOUNT_FLAG_NAMES = ['debitsMustNotExceedCredits', 'creditsMustNotExceedDebits'] as const;
/** `expired` is set by the ledger's expiry worker only, so it appears in output alone. */
const TRANSFER_INPUT_FLAG_NAMES = ['linked', 'pending', 'postPending', 'voidPending'] as const;
const TRANSFER_FLAG_NAMES = [...TRANSFER_INPUT_FLAG_NAMES, 'expired'] as const;

function flagsFromNames(names: readonly string[] | undefined, bits: Record<string, number>): number {
  return (names ?? []).reduce((flags, name) => flags | (bits[name] ?? 0), 0);
}

function namesFromFlags<Name extends string>(
  flags: number,
  names: readonly Name[],
  bits: Record<Name, number>,
): Name[] {
  return names.filter((name) => (flags & bits[name]) !== 0);
}

// ---- accounts ----------------------------------------------------------------------------------

export const createAccountInputSchema = z.strictObject({
  id: idSchema.describe('Client-chosen id; creating the same account again answers `exists`.'),
  currency: currencySchema,
  code: codeSchema.describe('What the account is for (chart of accounts code).'),
  ownerRef: z.string().min(1).max(128).nullable().optional().describe('e.g. `user:0192…` or `system:fees`.'),
  flags: z
    .array(z.enum(ACCOUNT_FLAG_NAMES))
    .max(ACCOUNT_FLAG_NAMES.length)
    .optional()
    .describe('`debitsMustNotExceedCredits` for customer money: the account can never be overdrawn.'),
});

export function toCreateAccountInput(body: z.output<typeof createAccountInputSchema>): CreateAccountInput {
  return {
    id: body.id,
    currency: body.currency,
    code: body.code,
    ownerRef: body.ownerRef ?? null,
    flags: flagsFromNames(body.flags, AccountFlags),
  };
}

const CREATE_ACCOUNT_RESULTS: { [Result in CreateAccountResult]: Result } = {
  ok: 'ok',
  exists: 'exists',
  existsWithDifferentFields: 'existsWithDifferentFields',
  invalid: 'invalid',
};

export const createAccountsResponseSchema = z.object({
  results: z.array(z.object({ id: z.string(), result: z.enum(CREATE_ACCOUNT_RESULTS) })),
});

export const accountSchema = z.object({
  id: z.string(),
  currency: z.string(),
  code: z.number(),
  ownerRef: z.string().nullable(),
  flags: z.array(z.enum(ACCOUNT_FLAG_NAMES)),
  debitsPending: signedAmountSchema,
  debitsPosted: signedAmountSchema,
  creditsPending: signedAmountSchema,
  creditsPosted: signedAmountSchema,
  createdAt: z.iso.datetime(),
});

export function accountJson(account: Account): z.input<typeof accountSchema> {
  return {
    id: account.id,
    currency: account.currency,
    code: account.code,
    ownerRef: account.ownerRef,
    flags: namesFromFlags(account.flags, ACCOUNT_FLAG_NAMES, AccountFlags),
    debitsPending: account.debitsPending.toString(),
    debitsPosted: account.debitsPosted.toString(),
    creditsPending: account.creditsPending.toString(),
    creditsPosted: account.creditsPosted.toString(),
    createdAt: account.createdAt.toISOString(),
  };
}

export const balanceQuerySchema = z.object({
  at: z
    .string()
    .max(64)
    .transform((text, context) => {
      const micros = parseLedgerTime(text);
      if (micros === null) {
        context.addIssue({
          code: 'custom',
          message:
            'must be an ISO 8601 time with a time zone (2025-01-31T12:00:00Z) or microseconds since the Unix epoch',
        });
        return z.NEVER;
      }
      return micros;
    })
    .optional()
    .describe('Balance as it stood at this time; now when omitted.'),
});

const isoDateTime = z.iso.datetime({ offset: true });

function parseLedgerTime(text: string): bigint | null {
  if (MICROS_PATTERN.test(text)) return BigInt(text);
  if (!isoDateTime.safeParse(text).success) return null;
  return BigInt(Date.parse(text)) * 1000n;
}

export const balanceSchema = z.object({
  accountId: z.string(),
  currency: z.string(),
  asOf: microsSchema.nullable().describe('The `at` time in microseconds; null for the current balance.'),
  debitsPending: signedAmountSchema,
  debitsPosted: signedAmountSchema,
  creditsPending: signedAmountSchema,
  creditsPosted: signedAmountSchema,
  postedBalance: signedAmountSchema.describe('credits posted − debits posted.'),
  availableBalance: signedAmountSchema.describe('posted balance − debits pending: what can be spent now.'),
});

export function balanceJson(
  balance: AccountBalance,
  asOfMicros: bigint | undefined,
): z.input<typeof balanceSchema> {
  return {
    accountId: balance.accountId,
    currency: balance.currency,
    asOf: asOfMicros === undefined ? null : asOfMicros.toString(),
    debitsPending: balance.debitsPending.toString(),
    debitsPosted: balance.debitsPosted.toString(),
    creditsPending: balance.creditsPending.toString(),
    creditsPosted: balance.creditsPosted.toString(),
    postedBalance: balance.postedBalance.toString(),
    availableBalance: balance.availableBalance.toString(),
  };
}

// ---- transfers ---------------------------------------------------------------------------------

export const transferInputSchema = z.strictObject({
  id: idSchema.describe(
    'Client-chosen id and idempotency key: submitting the same id again returns the first result, ' +
      'success or failure; the same id with different fields answers `existsWithDifferentFields`.',
  ),
  debitAccountId: idSchema.optional(),
  creditAccountId: idSchema.optional(),
  amount: amountInputSchema.optional(),
  currency: currencySchema.optional(),
  code: codeSchema.describe('Why the money moves (1–65535).'),
  flags: z.array(z.enum(TRANSFER_INPUT_FLAG_NAMES)).max(TRANSFER_INPUT_FLAG_NAMES.length).optional(),
  pendingId: idSchema.optional().describe('The hold to post or void.'),
  timeoutSeconds: z
    .number()
    .int()
    .min(0)
    .max(MAX_TIMEOUT_SECONDS)
    .optional()
    .describe('Pending only: seconds until the hold expires; 0 or omitted = never.'),
  userData: z.string().max(MAX_USER_DATA_LENGTH).optional(),
});

export function toTransferInput(body: z.output<typeof transferInputSchema>): TransferInput {
  return {
    id: body.id,
    debitAccountId: body.debitAccountId,
    creditAccountId: body.creditAccountId,
    amount: body.amount,
    currency: body.currency,
    code: body.code,
    flags: flagsFromNames(body.flags, TransferFlags),
    pendingId: body.pendingId,
    timeoutSeconds: body.timeoutSeconds,
    userData: body.userData,
  };
}

export const transferSchema = z.object({
  id: z.string(),
  debitAccountId: z.string(),
  creditAccountId: z.string(),
  amount: signedAmountSchema,
  currency: z.string(),
  code: z.number(),
  flags: z.array(z.enum(TRANSFER_FLAG_NAMES)),
  pendingId: z.string().nullable(),
  timeoutSeconds: z.number(),
  timestamp: microsSchema.describe('When the ledger committed it; unique and increasing.'),
  expiresAt: microsSchema.nullable(),
  userData: z.string().nullable(),
});

export function transferJson(transfer: Transfer): z.input<typeof transferSchema> {
  return {
    id: transfer.id,
    debitAccountId: transfer.debitAccountId,
    creditAccountId: transfer.creditAccountId,
    amount: transfer.amount.toString(),
    currency: transfer.currency,
    code: transfer.code,
    flags: namesFromFlags(transfer.flags, TRANSFER_FLAG_NAMES, TransferFlags),
    pendingId: transfer.pendingId,
    timeoutSeconds: transfer.timeoutSeconds,
    timestamp: transfer.timestamp.toString(),
    expiresAt: transfer.expiresAt === null ? null : transfer.expiresAt.toString(),
    userData: transfer.userData,
  };
}

const TRANSFER_RESULTS = ['ok', 'exists', ...Object.keys(TRANSFER_FAILURES)] as [
  TransferResult,
  ...TransferResult[],
];

export const transferResultSchema = z.object({
  id: z.string(),
  result: z.enum(TRANSFER_RESULTS),
  error: z
    .object({ code: z.string(), message: z.string() })
    .optional()
    .describe('For a failed result: its stable code and an explanation.'),
  transfer: transferSchema.optional().describe('The committed transfer, for `ok` and `exists`.'),
});

export function transferOutcomeJson(outcome: TransferOutcome): z.input<typeof transferResultSchema> {
  const failure = transferFailure(outcome.result);
  return {
    id: outcome.id,
    result: outcome.result,
    ...(failure ? { error: failure } : {}),
    ...(outcome.transfer ? { transfer: transferJson(outcome.transfer) } : {}),
  };
}

export const transferPageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  cursor: z
    .string()
    .regex(MICROS_PATTERN, 'must be a nextCursor from a previous page')
    .optional()
    .describe('`nextCursor` of the previous page.'),
});

export const transferPageSchema = z.object({
  transfers: z.array(transferSchema),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next (older) page; null at the end.'),
});
