import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type pg from 'pg';
import type { Ledger } from '@qianbao/ledger';
import packageJson from '../package.json' with { type: 'json' };
import type { Config } from './config.ts';
import { RequestDrain } from './drain.ts';
import { registerErrorHandlers } from './errors.ts';
import { ledgerApi } from './ledger-api/routes.ts';
import { loggerOptions } from './logging.ts';
import type { LogStream } from './logging.ts';
import { Metrics } from './metrics.ts';
import { PROBE_ROUTES, operationsRoutes } from './operations.ts';

const BODY_LIMIT_BYTES = 256 * 1024;
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Graceful shutdown, HTTP part: refuse new requests with 503, let the admitted ones finish,
     * stop listening. The caller then closes the ledger and the pool it created.
     */
    drain(): Promise<void>;
  }
}

export interface BuildAppOptions {
  config: Pick<Config, 'adminToken' | 'logLevel'>;
  pool: pg.Pool;
  ledger: Ledger;
  /** Pass the instance whose `observeLedgerBatch` the ledger reports to; a fresh one otherwise. */
  metrics?: Metrics;
  /** Where JSON log lines go; stdout by default. */
  logStream?: LogStream;
}

/** The HTTP application, ready for `listen` or `inject`. */
export async function buildApp(options: BuildAppOptions) {
  const { config, pool, ledger } = options;
  const metrics = options.metrics ?? new Metrics();
  metrics.watchLedger(ledger);
  const requestDrain = new RequestDrain();

  const app = Fastify({
    logger: loggerOptions(config.logLevel, options.logStream),
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: requestIdOf,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    // Our drain refuses requests in the standard error shape instead.
    return503OnClosing: false,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandlers(app);
  // The API speaks JSON only: anything else is refused with 415 rather than half-parsed.
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  requestDrain.install(app, PROBE_ROUTES);
  metrics.instrument(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Qianbao API',
        version: packageJson.version,
        description:
          'Amounts are strings of integer minor units (`"1234"` CNY is ¥12.34). ' +
          'Every error is `{"error": {"code", "message", "details"}}` with a stable code.',
      },
      components: {
        securitySchemes: {
          adminToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'The QIANBAO_ADMIN_TOKEN of the server.',
          },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());

  await app.register(operationsRoutes, { pool, drain: requestDrain, metrics });
  await app.register(ledgerApi, { prefix: '/v1/ledger', ledger, adminToken: config.adminToken });

  let drained: Promise<void> | undefined;
  app.decorate('drain', () => {
    drained ??= requestDrain.drain().then(() => app.close());
    return drained;
  });
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;

/** Keep a caller's (load balancer's) request id when it is safe to log; otherwise make one. */
function requestIdOf(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
}
