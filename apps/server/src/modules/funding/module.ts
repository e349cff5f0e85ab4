/** The funding module's declaration (modules/kit.ts): listed once, in ../catalog.ts. */
import { defineModule } from '../kit.ts';
import { FUNDING_ERRORS } from './errors.ts';
import { FUNDING_JOBS } from './jobs.ts';
import { fundingMigrations } from './migrations.ts';

/** The purposes of sealed bank-account fields (SecretBox): the operations' and the bank-transfer requests'. */
export const FUNDING_SEALED = {
  accountNumber: 'funding:bank-account-number',
  accountName: 'funding:bank-account-name',
  requestAccountNumber: 'payment-intent:account-number',
  requestAccountName: 'payment-intent:account-name',
} as const;

export const fundingDeclaration = defineModule({
  name: 'funding',
  hundred: 7,
  migrations: fundingMigrations,
  errors: FUNDING_ERRORS,
  jobQueues: Object.values(FUNDING_JOBS),
  sealed: [
    { table: 'funding_operations', column: 'account_number_sealed', purpose: FUNDING_SEALED.accountNumber },
    { table: 'funding_operations', column: 'account_name_sealed', purpose: FUNDING_SEALED.accountName },
    // A bank transfer's request, kept by the payments pipeline (core's payments_intents) until it runs.
    {
      table: 'payments_intents',
      column: 'request',
      jsonKey: 'accountNumber',
      purpose: FUNDING_SEALED.requestAccountNumber,
      where: "kind = 'bank_transfer'",
    },
    {
      table: 'payments_intents',
      column: 'request',
      jsonKey: 'accountName',
      purpose: FUNDING_SEALED.requestAccountName,
      where: "kind = 'bank_transfer'",
    },
  ],
});
