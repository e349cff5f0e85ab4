/**
 * The payment-security module (capability C3): transaction PIN, passkeys, TOTP two-step
 * verification, password-free payments, and the confirmation service money movements call
 * (`requiredFactor` → `createChallenge` → `verifyConfirmation`). See docs/security.md.
 */
import type { FastifyPluginAsync } from 'fastify';
import type pg from 'pg';
import type { Config } from '../../config.ts';
import type { SecretBox } from '../../crypto/secret-box.ts';
import type { IdentityService } from '../identity/index.ts';
import type { OutboxWake } from '../../outbox/index.ts';
import { securityRoutes } from './routes.ts';
import { SecurityService } from './service.ts';
import type { BirthDateSource, IdNumberSource, PasswordFreeSettings } from './service.ts';

export { securityMigrations } from './migrations.ts';
export {
  SECURITY_EVENTS,
  SECURITY_NOTICES,
  type PasskeyPayload,
  type PasswordFreeLimitChangedPayload,
  type PaymentsLockedPayload,
  type PinSetPayload,
  type TotpDisabledPayload,
  type TotpEnabledPayload,
} from './events.ts';
export { SECURITY_ERRORS, type SecurityErrorCode } from './errors.ts';
export { passwordFreeLimitKey } from './factor-policy.ts';
export { paymentHash } from './payment-binding.ts';
// Shared with the operators' passkeys (modules/operator/passkeys.ts): one relying party, one set of rules.
export { relyingPartyFor, type RelyingParty } from './relying-party.ts';
export {
  SUPPORTED_ALGORITHMS,
  assertionFlags,
  challengeOfClientData,
  counterRefused,
  registrationOptions,
  verifiedAssertion,
  verifiedRegistration,
} from './webauthn.ts';
export {
  SecurityService,
  type BirthDateSource,
  type IdNumberSource,
  type ConfirmationFactor,
  type ConfirmationFailureCode,
  type ConfirmationInput,
  type ConfirmationResult,
  type FactorDecision,
  type PasskeyEvidence,
  type PasskeyView,
  type PasswordFreeSettings,
  type PaymentToConfirm,
  type SecuritySummary,
  type StepUpFactors,
  type StepUpInput,
  type TotpSetup,
} from './service.ts';

export interface SecurityModuleDeps {
  pool: pg.Pool;
  config: Pick<Config, 'mode' | 'publicUrl' | 'security' | 'identity'>;
  identity: Pick<IdentityService, 'getUser' | 'verifyPassword' | 'verifySmsCode' | 'createSession'>;
  /**
   * Woken after a change and its event commit (outbox/): the holder's notices of a new PIN, a
   * passkey, two-step verification, the password-free limit and a payment lock follow from the
   * module's events (`SECURITY_NOTICES`, given to the inbox by app.ts).
   */
  events: OutboxWake;
  /** Seals TOTP secrets, keys recovery-code digests (docs/adr/0005-secrets-at-rest.md). */
  secrets: SecretBox;
  now: () => Date;
  /** The KYC module's birth date of a holder, so that PINs equal to it are refused. */
  birthDateOf?: BirthDateSource;
  /** The KYC module's verified ID number, asked for when a verified holder replaces the PIN. */
  idNumberOf?: IdNumberSource;
  /** Password-free maximums set by approved configuration changes (modules/approvals). */
  settings?: PasswordFreeSettings;
}

export function createSecurityModule(deps: SecurityModuleDeps) {
  const { config } = deps;
  const service = new SecurityService({
    pool: deps.pool,
    identity: deps.identity,
    events: deps.events,
    secrets: deps.secrets,
    config: config.security,
    hashing: config.identity.password.hashing,
    publicUrl: config.publicUrl,
    sandbox: config.mode === 'sandbox',
    now: deps.now,
    ...(deps.birthDateOf ? { birthDateOf: deps.birthDateOf } : {}),
    ...(deps.idNumberOf ? { idNumberOf: deps.idNumberOf } : {}),
    ...(deps.settings ? { settings: deps.settings } : {}),
  });
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(securityRoutes, {
      service,
      cookie: { secure: config.mode === 'production', maxAgeSeconds: config.identity.session.maxAgeSeconds },
      idleTimeoutSeconds: config.identity.session.idleSeconds,
    });
  };
  return { service, routes };
}
