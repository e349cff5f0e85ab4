#!/usr/bin/env node
// `npm test`: the whole suite. It brings what it needs: PostgreSQL (the machine's when
// DATABASE_URL is set, else the embedded server the test setup starts) and, for the browser
// tests, Debian's Chromium when it is missing. Ends with one line: `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';
const RESULTS = 'test-results/vitest.json';

ensureChromium();
mkdirSync('test-results', { recursive: true });
const vitest = spawnSync(
  process.execPath,
  [
    'node_modules/vitest/vitest.mjs',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${RESULTS}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);

let passed = 0;
let failed = 0;
if (existsSync(RESULTS)) {
  const report = JSON.parse(readFileSync(RESULTS, 'utf8'));
  passed = report.numPassedTests ?? 0;
  failed = (report.numFailedTests ?? 0) + (report.numRuntimeErrorTestSuites ?? 0);
  if (report.success === false && failed === 0) failed = 1; // e.g. an unhandled error
}
if (vitest.status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && vitest.status === 0 ? 0 : 1);

function ensureChromium() {
  // Chinese screens need a CJK font, or screenshots show boxes.
  const fontMissing = !existsSync('/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc');
  if (existsSync(CHROMIUM) && !fontMissing) return;
  if (process.getuid?.() !== 0) {
    console.warn(
      `${CHROMIUM} is missing and this is not root: browser tests will fail. Install it: apt-get install chromium`,
    );
    return;
  }
  console.log('Installing Chromium and a CJK font from Debian for the browser tests …');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install = spawnSync(
    'apt-get',
    ['install', '-y', '-qq', '--no-install-recommends', 'chromium', 'fonts-noto-cjk'],
    { stdio: 'inherit', env },
  );
  if (install.status !== 0) console.warn('Could not install Chromium: browser tests will fail.');
}
