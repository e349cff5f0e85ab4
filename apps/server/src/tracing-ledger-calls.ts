/**
 * The main thread's side of tracing the ledger thread (tracing-batches.ts has the thread's).
 */
import { failSpan, recordBatchSpan, startLedgerCallSpan } from './tracing.ts';
import type { BatchTrace, Span, SpanContext, TraceParent } from './tracing.ts';

/**
 * The main thread's side: a `ledger.createTransfers` span per call to the thread, ended when its
 * answer comes; then, when the thread reports the batch that served it, the batch's span linked
 * to it. Calls no report names (failed batches, answers without a batch) are forgotten at their
 * answer or, bounded, once `MAX_UNLINKED` newer ones wait.
 */
export class TracedCalls {
  private readonly open = new Map<number, Span>();
  private readonly answered = new Map<number, SpanContext>();

  /** A call about to be posted: its span, and what the thread is told of it. */
  start(callId: number, transfers: number): TraceParent | undefined {
    const started = startLedgerCallSpan(transfers);
    if (!started) return undefined;
    this.open.set(callId, started.span);
    return started.parent;
  }

  /** The thread answered a call: its span ends; one answered with outcomes waits for its batch. */
  answer(callId: number, error?: { name: string; code?: string }): void {
    const span = this.open.get(callId);
    if (!span) return;
    this.open.delete(callId);
    if (error) {
      failSpan(span, error);
    } else {
      this.answered.set(callId, span.spanContext());
      if (this.answered.size > MAX_UNLINKED) this.answered.delete(this.answered.keys().next().value!);
    }
    span.end();
  }

  /** The thread reported a batch: its span, linked to the calls it served. */
  batch(batch: BatchTrace, calls: readonly number[]): void {
    const served: SpanContext[] = [];
    for (const callId of calls) {
      const spanContext = this.answered.get(callId);
      if (spanContext) served.push(spanContext);
      this.answered.delete(callId);
    }
    recordBatchSpan(batch, served);
  }

  /** The thread is gone: the calls' spans end with the error their callers get. */
  fail(error: Error): void {
    for (const span of this.open.values()) {
      failSpan(span, error);
      span.end();
    }
    this.open.clear();
    this.answered.clear();
  }
}

/** Answered calls kept for their batch's report, at most (the report follows within one turn). */
const MAX_UNLINKED = 10_000;
