/**
 * What a failed statement says about the database behind it, for the code that must decide
 * whether to try again: a connection lost in a failover is not a bug, and a statement refused
 * because a pooled connection landed on a demoted (read-only) node will succeed on a fresh
 * connection to the new leader. One table, so every caller — the ledger's batches, the request
 * thread's error mapping, readiness — classifies alike (docs/operations.md, "When the database
 * fails over"; ADR 0027).
 */

/**
 * - `connectionLost`: the connection is gone or the server is not accepting work (shut down,
 *   crashed, starting, unreachable). A statement in flight may or may not have committed.
 * - `readOnly`: the server is a standby or was demoted: this connection can never write again.
 *   Nothing was written.
 * - `transient`: the statement lost a race (serialization, deadlock, lock or statement timeout);
 *   the same connection can run it again. Nothing was written.
 * - `other`: anything else (a bug, a constraint, bad input): trying again will not help.
 */
export type DatabaseFailure = 'connectionLost' | 'readOnly' | 'transient' | 'other';

/** SQLSTATEs of a connection that is gone or a server that does not take work. */
const CONNECTION_LOST_SQLSTATES = new Set([
  '57P01', // admin_shutdown: a fast or immediate shutdown (Patroni stopping a leader)
  '57P02', // crash_shutdown: another backend crashed, the server restarts
  '57P03', // cannot_connect_now: starting up, shutting down, or in recovery
  '53300', // too_many_connections: a new leader flooded by every client reconnecting
]);
/** Class 08, connection exception: 08000, 08003, 08006, 08001, 08004, 08007, 08P01. */
const CONNECTION_EXCEPTION_CLASS = '08';
const READ_ONLY_SQLSTATES = new Set([
  '25006', // read_only_sql_transaction: a write on a standby or a demoted leader
]);
const TRANSIENT_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57014', // query_canceled (statement_timeout)
]);
/** Socket errors of Node (errno codes) when the server or the path to it is gone. */
const SOCKET_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
]);
/**
 * node-postgres reports some losses without a code; these are its messages (pg 8, pg-pool 3):
 * the server closed the socket, a client already broken is used again, a connect timed out.
 */
const CONNECTION_LOST_MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'timeout exceeded when trying to connect',
  'Connection terminated due to connection timeout',
  'Query read timeout',
];

/** Classify anything a `pg` query or connect rejected with. */
export function classifyDatabaseFailure(error: unknown): DatabaseFailure {
  if (error === null || typeof error !== 'object') return 'other';
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (CONNECTION_LOST_SQLSTATES.has(code)) return 'connectionLost';
    if (code.length === 5 && code.startsWith(CONNECTION_EXCEPTION_CLASS)) return 'connectionLost';
    if (READ_ONLY_SQLSTATES.has(code)) return 'readOnly';
    if (TRANSIENT_SQLSTATES.has(code)) return 'transient';
    if (SOCKET_ERROR_CODES.has(code)) return 'connectionLost';
  }
  const message = (error as { message?: unknown }).message;
  if (typeof message === 'string' && CONNECTION_LOST_MESSAGES.some((m) => message.startsWith(m))) {
    return 'connectionLost';
  }
  // AggregateError (a connect tried every address of a host name and each failed).
  const errors = (error as { errors?: unknown }).errors;
  if (Array.isArray(errors) && errors.length > 0 && errors.every((e) => isUnavailable(e))) {
    return 'connectionLost';
  }
  return 'other';
}

/**
 * The database cannot take this work right now, and a fresh connection (to the same address:
 * HAProxy or a DNS name follows the leader) may: lost, unreachable, or read-only.
 */
export function isUnavailable(error: unknown): boolean {
  const failure = classifyDatabaseFailure(error);
  return failure === 'connectionLost' || failure === 'readOnly';
}
