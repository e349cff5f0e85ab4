/**
 * The start-up checklist of production mode (production-checks.ts, docs/production.md): each
 * refusal on its own, with the variable it names; and what production wires differently — the
 * client's address through the trusted proxy, no sandbox identity verifier.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { SmsMessage, SmsSendResult, SmsSender } from './adapters/sms/index.ts';
import { ConfigError, loadConfig } from './config.ts';
import { TEST_PASSWORD, uniquePhone } from './modules/identity/testing.ts';
import { looksRandom, parseTrustedProxies } from './production-checks.ts';
import { PRODUCTION_TEST_ENV, TEST_ADMIN_TOKEN, createTestApp } from './testing.ts';
import type { TestApp } from './testing.ts';

/** A production configuration that passes every check. */
const GOOD: Record<string, string> = { ...PRODUCTION_TEST_ENV, QIANBAO_ADMIN_TOKEN: TEST_ADMIN_TOKEN };

function problemsOf(env: Record<string, string | undefined>): Record<string, string> {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return Object.fromEntries((error as ConfigError).problems.map((p) => [p.variable, p.problem]));
  }
  return {};
}

/** The one problem a production configuration has once `change` is applied to the good one. */
function refusalOf(change: Record<string, string | undefined>): Record<string, string> {
  return problemsOf({ ...GOOD, ...change });
}

