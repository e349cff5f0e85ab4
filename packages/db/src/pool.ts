import pg from 'pg';

/**
 * Type parsers shared by every connection: int8 (and int8[]) become `bigint`, never `number`,
 * so a ledger counter above 2^53 can never be silently rounded.
 */
const INT8_OID = 20;
const INT8_ARRAY_OID = 1016;
const parseInt8Array = pg.types.getTypeParser(INT8_ARRAY_OID as never) as unknown as (
  value: string,
) => string[];

export const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return (value: string) => BigInt(value);
    if (oid === INT8_ARRAY_OID) return (value: string) => parseInt8Array(value).map((v) => BigInt(v));
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
} as pg.CustomTypesConfig;

export interface PoolOptions {
  connectionString: string;
  max?: number;
  applicationName?: string;
  statementTimeoutMs?: number;
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
  });
  // An idle client losing its connection (database restart) must not crash the process;
  // the pool drops it and the next checkout opens a fresh one.
  pool.on('error', () => {});
  return pool;
}

export function createClient(connectionString: string, applicationName = 'qianbao'): pg.Client {
  return new pg.Client({ connectionString, types: pgTypes, application_name: applicationName });
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
