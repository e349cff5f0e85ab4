/**
 * Which operation of the public API each SDK method calls, and the types of each operation drawn
 * from the generated `paths` (openapi.ts). The client sends every request through this table, so
 * the table is what the SDK calls; the drift test (test/drift.test.ts) checks it against the
 * server's OpenAPI document both ways — an operation without a method, or a method whose
 * operation is gone, fails — and that each method really sends its operation's method and path.
 */
import type { paths } from './openapi.ts';

type LowerMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** An operation that exists in the generated document: `{ method: 'GET', path: '/v1/…' }`. */
export type OperationRef = {
  [P in keyof paths]: {
    [M in LowerMethod]: [NonNullable<paths[P][M]>] extends [never]
      ? never
      : { method: Uppercase<M>; path: P };
  }[LowerMethod];
}[keyof paths];

/** Each SDK method (`resource.method`) and the one operation it calls. */
export const OPERATIONS = {
  'orders.create': { method: 'POST', path: '/v1/me/merchant/orders' },
  'orders.list': { method: 'GET', path: '/v1/me/merchant/orders' },
  'orders.retrieve': { method: 'GET', path: '/v1/me/merchant/orders/{merchantOrderId}' },
  'orders.close': { method: 'POST', path: '/v1/me/merchant/orders/{merchantOrderId}/close' },
  'refunds.create': { method: 'POST', path: '/v1/me/merchant/orders/{merchantOrderId}/refunds' },
  'refunds.retrieve': {
    method: 'GET',
    path: '/v1/me/merchant/orders/{merchantOrderId}/refunds/{merchantRefundId}',
  },
  'charges.create': { method: 'POST', path: '/v1/me/merchant/charges' },
  'charges.retrieve': { method: 'GET', path: '/v1/me/merchant/charges/{id}' },
  'charges.ofOrder': { method: 'GET', path: '/v1/me/merchant/orders/{merchantOrderId}/charge' },
  'checkouts.create': { method: 'POST', path: '/v1/me/merchant/checkouts' },
  'settlements.create': { method: 'POST', path: '/v1/me/merchant/settlements' },
  'settlements.list': { method: 'GET', path: '/v1/me/merchant/settlements' },
  'settlements.retrieve': { method: 'GET', path: '/v1/me/merchant/settlements/{id}' },
  'statements.download': { method: 'GET', path: '/v1/me/merchant/statements/{date}' },
  'webhookDeliveries.list': { method: 'GET', path: '/v1/me/merchant/webhook-endpoints/{id}/deliveries' },
  'webhookDeliveries.retrieve': { method: 'GET', path: '/v1/me/merchant/webhook-deliveries/{id}' },
  'webhookDeliveries.resend': { method: 'POST', path: '/v1/me/merchant/webhook-deliveries/{id}/resend' },
} as const satisfies Record<string, OperationRef>;

export type OperationName = keyof typeof OPERATIONS;

type Ref<N extends OperationName> = (typeof OPERATIONS)[N];
/** The generated operation object of an SDK method. */
export type OperationOf<N extends OperationName> = NonNullable<
  paths[Ref<N>['path']][Lowercase<Ref<N>['method']>]
>;

type Responses<N extends OperationName> = OperationOf<N> extends { responses: infer R } ? R : never;
type JsonContent<R> = R extends { content: { 'application/json': infer Body } } ? Body : never;

/** What an SDK method answers: the JSON of the operation's 2xx answers. */
export type ResultOf<N extends OperationName> = {
  [Status in keyof Responses<N>]: Status extends 200 | 201 | 202 ? JsonContent<Responses<N>[Status]> : never;
}[keyof Responses<N>];

/** The JSON body an SDK method sends. */
export type BodyOf<N extends OperationName> =
  OperationOf<N> extends {
    requestBody?: { content: { 'application/json': infer Body } };
  }
    ? Body
    : never;

/** The query parameters an SDK method takes. */
export type QueryOf<N extends OperationName> =
  OperationOf<N> extends { parameters: { query?: infer Query } } ? NonNullable<Query> : never;

/** The path parameters of an SDK method's operation. */
export type PathParamsOf<N extends OperationName> =
  OperationOf<N> extends { parameters: { path: infer Path } } ? Path : never;
