import { IconDatabase } from '@tabler/icons-react';
import type { Area } from '../../layout/area';
import { Placeholder } from '../home/Placeholder';

/** The steward part of the console: menu entries and pages. */
export const stewardArea: Area = {
  id: 'steward',
  label: 'steward:area',
  roles: ['member'],
  nav: [{ path: '/steward/catalog', label: 'steward:nav.main', icon: IconDatabase }],
  routes: [{ path: '/steward/catalog', element: <Placeholder /> }],
};
