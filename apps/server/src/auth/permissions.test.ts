/**
 * Who may do what, cell by cell: for each principal (each operator role, each staff role, each API
 * scope) the exact actions it may take; every other action of ACTIONS is refused. A change to the
 * table that is not also made here fails one row.
 *
 * Operators' rows are the DEFAULTS (seeded into operator_role_permissions, which admins edit): an
 * operator principal here carries the defaults of its roles, as the session lookup would load
 * them from a fresh database (operator/roles.test.ts checks that side).
 */
import { describe, expect, it } from 'vitest';
import { OPERATOR_ROLES } from '../modules/operator/service.ts';
import { ACTIONS, PERMISSIONS, can } from './permissions.ts';
import type { Action } from './permissions.ts';
import { API_SCOPES, MERCHANT_STAFF_ROLES } from './principal.ts';
import type { ApiScope, MerchantStaffRole, OperatorPrincipal, OperatorRole, Principal } from './principal.ts';

const holder: Principal = {
  kind: 'holder',
  userId: 'u1',
  sessionId: 's1',
  deviceId: 'd1',
  walletAccountId: 'w1',
};
const operator = (...roles: OperatorRole[]): OperatorPrincipal => ({
  kind: 'operator',
  id: 'o1',
  sessionId: 's1',
  username: 'op',
  displayName: 'Op',
  roles,
  permissions: [...new Set(roles.flatMap((role) => PERMISSIONS.operator[role]))],
});
const staff = (role: MerchantStaffRole): Principal => ({
  kind: 'merchantStaff',
  merchantId: 'm1',
  role,
  userId: 'u1',
  sessionId: 's1',
  deviceId: 'd1',
});
const apiClient = (scopes: ApiScope[], mode: 'test' | 'live' = 'live'): Principal => ({
  kind: 'apiClient',
  clientId: 'm1',
  merchantId: 'm1',
  partnerMerchantId: null,
  keyId: 'k1',
  mode,
  scopes,
});

const BACK_OFFICE: Action[] = [
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
];

/** The specification: who may do exactly what. */
const ALLOWED: [who: string, principal: Principal, allowed: Action[]][] = [
  ['holder', holder, ['wallet:read', 'wallet:manage', 'payments:create']],
  ['operator admin', operator('admin'), BACK_OFFICE],
  [
    'operator support (customer service)',
    operator('support'),
    [
      'holders:read',
      'holders:freeze',
      'pii:reveal',
      'dashboard:read',
      'tickets:answer',
      'help:manage',
      'disputes:resolve',
    ],
  ],
  [
    'operator kyc_reviewer (compliance)',
    operator('kyc_reviewer'),
    ['holders:read', 'pii:reveal', 'dashboard:read', 'kyc:review', 'merchants:review'],
  ],
  [
    'operator risk',
    operator('risk'),
    [
      'holders:read',
      'holders:freeze',
      'holders:unfreeze',
      'pii:reveal',
      'dashboard:read',
      'disputes:resolve',
      'risk:decide',
      'risk:rules',
    ],
  ],
  [
    'operator finance',
    operator('finance'),
    ['holders:read', 'dashboard:read', 'ledger:read', 'reconciliation:read', 'balances:adjust'],
  ],
  ['operator with no role', operator(), []],
  [
    'merchant owner',
    staff('owner'),
    [
      'payments:create',
      'refunds:create',
      'payouts:create',
      'orders:read',
      'orders:readToday',
      'merchant:manage',
    ],
  ],
  ['merchant cashier', staff('cashier'), ['payments:create', 'orders:readToday']],
  // Taking payments or refunds comes with the order query (the fallback for a late notice).
  [
    'API key payments:write',
    apiClient(['payments:write']),
    ['payments:create', 'orders:read', 'orders:readToday'],
  ],
  [
    'API key refunds:write',
    apiClient(['refunds:write']),
    ['refunds:create', 'orders:read', 'orders:readToday'],
  ],
  ['API key payouts:write', apiClient(['payouts:write']), ['payouts:create']],
  ['API key read_only', apiClient(['read_only']), ['orders:read', 'orders:readToday']],
  ['API key without scopes', apiClient([]), []],
  [
    'test-mode API key payments:write + read_only',
    apiClient(['payments:write', 'read_only'], 'test'),
    ['payments:create', 'orders:read', 'orders:readToday'],
  ],
];

