/**
 * Tracing with OpenTelemetry (docs/observability.md#tracing), off unless an OTLP endpoint is
 * configured (`OTEL_EXPORTER_OTLP_ENDPOINT`). A payment's trace reads request → pipeline steps
 * → ledger request → database; the ledger batch that served it is a trace of its own, linked to
 * every request it served (one batch commits for many requests: a parent would be a lie).
 *
 * Off costs one boolean test per instrumented call: `inSpan` runs its function straight away,
 * nothing is patched and no context is made. The OpenTelemetry API alone would hand out no-op
 * spans, but still allocate a context per call on the hot path.
 */
import { SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import type { Attributes, Context, Link, Span, SpanContext } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import pg from 'pg';

export interface TracingConfig {
  /** OTLP/HTTP base URL of the collector (`…/v1/traces` is appended); null: tracing off. */
  endpoint: string | null;
  serviceName: string;
  /** Share of new traces kept (a request that arrives with a sampled `traceparent` is always kept). */
  sampleRatio: number;
}

/** How a span crosses to the ledger thread (structured clone of plain values). */
export interface TraceParent {
  traceId: string;
  spanId: string;
  traceFlags: number;
}

const TRACER_NAME = 'qianbao';
let enabled = false;
let provider: NodeTracerProvider | null = null;
let unpatchPg: (() => void) | null = null;

/** Whether spans are being recorded in this process. */
export function tracingEnabled(): boolean {
  return enabled;
}

/**
 * Start exporting spans to the configured collector (a no-op when none is configured). Call once,
 * before the app is built; `stopTracing` flushes what is left.
 */
export function startTracing(config: TracingConfig, version = '0.0.0'): boolean {
  if (config.endpoint === null || enabled) return enabled;
  const exporter = new OTLPTraceExporter({ url: `${config.endpoint.replace(/\/+$/, '')}/v1/traces` });
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: config.serviceName,
      [ATTR_SERVICE_VERSION]: version,
    }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sampleRatio) }),
    // Bounded: under load spans beyond the queue are dropped, never buffered without end.
    spanProcessors: [
      new BatchSpanProcessor(exporter, {
        maxQueueSize: 8192,
        maxExportBatchSize: 512,
        scheduledDelayMillis: 1000,
      }),
    ],
  });
  // The AsyncLocalStorage context manager and the W3C `traceparent` propagator.
  provider.register();
  unpatchPg = patchPgQueries();
  enabled = true;
  return true;
}

/** Send every finished span, then stop. */
export async function stopTracing(): Promise<void> {
  if (!enabled) return;
  enabled = false;
  unpatchPg?.();
  unpatchPg = null;
  await provider?.shutdown();
  provider = null;
  trace.disable();
  context.disable();
  propagation.disable();
}

/** Send the finished spans now (tests; shutdown uses `stopTracing`). */
export async function flushTracing(): Promise<void> {
  await provider?.forceFlush();
}

function tracer() {
  return trace.getTracer(TRACER_NAME);
}

/**
 * Run `fn` in a span child of the current one (when tracing is on); the span ends when `fn`
 * settles, with an error status when it throws. Off: `fn` runs as it is.
 */
export function inSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span | null) => Promise<T>,
  kind: SpanKind = SpanKind.INTERNAL,
): Promise<T> {
  if (!enabled) return fn(null);
  return tracer().startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

export function failSpan(span: Span, error: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: codeOf(error) });
  span.setAttribute('error.type', codeOf(error));
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : 'Error';
}

/**
 * A request's server span, made current for the rest of the request (`next`): started from the
 * caller's `traceparent` when it sent one, and handed to `started` first. Off: `next` runs as it is.
 */
export function enterRequestSpan(
  request: { method: string; headers: Record<string, unknown> },
  started: (span: Span) => void,
  next: () => void,
): void {
  if (!enabled) {
    next();
    return;
  }
  const parent = propagation.extract(context.active(), request.headers);
  const span = tracer().startSpan(
    `${request.method}`,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method } },
    parent,
  );
  started(span);
  context.with(trace.setSpan(parent, span), next);
}

