import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const TOKEN = 'a-long-enough-admin-token-for-the-tests-0123';

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
      http: { host: '127.0.0.1', port: 8080 },
      logLevel: 'info',
      adminTokenGenerated: true,
      database: { url: null, poolMax: 20 },
      dataDir: path.resolve('data'),
      embeddedPostgresPort: 54329,
      ledger: { maxBatchTransfers: 4096, maxQueuedTransfers: 50_000, expiryIntervalMs: 1000 },
      shutdownGraceMs: 10_000,
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
      LOG_LEVEL: 'warn',
      QIANBAO_MODE: 'production',
      QIANBAO_ADMIN_TOKEN: TOKEN,
      LEDGER_MAX_BATCH: '2000',
      LEDGER_MAX_QUEUE: '10000',
      LEDGER_EXPIRY_INTERVAL_MS: '0',
      SHUTDOWN_GRACE_MS: '5000',
      DB_POOL_MAX: '50',
    });
    expect(config).toEqual({
      mode: 'production',
      http: { host: '0.0.0.0', port: 0 },
      logLevel: 'warn',
      adminToken: TOKEN,
      adminTokenGenerated: false,
      database: { url: 'postgres://app:secret@db.internal:5432/qianbao', poolMax: 50 },
      dataDir: '/var/lib/qianbao',
      embeddedPostgresPort: 55000,
      ledger: { maxBatchTransfers: 2000, maxQueuedTransfers: 10_000, expiryIntervalMs: 0 },
      shutdownGraceMs: 5000,
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
      SHUTDOWN_GRACE_MS: 'soon',
      DB_POOL_MAX: '1',
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
      SHUTDOWN_GRACE_MS: 'must be a whole number from 100 to 600000 (got "soon")',
      DB_POOL_MAX: 'must be a whole number from 2 to 200 (got "1")',
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
      QIANBAO_ADMIN_TOKEN: 'is required when QIANBAO_MODE=production',
    });
  });
});
