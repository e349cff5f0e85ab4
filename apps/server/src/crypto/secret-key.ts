import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The master key of secrets at rest (QIANBAO_SECRET_KEY), from which SecretBox derives its keys.
 * See docs/adr/0005-secrets-at-rest.md.
 */

export const SECRET_KEY_BYTES = 32;
const SANDBOX_KEY_FILE = 'secret-key';

/** Standard or URL-safe base64 of exactly 32 bytes; null otherwise. */
export function parseSecretKey(value: string): Buffer | null {
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) return null;
  const key = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return key.length === SECRET_KEY_BYTES ? key : null;
}

/**
 * Sandbox only: the key kept in `<dataDir>/secret-key` (owner-only permissions), made on first
 * start. Data sealed under it opens only with this file, which lives beside the embedded
 * database and goes with it.
 */
export function sandboxSecretKey(dataDir: string): { key: Buffer; created: boolean; file: string } {
  const file = path.join(dataDir, SANDBOX_KEY_FILE);
  try {
    const key = parseSecretKey(readFileSync(file, 'utf8').trim());
    if (!key) throw new Error(`${file} does not hold a base64 key of ${SECRET_KEY_BYTES} bytes`);
    return { key, created: false, file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(SECRET_KEY_BYTES);
  try {
    // `wx`: when another process made the file first, use its key rather than overwrite it.
    writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return sandboxSecretKey(dataDir);
    throw error;
  }
  chmodSync(file, 0o600);
  return { key, created: true, file };
}

/**
 * The configured key; in sandbox mode without one, the data directory's key file (made on first
 * use, with a loud line saying so). Production configuration always has a key (config.ts).
 */
export function resolveSecretKey(
  config: { mode: 'sandbox' | 'production'; secretKey: Buffer | null; dataDir: string },
  print: (line: string) => void,
): Buffer {
  if (config.secretKey) return config.secretKey;
  if (config.mode !== 'sandbox') throw new Error('QIANBAO_SECRET_KEY is required outside sandbox mode');
  const { key, created, file } = sandboxSecretKey(config.dataDir);
  print(
    `WARNING: QIANBAO_SECRET_KEY is not set; secrets at rest are sealed with the sandbox key in ${file}` +
      `${created ? ' (made now)' : ''}. Losing that file loses them. Never use it in production.`,
  );
  return key;
}

/**
 * The key an app is built with: the one `startServer` resolved, else the configured one, else
 * (sandbox apps built without one: tests) a random key that lives as long as the app.
 */
export function appSecretKey(
  given: Buffer | undefined,
  config: { mode: 'sandbox' | 'production'; secretKey: Buffer | null },
): Buffer {
  const key = given ?? config.secretKey;
  if (key) return key;
  if (config.mode !== 'sandbox') throw new Error('QIANBAO_SECRET_KEY is required outside sandbox mode');
  return randomBytes(SECRET_KEY_BYTES);
}
