import { Center, Loader } from '@mantine/core';
import { IconActivity, IconChartBar, IconDatabase, IconInbox, IconSend } from '@tabler/icons-react';
import { lazy, Suspense, type ComponentType } from 'react';
import type { Area } from '../../layout/area';

/** Each page is its own chunk: the first load carries none of them. */
function page(load: () => Promise<ComponentType>) {
  const Page = lazy(async () => ({ default: await load() }));
  return (
    <Suspense
      fallback={
        <Center py="xl">
          <Loader aria-label="…" />
        </Center>
      }
    >
      <Page />
    </Suspense>
  );
}

const catalog = page(() => import('./CatalogPage').then((m) => m.CatalogPage));
const contract = page(() => import('./ContractPage').then((m) => m.ContractPage));
const grants = page(() => import('./GrantsPage').then((m) => m.GrantsPage));
const usage = page(() => import('./UsagePage').then((m) => m.UsagePage));
const tail = page(() => import('./TailPage').then((m) => m.TailPage));
const publisher = page(() => import('./PublisherPage').then((m) => m.PublisherPage));

/** The steward part of the console: menu entries and pages. */
export const stewardArea: Area = {
  id: 'steward',
  label: 'steward:area',
  roles: ['member'],
  nav: [
    { path: '/steward/catalog', label: 'steward:nav.catalog', icon: IconDatabase },
    { path: '/steward/grants', label: 'steward:nav.grants', icon: IconInbox },
    { path: '/steward/usage', label: 'steward:nav.usage', icon: IconChartBar },
    { path: '/steward/tail', label: 'steward:nav.tail', icon: IconActivity },
    { path: '/steward/publish', label: 'steward:nav.publish', icon: IconSend },
  ],
  routes: [
    { path: '/steward/catalog', element: catalog },
    { path: '/steward/contracts/:dataset', element: contract },
    { path: '/steward/grants', element: grants },
    { path: '/steward/usage', element: usage },
    { path: '/steward/tail', element: tail },
    { path: '/steward/publish', element: publisher },
  ],
};
