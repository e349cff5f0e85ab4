/**
 * The approvals module (maker-checker, ADR 0025): configuration changes and manual adjustments,
 * each proposed by one operator and decided by another. Made by app.ts (`createApprovalsModule`);
 * the reader of the configuration in force (`ConfigurationReader`) is made earlier, for the
 * modules whose settings it changes (kyc, security, funding, merchants).
 */
import type { FastifyPluginAsync } from 'fastify';
import type pg from 'pg';
import type { JobDefinition } from '../../jobs/index.ts';
import type { ConfigurationReader } from './configuration.ts';
import { approvalsJobs } from './jobs.ts';
import { approvalsRoutes } from './routes.ts';
import { ApprovalsService } from './service.ts';
import type { ApprovalsServiceDeps } from './service.ts';
import { ApprovalsStore } from './store.ts';

export { ApprovalsService, adjustmentsAccountId, type ConfigurationDefaults } from './service.ts';
export { ConfigurationReader, CONFIGURATION_CACHE_MS } from './configuration.ts';
export { APPROVALS_NOTICES, APPROVALS_EVENTS } from './events.ts';
export { APPROVALS_JOBS } from './module.ts';

export function createApprovalsModule(
  deps: Omit<ApprovalsServiceDeps, 'store' | 'configuration'> & {
    pool: pg.Pool;
    configuration: ConfigurationReader;
  },
) {
  const { pool, ...rest } = deps;
  const service = new ApprovalsService({ ...rest, store: new ApprovalsStore(pool) });
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(approvalsRoutes, { service });
  };
  const jobs: JobDefinition[] = approvalsJobs(service);
  return { service, routes, jobs };
}
