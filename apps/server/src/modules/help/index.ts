/**
 * The help centre (FAQ articles in zh-CN and English, searched by anyone, managed in the operator
 * console) and holders' feedback on the app: made by app.ts with what it needs
 * (`createHelpModule`); declared in module.ts. Other modules use its service, never its tables.
 */
import type { FastifyPluginAsync } from 'fastify';
import type pg from 'pg';
import type { JobDefinition } from '../../jobs/index.ts';
import type { IdentityService } from '../identity/index.ts';
import type { OperatorService } from '../operator/index.ts';
import type { HelpSettings } from './module.ts';
import { helpRoutes } from './routes.ts';
import { HelpService } from './service.ts';
import { HelpStore } from './store.ts';

export { HelpService } from './service.ts';
export type { HelpSettings } from './module.ts';

export function createHelpModule(deps: {
  pool: pg.Pool;
  operators: Pick<OperatorService, 'audit'>;
  identity: Pick<IdentityService, 'getUser'>;
  settings: HelpSettings;
  now: () => Date;
}) {
  const service = new HelpService({
    store: new HelpStore(deps.pool),
    operators: deps.operators,
    identity: deps.identity,
    settings: deps.settings,
    now: deps.now,
  });
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(helpRoutes, { service });
  };
  const jobs: JobDefinition[] = [];
  return { service, routes, jobs };
}
