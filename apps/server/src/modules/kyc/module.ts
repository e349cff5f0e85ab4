/** The real-name (KYC) module's declaration (modules/kit.ts): listed once, in ../catalog.ts. */
import { defineModule, wholeNumber } from '../kit.ts';
import { KYC_ERRORS } from './errors.ts';
import { kycMigrations } from './migrations.ts';
import type { KycConfig } from './service.ts';

/** The purposes of the sealed name and ID number (SecretBox). */
export const KYC_SEALED = { idNumber: 'kyc:id-number', legalName: 'kyc:legal-name' } as const;

export const kycDeclaration = defineModule({
  name: 'kyc',
  hundred: 3,
  migrations: kycMigrations,
  errors: KYC_ERRORS,
  sealed: [
    { table: 'kyc_profiles', column: 'legal_name_sealed', purpose: KYC_SEALED.legalName },
    { table: 'kyc_profiles', column: 'id_number_sealed', purpose: KYC_SEALED.idNumber },
  ],
  settings: {
    variables: {
      /** Identity checks a holder may start per rolling 24 h (each costs money at a real verifier). */
      KYC_VERIFICATION_ATTEMPTS_PER_DAY: wholeNumber({ min: 1, max: 100, fallback: 5 }),
    },
    read: (values): KycConfig => ({ verificationAttemptsPerDay: values.KYC_VERIFICATION_ATTEMPTS_PER_DAY }),
  },
});
