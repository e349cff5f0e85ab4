import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Ledger } from '@qianbao/ledger';
import { principalOf, signedIn } from '../../auth/index.ts';
import { AppError } from '../../errors.ts';
import { moneyJson, moneyOutput } from '../../http/money.ts';
import { errorResponses } from '../../http/responses.ts';

export interface WalletRoutesOptions {
  ledger: Pick<Ledger, 'getBalance'>;
}

/** The holder's own wallet, read from the ledger (balances are never stored anywhere else). */
export const walletRoutes: FastifyPluginCallbackZod<WalletRoutesOptions> = (app, options, done) => {
  app.get(
    '/v1/me/balance',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: ['wallet'],
          summary: 'My wallet balance',
          description:
            '`balance` is what the ledger has posted; `available` is that minus money on hold (pending ' +
            'payments and withdrawals); `incoming` is money on its way in.',
          response: {
            200: z.object({
              balance: moneyOutput.meta({ description: 'What the ledger has posted.' }),
              available: moneyOutput.meta({
                description: 'The balance minus money on hold: what can be spent.',
              }),
              incoming: moneyOutput.meta({ description: 'Money on its way in (pending credits).' }),
            }),
            ...errorResponses(401),
          },
        },
      },
    ),
    async (request) => {
      const { walletAccountId } = principalOf(request, 'holder');
      const balance = await options.ledger.getBalance(walletAccountId);
      if (!balance) throw new AppError('INTERNAL', { message: 'wallet account missing from the ledger' });
      const of = (amountMinor: bigint) => moneyJson(amountMinor, balance.currency);
      return {
        balance: of(balance.postedBalance),
        available: of(balance.availableBalance),
        incoming: of(balance.creditsPending),
      };
    },
  );
  done();
};
