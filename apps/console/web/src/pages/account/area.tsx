import { IconKey, IconTrashX } from '@tabler/icons-react';
import { lazy } from 'react';
import type { Area } from '../../layout/area';
import { Lazy } from './Lazy';

const KeysPage = lazy(() => import('./KeysPage').then((m) => ({ default: m.KeysPage })));
const ObligationsPage = lazy(() => import('./ObligationsPage').then((m) => ({ default: m.ObligationsPage })));

/** What every signed-in member manages for their own company: its sign-in keys. */
export const accountArea: Area = {
  id: 'account',
  label: 'account:area',
  roles: ['member', 'compliance'],
  nav: [
    { path: '/account/obligations', label: 'account:nav.obligations', icon: IconTrashX },
    { path: '/account/keys', label: 'account:nav.keys', icon: IconKey },
  ],
  routes: [
    {
      path: '/account/obligations',
      element: (
        <Lazy>
          <ObligationsPage />
        </Lazy>
      ),
    },
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
