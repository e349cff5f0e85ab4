import type { ComponentType, ReactNode } from 'react';

/**
 * One page of the operator console. Every `pages/*.tsx` that exports `page: ConsolePage` becomes
 * a menu entry and the route `/console/<path>/*` (Console.tsx finds them; no list to edit).
 */
export interface ConsolePage {
  /** One URL segment, e.g. `kyc`; the page routes below it itself (`/console/kyc/<id>`). */
  path: string;
  /** The menu entry's i18n key, e.g. `console.menu.kyc`. */
  title: string;
  /** The action the operator needs (auth/permissions.ts); null: every operator. */
  permission: string | null;
  /** Place in the menu, smallest first. */
  order: number;
  icon?: ReactNode;
  component: ComponentType;
}
