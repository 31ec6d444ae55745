import { Center, Loader } from '@mantine/core';
import { IconChartLine, IconTopologyStar3 } from '@tabler/icons-react';
import { lazy, Suspense, type ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import type { Area } from '../../layout/area';

function Loading() {
  const { t } = useTranslation();
  return (
    <Center p="xl">
      <Loader aria-label={t('cps:loading')} />
    </Center>
  );
}

/** Each page in its own chunk (the charts library only with the run page), loaded when first opened. */
function page(load: () => Promise<{ default: ComponentType }>) {
  const Page = lazy(load);
  return (
    <Suspense fallback={<Loading />}>
      <Page />
    </Suspense>
  );
}

const named = <K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) =>
  page(() => load().then((m) => ({ default: m[name] })));

/**
 * The CPS part of the console: the digital twin's inputs, scenarios and runs. Its API answers only the
 * CPS service's operators (the service's own participant, the consortium admin and CPS_OPERATORS); any
 * other member sees the service's refusal, which says how to receive results instead.
 */
export const cpsArea: Area = {
  id: 'cps',
  label: 'cps:area',
  roles: ['member', 'admin'],
  nav: [
    { path: '/cps/inputs', label: 'cps:nav.inputs', icon: IconTopologyStar3 },
    { path: '/cps/scenarios', label: 'cps:nav.main', icon: IconChartLine },
  ],
  routes: [
    { path: '/cps/inputs', element: named(() => import('./InputsPage'), 'InputsPage') },
    { path: '/cps/scenarios', element: named(() => import('./ScenariosPage'), 'ScenariosPage') },
    {
      path: '/cps/scenarios/new',
      element: named(() => import('./DefineScenarioPage'), 'DefineScenarioPage'),
    },
    { path: '/cps/runs/:id', element: named(() => import('./RunPage'), 'RunPage') },
  ],
};
