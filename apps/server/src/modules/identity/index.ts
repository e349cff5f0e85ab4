/**
 * The identity module (capability C2): holders, SMS codes, passwords, devices and sessions.
 * Other modules use `IdentityService` (from the app's composition root) and, in their routes,
 * `signedIn(app, { principal: 'holder' }, …)` + `principalOf(request, 'holder')` (../../auth/).
 */
import type { FastifyPluginAsync } from 'fastify';
import type pg from 'pg';
import type { Ledger } from '@qianbao/ledger';
import type { Authenticator } from '../../auth/signed-in.ts';
import type { SmsSender } from '../../adapters/sms/sender.ts';
import type { IdentityConfig } from '../../config.ts';
import type { NotificationsService } from '../notifications/service.ts';
import { sessionTokenOf } from './http.ts';
import { identityJobs } from './jobs.ts';
import { identityRoutes } from './routes.ts';
import { IdentityService } from './service.ts';

export { identityMigrations } from './migrations.ts';
export { IDENTITY_JOBS } from './jobs.ts';
export { IDENTITY_ERRORS, type IdentityErrorCode } from './errors.ts';
export { clientOf, setSessionCookie, type Holder, type ClientInfo, type CookiePolicy } from './http.ts';
export { sessionCreatedJson, sessionCreatedSchema, meJson, meSchema } from './schemas.ts';
export { maskPhone, normalizePhone } from './phone.ts';
export {
  IdentityService,
  type User,
  type NewSession,
  type DeviceInput,
  type SessionView,
  type SmsPurpose,
  type SessionMethod,
  type SmsCodeSent,
} from './service.ts';

export interface IdentityModuleDeps {
  pool: pg.Pool;
  ledger: Pick<Ledger, 'createAccounts'>;
  sms: SmsSender;
  notifications: Pick<NotificationsService, 'notify'>;
  config: IdentityConfig;
  /** Production: the session cookie is `Secure` (HTTPS only). */
  secureCookies: boolean;
  now: () => Date;
  log: { warn(object: object, message: string): void };
}

export function createIdentityModule(deps: IdentityModuleDeps) {
  const service = new IdentityService(deps);
  const { session } = deps.config;
  /** The holder authenticator of `signedIn` (bearer token or `qb_session` cookie, checked in the database). */
  const authenticate: Authenticator<'holder'> = async (request) => ({
    kind: 'holder',
    ...(await service.authenticate(sessionTokenOf(request))),
  });
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(identityRoutes, {
      service,
      cookie: { secure: deps.secureCookies, maxAgeSeconds: session.maxAgeSeconds },
      idleTimeoutSeconds: session.idleSeconds,
    });
  };
  // Hourly housekeeping (IdentityService.sweep), run by the job queue (ADR 0013).
  return { service, authenticate, routes, jobs: identityJobs(service) };
}
