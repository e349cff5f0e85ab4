/**
 * The demo shop on its own (`npm start -w @qianbao/demo-shop`, or `npx tsx examples/demo-shop/src/main.ts`):
 *
 * - against a sandbox Qianbao (`QIANBAO_URL`, default http://localhost:8080), with nothing else
 *   set: the same setup as `npm start` does (the demo owner, 演示面馆, a test key and endpoint,
 *   kept in `<QIANBAO_DATA_DIR>/demo-shop.json`);
 * - against any Qianbao with a key of yours: `QIANBAO_KEY` (qbk_test_… or qbk_live_…) and
 *   `QIANBAO_WEBHOOK_SECRET` (the whsec_… of the endpoint you registered for
 *   `<DEMO_SHOP_PUBLIC_URL>/webhooks`).
 *
 * PORT (8090) and HOST (127.0.0.1) are where it listens.
 */
import path from 'node:path';
import { DemoShop } from './shop.ts';
import { addressOf, startDemoShop } from './start.ts';

const env = process.env;
const qianbaoUrl = (env.QIANBAO_URL ?? 'http://localhost:8080').replace(/\/+$/, '');
const host = env.HOST ?? '127.0.0.1';
const port = Number.parseInt(env.PORT ?? '8090', 10);

function fail(message: string): never {
  console.error(`demo shop: ${message}`);
  process.exit(2);
}

if (!Number.isInteger(port) || port < 0 || port > 65_535)
  fail(`PORT must be a port number (got ${env.PORT})`);

let stop: () => Promise<void>;
if (env.QIANBAO_KEY) {
  const webhookSecret = env.QIANBAO_WEBHOOK_SECRET;
  if (!webhookSecret?.startsWith('whsec_')) {
    fail('with QIANBAO_KEY, set QIANBAO_WEBHOOK_SECRET to your webhook endpoint’s signing secret (whsec_…)');
  }
  const shop = new DemoShop();
  const listening = await shop.listen(port, host);
  shop.publicUrl = (env.DEMO_SHOP_PUBLIC_URL ?? addressOf(host, listening, 'people')).replace(/\/+$/, '');
  shop.connect({
    apiKey: env.QIANBAO_KEY,
    qianbaoUrl,
    webhookSecret,
    shopName: env.DEMO_SHOP_NAME ?? '演示商店',
    portal: null,
  });
  console.log(`Demo shop: ${shop.publicUrl}  (selling through ${qianbaoUrl})`);
  console.log(
    `Webhooks are verified at ${shop.publicUrl}/webhooks: register that address for your key's mode.`,
  );
  stop = () => shop.close();
} else {
  try {
    const running = await startDemoShop({
      qianbaoUrl,
      // Where `npm start` keeps it: ./data of the directory npm was run in (the repository's).
      dataDir: path.resolve(env.INIT_CWD ?? process.cwd(), env.QIANBAO_DATA_DIR ?? 'data'),
      host,
      port,
    });
    const taken = running.portTaken ? `  (port ${port} was taken)` : '';
    console.log(`Demo shop (test mode: pay with the test payer): ${running.url}${taken}`);
    console.log(
      `  its owner in the merchant portal ${qianbaoUrl}/merchant: ${running.setup.owner.phone} / ${running.setup.owner.password}`,
    );
    stop = () => running.stop();
  } catch (error) {
    fail(`not started: ${(error as Error).message}`);
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void stop().then(() => process.exit(0)));
}
