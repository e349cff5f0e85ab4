/**
 * @qianbao/sdk — the TypeScript client of Qianbao's merchant API (API keys): typed calls for
 * every public operation, idempotency keys on every POST, safe retries, cursor pagination and a
 * webhook verifier. packages/sdk/README.md; docs/developers.md "The TypeScript SDK".
 */
export { Qianbao } from './client.ts';
export type {
  Charge,
  Checkout,
  CreateChargeParams,
  CreateCheckoutParams,
  CreateOrderParams,
  CreateRefundParams,
  CreateSettlementParams,
  ListOrdersParams,
  ListSettlementsParams,
  ListWebhookDeliveriesParams,
  Money,
  Order,
  OrderPage,
  OrderWithCode,
  OrderWithRefunds,
  QianbaoOptions,
  Refund,
  Settlement,
  SettlementPage,
  StatementFormat,
  WebhookDelivery,
  WebhookDeliveryPage,
  WebhookDeliveryWithAttempts,
} from './client.ts';
export { API_VERSION, SDK_VERSION } from './http.ts';
export type { FetchLike, PostOptions, RequestOptions } from './http.ts';
export { QianbaoConnectionError, QianbaoError, WebhookVerificationError } from './errors.ts';
export { OPERATIONS } from './operations.ts';
export type { BodyOf, OperationName, PathParamsOf, QueryOf, ResultOf } from './operations.ts';
export { DEFAULT_TOLERANCE_SECONDS, WEBHOOK_EVENT_TYPES, verifyWebhook } from './webhooks.ts';
export type {
  OrderExpiredEvent,
  PaymentFailedEvent,
  PaymentSucceededEvent,
  RefundSucceededEvent,
  SettlementFailedEvent,
  SettlementPaidEvent,
  VerifyOptions,
  WebhookEvent,
  WebhookEventType,
  WebhookHeaders,
  WebhookPingEvent,
} from './webhooks.ts';
export type { paths } from './openapi.ts';
