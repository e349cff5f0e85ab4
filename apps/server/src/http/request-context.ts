/**
 * The request a piece of code runs for, without threading it through every call: the risk step
 * of the payments pipeline reads who pays from where (the principal's device, the client's IP)
 * here, so no module has to pass them down (issue 11). Set by one `onRequest` hook (app.ts) for
 * the whole life of the request; outside a request (a job, a script) there is none.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyRequest } from 'fastify';

/**
 * What runs for a request: the request itself while it is served; after it, only its id — a job
 * it queued, an event it wrote being relayed — so every log line of that work names the request
 * that caused it (logging.ts, docs/observability.md#logs).
 */
interface RequestScope {
  readonly requestId: string;
  readonly request: FastifyRequest | null;
}

const storage = new AsyncLocalStorage<RequestScope>();

/** Run the rest of the request's hooks and its handler with it as the current request. */
export function enterRequest(request: FastifyRequest, next: () => void): void {
  storage.run({ requestId: request.id, request }, next);
}

/** Run work done for a request after it (a job, an event's handling) under its id. */
export function withRequestId<T>(requestId: string | null, fn: () => T): T {
  return requestId === null ? fn() : storage.run({ requestId, request: null }, fn);
}

/** Run work that serves no one request (a dispatcher woken by many) outside the current one. */
export function outsideRequest<T>(fn: () => T): T {
  return storage.exit(fn);
}

/** The id of the request the current code runs for, or null (a schedule, a script). */
export function currentRequestId(): string | null {
  return storage.getStore()?.requestId ?? null;
}

/**
 * Whether a logger is the current request's own (Fastify binds the id to it already), and the id
 * to add to a line of any other logger: for logging.ts's mixin, on every line.
 */
export function requestIdForLog(logger: unknown): string | null {
  const scope = storage.getStore();
  if (!scope || (scope.request !== null && scope.request.log === logger)) return null;
  return scope.requestId;
}

export interface CurrentClient {
  /** A signed-in holder's device and wallet; null for anyone else. */
  deviceId: string | null;
  walletAccountId: string | null;
  ip: string | null;
}

const NO_CLIENT: CurrentClient = Object.freeze({ deviceId: null, walletAccountId: null, ip: null });

/** Where the current request comes from; nulls outside a request. */
export function currentClient(): CurrentClient {
  const request = storage.getStore()?.request;
  if (!request) return NO_CLIENT;
  const principal = request.principal?.kind === 'holder' ? request.principal : null;
  return {
    deviceId: principal?.deviceId ?? null,
    walletAccountId: principal?.walletAccountId ?? null,
    ip: request.ip ?? null,
  };
}
