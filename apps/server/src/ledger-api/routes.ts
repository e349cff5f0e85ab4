import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Ledger } from '@qianbao/ledger';
import { ADMIN_TOKEN_SECURITY, requireBearerToken } from '../auth/index.ts';
import { AppError } from '../errors.ts';
import { errorResponses } from '../http/responses.ts';
import {
  MAX_ACCOUNTS_PER_REQUEST,
  MAX_TRANSFERS_PER_REQUEST,
  accountJson,
  accountSchema,
  balanceJson,
  balanceQuerySchema,
  balanceSchema,
  createAccountInputSchema,
  createAccountsResponseSchema,
  idSchema,
  toCreateAccountInput,
  toTransferInput,
  transferInputSchema,
  transferJson,
  transferOutcomeJson,
  transferPageQuerySchema,
  transferPageSchema,
  transferResultSchema,
  transferSchema,
} from './schemas.ts';

export interface LedgerApiOptions {
  ledger: Pick<
    Ledger,
    'createAccounts' | 'createTransfers' | 'getAccount' | 'getBalance' | 'getTransfer' | 'listTransfers'
  >;
  adminToken: string;
}

const TAGS = ['ledger (internal)'];
const SECURITY = ADMIN_TOKEN_SECURITY;
const idParams = z.object({ id: idSchema });

/** Error bodies every route of this API can answer with, for the OpenAPI document. */
const COMMON_ERRORS = errorResponses(400, 401, 503);

/**
 * The internal ledger API for operators and other back-office systems, under `/v1/ledger`. Every
 * route needs `Authorization: Bearer <QIANBAO_ADMIN_TOKEN>`. It exposes the ledger as it is:
 * per-item results are data (HTTP 200), not HTTP errors.
 */
export const ledgerApi: FastifyPluginCallbackZod<LedgerApiOptions> = (app, { ledger, adminToken }, done) => {
  app.addHook('onRequest', requireBearerToken(adminToken));

  app.post(
    '/accounts',
    {
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: 'Create accounts',
        description: `Creates up to ${MAX_ACCOUNTS_PER_REQUEST} accounts. Each item gets its own result; creating an existing account with the same fields answers \`exists\`.`,
        body: z.array(createAccountInputSchema).min(1).max(MAX_ACCOUNTS_PER_REQUEST),
        response: { 200: createAccountsResponseSchema, ...COMMON_ERRORS },
      },
    },
    async (request) => ({ results: await ledger.createAccounts(request.body.map(toCreateAccountInput)) }),
  );

  app.get(
    '/accounts/:id',
    {
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: 'Get an account with its counters',
        params: idParams,
        response: { 200: accountSchema, ...errorResponses(404), ...COMMON_ERRORS },
      },
    },
    async (request) => {
      const account = await ledger.getAccount(request.params.id);
      if (!account) throw accountNotFound();
      return accountJson(account);
    },
  );

  app.get(
    '/accounts/:id/balance',
    {
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: 'Get the balance of an account, now or as of a past time',
        params: idParams,
        querystring: balanceQuerySchema,
        response: { 200: balanceSchema, ...errorResponses(404), ...COMMON_ERRORS },
      },
    },
    async (request) => {
      const { at } = request.query;
      const balance = await ledger.getBalance(request.params.id, at);
      if (!balance) throw accountNotFound();
      return balanceJson(balance, at);
    },
  );

  app.get(
    '/accounts/:id/transfers',
    {
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: 'List the transfers of an account, newest first',
        params: idParams,
        querystring: transferPageQuerySchema,
        response: { 200: transferPageSchema, ...errorResponses(404), ...COMMON_ERRORS },
      },
    },
    async (request) => {
      const page = await ledger.listTransfers(request.params.id, request.query);
      // An empty first page may mean there is no such account: only then is it worth a lookup.
      if (page.transfers.length === 0 && !request.query.cursor) {
        if (!(await ledger.getAccount(request.params.id))) throw accountNotFound();
      }
      return { transfers: page.transfers.map(transferJson), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/transfers',
    {
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: 'Create transfers',
        description:
          `Submits up to ${MAX_TRANSFERS_PER_REQUEST} transfers, applied in order; a chain of transfers flagged ` +
          '`linked` (closed by one without the flag) succeeds or fails as a whole. ' +
          'The transfer `id` is the idempotency key: resubmitting an id returns the first result, success or ' +
          'failure, so a request can be retried safely after a timeout. Each transfer gets its own `result` ' +
          '(HTTP 200 even when some fail). When the ledger queue is full the whole request is refused with ' +
          '503 OVERLOADED and `Retry-After`; nothing of it was applied. When the database stays unavailable ' +
          '(a failover) longer than the server waits, it answers 503 SERVICE_UNAVAILABLE: the outcome is unknown, ' +
          'so submit the same transfers again (same ids) once it is back.',
        body: z.object({
          transfers: z.array(transferInputSchema).min(1).max(MAX_TRANSFERS_PER_REQUEST),
        }),
        response: { 200: z.object({ results: z.array(transferResultSchema) }), ...COMMON_ERRORS },
      },
    },
    async (request) => {
      const outcomes = await ledger.createTransfers(request.body.transfers.map(toTransferInput));
      return { results: outcomes.map(transferOutcomeJson) };
    },
  );

  app.get(
    '/transfers/:id',
    {
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: 'Get a transfer',
        params: idParams,
        response: { 200: transferSchema, ...errorResponses(404), ...COMMON_ERRORS },
      },
    },
    async (request) => {
      const transfer = await ledger.getTransfer(request.params.id);
      if (!transfer) throw new AppError('NOT_FOUND', { message: 'No such transfer.' });
      return transferJson(transfer);
    },
  );
  done();
};

function accountNotFound(): AppError {
  return new AppError('NOT_FOUND', { message: 'No such account.' });
}
