import { createContext, useContext } from 'react';
import type { MerchantMembership, Permission, PortalMerchant } from './api.ts';

export interface PortalContextValue {
  /** The merchant acted for, with the signed-in person's role and permissions there. */
  merchant: PortalMerchant;
  /** Every merchant the person owns or works at (the switcher's choices). */
  memberships: MerchantMembership[];
  choose: (merchantId: string) => void;
  signOut: () => void;
}

export const PortalContext = createContext<PortalContextValue | null>(null);

export function usePortal(): PortalContextValue {
  const value = useContext(PortalContext);
  if (!value) throw new Error('usePortal outside the portal');
  return value;
}

/** Whether the signed-in person may do `permission` at the chosen merchant (never by role name). */
export function usePermission(permission: Permission): boolean {
  return usePortal().merchant.permissions.includes(permission);
}
