import { IconChartLine } from '@tabler/icons-react';
import type { Area } from '../../layout/area';
import { Placeholder } from '../home/Placeholder';

/** The cps part of the console: menu entries and pages. */
export const cpsArea: Area = {
  id: 'cps',
  label: 'cps:area',
  roles: ['member', 'admin'],
  nav: [{ path: '/cps/scenarios', label: 'cps:nav.main', icon: IconChartLine }],
  routes: [{ path: '/cps/scenarios', element: <Placeholder /> }],
};
