import { isIP } from 'node:net';
import { parseDataKeys } from './crypto/data-keys.ts';
import { parseSecretKey } from './crypto/secret-key.ts';

/**
 * The start-up checklist of production mode (docs/production.md#the-start-up-checklist): what a
 * server refuses to start with when `QIANBAO_MODE=production`. Each refusal names the variable to
 * fix; config.ts reports all of them at once and the server exits with code 2. Sandbox mode checks
 * none of this: a newcomer's `npm start` must work with nothing set.
 *
 * Only what the environment alone can tell is checked here. What is wired rather than configured
 * (sandbox adapters, the demo shop, the sandbox routes) is decided by the mode in app.ts and the
 * CLI, so no variable can turn it on in production.
 */

/** The variables the checklist reads, as config.ts parsed them. */
export interface ProductionEnv {
  DATABASE_URL?: string | undefined;
  QIANBAO_ADMIN_TOKEN?: string | undefined;
  QIANBAO_SECRET_KEY?: string | undefined;
  QIANBAO_DATA_KEYS?: string | undefined;
  QIANBAO_PUBLIC_URL?: string | undefined;
  QIANBAO_TRUST_PROXY?: readonly string[] | undefined;
  ARGON2_MEMORY_KIB: number;
  ARGON2_TIME_COST: number;
  LEDGER_EXPIRY_INTERVAL_MS: number;
  FUNDING_RECOVERY_INTERVAL_MS: number;
}

export interface ProductionProblem {
  variable: keyof ProductionEnv;
  message: string;
}

/** OWASP's minimum for argon2id; production refuses anything cheaper. */
export const MIN_PRODUCTION_ARGON2 = { memoryCostKib: 19_456, timeCost: 2 } as const;

/** Words of a value copied from an example rather than made (`changeme…`, `your-token-here`). */
const PLACEHOLDER = /change[-_.]?me|placeholder|example|replace[-_.]?me|your[-_.]/i;

const REQUIRED = 'is required when QIANBAO_MODE=production';

/** Every problem of a production configuration, in the order of the guide's table. */
export function productionProblems(env: ProductionEnv): ProductionProblem[] {
  const problems: ProductionProblem[] = [];
  const refuse = (variable: keyof ProductionEnv, message: string) => problems.push({ variable, message });

  // 1. The embedded PostgreSQL is a development convenience: one process, a password in the
  // source, no replication, no backups (docs/production.md#database).
  if (env.DATABASE_URL === undefined) {
    refuse('DATABASE_URL', `${REQUIRED}: the embedded PostgreSQL is for development only`);
  }
  // 2. The master key of secrets at rest and of the journal chain (ADR 0005, ADR 0010).
  if (env.QIANBAO_SECRET_KEY === undefined) refuse('QIANBAO_SECRET_KEY', REQUIRED);
  else {
    const key = parseSecretKey(env.QIANBAO_SECRET_KEY);
    if (key !== null && !looksRandom(key, 16)) {
      refuse(
        'QIANBAO_SECRET_KEY',
        'is not a random key (repeated or too few distinct bytes) when QIANBAO_MODE=production: make one with openssl rand -base64 32',
      );
    }
  }
  // 2b. The data keys, when the ring is set (ADR 0029): each made as the master key is.
  if (env.QIANBAO_DATA_KEYS !== undefined) {
    const ring = parseDataKeys(env.QIANBAO_DATA_KEYS);
    const weak =
      typeof ring === 'string' ? -1 : ring.findIndex((key) => key !== 'root' && !looksRandom(key, 16));
    if (weak >= 0) {
      refuse(
        'QIANBAO_DATA_KEYS',
        `entry ${weak + 1} is not a random key (repeated or too few distinct bytes) when QIANBAO_MODE=production: make one with openssl rand -base64 32`,
      );
    }
  }
  // 3. The internal ledger API's bearer token.
  if (env.QIANBAO_ADMIN_TOKEN === undefined) refuse('QIANBAO_ADMIN_TOKEN', REQUIRED);
  else if (
    PLACEHOLDER.test(env.QIANBAO_ADMIN_TOKEN) ||
    !looksRandom(Buffer.from(env.QIANBAO_ADMIN_TOKEN, 'latin1'), 6)
  ) {
    refuse(
      'QIANBAO_ADMIN_TOKEN',
      'looks like a placeholder, not a random token, when QIANBAO_MODE=production: make one with openssl rand -base64 32',
    );
  }
  // 4. Where people reach the wallet: the passkey relying party. Browsers offer passkeys only to
  // secure pages, and never to an IP address; localhost is a development address.
  if (env.QIANBAO_PUBLIC_URL === undefined) refuse('QIANBAO_PUBLIC_URL', REQUIRED);
  else if (env.QIANBAO_PUBLIC_URL.startsWith('http:')) {
    refuse('QIANBAO_PUBLIC_URL', 'must be https:// when QIANBAO_MODE=production');
  } else if (!isPublicHost(env.QIANBAO_PUBLIC_URL)) {
    refuse(
      'QIANBAO_PUBLIC_URL',
      'must name the host people reach, not localhost or an IP address, when QIANBAO_MODE=production',
    );
  }
  // 5. The server speaks plain HTTP: TLS ends at a proxy, and only the proxy's X-Forwarded-For
  // tells the client's address to per-address limits, API key allow-lists and sign-in checks.
  if (env.QIANBAO_TRUST_PROXY === undefined) {
    refuse(
      'QIANBAO_TRUST_PROXY',
      `${REQUIRED}: the addresses of the TLS-terminating proxies in front of the server (e.g. 10.0.0.0/8 or loopback)`,
    );
  }
  // 6. Password, SMS code and ID number hashing no cheaper than OWASP's minimum.
  for (const [variable, minimum] of [
    ['ARGON2_MEMORY_KIB', MIN_PRODUCTION_ARGON2.memoryCostKib],
    ['ARGON2_TIME_COST', MIN_PRODUCTION_ARGON2.timeCost],
  ] as const) {
    if (env[variable] < minimum) refuse(variable, `must be at least ${minimum} when QIANBAO_MODE=production`);
  }
  // 7. A job whose interval is 0 loses its schedule for every server (docs/operations.md): one
  // server started so would stop holds from expiring, or unfinished bank operations from recovering.
  for (const [variable, what] of [
    ['LEDGER_EXPIRY_INTERVAL_MS', 'holds would never expire'],
    ['FUNDING_RECOVERY_INTERVAL_MS', 'unfinished top-ups and withdrawals would never be recovered'],
  ] as const) {
    if (env[variable] === 0) refuse(variable, `must not be 0 when QIANBAO_MODE=production: ${what}`);
  }
  return problems;
}

