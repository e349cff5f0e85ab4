/**
 * Real-name tiers and limits (capability C4). Other modules use `KycService`: `limitsFor(userId)`
 * with `planPaymentLimits` / `payeeBalanceCap` (limits.ts) for every money movement,
 * `onSameNameCardBound` when a card is bound, `birthDateOf` for the PIN rules.
 */
import type { FastifyPluginAsync } from 'fastify';
import type pg from 'pg';
import type { IdentityVerifier } from '../../adapters/identity-verifier/index.ts';
import type { SecretBox } from '../../crypto/secret-box.ts';
import type { NotificationsService } from '../notifications/service.ts';
import type { OperatorService } from '../operator/index.ts';
import { kycRoutes } from './routes.ts';
import { KycService } from './service.ts';
import type { KycConfig, KycServiceDeps } from './service.ts';

export { kycMigrations } from './migrations.ts';
export { KYC_ERRORS, type KycErrorCode } from './errors.ts';
export { KycService, type KycProfile, type KycConfig } from './service.ts';
export { planPaymentLimits, payeeBalanceCap, limitNameOfKey, limitExceededError } from './limits.ts';
export { TIERS, DEFAULT_TIER_LIMITS, type Tier, type TierLimits } from './tiers.ts';
export {
  foreseeRefusal,
  refusalOf,
  usedToday,
  type ForeseeInput,
  type ForeseeLedger,
  type Refusal,
} from './foresee.ts';
export { maskIdNumber, maskName, parseIdNumber } from './id-number.ts';

export interface KycModuleDeps {
  pool: pg.Pool;
  verifier: IdentityVerifier;
  secrets: SecretBox;
  identity: { setRealNameVerified(input: { userId: string; idNumber: string }): Promise<void> };
  notifications: Pick<NotificationsService, 'notify'>;
  operators: Pick<OperatorService, 'audit'>;
  config: KycConfig;
  now: () => Date;
  /** Tier limits set by approved configuration changes (modules/approvals); else the table's. */
  settings?: KycServiceDeps['settings'];
}

export function createKycModule(deps: KycModuleDeps) {
  const service = new KycService(deps);
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(kycRoutes, { service, operators: deps.operators });
  };
  return { service, routes };
}
// The calendar limits count in (platform/calendar.ts), for modules that already import kyc.
export { shanghaiCalendar } from '../../platform/calendar.ts';
