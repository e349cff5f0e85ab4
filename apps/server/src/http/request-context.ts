/**
 * The request a piece of code runs for, without threading it through every call: the risk step
 * of the payments pipeline reads who pays from where (the principal's device, the client's IP)
 * here, so no module has to pass them down (issue 11). Set by one `onRequest` hook (app.ts) for
 * the whole life of the request; outside a request (a job, a script) there is none.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyRequest } from 'fastify';

const storage = new AsyncLocalStorage<FastifyRequest>();

/** Run the rest of the request's hooks and its handler with it as the current request. */
export function enterRequest(request: FastifyRequest, next: () => void): void {
  storage.run(request, next);
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
  const request = storage.getStore();
  if (!request) return NO_CLIENT;
  const principal = request.principal?.kind === 'holder' ? request.principal : null;
  return {
    deviceId: principal?.deviceId ?? null,
    walletAccountId: principal?.walletAccountId ?? null,
    ip: request.ip ?? null,
  };
}