/** End a request's span with its route (a pattern: bounded) and status. */
export function endRequestSpan(
  span: Span,
  input: { method: string; route: string | undefined; status: number },
) {
  const route = input.route ?? 'unmatched';
  span.updateName(`${input.method} ${route}`);
  span.setAttributes({ 'http.route': route, 'http.response.status_code': input.status });
  if (input.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

/** A span for a call to the ledger thread, and what the thread needs to link its batch to it. */
export function startLedgerCallSpan(transfers: number): { span: Span; parent: TraceParent } | null {
  if (!enabled) return null;
  const span = tracer().startSpan('ledger.createTransfers', {
    kind: SpanKind.CLIENT,
    attributes: { 'qianbao.ledger.transfers': transfers },
  });
  const { traceId, spanId, traceFlags } = span.spanContext();
  return { span, parent: { traceId, spanId, traceFlags } };
}

export interface BatchTrace {
  startedAtMs: number;
  durationMs: number;
  transfers: number;
  /** The database statements of the batch, on its connection, in order. */
  queries: readonly QueryTiming[];
}

export interface QueryTiming {
  operation: string;
  startedAtMs: number;
  durationMs: number;
  failed: boolean;
}

/**
 * A ledger batch as the thread timed it: a root span linked to the ledger calls it served, with
 * its database statements as children.
 */
export function recordBatchSpan(batch: BatchTrace, served: readonly SpanContext[]): void {
  if (!enabled) return;
  const links: Link[] = served.map((spanContext) => ({ context: spanContext }));
  const span = tracer().startSpan('ledger.batch', {
    root: true,
    kind: SpanKind.INTERNAL,
    links,
    startTime: batch.startedAtMs,
    attributes: { 'qianbao.ledger.transfers': batch.transfers, 'qianbao.ledger.requests': served.length },
  });
  const parent = trace.setSpan(context.active(), span);
  for (const query of batch.queries) {
    const child = tracer().startSpan(
      `pg ${query.operation}`,
      {
        kind: SpanKind.CLIENT,
        startTime: query.startedAtMs,
        attributes: { 'db.system.name': 'postgresql', 'db.operation.name': query.operation },
      },
      parent,
    );
    if (query.failed) child.setStatus({ code: SpanStatusCode.ERROR });
    child.end(query.startedAtMs + query.durationMs);
  }
  span.end(batch.startedAtMs + batch.durationMs);
}

/** The first keyword of a statement (`SELECT`, `INSERT` …): what a span may say of it without its data. */
export function operationOf(sql: string): string {
  const match = /^\s*([A-Za-z]+)/.exec(sql);
  return match ? match[1]!.toUpperCase() : 'QUERY';
}

/** The SQL of `query`'s first argument: a string, or a config object's `text`. */
export function statementText(first: unknown): string {
  if (typeof first === 'string') return first;
  const text = (first as { text?: unknown } | null)?.text;
  return typeof text === 'string' ? text : '';
}

/**
 * Database spans on the request thread: every promise-style `query` of a pg pool or client made
 * while a span is current (a request, a job with a span) gets a child span naming the statement's
 * operation — never its text or parameters, which may carry personal data. Callback-style and
 * streaming queries (COPY, cursors) pass untouched; a pool's query runs its client's in callback
 * style, so it is one span, not two.
 */
function patchPgQueries(): () => void {
  const restores = [pg.Pool.prototype, pg.Client.prototype].map((target) => {
    const prototype = target as unknown as { query: Query };
    const original = prototype.query;
    prototype.query = tracedQuery(original);
    return () => {
      prototype.query = original;
    };
  });
  return () => restores.forEach((restore) => restore());
}

type Query = (this: unknown, ...args: unknown[]) => unknown;

function tracedQuery(original: Query): Query {
  return function patchedQuery(this: unknown, ...args: unknown[]) {
    const first = args[0];
    const streaming = typeof (first as { submit?: unknown } | null)?.submit === 'function';
    if (!enabled || streaming || typeof args.at(-1) === 'function' || !trace.getActiveSpan()) {
      return original.apply(this, args);
    }
    const operation = operationOf(statementText(first));
    const span = tracer().startSpan(`pg ${operation}`, {
      kind: SpanKind.CLIENT,
      attributes: { 'db.system.name': 'postgresql', 'db.operation.name': operation },
    });
    return (original.apply(this, args) as Promise<unknown>).then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        failSpan(span, error);
        span.end();
        throw error;
      },
    );
  };
}

/** The current span's context, for a span link (e.g. from a batch). */
export function activeSpanContext(): SpanContext | null {
  if (!enabled) return null;
  return trace.getActiveSpan()?.spanContext() ?? null;
}

export type { Context, Span, SpanContext };
