/**
 * No text of a request may hold U+0000 (NUL). PostgreSQL's `text` and `jsonb` cannot store it, so a
 * description or reason with one got as far as the INSERT and failed there with a 500 (found by the
 * public API's fuzz). Every route refuses it up front instead, as an invalid field:
 * VALIDATION_FAILED naming where it is. Nothing a client means to send has one.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.ts';

/** More values than a body within the size limit can hold: the walk always ends. */
const MAX_VISITED = 1_000_000;

/** The dotted path of the first string holding U+0000 in `value` (`''` for `value` itself), or null. */
export function nulAt(value: unknown): string | null {
  // Iterative: a deeply nested body (100,000 arrays in 200 KB) must not overflow the stack.
  const stack: [unknown, string][] = [[value, '']];
  for (let visited = 0; stack.length > 0 && visited < MAX_VISITED; visited++) {
    const [node, path] = stack.pop()!;
    if (typeof node === 'string') {
      if (node.includes('\u0000')) return path;
    } else if (Array.isArray(node)) {
      for (let index = node.length - 1; index >= 0; index--)
        stack.push([node[index], join(path, String(index))]);
    } else if (isPlainObject(node)) {
      for (const [key, child] of Object.entries(node).reverse()) {
        if (key.includes('\u0000')) return join(path, key);
        stack.push([child, join(path, key)]);
      }
    }
  }
  return null;
}

/**
 * Parsed JSON, a query string (whose parser makes objects on a prototype of its own, with none
 * above it), path parameters; not a Buffer or a stream another parser gave.
 */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value) as object | null;
  return prototype === null || prototype === Object.prototype || Object.getPrototypeOf(prototype) === null;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** The `preValidation` hook of every route (app.ts): body, query string and path parameters. */
export function registerNulRefusal(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    for (const [where, value] of [
      ['params', request.params],
      ['querystring', request.query],
      ['body', request.body],
    ] as const) {
      const path = nulAt(value);
      if (path !== null) {
        done(
          new AppError('VALIDATION_FAILED', {
            details: { fields: [{ in: where, path, issue: 'must not contain the NUL character (U+0000)' }] },
          }),
        );
        return;
      }
    }
    done();
  });
}