describe('the production start-up checklist', () => {
  it('passes a complete production configuration', () => {
    expect(problemsOf(GOOD)).toEqual({});
    const config = loadConfig(GOOD);
    expect(config.mode).toBe('production');
    expect(config.http.trustProxy).toEqual(['loopback']);
  });

  it('refuses the embedded PostgreSQL', () => {
    expect(refusalOf({ DATABASE_URL: undefined })).toEqual({
      DATABASE_URL:
        'is required when QIANBAO_MODE=production: the embedded PostgreSQL is for development only',
    });
  });

  it('refuses a missing or patterned secret key, without echoing it', () => {
    expect(refusalOf({ QIANBAO_SECRET_KEY: undefined })).toEqual({
      QIANBAO_SECRET_KEY: 'is required when QIANBAO_MODE=production',
    });
    const weak =
      'is not a random key (repeated or too few distinct bytes) when QIANBAO_MODE=production: make one with openssl rand -base64 32';
    for (const key of [
      Buffer.alloc(32, 7),
      Buffer.alloc(32, 0),
      Buffer.from('0123456789abcdef0123456789abcdef'),
      Buffer.from(Array.from({ length: 32 }, (_, index) => index % 10)),
    ]) {
      expect(refusalOf({ QIANBAO_SECRET_KEY: key.toString('base64') })).toEqual({ QIANBAO_SECRET_KEY: weak });
    }
    // Sandbox mode takes any well-formed key: a newcomer's tests use patterned ones.
    expect(problemsOf({ QIANBAO_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') })).toEqual({});
    try {
      loadConfig({ ...GOOD, QIANBAO_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') });
    } catch (error) {
      expect((error as Error).message).not.toContain(Buffer.alloc(32, 7).toString('base64'));
    }
  });

  it('refuses a patterned data key in the ring, naming its place, without echoing it', () => {
    const good = 'q1P8xW0r3mZk6TnV2bYs9cHf4LdJ7gEa5uRo+KiNwQM=';
    expect(refusalOf({ QIANBAO_DATA_KEYS: `${good},root` })).toEqual({});
    const patterned = Buffer.alloc(32, 7).toString('base64');
    expect(refusalOf({ QIANBAO_DATA_KEYS: `root,${patterned}` })).toEqual({
      QIANBAO_DATA_KEYS:
        'entry 2 is not a random key (repeated or too few distinct bytes) when QIANBAO_MODE=production: make one with openssl rand -base64 32',
    });
    expect(problemsOf({ QIANBAO_DATA_KEYS: `root,${patterned}` })).toEqual({}); // sandbox: any key
    // A malformed ring is refused in every mode, by the variable's own check.
    expect(problemsOf({ QIANBAO_DATA_KEYS: 'root,,' })).toEqual({ QIANBAO_DATA_KEYS: 'entry 2 is empty' });
  });

  it('refuses a missing or placeholder admin token', () => {
    expect(refusalOf({ QIANBAO_ADMIN_TOKEN: undefined })).toEqual({
      QIANBAO_ADMIN_TOKEN: 'is required when QIANBAO_MODE=production',
    });
    const placeholder =
      'looks like a placeholder, not a random token, when QIANBAO_MODE=production: make one with openssl rand -base64 32';
    for (const token of [
      'x'.repeat(40),
      'changeme-changeme-changeme-changeme',
      'your-admin-token-goes-here-please-0000',
      '0123456789abcdef0123456789abcdef',
    ]) {
      expect(refusalOf({ QIANBAO_ADMIN_TOKEN: token })).toEqual({ QIANBAO_ADMIN_TOKEN: placeholder });
    }
    // What `openssl rand -hex 16` and `-base64 32` make passes.
    expect(refusalOf({ QIANBAO_ADMIN_TOKEN: '9f86d081884c7d659a2feaa0c55ad015' })).toEqual({});
    expect(refusalOf({ QIANBAO_ADMIN_TOKEN: 'n4bQgYhMc3kZ0yV8s2TqLw7pXe1RfJ6uAoD5iKjH9Cs=' })).toEqual({});
  });

  it('refuses a public URL that is missing, not https, localhost or an IP address', () => {
    expect(refusalOf({ QIANBAO_PUBLIC_URL: undefined })).toEqual({
      QIANBAO_PUBLIC_URL: 'is required when QIANBAO_MODE=production',
    });
    expect(refusalOf({ QIANBAO_PUBLIC_URL: 'http://wallet.example.com' })).toEqual({
      QIANBAO_PUBLIC_URL: 'must be https:// when QIANBAO_MODE=production (got "http://wallet.example.com")',
    });
    for (const url of [
      'https://localhost:8443',
      'https://203.0.113.7',
      'https://[2001:db8::1]',
      'https://a.localhost',
    ]) {
      expect(refusalOf({ QIANBAO_PUBLIC_URL: url })).toEqual({
        QIANBAO_PUBLIC_URL: `must name the host people reach, not localhost or an IP address, when QIANBAO_MODE=production (got "${url}")`,
      });
    }
  });

  it('requires the TLS-terminating proxies to trust, and refuses what is not an address', () => {
    expect(refusalOf({ QIANBAO_TRUST_PROXY: undefined })).toEqual({
      QIANBAO_TRUST_PROXY:
        'is required when QIANBAO_MODE=production: the addresses of the TLS-terminating proxies in front of the server (e.g. 10.0.0.0/8 or loopback)',
    });
    const notAddresses =
      'must be comma-separated IP addresses, CIDR ranges, loopback, linklocal or uniquelocal';
    for (const value of ['true', '*', '2', '10.0.0.0/33', 'proxy.internal', '10.0.0.1,', 'fd00::/129']) {
      expect(problemsOf({ QIANBAO_TRUST_PROXY: value })).toEqual({
        QIANBAO_TRUST_PROXY: `${notAddresses} (got ${JSON.stringify(value)})`,
      });
    }
    expect(parseTrustedProxies('10.0.0.0/8, 192.168.1.10,loopback, fd00::/8, ::1')).toEqual([
      '10.0.0.0/8',
      '192.168.1.10',
      'loopback',
      'fd00::/8',
      '::1',
    ]);
  });

  it('refuses argon2 below the OWASP minimum', () => {
    expect(refusalOf({ ARGON2_MEMORY_KIB: '19455', ARGON2_TIME_COST: '1' })).toEqual({
      ARGON2_MEMORY_KIB: 'must be at least 19456 when QIANBAO_MODE=production (got "19455")',
      ARGON2_TIME_COST: 'must be at least 2 when QIANBAO_MODE=production (got "1")',
    });
  });

  it('refuses turning off the hold expiry and the funding recovery jobs', () => {
    expect(refusalOf({ LEDGER_EXPIRY_INTERVAL_MS: '0', FUNDING_RECOVERY_INTERVAL_MS: '0' })).toEqual({
      LEDGER_EXPIRY_INTERVAL_MS:
        'must not be 0 when QIANBAO_MODE=production: holds would never expire (got "0")',
      FUNDING_RECOVERY_INTERVAL_MS:
        'must not be 0 when QIANBAO_MODE=production: unfinished top-ups and withdrawals would never be recovered (got "0")',
    });
  });

  it('names every problem at once', () => {
    expect(Object.keys(problemsOf({ QIANBAO_MODE: 'production' })).sort()).toEqual([
      'DATABASE_URL',
      'QIANBAO_ADMIN_TOKEN',
      'QIANBAO_PUBLIC_URL',
      'QIANBAO_SECRET_KEY',
      'QIANBAO_TRUST_PROXY',
    ]);
  });

  it('tells random bytes from patterns', () => {
    expect(looksRandom(Buffer.from('q1P8xW0r3mZk6TnV2bYs9cHf4LdJ7gEa5uRo+KiNwQM=', 'base64'), 16)).toBe(true);
    expect(looksRandom(Buffer.from('abcabcabcabcabcabcabc'), 3)).toBe(false);
    expect(looksRandom(Buffer.from('abcdefgh'), 9)).toBe(false);
  });
});

class CapturingSms implements SmsSender {
  readonly name = 'capture';
  readonly sent: SmsMessage[] = [];
  send(message: SmsMessage): Promise<SmsSendResult> {
    this.sent.push(message);
    return Promise.resolve({ ok: true, messageId: String(this.sent.length) });
  }
}

describe('a production server', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const subject of apps) await subject.close();
  });

  it("takes the client's address from a trusted proxy only", async () => {
    const lines: { msg: string; req?: { remoteAddress: string } }[] = [];
    const subject = await createTestApp({
      env: { ...GOOD, QIANBAO_TRUST_PROXY: '10.1.0.0/16', LOG_LEVEL: 'info' },
      logStream: { write: (line: string) => lines.push(JSON.parse(line) as (typeof lines)[number]) },
    });
    apps.push(subject);
    const forwarded = { 'x-forwarded-for': '203.0.113.7' };
    await subject.app.inject({
      method: 'GET',
      url: '/healthz',
      remoteAddress: '10.1.2.3',
      headers: forwarded,
    });
    await subject.app.inject({
      method: 'GET',
      url: '/healthz',
      remoteAddress: '198.51.100.9',
      headers: forwarded,
    });
    const clients = lines
      .filter((line) => line.msg === 'incoming request')
      .map((line) => line.req?.remoteAddress);
    expect(clients).toEqual(['203.0.113.7', '198.51.100.9']);
  });

  it('has no sandbox identity verifier: a real-name check is unavailable, not a match', async () => {
    const sms = new CapturingSms();
    const subject = await createTestApp({ env: GOOD, sms });
    apps.push(subject);
    const phone = uniquePhone();
    await subject.app.inject({
      method: 'POST',
      url: '/v1/auth/sms-codes',
      payload: { phone, purpose: 'register' },
    });
    const code = /\d{6}/.exec(sms.sent[0]!.text)![0];
    const registered = await subject.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: { phone, code, password: TEST_PASSWORD, deviceId: 'device-prod-kyc' },
    });
    expect(registered.statusCode, registered.body).toBe(201);
    const headers = { authorization: `Bearer ${registered.json<{ token: string }>().token}` };
    // A sandbox MATCH (docs/kyc.md): production must not take it for a verified identity.
    const check = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/kyc/real-name',
      headers,
      payload: { legalName: '张三', idNumber: '110105199001010010' },
    });
    expect(check.json<{ error: { code: string } }>().error.code).toBe('VERIFIER_UNAVAILABLE');
    const profile = await subject.app.inject({ method: 'GET', url: '/v1/me/kyc', headers });
    expect(profile.json<{ tier: string }>().tier).toBe('T0');
  });
});
