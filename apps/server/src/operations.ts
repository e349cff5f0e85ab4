import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type pg from 'pg';
import { z } from 'zod';
import type { RequestDrain } from './drain.ts';
import { AppError } from './errors.ts';
import { errorResponses } from './http/responses.ts';
import type { Metrics } from './metrics.ts';

export interface OperationsOptions {
  pool: pg.Pool;
  drain: RequestDrain;
  metrics: Metrics;
}

/** A probe must answer quickly even when the database hangs, or the orchestrator's probe times out first. */
const READINESS_QUERY_TIMEOUT_MS = 2000;
export const PROBE_ROUTES = ['/healthz', '/readyz'] as const;
const TAGS = ['operations'];

/** Probes and metrics for orchestrators and monitoring. */
export const operationsRoutes: FastifyPluginCallbackZod<OperationsOptions> = (
  app,
  { pool, drain, metrics },
  done,
) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: TAGS,
        summary: 'Liveness: the process is running',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: TAGS,
        summary: 'Readiness: the database answers and the server is not shutting down',
        response: { 200: z.object({ status: z.literal('ready') }), ...errorResponses(503) },
      },
    },
    async () => {
      if (drain.isDraining) {
        throw new AppError('SERVICE_UNAVAILABLE', { details: { reason: 'shuttingDown' } });
      }
      try {
        await withTimeout(pool.query('SELECT 1'), READINESS_QUERY_TIMEOUT_MS);
      } catch (error) {
        throw new AppError('SERVICE_UNAVAILABLE', {
          message: 'The database is not answering.',
          details: { reason: 'databaseUnavailable' },
          cause: error,
        });
      }
      return { status: 'ready' as const };
    },
  );

  app.get(
    '/metrics',
    { schema: { tags: TAGS, summary: 'Prometheus metrics (text exposition format)' } },
    async (_request, reply) => {
      const text = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(text);
    },
  );
  done();
};

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
