/**
 * `qianbao start` composes the wallet and the demo shop (examples/demo-shop) in one process: in
 * sandbox mode, once the wallet listens, the shop starts beside it, sets itself up over the
 * wallet's public API and prints where it is. The server knows nothing of it (runServer's
 * `afterStart`). A shop that cannot start is one printed line; the wallet goes on.
 */
import { startDemoShop } from '@qianbao/demo-shop';
import type { Companion, Config, RunningServer } from '@qianbao/server';

export interface DemoShopSettings {
  /** `QIANBAO_DEMO_SHOP`: `on` (default) or `off`. Sandbox mode only, whatever it says. */
  enabled: boolean;
  /** `QIANBAO_DEMO_SHOP_PORT` (8090); when taken, any free port. 0: any free port. */
  port: number;
}

export const DEFAULT_DEMO_SHOP_PORT = 8090;

/** The settings from the environment; throws with the variable named, as the server's configuration does. */
export function demoShopSettings(env: NodeJS.ProcessEnv = process.env): DemoShopSettings {
  const problems: string[] = [];
  const switchValue = env.QIANBAO_DEMO_SHOP || 'on';
  if (switchValue !== 'on' && switchValue !== 'off') {
    problems.push(
      `  QIANBAO_DEMO_SHOP: must be one of on, off (got ${JSON.stringify(switchValue.slice(0, 40))})`,
    );
  }
  const portText = env.QIANBAO_DEMO_SHOP_PORT || String(DEFAULT_DEMO_SHOP_PORT);
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 0 && port <= 65_535)) {
    problems.push(
      `  QIANBAO_DEMO_SHOP_PORT: must be a port number from 0 to 65535 (got ${JSON.stringify(portText.slice(0, 40))})`,
    );
  }
  if (problems.length > 0) {
    throw new DemoShopSettingsError(`invalid configuration (environment variables):\n${problems.join('\n')}`);
  }
  return { enabled: switchValue === 'on', port };
}

export class DemoShopSettingsError extends Error {
  override readonly name = 'DemoShopSettingsError';
}

/** runServer's `afterStart`: the demo shop beside a sandbox wallet, or nothing. */
export function demoShopBeside(
  config: Config,
  settings: DemoShopSettings,
  print: (line: string) => void = (line) => console.log(line),
) {
  return async (server: RunningServer, signal: AbortSignal): Promise<Companion | null> => {
    if (config.mode !== 'sandbox' || !settings.enabled) return null;
    try {
      const running = await startDemoShop({
        qianbaoUrl: server.url,
        dataDir: config.dataDir,
        host: config.http.host,
        port: settings.port,
        signal,
      });
      const taken = running.portTaken ? `  (port ${settings.port} was taken)` : '';
      print(`Demo shop (test mode: pay with the test payer): ${running.url}${taken}`);
      print(
        `  its owner in the merchant portal: ${running.setup.owner.phone} / ${running.setup.owner.password}` +
          ` (a new browser's sign-in code: ${server.url}/dev/sms)`,
      );
      return running;
    } catch (error) {
      if (signal.aborted) return null; // shutting down meanwhile
      print(
        `Demo shop not started: ${(error as Error).message}. The wallet runs on (QIANBAO_DEMO_SHOP=off skips it).`,
      );
      return null;
    }
  };
}
