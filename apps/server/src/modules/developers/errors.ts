import type { ErrorMapping } from '../../errors.ts';

/** The developers module's error codes; merged into the server's table in apps/server/src/errors.ts. */
export type DevelopersErrorCode =
  | 'API_KEY_INVALID'
  | 'API_KEY_IP_NOT_ALLOWED'
  | 'API_KEY_NOT_FOUND'
  | 'API_KEY_ALREADY_ROLLED'
  | 'API_KEY_LIMIT_REACHED';

export const DEVELOPERS_ERRORS: Record<DevelopersErrorCode, ErrorMapping> = {
  API_KEY_INVALID: {
    status: 401,
    message:
      'The API key is not valid: unknown, revoked or expired (a rolled key works until its overlap ends).',
  },
  API_KEY_IP_NOT_ALLOWED: {
    status: 403,
    message: 'The API key may not be used from this address (its IP allow-list); details.ip.',
  },
  API_KEY_NOT_FOUND: { status: 404, message: 'No such API key of this merchant.' },
  API_KEY_ALREADY_ROLLED: {
    status: 409,
    message: 'The API key was rolled already, or is revoked; roll its successor (details.rolledTo).',
  },
  API_KEY_LIMIT_REACHED: {
    status: 422,
    message: 'A merchant may have at most this many keys in use; revoke one first. details.max.',
  },
};
