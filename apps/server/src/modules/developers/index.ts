/**
 * The open platform's credentials (issue 14, ADR 0020): API keys of merchants — made by the
 * owner, the authenticator of the `apiClient` principal, rate limits and the request log. Made by
 * app.ts with what it needs (`createDevelopersModule`); declared in module.ts. docs/developers.md.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type pg from 'pg';
import { developersJobs } from './jobs.ts';
import type { DevelopersSettings } from './module.ts';
import { developersRoutes } from './routes.ts';
import { DevelopersService } from './service.ts';
import { DevelopersStore } from './store.ts';

export { developersDeclaration } from './module.ts';
export { DevelopersService } from './service.ts';

export function createDevelopersModule(deps: {
  pool: pg.Pool;
  settings: DevelopersSettings;
  now: () => Date;
  log: { warn(object: object, message: string): void };
}) {
  const service = new DevelopersService({
    store: new DevelopersStore(deps.pool),
    settings: deps.settings,
    now: deps.now,
    log: deps.log,
  });
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(developersRoutes, { service });
  };
  /** Every request's hooks, added at the root: rate-limit headers and the request log of API keys. */
  const hooks = (app: FastifyInstance) => {
    app.addHook('onSend', async (request, reply, payload) => {
      service.addRateLimitHeaders(request, reply);
      return payload;
    });
    app.addHook('onResponse', async (request, reply) => {
      service.logRequest(request, reply);
    });
  };
  return { service, routes, hooks, jobs: developersJobs(service) };
}
