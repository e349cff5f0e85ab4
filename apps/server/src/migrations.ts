import type { Migration } from '@qianbao/db';
import { idempotencyMigrations } from './idempotency.ts';
import { ledgerMigrations } from '@qianbao/ledger';
import { bankSandboxMigrations } from './adapters/bank/index.ts';
import { smsSandboxMigrations } from './adapters/sms/sandbox.ts';
import { identityMigrations } from './modules/identity/migrations.ts';
import { kycMigrations } from './modules/kyc/migrations.ts';
import { operatorMigrations } from './modules/operator/migrations.ts';
import { notificationsMigrations } from './modules/notifications/migrations.ts';
import { securityMigrations } from './modules/security/migrations.ts';
import { transfersMigrations } from './modules/transfers/migrations.ts';
import { cardsMigrations } from './modules/cards/migrations.ts';
import { fundingMigrations } from './modules/funding/migrations.ts';

/**
 * Every module's migrations, in one ordered list; each module owns its own tables. Names are
 * numbered by owner, one hundred each: 00xx ledger, 01xx identity, 02xx payment security, 03xx
 * KYC, 04xx operator, 05xx notifications, 06xx cards, 07xx funding, 08xx transfers, 09xx adapters; a new module takes the next free
 * hundred (see modules/README.md).
 */
export const allMigrations: Migration[] = [
  ...ledgerMigrations,
  ...idempotencyMigrations,
  ...identityMigrations,
  ...notificationsMigrations,
  ...securityMigrations,
  ...kycMigrations,
  ...operatorMigrations,
  ...transfersMigrations,
  ...cardsMigrations,
  ...fundingMigrations,
  ...smsSandboxMigrations,
  ...bankSandboxMigrations,
];
