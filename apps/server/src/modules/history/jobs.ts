import { defineJob } from '../../jobs/index.ts';
import type { JobDefinition } from '../../jobs/index.ts';
import { HISTORY_JOBS } from './names.ts';
import type { HistoryProjector } from './projector.ts';

export { HISTORY_JOBS } from './names.ts';

/**
 * Keeps the projection warm: every second, one server catches it up with the ledger (one chunk
 * of a second's transfers: one read, one describe, one upsert) and looks again at the last
 * seconds' entries still waiting for their description, so a read
 * rarely finds more than a few transfers to project itself. On a first deploy over an existing
 * ledger the first runs project it all, in chunks (each its own transaction): reads meanwhile
 * wait for their own catch-up. Idempotent (upserts behind a cursor); not retried — the next run
 * is the retry.
 */
export function historyJobs(
  projector: Pick<HistoryProjector, 'catchUp' | 'redescribeRecent'>,
  ledgerNowMicros: () => bigint = () => BigInt(Date.now()) * 1000n,
): JobDefinition[] {
  return [
    defineJob({
      name: HISTORY_JOBS.project,
      schedule: { everyMs: 1000 },
      // A first catch-up over a large ledger may take longer; its chunks are committed as it goes.
      timeoutSeconds: 3600,
      handler: async () => {
        const result = await projector.catchUp();
        const redescribed = await projector.redescribeRecent(ledgerNowMicros());
        return {
          transfers: result.transfers,
          entries: result.entries,
          redescribed,
          lastTs: result.lastTs.toString(),
        };
      },
    }),
  ];
}
