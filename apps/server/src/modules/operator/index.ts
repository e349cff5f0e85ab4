/**
 * Operators (bank staff): accounts made with `npx qianbao operator create`, sign-in with password
 * and TOTP, their own sessions (cookie `qb_operator`), and the audit log of every action.
 */
import type { FastifyPluginAsync } from 'fastify';
import type pg from 'pg';
import type { Authenticator } from '../../auth/signed-in.ts';
import type { SecretBox } from '../../crypto/secret-box.ts';
import { operatorTokenOf } from './http.ts';
import { operatorRoutes } from './routes.ts';
import { OperatorService } from './service.ts';
import type { OperatorConfig } from './service.ts';

export { operatorMigrations } from './migrations.ts';
export { OPERATOR_ERRORS, type OperatorErrorCode } from './errors.ts';
export { auditKeyFrom, verifyAuditChain, type AuditVerifyReport } from './audit.ts';
export {
  OperatorService,
  OPERATOR_ROLES,
  type Operator,
  type OperatorRole,
  type OperatorConfig,
} from './service.ts';

export const DEFAULT_OPERATOR_CONFIG: OperatorConfig = {
  sessionHours: 8,
  maxFailures: 5,
  lockMinutes: 15,
  tryLeaseSeconds: 30,
  hashing: { memoryCostKib: 19_456, timeCost: 2 },
};

export interface OperatorModuleDeps {
  pool: pg.Pool;
  secrets: SecretBox;
  config: OperatorConfig;
  secureCookies: boolean;
  now: () => Date;
}

export function createOperatorModule(deps: OperatorModuleDeps) {
  const service = new OperatorService({ ...deps, issuer: 'Qianbao' });
  /** The operator authenticator of `signedIn`: its own token or cookie, never a holder's. */
  const authenticate: Authenticator<'operator'> = async (request) => {
    const { role, ...operator } = await service.authenticate(operatorTokenOf(request));
    return { kind: 'operator', ...operator, roles: [role] };
  };
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(operatorRoutes, {
      service,
      secureCookies: deps.secureCookies,
      sessionSeconds: deps.config.sessionHours * 3600,
    });
  };
  return { service, authenticate, routes };
}
