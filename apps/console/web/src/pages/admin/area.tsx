import { Center, Loader } from '@mantine/core';
import { IconBuildingCommunity, IconKey, IconUserPlus } from '@tabler/icons-react';
import { lazy, Suspense, type ReactNode } from 'react';
import type { Area } from '../../layout/area';
import { errorContrast } from './labels';

const ParticipantsPage = lazy(() =>
  import('./ParticipantsPage').then((m) => ({ default: m.ParticipantsPage })),
);
const OnboardingWizard = lazy(() =>
  import('./OnboardingWizard').then((m) => ({ default: m.OnboardingWizard })),
);
const SigningKeysPage = lazy(() => import('./SigningKeysPage').then((m) => ({ default: m.SigningKeysPage })));

const page = (element: ReactNode) => (
  <Suspense
    fallback={
      <Center py="xl">
        <Loader aria-label="Loading" />
      </Center>
    }
  >
    <div style={errorContrast}>{element}</div>
  </Suspense>
);

/** The admin part of the console: menu entries and pages. */
export const adminArea: Area = {
  id: 'admin',
  label: 'admin:area',
  roles: ['admin'],
  nav: [
    { path: '/admin/participants', label: 'admin:nav.main', icon: IconBuildingCommunity },
    { path: '/admin/onboard', label: 'admin:nav.onboard', icon: IconUserPlus },
    { path: '/admin/signing-keys', label: 'admin:nav.signingKeys', icon: IconKey },
  ],
  routes: [
    { path: '/admin/participants', element: page(<ParticipantsPage />) },
    { path: '/admin/onboard', element: page(<OnboardingWizard />) },
    { path: '/admin/signing-keys', element: page(<SigningKeysPage />) },
  ],
};
