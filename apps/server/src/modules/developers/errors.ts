import type { ErrorMapping } from '../../errors.ts';

/** The developers module's error codes; merged into the server's table in apps/server/src/errors.ts. */
export type DevelopersErrorCode =
  | 'API_KEY_INVALID'
  | 'API_KEY_IP_NOT_ALLOWED'
  | 'API_KEY_NOT_FOUND'
  | 'API_KEY_ALREADY_ROLLED'
  | 'API_KEY_LIMIT_REACHED'
  | 'WEBHOOK_URL_INVALID'
  | 'WEBHOOK_ENDPOINT_NOT_FOUND'
  | 'WEBHOOK_ENDPOINT_LIMIT_REACHED'
  | 'WEBHOOK_DELIVERY_NOT_FOUND'
  | 'WEBHOOK_DELIVERY_IN_PROGRESS'
  | 'PARTNER_ACCESS_NOT_GRANTED'
  | 'PARTNER_NOT_FOUND'
  | 'PARTNER_GRANT_NOT_FOUND'
  | 'PARTNER_GRANT_LIMIT_REACHED';

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
  WEBHOOK_URL_INVALID: {
    status: 422,
    message:
      'The endpoint URL is not one deliveries can go to: https (http in sandbox mode), no credentials; details.problem.',
  },
  WEBHOOK_ENDPOINT_NOT_FOUND: { status: 404, message: 'No such webhook endpoint of this merchant.' },
  WEBHOOK_ENDPOINT_LIMIT_REACHED: {
    status: 422,
    message: 'A merchant may have at most this many webhook endpoints; details.max.',
  },
  WEBHOOK_DELIVERY_NOT_FOUND: { status: 404, message: 'No such webhook delivery of this merchant.' },
  WEBHOOK_DELIVERY_IN_PROGRESS: {
    status: 409,
    message: 'The delivery is being posted right now; look again in a moment (Retry-After).',
    retryAfterSeconds: 5,
  },
  PARTNER_ACCESS_NOT_GRANTED: {
    status: 403,
    message:
      'The merchant named in Qianbao-Merchant has not granted this key’s merchant access (or has revoked it).',
  },
  PARTNER_NOT_FOUND: { status: 404, message: 'No merchant with this id to grant access to.' },
  PARTNER_GRANT_NOT_FOUND: { status: 404, message: 'No such partner grant of this merchant.' },
  PARTNER_GRANT_LIMIT_REACHED: {
    status: 422,
    message: 'A merchant may grant at most this many partners access at once; details.max.',
  },
};
