import type { ComponentType, ReactNode } from 'react';
import type { Role } from '../auth/session';

/** One part of the console (admin, compliance, steward, cps): its menu entries and its pages. */
export interface Area {
  id: string;
  /** The i18n key of the area's menu heading. */
  label: string;
  /** Who sees it. */
  roles: Role[];
  nav: { path: string; label: string; icon: ComponentType<{ size?: number }> }[];
  routes: { path: string; element: ReactNode }[];
}
