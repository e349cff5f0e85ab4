/**
 * A lock file beside the demo shop's settings, so that two setups at once (a restart while the
 * old process is still finishing, two tests, two terminals) run one after the other: the second
 * then finds the first one's key and endpoint in the file and reuses them. A lock left by a
 * process that died is taken over (its pid is gone, or it is older than `STALE_MS`).
 */
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

const WAIT_MS = 60_000;
const POLL_MS = 150;
/** No setup takes this long (each of its calls times out long before). */
const STALE_MS = 120_000;

export class LockTimeoutError extends Error {
  override readonly name = 'LockTimeoutError';
}

export async function withFileLock<T>(
  lockFile: string,
  work: () => Promise<T>,
  options: { signal?: AbortSignal; waitMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.waitMs ?? WAIT_MS);
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      await writeFile(lockFile, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await isStale(lockFile)) {
      await rm(lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new LockTimeoutError(`another setup of the demo shop has held ${lockFile} for too long`);
    }
    await sleep(POLL_MS, undefined, options.signal ? { signal: options.signal } : {});
  }
  try {
    return await work();
  } finally {
    await rm(lockFile, { force: true });
  }
}

async function isStale(lockFile: string): Promise<boolean> {
  try {
    const [text, info] = await Promise.all([readFile(lockFile, 'utf8'), stat(lockFile)]);
    if (Date.now() - info.mtimeMs > STALE_MS) return true;
    const pid = Number.parseInt(text, 10);
    // Half-written (its writer is between open and write): wait for it.
    if (!Number.isSafeInteger(pid) || pid <= 0) return false;
    if (pid === process.pid) return false;
    try {
      process.kill(pid, 0);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH';
    }
  } catch (error) {
    // Gone between our attempt and the look: try again at once.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}
