/**
 * Who may do what: one table, data rather than `if`s in routes. `can(principal, action)` reads it
 * and nothing else; a route declares the action it needs (`signedIn(app, { principal, permission })`)
 * and a principal without it gets 403 FORBIDDEN. docs/authorization.md shows the same table.
 *
 * What the table does not say is *which* wallet, merchant or order: a holder's actions are always
 * on its own wallet (routes under /v1/me take the wallet from the principal, and an id of someone
 * else's thing answers 404), merchant staff act on their own merchant, an API client on the
 * merchant or partner its key belongs to.
 */
import type { ApiScope, MerchantStaffRole, OperatorRole, Principal } from './principal.ts';

export const ACTIONS = [
  // ---- a holder's own wallet
  'wallet:read', // balances, history, receipts, notifications
  'wallet:manage', // profile, sessions, security factors, cards, real-name documents
  // ---- money (holder: out of its own wallet; merchant: take a payment)
  'payments:create',
  'refunds:create',
  'payouts:create',
  // ---- merchants
  'orders:read', // every order of the merchant
  'orders:readToday', // today's orders (Asia/Shanghai): what a cashier's till shows
  'merchant:manage', // staff, settings, settlement card, API keys
  // ---- back office
  'holders:read', // search holders, holder page
  'holders:freeze', // freeze a wallet (full or receive-only)
  'holders:unfreeze', // lift a wallet's freeze, whoever set it
  'pii:reveal', // show a full ID or card number (asks for a reason, logged)
  'dashboard:read', // the console's dashboard: volume, failures, open cases and tickets
  'tickets:answer', // customer service tickets, live chat, app feedback
  'help:manage', // help centre articles and reply templates
  'disputes:resolve', // disputes: investigate, refund, charge back
  'kyc:review', // real-name documents: view, approve, reject
  'merchants:review', // company merchants' applications: view the licence, approve, reject
  'risk:decide', // risk cases: approve or reject a held payment
  'risk:rules', // risk rule sets (drafts, backtests, activation) and deny/allow lists
  'ledger:read', // ledger explorer, verify the books
  'reconciliation:read', // the bank's settlement files against ours
  'balances:adjust', // manual credit or debit (maker-checker comes with the console)
  'limits:configure', // tier limits, fees, password-free limits
  'operators:manage', // operator accounts and roles
  'audit:read', // the operator audit log
] as const;
export type Action = (typeof ACTIONS)[number];

/** The back-office actions: the columns of the operator roles table (GET /v1/operator/roles). */
export const OPERATOR_ACTIONS = [
  'holders:read',
  'holders:freeze',
  'holders:unfreeze',
  'pii:reveal',
  'dashboard:read',
  'tickets:answer',
  'help:manage',
  'disputes:resolve',
  'kyc:review',
  'merchants:review',
  'risk:decide',
  'risk:rules',
  'ledger:read',
  'reconciliation:read',
  'balances:adjust',
  'limits:configure',
  'operators:manage',
  'audit:read',
] as const satisfies readonly Action[];

/**
 * The table. Every role and scope has a row (`Record<…>`): a role added to the operator module
 * does not compile until it is given its permissions here.
 *
 * Operator roles are today's stored ones (operator_accounts.role): `support` is customer service,
 * `kyc_reviewer` is compliance (real-name review). Their rows here are the DEFAULTS only: what an
 * operator may do is the table `operator_role_permissions`, seeded with these (operator migration
 * 0403), edited by admins in the console (PUT /v1/operator/roles/:role, audited) and read with
 * the operator's session on every request (`OperatorPrincipal.permissions`). Admins start with
 * every back-office action and can never lose `operators:manage`.
 */
export const PERMISSIONS: {
  holder: readonly Action[];
  operator: Record<OperatorRole, readonly Action[]>;
  merchantStaff: Record<MerchantStaffRole, readonly Action[]>;
  apiClient: Record<ApiScope, readonly Action[]>;
} = {
  holder: ['wallet:read', 'wallet:manage', 'payments:create'],
  operator: {
    admin: OPERATOR_ACTIONS,
    support: [
      'holders:read',
      'holders:freeze',
      'pii:reveal',
      'dashboard:read',
      'tickets:answer',
      'help:manage',
      'disputes:resolve',
    ],
    kyc_reviewer: ['holders:read', 'pii:reveal', 'dashboard:read', 'kyc:review', 'merchants:review'],
    risk: [
      'holders:read',
      'holders:freeze',
      'holders:unfreeze',
      'pii:reveal',
      'dashboard:read',
      'disputes:resolve',
      'risk:decide',
      'risk:rules',
    ],
    finance: ['holders:read', 'dashboard:read', 'ledger:read', 'reconciliation:read', 'balances:adjust'],
  },
  merchantStaff: {
    owner: [
      'payments:create',
      'refunds:create',
      'payouts:create',
      'orders:read',
      'orders:readToday',
      'merchant:manage',
    ],
    cashier: ['payments:create', 'orders:readToday'],
  },
  // A merchant's API key (ADR 0020). Taking payments or refunds comes with querying orders: the
  // order query is the fallback when a notification is late.
  apiClient: {
    'payments:write': ['payments:create', 'orders:read', 'orders:readToday'],
    'refunds:write': ['refunds:create', 'orders:read', 'orders:readToday'],
    'payouts:write': ['payouts:create'],
    read_only: ['orders:read', 'orders:readToday'],
  },
};

/**
 * Whether `principal` may take `action`. Pure: reads the table — for an operator, the rows of its
 * roles that were loaded with its session (`principal.permissions`), never the defaults above.
 */
export function can(principal: Principal, action: Action): boolean {
  switch (principal.kind) {
    case 'holder':
      return PERMISSIONS.holder.includes(action);
    case 'operator':
      return principal.permissions.includes(action);
    case 'merchantStaff':
      return PERMISSIONS.merchantStaff[principal.role].includes(action);
    case 'apiClient':
      return principal.scopes.some((scope) => PERMISSIONS.apiClient[scope].includes(action));
    default:
      return unreachable(principal);
  }
}

function unreachable(principal: never): never {
  throw new Error(`unknown principal ${JSON.stringify(principal)}`);
}

/** Narrows a stored string to an action of the table (unknown ones are ignored, not trusted). */
export function isAction(value: string): value is Action {
  return (ACTIONS as readonly string[]).includes(value);
}

export function isOperatorAction(value: string): value is OperatorAction {
  return (OPERATOR_ACTIONS as readonly string[]).includes(value);
}

export type OperatorAction = (typeof OPERATOR_ACTIONS)[number];
