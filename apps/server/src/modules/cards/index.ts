/**
 * Bank cards (capability C5): bind a same-name debit card (four-factor check + the bank's SMS
 * code, lifting the holder to T2), list, set default, unbind. Card numbers never leave the
 * request: the module keeps the bank's token, the BIN and the last 4. The funding module gets a
 * card's token through `cardForFunding`. See docs/cards-and-funding.md.
 */
import type { FastifyPluginAsync } from 'fastify';
import type pg from 'pg';
import type { BankAdapter } from '../../adapters/bank/index.ts';
import type { KycService } from '../kyc/index.ts';
import type { NotificationsService } from '../notifications/service.ts';
import { cardsRoutes } from './routes.ts';
import { CardsService } from './service.ts';
import { CardsStore } from './store.ts';

export { cardsMigrations } from './migrations.ts';
export { CARDS_ERRORS, type CardsErrorCode } from './errors.ts';
export { CardsService, bankNameOf, listBanks, type CardView, type FundingCard } from './service.ts';

export interface CardsModuleDeps {
  pool: pg.Pool;
  bank: BankAdapter;
  kyc: Pick<KycService, 'legalNameOf' | 'idNumberOf' | 'onSameNameCardBound'>;
  notifications: Pick<NotificationsService, 'notify'>;
  /** Asked before unbinding: the funding module knows which cards have operations in flight. */
  isCardBusy: (cardId: string) => Promise<boolean>;
  now: () => Date;
}

export function createCardsModule(deps: CardsModuleDeps) {
  const service = new CardsService({ ...deps, store: new CardsStore(deps.pool) });
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(cardsRoutes, { service });
  };
  return { service, routes };
}
