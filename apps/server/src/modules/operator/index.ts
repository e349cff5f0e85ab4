/**
 * Operators (bank staff): accounts made with `npx qianbao operator create`, sign-in with password
 * and TOTP or with a passkey, their own sessions (cookie `qb_operator`), and the audit log of
 * every action.
 */
import type { FastifyPluginAsync } from 'fastify';
import type pg from 'pg';
import type { Authenticator } from '../../auth/signed-in.ts';
import type { SecretBox } from '../../crypto/secret-box.ts';
import { operatorTokenOf } from './http.ts';
import { operatorPasskeyRoutes } from './passkey-routes.ts';
import { OperatorPasskeys } from './passkeys.ts';
import type { OperatorPasskeySettings } from './passkeys.ts';
import { operatorRoutes } from './routes.ts';
import { OperatorService } from './service.ts';
import type { OperatorConfig } from './service.ts';

export { operatorMigrations } from './migrations.ts';
export { OPERATOR_ERRORS, type OperatorErrorCode } from './errors.ts';
export { auditHead, auditKeyFrom, verifyAuditChain, type AuditVerifyReport } from './audit.ts';
export {
  auditCheckpointKeyFrom,
  auditCheckpointLine,
  makeAuditCheckpoint,
  readAuditCheckpoint,
  type AuditCheckpointReading,
  type AuditCheckpointRecord,
} from './audit-checkpoint.ts';
export {
  OperatorService,
  OPERATOR_ROLES,
  type Operator,
  type OperatorRole,
  type OperatorConfig,
  type OperatorSession,
} from './service.ts';
export { OperatorPasskeys, MAX_PASSKEYS_PER_OPERATOR, type OperatorPasskeySettings } from './passkeys.ts';

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
  /** The relying party of the operators' passkeys (the public URL) and their challenges' lifetime. */
  webauthn: OperatorPasskeySettings;
  now: () => Date;
  /** Told after each audit entry (the audit checkpoints, ADR 0024). */
  onAuditAppended?: (() => void) | undefined;
  /** The checkpoint file the audit log's verify reads when it exists. */
  checkpointFile?: string | null | undefined;
}

export function createOperatorModule(deps: OperatorModuleDeps) {
  const service = new OperatorService({ ...deps, issuer: 'Qianbao' });
  const passkeys = new OperatorPasskeys({
    pool: deps.pool,
    secrets: deps.secrets,
    accounts: service,
    settings: deps.webauthn,
    now: deps.now,
  });
  /** The operator authenticator of `signedIn`: its own token or cookie, never a holder's. */
  const authenticate: Authenticator<'operator'> = async (request) => {
    const { role, ...operator } = await service.authenticate(operatorTokenOf(request));
    return { kind: 'operator', ...operator, roles: [role] };
  };
  const routes: FastifyPluginAsync = async (app) => {
    const cookie = { secureCookies: deps.secureCookies, sessionSeconds: deps.config.sessionHours * 3600 };
    await app.register(operatorRoutes, { service, ...cookie });
    await app.register(operatorPasskeyRoutes, { passkeys, ...cookie });
  };
  return { service, passkeys, authenticate, routes };
}
