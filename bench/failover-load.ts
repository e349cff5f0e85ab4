/**
 * The failover test's load and its books: many clients send PIN-free ¥0.01 transfers between
 * random holders through both API processes, each outcome recorded with its times; afterwards the
 * books are read back from the new leader and every acknowledged transfer must be in them.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { AccountFlags } from '@qianbao/ledger';
import type { Holder } from './http-transfers.ts';

/** One request: when it was sent and answered (ms since the epoch), and how. */
export interface Outcome {
  api: number;
  sentAt: number;
  answeredAt: number;
  /** HTTP status, or 0 when there was no answer (refused, reset, timed out). */
  status: number;
  /** The transfer's id when acknowledged (2xx). */
  transferId: string | null;
  /** Error code, status or network error of a request that was not acknowledged. */
  failure: string | null;
}

/** A request that gets no answer in this long counts as failed (the server may still commit it). */
const REQUEST_TIMEOUT_MS = 30_000;
/** After a failure a client waits this long before its next request: no hot loop while there is no leader. */
const PAUSE_AFTER_FAILURE_MS = 100;

export interface LoadHandle {
  outcomes: Outcome[];
  /** Stop sending; resolves once every request in flight has its outcome. */
  stop(): Promise<void>;
}

/** Start `clients` closed-loop clients, client i on API i mod N, until stopped. */
export function startLoad(input: {
  apis: readonly string[];
  holders: readonly Holder[];
  clients: number;
}): LoadHandle {
  const outcomes: Outcome[] = [];
  const agents = input.apis.map(() => new http.Agent({ keepAlive: true, maxSockets: input.clients }));
  let stopping = false;
  const loops = Array.from({ length: input.clients }, async (_, client) => {
    const api = client % input.apis.length;
    while (!stopping) {
      const outcome = await sendTransfer(agents[api]!, input.apis[api]!, api, input.holders);
      outcomes.push(outcome);
      if (outcome.failure !== null) await sleep(PAUSE_AFTER_FAILURE_MS);
    }
  });
  return {
    outcomes,
    async stop() {
      stopping = true;
      await Promise.all(loops);
      for (const agent of agents) agent.destroy();
    },
  };
}

async function sendTransfer(
  agent: http.Agent,
  baseUrl: string,
  api: number,
  holders: readonly Holder[],
): Promise<Outcome> {
  const payer = holders[Math.floor(Math.random() * holders.length)]!;
  let payee = holders[Math.floor(Math.random() * holders.length)]!;
  while (payee === payer) payee = holders[Math.floor(Math.random() * holders.length)]!;
  const body = JSON.stringify({
    toPhone: payee.phone,
    amount: { amount: '1', currency: 'CNY' },
    confirmation: {},
  });
  const sentAt = Date.now();
  const response = await request(agent, `${baseUrl}/v1/me/transfers`, {
    authorization: `Bearer ${payer.token}`,
    'idempotency-key': randomUUID(),
    body,
  });
  const answeredAt = Date.now();
  if ('error' in response)
    return { api, sentAt, answeredAt, status: 0, transferId: null, failure: response.error };
  if (response.status === 201 || response.status === 202) {
    const id = /"id":"([0-9a-f-]{36})"/.exec(response.body)?.[1] ?? null;
    return { api, sentAt, answeredAt, status: response.status, transferId: id, failure: id ? null : 'NO_ID' };
  }
  const code = /"code":"([A-Z_]+)"/.exec(response.body)?.[1];
  return {
    api,
    sentAt,
    answeredAt,
    status: response.status,
    transferId: null,
    failure: code ? `${response.status} ${code}` : String(response.status),
  };
}

/** POST with a timeout; a network error or timeout is a value, not a throw. */
function request(
  agent: http.Agent,
  url: string,
  input: { authorization: string; 'idempotency-key': string; body: string },
): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const outgoing = http.request(
      url,
      {
        method: 'POST',
        agent,
        timeout: REQUEST_TIMEOUT_MS,
        headers: {
          authorization: input.authorization,
          'idempotency-key': input['idempotency-key'],
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(input.body),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', (error) => resolve({ error: networkError(error) }));
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error('TIMEOUT')));
    outgoing.on('error', (error) => resolve({ error: networkError(error) }));
    outgoing.end(input.body);
  });
}

function networkError(error: Error): string {
  return (error as NodeJS.ErrnoException).code ?? error.message;
}

export interface BooksCheck {
  acknowledged: number;
  /** Acknowledged transfer ids not found in the books (with their ledger transfer). */
  lost: string[];
  /** Customer accounts whose debits exceed their credits. */
  negative: number;
  /** Every journal batch's commit time (ms), in order: the failover gap is read from it. */
  commits: number[];
}

/** Read the books from the leader (through HAProxy's write port). */
export async function checkBooks(
  databaseUrl: string,
  outcomes: readonly Outcome[],
  sinceMs: number,
): Promise<BooksCheck> {
  const ids = outcomes.flatMap((outcome) => (outcome.transferId === null ? [] : [outcome.transferId]));
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const found = new Set<string>();
    for (let i = 0; i < ids.length; i += 5000) {
      // A transfer's id in the API is its ledger transfer's id; both records must be there.
      const { rows } = await client.query<{ id: string }>(
        `SELECT l.id FROM ledger_transfers l
           JOIN transfers_transfers t ON t.ledger_transfer_id = l.id
          WHERE l.id = ANY($1::uuid[])`,
        [ids.slice(i, i + 5000)],
      );
      for (const row of rows) found.add(row.id);
    }
    const negative = await client.query<{ count: string }>(
      `SELECT count(*) AS count FROM ledger_accounts
        WHERE flags & $1 <> 0 AND debits_posted + debits_pending > credits_posted`,
      [AccountFlags.debitsMustNotExceedCredits],
    );
    const journal = await client.query<{ at: string }>(
      `SELECT (extract(epoch FROM committed_at) * 1000)::float8 AS at FROM ledger_journal
        WHERE committed_at >= to_timestamp($1::float8 / 1000) ORDER BY seq`,
      [sinceMs],
    );
    return {
      acknowledged: ids.length,
      lost: ids.filter((id) => !found.has(id)),
      negative: Number(negative.rows[0]!.count),
      commits: journal.rows.map((row) => Number(row.at)),
    };
  } finally {
    await client.end();
  }
}

/** The longest pause between two consecutive times (sorted) at or after `from`: the outage. */
export function longestGap(times: readonly number[], from: number): { from: number; to: number } | null {
  const sorted = times.filter((time) => time >= from).sort((a, b) => a - b);
  let best: { from: number; to: number } | null = null;
  for (let i = 1; i < sorted.length; i++) {
    if (best === null || sorted[i]! - sorted[i - 1]! > best.to - best.from)
      best = { from: sorted[i - 1]!, to: sorted[i]! };
  }
  return best;
}
