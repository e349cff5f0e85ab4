import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Ledger, LedgerOptions } from '@qianbao/ledger';

type BatchInfo = Parameters<NonNullable<LedgerOptions['onBatch']>>[0];

/**
 * Prometheus metrics of one server instance. Each instance has its own registry (not prom-client's
 * global one) so that tests can build many apps in one process.
 *
 * Create it before the ledger: `observeLedgerBatch` is the ledger's `onBatch` callback.
 */
export class Metrics {
  readonly registry = new Registry();
  private ledger: Pick<Ledger, 'stats'> | null = null;

  private readonly httpRequests = new Counter({
    name: 'qianbao_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly httpDuration = new Histogram({
    name: 'qianbao_http_request_duration_seconds',
    help: 'Time from receiving a request to sending its response.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly ledgerBatches = new Counter({
    name: 'qianbao_ledger_batches_total',
    help: 'Ledger batches committed (one database transaction each).',
    registers: [this.registry],
  });
  private readonly ledgerTransfers = new Counter({
    name: 'qianbao_ledger_transfers_total',
    help: 'Transfers processed by committed ledger batches, whatever their result.',
    registers: [this.registry],
  });
  private readonly ledgerBatchSize = new Histogram({
    name: 'qianbao_ledger_batch_size',
    help: 'Transfers per ledger batch.',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192],
    registers: [this.registry],
  });
  private readonly ledgerBatchDuration = new Histogram({
    name: 'qianbao_ledger_batch_duration_seconds',
    help: 'Time to apply and commit one ledger batch.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  // Read at each scrape rather than pushed, so an idle ledger still reports its depth.
  private readonly ledgerQueueDepth = new Gauge({
    name: 'qianbao_ledger_queue_depth',
    help: 'Transfers waiting for a ledger batch.',
    registers: [this.registry],
    collect: () => {
      this.ledgerQueueDepth.set(this.ledger?.stats().queuedTransfers ?? 0);
    },
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Pass as `LedgerOptions.onBatch`. */
  readonly observeLedgerBatch = (info: BatchInfo): void => {
    this.ledgerBatches.inc();
    this.ledgerTransfers.inc(info.transfers);
    this.ledgerBatchSize.observe(info.transfers);
    this.ledgerBatchDuration.observe(info.durationMs / 1000);
  };

  /** The ledger whose queue depth is reported at each scrape. */
  watchLedger(ledger: Pick<Ledger, 'stats'>): void {
    this.ledger = ledger;
  }

  /** Count and time every response. Routes are labelled by pattern, never by raw URL (bounded labels). */
  instrument(app: FastifyInstance): void {
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      this.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
      this.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    });
  }
}
