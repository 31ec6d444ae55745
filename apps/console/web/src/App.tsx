import { Center, Loader } from '@mantine/core';
import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { Api } from './api/client';
import type { SignedIn } from './auth/context';
import { whoAmI } from './auth/identity';
import { forgetKey, rememberedKey, rememberKey, type HeldKey } from './auth/keys';
import { Session } from './auth/session';
import { SignIn } from './auth/SignIn';

// The sign-in page is all a first visit needs; the rest of the console loads once someone has signed in.
const SignedInApp = lazy(() => import('./SignedInApp').then((m) => ({ default: m.SignedInApp })));

async function signInWith(held: HeldKey): Promise<Omit<SignedIn, 'signOut'>> {
  const session = new Session(held);
  const api = new Api(session);
  await session.platformToken(); // proves the key: the platform verified the assertion it signed
  return { session, api, identity: await whoAmI(api, held.participant) };
}

const loading = (
  <Center h="100vh">
    <Loader aria-label="Loading" />
  </Center>
);

export function App() {
  const [state, setState] = useState<Omit<SignedIn, 'signOut'> | undefined>();
  const [restoring, setRestoring] = useState(true);

  useEffect(() => {
    rememberedKey()
      .then(async (held) => {
        if (held) setState(await signInWith(held));
      })
      .catch(() => undefined) // a remembered key that no longer signs in: show the sign-in page
      .finally(() => setRestoring(false));
  }, []);

  const onKey = useCallback(async (held: HeldKey, remember: boolean) => {
    const signedIn = await signInWith(held);
    if (remember) await rememberKey(held);
    setState(signedIn);
  }, []);

  const signOut = useCallback(async () => {
    await forgetKey().catch(() => undefined);
    setState(undefined);
  }, []);

  const value = useMemo(() => (state ? { ...state, signOut } : undefined), [state, signOut]);
  if (restoring) return loading;
  if (!value) return <SignIn onKey={onKey} />;
  return (
    <Suspense fallback={loading}>
      <SignedInApp value={value} />
    </Suspense>
  );
}
