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

  // Surviving a failover (ADR 0027): connections lost and replaced, batches committed after a
  // reconnect, batches answered 503 because the database stayed away. The ledger's counts live on
  // its thread (its stats, reported after each batch) and are caught up at each scrape.
  private readonly failoverSeen = { connectionLosses: 0, batchesRecovered: 0, batchesUnavailable: 0 };
  private catchUpLedger(counter: Counter, stat: keyof Metrics['failoverSeen'], labels: object = {}): void {
    const now = Number(this.ledger?.stats()[stat] ?? 0);
    if (now > this.failoverSeen[stat]) counter.inc(labels, now - this.failoverSeen[stat]);
    this.failoverSeen[stat] = Math.max(now, this.failoverSeen[stat]);
  }
  private readonly databaseConnectionsLost = new Counter({
    name: 'qianbao_database_connections_lost_total',
    help: 'Database connections that broke (a failover, a restart) and were replaced, by pool (requests, ledger).',
    labelNames: ['pool'] as const,
    registers: [this.registry],
    collect: () => {
      this.catchUpLedger(this.databaseConnectionsLost, 'connectionLosses', { pool: 'ledger' });
    },
  });
  private readonly ledgerBatchesRecovered = new Counter({
    name: 'qianbao_ledger_batches_recovered_total',
    help: 'Ledger batches committed after reconnecting to the database (their commit or read was lost on the way).',
    registers: [this.registry],
    collect: () => {
      this.catchUpLedger(this.ledgerBatchesRecovered, 'batchesRecovered');
    },
  });
  private readonly ledgerBatchesUnavailable = new Counter({
    name: 'qianbao_ledger_batches_unavailable_total',
    help: 'Ledger batches answered 503: the database stayed unavailable past LEDGER_UNAVAILABLE_AFTER_MS.',
    registers: [this.registry],
    collect: () => {
      this.catchUpLedger(this.ledgerBatchesUnavailable, 'batchesUnavailable');
    },
  });

  /** A connection of the request pool broke (createPool's `onConnectionError`). */
  readonly observeConnectionLost = (): void => {
    this.databaseConnectionsLost.inc({ pool: 'requests' });
  };

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

  // ---- capabilities (issue 16): payments, job lag, outbox, webhooks, what an operator watches ----
  // Labels are bounded: payment kinds, ledger results, error codes, job and subscriber names are
  // fixed sets in the code; never an id, an amount or anything a user typed.

  // The payments pipeline (payments/authorize.ts), counted once there for every module's kind.
  private readonly paymentAuthorizations = new Counter({
    name: 'qianbao_payment_authorizations_total',
    help: "Payments through the pipeline's steps, by kind and outcome (authorized, review, or the refusal's error code).",
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly paymentMovements = new Counter({
    name: 'qianbao_payment_movements_total',
    help: "Ledger requests of the pipeline's ledger step, by kind and the ledger's result (ok, exists, a refusal, error).",
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly jobLag = new Histogram({
    name: 'qianbao_job_lag_seconds',
    help: "Time from a job's due time to the start of its run in this instance, by job.",
    labelNames: ['job'] as const,
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600],
    registers: [this.registry],
  });
  private outboxLagReader: (() => Promise<Map<string, number>>) | null = null;
  private readonly outboxLag = new Gauge({
    name: 'qianbao_outbox_lag_seconds',
    help: 'Age of the oldest event a subscriber has not handled yet (0: none waiting), by subscriber; read at each scrape.',
    labelNames: ['subscriber'] as const,
    registers: [this.registry],
    collect: async () => {
      const lags = await readAtScrape(this.outboxLagReader);
      this.outboxLag.reset(); // unknown rather than stale when the database does not answer
      for (const [subscriber, seconds] of lags ?? []) this.outboxLag.set({ subscriber }, seconds);
    },
  });
  private readonly outboxRelayed = new Counter({
    name: 'qianbao_outbox_relayed_total',
    help: "Events handed to a subscriber by this instance's dispatch runs, by subscriber.",
    labelNames: ['subscriber'] as const,
    registers: [this.registry],
  });
  private readonly outboxRelayFailures = new Counter({
    name: 'qianbao_outbox_relay_failures_total',
    help: 'Dispatch runs of this instance that failed (the batch is retried with backoff), by subscriber.',
    labelNames: ['subscriber'] as const,
    registers: [this.registry],
  });
  private readonly webhookAttempts = new Counter({
    name: 'qianbao_webhook_attempts_total',
    help: 'Webhook delivery attempts, by outcome (succeeded, http_4xx, http_5xx, http_other, unreachable) and what followed (succeeded, retrying, failed: no attempt left).',
    labelNames: ['outcome', 'delivery'] as const,
    registers: [this.registry],
  });
  private readonly webhookDuration = new Histogram({
    name: 'qianbao_webhook_attempt_duration_seconds',
    help: "Time a merchant's endpoint took to answer one webhook attempt.",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  private readonly signIns = new Counter({
    name: 'qianbao_sign_ins_total',
    help: 'Sign-in requests, by method (password, sms, operator) and outcome (ok or the error code, e.g. PASSWORD_LOGIN_LOCKED).',
    labelNames: ['method', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly httpErrors = new Counter({
    name: 'qianbao_http_errors_total',
    help: 'Error answers, by their stable error code (errors.ts).',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  private backlogReaders = new Map<string, () => Promise<number>>();
  private readonly backlog = new Gauge({
    name: 'qianbao_backlog_items',
    help: 'Work waiting for a person, by queue (kyc_reviews, risk_cases, tickets, disputes, merchant_reviews); read at each scrape.',
    labelNames: ['queue'] as const,
    registers: [this.registry],
    collect: async () => {
      const counts = await Promise.all(
        [...this.backlogReaders].map(async ([queue, read]) => [queue, await readAtScrape(read)] as const),
      );
      this.backlog.reset();
      for (const [queue, count] of counts) if (count !== null) this.backlog.set({ queue }, count);
    },
  });
  private frozenReader: (() => Promise<Map<string, number>>) | null = null;
  private readonly frozenWallets = new Gauge({
    name: 'qianbao_frozen_wallets',
    help: 'Wallets frozen now, by mode (full, receive_only); read at each scrape.',
    labelNames: ['mode'] as const,
    registers: [this.registry],
    collect: async () => {
      const counts = await readAtScrape(this.frozenReader);
      this.frozenWallets.reset();
      for (const [mode, count] of counts ?? []) this.frozenWallets.set({ mode }, count);
    },
  });
  private databasePing: (() => Promise<unknown>) | null = null;
  private readonly databaseUp = new Gauge({
    name: 'qianbao_database_up',
    help: 'Whether the database answered a trivial query within 2 s at this scrape (1) or not (0).',
    registers: [this.registry],
    collect: async () => {
      const ping = this.databasePing;
      if (!ping) return;
      const answered = await readAtScrape(async () => {
        await ping();
        return 1;
      });
      this.databaseUp.set(answered ?? 0);
    },
  });
  private readonly booksVerified = new Gauge({
    name: 'qianbao_books_verify_ok',
    help: "Result of the last check of the books in this instance (`qianbao verify`'s check, from the console): 1 passed, 0 failed.",
    registers: [this.registry],
  });
  private readonly booksVerifiedAt = new Gauge({
    name: 'qianbao_books_verify_timestamp_seconds',
    help: 'When the books were last checked in this instance (Unix time).',
    registers: [this.registry],
  });
  // ---- end of capabilities ----

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Pass as the risk module's `observe`. */
  readonly observeRiskDecision = (subject: string, decision: string, durationSeconds: number): void => {
    this.riskDecisions.observe({ subject, decision }, durationSeconds);
  };

  // ---- capabilities (issue 16) ----

  /** Pass as the payment pipeline's `observe` (payments/authorize.ts). */
  readonly observePayment = (step: 'authorize' | 'move', kind: string, outcome: string): void => {
    (step === 'authorize' ? this.paymentAuthorizations : this.paymentMovements).inc({ kind, outcome });
  };

  /** A job run started this long after it was due (jobs/). */
  readonly observeJobLag = (name: string, lagSeconds: number): void => {
    this.jobLag.observe({ job: name }, Math.max(0, lagSeconds));
  };

  /** Pass as `OutboxOptions.observer`: a dispatch run's result. */
  readonly observeRelay = (subscriber: string, outcome: { delivered: number } | 'failed'): void => {
    if (outcome === 'failed') this.outboxRelayFailures.inc({ subscriber });
    else if (outcome.delivered > 0) this.outboxRelayed.inc({ subscriber }, outcome.delivered);
  };

  /** Pass as the webhooks' `observe`: one attempt, what answered, and what became of the delivery. */
  readonly observeWebhookAttempt = (attempt: {
    statusCode: number | null;
    delivery: 'succeeded' | 'pending' | 'failed';
    durationSeconds: number;
  }): void => {
    const { statusCode } = attempt;
    const outcome =
      statusCode === null
        ? 'unreachable'
        : statusCode >= 200 && statusCode < 300
          ? 'succeeded'
          : statusCode >= 400 && statusCode < 500
            ? 'http_4xx'
            : statusCode >= 500 && statusCode < 600
              ? 'http_5xx'
              : 'http_other';
    const delivery = attempt.delivery === 'pending' ? 'retrying' : attempt.delivery;
    this.webhookAttempts.inc({ outcome, delivery });
    this.webhookDuration.observe(attempt.durationSeconds);
  };

  /** The outbox whose subscribers' lag is read at each scrape. */
  watchOutbox(outbox: { lagSeconds(): Promise<Map<string, number>> }): void {
    this.outboxLagReader = () => outbox.lagSeconds();
  }

  /** Counts of work waiting for people (`queue` → a count read at each scrape). */
  watchBacklogs(readers: Record<string, () => Promise<number>>): void {
    this.backlogReaders = new Map(Object.entries(readers));
  }

  /** Frozen wallets by mode, read at each scrape. */
  watchFreezes(read: () => Promise<Map<string, number>>): void {
    this.frozenReader = read;
  }

  /** The database `qianbao_database_up` pings at each scrape. */
  watchDatabase(pool: { query(sql: string): Promise<unknown> }): void {
    this.databasePing = async () => {
      await pool.query('SELECT 1');
    };
  }

  /** The books were checked (console's "verify the books", `qianbao verify`'s check). */
  readonly observeBooksVerified = (ok: boolean): void => {
    this.booksVerified.set(ok ? 1 : 0);
    this.booksVerifiedAt.set(Date.now() / 1000);
  };

  /** Error codes of every error answer, and sign-ins by outcome; reads the code from the error body. */
  private instrumentErrors(app: FastifyInstance): void {
    app.addHook('onSend', async (request, reply, payload) => {
      const method = SIGN_IN_ROUTES.get(request.routeOptions.url ?? '');
      if (reply.statusCode < 400) {
        if (method && request.method === 'POST') this.signIns.inc({ method, outcome: 'ok' });
        return payload;
      }
      const code = typeof payload === 'string' ? ERROR_CODE.exec(payload.slice(0, 200))?.[1] : undefined;
      const outcome = code ?? `HTTP_${reply.statusCode}`;
      this.httpErrors.inc({ code: outcome });
      if (method && request.method === 'POST') this.signIns.inc({ method, outcome });
      return payload;
    });
  }
  // ---- end of capabilities ----

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
    this.instrumentErrors(app);
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

// ---- capabilities (issue 16) ----

/** The sign-in routes `qianbao_sign_ins_total` counts, and the method each stands for. */
const SIGN_IN_ROUTES = new Map([
  ['/v1/auth/login/password', 'password'],
  ['/v1/auth/login/sms', 'sms'],
  ['/v1/auth/passkey/login', 'passkey'],
  ['/v1/operator/login', 'operator'],
  ['/v1/operator/passkey/login', 'operator_passkey'],
]);
/** The stable code at the start of every error body (`{"error":{"code":"…"`): an enum, so a bounded label. */
const ERROR_CODE = /^\{"error":\{"code":"([A-Z][A-Z0-9_]{0,63})"/;
/** A scrape must answer even when the database does not: each read gets this long. */
const SCRAPE_READ_TIMEOUT_MS = 2000;

/** What a reader answers within the scrape's time, or null (no reader, an error, no answer). */
async function readAtScrape<T>(read: (() => Promise<T>) | null): Promise<T | null> {
  if (!read) return null;
  try {
    return await withTimeout(read(), SCRAPE_READ_TIMEOUT_MS);
  } catch {
    return null;
  }
}
// ---- end of capabilities ----
