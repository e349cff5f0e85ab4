import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type pg from 'pg';
import { z } from 'zod';
import { classifyDatabaseFailure } from '@qianbao/db';
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
        summary: 'Readiness: the database takes writes and the server is not shutting down',
        response: { 200: z.object({ status: z.literal('ready') }), ...errorResponses(503) },
      },
    },
    async () => {
      if (drain.isDraining) {
        throw new AppError('SERVICE_UNAVAILABLE', { details: { reason: 'shuttingDown' } });
      }
      // Writable, not merely answering: during a failover a pooled connection may still reach the
      // old leader after its demotion, or a replica before its promotion (ADR 0027).
      let writable: { recovery: boolean; read_only: string } | undefined;
      try {
        // A pooled connection that died in a failover says nothing about the database now: one
        // more try, on a fresh connection, within the same time.
        writable = await withTimeout(
          readWritable(pool).catch((error: unknown) => {
            if (classifyDatabaseFailure(error) !== 'connectionLost') throw error;
            return readWritable(pool);
          }),
          READINESS_QUERY_TIMEOUT_MS,
        );
      } catch (error) {
        throw new AppError('SERVICE_UNAVAILABLE', {
          message: 'The database is not answering.',
          details: { reason: 'databaseUnavailable' },
          cause: error,
        });
      }
      if (!writable || writable.recovery || writable.read_only === 'on') {
        throw new AppError('SERVICE_UNAVAILABLE', {
          message: 'The database answers but takes no writes (a standby, or no leader yet).',
          details: { reason: 'databaseReadOnly' },
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

/**
 * Whether the database behind the pool takes writes. A connection found read-only is dropped
 * rather than pooled, so that the next probe (and request) opens a fresh one, which HAProxy or
 * the DNS name leads to the new leader.
 */
async function readWritable(pool: pg.Pool): Promise<{ recovery: boolean; read_only: string } | undefined> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    const { rows } = await client.query<{ recovery: boolean; read_only: string }>(
      "SELECT pg_is_in_recovery() AS recovery, current_setting('transaction_read_only') AS read_only",
    );
    const row = rows[0];
    if (!row || row.recovery || row.read_only === 'on') broken = new Error('read-only connection');
    return row;
  } catch (error) {
    broken = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    client.release(broken);
  }
}

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
