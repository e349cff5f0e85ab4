import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { parseSecretKey } from './crypto/secret-key.ts';
import { type DataKeyEntry, parseDataKeys } from './crypto/data-keys.ts';
import type { TracingConfig } from './tracing.ts';
import { MODULES } from './modules/catalog.ts';
import { wholeNumber } from './modules/kit.ts';
import type { ModuleSections } from './modules/kit.ts';
import { MIN_PRODUCTION_ARGON2, parseTrustedProxies, productionProblems } from './production-checks.ts';

export { MIN_PRODUCTION_ARGON2 };

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
  /**
   * `trustProxy`: the proxies whose `X-Forwarded-For` names the client (`QIANBAO_TRUST_PROXY`:
   * addresses, CIDR ranges, `loopback`…); empty trusts none, and the peer's address is the client's.
   */
  http: { host: string; port: number; trustProxy: readonly string[] };
  logLevel: LogLevel;
  /** Bearer token of the internal ledger API. */
  adminToken: string;
  /** True when no token was configured and a random one was made for this run (sandbox only). */
  adminTokenGenerated: boolean;
  database: {
    /** External PostgreSQL; null means the embedded server under `dataDir`. */
    url: string | null;
    poolMax: number;
    /**
     * A streaming replica for the holders' history and statement reads (ADR 0027); null reads
     * them from the primary. Down or lagging, it falls back to the primary.
     */
    replicaUrl: string | null;
  };
  /** Absolute path of the data directory (the embedded PostgreSQL lives in `<dataDir>/pg`). */
  dataDir: string;
  embeddedPostgresPort: number;
  ledger: {
    maxBatchTransfers: number;
    maxQueuedTransfers: number;
    expiryIntervalMs: number;
    /** How long a batch waits for the database to come back (a failover) before its callers get 503. */
    unavailableAfterMs: number;
  };
  /**
   * Signed checkpoints of the journal head kept outside the database (ADR 0010): appended to
   * `file` (absolute; `<dataDir>/journal-checkpoints.jsonl` by default) and logged, at most once
   * every `intervalMs` after batches, so that `qianbao verify` notices a journal cut back.
   */
  journalCheckpoints: { file: string; intervalMs: number };
  /** How long an `Idempotency-Key` and its stored answer are kept (≥ 24 h). */
  idempotencyRetentionHours: number;
  /** How long a domain event every outbox subscriber has passed is kept before `outbox.prune` deletes it (days). */
  outboxRetentionDays: number;
  /** OpenTelemetry tracing (tracing.ts, docs/observability.md#tracing): off while `endpoint` is null. */
  tracing: TracingConfig;
  shutdownGraceMs: number;
  identity: IdentityConfig;
  /**
   * Where people reach the wallet (`QIANBAO_PUBLIC_URL`, origin only): the WebAuthn relying
   * party id is its host name and the expected origin is it.
   */
  publicUrl: string;
  /**
   * Master key of secrets at rest (`QIANBAO_SECRET_KEY`, 32 bytes). Null in sandbox mode when
   * unset: the server then keeps one in `<dataDir>/secret-key` (docs/adr/0005-secrets-at-rest.md).
   */
  secretKey: Buffer | null;
  /**
   * The data keys that seal secrets at rest (`QIANBAO_DATA_KEYS`, ADR 0029): the first seals, every
   * one opens; `root` is the one derived from the secret key. Default: `['root']`.
   */
  dataKeys: DataKeyEntry[];
  security: SecurityConfig;
  funding: FundingConfig;
  /** A money notice at or above this amount (CNY fen) is also sent by SMS (`LARGE_AMOUNT_SMS_MINOR`). */
  largeAmountSmsMinor: bigint;
  /**
   * Each module's own settings, by module name, as its declaration reads them from its variables
   * (`settings` in modules/<name>/module.ts; e.g. `modules.kyc`, `modules.operator`).
   */
  modules: ModuleSections<typeof MODULES>;
}

