/**
 * How `qianbao start` decides on the demo shop: its two settings (checked like the server's
 * configuration), sandbox mode only, and a shop that cannot start is one printed line, never a
 * failure of the wallet. The shop's own working is test/e2e/demo-shop.test.ts and start.test.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '@qianbao/server';
import { PRODUCTION_TEST_ENV, testConfig } from '../../server/src/testing.ts';
import { DemoShopSettingsError, demoShopBeside, demoShopSettings } from './demo-shop.ts';
import { runQianbao } from './testing.ts';

describe('demo shop settings', () => {
  it('default to on, port 8090; take on/off and a port', () => {
    expect(demoShopSettings({})).toEqual({ enabled: true, port: 8090 });
    expect(demoShopSettings({ QIANBAO_DEMO_SHOP: '', QIANBAO_DEMO_SHOP_PORT: '' })).toEqual({
      enabled: true,
      port: 8090,
    });
    expect(demoShopSettings({ QIANBAO_DEMO_SHOP: 'off', QIANBAO_DEMO_SHOP_PORT: '0' })).toEqual({
      enabled: false,
      port: 0,
    });
  });

  it('name every bad variable', () => {
    expect(() => demoShopSettings({ QIANBAO_DEMO_SHOP: 'no', QIANBAO_DEMO_SHOP_PORT: '70000' })).toThrow(
      new DemoShopSettingsError(
        'invalid configuration (environment variables):\n' +
          '  QIANBAO_DEMO_SHOP: must be one of on, off (got "no")\n' +
          '  QIANBAO_DEMO_SHOP_PORT: must be a port number from 0 to 65535 (got "70000")',
      ),
    );
    expect(() => demoShopSettings({ QIANBAO_DEMO_SHOP_PORT: '80a' })).toThrow(/QIANBAO_DEMO_SHOP_PORT/);
  });

  it('that are wrong stop `qianbao start` with exit code 2 before anything starts', async () => {
    const run = await runQianbao(['start'], {
      QIANBAO_DEMO_SHOP: 'maybe',
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'invalid configuration (environment variables):\n  QIANBAO_DEMO_SHOP: must be one of on, off (got "maybe")\n',
    );
  });
});

describe('the demo shop beside the wallet', () => {
  let dataDir: string;
  let deadUrl: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'qianbao-demo-shop-cli-'));
    // A port nobody listens on: the "wallet" the shop would set itself up with does not answer.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    deadUrl = `http://127.0.0.1:${port}`;
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  const serverAt = (url: string) => ({ url }) as RunningServer;

  it('is not started in production mode, nor when turned off', async () => {
    const lines: string[] = [];
    const production = testConfig(PRODUCTION_TEST_ENV);
    const beside = demoShopBeside(production, { enabled: true, port: 0 }, (line) => lines.push(line));
    expect(await beside(serverAt(deadUrl), new AbortController().signal)).toBeNull();
    const off = demoShopBeside(
      testConfig({ QIANBAO_DATA_DIR: dataDir }),
      { enabled: false, port: 0 },
      (line) => lines.push(line),
    );
    expect(await off(serverAt(deadUrl), new AbortController().signal)).toBeNull();
    expect(lines).toEqual([]);
  });

  it('that cannot set itself up is one line saying why, and no shop', async () => {
    const lines: string[] = [];
    const config = testConfig({ QIANBAO_DATA_DIR: dataDir, HOST: '127.0.0.1' });
    const beside = demoShopBeside(config, { enabled: true, port: 0 }, (line) => lines.push(line));
    expect(await beside(serverAt(deadUrl), new AbortController().signal)).toBeNull();
    expect(lines).toEqual([
      'Demo shop not started: GET /v1/meta got no answer (fetch failed). The wallet runs on (QIANBAO_DEMO_SHOP=off skips it).',
    ]);
  });

  it('says nothing when the wallet is shutting down meanwhile', async () => {
    const lines: string[] = [];
    const config = testConfig({ QIANBAO_DATA_DIR: dataDir, HOST: '127.0.0.1' });
    const stopping = new AbortController();
    stopping.abort();
    const beside = demoShopBeside(config, { enabled: true, port: 0 }, (line) => lines.push(line));
    expect(await beside(serverAt(deadUrl), stopping.signal)).toBeNull();
    expect(lines).toEqual([]);
  });
});
