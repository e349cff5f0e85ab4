/** The approvals module's declaration (modules/kit.ts): listed once, in ../catalog.ts. */
import { defineModule } from '../kit.ts';
import { APPROVALS_ERRORS } from './errors.ts';
import { approvalsMigrations } from './migrations.ts';

export const APPROVALS_JOBS = { finish: 'approvals.finish' } as const;

export const approvalsDeclaration = defineModule({
  name: 'approvals',
  hundred: 18,
  migrations: approvalsMigrations,
  errors: APPROVALS_ERRORS,
  jobQueues: Object.values(APPROVALS_JOBS),
});
