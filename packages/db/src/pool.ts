import pg from 'pg';

/**
 * Type parsers shared by every connection: int8 (and int8[]) become `bigint`, never `number`,
 * so a ledger counter above 2^53 can never be silently rounded.
 */
const INT8_OID = 20;
const INT8_ARRAY_OID = 1016;
const TEXT_ARRAY_OID = 1009;
const builtinParser = pg.types.getTypeParser as (
  oid: number,
  format?: 'text' | 'binary',
) => (value: string) => unknown;
// text[]: the element splitting is the same as for int8[]
const parseTextArray = builtinParser(TEXT_ARRAY_OID) as (value: string) => (string | null)[];

export const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID) return (value: string) => BigInt(value);
    if (oid === INT8_ARRAY_OID) {
      return (value: string) => parseTextArray(value).map((v) => (v === null ? null : BigInt(v)));
    }
    return builtinParser(oid, format ?? 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

export interface PoolOptions {
  connectionString: string;
  max?: number;
  applicationName?: string;
  statementTimeoutMs?: number;
  /**
   * Told of every connection of the pool that broke (idle or checked out): for metrics and logs.
   * The pool replaces it on the next checkout either way.
   */
  onConnectionError?: (error: Error) => void;
}

export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'qianbao',
    types: pgTypes,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    // A leader that vanished without closing its sockets (a partition) is noticed by the kernel.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  const onConnectionError = options.onConnectionError ?? (() => {});
  // An idle client losing its connection (database restart, failover) must not crash the
  // process; the pool drops it and the next checkout opens a fresh one.
  pool.on('error', () => {});
  // Nor may a checked-out one: pg-pool removes its own listener while a client is out, and a
  // connection that breaks between two statements of its holder (the ledger's writer waiting for
  // the previous batch; a LISTEN connection) would emit an 'error' nobody handles, which ends the
  // process. Its holder learns of the loss from its next statement, which fails; pg-pool drops a
  // client released in that state (it is no longer queryable). Idle or out, this listener counts it.
  pool.on('connect', (client) => {
    client.on('error', onConnectionError);
  });
  return pool;
}

/**
 * A connection of its own for long-lived use (setup, a LISTEN): its 'error' is handled, so losing
 * the database never crashes the process; the owner sees the next statement fail and reconnects.
 */
export function createClient(connectionString: string, applicationName = 'qianbao'): pg.Client {
  const client = new pg.Client({ connectionString, types: pgTypes, application_name: applicationName });
  client.on('error', () => {});
  return client;
}

/** Replace the database name in a connection string. */
export function withDatabase(connectionString: string, database: string): string {
  const url = new URL(connectionString);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Quote an identifier for SQL (database names in CREATE/DROP DATABASE cannot be parameters). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
