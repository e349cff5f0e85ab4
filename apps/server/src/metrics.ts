import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Ledger, LedgerOptions } from '@qianbao/ledger';

type BatchInfo = Parameters<NonNullable<LedgerOptions['onBatch']>>[0];

/** A scrape must answer even when the database does not. */
const JOB_DEPTH_TIMEOUT_MS = 2000;

/**
 * Prometheus metrics of one server instance. Each instance has its own registry (not prom-client's
 * global one) so that tests can build many apps in one process.
 *
 * Create it before the ledger: `observeLedgerBatch` is the ledger's `onBatch` callback.
 */
export class Metrics {
  readonly registry = new Registry();
  private ledger: Pick<Ledger, 'stats'> | null = null;
  private jobs: { queueDepths(): Promise<Map<string, number>> } | null = null;

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

  // Background jobs (jobs/, ADR 0013): runs of this instance; the depth is the whole queue's.
  private readonly jobsCompleted = new Counter({
    name: 'qianbao_jobs_completed_total',
    help: 'Job runs that succeeded in this instance, by job.',
    labelNames: ['job'] as const,
    registers: [this.registry],
  });
  private readonly jobsFailed = new Counter({
    name: 'qianbao_jobs_failed_total',
    help: 'Job runs that failed in this instance (each failed attempt), by job.',
    labelNames: ['job'] as const,
    registers: [this.registry],
  });
  private readonly jobDuration = new Histogram({
    name: 'qianbao_job_duration_seconds',
    help: 'Time a job run took in this instance, by job.',
    labelNames: ['job'] as const,
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  private readonly jobsQueueDepth = new Gauge({
    name: 'qianbao_jobs_queue_depth',
    help: 'Jobs due and waiting for a worker, by job (read from the queue at each scrape).',
    labelNames: ['job'] as const,
    registers: [this.registry],
    collect: async () => {
      if (!this.jobs) return;
      let depths: Map<string, number>;
      try {
        depths = await withTimeout(this.jobs.queueDepths(), JOB_DEPTH_TIMEOUT_MS);
      } catch {
        this.jobsQueueDepth.reset(); // unknown rather than stale; the scrape still answers
        return;
      }
      for (const [job, depth] of depths) this.jobsQueueDepth.set({ job }, depth);
    },
  });

  // The risk engine (modules/risk): each judgement, by subject and decision.
  private readonly riskDecisions = new Histogram({
    name: 'qianbao_risk_decision_seconds',
    help: 'Time the risk engine took to judge a payment or sign-in (read state, evaluate, record), by subject and decision.',
    labelNames: ['subject', 'decision'] as const,
    buckets: [0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.02, 0.05, 0.1, 0.5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Pass as the risk module's `observe`. */
  readonly observeRiskDecision = (subject: string, decision: string, durationSeconds: number): void => {
    this.riskDecisions.observe({ subject, decision }, durationSeconds);
  };

  /** Pass as `JobsOptions.observer`. */
  readonly observeJob = (name: string, outcome: 'completed' | 'failed', durationSeconds: number): void => {
    (outcome === 'completed' ? this.jobsCompleted : this.jobsFailed).inc({ job: name });
    this.jobDuration.observe({ job: name }, durationSeconds);
  };

  /** The job queue whose depth is reported at each scrape. */
  watchJobs(jobs: { queueDepths(): Promise<Map<string, number>> }): void {
    this.jobs = jobs;
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

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
