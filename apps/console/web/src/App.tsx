import { Center, Loader } from '@mantine/core';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router';
import { Api } from './api/client';
import { SessionContext, type SignedIn } from './auth/context';
import { whoAmI } from './auth/identity';
import { forgetKey, rememberedKey, rememberKey, type HeldKey } from './auth/keys';
import { Session } from './auth/session';
import { SignIn } from './auth/SignIn';
import type { Area } from './layout/area';
import { Shell } from './layout/Shell';
import { accountArea } from './pages/account/area';
import { adminArea } from './pages/admin/area';
import { complianceArea } from './pages/compliance/area';
import { cpsArea } from './pages/cps/area';
import { Home } from './pages/home/Home';
import { stewardArea } from './pages/steward/area';

const allAreas: Area[] = [adminArea, complianceArea, stewardArea, cpsArea, accountArea];

async function signInWith(held: HeldKey): Promise<Omit<SignedIn, 'signOut'>> {
  const session = new Session(held);
  const api = new Api(session);
  await session.platformToken(); // proves the key: the platform verified the assertion it signed
  return { session, api, identity: await whoAmI(api, held.participant) };
}

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
  if (restoring)
    return (
      <Center h="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  if (!value) return <SignIn onKey={onKey} />;
  const areas = allAreas.filter((a) => a.roles.some((r) => value.identity.roles.includes(r)));
  return (
    <SessionContext.Provider value={value}>
      <BrowserRouter>
        <Routes>
          <Route element={<Shell areas={areas} />}>
            <Route index element={<Home areas={areas} />} />
            {areas
              .flatMap((a) => a.routes)
              .map((r) => (
                <Route key={r.path} path={r.path} element={r.element} />
              ))}
            <Route path="*" element={<Home areas={areas} />} />
          </Route>
        </Routes>
      </BrowserRouter>
    </SessionContext.Provider>
  );
}
