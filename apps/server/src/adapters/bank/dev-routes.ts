import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses } from '../../http/responses.ts';
import { MAX_SANDBOX_ROWS_PER_READ } from './sandbox.ts';
import type { SandboxBank } from './sandbox.ts';

export interface BankSandboxDevRoutesOptions {
  bank: SandboxBank;
}

const TAGS = ['sandbox (development only)'];
const DEFAULT_LIMIT = 50;
const last4Schema = z.string().regex(/^\d{4}$/, 'four digits');

const smsQuerySchema = z.object({
  cardLast4: last4Schema.optional().meta({ description: 'Only codes for cards ending in these 4 digits.' }),
  limit: z.coerce.number().int().min(1).max(MAX_SANDBOX_ROWS_PER_READ).default(DEFAULT_LIMIT),
});

const smsCodeSchema = z.object({
  verificationId: z.string(),
  card: z.string().meta({ description: 'Masked card number, e.g. 6222 **** **** 7894.' }),
  phone: z.string(),
  purpose: z.literal('bind'),
  code: z.string().meta({ description: 'The 6-digit code the bank sent.' }),
  status: z.enum(['sent', 'confirmed', 'locked']),
  attempts: z.number().int(),
  createdAt: z.string(),
  expiresAt: z.string(),
});

const accountSchema = z.object({
  number: z.string().meta({ description: 'Masked number.' }),
  kind: z.enum(['card', 'account']),
  bankCode: z.string().nullable(),
  bankNameZh: z.string().nullable(),
  balance: z.object({
    amount: z.string().meta({ description: 'Integer minor units.' }),
    currency: z.string(),
  }),
  createdAt: z.string(),
});

/**
 * The sandbox bank for developers: the SMS codes the bank "sent" (`/dev/bank/sms.json`) and the
 * balances of sandbox cards (`/dev/bank/cards/:last4`). Registered only in sandbox mode; in
 * production these routes do not exist. Card numbers are masked here as everywhere.
 */
export const bankSandboxDevRoutes: FastifyPluginCallbackZod<BankSandboxDevRoutesOptions> = (
  app,
  { bank },
  done,
) => {
  app.get(
    '/dev/bank/sms.json',
    {
      schema: {
        tags: TAGS,
        summary: "The sandbox bank's card SMS codes, newest first",
        querystring: smsQuerySchema,
        response: { 200: z.object({ codes: z.array(smsCodeSchema) }), ...errorResponses(400) },
      },
    },
    async (request, reply) => {
      const codes = await bank.listSmsCodes({
        cardLast4: request.query.cardLast4 ?? null,
        limit: request.query.limit,
      });
      void reply.header('cache-control', 'no-store');
      return {
        codes: codes.map((code) => ({
          verificationId: code.verificationId,
          card: code.card,
          phone: code.phone,
          purpose: code.purpose,
          code: code.code,
          status: code.status,
          attempts: code.attempts,
          createdAt: code.createdAt.toISOString(),
          expiresAt: code.expiresAt.toISOString(),
        })),
      };
    },
  );

  app.get(
    '/dev/bank/cards/:last4',
    {
      schema: {
        tags: TAGS,
        summary: 'Sandbox bank cards (and accounts) ending in these 4 digits, with their balances',
        params: z.object({ last4: last4Schema }),
        response: { 200: z.object({ cards: z.array(accountSchema) }), ...errorResponses(400) },
      },
    },
    async (request, reply) => {
      const accounts = await bank.listAccountsEndingIn(request.params.last4, DEFAULT_LIMIT);
      void reply.header('cache-control', 'no-store');
      return {
        cards: accounts.map((account) => ({
          number: account.number,
          kind: account.kind,
          bankCode: account.bankCode,
          bankNameZh: account.bankNameZh,
          balance: { amount: account.balanceMinor.toString(), currency: account.currency },
          createdAt: account.createdAt.toISOString(),
        })),
      };
    },
  );
  done();
};
