/**
 * Top-up and withdrawal (capability C5) and transfer to a bank account of any bank (C6): two-phase
 * with the bank, crash-safe, with a recovery worker, configurable fees and a daily reconciliation
 * against the bank's settlement file. See service.ts for the state machine,
 * docs/cards-and-funding.md and docs/bank-transfers.md.
 */
import type { FastifyBaseLogger, FastifyPluginAsync } from 'fastify';
import type pg from 'pg';
import type { Ledger } from '@qianbao/ledger';
import type { BankAdapter } from '../../adapters/bank/index.ts';
import type { FundingConfig } from '../../config.ts';
import type { SecretBox } from '../../crypto/secret-box.ts';
import type { CardsService } from '../cards/index.ts';
import { shanghaiCalendar } from '../kyc/index.ts';
import type { KycService } from '../kyc/index.ts';
import type { OutboxWake } from '../../outbox/index.ts';
import type { OperatorService } from '../operator/index.ts';
import type { PaymentAuthorizer } from '../../payments/index.ts';
import type { SecurityService } from '../security/index.ts';
import { ensureFundingAccounts } from './accounts.ts';
import { fundingJobs } from './jobs.ts';
import { reconcileFunding, reportJson } from './reconcile.ts';
import type { OtherBankOperations, ReconciliationReport } from './reconcile.ts';
import { fundingRoutes } from './routes.ts';
import { FundingService } from './service.ts';
import type { FeeSettings, FundingHooks } from './service.ts';
import { FundingStore } from './store.ts';

export { fundingMigrations } from './migrations.ts';
export { FUNDING_ERRORS, type FundingErrorCode } from './errors.ts';
export {
  FundingService,
  ledgerIds,
  type BankTransferQuote,
  type FundingDescription,
  type FundingHooks,
  type FundingQuote,
  type FundingView,
  type WithdrawalQuote,
} from './service.ts';
export { bankSettlementAccountId, ensureFundingAccounts, feeIncomeAccountId } from './accounts.ts';
export {
  reconcileFunding,
  reportJson,
  type OtherBankOperation,
  type OtherBankOperations,
  type ReconciliationReport,
} from './reconcile.ts';
export { FundingStore } from './store.ts';
export { FUNDING_EVENTS, FUNDING_NOTICES, type FundingEventPayload } from './events.ts';
export { FUNDING_JOBS } from './jobs.ts';
export { bankTransferFee, withdrawalFee } from './fees.ts';
export { parseBankAccount, type BankAccountInput } from './bank-account.ts';

export interface FundingModuleDeps {
  pool: pg.Pool;
  ledger: Pick<Ledger, 'createAccounts' | 'createTransfers' | 'getTransfer' | 'getBalance' | 'listTransfers'>;
  bank: BankAdapter;
  cards: Pick<CardsService, 'cardForFunding'>;
  kyc: Pick<KycService, 'limitsFor'>;
  security: Pick<SecurityService, 'requiredFactor' | 'verifyConfirmation'>;
  payments: Pick<PaymentAuthorizer, 'authorize' | 'preview' | 'move'>;
  /** Woken after a terminal state and its event commit; the holder's notice follows from the event. */
  events: OutboxWake;
  operators: Pick<OperatorService, 'audit'>;
  secrets: Pick<SecretBox, 'seal' | 'open' | 'blindIndex'>;
  config: FundingConfig;
  /** Fees set by approved configuration changes (modules/approvals); else `config`'s. */
  settings?: FeeSettings;
  /**
   * Other modules' operations at the same bank (merchants' settlements), for the daily
   * reconciliation; asked when it runs (those modules are made after this one).
   */
  otherBankOperations?: () => readonly OtherBankOperations[];
  now: () => Date;
  log: FastifyBaseLogger;
  hooks?: FundingHooks;
}

export async function createFundingModule(deps: FundingModuleDeps) {
  await ensureFundingAccounts(deps.ledger);
  const store = new FundingStore(deps.pool, deps.events);
  const service = new FundingService({ ...deps, store });
  const reconcile = (date: string): Promise<ReconciliationReport> =>
    reconcileFunding({
      store,
      bank: deps.bank,
      date,
      now: deps.now(),
      others: deps.otherBankOperations?.() ?? [],
    });

  /**
   * Yesterday's reconciliation, once per day across all instances (the report's row is the
   * claim); mismatches are logged as errors for the operators' alerting.
   */
  const reconcileYesterday = async (): Promise<{ date: string; mismatches: number | null }> => {
    const date = shanghaiCalendar(new Date(deps.now().getTime() - 24 * 3600 * 1000)).day;
    if (await store.hasReconciliation(date)) return { date, mismatches: null };
    const report = await reconcile(date);
    const saved = await store.saveReconciliation({
      date,
      report: reportJson(report),
      mismatches: report.mismatches,
      at: deps.now(),
    });
    if (saved && report.mismatches > 0) {
      deps.log.error({ date, mismatches: report.mismatches }, 'funding reconciliation found mismatches');
    }
    return { date, mismatches: saved ? report.mismatches : null };
  };

  // The recovery worker and the daily reconciliation, run by the job queue (ADR 0013).
  const jobs = fundingJobs({
    service,
    reconcileYesterday,
    recoveryIntervalMs: deps.config.recoveryIntervalMs,
  });

  const routes: FastifyPluginAsync = async (app) => {
    await app.register(fundingRoutes, {
      service,
      reconcile,
      operators: deps.operators,
    });
  };
  return { service, reconcile, reconcileYesterday, jobs, routes };
}
