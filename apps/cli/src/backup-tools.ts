/**
 * PostgreSQL's own backup tools (pg_basebackup, pg_receivewal, pg_verifybackup, pg_archivecleanup,
 * pg_waldump) and, for the restore drill, its server (initdb, postgres): found in Debian's
 * PostgreSQL 15 directory, installed from Debian when missing and we are root. The embedded
 * PostgreSQL ships only initdb, pg_ctl and postgres, so backups always use Debian's build of the
 * same major version (15): pg_basebackup refuses a server of another major version.
 *
 * As root, every tool that writes into the backup folder or reads it for a restore runs as the
 * `postgres` user, the one the servers run as (ADR 0011): the WAL a restoring server fetches with
 * `restore_command` must be readable by it, and pg_receivewal writes its files 0600.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** Debian's PostgreSQL 15; QIANBAO_PG_BIN_DIR points elsewhere (another distribution's layout). */
export const DEFAULT_POSTGRES_BIN_DIR = '/usr/lib/postgresql/15/bin';
const DEBIAN_PACKAGES = ['postgresql-client-15', 'postgresql-15'];
/** Output kept from one tool run, to explain its failure. */
const OUTPUT_LIMIT_CHARACTERS = 64_000;

export type PostgresTool =
  | 'pg_basebackup'
  | 'pg_receivewal'
  | 'pg_verifybackup'
  | 'pg_archivecleanup'
  | 'pg_waldump'
  | 'initdb'
  | 'postgres';

export type Tools = Record<PostgresTool, string>;

export interface RunAs {
  uid: number;
  gid: number;
}

/** A failure the operator can act on; `exitCode` 2 for usage or configuration, 1 otherwise. */
export class BackupError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'BackupError';
  }
}

export function postgresBinDir(): string {
  return process.env.QIANBAO_PG_BIN_DIR ?? DEFAULT_POSTGRES_BIN_DIR;
}

const ALL_TOOLS: readonly PostgresTool[] = [
  'pg_basebackup',
  'pg_receivewal',
  'pg_verifybackup',
  'pg_archivecleanup',
  'pg_waldump',
  'initdb',
  'postgres',
];

/**
 * The tools' paths. When one is missing: as root (and with the default directory) Debian's
 * packages are installed, as scripts/test.mjs installs Chromium; otherwise the error says what to
 * install.
 */
export function postgresTools(print: (line: string) => void): Tools {
  const directory = postgresBinDir();
  const paths = Object.fromEntries(ALL_TOOLS.map((tool) => [tool, path.join(directory, tool)])) as Tools;
  const missing = () => ALL_TOOLS.filter((tool) => !existsSync(paths[tool]));
  if (missing().length === 0) return paths;
  if (process.getuid?.() === 0 && directory === DEFAULT_POSTGRES_BIN_DIR) {
    print(`Installing ${DEBIAN_PACKAGES.join(' and ')} from Debian (missing: ${missing().join(', ')}) …`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...DEBIAN_PACKAGES], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env,
    });
  }
  const still = missing();
  if (still.length > 0) {
    throw new BackupError(
      'POSTGRES_TOOLS_MISSING',
      `PostgreSQL 15's ${still.join(', ')} not found in ${directory}. Install Debian's packages ` +
        `(apt-get install ${DEBIAN_PACKAGES.join(' ')}) or set QIANBAO_PG_BIN_DIR to the directory that has them.`,
      2,
    );
  }
  return paths;
}

/** The `postgres` user when we are root (PostgreSQL and its files belong to it), else null. */
export function postgresRunAs(): RunAs | null {
  if (process.getuid?.() !== 0) return null;
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) {
    throw new BackupError(
      'NO_POSTGRES_USER',
      'running as root, the backup tools run as the "postgres" user, and there is none: ' +
        'start Qianbao once (it creates it) or install postgresql-15',
      2,
    );
  }
  return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
}

/** Whether `user` may enter (and so read below) `directory`: asked of the kernel, not guessed. */
export function userCanEnter(user: RunAs | null, directory: string): boolean {
  if (user === null) return true;
  const result = spawnSync('/bin/sh', ['-c', 'test -x "$1" && test -r "$1"', 'sh', directory], {
    ...user,
    cwd: '/',
    stdio: 'ignore',
  });
  return result.status === 0;
}

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/**
 * Run a tool to its end, as `runAs` when given. The password travels in PGPASSWORD (never on the
 * command line, where `ps` shows it); LC_MESSAGES=C and TZ=UTC keep its output parseable.
 */
export function runTool(
  file: string,
  args: readonly string[],
  options: { runAs: RunAs | null; password?: string | null; timeoutMs: number },
): Promise<ToolRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args], {
      cwd: '/',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: toolEnvironment(options.password ?? null),
      timeout: options.timeoutMs,
      killSignal: 'SIGINT',
      ...(options.runAs ?? {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout = keepTail(stdout + chunk.toString())));
    child.stderr.on('data', (chunk: Buffer) => (stderr = keepTail(stderr + chunk.toString())));
    child.once('error', reject);
    child.once('close', (code) =>
      resolve({ code, stdout, stderr, durationMs: Math.round(performance.now() - started) }),
    );
  });
}

export function toolEnvironment(password: string | null): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LC_MESSAGES: 'C',
    LANG: 'C',
    TZ: 'UTC',
  };
  if (password !== null) env.PGPASSWORD = password;
  return env;
}

function keepTail(text: string): string {
  return text.length > OUTPUT_LIMIT_CHARACTERS ? text.slice(-OUTPUT_LIMIT_CHARACTERS) : text;
}

/**
 * A libpq connection string without its password, and the password apart: tools get the
 * password in PGPASSWORD, people see the rest.
 */
export function splitPassword(url: string): { conninfo: string; password: string | null } {
  const parsed = new URL(url);
  const password = parsed.password === '' ? null : decodeURIComponent(parsed.password);
  parsed.password = '';
  return { conninfo: parsed.toString(), password };
}
