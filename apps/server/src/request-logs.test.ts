/**
 * One JSON line per request buried the start-up banner of `npm start`: in sandbox mode the
 * per-request lines are debug; production keeps them at info for its log pipeline; a failing
 * request is an error line in both.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { PRODUCTION_TEST_ENV, createTestApp } from './testing.ts';
import type { TestApp } from './testing.ts';

interface LogLine {
  level: number;
  msg: string;
}

async function logsOfOneRequest(env: Record<string, string>): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  const subject: TestApp = await createTestApp({
    env,
    logStream: { write: (line: string) => lines.push(JSON.parse(line) as LogLine) },
  });
  apps.push(subject);
  const response = await subject.app.inject({ method: 'GET', url: '/healthz' });
  expect(response.statusCode).toBe(200);
  return lines.filter((line) => line.msg === 'incoming request' || line.msg === 'request completed');
}

const apps: TestApp[] = [];
afterAll(async () => {
  for (const subject of apps) await subject.close();
});

const DEBUG = 20;
const INFO = 30;

describe('request log lines', () => {
  it('are not printed at the default level in sandbox mode', async () => {
    expect(await logsOfOneRequest({ LOG_LEVEL: 'info' })).toEqual([]);
  });

  it('are debug lines in sandbox mode (LOG_LEVEL=debug shows them)', async () => {
    const lines = await logsOfOneRequest({ LOG_LEVEL: 'debug' });
    expect(lines.map(({ level, msg }) => ({ level, msg }))).toEqual([
      { level: DEBUG, msg: 'incoming request' },
      { level: DEBUG, msg: 'request completed' },
    ]);
  });

  it('stay info lines in production mode', async () => {
    const lines = await logsOfOneRequest({ ...PRODUCTION_TEST_ENV, LOG_LEVEL: 'info' });
    expect(lines.map(({ level, msg }) => ({ level, msg }))).toEqual([
      { level: INFO, msg: 'incoming request' },
      { level: INFO, msg: 'request completed' },
    ]);
  });
});
