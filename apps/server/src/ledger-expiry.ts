import { defineJob } from './jobs/index.ts';
import type { JobDefinition } from './jobs/index.ts';
import type { LedgerPort } from './ledger-thread/index.ts';

export const LEDGER_JOBS = { expireHolds: 'ledger.expire-holds' } as const;

/**
 * Holds past their timeout are voided by the ledger's `expirePending` (idempotent: the void's id
 * is derived from the hold's), which this job runs every `LEDGER_EXPIRY_INTERVAL_MS` in one
 * server process at a time (ADR 0013). A hold is never voided early; at most about an interval
 * and a poll late. 0 turns the job off.
 */
export function ledgerJobs(deps: {
  ledger: Pick<LedgerPort, 'expirePending'>;
  expiryIntervalMs: number;
}): JobDefinition[] {
  return [
    defineJob({
      name: LEDGER_JOBS.expireHolds,
      schedule: deps.expiryIntervalMs === 0 ? null : { everyMs: deps.expiryIntervalMs },
      // A run voids at most 1000 holds in a few batches; a dead process's run blocks the next for this long.
      timeoutSeconds: 30,
      handler: async () => ({ expired: await deps.ledger.expirePending() }),
    }),
  ];
}
