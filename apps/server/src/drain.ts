import type { FastifyInstance } from 'fastify';
import { AppError, sendError } from './errors.ts';

/**
 * The first step of a graceful shutdown: from the moment `drain()` is called every new request
 * is refused with 503 SERVICE_UNAVAILABLE and `Connection: close` (so clients and load balancers
 * go elsewhere), while the requests already admitted run to completion.
 */
export class RequestDrain {
  private draining = false;
  private inFlight = 0;
  private readonly idleWaiters: (() => void)[] = [];

  get isDraining(): boolean {
    return this.draining;
  }

  /**
   * Register the gate as an `onRequest` hook, before the hooks that do real work, so that refused
   * requests cost nothing. `probeRoutes` (health checks) keep answering while draining.
   */
  install(app: FastifyInstance, probeRoutes: readonly string[]): void {
    const probes = new Set(probeRoutes);
    app.addHook('onRequest', async (request, reply) => {
      if (request.routeOptions.url !== undefined && probes.has(request.routeOptions.url)) return;
      if (this.draining) {
        reply.header('connection', 'close');
        return sendError(reply, new AppError('SERVICE_UNAVAILABLE'));
      }
      this.inFlight++;
      // 'close' fires whether the response was sent or the client went away.
      reply.raw.once('close', () => this.settle());
    });
  }

  /** Refuse new requests from now on; resolves once every admitted request has been answered. */
  drain(): Promise<void> {
    this.draining = true;
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private settle(): void {
    this.inFlight--;
    if (this.inFlight === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
