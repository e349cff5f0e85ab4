/**
 * One way to declare a signed-in route, whoever signs in:
 *
 * ```ts
 * app.post('/v1/operator/kyc/reviews/:reviewId/decision',
 *   signedIn(app, { principal: 'operator', permission: 'kyc:review' }, { schema: { … } }),
 *   async (request) => { const operator = principalOf(request, 'operator'); … });
 * ```
 *
 * The declaration adds the `onRequest` hook (authenticate this kind of principal, then check the
 * permission against the table), the OpenAPI `security` of that kind, and the 401 (and, with a
 * permission, 403) error responses. Credentials of another kind are not a session of this kind:
 * 401 UNAUTHORIZED. Valid credentials without the permission: 403 FORBIDDEN.
 */
import type { FastifyRequest, FastifySchema } from 'fastify';
import { AppError } from '../errors.ts';
import { errorResponses } from '../http/responses.ts';
import { PERMISSIONS, can } from './permissions.ts';
import type { Action } from './permissions.ts';
import { API_SCOPES } from './principal.ts';
import type { ApiClientPrincipal, MerchantStaffPrincipal, Principal, PrincipalOf } from './principal.ts';

/**
 * The kinds a route can be declared for. `merchant` is whoever acts for a merchant: its staff
 * (a holder's session) or one of its API keys (ADR 0020) — the merchant API's routes that a
 * shop's servers use; the routes a person runs the merchant with stay `merchantStaff`.
 */
export const SIGNED_IN_KINDS = ['holder', 'operator', 'merchantStaff', 'merchant'] as const;
export type SignedInKind = (typeof SIGNED_IN_KINDS)[number];

/** The principal a route of `Kind` gets. */
export type SignedInPrincipal<Kind extends SignedInKind> = Kind extends 'merchant'
  ? MerchantStaffPrincipal | ApiClientPrincipal
  : PrincipalOf<Exclude<Kind, 'merchant'>>;

/** Reads the request's credentials; answers the principal or throws 401 (UNAUTHORIZED, SESSION_EXPIRED). */
export type Authenticator<Kind extends SignedInKind> = (
  request: FastifyRequest,
) => Promise<SignedInPrincipal<Kind>>;
export type Authenticators = { [Kind in SignedInKind]: Authenticator<Kind> };

declare module 'fastify' {
  interface FastifyInstance {
    /** One authenticator per kind of principal, from the modules that own the credentials (app.ts). */
    authenticators: Authenticators;
  }
  interface FastifyRequest {
    /** Null unless the route is declared with `signedIn`; read it with `principalOf(request, kind)`. */
    principal: Principal | null;
  }
}

/** The OpenAPI security of each kind (the schemes are defined once, in app.ts). */
export const SECURITY: Record<SignedInKind, Record<string, string[]>[]> = {
  holder: [{ holderSession: [] }, { sessionCookie: [] }],
  operator: [{ operatorSession: [] }],
  // A holder's session acting for a merchant: the header names which (else the one it owns).
  merchantStaff: [
    { holderSession: [], merchantSelector: [] },
    { sessionCookie: [], merchantSelector: [] },
  ],
  merchant: [
    { apiKey: [] },
    { holderSession: [], merchantSelector: [] },
    { sessionCookie: [], merchantSelector: [] },
  ],
};

/**
 * The OpenAPI security of a declaration. A merchant route lists an API key once per scope that
 * allows its permission (`{ apiKey: ['refunds:write'] }`: any one of them will do, as security
 * requirements go), and no API key at all when no scope does.
 */
export function securityOf(declaration: SignedInDeclaration): Record<string, string[]>[] {
  const { principal: kind, permission } = declaration;
  if (kind !== 'merchant' || !permission) return SECURITY[kind];
  const sessions = SECURITY.merchant.filter((requirement) => !('apiKey' in requirement));
  const scopes = API_SCOPES.filter((scope) => PERMISSIONS.apiClient[scope].includes(permission));
  return [...scopes.map((scope) => ({ apiKey: [scope] })), ...sessions];
}

export interface SignedInDeclaration {
  principal: SignedInKind;
  /** The action of the permission table (permissions.ts) the route takes; none: any principal of the kind. */
  permission?: Action;
}

interface RouteOptionsWithoutAuth {
  schema?: FastifySchema;
  /** `signedIn` owns the onRequest hook: one way in. */
  onRequest?: never;
}

/** Made once in app.ts, with the modules' authenticators. */
export function registerAuthenticators(
  app: {
    decorate(name: 'authenticators', value: Authenticators): unknown;
    decorateRequest(name: 'principal', value: null): unknown;
  },
  authenticators: Authenticators,
): void {
  app.decorate('authenticators', authenticators);
  app.decorateRequest('principal', null);
}

/** The route options of a signed-in route: `options` plus authentication, permission, security and 401/403. */
export function signedIn<Options extends RouteOptionsWithoutAuth>(
  app: { authenticators: Authenticators },
  declaration: SignedInDeclaration,
  options: Options,
): Options & { onRequest: (request: FastifyRequest) => Promise<void> } {
  const { principal: kind, permission } = declaration;
  // A programmer error, loud at startup: routes registered before app.ts made the authenticators.
  const authenticate = app.authenticators[kind] as Authenticator<SignedInKind> | undefined;
  if (!authenticate) throw new Error(`no authenticator for ${kind}: registerAuthenticators first`);
  const onRequest = async (request: FastifyRequest): Promise<void> => {
    const principal = await authenticate(request);
    request.principal = principal;
    if (permission && !can(principal, permission)) throw new AppError('FORBIDDEN');
  };
  const schema = options.schema ?? {};
  const authErrors = permission ? errorResponses(401, 403) : errorResponses(401);
  return {
    ...options,
    onRequest,
    schema: {
      ...schema,
      security: securityOf(declaration),
      response: { ...authErrors, ...(schema.response as Record<string, unknown> | undefined) },
    },
  };
}

/** The signed-in principal of a route declared `signedIn(app, { principal: kind })`. */
export function principalOf<Kind extends SignedInKind>(
  request: FastifyRequest,
  kind: Kind,
): SignedInPrincipal<Kind> {
  const principal = request.principal;
  const matches =
    kind === 'merchant'
      ? principal?.kind === 'merchantStaff' || principal?.kind === 'apiClient'
      : principal?.kind === kind;
  // A programmer error, loud on the first test: an unauthenticated request never gets this far.
  if (!matches)
    throw new Error(`route ${request.routeOptions.url} needs signedIn(app, { principal: '${kind}' })`);
  return principal as SignedInPrincipal<Kind>;
}