describe('who may do what', () => {
  const cells = ALLOWED.flatMap(([who, principal, allowed]) =>
    ACTIONS.map((action) => ({ who, principal, action, expected: allowed.includes(action) })),
  );

  it.each(cells)('$who → $action: $expected', ({ principal, action, expected }) => {
    expect(can(principal, action)).toBe(expected);
  });

  it('covers every operator role, staff role and API scope', () => {
    const covered = new Set(ALLOWED.map(([, principal]) => principal));
    const roles = [...covered].flatMap((p) => (p.kind === 'operator' ? p.roles : []));
    expect(new Set(roles)).toEqual(new Set(OPERATOR_ROLES));
    const staffRoles = [...covered].flatMap((p) => (p.kind === 'merchantStaff' ? [p.role] : []));
    expect(new Set(staffRoles)).toEqual(new Set(MERCHANT_STAFF_ROLES));
    const scopes = [...covered].flatMap((p) => (p.kind === 'apiClient' ? p.scopes : []));
    expect(new Set(scopes)).toEqual(new Set(API_SCOPES));
  });
});

describe('the rules people ask about', () => {
  it.each([
    ['customer service cannot decide a risk case', operator('support'), 'risk:decide'],
    ['customer service cannot adjust a balance', operator('support'), 'balances:adjust'],
    ['customer service cannot change limits', operator('support'), 'limits:configure'],
    // Customer service may freeze a wallet (a holder on the phone reporting fraud) but never lift one.
    ['customer service cannot unfreeze a wallet', operator('support'), 'holders:unfreeze'],
    ['a cashier cannot refund', staff('cashier'), 'refunds:create'],
    ['a cashier cannot read orders beyond today', staff('cashier'), 'orders:read'],
    ['a read-only key cannot take a payment', apiClient(['read_only']), 'payments:create'],
    ['a payments key cannot refund', apiClient(['payments:write']), 'refunds:create'],
    ['a holder cannot review real-name documents', holder, 'kyc:review'],
    ['only admins read the audit log: finance', operator('finance'), 'audit:read'],
    ['only admins manage operators: risk', operator('risk'), 'operators:manage'],
    ['compliance cannot resolve a dispute', operator('kyc_reviewer'), 'disputes:resolve'],
    ['finance cannot reveal a full ID or card number', operator('finance'), 'pii:reveal'],
  ] as const)('%s', (_rule, principal, action) => {
    expect(can(principal, action)).toBe(false);
  });

  it('several roles add up', () => {
    expect(can(operator('support', 'risk'), 'risk:decide')).toBe(true);
    expect(can(operator('support', 'risk'), 'tickets:answer')).toBe(true);
    expect(can(operator('support', 'risk'), 'balances:adjust')).toBe(false);
  });
});

describe("an operator's permissions are the ones loaded with its session", () => {
  it('reads the principal, not the defaults: an admin whose role lost an action is refused it', () => {
    const admin = operator('admin');
    expect(can(admin, 'balances:adjust')).toBe(true);
    const trimmed: Principal = {
      ...admin,
      permissions: PERMISSIONS.operator.admin.filter((a) => a !== 'balances:adjust'),
    };
    expect(can(trimmed, 'balances:adjust')).toBe(false);
    expect(can(trimmed, 'operators:manage')).toBe(true);
  });

  it('and grants what the table gives a role beyond its defaults', () => {
    const support: Principal = { ...operator('support'), permissions: ['holders:read', 'risk:decide'] };
    expect(can(support, 'risk:decide')).toBe(true);
    expect(can(support, 'tickets:answer')).toBe(false);
  });
});
