/**
 * Wallet-to-wallet transfers (capability C6): by mobile number, by personal receive code, and
 * payment requests. Other modules use `TransfersService` (the history module: `describe`).
 * See docs/transfers.md.
 */
import type { FastifyPluginAsync } from 'fastify';
import { transfersRoutes } from './routes.ts';
import { TransfersService } from './service.ts';
import type { TransfersServiceDeps } from './service.ts';
import type { HeldPayments } from '../../payments/index.ts';

export { transfersMigrations } from './migrations.ts';
export { TRANSFERS_ERRORS, type TransfersErrorCode } from './errors.ts';
export {
  TransfersService,
  parseReceivePayload,
  type TransferView,
  type PaymentRequestView,
  type TransfersServiceDeps,
} from './service.ts';
export { transferPaymentId } from './routes.ts';
export {
  TRANSFER_EVENTS,
  TRANSFER_NOTICES,
  transferSucceeded,
  type TransferSucceededPayload,
} from './events.ts';

export type TransfersModuleDeps = TransfersServiceDeps & {
  /** Transfers held for review are settled here (payments/review.ts). */
  held: HeldPayments;
};

export function createTransfersModule(deps: TransfersModuleDeps) {
  const service = new TransfersService(deps);
  deps.held.register('transfer', { settle: (input) => service.settleHeld(input) });
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(transfersRoutes, { service });
  };
  return { service, routes };
}
