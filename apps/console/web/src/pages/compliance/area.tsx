import { IconListSearch } from '@tabler/icons-react';
import type { Area } from '../../layout/area';
import { Placeholder } from '../home/Placeholder';

/** The compliance part of the console: menu entries and pages. */
export const complianceArea: Area = {
  id: 'compliance',
  label: 'compliance:area',
  roles: ['compliance'],
  nav: [{ path: '/compliance/decisions', label: 'compliance:nav.main', icon: IconListSearch }],
  routes: [{ path: '/compliance/decisions', element: <Placeholder /> }],
};
