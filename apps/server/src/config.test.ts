import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const TOKEN = 'a-long-enough-admin-token-for-the-tests-0123';

const IDENTITY_ENV = {
  SMS_CODE_TTL_SECONDS: '600',
  SMS_CODE_MAX_ATTEMPTS: '3',
  SMS_RESEND_SECONDS: '90',
  SMS_MAX_PER_PHONE_PER_HOUR: '6',
  SMS_MAX_PER_IP_PER_HOUR: '100',
  SMS_BLOCK_SECONDS: '7200',
  PASSWORD_MAX_FAILURES: '10',
  PASSWORD_LOCK_SECONDS: '1800',
  ARGON2_MEMORY_KIB: '65536',
  ARGON2_TIME_COST: '3',
  ARGON2_PARALLELISM: '2',
  SESSION_IDLE_SECONDS: '900',
  SESSION_MAX_AGE_SECONDS: '86400',
  SESSION_TOUCH_SECONDS: '30',
  SECRET_TRY_LEASE_SECONDS: '12',
};
const IDENTITY_CONFIG = {
  smsCode: {
    ttlSeconds: 600,
    maxAttempts: 3,
    resendSeconds: 90,
    maxPerPhonePerHour: 6,
    maxPerIpPerHour: 100,
    blockSeconds: 7200,
  },
  password: {
    maxFailures: 10,
    lockSeconds: 1800,
    tryLeaseSeconds: 12,
    hashing: { memoryCostKib: 65536, timeCost: 3, parallelism: 2 },
  },
  session: { idleSeconds: 900, maxAgeSeconds: 86400, touchSeconds: 30 },
};

// Random: production refuses a patterned key (production-checks.ts).
const SECRET_KEY = Buffer.from('q1P8xW0r3mZk6TnV2bYs9cHf4LdJ7gEa5uRo+KiNwQM=', 'base64');
const DATA_KEY = Buffer.from('Zr7Tq2nWc9LxV4bHs1mKf8JdP3gYu6oEa0RiN5wQtXk=', 'base64');
const SECURITY_ENV = {
  QIANBAO_PUBLIC_URL: 'https://wallet.example.com',
  QIANBAO_SECRET_KEY: SECRET_KEY.toString('base64'),
  PIN_MAX_FAILURES: '3',
  PIN_LOCK_SECONDS: '3600',
  PASSWORD_FREE_MAX_MINOR: '10000',
  PASSWORD_FREE_DAILY_MAX_MINOR: '50000',
  WEBAUTHN_CHALLENGE_TTL_SECONDS: '120',
  MAX_PASSKEYS_PER_HOLDER: '5',
  SECRET_TRY_LEASE_SECONDS: '12',
};
const SECURITY_CONFIG = {
  pin: { maxFailures: 3, lockSeconds: 3600 },
  tryLeaseSeconds: 12,
  passwordFree: { maxPerPaymentMinor: 10_000n, dailyMaxMinor: 50_000n },
  webauthn: { challengeTtlSeconds: 120, maxPasskeysPerHolder: 5 },
};

