import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrateSchema } from '@qianbao/server';
import { ensureSealed, journalKeyFrom, readSeal, verifyLedger } from '@qianbao/ledger';
import {
  SecretBox,
  allMigrations,
  auditKeyFrom,
  checkpointFileLines,
  openDatabase,
  resolveSecretKey,
  runServer,
  verifyAuditChain,
  verifyBooks,
} from '@qianbao/server';
import type { Config, Database } from '@qianbao/server';
import { DemoShopSettingsError, demoShopBeside, demoShopSettings } from './demo-shop.ts';
import type { DemoShopSettings } from './demo-shop.ts';
import { formatAuditReport } from './operator.ts';
import { formatVerifyReport } from './verify-report.ts';
import { restoreNoteBeside } from './restore-note.ts';

/** A command's outcome is its exit code: 0 ok, 1 failure, 2 usage or configuration error. */
export type ExitCode = 0 | 1 | 2;

const UNDEFINED_TABLE = '42P01';
const BENCH_DIRECTORY = new URL('../../../bench/', import.meta.url);
const BENCH_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Progress lines go to stderr so that stdout carries only the command's result. */
function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** The wallet and, in sandbox mode, the demo shop beside it (demo-shop.ts). */
export async function start(config: Config): Promise<ExitCode> {
  let demoShop: DemoShopSettings;
  try {
    demoShop = demoShopSettings();
  } catch (error) {
    if (!(error instanceof DemoShopSettingsError)) throw error;
    console.error(error.message);
    return 2;
  }
  return (await runServer(config, { afterStart: demoShopBeside(config, demoShop) })) === 0 ? 0 : 1;
}

export async function migrateDatabase(config: Config): Promise<ExitCode> {
  return withDatabase(config, async (database) => {
    const applied = await migrateSchema(database.pool); // and the job queue's schema and queues
    console.log(
      applied.length === 0
        ? `Database is up to date: all ${allMigrations.length} migration(s) applied.`
        : `Applied ${applied.length} migration(s): ${applied.join(', ')}`,
    );
    return sealJournal(config, database);
  });
}

/**
 * Seal the ledger journal with the journal key (ADR 0010). A journal that already holds records
 * hashed without the key (written before keyed hashing) is checked first and then sealed as a
 * prefix: an operator's decision, taken by running this command.
 */
async function sealJournal(config: Config, database: Database): Promise<ExitCode> {
  const journalKey = journalKeyFrom(resolveSecretKey(config, progress));
  if ((await readSeal(database.pool)) === null) {
    const legacy = await verifyLedger(database.pool);
    if (legacy.batches > 0 && !legacy.ok) {
      console.error(
        'The ledger journal holds records hashed without a key and its books do not verify; ' +
          'not sealing them:\n' +
          formatVerifyReport(legacy),
      );
      return 1;
    }
  }
  const { seal, created } = await ensureSealed(database.pool, journalKey, { allowLegacy: true });
  if (created) {
    console.log(
      seal.keyedFromSeq === 1n
        ? 'Sealed the ledger journal: every record is keyed with the journal key.'
        : `Sealed the ledger journal: records 1–${seal.keyedFromSeq - 1n}, written before keyed hashing, ` +
            `are pinned by the seal; records from ${seal.keyedFromSeq} on are keyed.`,
    );
  }
  return 0;
}

/**
 * `qianbao verify [--checkpoints FILE]`. The journal and the operator audit log are also checked
 * against their checkpoints (ADR 0010, 0024): those in FILE, else in the configured
 * LEDGER_CHECKPOINT_FILE when it exists.
 */
