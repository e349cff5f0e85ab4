/**
 * Who is calling. Every signed-in request has exactly one principal; what it may do is decided by
 * `can(principal, action)` (permissions.ts), never by a route's own `if`.
 *
 * Holders, operators and merchant staff sign in; API clients present a key (modules/developers).
 */
import type { OperatorRole } from '../modules/operator/service.ts';
import type { Action } from './permissions.ts';

export type { OperatorRole };

/** A wallet holder signed in with a session (identity module). */
export interface HolderPrincipal {
  kind: 'holder';
  userId: string;
  sessionId: string;
  /** The client's device id the session was created on. */
  deviceId: string;
  /** The holder's CNY wallet account in the ledger: the only wallet this principal acts on. */
  walletAccountId: string;
}

/** Bank staff signed in with password and TOTP, or a passkey (operator module). */
export interface OperatorPrincipal {
  kind: 'operator';
  id: string;
  sessionId: string;
  username: string;
  displayName: string;
  /** Today every operator account has exactly one role; the table already takes several. */
  roles: readonly OperatorRole[];
  /**
   * What its roles may do now: the rows of `operator_role_permissions`, read with the session on
   * every request (one query), so an admin's change applies to the next request on every server.
   */
  permissions: readonly Action[];
}

export const MERCHANT_STAFF_ROLES = ['owner', 'cashier'] as const;
export type MerchantStaffRole = (typeof MERCHANT_STAFF_ROLES)[number];

/**
 * A merchant's owner or cashier, acting for that merchant. Staff are wallet holders (ADR 0018):
 * the holder's session, plus the merchant it acts for (header `Qianbao-Merchant`, or the one it
 * owns), makes this principal; the role comes from the merchant's staff list
 * (modules/merchants/staff.ts), read on every request, so a removed cashier is refused at once.
 */
export interface MerchantStaffPrincipal {
  kind: 'merchantStaff';
  merchantId: string;
  role: MerchantStaffRole;
  /** The staff member's own wallet user id. */
  userId: string;
  sessionId: string;
  /** The device the staff member's session was created on (the till, for risk). */
  deviceId: string;
}

export const API_SCOPES = ['payments:write', 'refunds:write', 'payouts:write', 'read_only'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/**
 * A merchant's API key (modules/developers, ADR 0020), used by the merchant's own servers. It acts
 * for its merchant with its scopes — or, a partner's key (ADR 0023), for a merchant that granted
 * the partner access, with the scopes both the key and the grant have.
 */
export interface ApiClientPrincipal {
  kind: 'apiClient';
  /** The key's own merchant (its test twin for a test key): who is calling. */
  clientId: string;
  /** The merchant the key acts for: its own, or the one that granted its partner access. */
  merchantId: string;
  /** A partner acting for `merchantId` (= `clientId`); null: the key acts for its own merchant. */
  partnerMerchantId: string | null;
  keyId: string;
  /** Test keys move sandbox money only; the mode never widens what the scopes allow. */
  mode: 'test' | 'live';
  scopes: readonly ApiScope[];
}

export type Principal = HolderPrincipal | OperatorPrincipal | MerchantStaffPrincipal | ApiClientPrincipal;
export type PrincipalKind = Principal['kind'];
export type PrincipalOf<Kind extends PrincipalKind> = Extract<Principal, { kind: Kind }>;