function problemsOf(env: NodeJS.ProcessEnv): Record<string, string> {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return Object.fromEntries((error as ConfigError).problems.map((p) => [p.variable, p.problem]));
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('has defaults for everything and invents a sandbox admin token', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      mode: 'sandbox',
      http: { host: '127.0.0.1', port: 8080, trustProxy: [] },
      logLevel: 'info',
      adminTokenGenerated: true,
      database: { url: null, poolMax: 20 },
      dataDir: path.resolve('data'),
      embeddedPostgresPort: 54329,
      ledger: { maxBatchTransfers: 4096, maxQueuedTransfers: 50_000, expiryIntervalMs: 1000 },
      journalCheckpoints: {
        file: path.resolve('data', 'journal-checkpoints.jsonl'),
        intervalMs: 10_000,
      },
      outboxRetentionDays: 7,
      shutdownGraceMs: 10_000,
      // The modules' own settings (their declarations, modules/<name>/module.ts).
      modules: {
        kyc: { verificationAttemptsPerDay: 5 },
        operator: { sessionHours: 8, maxFailures: 5, lockMinutes: 15 },
        risk: { engine: 'on' },
      },
    });
    expect(config.adminToken.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig({}).adminToken).not.toBe(config.adminToken);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://app:secret@db.internal:5432/qianbao',
      QIANBAO_DATA_DIR: '/var/lib/qianbao',
      QIANBAO_EMBEDDED_PG_PORT: '55000',
      HOST: '0.0.0.0',
      PORT: '0',
      QIANBAO_TRUST_PROXY: '10.0.0.0/8, loopback',
      LOG_LEVEL: 'warn',
      QIANBAO_MODE: 'production',
      QIANBAO_ADMIN_TOKEN: TOKEN,
      LEDGER_MAX_BATCH: '2000',
      LEDGER_MAX_QUEUE: '10000',
      LEDGER_EXPIRY_INTERVAL_MS: '500',
      LEDGER_CHECKPOINT_FILE: '/var/log/qianbao/checkpoints.jsonl',
      LEDGER_CHECKPOINT_INTERVAL_MS: '60000',
      SHUTDOWN_GRACE_MS: '5000',
      IDEMPOTENCY_RETENTION_HOURS: '48',
      OUTBOX_RETENTION_DAYS: '30',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
      OTEL_SERVICE_NAME: 'qianbao-api-1',
      QIANBAO_TRACE_SAMPLE_RATIO: '0.25',
      DB_POOL_MAX: '50',
      KYC_VERIFICATION_ATTEMPTS_PER_DAY: '3',
      RISK_ENGINE: 'off',
      OPERATOR_SESSION_HOURS: '4',
      OPERATOR_MAX_FAILURES: '3',
      OPERATOR_LOCK_MINUTES: '30',
      QIANBAO_DATA_KEYS: `${DATA_KEY.toString('base64')}, root`,
      ...IDENTITY_ENV,
      ...SECURITY_ENV,
    });
    expect(config).toEqual({
      mode: 'production',
      http: { host: '0.0.0.0', port: 0, trustProxy: ['10.0.0.0/8', 'loopback'] },
      logLevel: 'warn',
      adminToken: TOKEN,
      adminTokenGenerated: false,
      database: { url: 'postgres://app:secret@db.internal:5432/qianbao', poolMax: 50, replicaUrl: null },
      dataDir: '/var/lib/qianbao',
      embeddedPostgresPort: 55000,
      ledger: {
        maxBatchTransfers: 2000,
        maxQueuedTransfers: 10_000,
        expiryIntervalMs: 500,
        unavailableAfterMs: 10_000,
      },
      journalCheckpoints: { file: '/var/log/qianbao/checkpoints.jsonl', intervalMs: 60_000 },
      idempotencyRetentionHours: 48,
      outboxRetentionDays: 30,
      tracing: { endpoint: 'http://otel-collector:4318', serviceName: 'qianbao-api-1', sampleRatio: 0.25 },
      shutdownGraceMs: 5000,
      identity: IDENTITY_CONFIG,
      publicUrl: 'https://wallet.example.com',
      secretKey: SECRET_KEY,
      dataKeys: [DATA_KEY, 'root'],
      security: SECURITY_CONFIG,
      largeAmountSmsMinor: 500_000n,
      funding: {
        withdrawalFee: { freeMonthlyMinor: 100_000n, basisPoints: 10, minimumMinor: 10n },
        withdrawalArrivalMinutes: 120,
        recoveryIntervalMs: 5000,
        recoveryGraceSeconds: 60,
        bankSandboxLatencyMs: 300,
        bankTransferFee: { basisPoints: 10, minimumMinor: 10n, maximumMinor: 2500n },
        bankTransferArrivalMinutes: 120,
      },
      modules: {
        kyc: { verificationAttemptsPerDay: 3 },
        operator: { sessionHours: 4, maxFailures: 3, lockMinutes: 30 },
        risk: { engine: 'off', reviewHours: 24 },
        merchants: { feePolicy: { byCategory: {}, defaultBp: 38 }, paymentCodeStepSeconds: 60 },
        redpackets: { maxShareMinor: 20_000n, maxShares: 100, expiryHours: 24 },
        splits: { maxPeople: 100, maxTotalMinor: 5_000_000n, reminderIntervalMinutes: 60 },
        developers: {
          rateLimit: 1000,
          rateWindowSeconds: 10,
          keysPerMerchant: 20,
          requestLogDays: 30,
          webhookEndpointsPerMerchant: 10,
          webhookTimeoutMs: 10_000,
          webhookDisableAfterDays: 3,
          webhookLeaseSeconds: 60,
          webhookSweepSeconds: 60,
        },
        support: {
          maxOpenTickets: 5,
          maxMessageChars: 2000,
          attachmentMaxBytes: 5_242_880,
          chatOpensAtHour: 9,
          chatClosesAtHour: 21,
          chatPickupMinutes: 5,
          autoCloseDays: 7,
        },
        disputes: { windowDays: 180 },
        help: { feedbackPerDay: 5 },
      },
    });
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' })).toMatchObject({
      http: { port: 8080 },
      database: { url: null },
    });
  });

  it('names each bad variable and why, in one error', () => {
    const problems = problemsOf({
      DATABASE_URL: 'mysql://root:hunter2@localhost/db',
      QIANBAO_EMBEDDED_PG_PORT: '80',
      PORT: '70000',
      HOST: 'bad host',
      LOG_LEVEL: 'verbose',
      QIANBAO_MODE: 'live',
      QIANBAO_ADMIN_TOKEN: 'short',
      LEDGER_MAX_BATCH: '1e3',
      LEDGER_MAX_QUEUE: '-5',
      LEDGER_EXPIRY_INTERVAL_MS: '10',
      LEDGER_CHECKPOINT_INTERVAL_MS: '50',
      SHUTDOWN_GRACE_MS: 'soon',
      DB_POOL_MAX: '1',
      OUTBOX_RETENTION_DAYS: '0',
      FUNDING_RECOVERY_INTERVAL_MS: '50',
      OPERATOR_SESSION_HOURS: '25',
    });
    expect(problems).toEqual({
      DATABASE_URL: 'must be a postgres:// or postgresql:// URL',
      QIANBAO_EMBEDDED_PG_PORT: 'must be a whole number from 1024 to 65535 (got "80")',
      HOST: 'must be a host name or an IP address (got "bad host")',
      PORT: 'must be a whole number from 0 to 65535 (got "70000")',
      LOG_LEVEL: 'must be one of fatal, error, warn, info, debug, trace, silent (got "verbose")',
      QIANBAO_MODE: 'must be one of sandbox, production (got "live")',
      QIANBAO_ADMIN_TOKEN: 'must be 32 to 512 printable ASCII characters without spaces',
      LEDGER_MAX_BATCH: 'must be a whole number from 1000 to 8190 (got "1e3")',
      LEDGER_MAX_QUEUE: 'must be a whole number from 1000 to 1000000 (got "-5")',
      LEDGER_EXPIRY_INTERVAL_MS: 'must be 0 (no expiry worker) or from 100 to 3600000 (got "10")',
      LEDGER_CHECKPOINT_INTERVAL_MS: 'must be a whole number from 100 to 3600000 (got "50")',
      SHUTDOWN_GRACE_MS: 'must be a whole number from 100 to 600000 (got "soon")',
      DB_POOL_MAX: 'must be a whole number from 2 to 200 (got "1")',
      OUTBOX_RETENTION_DAYS: 'must be a whole number from 1 to 3650 (got "0")',
      FUNDING_RECOVERY_INTERVAL_MS: 'must be 0 (no recovery job) or from 100 to 3600000 (got "50")',
      OPERATOR_SESSION_HOURS: 'must be a whole number from 1 to 24 (got "25")',
    });
  });

  it('never echoes secrets in its message', () => {
    try {
      loadConfig({ DATABASE_URL: 'mysql://root:hunter2@localhost/db', QIANBAO_ADMIN_TOKEN: 'short secret' });
      expect.unreachable();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('DATABASE_URL: must be a postgres:// or postgresql:// URL');
      expect(message).toContain('QIANBAO_ADMIN_TOKEN: must be');
      expect(message).not.toContain('hunter2');
      expect(message).not.toContain('short secret');
    }
  });

  it('requires an admin token in production', () => {
    expect(problemsOf({ QIANBAO_MODE: 'production' })).toEqual({
      DATABASE_URL:
        'is required when QIANBAO_MODE=production: the embedded PostgreSQL is for development only',
      QIANBAO_TRUST_PROXY:
        'is required when QIANBAO_MODE=production: the addresses of the TLS-terminating proxies in front of the server (e.g. 10.0.0.0/8 or loopback)',
      QIANBAO_ADMIN_TOKEN: 'is required when QIANBAO_MODE=production',
      QIANBAO_PUBLIC_URL: 'is required when QIANBAO_MODE=production',
      QIANBAO_SECRET_KEY: 'is required when QIANBAO_MODE=production',
    });
  });

  it('has the payment-security defaults and checks the public URL and the secret key', () => {
    const config = loadConfig({});
    expect(config.publicUrl).toBe('http://localhost:8080');
    expect(config.secretKey).toBeNull();
    expect(config.security).toEqual({
      pin: { maxFailures: 5, lockSeconds: 10_800 },
      tryLeaseSeconds: 30,
      passwordFree: { maxPerPaymentMinor: 20_000n, dailyMaxMinor: 100_000n },
      webauthn: { challengeTtlSeconds: 300, maxPasskeysPerHolder: 10 },
    });
    expect(loadConfig({ PORT: '9090' }).publicUrl).toBe('http://localhost:9090');
    expect(loadConfig({ QIANBAO_PUBLIC_URL: 'https://wallet.example.com/' }).publicUrl).toBe(
      'https://wallet.example.com',
    );
    expect(
      problemsOf({
        QIANBAO_PUBLIC_URL: 'https://wallet.example.com/app',
        QIANBAO_SECRET_KEY: 'too-short',
        PASSWORD_FREE_MAX_MINOR: '100001',
      }),
    ).toEqual({
      QIANBAO_PUBLIC_URL:
        'must be an http:// or https:// URL with no path, query or fragment (got "https://wallet.example.com/app")',
      QIANBAO_SECRET_KEY: 'must be 32 bytes in base64 (openssl rand -base64 32)',
      PASSWORD_FREE_MAX_MINOR: 'must be a whole number from 0 to 100000 (got "100001")',
    });
    expect(
      problemsOf({
        ...SECURITY_ENV,
        QIANBAO_MODE: 'production',
        DATABASE_URL: 'postgres://app@db.internal/qianbao',
        QIANBAO_TRUST_PROXY: 'loopback',
        QIANBAO_ADMIN_TOKEN: TOKEN,
        QIANBAO_PUBLIC_URL: 'http://wallet.example.com',
      }),
    ).toEqual({
      QIANBAO_PUBLIC_URL: 'must be https:// when QIANBAO_MODE=production (got "http://wallet.example.com")',
    });
  });

  it('has the identity defaults of issue 3 and reads the identity variables', () => {
    expect(loadConfig({}).identity).toEqual({
      smsCode: {
        ttlSeconds: 300,
        maxAttempts: 5,
        resendSeconds: 60,
        maxPerPhonePerHour: 10,
        maxPerIpPerHour: 30,
        blockSeconds: 3600,
      },
      password: {
        maxFailures: 5,
        lockSeconds: 900,
        tryLeaseSeconds: 30,
        hashing: { memoryCostKib: 19_456, timeCost: 2, parallelism: 1 },
      },
      session: { idleSeconds: 1800, maxAgeSeconds: 604_800, touchSeconds: 60 },
    });
    expect(loadConfig(IDENTITY_ENV).identity).toEqual(IDENTITY_CONFIG);
  });

  it('refuses cheap argon2 in production and impossible argon2 anywhere', () => {
    const production = problemsOf({
      QIANBAO_MODE: 'production',
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
    });
    expect(production.ARGON2_MEMORY_KIB).toBe(
      'must be at least 19456 when QIANBAO_MODE=production (got "1024")',
    );
    expect(production.ARGON2_TIME_COST).toBe('must be at least 2 when QIANBAO_MODE=production (got "1")');
    expect(problemsOf({ ARGON2_MEMORY_KIB: '16', ARGON2_PARALLELISM: '4' })).toEqual({
      ARGON2_MEMORY_KIB: 'must be at least 8 × ARGON2_PARALLELISM (got "16")',
    });
    expect(problemsOf({ BANK_TRANSFER_FEE_MIN_MINOR: '3000', BANK_TRANSFER_FEE_MAX_MINOR: '2000' })).toEqual({
      BANK_TRANSFER_FEE_MAX_MINOR: 'must be at least BANK_TRANSFER_FEE_MIN_MINOR (got "2000")',
    });
    expect(
      loadConfig({ ARGON2_MEMORY_KIB: '64', ARGON2_TIME_COST: '1' }).identity.password.hashing,
    ).toMatchObject({
      memoryCostKib: 64,
      timeCost: 1,
    });
  });
});
