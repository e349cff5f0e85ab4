import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Account, Ledger } from '@qianbao/ledger';
import { principalOf, signedIn } from '../../auth/index.ts';
import { AppError } from '../../errors.ts';
import { moneyJson, moneyOutput } from '../../http/money.ts';
import { errorResponses } from '../../http/responses.ts';
import { ACCOUNT_PURPOSES, ACCOUNT_PURPOSE_NAMES } from '../../platform/accounts.ts';
import type { AccountDirectory, AccountPurpose } from '../../platform/accounts.ts';

export interface WalletRoutesOptions {
  ledger: Pick<Ledger, 'getBalance'>;
  /** The owner's accounts per currency and purpose (platform/accounts.ts). */
  accounts: Pick<AccountDirectory, 'list'>;
}

const balanceFields = {
  balance: moneyOutput.meta({ description: 'What the ledger has posted.' }),
  available: moneyOutput.meta({
    description: 'The balance minus money on hold: what can be spent.',
  }),
  incoming: moneyOutput.meta({ description: 'Money on its way in (pending credits).' }),
};

const accountOutput = z
  .object({
    id: z.string().meta({ description: 'The ledger account id.' }),
    purpose: z.enum(ACCOUNT_PURPOSE_NAMES as [AccountPurpose, ...AccountPurpose[]]).meta({
      description:
        '`wallet` (spendable money), `fundShares` (money-market fund holding), `loan` (what is owed), ' +
        '`escrow` (set aside until claimed, e.g. red packets).',
    }),
    currency: z.string().meta({ description: 'The ISO 4217 currency code of the account.', example: 'CNY' }),
    balance: moneyOutput.meta({
      description: 'What the ledger has posted: what is held, or for a `loan` what is owed.',
    }),
    available: moneyOutput.meta({
      description:
        'The balance minus what is on its way out (on hold); for a `loan`, minus pending repayments.',
    }),
    incoming: moneyOutput.meta({
      description: 'What is on its way in (pending); for a `loan`, pending drawdowns.',
    }),
  })
  .meta({ description: 'One of my ledger accounts.' });

/** Balances of an account on its normal side (ACCOUNT_PURPOSES): never negative, by its flags. */
function accountBalances(account: Account, purpose: AccountPurpose) {
  const credit = ACCOUNT_PURPOSES[purpose].normal === 'credit';
  const [grows, shrinks] = credit
    ? [account.creditsPosted, account.debitsPosted]
    : [account.debitsPosted, account.creditsPosted];
  const [incoming, outgoing] = credit
    ? [account.creditsPending, account.debitsPending]
    : [account.debitsPending, account.creditsPending];
  const of = (amountMinor: bigint) => moneyJson(amountMinor, account.currency);
  return { balance: of(grows - shrinks), available: of(grows - shrinks - outgoing), incoming: of(incoming) };
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
            200: z.object(balanceFields),
            ...errorResponses(401),
          },
        },
      },
    ),
    async (request) => walletBalance(principalOf(request, 'holder').walletAccountId),
  );

  app.get(
    '/v1/me/wallet',
    signedIn(
      app,
      { principal: 'holder' },
      {
        schema: {
          tags: ['wallet'],
          summary: 'My wallet and all my accounts',
          description:
            '`balance`, `available` and `incoming` are those of my CNY wallet, as `GET /v1/me/balance` ' +
            'answers them. `accounts` lists every account I hold, one per purpose and currency (a ' +
            'wallet per currency, fund shares, a loan, escrow), ordered by purpose then currency; ' +
            'accounts are opened when first needed, so a new holder has only the CNY wallet.',
          response: {
            200: z.object({
              ...balanceFields,
              accounts: z
                .array(accountOutput)
                .meta({ description: 'My accounts, per purpose and currency.' }),
            }),
            ...errorResponses(401),
          },
        },
      },
    ),
    async (request) => {
      const { userId, walletAccountId } = principalOf(request, 'holder');
      const [wallet, owned] = await Promise.all([
        walletBalance(walletAccountId),
        options.accounts.list(`user:${userId}`),
      ]);
      return {
        ...wallet,
        accounts: owned.map(({ purpose, account }) => ({
          id: account.id,
          purpose,
          currency: account.currency,
          ...accountBalances(account, purpose),
        })),
      };
    },
  );

  /** The session's CNY wallet, from the ledger (the web app reads these three fields). */
  async function walletBalance(walletAccountId: string) {
    const balance = await options.ledger.getBalance(walletAccountId);
    if (!balance) throw new AppError('INTERNAL', { message: 'wallet account missing from the ledger' });
    const of = (amountMinor: bigint) => moneyJson(amountMinor, balance.currency);
    return {
      balance: of(balance.postedBalance),
      available: of(balance.availableBalance),
      incoming: of(balance.creditsPending),
    };
  }
  done();
};
