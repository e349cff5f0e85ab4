/**
 * `qianbao start` in production mode refuses an unsafe configuration before it touches anything
 * (docs/production.md#the-start-up-checklist): exit code 2, one line per variable, no secret echoed.
 */
import { describe, expect, it } from 'vitest';
import { runQianbao } from './testing.ts';

describe('qianbao start in production mode', () => {
  it('refuses an unsafe configuration with exit code 2, naming each variable and echoing no secret', async () => {
    const weakKey = Buffer.alloc(32, 7).toString('base64');
    const placeholderToken = 'changeme-changeme-changeme-changeme';
    const run = await runQianbao(['start'], {
      QIANBAO_MODE: 'production',
      QIANBAO_SECRET_KEY: weakKey,
      QIANBAO_ADMIN_TOKEN: placeholderToken,
      QIANBAO_PUBLIC_URL: 'https://localhost',
      LEDGER_EXPIRY_INTERVAL_MS: '0',
      ARGON2_TIME_COST: '1',
    });
    expect(run.code).toBe(2);
    const lines = run.stderr.split('\n').map((line) => line.trim());
    for (const variable of [
      'DATABASE_URL',
      'QIANBAO_TRUST_PROXY',
      'QIANBAO_ADMIN_TOKEN',
      'QIANBAO_PUBLIC_URL',
      'QIANBAO_SECRET_KEY',
      'ARGON2_TIME_COST',
      'LEDGER_EXPIRY_INTERVAL_MS',
    ]) {
      expect(
        lines.some((line) => line.startsWith(`${variable}: `)),
        variable,
      ).toBe(true);
    }
    expect(run.stderr).not.toContain(weakKey);
    expect(run.stderr).not.toContain(placeholderToken);
    // Refused before anything started: no embedded PostgreSQL, no banner.
    expect(run.stdout).not.toContain('Starting the embedded PostgreSQL');
    expect(run.stdout).not.toContain('Qianbao is running');
  });
});
