/** The payment-security module's declaration (modules/kit.ts): listed once, in ../catalog.ts. */
import { defineModule } from '../kit.ts';
import { SECURITY_ERRORS } from './errors.ts';
import { securityMigrations } from './migrations.ts';

export const securityDeclaration = defineModule({
  name: 'security',
  hundred: 2,
  migrations: securityMigrations,
  errors: SECURITY_ERRORS,
  // A holder's TOTP secret is sealed for that holder (service.ts, totpPurpose).
  sealed: [{ table: 'security_totp', column: 'secret_sealed', purpose: 'security:totp:{user_id}' }],
});
