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
