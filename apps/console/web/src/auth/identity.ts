import type { Api } from '../api/client';
import { ADMIN_ID, type Identity, type Role } from './session';

/** Who the signed-in participant is: the bootstrap admin, or a participant as the registry knows it. */
export async function whoAmI(api: Api, participant: string): Promise<Identity> {
  if (participant === ADMIN_ID) return { participant, name: 'Consortium admin', roles: ['admin'] };
  const p = await api.get<{ id: string; legalName: string; roles: Role[]; status: string }>(
    'registry',
    `/participants/${encodeURIComponent(participant)}`,
  );
  return { participant: p.id, name: p.legalName, roles: p.roles, status: p.status };
}
