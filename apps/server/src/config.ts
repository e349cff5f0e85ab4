import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const MODES = ['sandbox', 'production'] as const;
/** `sandbox` runs the built-in sandbox adapters and may invent missing secrets; `production` never does. */
export type Mode = (typeof MODES)[number];

/**
 * The server's configuration. It holds secrets (the admin token, the database password inside
 * `database.url`): never log it whole.
 */
export interface Config {
  mode: Mode;
  http: { host: string; port: number };
  logLevel: LogLevel;
  /** Bearer token of the internal ledger API. */
  adminToken: string;
  /** True when no token was configured and a random one was made for this run (sandbox only). */
  adminTokenGenerated: boolean;
  database: {
    /** External PostgreSQL; null means the embedded server under `dataDir`. */
    url: string | null;
    poolMax: number;
  };
  /** Absolute path of the data directory (the embedded PostgreSQL lives in `<dataDir>/pg`). */
  dataDir: string;
  embeddedPostgresPort: number;
  ledger: { maxBatchTransfers: number; maxQueuedTransfers: number; expiryIntervalMs: number };
  shutdownGraceMs: number;
}

export interface ConfigProblem {
  variable: string;
  problem: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      `invalid configuration (environment variables):\n${problems.map((p) => `  ${p.variable}: ${p.problem}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/** Values of these variables are never echoed back in an error message. */
const SECRET_VARIABLES = new Set(['DATABASE_URL', 'QIANBAO_ADMIN_TOKEN']);
const MAX_ECHOED_VALUE_LENGTH = 64;
const GENERATED_TOKEN_BYTES = 32;

function integer(options: { min: number; max: number; fallback: number }) {
  const message = `must be a whole number from ${options.min} to ${options.max}`;
  return z
    .string()
    .regex(/^\d{1,10}$/, message)
    .transform(Number)
    .pipe(z.number().min(options.min, message).max(options.max, message))
    .default(options.fallback);
}

const envSchema = z
  .object({
    DATABASE_URL: z.string().refine(isPostgresUrl, 'must be a postgres:// or postgresql:// URL').optional(),
    QIANBAO_DATA_DIR: z.string().max(4096, 'must be at most 4096 characters').default('./data'),
    QIANBAO_EMBEDDED_PG_PORT: integer({ min: 1024, max: 65535, fallback: 54329 }),
    HOST: z
      .string()
      .max(253, 'must be at most 253 characters')
      .regex(/^[A-Za-z0-9.:%[\]-]+$/, 'must be a host name or an IP address')
      .default('127.0.0.1'),
    // 0 asks the operating system for a free port (tests).
    PORT: integer({ min: 0, max: 65535, fallback: 8080 }),
    LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
    QIANBAO_MODE: z.enum(MODES, { error: `must be one of ${MODES.join(', ')}` }).default('sandbox'),
    QIANBAO_ADMIN_TOKEN: z
      .string()
      .regex(/^[\x21-\x7e]{32,512}$/, 'must be 32 to 512 printable ASCII characters without spaces')
      .optional(),
    // Both at least 1000: the largest request of the ledger API must fit in one batch and in the queue.
    LEDGER_MAX_BATCH: integer({ min: 1000, max: 8190, fallback: 4096 }),
    LEDGER_MAX_QUEUE: integer({ min: 1000, max: 1_000_000, fallback: 50_000 }),
    // 0 turns the expiry worker off; below 100 ms it would only burden the database.
    LEDGER_EXPIRY_INTERVAL_MS: integer({ min: 0, max: 3_600_000, fallback: 1000 }).refine(
      (value) => value === 0 || value >= 100,
      'must be 0 (no expiry worker) or from 100 to 3600000',
    ),
    SHUTDOWN_GRACE_MS: integer({ min: 100, max: 600_000, fallback: 10_000 }),
    // At least 2: the ledger's batch holds one connection while reads use another.
    DB_POOL_MAX: integer({ min: 2, max: 200, fallback: 20 }),
  })
  .superRefine((env, context) => {
    if (env.QIANBAO_MODE === 'production' && env.QIANBAO_ADMIN_TOKEN === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['QIANBAO_ADMIN_TOKEN'],
        message: 'is required when QIANBAO_MODE=production',
      });
    }
  });

type EnvVariable = keyof z.input<typeof envSchema>;
const VARIABLES = Object.keys(envSchema.shape) as EnvVariable[];

/**
 * Read the configuration from environment variables. An empty variable counts as unset (as
 * `.env` files and shells commonly leave them). Throws a ConfigError naming every bad variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input: Partial<Record<EnvVariable, string>> = {};
  for (const variable of VARIABLES) {
    const value = env[variable];
    if (value !== undefined && value !== '') input[variable] = value;
  }
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error, input));
  const values = parsed.data;
  const adminToken = values.QIANBAO_ADMIN_TOKEN ?? randomBytes(GENERATED_TOKEN_BYTES).toString('base64url');
  return {
    mode: values.QIANBAO_MODE,
    http: { host: values.HOST, port: values.PORT },
    logLevel: values.LOG_LEVEL,
    adminToken,
    adminTokenGenerated: values.QIANBAO_ADMIN_TOKEN === undefined,
    database: { url: values.DATABASE_URL ?? null, poolMax: values.DB_POOL_MAX },
    dataDir: path.resolve(values.QIANBAO_DATA_DIR),
    embeddedPostgresPort: values.QIANBAO_EMBEDDED_PG_PORT,
    ledger: {
      maxBatchTransfers: values.LEDGER_MAX_BATCH,
      maxQueuedTransfers: values.LEDGER_MAX_QUEUE,
      expiryIntervalMs: values.LEDGER_EXPIRY_INTERVAL_MS,
    },
    shutdownGraceMs: values.SHUTDOWN_GRACE_MS,
  };
}

function describeIssues(error: z.ZodError, input: Partial<Record<EnvVariable, string>>): ConfigProblem[] {
  const problems = new Map<string, string>();
  for (const issue of error.issues) {
    const variable = String(issue.path[0]) as EnvVariable;
    if (problems.has(variable)) continue; // the first problem of each variable is enough
    const value = input[variable];
    const echo =
      value === undefined || SECRET_VARIABLES.has(variable)
        ? ''
        : ` (got ${JSON.stringify(value.slice(0, MAX_ECHOED_VALUE_LENGTH))})`;
    problems.set(variable, `${issue.message}${echo}`);
  }
  return VARIABLES.filter((variable) => problems.has(variable)).map((variable) => ({
    variable,
    problem: problems.get(variable)!,
  }));
}

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'postgres:' || url.protocol === 'postgresql:';
  } catch {
    return false;
  }
}
