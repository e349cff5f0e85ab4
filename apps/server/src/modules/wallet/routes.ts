import type { FastifyRequest } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Ledger } from '@qianbao/ledger';
import { AppError, errorResponseSchema } from '../../errors.ts';
import { HOLDER_SECURITY, requireHolder } from '../identity/index.ts';

export interface WalletRoutesOptions {
  ledger: Pick<Ledger, 'getBalance'>;
  authenticate: (request: FastifyRequest) => Promise<void>;
}

const money = z.object({
  amount: z.string().meta({ description: 'Integer minor units (fen), as a string.', example: '123456' }),
  currency: z.string().meta({ example: 'CNY' }),
});

/** The holder's own wallet, read from the ledger (balances are never stored anywhere else). */
export const walletRoutes: FastifyPluginCallbackZod<WalletRoutesOptions> = (app, options, done) => {
  app.get(
    '/v1/me/balance',
    {
      onRequest: options.authenticate,
      schema: {
        tags: ['wallet'],
        summary: 'My wallet balance',
        description:
          '`balance` is what the ledger has posted; `available` is that minus money on hold (pending ' +
          'payments and withdrawals); `incoming` is money on its way in.',
        security: HOLDER_SECURITY,
        response: {
          200: z.object({ balance: money, available: money, incoming: money }),
          401: errorResponseSchema,
        },
      },
    },
    async (request) => {
      const { walletAccountId } = requireHolder(request);
      const balance = await options.ledger.getBalance(walletAccountId);
      if (!balance) throw new AppError('INTERNAL', { message: 'wallet account missing from the ledger' });
      const of = (amount: bigint) => ({ amount: amount.toString(), currency: balance.currency });
      return {
        balance: of(balance.postedBalance),
        available: of(balance.availableBalance),
        incoming: of(balance.creditsPending),
      };
    },
  );
  done();
};
