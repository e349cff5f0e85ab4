#!/usr/bin/env node
// Builds the consumer web app (apps/web) into apps/web/dist, only when its sources changed since
// the last build, so `npm start` (which runs this first) stays fast. `--force` builds anyway.
//
// "Changed" is a fingerprint of every input's path, size and modification time, kept next to the
// build in dist/.build-stamp: a checkout of older files changes it too, where a plain "newer
// than" comparison would miss it. The build goes to a temporary folder and replaces dist in one
// rename, so a server never serves half a build; a lock lets parallel test workers share one build.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const WEB = path.join(ROOT, 'apps/web');
const DIST = path.join(WEB, 'dist');
const STAMP = path.join(DIST, '.build-stamp');
// Temporaries live where every tool already ignores them (git, ESLint, Prettier, Vite's watcher).
const WORK = path.join(WEB, 'node_modules/.cache/qianbao-build');
const LOCK = path.join(WORK, 'lock');
const LOCK_WAIT_MS = 5 * 60_000;

/** What the build reads: the app, the workspace packages it imports, and the installed versions. */
const INPUTS = [
  'apps/web/index.html',
  'apps/web/vite.config.ts',
  'apps/web/tsconfig.json',
  'apps/web/package.json',
  'apps/web/src',
  'apps/web/pwa',
  'packages/money/src',
  'packages/qr/src',
  'package-lock.json',
  'scripts/build-web.mjs',
];

export function fingerprint() {
  const hash = createHash('sha256');
  for (const input of INPUTS) {
    for (const file of listFiles(path.join(ROOT, input))) {
      if (file.endsWith('.test.ts')) continue;
      const { size, mtimeMs } = statSync(file);
      hash.update(`${path.relative(ROOT, file)}\0${size}\0${mtimeMs}\n`);
    }
  }
  return hash.digest('hex');
}

function listFiles(target) {
  if (!existsSync(target)) return [];
  if (!statSync(target).isDirectory()) return [target];
  return readdirSync(target, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => listFiles(path.join(target, entry.name)));
}

function builtFingerprint() {
  try {
    return JSON.parse(readFileSync(STAMP, 'utf8')).fingerprint;
  } catch {
    return undefined;
  }
}

/** Resolves once the web app in apps/web/dist matches its sources; `true` when it built. */
export async function buildWeb({ force = false, log = console.log } = {}) {
  if (!force && builtFingerprint() === fingerprint()) return false;
  await acquireLock();
  try {
    // Someone else may have built it while we waited for the lock.
    const wanted = fingerprint();
    if (!force && builtFingerprint() === wanted) return false;
    let vite;
    try {
      vite = await import('vite');
    } catch {
      throw new Error('vite is not installed: run `npm install` first');
    }
    // A caller's NODE_ENV (vitest sets "test") would give React's development build.
    process.env.NODE_ENV = 'production';
    const started = Date.now();
    const temporary = path.join(WORK, `dist-${process.pid}`);
    rmSync(temporary, { recursive: true, force: true });
    await vite.build({
      root: WEB,
      mode: 'production',
      configFile: path.join(WEB, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: temporary, emptyOutDir: true },
    });
    writeFileSync(path.join(temporary, '.build-stamp'), JSON.stringify({ fingerprint: wanted }) + '\n');
    const previous = path.join(WORK, `old-${process.pid}`);
    if (existsSync(DIST)) renameSync(DIST, previous);
    renameSync(temporary, DIST);
    rmSync(previous, { recursive: true, force: true });
    log(`Web app built into apps/web/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return true;
  } finally {
    releaseLock();
  }
}

async function acquireLock() {
  mkdirSync(WORK, { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      return;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    if (lockIsStale()) {
      rmSync(LOCK, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`another build holds ${LOCK} for too long`);
    await sleep(200);
  }
}

function lockIsStale() {
  let pid;
  try {
    pid = Number.parseInt(readFileSync(path.join(LOCK, 'pid'), 'utf8'), 10);
  } catch {
    // Just created by another process that has not written its pid yet, unless it is old.
    try {
      return Date.now() - statSync(LOCK).mtimeMs > 10_000;
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

function releaseLock() {
  try {
    if (readFileSync(path.join(LOCK, 'pid'), 'utf8') === String(process.pid)) {
      rmSync(LOCK, { recursive: true, force: true });
    }
  } catch {
    // already gone
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const built = await buildWeb({ force: process.argv.includes('--force') });
    if (!built) console.log('Web app is up to date (apps/web/dist)');
  } catch (error) {
    console.error(`Building the web app failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
