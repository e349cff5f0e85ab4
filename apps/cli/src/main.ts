import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, openDatabase } from '@qianbao/server';
import type { Config } from '@qianbao/server';
import { bench, migrateDatabase, start, verify } from './commands.ts';
import { operatorCommand } from './operator.ts';
import type { ExitCode } from './commands.ts';
import { smsCommand } from './sms.ts';
import { reconcileCommand } from './reconcile.ts';
import { jobsCommand } from './jobs.ts';
import { clusterCommand } from './cluster.ts';
import { newModuleCommand } from './new-module.ts';
import { riskCommand } from './risk.ts';
import { backupCommand } from './backup.ts';
import { restoreCommand } from './restore.ts';
import { secretsCommand } from './secrets.ts';
import { RiskStore } from '../../server/src/modules/risk/store.ts';

const USAGE = `Usage: qianbao <command>

Commands:
  start          Start the server (on an embedded PostgreSQL under ./data unless DATABASE_URL is set)
                 and, in sandbox mode, the demo shop beside it (QIANBAO_DEMO_SHOP=off: not)
  migrate        Apply pending database migrations (and the job queue's schema) and list them
  verify [--checkpoints FILE]
                 Re-check the books: hash chain, trial balance, account counters, and the journal
                 against its checkpoints in FILE (default: LEDGER_CHECKPOINT_FILE when it exists)
  operator create --username NAME [--role ROLE]
                 Make an operator (bank staff) account; prints its password and TOTP secret once
  sms tail [--phone NUMBER] [--limit N] [--follow]
                 Print the sandbox SMS outbox (sign-up codes without a phone)
  jobs [--job NAME] [--limit N] [--json]
                 List the background jobs: schedules, last and next runs, recent failures
  reconcile [--date YYYY-MM-DD]
                 Compare the bank's settlement file of a day with top-ups and withdrawals
  risk evaluate [--seed N] [--holders N] [--days N] [--rules FILE.json | --version N|active]
                 Measure a risk rule set on a seeded synthetic world: recall per fraud pattern,
                 precision, decisions (the shipped default rules unless --rules/--version)
  risk backtest --version N [--from TIME] [--to TIME] [--sample N]
                 Judge the stored decisions of a period again under rule set N: what would change
  new-module <name>
                 Scaffold a server module (apps/server/src/modules/<name>): declaration, table,
                 service, routes, test; listed in the catalog and mounted (modules/README.md)
  cluster up|down|status|switchover|failover-test
                 A Patroni + etcd + HAProxy PostgreSQL cluster on this machine with two API
                 processes, and the failover test under load (docs/cluster.md)
  backup [--dir DIR] [--keep N] [--keep-days D] | --wal | --list | drill [--short]
                 Base backup (pg_basebackup, verified) and retention; stream the WAL archive
                 (pg_receivewal); list backups and the restorable range; the restore drill
  restore --to TIME|latest --into DIR [--dir BACKUPS] [--port N]
                 Point-in-time recovery into a new directory, started on its own port (docs/backups.md)
  secrets status | reseal [--batch N]
                 Which data key each stored sealed value needs; seal them all again with the
                 current key after a rotation (docs/production.md, "Rotation")
  bench <name>   Run the benchmark bench/<name>.ts (extra arguments are passed to it)
  help           Show this help

Configuration comes from environment variables: DATABASE_URL, QIANBAO_DATA_DIR, HOST, PORT,
LOG_LEVEL, QIANBAO_MODE, QIANBAO_ADMIN_TOKEN, QIANBAO_DEMO_SHOP, QIANBAO_DEMO_SHOP_PORT, … (see the
README).

Exit codes: 0 success; 1 failure (verify: the books are broken); 2 usage or configuration error;
3 (start) the embedded PostgreSQL stopped under the server: start again (docs/operations.md).`;

async function main(argv: readonly string[]): Promise<ExitCode> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
    case 'start':
      return withConfig(rest, start);
    case 'migrate':
      return withConfig(rest, migrateDatabase);
    case 'verify':
      return withConfig(rest, (config, options) => verify(config, options), ['checkpoints']);
    case 'operator':
      return withConfig([], (config) => operatorCommand(rest, config));
    case 'sms':
      return withConfig([], (config) => smsCommand(rest, config));
    case 'reconcile':
      return withConfig([], (config) => reconcileCommand(rest, config));
    case 'jobs':
      return withConfig([], (config) => jobsCommand(rest, config));
    case 'risk':
      return withConfig([], (config) =>
        riskCommand(rest, undefined, async () => {
          const database = await openDatabase({
            config,
            print: (line) => process.stderr.write(`${line}\n`),
            whenEmbeddedRunning: 'connect',
          });
          return { store: new RiskStore(database.pool), close: () => database.close() };
        }),
      );
    case 'backup':
      return withConfig([], (config) => backupCommand(rest, config));
    case 'restore':
      return withConfig([], (config) => restoreCommand(rest, config));
    case 'secrets':
      return withConfig([], (config) => secretsCommand(rest, config));
    case 'new-module':
      return newModuleCommand(rest);
    case 'cluster':
      return clusterCommand(rest);
    case 'bench': {
      const [name, ...benchArgs] = rest;
      if (name === undefined || name.startsWith('-'))
        return usageError('bench needs the name of a benchmark');
      return bench(name, benchArgs);
    }
    default:
      return usageError(`unknown command "${command}"`);
  }
}

/**
 * Commands whose only arguments are `--help` and the named string options (`--name VALUE`):
 * parse them, then read the configuration.
 */
async function withConfig(
  args: readonly string[],
  command: (config: Config, options: Record<string, string>) => Promise<ExitCode>,
  stringOptions: readonly string[] = [],
): Promise<ExitCode> {
  let help = false;
  const options: Record<string, string> = {};
  try {
    const { values } = parseArgs({
      args: [...args],
      options: {
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(stringOptions.map((name) => [name, { type: 'string' as const }])),
      },
    });
    for (const [name, value] of Object.entries(values)) {
      if (name === 'help') help = value === true;
      else if (typeof value === 'string') options[name] = value;
    }
  } catch (error) {
    return usageError((error as Error).message);
  }
  if (help) {
    console.log(USAGE);
    return 0;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return 2;
  }
  return command(config, options);
}

function usageError(problem: string): ExitCode {
  console.error(`qianbao: ${problem}\n\n${USAGE}`);
  return 2;
}

/** The message and its causes, which usually say what to do (e.g. "is the port taken?"). */
function describe(error: unknown): string {
  const messages: string[] = [];
  for (let cause = error; cause instanceof Error && messages.length < 5; cause = cause.cause) {
    messages.push(cause.message);
  }
  return messages.join('\n  caused by: ') || String(error);
}

let exitCode: ExitCode;
try {
  exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(`qianbao: ${describe(error)}`);
  exitCode = 1;
}
// Exit explicitly: a pool or timer left behind by a failure must not keep the process alive.
process.exit(exitCode);
