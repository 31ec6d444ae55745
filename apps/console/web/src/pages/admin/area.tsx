import { IconBuildingCommunity } from '@tabler/icons-react';
import type { Area } from '../../layout/area';
import { Placeholder } from '../home/Placeholder';

/** The admin part of the console: menu entries and pages. */
export const adminArea: Area = {
  id: 'admin',
  label: 'admin:area',
  roles: ['admin'],
  nav: [{ path: '/admin/participants', label: 'admin:nav.main', icon: IconBuildingCommunity }],
  routes: [{ path: '/admin/participants', element: <Placeholder /> }],
};
