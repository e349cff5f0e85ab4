/**
 * The console module: the operator console's read model — holder search and page, notes,
 * reveal, the ledger explorer and the dashboard (docs/console.md). Made by app.ts with the
 * services it reads (`createConsoleModule`); declared in module.ts.
 */
import type { FastifyPluginAsync } from 'fastify';
import type pg from 'pg';
import { journalKeyFrom } from '@qianbao/ledger';
import type { JobDefinition } from '../../jobs/index.ts';
import { consoleRoutes } from './routes.ts';
import { ConsoleService } from './service.ts';
import type { ConsoleServiceDeps } from './service.ts';
import { ConsoleStore } from './store.ts';
import { verifyBooks } from './verify-books.ts';

export { ConsoleService, type HolderTicket, type OpenCounts } from './service.ts';
export { verifyBooks } from './verify-books.ts';

export type ConsoleModuleDeps = Omit<ConsoleServiceDeps, 'store' | 'verifyBooks'> & {
  pool: pg.Pool;
  /**
   * What "verify the books" checks with, as `npx qianbao verify` does: the master key the journal
   * is keyed from (null: none configured, the keyed hashes are not checked) and the checkpoint file.
   */
  books: { secretKey: Buffer | null; checkpointFile: string | null };
  /** Told each check's verdict (metrics.ts: an alert fires on a failed one). */
  onBooksVerified?: (ok: boolean) => void;
};

export function createConsoleModule(deps: ConsoleModuleDeps) {
  const { pool, books, onBooksVerified, ...rest } = deps;
  const journalKey = books.secretKey === null ? null : journalKeyFrom(books.secretKey);
  const service = new ConsoleService({
    ...rest,
    store: new ConsoleStore(pool),
    verifyBooks: async () => {
      const report = await verifyBooks(pool, { journalKey, checkpointFile: books.checkpointFile });
      onBooksVerified?.(report.ok);
      return report;
    },
  });
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(consoleRoutes, { service });
  };
  const jobs: JobDefinition[] = [];
  return { service, routes, jobs };
}
