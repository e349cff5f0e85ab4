/**
 * Domain events, written in the same database transaction as the record they report (a
 * transactional outbox, ADR 0015). A module that changes state another part may care about —
 * a transfer that succeeded, a top-up that failed, payments locked — appends its event with the
 * client of its open transaction, so the record and the event commit together or not at all: a
 * crash can never leave a record whose event is lost, nor an event for a record rolled back.
 * Subscribers (subscriber.ts) then consume the events at least once, in order per aggregate.
 */
import type pg from 'pg';
import { newId } from '@qianbao/ledger';
import { currentRequestId } from '../http/request-context.ts';

/** `<module>.<what happened>`, e.g. `transfer.succeeded`, `funding.failed`. */
const TYPE_PATTERN = /^[a-z][a-z0-9_]{0,30}\.[a-z][a-z0-9_.]{0,62}$/;
/** One statement's worth: a module appends a handful per transaction (a coalesced batch more). */
export const MAX_EVENTS_PER_APPEND = 4096;
const MAX_PAYLOAD_BYTES = 16 * 1024;

/** JSON only: money as `{ amount, currency }` strings (see `moneyPayload`), never a number. */
export type EventPayload = { readonly [key: string]: EventValue };
export type EventValue = string | boolean | null | EventPayload | readonly EventValue[];

export interface NewEvent {
  type: string;
  /** What the event is about, e.g. `transfer` and the ledger transfer's id: order is kept per aggregate. */
  aggregateType: string;
  aggregateId: string;
  payload: EventPayload;
  /** When it happened (the module's clock). */
  createdAt: Date;
}

/** An event as subscribers receive it. */
export interface OutboxEvent extends NewEvent {
  /** Unique and stable across redeliveries: derive the ids of what a handler writes from it. */
  id: string;
  /** The request that wrote it (`x-request-id`), when a request did: its handling logs under it. */
  requestId?: string | null;
}

/** Money in an event: minor units as a decimal string, with its currency. */
export function moneyPayload(amountMinor: bigint, currency: string): { amount: string; currency: string } {
  return { amount: amountMinor.toString(), currency };
}

/**
 * Append events inside the caller's transaction (`withTransaction` from @qianbao/db): they
 * become visible to subscribers when, and only if, that transaction commits. Events appended
 * together keep their order. Answers the events with their ids.
 *
 * The caller then wakes the dispatchers (`OutboxWake.wake()`, after its commit): without it an
 * event is still delivered, by the once-a-minute sweep.
 */
export async function appendEvents(
  client: pg.PoolClient,
  events: readonly NewEvent[],
): Promise<OutboxEvent[]> {
  if (events.length === 0) return [];
  const stored = checkedEvents(events);
  await client.query(
    `INSERT INTO outbox_events (id, type, aggregate_type, aggregate_id, payload, created_at, request_id)
     SELECT *, $7::text FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::json[], $6::timestamptz[])`,
    [...eventColumns(stored), currentRequestId()],
  );
  return stored.map((s) => s.event);
}

/**
 * Events written by the same statement as the records they report, for a hot path where a
 * transaction of its own (BEGIN, two INSERTs, COMMIT) costs three round trips more than the
 * record alone. `sql` is a data-modifying CTE: append it to a `WITH written AS (INSERT …
 * RETURNING …)`; each event is inserted only if its record is in `written` (`key` equal to
 * `written.<keyColumn>`), so a record that was there already (ON CONFLICT DO NOTHING: a retry)
 * gets no second event. One statement commits record and event together, or neither.
 */
export function eventsOfWrittenRows(input: {
  /**
   * `requestId`: the request the event is for, when the statement serves several (a coalesced
   * batch runs in one caller's context); by default the current request's.
   */
  events: readonly { event: NewEvent; key: string; requestId?: string | null }[];
  /** The CTE holding the written records, and its column to match `key` with. */
  written: string;
  keyColumn: string;
  /** The number of the first of the eight parameters the fragment uses. */
  firstParameter: number;
}): { sql: string; parameters: unknown[] } {
  const stored = checkedEvents(input.events.map((e) => e.event));
  const p = (offset: number) => `$${input.firstParameter + offset}`;
  return {
    sql: `INSERT INTO outbox_events (id, type, aggregate_type, aggregate_id, payload, created_at, request_id)
     SELECT e.id, e.type, e.aggregate_type, e.aggregate_id, e.payload, e.created_at, e.request_id
       FROM unnest(${p(0)}::uuid[], ${p(1)}::text[], ${p(2)}::text[], ${p(3)}::text[], ${p(4)}::json[],
                   ${p(5)}::timestamptz[], ${p(6)}::text[], ${p(7)}::text[])
            AS e(id, type, aggregate_type, aggregate_id, payload, created_at, key, request_id)
       JOIN ${input.written} AS w ON w.${input.keyColumn}::text = e.key`,
    parameters: [
      ...eventColumns(stored),
      input.events.map((e) => e.key),
      input.events.map((e) => (e.requestId === undefined ? currentRequestId() : e.requestId)),
    ],
  };
}

function checkedEvents(events: readonly NewEvent[]): { event: OutboxEvent; payload: string }[] {
  if (events.length > MAX_EVENTS_PER_APPEND) {
    throw new Error(`appendEvents: ${events.length} events in one call (at most ${MAX_EVENTS_PER_APPEND})`);
  }
  return events.map((event) => {
    if (!TYPE_PATTERN.test(event.type))
      throw new Error(`event type ${JSON.stringify(event.type)} is not module.what`);
    const payload = JSON.stringify(event.payload);
    if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) {
      throw new Error(`event ${event.type}: payload over ${MAX_PAYLOAD_BYTES} bytes`);
    }
    // newId() is monotonic within this process: the ids keep the order of the events.
    return { event: { ...event, id: newId() }, payload };
  });
}

function eventColumns(stored: readonly { event: OutboxEvent; payload: string }[]): unknown[] {
  return [
    stored.map((s) => s.event.id),
    stored.map((s) => s.event.type),
    stored.map((s) => s.event.aggregateType),
    stored.map((s) => s.event.aggregateId),
    stored.map((s) => s.payload),
    stored.map((s) => s.event.createdAt),
  ];
}

/** What a module calls after committing events: the dispatchers look at once. */
export interface OutboxWake {
  wake(): void;
}

/** For code run without dispatchers (scripts): events wait for the next sweep. */
export const NO_WAKE: OutboxWake = { wake() {} };
