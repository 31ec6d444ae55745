/** Everything behind sign-in, loaded after it: the shell, the router and every area's menu. */
import { BrowserRouter, Route, Routes } from 'react-router';
import { SessionContext, type SignedIn } from './auth/context';
import type { Area } from './layout/area';
import { Shell } from './layout/Shell';
import { accountArea } from './pages/account/area';
import { adminArea } from './pages/admin/area';
import { complianceArea } from './pages/compliance/area';
import { cpsArea } from './pages/cps/area';
import { Home } from './pages/home/Home';
import { stewardArea } from './pages/steward/area';

const allAreas: Area[] = [adminArea, complianceArea, stewardArea, cpsArea, accountArea];

export function SignedInApp({ value }: { value: SignedIn }) {
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
