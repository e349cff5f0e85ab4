/** Who is calling and what they may do (docs/authorization.md). */
export * from './principal.ts';
export * from './permissions.ts';
export * from './signed-in.ts';
export { ADMIN_TOKEN_SECURITY, requireBearerToken } from './admin-token.ts';
