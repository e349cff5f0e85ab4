/**
 * Each request as a server span (tracing.ts; off unless configured): started from the caller's
 * `traceparent` when it sent one, current for the request's hooks and handler — so the pipeline's
 * spans, the ledger call and the database statements made for it are its children — and ended
 * with its route pattern and status.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { endRequestSpan, enterRequestSpan, tracingEnabled } from '../tracing.ts';
import type { Span } from '../tracing.ts';

const spans = new WeakMap<FastifyRequest, Span>();

export function traceRequests(app: FastifyInstance): void {
  if (!tracingEnabled()) return; // off: not even a hook
  app.addHook('onRequest', (request, _reply, done) => {
    enterRequestSpan(request, (span) => spans.set(request, span), done);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const span = spans.get(request);
    if (span) {
      spans.delete(request);
      endRequestSpan(span, {
        method: request.method,
        route: request.routeOptions.url,
        status: reply.statusCode,
      });
    }
    done();
  });
}