export async function verify(config: Config, options: { checkpoints?: string }): Promise<ExitCode> {
  const checkpointFile =
    options.checkpoints ??
    (existsSync(config.journalCheckpoints.file) ? config.journalCheckpoints.file : undefined);
  if (options.checkpoints !== undefined && !existsSync(options.checkpoints)) {
    console.error(`qianbao verify: no checkpoint file at ${path.resolve(options.checkpoints)}`);
    return 2;
  }
  return withDatabase(config, async (database) => {
    try {
      const journalKey = verifyJournalKey(config);
      if (journalKey === null) {
        progress(
          `No journal key: QIANBAO_SECRET_KEY is unset and ${sandboxKeyFile(config)} does not exist; ` +
            'the keyed hashes of the journal cannot be checked.',
        );
      }
      if (checkpointFile !== undefined) {
        progress(`Checking the journal against the checkpoints in ${path.resolve(checkpointFile)}`);
      }
      // The same check as the console's "verify the books" (POST /v1/operator/ledger/verify).
      const report = await verifyBooks(database.pool, { journalKey, checkpointFile: checkpointFile ?? null });
      console.log(formatVerifyReport(report));
      // A database restored to an earlier time says so beside its checkpoints (restore-note.ts).
      const restoreNote = restoreNoteBeside(checkpointFile);
      if (restoreNote !== null) console.log(`\n${restoreNote}`);
      // The operator audit log's chain (ADR 0024), keyed from the same master key, and its
      // checkpoints from the same file.
      const audit =
        journalKey === null
          ? null
          : await verifyAuditChain(
              database.pool,
              auditKeyFrom(
                new SecretBox(
                  resolveSecretKey(config, () => {}),
                  config.dataKeys,
                ),
              ),
              { checkpoints: checkpointFile === undefined ? undefined : checkpointFileLines(checkpointFile) },
            );
      console.log(formatAuditReport(audit));
      return report.ok && audit?.ok !== false ? 0 : 1;
    } catch (error) {
      if ((error as { code?: string }).code !== UNDEFINED_TABLE) throw error;
      console.error(
        'This database has no ledger tables yet: run `qianbao migrate` (or `qianbao start`) first.',
      );
      return 1;
    }
  });
}

/** The sandbox server's key file (crypto/secret-key.ts in the server). */
export function sandboxKeyFile(config: Config): string {
  return path.join(config.dataDir, 'secret-key');
}

/**
 * The root key the data was written with: QIANBAO_SECRET_KEY, else (sandbox) the data directory's
 * key file when there is one; null otherwise. Never made up, as `start` does on a first run: a new
 * key would only make a sound journal look forged, or sealed values look unreadable.
 */
export function existingSecretKey(config: Config): Buffer | null {
  if (config.secretKey === null && (config.mode !== 'sandbox' || !existsSync(sandboxKeyFile(config))))
    return null;
  return resolveSecretKey(config, progress);
}

/** The key the ledger writes its journal with (see `existingSecretKey`). */
function verifyJournalKey(config: Config): Buffer | null {
  const secretKey = existingSecretKey(config);
  return secretKey === null ? null : journalKeyFrom(secretKey);
}

/**
 * Run `bench/<name>.ts`. Importing the module runs it; if it exports a default function, that is
 * called with the remaining arguments.
 */
export async function bench(name: string, args: readonly string[]): Promise<ExitCode> {
  const file = new URL(`${name}.ts`, BENCH_DIRECTORY);
  if (!BENCH_NAME_PATTERN.test(name) || !existsSync(file)) {
    console.error(`No benchmark named "${name}" (looked for ${fileURLToPath(file)}).`);
    console.error(`Available: ${availableBenchmarks().join(', ') || 'none yet'}`);
    return 2;
  }
  const benchmark = (await import(file.href)) as { default?: unknown };
  if (typeof benchmark.default === 'function')
    await (benchmark.default as (args: readonly string[]) => unknown)(args);
  return 0;
}

function availableBenchmarks(): string[] {
  if (!existsSync(BENCH_DIRECTORY)) return [];
  return readdirSync(BENCH_DIRECTORY)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => file.slice(0, -'.ts'.length))
    .filter((name) => BENCH_NAME_PATTERN.test(name))
    .sort();
}

/**
 * The same database `start` uses: DATABASE_URL, or the embedded server on the data directory —
 * the running one if a server is up (two processes cannot both run a server on one directory),
 * else one started for this command and stopped after it.
 */
async function withDatabase(
  config: Config,
  work: (database: Database) => Promise<ExitCode>,
): Promise<ExitCode> {
  const database = await openDatabase({ config, print: progress, whenEmbeddedRunning: 'connect' });
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}
