/** Test helpers for the backup and restore commands. Imported by tests only. */
import type { BaseBackup } from './backup-store.ts';

/** A base backup record that ended at `finishedAt` (the rest as pg_basebackup would describe it). */
export function backupEnded(id: string, finishedAt: string): BaseBackup {
  return {
    id,
    finishedAt,
    startLsn: '0/2000028',
    endLsn: '0/2000100',
    timeline: 1,
    startWalFile: '000000010000000000000002',
    sizeBytes: 1000,
    durationMs: 1500,
    verified: true,
  };
}
