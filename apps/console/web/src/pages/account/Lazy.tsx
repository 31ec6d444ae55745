import { Center, Loader } from '@mantine/core';
import { Suspense, type ReactNode } from 'react';

export function Lazy({ children }: { children: ReactNode }) {
  return (
    <Suspense
      fallback={
        <Center py="xl">
          <Loader aria-label="Loading" />
        </Center>
      }
    >
      {children}
    </Suspense>
  );
}
