import { describe, expect, it, vi } from 'vitest';
import { createTestDatabase } from '../../../test/support/database.ts';
import { createPool } from './pool.ts';
import { classifyDatabaseFailure, isUnavailable } from './failures.ts';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('classifyDatabaseFailure: which failures a new connection may cure', () => {
  it.each([
    ['57P01', 'admin shutdown (a fast shutdown of the leader)'],
    ['57P02', 'crash shutdown'],
    ['57P03', 'cannot connect now (starting, in recovery)'],
    ['53300', 'too many connections'],
    ['08006', 'connection failure'],
    ['08003', 'connection does not exist'],
    ['08001', 'unable to connect'],
    ['08P01', 'protocol violation'],
    ['ECONNRESET', 'reset'],
    ['ECONNREFUSED', 'refused'],
    ['EPIPE', 'broken pipe'],
    ['ETIMEDOUT', 'timed out'],
    ['EHOSTUNREACH', 'no route'],
  ])('%s (%s): connection lost', (code) => {
    expect(classifyDatabaseFailure(withCode(code))).toBe('connectionLost');
    expect(isUnavailable(withCode(code))).toBe(true);
  });

  it.each([
    'Connection terminated unexpectedly',
    'Connection terminated',
    'Client has encountered a connection error and is not queryable',
    'timeout exceeded when trying to connect',
  ])('node-postgres\'s "%s" without a code: connection lost', (message) => {
    expect(classifyDatabaseFailure(new Error(message))).toBe('connectionLost');
  });

  it('25006 (a write on a standby or demoted leader): read-only, unavailable', () => {
    expect(classifyDatabaseFailure(withCode('25006'))).toBe('readOnly');
    expect(isUnavailable(withCode('25006'))).toBe(true);
  });

  it.each(['40001', '40P01', '55P03', '57014'])('%s: transient, same connection, not unavailable', (code) => {
    expect(classifyDatabaseFailure(withCode(code))).toBe('transient');
    expect(isUnavailable(withCode(code))).toBe(false);
  });

  it.each([
    withCode('23505', 'duplicate key'),
    withCode('42P01', 'relation does not exist'),
    withCode('QL002', 'chain position differs'),
    withCode('08'),
    new Error('something else'),
    null,
    'a string',
    42,
  ])('%s: other (retrying does not help)', (error) => {
    expect(classifyDatabaseFailure(error)).toBe('other');
    expect(isUnavailable(error)).toBe(false);
  });

  it('an AggregateError of refused connects (every address of a host): connection lost', () => {
    const error = new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], 'connect');
    expect(classifyDatabaseFailure(error)).toBe('connectionLost');
    expect(classifyDatabaseFailure(new AggregateError([withCode('ECONNREFUSED'), new Error('x')]))).toBe(
      'other',
    );
  });
});

describe('createPool: a broken connection never ends the process', () => {
  it('a checked-out client whose backend is terminated (57P01) emits an error that is handled and counted', async () => {
    const db = await createTestDatabase(2);
    const errors: Error[] = [];
    const pool = createPool({ connectionString: db.url, max: 2, onConnectionError: (e) => errors.push(e) });
    try {
      const client = await pool.connect();
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      // Out of the pool and between two statements (the ledger's writer waiting for its turn).
      await db.pool.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      await vi.waitFor(() => expect(errors.length).toBeGreaterThan(0), { timeout: 5000 });
      expect(isUnavailable(errors[0])).toBe(true);
      // Its holder learns from the next statement, and the pool replaces it.
      await expect(client.query('SELECT 1')).rejects.toSatisfy(isUnavailable);
      client.release(new Error('lost'));
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
    } finally {
      await pool.end();
      await db.drop();
    }
  });
});