/**
 * A cheap test for a value typed or copied rather than drawn at random: at least `minDistinct`
 * distinct bytes and no repetition of a shorter block (`abab…`, `0123…0123…`). Random values pass
 * with overwhelming odds: 32 random bytes have fewer than 16 distinct values with a probability
 * near 1e-15, and a 32-character hex token fewer than 6 distinct digits below 1e-12.
 */
export function looksRandom(value: Uint8Array, minDistinct: number): boolean {
  if (new Set(value).size < minDistinct) return false;
  for (let period = 1; period <= value.length / 2; period += 1) {
    let repeats = true;
    for (let index = period; index < value.length && repeats; index += 1) {
      repeats = value[index] === value[index - period];
    }
    if (repeats) return false;
  }
  return true;
}

/** Whether the URL's host is a name people can reach (config.ts has checked it is a URL). */
function isPublicHost(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return true; // not a URL: config.ts names that problem
  }
  return isIP(host) === 0 && host !== 'localhost' && !host.endsWith('.localhost');
}

/** proxy-addr's names for ranges (Fastify's `trustProxy`). */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * `QIANBAO_TRUST_PROXY`: comma-separated addresses, CIDR ranges or range names. Null when an entry
 * is none of these. A hop count or "trust everyone" is not offered: either lets any client that
 * reaches the server directly choose the address it is judged by.
 */
export function parseTrustedProxies(value: string): string[] | null {
  const entries = value.split(',').map((entry) => entry.trim());
  if (entries.length === 0 || entries.length > 64) return null;
  for (const entry of entries) {
    if (PROXY_RANGE_NAMES.has(entry) || isIP(entry) !== 0) continue;
    const [address, prefix, ...rest] = entry.split('/');
    const family = isIP(address ?? '');
    const bits = Number(prefix);
    if (
      family === 0 ||
      rest.length > 0 ||
      !/^\d{1,3}$/.test(prefix ?? '') ||
      bits > (family === 4 ? 32 : 128)
    ) {
      return null;
    }
  }
  return entries;
}
