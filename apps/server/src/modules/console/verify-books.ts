/**
 * The check of `npx qianbao verify` (apps/cli/src/commands.ts), in one place for the command and
 * the console's "verify the books" (POST /v1/operator/ledger/verify): the journal's hash chain —
 * keyed with the journal key when there is one — its checkpoints when their file exists, every
 * account's counters against its transfers, the limit counters and the trial balance, all in
 * one snapshot (packages/ledger verify.ts).
 */
import { existsSync } from 'node:fs';
import type pg from 'pg';
import { verifyLedger } from '@qianbao/ledger';
import type { VerifyReport } from '@qianbao/ledger';
import { checkpointFileLines } from '../../journal-checkpoints.ts';

export async function verifyBooks(
  pool: pg.Pool,
  options: {
    /** The journal key; null when none is known (the keyed hashes are then not checked). */
    journalKey: Uint8Array | null;
    /** The checkpoint file; read when it exists. */
    checkpointFile: string | null;
  },
): Promise<VerifyReport> {
  const checkpoints =
    options.checkpointFile !== null && existsSync(options.checkpointFile)
      ? checkpointFileLines(options.checkpointFile)
      : undefined;
  return verifyLedger(pool, {
    ...(options.journalKey === null ? {} : { journalKey: options.journalKey }),
    ...(checkpoints === undefined ? {} : { checkpoints }),
  });
}
