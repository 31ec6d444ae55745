import { IconKey } from '@tabler/icons-react';
import { lazy } from 'react';
import type { Area } from '../../layout/area';
import { Lazy } from './Lazy';

const KeysPage = lazy(() => import('./KeysPage').then((m) => ({ default: m.KeysPage })));

/** What every signed-in member manages for their own company: its sign-in keys. */
export const accountArea: Area = {
  id: 'account',
  label: 'account:area',
  roles: ['member', 'compliance'],
  nav: [{ path: '/account/keys', label: 'account:nav.keys', icon: IconKey }],
  routes: [
    {
      path: '/account/keys',
      element: (
        <Lazy>
          <KeysPage />
        </Lazy>
      ),
    },
  ],
};
