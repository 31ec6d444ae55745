/** The signed-in person, their API and identity, for every page. */
import { createContext, useContext } from 'react';
import type { Api } from '../api/client';
import type { Identity, Role, Session } from './session';

export interface SignedIn {
  session: Session;
  api: Api;
  identity: Identity;
  signOut: () => Promise<void>;
}

export const SessionContext = createContext<SignedIn | undefined>(undefined);

export function useSignedIn(): SignedIn {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSignedIn outside a signed-in page');
  return value;
}

export const useApi = () => useSignedIn().api;

export function useHasRole(...roles: Role[]): boolean {
  return useSignedIn().identity.roles.some((r) => roles.includes(r));
}
