/**
 * The demo shop (examples/demo-shop/README.md): a tiny shop that sells one bowl of noodles
 * through `@qianbao/sdk` and Qianbao's hosted checkout, and shows the webhooks it received.
 */
export { DemoShop, MAX_WEBHOOKS, NOODLES, REFRESH_SECONDS, newOrderId } from './shop.ts';
export type { DemoShopOptions, ReceivedWebhook, ShopConnection } from './shop.ts';
export { formatMoney } from './pages.ts';
export type { Item, PortalInfo } from './pages.ts';
export {
  DEMO_ENDPOINT_DESCRIPTION,
  DEMO_EVENTS,
  DEMO_KEY_NAME,
  DEMO_KEY_SCOPES,
  DEMO_MERCHANT,
  DEMO_OWNER,
  DemoShopSetupError,
  setUpDemoShop,
  settingsFileOf,
} from './setup.ts';
export type { DemoShopSetup, SetUpOptions } from './setup.ts';
export { addressOf, startDemoShop } from './start.ts';
export type { RunningDemoShop, StartDemoShopOptions } from './start.ts';
