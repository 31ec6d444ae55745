import { Center, Loader } from '@mantine/core';
import {
  IconCertificate,
  IconListSearch,
  IconShieldCheck,
  IconTrashX,
  IconUserShield,
} from '@tabler/icons-react';
import { lazy, Suspense, type ComponentType, type LazyExoticComponent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Area } from '../../layout/area';

const DecisionsPage = lazy(() => import('./DecisionsPage'));
const VerifyPage = lazy(() => import('./VerifyPage'));
const CheckpointsPage = lazy(() => import('./CheckpointsPage'));
const DeletionsPage = lazy(() => import('./DeletionsPage'));
const ConsentsPage = lazy(() => import('./ConsentsPage'));

function Loading() {
  const { t } = useTranslation('compliance');
  return (
    <Center p="xl">
      <Loader aria-label={t('entries.loading')} />
    </Center>
  );
}

const page = (Page: LazyExoticComponent<ComponentType>) => (
  <Suspense fallback={<Loading />}>
    <Page />
  </Suspense>
);

/** The compliance part of the console: menu entries and pages. */
export const complianceArea: Area = {
  id: 'compliance',
  label: 'compliance:area',
  roles: ['compliance'],
  nav: [
    { path: '/compliance/decisions', label: 'compliance:nav.main', icon: IconListSearch },
    { path: '/compliance/verify', label: 'compliance:nav.verify', icon: IconShieldCheck },
    { path: '/compliance/checkpoints', label: 'compliance:nav.checkpoints', icon: IconCertificate },
    { path: '/compliance/deletions', label: 'compliance:nav.deletions', icon: IconTrashX },
    { path: '/compliance/consents', label: 'compliance:nav.consents', icon: IconUserShield },
  ],
  routes: [
    { path: '/compliance/decisions', element: page(DecisionsPage) },
    { path: '/compliance/verify', element: page(VerifyPage) },
    { path: '/compliance/checkpoints', element: page(CheckpointsPage) },
    { path: '/compliance/deletions', element: page(DeletionsPage) },
    { path: '/compliance/consents', element: page(ConsentsPage) },
  ],
};
