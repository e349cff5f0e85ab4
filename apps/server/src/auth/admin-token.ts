import { createHash, timingSafeEqual } from 'node:crypto';
import type { onRequestHookHandler } from 'fastify';
import { AppError } from '../errors.ts';

/**
 * The internal ledger API's credential (ADR 0004): a deployment secret, not a principal. It stays
 * outside the permission table until operators reach the ledger through the console.
 */
export const ADMIN_TOKEN_SECURITY: Record<string, string[]>[] = [{ adminToken: [] }];

/**
 * An `onRequest` hook admitting only `Authorization: Bearer <token>`. Both sides are hashed
 * before the constant-time comparison so that neither the content nor the length of the expected
 * token leaks through timing.
 */
export function requireBearerToken(expectedToken: string): onRequestHookHandler {
  const expectedDigest = sha256(expectedToken);
  return (request, _reply, done) => {
    const presented = bearerToken(request.headers.authorization);
    const admitted = presented !== null && timingSafeEqual(sha256(presented), expectedDigest);
    done(admitted ? undefined : new AppError('UNAUTHORIZED'));
  };
}

function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer ([\x21-\x7e]+)$/i.exec(header ?? '');
  return match?.[1] ?? null;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
