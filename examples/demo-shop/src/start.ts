/**
 * The demo shop started beside a sandbox Qianbao: listen (on the port asked for, or any free one
 * when it is taken), set up the demo owner, shop, test key and test endpoint for the address it
 * listens on (setup.ts), then sell. `qianbao start` runs this after the wallet is listening.
 */
import { DemoShop } from './shop.ts';
import { setUpDemoShop } from './setup.ts';
import type { DemoShopSetup } from './setup.ts';

export interface StartDemoShopOptions {
  /** The running Qianbao, e.g. `http://localhost:8080`. */
  qianbaoUrl: string;
  /** Qianbao's data directory: the shop's secrets are kept in `demo-shop.json` there. */
  dataDir: string;
  /** The address to listen on (Qianbao's HOST). */
  host: string;
  /** The port to listen on; when taken, any free one (`portTaken`). 0: any free one. */
  port: number;
  /** Aborts the setup (the wallet is shutting down). */
  signal?: AbortSignal;
}

export interface RunningDemoShop {
  shop: DemoShop;
  /** Where people open it, e.g. `http://localhost:8090`. */
  url: string;
  /** Where Qianbao posts its webhooks, e.g. `http://127.0.0.1:8090/webhooks`. */
  webhookUrl: string;
  port: number;
  /** The port asked for was taken, so it listens on `port` instead. */
  portTaken: boolean;
  setup: DemoShopSetup;
  stop(): Promise<void>;
}

export async function startDemoShop(options: StartDemoShopOptions): Promise<RunningDemoShop> {
  const shop = new DemoShop();
  let port: number;
  let portTaken = false;
  try {
    port = await shop.listen(options.port, options.host);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || options.port === 0) throw error;
    port = await shop.listen(0, options.host);
    portTaken = true;
  }
  try {
    const url = addressOf(options.host, port, 'people');
    const webhookUrl = `${addressOf(options.host, port, 'loopback')}/webhooks`;
    shop.publicUrl = url;
    const setup = await setUpDemoShop({
      qianbaoUrl: options.qianbaoUrl,
      webhookUrl,
      dataDir: options.dataDir,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    shop.connect({
      apiKey: setup.apiKey,
      qianbaoUrl: options.qianbaoUrl,
      webhookSecret: setup.webhookSecret,
      shopName: setup.merchantName,
      portal: {
        url: `${options.qianbaoUrl}/merchant`,
        phone: setup.owner.phone,
        password: setup.owner.password,
      },
    });
    return { shop, url, webhookUrl, port, portTaken, setup, stop: () => shop.close() };
  } catch (error) {
    await shop.close();
    throw error;
  }
}

const LOOPBACK_OR_ANY = ['0.0.0.0', '::', '127.0.0.1', '::1', 'localhost'];

/**
 * The shop's address for people (a loopback or wildcard address shown as `localhost`, as Qianbao
 * shows its own) or for Qianbao's webhooks (an IP address, so that `localhost` resolving to `::1`
 * first cannot miss a shop listening on 127.0.0.1).
 */
export function addressOf(host: string, port: number, audience: 'people' | 'loopback'): string {
  let shown = host;
  if (LOOPBACK_OR_ANY.includes(host)) {
    shown = audience === 'people' ? 'localhost' : host === '::1' ? '::1' : '127.0.0.1';
  }
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}