/** Cards, top-ups and withdrawals (modules/cards, modules/funding, docs/cards-and-funding.md). */
export interface FundingConfig {
  /** Withdrawals: free up to `freeMonthlyMinor` per calendar month, then `basisPoints`, at least `minimumMinor`. */
  withdrawalFee: { freeMonthlyMinor: bigint; basisPoints: number; minimumMinor: bigint };
  /** What the fee quote promises: the money reaches the card within this many minutes. */
  withdrawalArrivalMinutes: number;
  /** How often the recovery worker looks for unfinished operations; 0 turns it off. */
  recoveryIntervalMs: number;
  /** An unfinished operation untouched this long belongs to the recovery worker. */
  recoveryGraceSeconds: number;
  /** The sandbox bank answers after 0…this many ms (sandbox mode). */
  bankSandboxLatencyMs: number;
  /** Transfers to a bank account: `basisPoints` of the amount, at least `minimumMinor`, at most `maximumMinor`. */
  bankTransferFee: { basisPoints: number; minimumMinor: bigint; maximumMinor: bigint };
  /** What the bank-transfer quote promises: the money reaches the account within this many minutes. */
  bankTransferArrivalMinutes: number;
}

/** Transaction PIN, passkeys and password-free payments (modules/security, docs/security.md). */
export interface SecurityConfig {
  pin: { maxFailures: number; lockSeconds: number };
  /** How long a PIN or code check in flight counts as a try at most (secret-tries.ts): a crash costs no more. */
  tryLeaseSeconds: number;
  passwordFree: {
    /** The highest per-payment password-free limit a holder may choose (CNY fen). */
    maxPerPaymentMinor: bigint;
    /** Domain rules §1: at most this much a day confirmed with fewer than two factors (CNY fen). */
    dailyMaxMinor: bigint;
  };
  webauthn: { challengeTtlSeconds: number; maxPasskeysPerHolder: number };
}

/** Sign-up, sign-in and sessions (modules/identity); every rule of docs/identity.md is here. */
export interface IdentityConfig {
  smsCode: {
    ttlSeconds: number;
    maxAttempts: number;
    resendSeconds: number;
    /** Rolling one-hour limits on codes sent, shared by every server instance. */
    maxPerPhonePerHour: number;
    maxPerIpPerHour: number;
    /** How long a number or an IP past its limit is refused. */
    blockSeconds: number;
  };
  password: {
    maxFailures: number;
    lockSeconds: number;
    /** How long a password check in flight counts as a try at most (secret-tries.ts). */
    tryLeaseSeconds: number;
    /** argon2id cost of passwords, SMS codes and ID numbers. */
    hashing: { memoryCostKib: number; timeCost: number; parallelism: number };
  };
  session: {
    idleSeconds: number;
    maxAgeSeconds: number;
    /** `last_seen_at` is written at most this often per session. */
    touchSeconds: number;
  };
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
const SECRET_VARIABLES = new Set([
  'DATABASE_URL',
  'DATABASE_REPLICA_URL',
  'QIANBAO_ADMIN_TOKEN',
  'QIANBAO_SECRET_KEY',
  'QIANBAO_DATA_KEYS',
]);
const MAX_ECHOED_VALUE_LENGTH = 64;
const GENERATED_TOKEN_BYTES = 32;

/** A whole number variable with its bounds and default (the same rule the modules' settings use). */
const integer = wholeNumber;

const MODULE_VARIABLES: z.ZodRawShape = Object.assign(
  {},
  ...MODULES.map((module) => module.settings?.variables ?? {}),
) as z.ZodRawShape;

const envSchema = z
  .object({
    DATABASE_URL: z.string().refine(isPostgresUrl, 'must be a postgres:// or postgresql:// URL').optional(),
    DATABASE_REPLICA_URL: z
      .string()
      .refine(isPostgresUrl, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    QIANBAO_DATA_DIR: z.string().max(4096, 'must be at most 4096 characters').default('./data'),
    QIANBAO_EMBEDDED_PG_PORT: integer({ min: 1024, max: 65535, fallback: 54329 }),
    HOST: z
      .string()
      .max(253, 'must be at most 253 characters')
      .regex(/^[A-Za-z0-9.:%[\]-]+$/, 'must be a host name or an IP address')
      .default('127.0.0.1'),
    // 0 asks the operating system for a free port (tests).
    PORT: integer({ min: 0, max: 65535, fallback: 8080 }),
    // TLS ends at a proxy (docs/production.md#tls): whose X-Forwarded-For to believe.
    QIANBAO_TRUST_PROXY: z
      .string()
      .max(4096, 'must be at most 4096 characters')
      .transform((value, context) => {
        const proxies = parseTrustedProxies(value);
        if (proxies === null) {
          context.addIssue({
            code: 'custom',
            message: 'must be comma-separated IP addresses, CIDR ranges, loopback, linklocal or uniquelocal',
          });
          return z.NEVER;
        }
        return proxies;
      })
      .optional(),
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
    // ADR 0027: a failover's window; a request waits at most about this long for its batch.
    LEDGER_UNAVAILABLE_AFTER_MS: integer({ min: 1000, max: 120_000, fallback: 10_000 }),
    // Where the journal's head is anchored outside the database; somewhere its superuser cannot write.
    LEDGER_CHECKPOINT_FILE: z.string().max(4096, 'must be at most 4096 characters').optional(),
    // The window a cut of the journal's newest records can hide in; below 100 ms only costs fsyncs.
    LEDGER_CHECKPOINT_INTERVAL_MS: integer({ min: 100, max: 3_600_000, fallback: 10_000 }),
    SHUTDOWN_GRACE_MS: integer({ min: 100, max: 600_000, fallback: 10_000 }),
    // domain-rules §9: keys are kept at least 24 h; older ones are deleted by a sweep.
    IDEMPOTENCY_RETENTION_HOURS: integer({ min: 24, max: 8760, fallback: 72 }),
    // ADR 0015: delivered events are kept this long (for replays and inquiries), then pruned daily.
    OUTBOX_RETENTION_DAYS: integer({ min: 1, max: 3650, fallback: 7 }),
    // Tracing: the standard OpenTelemetry variables; unset endpoint, no tracing (no cost).
    OTEL_EXPORTER_OTLP_ENDPOINT: z
      .string()
      .regex(/^https?:\/\/[^\s]+$/, "must be an http:// or https:// URL (the collector's OTLP/HTTP base)")
      .optional(),
    OTEL_SERVICE_NAME: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1 to 64 letters, digits, dots, dashes or underscores')
      .default('qianbao'),
    QIANBAO_TRACE_SAMPLE_RATIO: z
      .string()
      .regex(/^(0(\.\d+)?|1(\.0+)?)$/, 'must be a number from 0 to 1, e.g. 0.1')
      .default('1')
      .transform(Number),
    // At least 2: the ledger's batch holds one connection while reads use another.
    DB_POOL_MAX: integer({ min: 2, max: 200, fallback: 20 }),
    // ---- identity (docs/identity.md) ----
    SMS_CODE_TTL_SECONDS: integer({ min: 60, max: 3600, fallback: 300 }),
    SMS_CODE_MAX_ATTEMPTS: integer({ min: 1, max: 20, fallback: 5 }),
    SMS_RESEND_SECONDS: integer({ min: 10, max: 3600, fallback: 60 }),
    SMS_MAX_PER_PHONE_PER_HOUR: integer({ min: 1, max: 1000, fallback: 10 }),
    SMS_MAX_PER_IP_PER_HOUR: integer({ min: 1, max: 100_000, fallback: 30 }),
    SMS_BLOCK_SECONDS: integer({ min: 60, max: 86_400, fallback: 3600 }),
    PASSWORD_MAX_FAILURES: integer({ min: 1, max: 100, fallback: 5 }),
    PASSWORD_LOCK_SECONDS: integer({ min: 60, max: 86_400, fallback: 900 }),
    // a try of any secret (password, PIN, codes) in flight counts this long at most (docs/security.md)
    SECRET_TRY_LEASE_SECONDS: integer({ min: 1, max: 600, fallback: 30 }),
    ARGON2_MEMORY_KIB: integer({ min: 8, max: 4_194_304, fallback: MIN_PRODUCTION_ARGON2.memoryCostKib }),
    ARGON2_TIME_COST: integer({ min: 1, max: 100, fallback: MIN_PRODUCTION_ARGON2.timeCost }),
    ARGON2_PARALLELISM: integer({ min: 1, max: 16, fallback: 1 }),
    SESSION_IDLE_SECONDS: integer({ min: 60, max: 2_592_000, fallback: 1800 }),
    SESSION_MAX_AGE_SECONDS: integer({ min: 60, max: 31_536_000, fallback: 604_800 }),
    SESSION_TOUCH_SECONDS: integer({ min: 1, max: 3600, fallback: 60 }),
    // ---- payment security (docs/security.md) ----
    QIANBAO_PUBLIC_URL: z
      .string()
      .max(2048, 'must be at most 2048 characters')
      .refine(isOriginUrl, 'must be an http:// or https:// URL with no path, query or fragment')
      .optional(),
    QIANBAO_SECRET_KEY: z
      .string()
      .refine(
        (value) => parseSecretKey(value) !== null,
        'must be 32 bytes in base64 (openssl rand -base64 32)',
      )
      .optional(),
    QIANBAO_DATA_KEYS: z
      .string()
      .superRefine((value, context) => {
        const parsed = parseDataKeys(value);
        if (typeof parsed === 'string') context.addIssue({ code: 'custom', message: parsed });
      })
      .optional(),
    PIN_MAX_FAILURES: integer({ min: 1, max: 20, fallback: 5 }),
    PIN_LOCK_SECONDS: integer({ min: 60, max: 604_800, fallback: 10_800 }),
    // 200.00 a payment, 1,000.00 a day (domain rules §1), in fen
    PASSWORD_FREE_MAX_MINOR: integer({ min: 0, max: 100_000, fallback: 20_000 }),
    PASSWORD_FREE_DAILY_MAX_MINOR: integer({ min: 0, max: 100_000, fallback: 100_000 }),
    WEBAUTHN_CHALLENGE_TTL_SECONDS: integer({ min: 30, max: 900, fallback: 300 }),
    MAX_PASSKEYS_PER_HOLDER: integer({ min: 1, max: 100, fallback: 10 }),
    // ---- cards and funding (docs/cards-and-funding.md): 1,000.00 free a month, then 0.1%, ≥ 0.10 ----
    WITHDRAWAL_FREE_MONTHLY_MINOR: integer({ min: 0, max: 1_000_000_000, fallback: 100_000 }),
    LARGE_AMOUNT_SMS_MINOR: integer({ min: 0, max: 1_000_000_000_000, fallback: 500_000 }),
    WITHDRAWAL_FEE_BASIS_POINTS: integer({ min: 0, max: 1000, fallback: 10 }),
    WITHDRAWAL_FEE_MIN_MINOR: integer({ min: 0, max: 100_000, fallback: 10 }),
    WITHDRAWAL_ARRIVAL_MINUTES: integer({ min: 0, max: 10_080, fallback: 120 }),
    // 0 turns the recovery job off; below 100 ms a job every interval only burdens the database.
    FUNDING_RECOVERY_INTERVAL_MS: integer({ min: 0, max: 3_600_000, fallback: 5000 }).refine(
      (value) => value === 0 || value >= 100,
      'must be 0 (no recovery job) or from 100 to 3600000',
    ),
    FUNDING_RECOVERY_GRACE_SECONDS: integer({ min: 1, max: 86_400, fallback: 60 }),
    BANK_SANDBOX_LATENCY_MS: integer({ min: 0, max: 60_000, fallback: 300 }),
    // ---- transfers to a bank account (docs/bank-transfers.md): 0.1%, at least 0.10, at most 25.00 ----
    BANK_TRANSFER_FEE_BASIS_POINTS: integer({ min: 0, max: 1000, fallback: 10 }),
    BANK_TRANSFER_FEE_MIN_MINOR: integer({ min: 0, max: 100_000, fallback: 10 }),
    BANK_TRANSFER_FEE_MAX_MINOR: integer({ min: 0, max: 10_000_000, fallback: 2500 }),
    BANK_TRANSFER_ARRIVAL_MINUTES: integer({ min: 0, max: 10_080, fallback: 120 }),
    // Each module's variables, from its declaration (modules/catalog.ts).
    ...MODULE_VARIABLES,
  })
  .superRefine((env, context) => {
    // The start-up checklist of production mode (production-checks.ts, docs/production.md).
    if (env.QIANBAO_MODE === 'production') {
      for (const problem of productionProblems(env)) {
        context.addIssue({ code: 'custom', path: [problem.variable], message: problem.message });
      }
    }
    if (env.BANK_TRANSFER_FEE_MIN_MINOR > env.BANK_TRANSFER_FEE_MAX_MINOR) {
      context.addIssue({
        code: 'custom',
        path: ['BANK_TRANSFER_FEE_MAX_MINOR'],
        message: 'must be at least BANK_TRANSFER_FEE_MIN_MINOR',
      });
    }
    if (env.ARGON2_MEMORY_KIB < 8 * env.ARGON2_PARALLELISM) {
      context.addIssue({
        code: 'custom',
        path: ['ARGON2_MEMORY_KIB'],
        message: 'must be at least 8 × ARGON2_PARALLELISM',
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
  const dataDir = path.resolve(values.QIANBAO_DATA_DIR);
  return {
    mode: values.QIANBAO_MODE,
    http: { host: values.HOST, port: values.PORT, trustProxy: values.QIANBAO_TRUST_PROXY ?? [] },
    logLevel: values.LOG_LEVEL,
    adminToken,
    adminTokenGenerated: values.QIANBAO_ADMIN_TOKEN === undefined,
    database: {
      url: values.DATABASE_URL ?? null,
      poolMax: values.DB_POOL_MAX,
      replicaUrl: values.DATABASE_REPLICA_URL ?? null,
    },
    dataDir,
    embeddedPostgresPort: values.QIANBAO_EMBEDDED_PG_PORT,
    ledger: {
      maxBatchTransfers: values.LEDGER_MAX_BATCH,
      maxQueuedTransfers: values.LEDGER_MAX_QUEUE,
      expiryIntervalMs: values.LEDGER_EXPIRY_INTERVAL_MS,
      unavailableAfterMs: values.LEDGER_UNAVAILABLE_AFTER_MS,
    },
    journalCheckpoints: {
      file: path.resolve(values.LEDGER_CHECKPOINT_FILE ?? path.join(dataDir, 'journal-checkpoints.jsonl')),
      intervalMs: values.LEDGER_CHECKPOINT_INTERVAL_MS,
    },
    idempotencyRetentionHours: values.IDEMPOTENCY_RETENTION_HOURS,
    outboxRetentionDays: values.OUTBOX_RETENTION_DAYS,
    tracing: {
      endpoint: values.OTEL_EXPORTER_OTLP_ENDPOINT ?? null,
      serviceName: values.OTEL_SERVICE_NAME,
      sampleRatio: values.QIANBAO_TRACE_SAMPLE_RATIO,
    },
    shutdownGraceMs: values.SHUTDOWN_GRACE_MS,
    identity: {
      smsCode: {
        ttlSeconds: values.SMS_CODE_TTL_SECONDS,
        maxAttempts: values.SMS_CODE_MAX_ATTEMPTS,
        resendSeconds: values.SMS_RESEND_SECONDS,
        maxPerPhonePerHour: values.SMS_MAX_PER_PHONE_PER_HOUR,
        maxPerIpPerHour: values.SMS_MAX_PER_IP_PER_HOUR,
        blockSeconds: values.SMS_BLOCK_SECONDS,
      },
      password: {
        maxFailures: values.PASSWORD_MAX_FAILURES,
        lockSeconds: values.PASSWORD_LOCK_SECONDS,
        tryLeaseSeconds: values.SECRET_TRY_LEASE_SECONDS,
        hashing: {
          memoryCostKib: values.ARGON2_MEMORY_KIB,
          timeCost: values.ARGON2_TIME_COST,
          parallelism: values.ARGON2_PARALLELISM,
        },
      },
      session: {
        idleSeconds: values.SESSION_IDLE_SECONDS,
        maxAgeSeconds: values.SESSION_MAX_AGE_SECONDS,
        touchSeconds: values.SESSION_TOUCH_SECONDS,
      },
    },
    // `localhost`, not 127.0.0.1: browsers refuse WebAuthn on IP addresses.
    publicUrl: new URL(values.QIANBAO_PUBLIC_URL ?? `http://localhost:${values.PORT}`).origin,
    secretKey: values.QIANBAO_SECRET_KEY === undefined ? null : parseSecretKey(values.QIANBAO_SECRET_KEY),
    dataKeys:
      values.QIANBAO_DATA_KEYS === undefined
        ? ['root']
        : (parseDataKeys(values.QIANBAO_DATA_KEYS) as DataKeyEntry[]),
    security: {
      pin: { maxFailures: values.PIN_MAX_FAILURES, lockSeconds: values.PIN_LOCK_SECONDS },
      tryLeaseSeconds: values.SECRET_TRY_LEASE_SECONDS,
      passwordFree: {
        maxPerPaymentMinor: BigInt(values.PASSWORD_FREE_MAX_MINOR),
        dailyMaxMinor: BigInt(values.PASSWORD_FREE_DAILY_MAX_MINOR),
      },
      webauthn: {
        challengeTtlSeconds: values.WEBAUTHN_CHALLENGE_TTL_SECONDS,
        maxPasskeysPerHolder: values.MAX_PASSKEYS_PER_HOLDER,
      },
    },
    largeAmountSmsMinor: BigInt(values.LARGE_AMOUNT_SMS_MINOR),
    funding: {
      withdrawalFee: {
        freeMonthlyMinor: BigInt(values.WITHDRAWAL_FREE_MONTHLY_MINOR),
        basisPoints: values.WITHDRAWAL_FEE_BASIS_POINTS,
        minimumMinor: BigInt(values.WITHDRAWAL_FEE_MIN_MINOR),
      },
      withdrawalArrivalMinutes: values.WITHDRAWAL_ARRIVAL_MINUTES,
      recoveryIntervalMs: values.FUNDING_RECOVERY_INTERVAL_MS,
      recoveryGraceSeconds: values.FUNDING_RECOVERY_GRACE_SECONDS,
      bankSandboxLatencyMs: values.BANK_SANDBOX_LATENCY_MS,
      bankTransferFee: {
        basisPoints: values.BANK_TRANSFER_FEE_BASIS_POINTS,
        minimumMinor: BigInt(values.BANK_TRANSFER_FEE_MIN_MINOR),
        maximumMinor: BigInt(values.BANK_TRANSFER_FEE_MAX_MINOR),
      },
      bankTransferArrivalMinutes: values.BANK_TRANSFER_ARRIVAL_MINUTES,
    },
    modules: Object.fromEntries(
      MODULES.flatMap((module) =>
        module.settings
          ? [[module.name, (module.settings.read as (values: unknown) => unknown)(values)]]
          : [],
      ),
    ) as ModuleSections<typeof MODULES>,
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

/** `https://wallet.example.com` (a port is allowed): an origin, nothing after it. */
function isOriginUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.pathname === '/' &&
      url.search === '' &&
      url.hash === '' &&
      url.username === '' &&
      !value.endsWith('#') &&
      !value.endsWith('?')
    );
  } catch {
    return false;
  }
}

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'postgres:' || url.protocol === 'postgresql:';
  } catch {
    return false;
  }
}
